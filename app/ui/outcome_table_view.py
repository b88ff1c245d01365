"""Table 2 on screen: the spec's title and rows in a sortable table, the summary row kept last, in bold and
spanned over the columns the PDF spans it over."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from ..domain.outcome_table import COLUMNS, CellKind, OutcomeTable, Row, SortKey
from .models import SORT_ROLE, Column, Index, RecordTableModel
from .record_tab import make_table

SPAN_SLACK = 8  # px: a spanned cell loses grid lines and margins to its text; its size hint does not say so


def outcome_columns() -> list[Column[Row]]:
    """Table 2's columns, as the spec names and explains them; numbers sort as numbers, dates as dates."""

    def column(n: int) -> Column[Row]:
        def text(row: Row) -> str:
            return row.cells[n]

        def key(row: Row) -> SortKey:
            return row.keys[n]

        return Column(COLUMNS[n].header, text, key, COLUMNS[n].help, COLUMNS[n].kind is CellKind.NUMBER)

    return [column(n) for n in range(len(COLUMNS))]


class OutcomeModel(RecordTableModel[Row]):
    """Table 2's rows: the patients, then the summary row in bold."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        summary = index.isValid() and self.rows[index.row()].patient_id is None
        if summary and role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if summary and role == Qt.ItemDataRole.TextAlignmentRole:  # a median (IQR) reads from its left
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


class SummaryLast(QSortFilterProxyModel):
    """Sorts the patients by the column clicked; the summary row stays at the bottom in either order."""

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, OutcomeModel)
        left_summary = model.record_at(left.row()).patient_id is None
        right_summary = model.record_at(right.row()).patient_id is None
        if left_summary or right_summary:
            return right_summary if self.sortOrder() == Qt.SortOrder.AscendingOrder else left_summary
        return super().lessThan(left, right)


class OutcomeTableView(QWidget):
    """Lays out an ``OutcomeTable``. Signals: ``patient_chosen(int)`` when a patient's row is double-clicked."""

    patient_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)  # a long measure name never widens the window
        self.title.setStyleSheet("font-weight: bold")
        self.title.setAccessibleName("Table title")
        self.model = OutcomeModel(outcome_columns())
        self.table, plain = make_table(self.model)
        self.table.setAccessibleName("Patients analysed")
        # fitted by _fit_columns: resizing to contents alone would cut the summary cells spanning two columns
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.proxy = SummaryLast(self.table)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table.setModel(self.proxy)
        plain.deleteLater()
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        self.table.doubleClicked.connect(self._on_double_clicked)

    def show_spec(self, spec: OutcomeTable) -> None:
        """Its title, the patients' rows, and the summary row with its cells spanned."""
        self.title.setText(spec.title)
        self.model.set_rows([*spec.rows, spec.summary])
        self.table.clearSpans()
        last = self.proxy.rowCount() - 1
        for first, end in spec.spans:
            if end > first:
                self.table.setSpan(last, first, 1, end - first + 1)
        self._fit_columns(spec.spans, last)

    def _fit_columns(self, spans: Sequence[tuple[int, int]], summary: int) -> None:
        """Each column as wide as its header and the patients' cells; a summary cell that does not fit the
        columns it spans widens the last of them."""

        def width(row: int, column: int) -> int:
            return self.table.sizeHintForIndex(self.proxy.index(row, column)).width()

        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            cells = [width(row, column) for row in range(summary)]
            self.table.setColumnWidth(column, max([header.sectionSizeHint(column), *cells]))
        for first, end in spans:
            have = sum(self.table.columnWidth(n) for n in range(first, end + 1))
            extra = max(0, width(summary, first) + SPAN_SLACK - have)
            self.table.setColumnWidth(end, self.table.columnWidth(end) + extra)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        patient = self.model.record_at(self.proxy.mapToSource(index).row()).patient_id
        if patient is not None:  # not the summary row
            self.patient_chosen.emit(patient)
