"""Questions the app asks in more than one place, and the keys every secondary window answers to."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

CLOSE_KEYS = ("Esc", "Ctrl+W")
TEXT_FIELDS = (
    QLineEdit,
    QAbstractSpinBox,
    QTextEdit,
    QPlainTextEdit,
)  # the widgets that take Ctrl+Z themselves


def confirm_identified(parent: QWidget | None, what: str) -> bool:
    """Ask before an export that carries identifiers; True if the user goes on."""
    answer = QMessageBox.question(
        parent,
        "Include identifiers?",
        f"This {what} will contain identifying information (names, record numbers, dates of birth, real "
        "dates or identifiable photos) and says so. Handle it as a patient record. Continue?",
    )
    return answer == QMessageBox.StandardButton.Yes


def close_with_keys(window: QWidget) -> None:
    """Escape and Ctrl+W close ``window`` (when it is a window of its own), wherever its focus is."""

    def close() -> None:
        if window.isWindow():
            window.close()

    for keys in CLOSE_KEYS:
        shortcut = QShortcut(QKeySequence(keys), window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(close)


class WindowKeysFirst(QObject):
    """Lets ``actions``' shortcuts win over the focused text field of ``window``.

    A text field takes Ctrl+Z for its own text (a ShortcutOverride), so Undo in the search box would
    undo the typing, not the last save. This filter, put on each text field of the window as it gets
    the focus, refuses that override for the actions' keys, so the window's action runs.
    """

    def __init__(self, window: QWidget, actions: list[QAction]) -> None:
        super().__init__(window)
        self.window, self.actions = window, actions
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if isinstance(new, TEXT_FIELDS) and new.window() is self.window:
            new.installEventFilter(self)  # once: installing it again only moves it to the front

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            keys = QKeySequence(event.keyCombination())
            return any(keys in action.shortcuts() for action in self.actions)
        return False


def fit_size(window: QWidget, width: int, height: int) -> None:
    """Resize to the preferred size, never beyond the screen's free area (a long form scrolls
    inside, and its Save and Cancel stay on the screen)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(width, height)
        return
    area = screen.availableGeometry()
    window.resize(min(width, area.width() - 24), min(height, area.height() - 48))  # room for the frame
