"""Importing tidy rows (spreadsheets, REDCap): the rows a reader hands over, each cell read by its registry
field's type, the checks of a table's columns (unknown, de-identified) before any row is read, and the plan an
import makes (``Planned`` records, ``ImportPlan``).

Readers (``services/readers.py``, ``services/redcap.py``) turn files into ``SourceRow``s; ``import_records``
builds and validates records from them, ``import_plan`` matches them to the series and says what would change.
Every cell is read as written: nothing is rounded, trimmed or guessed, and an empty cell is "not recorded".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from .dates import DateParseError, PartialDate, parse_date
from .field_defs import IDENTIFIED_FIELD, Choice, Field, FieldType, TableDef
from .fields import table
from .numbers import readable
from .records import Identifiers

if TYPE_CHECKING:
    from .import_series import SeriesFromFile


@dataclass(frozen=True)
class SourceRow:
    """One row of one table as a reader found it, before any parsing.

    ``source`` is the file's name (for a workbook, ``Book.xlsx[sheet]``), ``row`` its row number as the user
    sees it (the header is row 1, so the first data row is 2), ``table`` a registry table name
    (``fields.table``), ``values`` the cells by registry field name (``None`` or blank = not recorded; a
    field the file has no column for is absent), ``columns`` the file's name for each field (a REDCap field, a
    spreadsheet header), for messages.
    """

    source: str
    row: int
    table: str
    values: Mapping[str, str | None]
    columns: Mapping[str, str]

    def column(self, name: str) -> str:
        """The file's name for field ``name`` (the field's own name when the reader gave none)."""
        return self.columns.get(name, name)


@dataclass(frozen=True)
class RowProblem:
    """Why a row (or one cell of it) cannot be imported: ``file:row: column: reason``."""

    source: str
    row: int  # 0: the file as a whole (unreadable, not a table); 1: its header
    column: str  # "" when the problem is the row's or the file's (a duplicate, a patient missing)
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.row}" if self.row else self.source
        return f"{where}: {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


class CellError(ValueError):
    """A cell that is not a value of its field's type; the message says what is wrong and what to write."""


# Tables a data export holds that an import reads, and why the others are not read.
IMPORTED_TABLES: tuple[str, ...] = (
    "patients",
    "antibodies",
    "medication_courses",
    "assessments",
    "adverse_events",
)
NOT_IMPORTED: dict[str, str] = {
    "photos": "photos are not imported from a data export (it holds no pixels): add them in the Photos tab",
    "phases": "treatment phases are derived from the medication courses, not imported",
    "codebook": "the codebook describes the columns; it is not data",
    "about": "the note about the export is not data",
}
DEIDENTIFIED = (
    "a de-identified export: its dates are days from each patient's day 0 and cannot be turned back into "
    "calendar dates. To move a series between databases, export it with identifiers (myocase export "
    "--identified, or File → Export data… with identifiers included) and import that"
)

UNKNOWN_COLUMN = "rename it to one of the codebook's fields, or remove it (its data would not be imported)"
_INTEGER = re.compile(r"^[+-]?\d{1,18}(?:\.0*)?$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$")
_DATE_SHAPE = re.compile(r"^\d{4}(?:-\d{1,2}){0,2}$")
_FRACTION = re.compile(r"^[+-]?\d+\.\d*[1-9]\d*$")
_TEXT_CONTROLS = {"\t", "\n", "\r"}
YES_WORDS, NO_WORDS = ("1", "yes", "y", "true"), ("0", "no", "n", "false")
SHOWN = 40  # characters of a bad cell quoted in a message


def shown(text: str) -> str:
    """A cell quoted in a message: “…”, cut after ``SHOWN`` characters, control characters named."""
    cut = text if len(text) <= SHOWN else text[:SHOWN] + f"… ({readable(len(text))} characters)"
    return "“" + "".join(c if c.isprintable() or c == " " else f"U+{ord(c):04X}" for c in cut) + "”"


def empty(text: str | None) -> bool:
    return text is None or not text.strip()


# ----------------------------------------------------------------- one cell


def parse_cell(f: Field, text: str | None) -> Any:
    """The value a cell holds for field ``f``: None when empty (not recorded), else text as written, an
    ``int``, a ``float``, a ``date``, a ``PartialDate``, a choice's code (``str``) or a ``bool`` (yes/no).
    Raises ``CellError`` naming what is wrong."""
    if text is None or not text.strip():
        return None
    if f.type.free_text:
        return _text(text)
    if f.type is FieldType.BOOLEAN:
        return _boolean(f, text.strip())
    if f.choices:
        code = _choice(f, text.strip()).code
        return int(code) if f.type.numeric else code
    if f.type is FieldType.INTEGER:
        return _integer(text.strip())
    if f.type is FieldType.DECIMAL:
        return _decimal(text.strip())
    return _date(f, text.strip())


def _text(text: str) -> str:
    bad = next((c for c in text if unicodedata.category(c) == "Cc" and c not in _TEXT_CONTROLS), None)
    if bad is not None:
        raise CellError(f"holds the control character U+{ord(bad):04X}, which is not text: remove it")
    return text


def _integer(text: str) -> int:
    if _INTEGER.match(text):
        return int(text.split(".")[0])
    if _FRACTION.match(text):
        raise CellError(f"{shown(text)} is not a whole number: write it without decimals")
    raise CellError(f"{shown(text)} is not a whole number")


