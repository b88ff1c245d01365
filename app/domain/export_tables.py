"""Tidy tables for analysis: one per registry table, rows built from records through a ``Disclosure``,
plus the codebook and the notes that go with them. Writers (``services/exports``) only lay them out.

De-identified (the default): only the columns ``Field.in_export(False)`` allows, text as the
disclosure cleans it, ages capped, time as days from each patient's day 0 (``Clock.day``).
Identified: every column, real dates (ISO), partial dates as written ("2019", "2019-03").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from .analysis import AnalysisSettings, select_baseline
from .cdasi import CdasiGrid, Mmt8Scores
from .dates import PartialDate, Precision
from .disclosure import Disclosure
from .field_defs import IDENTIFIED_FIELD, IDENTIFIED_NOTE, Field, FieldType, TableDef
from .fields import SERIES, TABLES
from .phases import Phase, index_course, index_status, prior_immunosuppressants, treatment_phases
from .records import (
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    Provenance,
    SeriesSettings,
)
from .scores import ImacsResult, TisResult, imacs_improvement, total_improvement_score
from .series_fields import series_values
from .vocab import Subtype

Cell = str | int | float | date | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escaped(text: str) -> bool:
    """``text`` needs an apostrophe before it: it starts like a formula, or with apostrophes before one
    (so that a typed "'=" does not read back as "=")."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def neutralised(text: str) -> str:
    """A text cell made safe from spreadsheet formula injection: a leading = + - @ (or tab, return)
    gets an apostrophe before it, so no spreadsheet runs it. Numbers are never passed here."""
    return "'" + text if _escaped(text) else text


def unneutralised(text: str) -> str:
    """The text as it was before ``neutralised`` (for reading an export back)."""
    return text[1:] if text.startswith("'") and _escaped(text[1:]) else text


@dataclass(frozen=True)
class ExportTable:
    """One table as it leaves: its columns (registry fields) and its rows of plain cells."""

    name: str
    label: str
    columns: tuple[Field, ...]
    rows: tuple[tuple[Cell, ...], ...]
    description: str = ""

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.columns)

    def values(self, name: str) -> list[Cell]:
        """Every cell of one column, top to bottom."""
        at = self.header.index(name)
        return [row[at] for row in self.rows]

    def dicts(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.header, row, strict=True)) for row in self.rows]


@dataclass
class _Facts:
    """What the derived columns of one patient need, computed once."""

    record: PatientRecord
    disclosure: Disclosure
    settings: AnalysisSettings
    index: MedicationCourse | None = None
    baseline: Assessment | None = None
    scores: dict[Assessment, tuple[TisResult, ImacsResult]] = field(default_factory=dict)
    phases: tuple[Phase, ...] = ()

    def day(self, value: date | PartialDate | None) -> int | None:
        if value is None:
            return None
        day = value.earliest() if isinstance(value, PartialDate) else value
        return self.disclosure.clock(self.record.patient.id).day(day)


def _facts(record: PatientRecord, disclosure: Disclosure, settings: AnalysisSettings) -> _Facts:
    facts = _Facts(record, disclosure, settings)
    drug, cutoff = disclosure.index_drug, disclosure.cutoff
    facts.index = index_course(record.courses, drug)
    facts.phases = treatment_phases(record.courses, drug, cutoff)
    course = facts.index
    if course is None or course.start.precision is Precision.YEAR:
        return facts
    facts.baseline = base = select_baseline(record.assessments, course, settings)
    if base is None:
        return facts
    juvenile = record.patient.subtype is Subtype.JDM
    for a in record.assessments:
        if base.assessed_on < a.assessed_on <= cutoff and course.is_on(a.assessed_on):
            tis = total_improvement_score(
                base, a, juvenile=juvenile, aldolase_factor=settings.aldolase_factor
            )
            facts.scores[a] = (tis, imacs_improvement(base, a))
    return facts


# ----------------------------------------------------------------- cells


def cell(f: Field, value: Any) -> Cell:
    """A stored value as the column's plain cell: codes for choices, 1/0 for booleans, partial dates as
    written, empty text as missing."""
    if value is None or value == "":
        return None
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, PartialDate):
        return str(value)
    if f.type is FieldType.INTEGER:
        return int(value)
    if f.type is FieldType.DECIMAL:
        return float(value)
    return value  # type: ignore[no-any-return]


def _owner(f: Field, item: Any, record: PatientRecord) -> Any:
    assert f.source is not None
    kind = f.source.record
    if kind is Patient:
        return record.patient
    if kind is Identifiers:
        return record.identifiers
    if kind is Provenance:
        return record.patient.provenance
    if kind is CdasiGrid:
        return item.cdasi_grid
    if kind is Mmt8Scores:
        return item.mmt8_groups
    return item


