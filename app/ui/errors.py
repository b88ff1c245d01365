"""Unexpected errors in the window: logged with their traceback, shown in plain words with Copy details;
Ctrl+C in the terminal ends the app quietly."""

from __future__ import annotations

import logging
import signal
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.numbers import plural
from .dialogs import fit_size

log = logging.getLogger("myocase.ui")

INTERRUPTED = 130  # the exit status of a program ended by Ctrl+C


def log_file() -> Path | None:
    """The rotating log file unexpected errors are written to, if logging to a file is set up."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def plain_message(error: BaseException, where: Path | None) -> str:
    kept = f"The details were written to {where}." if where else "The details are below (Copy details)."
    return (
        f"MyoCase ran into a problem it did not expect: {error or type(error).__name__}.\n\n"
        "What you were doing may not have finished; everything saved before is safe in the database. "
        f"Check the last change you made.\n\n{kept} If it happens again, send them to whoever supports "
        "MyoCase (look through them first: they may quote text you typed)."
    )


class ErrorDialog(QDialog):
    """Not modal: the window stays usable. A later error while it is open is added to it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("MyoCase: unexpected error")
        self.details = ""
        self.count = 0
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.more = QLabel()
        self.more.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Copy the error and its traceback, to paste into a message")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.more)
        layout.addWidget(buttons)
        fit_size(self, 560, 240)

    def clear(self) -> None:
        self.details, self.count = "", 0
        self.more.hide()
        self.copy_button.setText("Copy details")

    def add(self, message: str, details: str) -> None:
        self.count += 1
        if self.count == 1:
            self.message.setText(message)
        else:
            self.more.setText(f"{plural(self.count - 1, 'more error')} since; Copy details copies them all.")
            self.more.show()
        self.details += ("\n" if self.details else "") + details

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")


class ErrorReporter(QObject):
    """``sys.excepthook`` for the GUI: logs each uncaught exception and shows it in an ``ErrorDialog``.

    An exception raised on a worker thread is shown on the GUI thread (the ``reported`` signal crosses).
    """

    reported = Signal(str, str)  # message, details

    def __init__(self, window: QWidget | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: ErrorDialog | None = None
        self._previous = sys.excepthook
        self.reported.connect(self._show)

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self.excepthook

    def uninstall(self) -> None:
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous

    def excepthook(
        self, kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.exit(INTERRUPTED)
            return
        log.error("Unexpected error", exc_info=(kind, error, trace))
        details = "".join(traceback.format_exception(kind, error, trace))
        self.reported.emit(plain_message(error, log_file()), details)

    def _show(self, message: str, details: str) -> None:
        if self.dialog is None:
            self.dialog = ErrorDialog(self.window)
        if not self.dialog.isVisible():
            self.dialog.clear()
        self.dialog.add(message, details)
        self.dialog.show()
        self.dialog.raise_()


@contextmanager
def interrupt_quits(app: QApplication) -> Iterator[None]:
    """While inside, Ctrl+C in the terminal ends the event loop with status ``INTERRUPTED``.

    Python runs its signal handler only between Python statements, so a timer lets it in a few times
    a second. The previous handler is put back on the way out.
    """
    previous = signal.signal(signal.SIGINT, lambda *_: app.exit(INTERRUPTED))
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    try:
        yield
    finally:
        timer.stop()
        timer.deleteLater()
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
