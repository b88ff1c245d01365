"""What an import would do to a series: every row matched to what is stored, built, validated, and sorted into
records to create, to update and left unchanged, with every problem by file, row and column.

Matching (so that importing the same file twice changes nothing the second time): a patient by study ID (any
case; the stored spelling is kept), a course by patient, drug (any case) and start as written, an assessment
by patient and date, an adverse event by patient, term (any case) and onset; an antibody result by patient and
antibody. A matched record takes the file's value for every column the file has and keeps the others; nothing
stored is deleted. A record the file does not mention is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .fields import SERIES, table
from .import_records import (
    ParsedRow,
    build,
    check,
    identifiers_of,
    onset_age,
    parse_row,
    provenance_of,
    report,
    required_message,
)
from .import_series import CurrentSeries, read_series, series_notes
from .imports import NOT_IMPORTED, ImportPlan, Planned, RowProblem, SourceRow, column_problems, importable
from .records import (
    AdverseEvent,
    AntibodyResult,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
)

Progress = Callable[[int, int], object]  # (rows done, rows in all)


# ----------------------------------------------------------------- planning


def plan_import(
    rows: Sequence[SourceRow],
    existing: Sequence[PatientRecord],
    today: date,
    progress: Progress | None = None,
    current: CurrentSeries | None = None,
) -> ImportPlan:
    """What importing ``rows`` into a series holding ``existing`` (with settings ``current``, when known) would
    do, validated against ``today``; the series row's settings as ``import_series`` decides."""
    planner = _Planner(existing, today)
    found, problems = read_series([r for r in rows if r.table == SERIES], today)
    parsed = planner.parse([r for r in rows if r.table != SERIES], progress)
    planner.patients(parsed.get("patients", []), parsed.get("antibodies", []))
    planner.owned(parsed.get("medication_courses", []), MedicationCourse, _course_key)
    planner.owned(parsed.get("assessments", []), Assessment, lambda c: c.assessed_on)
    planner.owned(
        parsed.get("adverse_events", []), AdverseEvent, lambda e: (e.term.strip().casefold(), e.onset)
    )
    new_series = not existing
    notes = series_notes(found, new_series, current)
    plan = planner.plan()
    return replace(
        plan, problems=tuple(sorted((*problems, *plan.problems), key=_order)), notes=(*plan.notes, *notes),
        series=found, takes_series=found is not None and new_series,
    )  # fmt: skip


def _course_key(course: MedicationCourse) -> Hashable:
    return (course.drug.strip().casefold(), course.start)


def _key(study_id: str) -> str:
    return study_id.strip().casefold()


@dataclass
class _PatientDraft:
    """A patient as the import leaves them, while their antibody rows are merged in."""

    parsed: ParsedRow | None  # their row of the patients table (None: only antibody rows name them)
    before: PatientRecord | None
    patient: Patient
    identifiers: Identifiers | None
    missing: list[str]
    antibodies: dict[str, tuple[AntibodyResult, ParsedRow | None]] = field(default_factory=dict)


