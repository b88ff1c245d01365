"""Starting the desktop app: the QApplication, the database (the last one opened, by default), the main
window, and what happens to an unexpected error or a Ctrl+C."""

from __future__ import annotations

import gc
import logging
import sys
import time
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import __version__, assets
from ..store.casebook import Casebook
from ..store.database import StorageError
from . import recent
from .controller import Controller
from .errors import INTERRUPTED, ErrorReporter, interrupt_quits
from .main_window import MainWindow

log = logging.getLogger("myocase.ui")


def make_application() -> QApplication:
    """The application object, reused when one exists (tests), with MyoCase's names and style."""
    QCoreApplication.setOrganizationName("MyoCase")
    QCoreApplication.setApplicationName("MyoCase")
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("myocase")  # the dock and task bar match the window to myocase.desktop
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")  # the same look on every platform; follows the system's light or dark palette
    icon = assets.resource("myocase.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def _open(location: Path | str) -> Casebook:
    """A file, or a server URL (with the password the system keyring keeps for it, unless the URL has one)."""
    if isinstance(location, Path):
        return Casebook.open(location)
    from .server_dialog import connectable  # the keyring loads only for a server

    return Casebook.connect(connectable(location))


def open_start_database(location: Path | str | None, default: Path) -> tuple[Casebook, str]:
    """The database to start with: ``location`` if given, else the last one opened, else ``default``.

    Returns the book and a note for the status bar. A last database that cannot be opened any more
    is skipped (with the reason in the note); a ``location`` given explicitly is not.
    """
    if location is not None:
        return _open(location), ""
    last = next(iter(recent.recent_databases()), None)
    if last is not None:
        try:
            return Casebook.open(last, create=False), ""
        except StorageError as exc:  # moved, deleted, damaged, or from a newer MyoCase
            return Casebook.open(default), f"The last database could not be opened: {exc}"
    return Casebook.open(default), ""


class StartWatch(QObject):
    """The start, up to the main window's first paint. The collector stays off meanwhile (the start makes
    lasting objects only, and each collection would walk them all), then is back with the start's objects
    frozen out of its way; how long each step took is logged (shown with ``--debug``)."""

    GIVE_UP_MS = 10_000  # a window that does not paint (started minimised): the collector is back anyway

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[tuple[str, float]] = [("", time.perf_counter())]
        gc.disable()

    def step(self, name: str) -> None:
        self.steps.append((name, time.perf_counter()))

    def watch(self, window: QObject) -> None:
        window.installEventFilter(self)
        QTimer.singleShot(self.GIVE_UP_MS, self.stop)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.painted)  # once the whole window has painted
        return False

    def painted(self) -> None:
        self.step("first paint")
        self.stop()
        times = ", ".join(
            f"{name} +{1000 * (at - before):.0f} ms" for (_, before), (name, at) in pairwise(self.steps)
        )
        log.debug(
            "Start: %s; %.0f ms of processor time since the process began", times, 1000 * time.process_time()
        )

    def stop(self) -> None:
        if not gc.isenabled():
            gc.freeze()
            gc.enable()


def _start(
    location: Path | str | None, default: Path, start: StartWatch
) -> tuple[Controller, MainWindow] | None:
    try:
        book, note = open_start_database(location, default)
    except StorageError as exc:
        start.stop()
        QMessageBox.critical(None, "MyoCase cannot open the database", str(exc))
        return None
    start.step("database opened")
    controller = Controller(book)
    window = MainWindow(controller)
    start.step("window built")
    if book.backup is not None:
        note = f"Database updated to this version; the previous copy is {book.backup}"
    if note:
        window.statusBar().showMessage(note, 15000)
    return controller, window


def run(location: Path | str | None, default: Path) -> int:
    """Open the database and show the main window until the user quits (Ctrl+C: KeyboardInterrupt)."""
    app = make_application()
    start = StartWatch()
    try:
        started = _start(location, default, start)
    except BaseException:
        start.stop()
        raise
    if started is None:
        return 1
    controller, window = started
    reporter = ErrorReporter(window)
    reporter.install()
    start.watch(window)
    window.show()
    try:
        with interrupt_quits(app):
            status = app.exec()
    finally:
        start.stop()
        reporter.uninstall()
        controller.close()
    if status == INTERRUPTED:
        raise KeyboardInterrupt
    return status
