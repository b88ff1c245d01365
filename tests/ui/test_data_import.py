"""File → Import data…: files and format chosen, the preview read in the thread pool, counts and the problem
list shown, Import only when nothing fails, what it stores, and one undo step that takes it all back."""

from __future__ import annotations

from pathlib import Path

import pytest
from myocase.services import exports, importing
from myocase.services.importing import ImportFormat
from myocase.ui.data_import import MAPPING_EDITOR_MISSING, DataImportDialog
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QTableWidget
from pytestqt.qtbot import QtBot

PATIENTS = "study_id,subtype,sex,birth_year,full_name\nMYO-01,DM,F,1970,Ann Example\nMYO-02,PM,M,1961,\n"
ASSESSMENTS = "study_id,assessed_on,cdasi_activity,ck,ck_uln\nMYO-01,2021-03-01,20,900,200\nMYO-02,2021-04-01,,450,200\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Two CSV files, which the file dialog (answered here) offers."""
    folder = tmp_path / "import"
    folder.mkdir()
    chosen = [folder / "patients.csv", folder / "assessments.csv"]
    chosen[0].write_text(PATIENTS, encoding="utf-8")
    chosen[1].write_text(ASSESSMENTS, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in chosen], ""))
    return chosen


def open_dialog(qtbot: QtBot, window: MainWindow) -> DataImportDialog:
    window.actions_["import_data"].trigger()
    dialog = window.findChild(DataImportDialog)
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.format, "CSV")
    assert dialog.chosen_format() is ImportFormat.CSV
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    return dialog


def preview(qtbot: QtBot, dialog: DataImportDialog) -> importing.Preview:
    with qtbot.waitSignal(dialog.previewed, timeout=60_000) as blocker:
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]  # type: ignore[no-any-return]


def cells(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_preview_then_import_stores_the_rows_as_one_undo_step(
    qtbot: QtBot, window: MainWindow, files: list[Path]
) -> None:
    dialog = open_dialog(qtbot, window)
    assert dialog.files() == files
    assert not dialog.import_button.isEnabled()
    preview(qtbot, dialog)
    assert cells(dialog.counts)[:2] == [["patients", "2", "0", "0"], ["medication courses", "0", "0", "0"]]
    assert cells(dialog.counts)[2] == ["assessments", "2", "0", "0"]
    assert dialog.problems.rowCount() == 0
    assert window.controller.book.counts().patients == 0  # a preview stores nothing
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    book = window.controller.book
    stored = {r.patient.study_id: r for r in book.patient_records()}
    assert sorted(stored) == ["MYO-01", "MYO-02"]
    assert stored["MYO-01"].identifiers is not None
    assert stored["MYO-01"].identifiers.full_name == "Ann Example"
    assert stored["MYO-02"].assessments[0].ck == 450.0
    assert "✓ Imported: 4 records" in dialog.outcome.text()
    assert [s.study_id for s in window.patients.model.rows] == ["MYO-01", "MYO-02"]  # the list shows them
    assert not dialog.import_button.isEnabled()  # the same preview cannot be stored twice
    stack = window.controller.undo_stack
    assert stack.count() == 1
    assert stack.undoText() == "Imported 4 records from patients.csv, assessments.csv"
    stack.undo()
    assert book.counts().patients == 0
    assert book.counts().assessments == 0
    assert window.patients.model.rows == []


def test_rows_that_fail_are_listed_and_import_stays_off(
    qtbot: QtBot, window: MainWindow, files: list[Path]
) -> None:
    files[1].write_text(ASSESSMENTS.replace("2021-04-01,,450", "01/04/2021,,-450"), encoding="utf-8")
    dialog = open_dialog(qtbot, window)
    shown = preview(qtbot, dialog)
    assert not shown.plan.ok
    assert cells(dialog.problems) == [
        ["assessments.csv", "3", "assessed_on", "“01/04/2021” is not a date: write YYYY-MM-DD"]
    ]
    assert "1 problem: correct the files and preview again" in dialog.outcome.text()
    assert not dialog.import_button.isEnabled()
    assert dialog.import_now() is None
    assert window.controller.book.counts().patients == 0


def test_a_changed_choice_asks_for_a_new_preview(qtbot: QtBot, window: MainWindow, files: list[Path]) -> None:
    dialog = open_dialog(qtbot, window)
    preview(qtbot, dialog)
    assert dialog.import_button.isEnabled()
    dialog.file_list.setCurrentRow(1)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.files() == files[:1]
    assert not dialog.import_button.isEnabled()


def test_the_mapping_controls_are_for_redcap_only(
    qtbot: QtBot, window: MainWindow, files: list[Path]
) -> None:
    dialog = open_dialog(qtbot, window)
    assert not dialog.mapping.isEnabled()
    assert not dialog.mapping_button.isEnabled()
    if not importing.available(ImportFormat.REDCAP):
        pytest.skip("the REDCap reader (services/redcap.py) is not in this version yet")
    dialog.format.setCurrentIndex(dialog.format.findData(ImportFormat.REDCAP))
    assert dialog.mapping.isEnabled()
    assert dialog.mapping_button.isEnabled() is importing.mapping_editor_available()
    if not importing.mapping_editor_available():
        assert dialog.mapping_button.toolTip() == MAPPING_EDITOR_MISSING


@pytest.mark.demo
def test_a_redcap_export_is_previewed_and_its_mapping_editor_fills_the_mapping(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not (importing.available(ImportFormat.REDCAP) and importing.mapping_editor_available()):
        pytest.skip("the REDCap reader or its mapping editor is not in this version yet")
    book = window.controller.book
    written = exports.export_data(
        book, exports.ExportFormat.REDCAP, tmp_path / "redcap", identified=True
    ).written
    chosen = [str(p) for p in written if p.suffix == ".csv"]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (chosen, ""))
    window.actions_["import_data"].trigger()
    dialog = window.findChild(DataImportDialog)
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData(ImportFormat.REDCAP))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    shown = preview(qtbot, dialog)
    assert shown.plan.ok
    assert cells(dialog.counts)[0] == ["patients", "0", "0", "10"]  # the demo is this series: nothing new
    editor = dialog.edit_mapping()
    assert editor is not None
    editor.saved.emit(tmp_path / "project.yaml")
    assert dialog.mapping.text() == str(tmp_path / "project.yaml")
    assert not dialog.import_button.isEnabled()  # another mapping: preview again


def test_cancelling_the_preview_reads_nothing_further(
    qtbot: QtBot, window: MainWindow, files: list[Path]
) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.runner.progressed.connect(  # on the worker's thread: the reader sees the cancel at once
        lambda done, total, what: what.startswith("Reading") and dialog.runner.cancel(),
        Qt.ConnectionType.DirectConnection,
    )
    with qtbot.waitSignal(dialog.cancelled, timeout=60_000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome.text() == "Preview cancelled: nothing was imported."
    assert dialog.preview is None
    assert not dialog.import_button.isEnabled()
    assert dialog.preview_button.isEnabled()
