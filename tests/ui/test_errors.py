"""Unexpected errors in the window are shown (Copy details) and kept in the log file; Ctrl+C ends the app
with one line and status 130."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from myocase import cli
from myocase.store.casebook import Casebook
from myocase.ui import application, recent
from myocase.ui.controller import Controller
from myocase.ui.errors import ErrorReporter
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "log"
    monkeypatch.setattr(cli, "log_folder", lambda: folder)
    yield folder
    cli.stop_logging()


@pytest.fixture
def reporter(window: MainWindow) -> Iterator[ErrorReporter]:
    installed = ErrorReporter(window)
    installed.install()
    yield installed
    installed.uninstall()


def test_an_exception_in_a_slot_is_shown_and_written_to_the_log(
    qtbot, window: MainWindow, log_dir: Path, reporter: ErrorReporter, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cli.configure_logging()

    def broken() -> None:
        raise RuntimeError("the demo writer broke")

    monkeypatch.setattr(window.controller, "load_demo", broken)
    qtbot.mouseClick(window.empty.demo_button, Qt.MouseButton.LeftButton)
    dialog = reporter.dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert not dialog.isModal()
    message = dialog.message.text()
    assert "the demo writer broke" in message
    assert "everything saved before is safe" in message
    assert str(log_dir / "myocase.log") in message
    assert "Traceback" not in message

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "Traceback" in copied
    assert "in broken" in copied
    assert "RuntimeError: the demo writer broke" in copied

    logged = (log_dir / "myocase.log").read_text(encoding="utf-8")
    assert "ERROR myocase.ui: Unexpected error" in logged
    assert "Traceback" in logged
    assert "RuntimeError: the demo writer broke" in logged

    qtbot.mouseClick(window.empty.demo_button, Qt.MouseButton.LeftButton)  # again, while it is open
    assert reporter.dialog is dialog
    assert "1 more error" in dialog.more.text()
    assert dialog.details.count("RuntimeError: the demo writer broke") == 2


def test_ctrl_c_while_the_app_runs_ends_it_with_one_line(
    qtbot, tmp_path: Path, log_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "series.sqlite"
    Casebook.open(db).close()

    def tracked(controller: Controller) -> MainWindow:  # the window the app opens, closed by qtbot after
        window = MainWindow(controller)
        qtbot.addWidget(window)
        return window

    monkeypatch.setattr(application, "MainWindow", tracked)
    before = signal.getsignal(
        signal.SIGINT
    )  # Python's own, or ignored when the run was started in the background
    QTimer.singleShot(300, lambda: signal.raise_signal(signal.SIGINT))  # fires inside the app's event loop
    assert cli.main(["--db", str(db)]) == 130
    assert capsys.readouterr().err == "myocase: interrupted\n"
    assert signal.getsignal(signal.SIGINT) is before  # put back
    assert recent.recent_databases() == [db.resolve()]  # the window opened it
