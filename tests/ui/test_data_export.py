"""File → Export data…: format, identifiers (asked first), patients, folder, progress with cancel, and the
files it writes."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from myocase.services.exports import ExportFormat, available
from myocase.ui.data_export import DataExportDialog
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDesktopServices, QStandardItemModel
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import Answers


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the folder dialog (answered here) says to write."""
    target = tmp_path / "exports"
    monkeypatch.setattr("myocase.ui.figures.export.folder_dialog", lambda *args: str(target))
    return target


def open_dialog(qtbot, window: MainWindow, folder: Path, fmt: ExportFormat) -> DataExportDialog:  # type: ignore[no-untyped-def]
    window.actions_["export_data"].trigger()
    dialog = window.findChild(DataExportDialog)
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.folder.text() == str(folder)
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))
    return dialog


def export(qtbot, dialog: DataExportDialog):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.written, timeout=60_000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.demo
def test_export_writes_deidentified_csv_files(qtbot, window: MainWindow, folder: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window, folder, ExportFormat.CSV)
    result = export(qtbot, dialog)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in result.written)
    assert len(names) == 10
    patients = _rows(next(folder.glob("*-patients.csv")))
    assert len(patients) == 10
    assert "full_name" not in patients[0]
    assert not [n for n in names if "IDENTIFIED" in n]
    assert "10 files written, de-identified" in dialog.outcome.text()
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    qtbot.mouseClick(dialog.show_folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(folder)]
    assert "Data exported: 10 files" in window.statusBar().currentMessage()


@pytest.mark.demo
def test_identifiers_are_asked_for_and_said_in_every_file(
    qtbot, window: MainWindow, folder: Path, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window, folder, ExportFormat.XLSX)
    answers.reply = QMessageBox.StandardButton.No
    qtbot.mouseClick(dialog.identified, Qt.MouseButton.LeftButton)
    assert not dialog.identified.isChecked()
    assert "names, record numbers" in answers.questions[-1]
    answers.reply = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(dialog.identified, Qt.MouseButton.LeftButton)
    assert dialog.identified.isChecked()
    result = export(qtbot, dialog)
    (written,) = result.written
    assert written.name.endswith("-IDENTIFIED.xlsx")
    sheet = openpyxl.load_workbook(written)["patients"]
    header = [c.value for c in sheet[1]]
    assert "full_name" in header
    assert "identified_export" in header
    assert "IDENTIFIED" in dialog.outcome.text()


@pytest.mark.demo
def test_only_the_ticked_patients(qtbot, window: MainWindow, folder: Path, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window, folder, ExportFormat.CSV)
    radio = dialog.chosen_patients
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))  # on its circle
    assert dialog.patient_list.isEnabled()
    assert not dialog.export()  # none ticked yet
    assert "Tick at least one patient" in answers.questions[-1]
    assert not folder.exists()
    for row in (1, 3):
        rect = dialog.patient_list.visualItemRect(dialog.patient_list.item(row))
        tick = QPoint(rect.left() + rect.height() // 2 + 2, rect.center().y())  # on the item's check box
        qtbot.mouseClick(dialog.patient_list.viewport(), Qt.MouseButton.LeftButton, pos=tick)
    assert dialog.study_ids() == ["DEMO-02", "DEMO-04"]
    export(qtbot, dialog)
    patients = _rows(next(folder.glob("*-patients.csv")))
    assert [p["study_id"] for p in patients] == ["DEMO-02", "DEMO-04"]


@pytest.mark.demo
def test_cancel_writes_nothing(qtbot, window: MainWindow, folder: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window, folder, ExportFormat.SPSS)
    stop_at = "Writing medication courses"  # once the first files are written
    dialog.runner.progressed.connect(  # on the worker's thread: the export sees the cancel at once
        lambda done, total, what: what == stop_at and dialog.runner.cancel(),
        Qt.ConnectionType.DirectConnection,
    )
    with qtbot.waitSignal(dialog.cancelled, timeout=60_000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert list(folder.iterdir()) == []  # not the files written before the cancel, nor their staging folder
    assert "no file was written" in dialog.outcome.text()
    assert dialog.export_button.isEnabled()


def test_a_format_this_version_cannot_write_is_offered_disabled(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = window.export_data()
    model = dialog.format.model()
    assert isinstance(model, QStandardItemModel)
    redcap = model.item(dialog.format.findData(ExportFormat.REDCAP))
    assert redcap.isEnabled() is available(ExportFormat.REDCAP)
    assert window.export_data() is dialog  # one dialog per window
