"""Export report from the window: one click writes into the report folder, Export as… asks, progress,
cancel, identifiers confirmed, and a confirmation that stays with Open and Show in folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from myocase.services import report
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.report.conftest import pdf_text
from tests.ui.conftest import Answers

DEMO_NAME = "SYNTHETIC_DEMO_upadacitinib_in_refractory_inflammatory_myositis"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile()) or True)
    return urls


@pytest.fixture
def no_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a file dialog was opened")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", refuse)


def export_once(qtbot, window: MainWindow) -> Path:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.exporter.finished, timeout=60_000) as blocker:
        qtbot.mouseClick(window.toolbar.widgetForAction(window.actions_["export"]), Qt.MouseButton.LeftButton)
    return Path(blocker.args[0])


@pytest.mark.sqlite_only("the report goes beside the database file")
@pytest.mark.demo
def test_one_click_writes_beside_the_database_and_never_replaces(
    qtbot, window: MainWindow, db_path: Path, opened, no_dialog
) -> None:  # type: ignore[no-untyped-def]
    first = export_once(qtbot, window)
    today = date.today().isoformat()
    assert first == db_path.parent / f"{DEMO_NAME}_report_{today}.pdf"
    kept = first.read_bytes()
    assert "De-identified" in pdf_text(first)
    assert "Quillfeather" not in pdf_text(first)
    second = export_once(qtbot, window)
    assert second == db_path.parent / f"{DEMO_NAME}_report_{today}_2.pdf"
    assert second.exists()
    assert first.read_bytes() == kept  # the older report is untouched
    assert opened == []  # nothing opens by itself


@pytest.mark.demo
def test_the_confirmation_stays_and_opens_the_file_or_its_folder(
    qtbot, window: MainWindow, tmp_path: Path, opened, no_dialog
) -> None:  # type: ignore[no-untyped-def]
    written = export_once(qtbot, window)
    notice = window.exporter.notice
    assert notice.isVisible()
    assert str(written) in notice.text()
    assert "de-identified" in notice.text()
    window.statusBar().showMessage("Assessment saved", 100)  # the status bar moves on; the notice does not
    qtbot.mouseClick(notice.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(notice.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(written), str(written.parent)]
    assert notice.isVisible()
    qtbot.mouseClick(notice.dismiss_button, Qt.MouseButton.LeftButton)
    assert not notice.isVisible()


@pytest.mark.demo
def test_export_as_asks_where_and_remembers_the_folder(
    qtbot, window: MainWindow, tmp_path: Path, opened, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "reports" / "series"
    target.parent.mkdir()
    proposed: list[str] = []

    def ask(parent, title, start, *a, **k):  # type: ignore[no-untyped-def]
        proposed.append(start)
        return str(target), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    with qtbot.waitSignal(window.exporter.finished, timeout=60_000) as blocker:
        window.actions_["export_as"].trigger()
    written = Path(blocker.args[0])
    assert written == tmp_path / "reports" / "series.pdf"
    assert written.exists()
    assert Path(proposed[0]).name.startswith(f"{DEMO_NAME}_report_")
    assert QSettings().value("last_report_folder") == str(tmp_path / "reports")
    assert window.exporter.notice.isVisible()


@pytest.mark.demo
def test_identified_export_asks_first_and_says_so_in_its_name(
    qtbot, window: MainWindow, db_path: Path, opened, answers: Answers, no_dialog
) -> None:  # type: ignore[no-untyped-def]
    answers.reply = QMessageBox.StandardButton.No
    assert not window.export_report(identified=True)
    assert "names, record numbers" in answers.questions[-1]
    assert not list(db_path.parent.glob("*.pdf"))
    answers.reply = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(window.exporter.finished, timeout=60_000) as blocker:
        window.actions_["export_identified"].trigger()
    written = Path(blocker.args[0])
    assert written.name.endswith("_IDENTIFIED.pdf")
    assert "CONTAINS IDENTIFIERS" in pdf_text(written)
    assert "WITH IDENTIFIERS" in window.exporter.notice.text()


@pytest.mark.sqlite_only("looks for the report beside the database file")
@pytest.mark.demo
def test_cancel_leaves_no_file(qtbot, window: MainWindow, db_path: Path, opened, no_dialog) -> None:  # type: ignore[no-untyped-def]
    window.exporter.runner.progressed.connect(lambda done, total, what: window.exporter.runner.cancel())
    with qtbot.waitSignal(window.exporter.cancelled, timeout=60_000):
        assert window.export_report()
    assert list(db_path.parent.glob("*.pdf*")) == []
    assert opened == []
    assert not window.exporter.notice.isVisible()


@pytest.mark.demo
def test_report_settings_are_stored_with_the_folder(
    qtbot, window: MainWindow, tmp_path: Path, opened, no_dialog
) -> None:  # type: ignore[no-untyped-def]
    form = window.edit_report_settings()
    form.report_title.setText("JAK inhibitors in refractory DM")
    form.authors.setText("A. Author, B. Author")
    qtbot.keyClicks(form.folder.line, str(tmp_path / "out"))
    form.save()
    options = report.load_options(window.controller.book)
    assert (options.title, options.authors) == ("JAK inhibitors in refractory DM", "A. Author, B. Author")
    assert export_once(qtbot, window).parent == tmp_path / "out"
    window.actions_["undo"].trigger()  # the settings, folder included, in one step
    assert report.load_options(window.controller.book).authors == ""
    assert window.edit_report_settings().folder.text() == ""


def test_a_relative_folder_is_refused_at_the_field(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    form = window.edit_report_settings()
    qtbot.keyClicks(form.folder.line, "reports")
    assert not form.save_button.isEnabled()
    assert "whole path" in form.errors["folder"].text()
