"""One imported row made into record values: each cell read by its registry field (``imports.parse_cell``),
gathered by the stored attribute it fills (the record's own, its identifiers, provenance, CDASI grid or MMT-8
groups), then the record built on what is stored (or new) and checked by the forms' own validation.

An empty cell is "not recorded": ``None``, empty text, or the vocabulary's "unknown" where the record has no
"none"; a value the record cannot do without (a subtype, a start date, whether an event was serious) is
never guessed: the row is refused naming the column.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

from .cdasi import MMT8_GROUPS, CdasiGrid, Mmt8Scores
from .dates import PartialDate
from .field_defs import Field, FieldType, TableDef
from .imports import CellError, RowProblem, SourceRow, parse_cell, read_only_field
from .limits import TEXT_LIMITS
from .records import (
    AdverseEvent,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    Provenance,
)
from .validation import (
    Problem,
    validate_adverse_event,
    validate_assessment,
    validate_course,
    validate_identifiers,
    validate_patient,
)

GRID, GROUPS = "cdasi_grid", "mmt8_groups"
# Where a validation problem that names no column of the table is shown.
PROBLEM_COLUMNS = {GRID: "cdasi_… items", GROUPS: "mmt8_… groups", "patient_id": "study_id"}

Validator = Callable[[Any, date], list[Problem]]
VALIDATORS: dict[type, Validator] = {
    Patient: validate_patient,
    Identifiers: validate_identifiers,
    MedicationCourse: validate_course,
    Assessment: validate_assessment,
    AdverseEvent: validate_adverse_event,
}


@dataclass(eq=False)
class ParsedRow:
    """A row's cells read: ``given`` holds the attributes of the table's record the file gives (None: not
    recorded), ``parts`` those of the patient's identifiers and provenance; ``problems`` its bad cells."""

    row: SourceRow
    table: TableDef
    study_id: str
    given: dict[str, Any] = field(default_factory=dict)
    parts: dict[type, dict[str, Any]] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # attributes whose cell could not be read

    def problem(self, name: str, reason: str) -> None:
        """A problem with field ``name`` of this row (shown under the file's column name)."""
        self.problems.append(RowProblem(self.row.source, self.row.row, self.column(name), reason))

    def column(self, name: str) -> str:
        if name in self.table.names:
            return self.row.column(name)
        return PROBLEM_COLUMNS.get(name, name)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_row(row: SourceRow, t: TableDef) -> ParsedRow:
    """Every cell of ``row`` read by its field; items of a CDASI grid or MMT-8 assessment gathered into one."""
    study_id = (row.values.get("study_id") or "").strip()
    parsed = ParsedRow(row, t, study_id)
    cells: dict[str, Any] = {}
    for name, text in row.values.items():
        f = t.field(name)
        if read_only_field(f) and name != "study_id":
            continue
        try:
            cells[name] = parse_cell(f, text)
        except CellError as exc:
            parsed.problem(name, str(exc))
            parsed.refused.add(f.source.attribute if f.source is not None else name)
    for name, value in cells.items():
        _place(parsed, t.field(name), value, cells)
    if t.record is Assessment:
        _gather_items(parsed, cells)
    return parsed


def _place(parsed: ParsedRow, f: Field, value: Any, cells: dict[str, Any]) -> None:
    source = f.source
    if source is None or source.record in (CdasiGrid, Mmt8Scores):
        return
    if source.part == "precision":
        _check_precision(parsed, f, value, cells)
    elif source.record is parsed.table.record:
        parsed.given[source.attribute] = _typed(source.record, source.attribute, value)
    else:
        parsed.parts.setdefault(source.record, {})[source.attribute] = _typed(
            source.record, source.attribute, value
        )


def _check_precision(parsed: ParsedRow, f: Field, code: str | None, cells: dict[str, Any]) -> None:
    """A ``…_precision`` column says to what its date is known: it must agree with the date as written."""
    date_name = f.name.removesuffix("_precision")
    if code is None or (date_name in parsed.row.values and date_name not in cells):
        return  # nothing said, or the date itself is refused already
    written = cells.get(date_name)
    if not isinstance(written, PartialDate):
        parsed.problem(
            f.name, f"says the date is known to the {code}, but {parsed.column(date_name)} is empty"
        )
    elif written.precision.value != code:
        parsed.problem(
            f.name,
            f"says the date is known to the {code}, but {parsed.column(date_name)} {written} is written to the "
            f"{written.precision.value}: correct one of them (or empty this column)",
        )


