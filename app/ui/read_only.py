"""A series opened read-only in the main window: the banner that says so, and every write action and button
kept disabled whatever their own rules would enable; the network-share note of the status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from .main_window import MainWindow

# The main window's actions that write to the series (or replace it).
WRITE_ACTIONS = (
    "new_patient", "edit_patient", "delete_patient", "new_course", "new_assessment", "new_event", "add_photos",
    "demo", "settings", "report_settings", "restore",
)  # fmt: skip
BANNER_STYLE = "QLabel#ReadOnlyBanner { background: #fff3cd; color: #5c4400; border-bottom: 1px solid #e0c36c; padding: 6px 10px; }"


def banner_text(why: str) -> str:
    return (
        f"Opened read-only: {why} — changes cannot be saved. You can browse, analyse and export a report; to "
        "make changes, copy the series to a folder you can write to and open the copy."
    )


def network_note(kind: str) -> str:
    """The status bar's note for a series on a network share ("" on a local disk)."""
    return f"  ·  on a network share ({kind}): saved without the write-ahead log" if kind else ""


class WriteLock(QObject):
    """Keeps widgets and actions disabled while ``locked``; remembers what their owners last wanted, so that
    unlocking gives each back the state its own rules set (a Delete button without a selection stays off)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.locked = False
        self.widgets: list[QWidget] = []
        self.actions: list[QAction] = []
        self._wanted: dict[int, bool] = {}
        self._setting = False

    def guard(self, widgets: list[QWidget], actions: list[QAction]) -> None:
        for widget in widgets:
            widget.installEventFilter(self)
            self._wanted[id(widget)] = widget.isEnabled()
        for action in actions:
            self._wanted[id(action)] = action.isEnabled()
            action.changed.connect(lambda a=action: self._on_action_changed(a))
        self.widgets += widgets
        self.actions += actions

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.EnabledChange and not self._setting and isinstance(watched, QWidget):
            wanted = not watched.testAttribute(Qt.WidgetAttribute.WA_Disabled)
            self._wanted[id(watched)] = wanted
            if self.locked and wanted:
                self._set(watched, False)
        return False

    def _on_action_changed(self, action: QAction) -> None:
        if self._setting:
            return
        self._wanted[id(action)] = action.isEnabled()
        if self.locked and action.isEnabled():
            self._set(action, False)

    def _set(self, item: QWidget | QAction, enabled: bool) -> None:
        self._setting = True
        try:
            item.setEnabled(enabled)
        finally:
            self._setting = False

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        for item in [*self.widgets, *self.actions]:
            self._set(item, False if locked else self._wanted.get(id(item), True))


class ReadOnlyMode(QObject):
    """The main window's read-only state: call ``update()`` whenever another series is opened."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.banner = QLabel(objectName="ReadOnlyBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setAccessibleName("Read-only series")
        self.banner.hide()
        self.lock = WriteLock(self)
        view = window.patient_view
        buttons = [view.edit_patient_button, view.delete_patient_button, window.empty.add_button,
                   window.empty.demo_button, *(view.photos.buttons[n] for n in ("add", "details", "annotate", "delete"))]  # fmt: skip
        for tab in (view.courses, view.assessments, view.events):
            buttons += [tab.add_button, tab.edit_button, tab.delete_button]
        self.lock.guard(buttons, [window.actions_[name] for name in WRITE_ACTIONS])

    def update(self) -> None:
        why = self.window.controller.book.read_only
        self.banner.setText(banner_text(why))
        self.banner.setVisible(bool(why))
        self.lock.set_locked(bool(why))

    def note(self) -> str:
        """The status bar's words on how the series is opened: read-only, on a network share."""
        book = self.window.controller.book
        return ("  ·  READ-ONLY" if book.read_only else "") + network_note(book.network)
