"""Reading a REDCap records file into MyoCase's rows (``SourceRow``), through a mapping.

A records file is classic or longitudinal (``redcap_event_name``), with repeating instruments or events,
exported raw (codes, field names as headers) or as labels (choice labels, field labels as headers,
"Checked"/"Unchecked"): labels are turned back into codes and names through the dictionary. Each REDCap
row gives at most one row per MyoCase table; a table whose mapped cells are all empty in a row (an empty
repeat row, another instrument's row) gives none. A record's patient fields, spread over its events, are
gathered into one patients row. Cells are handed over as written, only translated (codes, dates in the
mapping's format, REDCap's split partial dates): whether they are valid is the import's to say, with this
file's row number and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..domain.export_tables import unneutralised
from ..domain.field_defs import FieldType
from ..domain.fields import TABLES_BY_NAME
from ..domain.imports import SourceRow
from .redcap_format import DictField, Dictionary, RedcapError, blank, checkbox_column, folded, iso_date
from .redcap_mapping import FieldMap, Mapping
from .redcap_own import FIRST_FORM, RECORD_ID, joined_partial

EVENT = "redcap_event_name"
TICKED, UNTICKED = ("1", "checked"), ("0", "unchecked", "")
SHOWN_CONFLICTS = 10


@dataclass(frozen=True)
class RecordsFile:
    """A records file: its header as REDCap field names, the header as written, and its rows by number."""

    name: str
    header: tuple[str, ...]
    shown: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def records_file(name: str, rows: list[list[str]], dictionary: Dictionary) -> RecordsFile:
    """The rows of a records CSV (``read_csv``); blank rows are left out, their numbers kept."""
    shown = tuple(h.strip() for h in rows[0])
    body = []
    for n, row in enumerate(rows[1:], start=2):
        if blank(row):
            continue
        if len(row) > len(shown) and not blank(row[len(shown) :]):
            raise RedcapError(
                f"{name}, row {n}: the row has {len(row)} cells but the header {len(shown)} columns. Export the "
                "records again from REDCap, or check for a cell whose quotes were broken when editing the file."
            )
        body.append((n, tuple(row[: len(shown)]) + ("",) * (len(shown) - len(row))))
    return RecordsFile(name, raw_header(shown, dictionary), shown, tuple(body))


def raw_header(header: Sequence[str], dictionary: Dictionary) -> tuple[str, ...]:
    """The header as REDCap field names: as it is in a raw export; a labels export's headers matched, in
    order, to the labels REDCap writes for the dictionary's columns (a header it cannot match stays)."""
    expected = dictionary.expected_columns()
    names = {name for name, _ in expected}
    if header[0] in names or sum(h in names for h in header) * 2 >= len(header):
        return tuple(header)
    result, position = [], 0
    for h in header:
        wanted = folded(h)
        found = next((i for i in range(position, len(expected)) if folded(expected[i][1]) == wanted), None)
        if found is None:
            result.append(h)
        else:
            result.append(expected[found][0])
            position = found + 1
    return tuple(result)


@dataclass
class _Plan:
    """Where one mapped REDCap field is in the file."""

    map: FieldMap
    owner: DictField | None
    box: str | None  # the choice code of a one-box column
    at: int = -1  # the column (-1 for a whole checkbox field)
    boxes: list[tuple[int, str]] = field(default_factory=list)  # (column, code) of a whole checkbox field


@dataclass
class _Gathered:
    """One MyoCase row being filled: values and columns by field, and the first REDCap row it came from."""

    row: int
    values: dict[str, str | None] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)


