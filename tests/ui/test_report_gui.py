"""Export report from the window: where to save, progress, cancel, identifiers confirmed, file opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.ui.main_window import MainWindow
from tests.report.conftest import pdf_text
from tests.ui.conftest import Answers


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile()) or True)
    return urls


def test_export_writes_opens_and_remembers_the_folder(
    qtbot, window: MainWindow, tmp_path: Path, opened, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window.controller.load_demo()
    target = tmp_path / "reports" / "series"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF (*.pdf)"))
    with qtbot.waitSignal(window.exporter.finished, timeout=60_000) as blocker:
        assert window.export_report()
    written = Path(blocker.args[0])
    assert written == tmp_path / "reports" / "series.pdf" and written.exists()
    assert opened == [str(written)]
    assert "De-identified" in pdf_text(written) and "Quillfeather" not in pdf_text(written)
    from PySide6.QtCore import QSettings

    assert QSettings().value("last_report_folder") == str(tmp_path / "reports")


def test_identified_export_asks_first(
    qtbot, window: MainWindow, tmp_path: Path, opened, answers: Answers, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window.controller.load_demo()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "named.pdf"), ""))
    answers.reply = QMessageBox.StandardButton.No
    assert not window.export_report(identified=True)
    assert "names, record numbers" in answers.questions[-1] and not (tmp_path / "named.pdf").exists()
    answers.reply = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(window.exporter.finished, timeout=60_000):
        assert window.export_report(identified=True)
    assert "CONTAINS IDENTIFIERS" in pdf_text(tmp_path / "named.pdf")


def test_cancel_leaves_no_file(qtbot, window: MainWindow, tmp_path: Path, opened, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window.controller.load_demo()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "gone.pdf"), ""))
    window.exporter.runner.progressed.connect(lambda done, total, what: window.exporter.runner.cancel())
    with qtbot.waitSignal(window.exporter.cancelled, timeout=60_000):
        assert window.export_report()
    assert list(tmp_path.glob("*.pdf*")) == [] and opened == []


def test_report_settings_are_stored(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    form = window.edit_report_settings()
    form.report_title.setText("JAK inhibitors in refractory DM")
    form.authors.setText("A. Author, B. Author")
    form.save()
    from app.services import report

    options = report.load_options(window.controller.book)
    assert (options.title, options.authors) == ("JAK inhibitors in refractory DM", "A. Author, B. Author")
