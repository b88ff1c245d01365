"""A graphics view whose own keys win over the window's shortcuts (Delete, arrows, Ctrl+Z inside a photo)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGraphicsView


class KeyedView(QGraphicsView):
    """Subclasses say in ``key_action`` what a key does here; such a key is taken before any
    window shortcut sees it, every other key goes on as usual."""

    def key_action(self, event: QKeyEvent) -> Callable[[], None] | None:
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self.key_action(event):  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self.key_action(event)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()