class _Planner:
    def __init__(self, existing: Sequence[PatientRecord], today: date) -> None:
        self.today = today
        self.stored = {_key(r.patient.study_id): r for r in existing}
        self.problems: list[RowProblem] = []
        self.notes: list[str] = []
        self.drafts: dict[str, _PatientDraft] = {}
        self.planned: dict[type, list[Planned]] = {}
        self.patients_planned: list[Planned] = []

    # ------------------------------------------------------------ reading
    def parse(self, rows: Sequence[SourceRow], progress: Progress | None) -> dict[str, list[ParsedRow]]:
        """Every row of an imported table read, after its file's columns passed (``column_problems``)."""
        out: dict[str, list[ParsedRow]] = {}
        refused: set[tuple[str, str]] = set()
        for (source, name), group in _by_file(rows).items():
            t = importable(name)
            if t is None:
                self._skip(source, name)
                refused.add((source, name))
                continue
            columns = {k: v for r in group for k, v in r.columns.items()}
            found = column_problems(source, t, {n for r in group for n in r.values}, columns)
            if found:
                self.problems += found
                refused.add((source, name))
        for n, row in enumerate(rows):
            if (row.source, row.table) not in refused:
                out.setdefault(row.table, []).append(parse_row(row, table(row.table)))
            if progress is not None and n % 200 == 199:
                progress(n + 1, len(rows))
        return out

    def _skip(self, source: str, name: str) -> None:
        reason = NOT_IMPORTED.get(name)
        if reason is None:
            known = ", ".join(
                ("patients", "antibodies", "medication_courses", "assessments", "adverse_events")
            )
            self.problems.append(
                RowProblem(source, 0, "", f"{name} is not a table MyoCase imports ({known})")
            )
        else:
            self.notes.append(f"{source}: not read: {reason}.")

    # ------------------------------------------------------------ patients and their antibodies
    def patients(self, rows: list[ParsedRow], antibodies: list[ParsedRow]) -> None:
        seen: dict[Hashable, ParsedRow] = {}
        for parsed in rows:
            key = _key(parsed.study_id)
            if key and self._duplicate(parsed, seen, key, "study ID"):
                self._keep_problems(parsed)
                continue
            self._draft(parsed)
        seen = {}
        for parsed in antibodies:
            self._antibody(parsed, seen)
        for key, draft in self.drafts.items():
            self._finish(key, draft)

    def _draft(self, parsed: ParsedRow) -> None:
        key = _key(parsed.study_id)
        before = self.stored.get(key) if key else None
        given = dict(parsed.given)
        if before is not None:
            given.pop("study_id", None)  # matched: the stored spelling stays
        onset_given = "age_at_onset" in given
        onset = given.pop("age_at_onset", None)
        patient, missing = build(Patient, given, before.patient if before else None)
        if onset_given:
            patient = replace(patient, age_at_onset=onset_age(patient, onset, before))
        patient = replace(patient, provenance=provenance_of(parsed, before))
        identifiers = identifiers_of(parsed, before)
        self.drafts[key or f"row {parsed.row.row}"] = _PatientDraft(
            parsed, before, patient, identifiers, missing
        )

    def _antibody(self, parsed: ParsedRow, seen: dict[Hashable, ParsedRow]) -> None:
        key = _key(parsed.study_id)
        found = self._patient_of(parsed, key)
        name = str(parsed.given.get("antibody") or "").strip()
        if found is None or self._duplicate(parsed, seen, (key, name.casefold()), "antibody result"):
            self._keep_problems(parsed)
            return
        before, _ = found
        draft = self.drafts.get(key)
        if draft is None:  # a patient of the series the file has no patients row for
            assert before is not None
            draft = self.drafts[key] = _PatientDraft(None, before, before.patient, None, [])
        kept = next((a for a in draft.patient.antibodies if a.antibody.casefold() == name.casefold()), None)
        given = {k: v for k, v in parsed.given.items() if k != "antibody" or kept is None}
        result, missing = build(AntibodyResult, given, kept)
        for attribute in missing:
            parsed.problem(attribute, required_message(parsed.table, attribute))
        draft.antibodies[name.casefold()] = (result, parsed)

    def _patient_of(self, parsed: ParsedRow, key: str) -> tuple[PatientRecord | None, str] | None:
        """The patient a row of another table belongs to, in the file's patients table or in the series:
        (as stored, None if new; their study ID); None (with a problem) when there is none."""
        draft = self.drafts.get(key) if key else None
        if draft is not None and draft.parsed is not None:
            return draft.before, draft.patient.study_id
        before = self.stored.get(key) if key else None
        if before is None:
            where = f"no patient {parsed.study_id}" if key else "the study ID is empty"
            parsed.problem("study_id", f"{where} in the patients table or the series: add the patient first")
            return None
        return before, before.patient.study_id

    def _finish(self, key: str, draft: _PatientDraft) -> None:
        merged = {a.antibody.casefold(): a for a in draft.patient.antibodies}
        merged.update({name: result for name, (result, _) in draft.antibodies.items()})
        patient = replace(draft.patient, antibodies=tuple(merged.values()))
        rows = [p for _, p in draft.antibodies.values() if p is not None]
        home = draft.parsed or rows[0]
        problems = check(home, patient, draft.missing, self.today)
        if draft.identifiers is not None:
            problems += check(home, draft.identifiers, [], self.today)
        for problem in problems:
            holder = _antibody_row(problem.message, rows) if problem.field == "antibodies" else None
            report(holder or home, [problem])
        for parsed in dict.fromkeys([home, *rows]):
            self._keep_problems(parsed)
        before = draft.before
        stored, ids = (before.patient, before.identifiers) if before else (None, None)
        where = home.row
        self.patients_planned.append(
            Planned(where.source, where.row, patient.study_id, stored, patient, ids, draft.identifiers)
        )

    # ------------------------------------------------------------ courses, assessments, adverse events
    def owned(self, rows: list[ParsedRow], record: type, key_of: Callable[[Any], Hashable]) -> None:
        seen: dict[Hashable, ParsedRow] = {}
        for parsed in rows:
            key = _key(parsed.study_id)
            found = self._patient_of(parsed, key)
            if found is not None:
                patient, study_id = found
                made, missing = build(
                    record, parsed.given, None, patient_id=patient.patient.id if patient else 0
                )
                matched = self._match(parsed, record, made, missing, key_of, patient)
                if matched is not _NO_MATCH:
                    self._add(parsed, (record, study_id, key), made, missing, matched, key_of, seen)
            self._keep_problems(parsed)

    def _match(
        self, parsed: ParsedRow, record: type, made: Any, missing: list[str],
        key_of: Callable[[Any], Hashable], patient: PatientRecord | None,
    ) -> Any:  # fmt: skip
        """The stored record the row updates (None: a new one); ``_NO_MATCH`` when it cannot be told."""
        if not parsed.ok or missing:
            return None
        stored = [r for r in _owned(patient, record) if key_of(r) == key_of(made)]
        if len(stored) > 1:
            parsed.problem(
                "", f"matches {len(stored)} stored records of this patient: correct them in MyoCase first"
            )
            return _NO_MATCH
        return stored[0] if stored else None

    def _add(
        self, parsed: ParsedRow, whose: tuple[type, str, str], made: Any, missing: list[str], before: Any,
        key_of: Callable[[Any], Hashable], seen: dict[Hashable, ParsedRow],
    ) -> None:  # fmt: skip
        record, study_id, key = whose
        if before is not None:
            made, missing = build(record, parsed.given, before)
        if not missing and self._duplicate(parsed, seen, (key, key_of(made)), "record"):
            return
        report(parsed, check(parsed, made, missing, self.today))
        self.planned.setdefault(record, []).append(
            Planned(parsed.row.source, parsed.row.row, study_id, before, made)
        )

    # ------------------------------------------------------------ helpers
    def _duplicate(
        self, parsed: ParsedRow, seen: dict[Hashable, ParsedRow], key: Hashable, what: str
    ) -> bool:
        first = seen.setdefault(key, parsed)
        if first is parsed:
            return False
        where = (
            f"row {first.row.row}"
            if first.row.source == parsed.row.source
            else f"{first.row.source} row {first.row.row}"
        )
        parsed.problem(
            "", f"the same {what} as {where} (matched by {_MATCHED_BY[parsed.table.name]}): keep one of them"
        )
        return True

    def _keep_problems(self, parsed: ParsedRow) -> None:
        self.problems += parsed.problems
        parsed.problems = []

    def plan(self) -> ImportPlan:
        owned = self.planned
        return ImportPlan(
            tuple(self.patients_planned), tuple(owned.get(MedicationCourse, ())),
            tuple(owned.get(Assessment, ())), tuple(owned.get(AdverseEvent, ())),
            tuple(sorted(self.problems, key=_order)), tuple(self.notes),
        )  # fmt: skip


_NO_MATCH = object()
_MATCHED_BY = {
    "patients": "study ID",
    "antibodies": "study ID and antibody",
    "medication_courses": "study ID, drug and start",
    "assessments": "study ID and date",
    "adverse_events": "study ID, event and onset",
}


def _by_file(rows: Sequence[SourceRow]) -> dict[tuple[str, str], list[SourceRow]]:
    out: dict[tuple[str, str], list[SourceRow]] = {}
    for row in rows:
        out.setdefault((row.source, row.table), []).append(row)
    return out


def _order(p: RowProblem) -> tuple[str, int]:
    return (p.source, p.row)


def _owned(patient: PatientRecord | None, record: type) -> tuple[Any, ...]:
    if patient is None:
        return ()
    return {
        MedicationCourse: patient.courses,
        Assessment: patient.assessments,
        AdverseEvent: patient.adverse_events,
    }[record]


def _antibody_row(message: str, rows: list[ParsedRow]) -> ParsedRow | None:
    """The antibody row a patient's validation problem is about (its message names the antibody)."""
    return next((p for p in rows if str(p.given.get("antibody") or "\0") in message), None)
