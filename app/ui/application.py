"""Starting the desktop app: the QApplication, the database (the last one opened, by default), the main
window, and what happens to an unexpected error or a Ctrl+C."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import __version__, assets
from ..store.casebook import Casebook
from ..store.database import StorageError
from . import recent
from .controller import Controller
from .errors import INTERRUPTED, ErrorReporter, interrupt_quits
from .main_window import MainWindow


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
    return Casebook.connect(location) if isinstance(location, str) else Casebook.open(location)


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


def run(location: Path | str | None, default: Path) -> int:
    """Open the database and show the main window until the user quits (Ctrl+C: KeyboardInterrupt)."""
    app = make_application()
    try:
        book, note = open_start_database(location, default)
    except StorageError as exc:
        QMessageBox.critical(None, "MyoCase cannot open the database", str(exc))
        return 1
    controller = Controller(book)
    window = MainWindow(controller)
    if book.backup is not None:
        note = f"Database updated to this version; the previous copy is {book.backup}"
    if note:
        window.statusBar().showMessage(note, 15000)
    reporter = ErrorReporter(window)
    reporter.install()
    window.show()
    try:
        with interrupt_quits(app):
            status = app.exec()
    finally:
        reporter.uninstall()
        controller.close()
    if status == INTERRUPTED:
        raise KeyboardInterrupt
    return status
