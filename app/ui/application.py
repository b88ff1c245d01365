"""Starting the desktop app: the QApplication, the database, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__, assets
from app.store.casebook import Casebook
from app.store.database import StorageError
from app.ui.controller import Controller
from app.ui.main_window import MainWindow


def make_application() -> QApplication:
    """The application object, reused when one exists (tests), with MyoCase's names and style."""
    QCoreApplication.setOrganizationName("MyoCase")
    QCoreApplication.setApplicationName("MyoCase")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")  # the same look on every platform; follows the system's light or dark palette
    icon = assets.resource("myocase.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def run(db_path: Path) -> int:
    """Open the database and show the main window until the user quits."""
    app = make_application()
    try:
        book = Casebook.open(db_path)
    except StorageError as exc:
        QMessageBox.critical(None, "MyoCase cannot open the database", str(exc))
        return 1
    controller = Controller(book)
    window = MainWindow(controller)
    if book.backup is not None:
        window.statusBar().showMessage(
            f"Database updated to this version; the previous copy is {book.backup}", 15000
        )
    window.show()
    try:
        return app.exec()
    finally:
        controller.close()
