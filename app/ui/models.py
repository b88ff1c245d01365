"""Qt item models over frozen records: the patient list (with its filters) and the record tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from ..domain.measures import MEASURES, ULN_SUFFIX, Measure, TableColumn, tabled
from ..domain.numbers import readable, shown
from ..domain.records import AdverseEvent, Assessment, IndexStatus, MedicationCourse, PatientSummary
from ..domain.scores import SeverityBands
from ..domain.vocab import CTCAE_GRADES

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
_DISPLAY, _TOOLTIP = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole)
_ROLES = frozenset(
    {_DISPLAY, int(SORT_ROLE), int(RECORD_ROLE), _TOOLTIP, int(Qt.ItemDataRole.TextAlignmentRole)}
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    text: Callable[[T], str]
    sort: Callable[[T], Any] | None = None
    tip: str = ""
    numeric: bool = False
    cell_tip: Callable[[T], str] | None = None  # a cell's tooltip (default: its whole text)


def _sortable(value: Any) -> float | str:
    """A key Qt can compare: numbers and dates as numbers (never as text), empty values first."""
    if value is None:
        return float("-inf")
    if isinstance(value, date):
        return float(value.toordinal())
    if isinstance(value, (int, float)):
        return float(value)
    return str(value).casefold()


def _sort_key(column: Column[T], row: T) -> float | str:
    return _sortable(column.sort(row)) if column.sort else column.text(row).casefold()


class RecordTableModel(QAbstractTableModel, Generic[T]):
    """A read-only table of frozen records described by ``Column``s."""

    def __init__(self, columns: Sequence[Column[T]], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self.rows: list[T] = []
        # each shown row's cells, made once per row (a view asks for them often)
        self._texts: dict[int, list[str]] = {}
        self.version = 0  # moves whenever ``rows`` is replaced or reordered
        self.sorted_by: tuple[int, Qt.SortOrder] | None = None  # kept by ``set_rows`` once ``sort`` is used

    @property
    def columns(self) -> list[Column[T]]:
        return self._columns

    @columns.setter
    def columns(self, columns: Sequence[Column[T]]) -> None:
        self._columns = list(columns)
        self._texts = {}

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self.rows = [rows[n] for n in self._order(rows)]
        self._texts = {}
        self.version += 1
        self.endResetModel()

    def _order(self, rows: Sequence[T]) -> Sequence[int]:
        """The rows' positions in the order ``sorted_by`` asks for."""
        if self.sorted_by is None:
            return range(len(rows))
        column, order = self.sorted_by
        keys = [_sort_key(self.columns[column], r) for r in rows]
        return sorted(range(len(rows)), key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Rows in the order of ``column``'s sort keys, each computed once (stable; views keep their
        selection): for a proxy that only filters, so that the order is not recomputed in Qt per change."""
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self.sorted_by = (column, order)
        moved = self._order(self.rows)  # new row → old row
        self.rows = [self.rows[n] for n in moved]
        self._texts = {}
        new_row = {old: new for new, old in enumerate(moved)}
        before = self.persistentIndexList()
        self.changePersistentIndexList(
            before, [self.index(new_row[i.row()], i.column()) if i.isValid() else i for i in before]
        )
        self.version += 1
        self.layoutChanged.emit()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():  # a view asks for many roles per cell: answer fast
            return None
        if role == _DISPLAY:
            return self.text_at(index.row(), index.column())
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == SORT_ROLE:
            return _sort_key(column, row)
        if role == RECORD_ROLE:
            return row
        if role == _TOOLTIP:  # a narrow column never hides text without a tooltip
            return (
                column.cell_tip(row) if column.cell_tip else self.text_at(index.row(), index.column())
            ) or None
        return _RIGHT if column.numeric else None  # the alignment

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tip or None
        return None

    def text_at(self, row: int, column: int) -> str:
        """The cell's text (each row's texts made once, when first shown)."""
        texts = self._texts.get(row)
        if texts is None:
            record = self.rows[row]
            texts = self._texts[row] = [c.text(record) for c in self.columns]
        return texts[column]

    def record_at(self, row: int) -> T:
        return self.rows[row]

    def row_of(self, predicate: Callable[[T], bool]) -> int | None:
        return next((n for n, r in enumerate(self.rows) if predicate(r)), None)


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


PATIENT_COLUMNS: list[Column[PatientSummary]] = [
    Column("Study ID", lambda p: p.study_id),
    Column("Subtype", lambda p: p.subtype.value, tip="Diagnosis subtype"),
    Column("Antibodies", lambda p: ", ".join(p.positive_antibodies), tip="Positive autoantibodies"),
    Column(
        "Current drugs",
        lambda p: ", ".join(p.current_drugs),
        tip="On treatment at the data cut-off, JAK inhibitors first",
        cell_tip=lambda p: "On treatment at the data cut-off: " + (", ".join(p.current_drugs) or "none"),
    ),
    Column("Last assessment", lambda p: _date(p.last_assessment), lambda p: p.last_assessment),
    Column("Visits", lambda p: str(p.assessments), lambda p: p.assessments, "Number of assessments", True),
]


def course_columns() -> list[Column[MedicationCourse]]:
    return [
        Column("Drug", lambda c: c.drug),
        Column("Class", lambda c: c.drug_class.label),
        Column("Dose", lambda c: c.dose_text),
        Column("Start", lambda c: str(c.start), lambda c: c.start.earliest()),
        Column(
            "Stop",
            lambda c: str(c.stop) if c.stop else "ongoing",
            lambda c: c.stop.earliest() if c.stop else date.max,
        ),
        Column("Reason stopped", lambda c: c.stop_reason.label if c.stop_reason else ""),
    ]


def _measure_cell(measure: Measure) -> Callable[[Assessment], str]:
    """The value; "/ maximum" when the measure has one; its multiple of the upper limit of normal."""
    field = measure.field

    def text(a: Assessment) -> str:
        value = getattr(a, field)
        if value is None:
            return ""
        if measure.maximum:
            return f"{value}/{getattr(a, measure.maximum)}"
        uln = getattr(a, field + ULN_SUFFIX) if measure.uln else None
        return readable(value) + (f" ({shown(value / uln, 1)}× ULN)" if uln else "")

    return text


def _measure_column(measure: Measure, column: TableColumn) -> Column[Assessment]:
    tip = column.tip or f"{measure.label}, {measure.range_text}"
    return Column(measure.short, _measure_cell(measure), lambda a: getattr(a, measure.field), tip, True)


def assessment_columns(
    bands: SeverityBands, measures: Sequence[Measure] = MEASURES
) -> list[Column[Assessment]]:
    """The date, then a column for each measure the registry gives one, in registry order."""

    def severity(a: Assessment) -> str:
        return "" if a.cdasi_activity is None else bands.of(a.cdasi_activity).value

    band_tip = f"CDASI activity band: mild ≤ {bands.mild_max}, moderate ≤ {bands.moderate_max}"
    columns: list[Column[Assessment]] = [
        Column("Date", lambda a: a.assessed_on.isoformat(), lambda a: a.assessed_on)
    ]
    for measure, column in tabled(measures):
        columns.append(_measure_column(measure, column))
        if column.severity:
            columns.append(Column("Severity", severity, tip=band_tip))
    return columns


def event_columns() -> list[Column[AdverseEvent]]:
    return [
        Column("Onset", lambda e: e.onset.isoformat(), lambda e: e.onset),
        Column("Event", lambda e: e.term),
        Column(
            "Grade", lambda e: f"{e.grade} – {CTCAE_GRADES[e.grade]}", lambda e: e.grade, "CTCAE v5 grade"
        ),
        Column("Serious", lambda e: "yes" if e.serious else "no"),
        Column("Suspected drug", lambda e: e.suspected_drug),
        Column("Action", lambda e: e.action.label),
        Column("Outcome", lambda e: e.outcome.label),
        Column("Resolved", lambda e: _date(e.resolution), lambda e: e.resolution),
    ]


@dataclass(frozen=True)
class PatientFilters:
    """What the patient list shows: study IDs containing ``text``, and each chosen value (None: any)."""

    text: str = ""
    subtype: str | None = None
    antibody: str | None = None
    drug: str | None = None  # any drug ever received
    status: IndexStatus | None = None  # with the index drug, at the data cut-off

    @cached_property
    def needle(self) -> str:
        return self.text.strip().casefold()

    def narrows(self, previous: PatientFilters) -> bool:
        """Every patient these filters accept, ``previous`` accepted too (so only its rows need a check)."""
        return previous.needle in self.needle and all(
            getattr(previous, name) in (None, getattr(self, name))
            for name in ("subtype", "antibody", "drug", "status")
        )

    def accepts(self, summary: PatientSummary, key: str | None = None) -> bool:
        """``key``: the study ID already case-folded (the list keeps one per row)."""
        return (
            (not self.needle or self.needle in (key if key is not None else summary.study_id.casefold()))
            and (self.subtype is None or summary.subtype.value == self.subtype)
            and (self.antibody is None or self.antibody in summary.positive_antibodies)
            and (self.drug is None or self.drug in summary.drugs_ever)
            and (self.status is None or summary.status is self.status)
        )


class PatientFilterModel(QSortFilterProxyModel):
    """Filters the patient list (``PatientFilters``) and never sorts: sorting is the source model's, once per
    header click, not per typed key. Each row's verdict is worked out in Python when the filters or the rows
    change; text typed on narrows the previous result, so only the rows shown are checked again."""

    def __init__(self, source: RecordTableModel[PatientSummary], parent: Any = None) -> None:
        super().__init__(parent)
        self.filters = PatientFilters()
        self.source = source
        self._version = -1  # the source rows the verdicts below are for
        self._keys: list[str] = []  # each row's study ID, case-folded
        self._shown: list[int] = []  # the rows the filters accept, in source order
        self._accepted = bytearray()
        self.setSourceModel(source)

    def _follow_rows(self) -> None:
        """Verdicts for new or reordered source rows."""
        rows = self.source.rows
        self._version = self.source.version
        self._keys = [s.study_id.casefold() for s in rows]
        self._judge(range(len(rows)))

    def _judge(self, candidates: Sequence[int]) -> None:
        rows, accepts, keys = self.source.rows, self.filters.accepts, self._keys
        if self.filters == PatientFilters():  # nothing chosen: every row, unchecked
            self._shown = list(candidates)
        else:
            self._shown = [n for n in candidates if accepts(rows[n], keys[n])]
        self._accepted = bytearray(len(rows))
        for n in self._shown:
            self._accepted[n] = 1

    def set_filters(self, filters: PatientFilters) -> None:
        """Show the rows ``filters`` accept (only the rows shown are checked when ``filters`` narrow the
        current ones; the order stays)."""
        self.beginFilterChange()
        if self.source.version != self._version:
            self._follow_rows()
        narrower = filters.narrows(self.filters)
        self.filters = filters
        self._judge(self._shown if narrower else range(len(self.source.rows)))
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source.sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self.source.version != self._version:  # the rows changed since the verdicts
            self._follow_rows()
        return self._accepted[source_row] == 1