def _decimal(text: str) -> float:
    if "," in text and _DECIMAL.match(text.replace(",", ".", 1)):
        raise CellError(
            f"{shown(text)} is not a number: write decimals with a point ({text.replace(',', '.', 1)})"
        )
    value = float(text) if _DECIMAL.match(text) else math.nan
    if not math.isfinite(value):
        raise CellError(f"{shown(text)} is not a number")
    return value


def _date(f: Field, text: str) -> date | PartialDate:
    try:
        parsed = PartialDate.parse(text)
    except DateParseError as exc:
        if _DATE_SHAPE.match(text):  # written as a date, but no such day ("2021-02-30")
            raise CellError(str(exc)) from None
        raise CellError(f"{shown(text)} is not a date: write {f.allowed}") from None
    if f.type is FieldType.DATE:
        try:
            return parse_date(text)
        except DateParseError as exc:
            raise CellError(str(exc)) from None
    return parsed


def _choice(f: Field, text: str) -> Choice:
    """The choice a cell names: by its code as written, then its code or its label in any case."""
    folded = text.casefold()
    found = next((c for c in f.choices if c.code == text), None) or next(
        (c for c in f.choices if folded in (c.code.casefold(), c.label.casefold())), None
    )
    if found is not None:
        return found
    raise CellError(f"{shown(text)} is not one of the allowed values ({f.allowed})")


def _boolean(f: Field, text: str) -> bool:
    folded = text.casefold()
    if folded in YES_WORDS or any(folded == c.label.casefold() for c in f.choices if c.code == "1"):
        return True
    if folded in NO_WORDS or any(folded == c.label.casefold() for c in f.choices if c.code == "0"):
        return False
    raise CellError(f"{shown(text)} is not 1 (yes) or 0 (no)")


# ----------------------------------------------------------------- a table's columns


def importable(name: str) -> TableDef | None:
    """The registry table rows of ``name`` are read into (None: not imported, see ``NOT_IMPORTED``)."""
    return table(name) if name in IMPORTED_TABLES else None


def column_problems(
    source: str, t: TableDef, names: Iterable[str], columns: Mapping[str, str]
) -> list[RowProblem]:
    """What is wrong with the columns a file gives for table ``t`` (``names``: registry field names): a
    de-identified export (refused whole), columns that are no field of the table (refused: their data would
    be lost)."""
    given = set(names)
    for f in t.fields:
        if (
            f.type in (FieldType.DATE, FieldType.PARTIAL_DATE)
            and f.name not in given
            and f"{f.name}_day" in given
        ):
            return [RowProblem(source, 1, columns.get(f"{f.name}_day", f"{f.name}_day"), DEIDENTIFIED)]
    known = set(t.names)
    return [
        RowProblem(
            source, 1, columns.get(name, name), f"is not a column of the {t.name} table: {UNKNOWN_COLUMN}"
        )
        for name in sorted(given - known)
    ]


def read_only_field(f: Field) -> bool:
    """A column an import does not store: derived (written by the export), the internal record number, or the
    mark of an identified export."""
    return f.source is None or f.source.attribute == "id" or f.meta or f.name == IDENTIFIED_FIELD


# ----------------------------------------------------------------- what an import does

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True)
class Planned:
    """One record the import writes or leaves: where it came from, as stored now (None: new) and as it will
    be; a patient also carries their identifying fields (None: the file gives none)."""

    source: str
    row: int
    study_id: str
    before: Any
    after: Any
    identifiers_before: Identifiers | None = None
    identifiers_after: Identifiers | None = None

    @property
    def action(self) -> str:
        if self.before is None:
            return CREATE
        same = self.before == self.after and self.identifiers_before == (
            self.identifiers_after or self.identifiers_before
        )
        return UNCHANGED if same else UPDATE

    @property
    def origin(self) -> str:
        """The file and row, as the audit trail names them: "patients.csv row 4"."""
        return f"{self.source} row {self.row}"


TABLE_LABELS = {
    "patients": "patients",
    "medication_courses": "medication courses",
    "assessments": "assessments",
    "adverse_events": "adverse events",
}


@dataclass(frozen=True)
class ImportPlan:
    """Everything an import would store (``patients``, ``courses``, ``assessments``, ``events``, each in
    file order, and the series settings of a new series), every row refused (``problems``) and what was not
    read or is kept (``notes``). Written only when there is no problem at all."""

    patients: tuple[Planned, ...] = ()
    courses: tuple[Planned, ...] = ()
    assessments: tuple[Planned, ...] = ()
    events: tuple[Planned, ...] = ()
    problems: tuple[RowProblem, ...] = ()
    notes: tuple[str, ...] = ()
    series: SeriesFromFile | None = None  # the series settings the files give (``import_series``)
    takes_series: bool = False  # a new series (no patients yet): importing stores them

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_table(self) -> dict[str, tuple[Planned, ...]]:
        return {
            "patients": self.patients, "medication_courses": self.courses,
            "assessments": self.assessments, "adverse_events": self.events,
        }  # fmt: skip

    def counts(self) -> dict[str, dict[str, int]]:
        """Per table: how many records would be created, updated and left unchanged."""
        return {
            name: {a: sum(p.action == a for p in planned) for a in (CREATE, UPDATE, UNCHANGED)}
            for name, planned in self.by_table().items()
        }

    @property
    def changes(self) -> int:
        return sum(c[CREATE] + c[UPDATE] for c in self.counts().values())

    def adding(self, problems: Iterable[RowProblem], notes: Iterable[str]) -> ImportPlan:
        """The plan with a reader's problems and notes before its own."""
        return replace(self, problems=(*problems, *self.problems), notes=(*notes, *self.notes))