def _stored(f: Field, item: Any, record: PatientRecord) -> Cell:
    assert f.source is not None
    owner = _owner(f, item, record)
    value = None if owner is None else getattr(owner, f.source.attribute)
    for i in f.source.index:
        value = None if value is None or i >= len(value) else value[i]
    if f.source.part == "precision":
        return value.precision.value if isinstance(value, PartialDate) else None
    return cell(f, value)


Derive = Callable[[Any, _Facts], Any]


def _ratio(name: str) -> Derive:
    def ratio(a: Assessment, _: _Facts) -> float | None:
        value, uln = a.enzyme(name)
        return None if value is None or not uln else round(value / uln, 2)

    return ratio


def _tis_points(key: str) -> Derive:
    def points(a: Assessment, facts: _Facts) -> float | None:
        scored = facts.scores.get(a)
        return None if scored is None else next(i.points for i in scored[0].items if i.key == key)

    return points


def _tis(a: Assessment, facts: _Facts) -> TisResult | None:
    scored = facts.scores.get(a)
    return None if scored is None else scored[0]


def _imacs(a: Assessment, facts: _Facts) -> bool | None:
    scored = facts.scores.get(a)
    return None if scored is None else scored[1].met


DERIVED: dict[str, Derive] = {
    "patients.index_status": lambda p, f: index_status(
        f.record.courses, f.disclosure.index_drug, f.disclosure.cutoff
    ),
    "patients.prior_immunosuppressants": lambda p, f: len(
        prior_immunosuppressants(f.record.courses, f.disclosure.index_drug)
    ),
    "medication_courses.index_course": lambda c, f: f.index is not None and c == f.index,
    "assessments.cdasi_source": lambda a, f: a.cdasi_source,
    "assessments.cdasi_severity": lambda a, f: (
        None if a.cdasi_activity is None else f.settings.severity.of(a.cdasi_activity)
    ),
    "assessments.mmt8_source": lambda a, f: a.mmt8_source,
    "assessments.is_baseline": lambda a, f: f.baseline is not None and a == f.baseline,
    "assessments.tis_total": lambda a, f: None if (t := _tis(a, f)) is None else t.total,
    "assessments.tis_category": lambda a, f: None if (t := _tis(a, f)) is None else t.category,
    "assessments.imacs_improved": _imacs,
    **{f"assessments.{m}_xuln": _ratio(m) for m in ("ck", "aldolase", "alt", "ast", "ldh")},
    **{
        f"assessments.tis_{k}_points": _tis_points(k)
        for k in ("physician_global", "patient_global", "mmt", "haq", "enzyme", "extramuscular_global")
    },
    "photos.annotation_count": lambda p, f: len(p.annotations),
    "photos.cropped": lambda p, f: p.crop is not None,
    "phases.phase_no": lambda ph, f: f.phases.index(ph) + 1,
    "phases.kind": lambda ph, f: ph.kind,
    "phases.label": lambda ph, f: ph.label,
    "phases.drug": lambda ph, f: ph.drug,
    "phases.start": lambda ph, f: ph.start,
    "phases.stop": lambda ph, f: ph.end,
    "phases.ongoing": lambda ph, f: ph.end is None,
}


Getter = Callable[[Any, _Facts], Cell]


def _getter(t: TableDef, f: Field) -> Getter:
    """How one column's cell is read from a row's item (decided once per column, not per cell)."""
    if f.meta:
        note = IDENTIFIED_NOTE if f.name == IDENTIFIED_FIELD else None
        return lambda item, facts: note
    if f.name == "age_at_onset":
        return lambda item, facts: (
            facts.record.patient.onset_age
        )  # typed, else derived (capped when disclosed)
    if f.source is not None:
        return lambda item, facts: _stored(f, item, facts.record)
    if f.name == "study_id":
        return lambda item, facts: facts.record.patient.study_id
    rule = DERIVED.get(f"{t.name}.{f.name}")
    if rule is not None:
        return lambda item, facts: cell(f, rule(item, facts))
    if f.name.endswith("_day"):
        base = t.field(f.name.removesuffix("_day"))
        return lambda item, facts: facts.day(_raw_date(t, base, item, facts))
    raise KeyError(f"No rule for the derived column {t.name}.{f.name}")


def _raw_date(t: TableDef, f: Field, item: Any, facts: _Facts) -> date | PartialDate | None:
    if f.source is not None:
        owner = _owner(f, item, facts.record)
        return None if owner is None else getattr(owner, f.source.attribute)
    return DERIVED[f"{t.name}.{f.name}"](item, facts)  # type: ignore[no-any-return]


