"""The choice when someone else changed or deleted a record since the user opened it: field by field, what is
stored now (by whom, when) beside what the user typed; keep theirs, take what is stored, or cancel."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.conflicts import RecordConflict
from .dialogs import fit_size

NOT_RECORDED = "not recorded"


class Choice(Enum):
    KEEP_MINE = "keep mine"  # save what I typed over what is stored (a new save on the current version)
    TAKE_THEIRS = "take theirs"  # leave what is stored; my edits are dropped
    RECREATE = "re-create"  # the record was deleted: store mine as a new record
    DELETE_ANYWAY = "delete anyway"
    CANCEL = "cancel"  # back to the form (or the list), nothing written


def _choices(conflict: RecordConflict) -> list[tuple[Choice, str, str]]:
    """The buttons offered: choice, text, tooltip."""
    if conflict.deleting:
        return [
            (Choice.DELETE_ANYWAY, "Delete anyway", "Delete the record as it is stored now"),
            (Choice.CANCEL, "Keep the record", "Delete nothing"),
        ]
    if conflict.deleted and conflict.entity == "photo":  # its pixels went with it: nothing to re-create
        return [(Choice.TAKE_THEIRS, "Discard my edits", "Close; the photo stays deleted")]
    if conflict.deleted:
        return [
            (Choice.RECREATE, "Re-create it as new", "Store what you typed as a new record"),
            (Choice.TAKE_THEIRS, "Discard my edits", "Close the form; the record stays deleted"),
            (Choice.CANCEL, "Back to the form", "Keep the form open; nothing is saved"),
        ]
    return [
        (Choice.KEEP_MINE, "Keep mine", "Save what you typed over what is stored now"),
        (Choice.TAKE_THEIRS, "Take theirs", "Close the form and keep what is stored now"),
        (Choice.CANCEL, "Back to the form", "Keep the form open; nothing is saved"),
    ]


class ConflictDialog(QDialog):
    """Window-modal (``open()``); ``chosen(Choice)`` when a button is pressed (Esc: CANCEL)."""

    chosen = Signal(object)

    def __init__(self, conflict: RecordConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        name = conflict.entity.replace("_", " ")
        self.setWindowTitle(f"This {name} was {'deleted' if conflict.deleted else 'changed'} meanwhile")
        layout = QVBoxLayout(self)
        self.explanation = QLabel(self._explanation())
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        self.table = self._table()
        layout.addWidget(self.table)
        self.table.setVisible(self.table.rowCount() > 0)
        self.buttons: dict[Choice, QPushButton] = {}
        box = QDialogButtonBox()
        for choice, text, tip in _choices(conflict):
            button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
            self.buttons[choice] = button
        # Enter changes nothing: overwriting or deleting another editor's work takes a deliberate click
        default = self.buttons.get(Choice.CANCEL) or next(iter(self.buttons.values()))
        for button in self.buttons.values():
            button.setAutoDefault(button is default)  # (a focused button would take over as the default)
        default.setDefault(True)
        layout.addWidget(box)
        fit_size(self, 640, 360 if self.table.rowCount() else 160)

    def _explanation(self) -> str:
        conflict = self.conflict
        if conflict.deleting:
            return f"{conflict.explanation} What is stored now, beside what you saw:"
        if conflict.deleted:
            return f"{conflict.explanation} Your edits were not saved."
        return f"{conflict.explanation} Nothing of yours was saved yet. What is stored now, beside what you typed:"

    def _table(self) -> QTableWidget:
        from .history import field_label, value_text  # (the history window's modules load on first use)

        clashes = self.conflict.clashes()
        mine = "When you opened it" if self.conflict.deleting else "What you typed"
        table = QTableWidget(len(clashes), 3)
        table.setHorizontalHeaderLabels(["Field", f"Now stored ({self.conflict.writer})", mine])
        entity = self.conflict.entity
        for row, clash in enumerate(clashes):
            cells = (
                field_label(entity, clash.field),
                value_text(entity, clash.field, clash.stored) or NOT_RECORDED,
                value_text(entity, clash.field, clash.mine) or NOT_RECORDED,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        table.setWordWrap(True)
        table.setAccessibleName("Fields that differ")
        return table

    def _choose(self, choice: Choice) -> None:
        self.chosen.emit(choice)
        self.done(QDialog.DialogCode.Rejected if choice is Choice.CANCEL else QDialog.DialogCode.Accepted)

    def reject(self) -> None:  # Esc and the window's close button
        self.chosen.emit(Choice.CANCEL)
        super().reject()


def ask(parent: QWidget, conflict: RecordConflict, decide: Callable[[Choice], object]) -> ConflictDialog:
    """Show ``conflict`` over ``parent`` (window-modal, not blocking) and call ``decide`` with the choice."""
    dialog = ConflictDialog(conflict, parent)
    dialog.chosen.connect(decide)
    dialog.open()
    return dialog