def _gather_items(parsed: ParsedRow, cells: dict[str, Any]) -> None:
    """The CDASI grid and the MMT-8 groups from their item columns (the registry says which item each is)."""
    for owner, gather in ((CdasiGrid, _grid), (Mmt8Scores, _groups)):
        items = [f for f in parsed.table.fields if f.source is not None and f.source.record is owner]
        given = [f for f in items if f.name in parsed.row.values]
        if given and all(f.name in cells for f in given):  # else none given, or a refused item says why
            gather(parsed, {f: cells.get(f.name) for f in items})


def _grid(parsed: ParsedRow, values: dict[Field, Any]) -> None:
    """Every item of the grid, or none (not scored); a grid in part is refused."""
    blank = [f.name for f, v in values.items() if v is None]
    if blank and len(blank) < len(values):
        parsed.problem(
            blank[0], f"the CDASI grid is incomplete: fill every cdasi_… item or none ({len(blank)} empty)"
        )
        parsed.refused.add(GRID)
        return
    sites = [list(site) for site in CdasiGrid().sites]
    extras: dict[str, Any] = {}
    for f, value in values.items():
        assert f.source is not None
        if f.source.index:
            sites[f.source.index[0]][f.source.index[1]] = value
        else:
            extras[f.source.attribute] = value
    parsed.given[GRID] = None if blank else CdasiGrid(tuple(tuple(site) for site in sites), **extras)


def _groups(parsed: ParsedRow, values: dict[Field, Any]) -> None:
    """The graded muscle groups (right or one side, and left when both were tested); none graded: None."""
    sides: dict[str, list[Any]] = {"right": list(Mmt8Scores().right), "left": [None] * (len(MMT8_GROUPS) - 1)}
    for f, value in values.items():
        assert f.source is not None
        sides[f.source.attribute][f.source.index[0]] = value
    right, left = tuple(sides["right"]), tuple(sides["left"])
    graded = any(v is not None for v in (*right, *left))
    parsed.given[GROUPS] = (
        Mmt8Scores(right, left if any(v is not None for v in left) else None) if graded else None
    )


# ----------------------------------------------------------------- attribute types


@cache
def _hints(record: type) -> dict[str, Any]:
    return get_type_hints(record)


def _members(hint: Any) -> tuple[Any, ...]:
    return get_args(hint) if get_origin(hint) in (Union, types.UnionType) else (hint,)


def _typed(record: type, attribute: str, value: Any) -> Any:
    """A cell's value as the attribute holds it: a vocabulary member for a code; otherwise as read."""
    if isinstance(value, str):
        vocabulary = next(
            (
                m
                for m in _members(_hints(record)[attribute])
                if isinstance(m, type) and issubclass(m, StrEnum)
            ),
            None,
        )
        if vocabulary is not None:
            return vocabulary(value)
    return value


def not_recorded(record: type, attribute: str) -> tuple[Any, bool]:
    """What an empty cell stores in ``record.attribute``, and whether the record needs a value there
    instead: None where it may be missing, empty text, the vocabulary's "unknown" default; else required."""
    hint = _hints(record)[attribute]
    if type(None) in _members(hint):
        return None, False
    spec = next(f for f in fields(record) if f.name == attribute)
    default = spec.default if spec.default_factory is MISSING else spec.default_factory()
    if default is MISSING:
        return ("" if hint is str else None), True
    if default in ("", ()) or (isinstance(default, StrEnum) and default.name == "UNKNOWN"):
        return default, False
    return None, True


def required(record: type) -> tuple[str, ...]:
    """The attributes of ``record`` an import must give a value (see ``not_recorded``)."""
    return tuple(
        f.name
        for f in fields(record)
        if f.name not in ("id", "version", "patient_id") and not_recorded(record, f.name)[1]
    )


# ----------------------------------------------------------------- building and checking a record