class RowReader:
    """Turns one records file into ``SourceRow``s through ``mapping``."""

    def __init__(self, records: RecordsFile, dictionary: Dictionary, mapping: Mapping) -> None:
        self.file, self.dictionary, self.mapping = records, dictionary, mapping
        self.at = {name: n for n, name in reversed(list(enumerate(records.header)))}
        if mapping.record_id not in self.at:
            raise RedcapError(
                f"{records.name} has no column {mapping.record_id}, the record ID: give the records file REDCap "
                "exported (with its record ID column), or name the record ID field in the mapping (record_id)."
            )
        self.record_at = self.at[mapping.record_id]
        self.event_at = self.at.get(EVENT)
        self.plans = [p for p in (self._plan(m) for m in mapping.fields) if p is not None]
        self.conflicts: list[str] = []

    def _plan(self, m: FieldMap) -> _Plan | None:
        owner = self.dictionary.owner(m.column)
        dfield, box = owner if owner else (None, None)
        if dfield is not None and dfield.checkbox and box is None:
            boxes = [
                (self.at[c], code)
                for code, _ in dfield.choices
                if (c := checkbox_column(dfield.name, code)) in self.at
            ]
            return _Plan(m, dfield, None, boxes=boxes) if boxes else None
        if m.column not in self.at:
            return None  # a field the export left out
        return _Plan(m, dfield, box, self.at[m.column])

    # ------------------------------------------------------------- cells

    def _ticked(self, text: str, plan: _Plan, code: str) -> bool | None:
        value = folded(text)
        if value in TICKED:
            return True
        if value in UNTICKED:
            return False
        label = next((lab for c, lab in plan.owner.choices if c == code), None) if plan.owner else None
        return True if label is not None and folded(label) == value else None

    def value(self, plan: _Plan, cells: tuple[str, ...]) -> str | None:
        """The MyoCase cell of one mapped field in one REDCap row (None: not recorded)."""
        if plan.boxes:
            return self.boxes(plan, cells)
        text = cells[plan.at]
        if not text.strip():
            return None
        if plan.box is not None:
            ticked = self._ticked(text, plan, plan.box)
            text = text if ticked is None else "1" if ticked else "0"
        elif plan.owner is not None and plan.owner.choices:
            text = plan.owner.code_of(text) or text
        elif plan.owner is not None and plan.owner.validation.endswith("comma_decimal"):
            text = text.replace(",", ".")
        return self.convert(plan.map, text)

    def boxes(self, plan: _Plan, cells: tuple[str, ...]) -> str | None:
        """A whole checkbox field: the MyoCase value of each ticked box whose choice is mapped (the labels of
        the ticked boxes for a text field); several are joined, for the import to refuse."""
        ticked = [code for at, code in plan.boxes if self._ticked(cells[at], plan, code)]
        if plan.map.target.choices:
            values = [v for c in ticked if (v := plan.map.choices.get(c)) is not None]
        else:
            labels = dict(plan.owner.choices) if plan.owner else {}
            values = [labels.get(c, c) for c in ticked]
        return "; ".join(values) if values else None

    def convert(self, m: FieldMap, text: str) -> str | None:
        if m.choices and text.strip() in m.choices:
            return m.choices[text.strip()]
        kind = m.target.type
        if kind in (FieldType.DATE, FieldType.PARTIAL_DATE):
            return iso_date(text, m.date_format)
        if self.mapping.own and kind.free_text:
            return unneutralised(text)
        return text

    # ------------------------------------------------------------- rows

    def study_ids(self) -> dict[str, str]:
        """Each record's study ID: a field mapped to patients.study_id, else the record ID."""
        result: dict[str, str] = {}
        mapped = [p for p in self.plans if p.map.table == FIRST_FORM and p.map.field == RECORD_ID]
        for _, cells in self.file.rows:
            record = cells[self.record_at].strip()
            found = next((v for p in mapped if (v := self.value(p, cells)) and v.strip()), None)
            if found and record not in result:
                result[record] = found.strip()
        return result

    def tables_of(self, n: int, cells: tuple[str, ...]) -> dict[str, _Gathered]:
        """What one REDCap row gives each MyoCase table (tables with nothing in it left out)."""
        allowed = self.mapping.tables_of(cells[self.event_at]) if self.event_at is not None else None
        gathered: dict[str, _Gathered] = {}
        for plan in self.plans:
            m = plan.map
            if allowed is not None and m.table not in allowed:
                continue
            column = self.file.shown[plan.at] if plan.at >= 0 else m.column
            self.put(gathered.setdefault(m.table, _Gathered(n)), m.field, self.value(plan, cells), column, n)
        return {t: g for t, g in gathered.items() if any(v is not None for v in g.values.values())}

    def put(self, into: _Gathered, name: str, value: str | None, column: str, n: int) -> None:
        old = into.values.get(name)
        if old is not None and value is not None and old != value:
            self.conflicts.append(
                f"{self.file.name}, row {n}: {column} gives “{value}” where {into.columns[name]} (row {into.row}) "
                f"gave “{old}” for the same MyoCase field ({name})"
            )
        if old is None:
            into.values[name] = value
            if value is not None or name not in into.columns:
                into.columns[name] = column

    def rows(self) -> list[SourceRow]:
        """Every MyoCase row of the file: one patients row per record (its events' patient fields gathered),
        then the other tables' rows in file order. Two different values for one field are refused."""
        study_ids = self.study_ids()
        patients: dict[str, tuple[str, _Gathered]] = {}
        others: list[SourceRow] = []
        for n, cells in self.file.rows:
            record = cells[self.record_at].strip()
            sid = study_ids.get(record, record)
            for table, got in self.tables_of(n, cells).items():
                joined_dates(table, got.values)
                if table != FIRST_FORM:
                    others.append(self.source_row(table, sid, got))
                    continue
                _, merged = patients.setdefault(record or f"row {n}", (sid, _Gathered(n)))
                for name, value in got.values.items():
                    self.put(merged, name, value, got.columns[name], n)
        if self.conflicts:
            more = len(self.conflicts) - SHOWN_CONFLICTS
            tail = [f"… and {more} more"] if more > 0 else []
            raise RedcapError(
                "Some REDCap cells give two different values for one MyoCase field: map only one of them (or "
                "skip the event in the mapping).\n" + "\n".join(self.conflicts[:SHOWN_CONFLICTS] + tail)
            )
        return [self.source_row(FIRST_FORM, sid, g) for sid, g in patients.values()] + others

    def source_row(self, table: str, study_id: str, got: _Gathered) -> SourceRow:
        columns = {RECORD_ID: self.file.shown[self.record_at], **got.columns}
        return SourceRow(self.file.name, got.row, table, {RECORD_ID: study_id, **got.values}, columns)


def joined_dates(table: str, values: dict[str, str | None]) -> None:
    """REDCap's split partial dates put back together: the first day and its ``…_precision``."""
    for f in TABLES_BY_NAME[table].fields:
        if f.type is FieldType.PARTIAL_DATE and values.get(f.name) and values.get(f"{f.name}_precision"):
            values[f.name] = joined_partial(values[f.name] or "", values[f"{f.name}_precision"] or "")
