"""A tab listing one kind of record with Add, Edit and Delete, and a helpful empty state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .models import SORT_ROLE, Column, RecordTableModel


class RecordTable(QTableView):
    """Enter edits the current row, Delete deletes it. Signals: ``edit_requested``, ``delete_requested``."""

    edit_requested = Signal()
    delete_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.edit_requested.emit()
        elif event.key() == Qt.Key.Key_Delete:
            self.delete_requested.emit()
        else:
            super().keyPressEvent(event)


def _set_up(table: QTableView, sort_column: int) -> None:
    """Sortable, read-only, one row selected at a time, columns fitting their contents."""
    table.setSortingEnabled(True)
    table.sortByColumn(sort_column, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)


def make_table(
    model: RecordTableModel[Any], sort_column: int = 0
) -> tuple[RecordTable, QSortFilterProxyModel]:
    """A sortable read-only table over ``model`` through a proxy that filters (and sorts in Qt); Qt parents
    keep the models alive as long as the table."""
    table = RecordTable()
    proxy = QSortFilterProxyModel(table)
    model.setParent(table)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    table.setModel(proxy)
    _set_up(table, sort_column)
    return table, proxy


def record_table(model: RecordTableModel[Any], sort_column: int = 0) -> RecordTable:
    """A sortable read-only table straight over ``model``, which sorts its rows itself (each row's key once,
    kept for the next rows): no proxy between the view and the rows, so a patient's tables fill fast."""
    table = RecordTable()
    model.setParent(table)
    table.setModel(model)
    _set_up(table, sort_column)
    return table


class RecordTab(QWidget):
    """Signals: ``add_requested()``, ``edit_requested(record)``, ``delete_requested(record)``."""

    add_requested = Signal()
    edit_requested = Signal(object)
    delete_requested = Signal(object)

    def __init__(
        self, noun: str, columns: Sequence[Column[Any]], shortcut: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.noun = noun
        self.model: RecordTableModel[Any] = RecordTableModel(columns)
        self.table = record_table(self.model)
        self.table.setAccessibleName(f"{noun.capitalize()}s")
        self.empty = QLabel(f"No {noun}s recorded yet.\nAdd the first with “Add {noun}” ({shortcut}).")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.buttons = buttons = QHBoxLayout()
        self.add_button = self._button(f"Add {noun}…", f"Add a {noun} ({shortcut})", self.add_requested.emit)
        self.edit_button = self._button("Edit…", f"Edit the selected {noun} (Enter)", self._edit)
        self.delete_button = self._button(
            "Delete…", f"Delete the selected {noun} (Delete; Ctrl+Z undoes)", self._delete
        )
        for button in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.stack, 1)
        self.table.doubleClicked.connect(self._edit)
        self.table.edit_requested.connect(self._edit)
        self.table.delete_requested.connect(self._delete)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def extra_button(self, text: str, tip: str, slot: Callable[[], None]) -> QPushButton:
        """An extra action beside Add, Edit and Delete."""
        button = self._button(text, tip, slot)
        self.buttons.insertWidget(self.buttons.count() - 1, button)  # before the stretch
        return button

    def _button(self, text: str, tip: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(slot)
        return button

    def set_rows(self, rows: Sequence[Any]) -> None:
        selected = self.selected()
        self.model.set_rows(rows)
        self.stack.setCurrentWidget(self.table if rows else self.empty)
        if selected is not None:
            self.select(lambda r: getattr(r, "id", None) == getattr(selected, "id", None))
        self._update_buttons()

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.record_at(rows[0].row())

    def select(self, predicate: Callable[[Any], bool]) -> None:
        row = self.model.row_of(predicate)
        if row is not None:
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def _edit(self) -> None:
        if (record := self.selected()) is not None:
            self.edit_requested.emit(record)

    def _delete(self) -> None:
        if (record := self.selected()) is not None:
            self.delete_requested.emit(record)