def build(record: type, given: dict[str, Any], before: Any | None, **links: Any) -> tuple[Any, list[str]]:
    """The record as the import leaves it: ``before`` (as stored) with what the file gives, or a new one
    (``links``: its patient_id); and the required attributes still without a value."""
    values = {a: (not_recorded(record, a)[0] if v is None else v) for a, v in given.items()}
    if before is not None:
        made = replace(before, **values)
    else:
        made = record(**{**{a: not_recorded(record, a)[0] for a in required(record)}, **links, **values})
    missing = [a for a in required(record) if getattr(made, a) in (None, "")]
    return made, missing


def check(parsed: ParsedRow, made: Any, missing: list[str], today: date) -> list[Problem]:
    """The forms' validation of ``made`` (skipped while a date it needs is missing), then a "required"
    problem for each missing attribute validation did not already name."""
    dates_missing = any(isinstance(getattr(made, a), type(None)) and _is_date(type(made), a) for a in missing)
    checked = [] if dates_missing else VALIDATORS[type(made)](made, today)
    problems = [p for p in checked if p.field not in parsed.refused]  # its cell's own message says why
    named = {p.field for p in problems}
    for attribute in missing:
        if attribute not in named and attribute not in parsed.refused:
            problems.append(Problem(attribute, required_message(parsed.table, attribute)))
    return problems


def _is_date(record: type, attribute: str) -> bool:
    return any(m in (date, PartialDate) for m in _members(_hints(record)[attribute]))


def required_message(t: TableDef, attribute: str) -> str:
    """ "Start is required (YYYY, YYYY-MM or YYYY-MM-DD)", "Serious is required: write 1 (yes) or 0 (no)"."""
    f = next(
        (
            f
            for f in t.fields
            if f.source is not None and (f.source.attribute, f.source.part) == (attribute, "")
        ),
        None,
    )
    if f is None:
        return f"{attribute} is required"
    if f.type is FieldType.BOOLEAN:
        return f"{f.label} is required: write 1 (yes) or 0 (no)"
    return f"{f.label} is required ({f.allowed})" if f.allowed else f"{f.label} is required"


def report(parsed: ParsedRow, problems: list[Problem]) -> None:
    """Validation problems as row problems under the file's column names."""
    for p in problems:
        parsed.problem(_provenance_column(p) if p.field == "provenance" else p.field, p.message)


def _provenance_column(p: Problem) -> str:
    """The provenance column a text-limit message is about (its label starts the message)."""
    for attribute, limit in TEXT_LIMITS[Provenance].items():
        if p.message.startswith(limit.label):
            return {"series_name": "source_series"}.get(attribute, attribute)
    return "centre"


# ----------------------------------------------------------------- a patient's parts


def onset_age(patient: Patient, written: int | None, before: PatientRecord | None) -> int | None:
    """Age at onset as the file gives it. An export writes the age derived from the year of birth and the
    diagnosis date when none was recorded; the same value read back stays derived (as stored before, for a
    patient already in the series), never turned into a typed one."""
    if written is None or replace(patient, age_at_onset=None).onset_age != written:
        return written
    return before.patient.age_at_onset if before is not None and before.patient.onset_age == written else None


def provenance_of(parsed: ParsedRow, before: PatientRecord | None) -> Provenance | None:
    """The source centre, series and study ID a pooled patient came with; empty cells keep what is stored."""
    kept = before.patient.provenance if before else None
    given = parsed.parts.get(Provenance, {})
    if not any(given.values()):
        return kept
    values = {
        a: given.get(a) or (getattr(kept, a) if kept else "")
        for a in ("centre", "series_name", "source_study_id")
    }
    return Provenance(
        **values,
        bundle_file=kept.bundle_file if kept else None,
        imported_at=kept.imported_at if kept else None,
    )


def identifiers_of(parsed: ParsedRow, before: PatientRecord | None) -> Identifiers | None:
    """The identifying fields as the file leaves them (None: the file has none of their columns, or all
    empty for a patient with none stored)."""
    given = parsed.parts.get(Identifiers)
    if given is None:
        return None
    kept = before.identifiers if before else None
    patient_id = (before.patient.id or 0) if before else 0
    made, _ = build(Identifiers, given, kept, patient_id=patient_id)
    made = replace(made, full_name=made.full_name.strip(), mrn=made.mrn.strip())  # as they are stored
    return None if kept is None and made.is_empty else made
