"""What the field registry is made of: ``Field``, ``FieldType``, ``Choice``, ``Source``, ``TableDef``.

The registry itself (every table and column) is ``fields.py``; see its docstring for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .dates import Precision
from .measures import Policy
from .records import Patient
from .vocab import CTCAE_GRADES

# Valid in REDCap, SPSS, Stata and R; at most 31 characters, as a Stata value label (named after its
# variable) may hold no more when written by readstat.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
# A column with value labels: readstat names a Stata label set after its variable plus the variable's
# position among the labelled ones (up to 3 digits), in at most 32 characters.
LABELLED_NAME_MAX = 29


class FieldType(StrEnum):
    TEXT = "text"  # a short free text
    NOTES = "notes"  # a long free text
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"  # YYYY-MM-DD
    PARTIAL_DATE = "partial date"  # YYYY, YYYY-MM or YYYY-MM-DD, as written
    CHOICE = "choice"  # one of ``choices`` (the code is written)
    YES_NO_UNKNOWN = "yes/no/unknown"  # a choice of yes, no, unknown
    BOOLEAN = "boolean"  # 1 yes, 0 no

    @property
    def coded(self) -> bool:
        """Whether the column holds codes of ``choices``."""
        return self in (FieldType.CHOICE, FieldType.YES_NO_UNKNOWN, FieldType.BOOLEAN)

    @property
    def numeric(self) -> bool:
        return self in (FieldType.INTEGER, FieldType.DECIMAL)

    @property
    def free_text(self) -> bool:
        return self in (FieldType.TEXT, FieldType.NOTES)


@dataclass(frozen=True)
class Choice:
    """One allowed value: ``code`` is what CSV and XLSX hold (the vocabulary's value), ``number`` the
    numeric code SPSS and Stata hold (with ``label`` as its value label)."""

    code: str
    label: str
    number: int


@dataclass(frozen=True)
class Source:
    """The stored attribute a column holds: ``record.attribute``, item ``index`` of it for a tuple,
    ``part`` of it for a value with parts (a partial date's "precision")."""

    record: type[Any]
    attribute: str
    index: tuple[int, ...] = ()
    part: str = ""


@dataclass(frozen=True)
class Field:
    table: str
    name: str
    label: str
    type: FieldType
    unit: str = ""
    low: float | None = None
    high: float | None = None
    decimals: int | None = None  # decimals shown (DECIMAL); None: as recorded
    choices: tuple[Choice, ...] = ()
    policy: Policy = Policy.KEEP
    source: Source | None = None  # None: derived (see ``derivation``)
    derivation: str = ""
    help: str = ""
    key: bool = False  # identifies the row within its table
    meta: bool = False  # says something about the export, not the data (``IDENTIFIED_FIELD``)

    @property
    def derived(self) -> bool:
        return self.source is None

    @property
    def identifies(self) -> bool:
        """Whether the value points to a person (left out of de-identified exports)."""
        return self.policy in (Policy.IDENTIFIER, Policy.BIRTH_YEAR)

    @property
    def calendar(self) -> bool:
        """A real (or partial) calendar date: only identified exports show it."""
        return self.type in (FieldType.DATE, FieldType.PARTIAL_DATE)

    def in_export(self, identified: bool) -> bool:
        """Whether the column is written in an identified or a de-identified export."""
        if self.meta:
            return identified
        return identified or not (self.identifies or self.calendar)

    @property
    def deidentification(self) -> str:
        """What a de-identified export does with the column, in words."""
        if self.calendar:
            return "left out (the …_day column gives the days from day 0)"
        return {
            Policy.KEEP: "kept",
            Policy.TEXT: "kept, with names, record numbers, dates of birth and calendar dates removed",
            Policy.DATE: "kept",
            Policy.IDENTIFIER: "left out",
            Policy.BIRTH_YEAR: "left out",
            Policy.AGE: "capped at 90",
        }.get(self.policy, self.policy.value)

    @property
    def range_text(self) -> str:
        if self.low is None or self.high is None:
            return ""
        return f"{_number(self.low)}–{_number(self.high)}"

    @property
    def allowed(self) -> str:
        """Allowed values in words: "F = Female; M = Male", "0–100", "YYYY-MM-DD"."""
        if self.choices:
            return "; ".join(f"{c.code} = {c.label}" for c in self.choices)
        if self.type is FieldType.DATE:
            return "YYYY-MM-DD"
        if self.type is FieldType.PARTIAL_DATE:
            return "YYYY, YYYY-MM or YYYY-MM-DD"
        return self.range_text

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


@dataclass(frozen=True)
class TableDef:
    """One tidy table: a row per ``record`` (per patient and phase for phases)."""

    name: str
    label: str
    record: type[Any] | None  # None: derived rows (phases)
    repeating: bool  # several rows per patient
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    description: str = ""

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def columns(self, identified: bool) -> tuple[Field, ...]:
        """The fields written, in order, in an identified or de-identified export."""
        return tuple(f for f in self.fields if f.in_export(identified))


# ----------------------------------------------------------------- choices from the vocabularies


def choices_of(kind: Iterable[StrEnum]) -> tuple[Choice, ...]:
    """A vocabulary's values as choices: code = value, label = its ``label``, numbered from 1."""
    return tuple(Choice(m.value, _label(m), n) for n, m in enumerate(kind, start=1))


def _label(member: StrEnum) -> str:
    label = getattr(member, "label", member.value)
    return label if isinstance(label, str) else member.value


YES_NO: tuple[Choice, ...] = (Choice("1", "Yes", 1), Choice("0", "No", 0))
GRADES: tuple[Choice, ...] = tuple(Choice(str(g), f"{g}: {t}", g) for g, t in CTCAE_GRADES.items())
PRECISIONS: tuple[Choice, ...] = (
    Choice("day", "Known to the day", 1),
    Choice("month", "Known to the month", 2),
    Choice("year", "Known to the year", 3),
)
assert tuple(c.code for c in PRECISIONS) == tuple(p.value for p in Precision)

DAY_ZERO = (
    "Days from the patient's day 0: the start of the index drug (else of the first recorded treatment, "
    "else the first record); negative before it."
)
LINK = "internal database number: the study ID links the tables"
EDIT_COUNT = "how many times the record was saved (two editors' saves are told apart by it), not data"
IDENTIFIED_FIELD = "identified_export"
IDENTIFIED_NOTE = "IDENTIFIED: holds names, record numbers or real dates"


# ----------------------------------------------------------------- building tables


class TableBuilder:
    """Collects the fields of one table, in order (``fields.py`` uses it to state the registry)."""

    def __init__(self, table: str, record: type[Any] | None) -> None:
        self.table, self.record = table, record
        self.fields: list[Field] = []

    def add(self, name: str, label: str, kind: FieldType, attribute: str | None = None, **kw: Any) -> None:
        """A column; ``attribute`` names the stored attribute of ``record`` it holds (None: derived)."""
        if "source" not in kw:
            kw["source"] = Source(self.record, attribute) if attribute and self.record is not None else None
        self.fields.append(Field(self.table, name, label, kind, **kw))

    def date(
        self,
        attribute: str | None,
        label: str,
        *,
        partial: bool = False,
        name: str = "",
        derivation: str = "",
    ) -> None:
        """A date: the date itself (identified exports only), its day from day 0 and, if partial, its precision."""
        name = name or attribute or ""
        kind = FieldType.PARTIAL_DATE if partial else FieldType.DATE
        self.add(name, label, kind, attribute, policy=Policy.DATE, derivation=derivation)
        first = " A partial date counts from its first day." if partial else ""
        self.add(
            f"{name}_day",
            f"{label}: day",
            FieldType.INTEGER,
            unit="days",
            derivation=f"{name}: {DAY_ZERO}{first}",
        )
        if partial:
            source = (
                Source(self.record, attribute, part="precision")
                if attribute and self.record is not None
                else None
            )
            self.add(
                f"{name}_precision", f"{label}: known to", FieldType.CHOICE, choices=PRECISIONS, source=source,
                derivation="" if source else f"The precision of {name}.",
            )  # fmt: skip

    def study_id(self) -> None:
        """The key that links every table to its patient."""
        own = self.record is Patient
        self.add(
            "study_id", "Study ID", FieldType.TEXT, key=True, policy=Policy.TEXT,
            source=Source(Patient, "study_id") if own else None,
            derivation="" if own else "The study ID of the patient the row belongs to.",
        )  # fmt: skip

    def done(self) -> tuple[Field, ...]:
        """The fields, ending with the column that marks an identified export."""
        meta = Field(
            self.table, IDENTIFIED_FIELD, "Identified export", FieldType.TEXT, meta=True,
            derivation=f"Written only in identified exports, in every row: “{IDENTIFIED_NOTE}”.",
        )  # fmt: skip
        return (*self.fields, meta)