def _items(name: str, facts: _Facts) -> Sequence[Any]:
    r = facts.record
    return {
        "patients": (r.patient,),
        "antibodies": r.patient.antibodies,
        "medication_courses": sorted(r.courses, key=lambda c: (c.start, c.id or 0)),
        "assessments": sorted(r.assessments, key=lambda a: (a.assessed_on, a.id or 0)),
        "adverse_events": sorted(r.adverse_events, key=lambda e: (e.onset, e.id or 0)),
        "photos": sorted(r.photos, key=lambda p: (p.taken_on or date.max, p.id or 0)),
        "phases": facts.phases,
    }[name]


def build_tables(
    records: Sequence[PatientRecord], disclosure: Disclosure, settings: AnalysisSettings,
    progress: Callable[[int, int], object] | None = None, series: SeriesSettings | None = None,
) -> tuple[ExportTable, ...]:  # fmt: skip
    """Every registry table for ``records`` (the patients to export), as ``disclosure`` lets them out, and the
    series row of ``series`` with ``settings``; ``progress(done, total)`` after each patient."""
    patient_tables = [t for t in TABLES if t.name != SERIES]
    columns = {t.name: t.columns(disclosure.identified) for t in TABLES}
    getters = {t.name: [_getter(t, f) for f in columns[t.name]] for t in patient_tables}
    rows: dict[str, list[tuple[Cell, ...]]] = {t.name: [] for t in TABLES}
    for n, record in enumerate(records):
        facts = _facts(disclosure.record(record), disclosure, settings)
        for t in patient_tables:
            read = getters[t.name]
            rows[t.name].extend(tuple(get(item, facts) for get in read) for item in _items(t.name, facts))
        if progress is not None:
            progress(n + 1, len(records))
    chosen = series or SeriesSettings(cutoff=disclosure.cutoff, index_drug=disclosure.index_drug)
    rows[SERIES].append(series_row(columns[SERIES], chosen, settings, disclosure))
    return tuple(
        ExportTable(t.name, t.label, columns[t.name], tuple(rows[t.name]), t.description) for t in TABLES
    )


def series_row(
    columns: Sequence[Field], series: SeriesSettings, settings: AnalysisSettings, disclosure: Disclosure
) -> tuple[Cell, ...]:
    """The one row of the series table: the series' settings (texts as ``disclosure`` lets them out) and the
    analysis settings."""
    values = series_values(
        SeriesSettings(disclosure.text(series.name), series.cutoff, disclosure.text(series.index_drug)),
        settings,
    )
    return tuple(IDENTIFIED_NOTE if f.meta else cell(f, values.get(f.name)) for f in columns)


# ----------------------------------------------------------------- the codebook


CODEBOOK_HEADER: tuple[str, ...] = (
    "table", "field", "label", "type", "unit", "allowed_values", "derivation", "deidentification", "description",
)  # fmt: skip


def codebook_rows(tables: Sequence[ExportTable]) -> Iterator[tuple[str, ...]]:
    """One row per column of ``tables``, in order, generated from the registry."""
    for t in tables:
        for f in t.columns:
            yield (
                t.name, f.name, f.label, f.type.value, f.unit, f.allowed, f.derivation, f.deidentification,
                f.help,
            )  # fmt: skip


def codebook(tables: Sequence[ExportTable]) -> ExportTable:
    """The codebook as a table of text (field, label, type, unit, allowed values, derivation…)."""
    columns = tuple(
        Field("codebook", name, name.replace("_", " "), FieldType.TEXT) for name in CODEBOOK_HEADER
    )
    return ExportTable("codebook", "Codebook", columns, tuple(codebook_rows(tables)), "One row per column.")


def about_lines(
    tables: Sequence[ExportTable], disclosure: Disclosure, series: str, version: str
) -> list[str]:
    """What the export is, in words: written into every export beside the tables."""
    state = (
        "IDENTIFIED export: it holds names, record numbers, dates of birth and real dates. Keep it as the "
        "patient record itself."
        if disclosure.identified
        else "De-identified export: names, record numbers and dates of birth left out, free text cleaned, "
        "time as days from each patient's day 0."
    )
    counts = ", ".join(f"{t.name} {len(t.rows)}" for t in tables)
    return [
        f"MyoCase {version} data export of the series “{disclosure.text(series)}”.",
        state,
        f"Day 0 of every …_day column: each patient's start of {disclosure.text(disclosure.index_drug)} "
        "(else of the first recorded treatment, else the first record).",
        f"Rows: {counts}.",
        "Layout: one table per file (or sheet), named as the table; the first row holds the field names; "
        "one row per record; missing values are empty. The codebook describes every column.",
        "Text cells starting with = + - or @ carry a leading apostrophe so no spreadsheet runs them.",
    ]
