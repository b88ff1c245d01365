"""The cohort figures' read: only the columns the spaghetti and swimmer plots use, in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from ..domain.measures import by_field
from ..domain.plot_spec import PatientData
from ..domain.records import AdverseEvent, Assessment, MedicationCourse, Patient
from ..domain.vocab import AeAction, AeOutcome, Subtype
from .analysis_reads import DRUG_CLASSES, STOP_REASONS, SUBTYPES
from .bulk_reads import PartialDates, collector_paused
from .tables import AdverseEventRow, AssessmentRow, CourseRow, PatientRow
from .transactions import Transactions

# What the read fills of each record (the rest keeps its default): what the figures read of it, and what the
# caller lets out through the de-identification rule field by field.
PATIENT_FIELDS = ("id", "study_id", "subtype")
COURSE_FIELDS = (
    "id", "patient_id", "drug", "drug_class", "start", "stop", "stop_reason", "dose", "unit", "frequency",
)  # fmt: skip
EVENT_FIELDS = (
    "id", "patient_id", "term", "grade", "onset", "resolution", "serious", "suspected_drug", "action", "outcome",
)  # fmt: skip
ACTIONS = {a.value: a for a in AeAction}
OUTCOMES = {o.value: o for o in AeOutcome}


def assessment_fields(measure: str) -> tuple[str, ...]:
    """What the spaghetti plot reads of an assessment: its patient, id and date, the measure and its companions
    (upper limit of normal, maximum: the tooltip's value in words)."""
    return ("patient_id", "id", "assessed_on", measure, *by_field()[measure].companions)


def _in_group(column: Any, subtypes: Sequence[Subtype]) -> Any:
    """``column`` (a patient id) names a patient of ``subtypes`` (always true for every subtype)."""
    if set(subtypes) >= set(Subtype):
        return column.is_not(None)
    members = select(PatientRow.id).where(PatientRow.subtype.in_(sorted({s.value for s in subtypes})))
    return column.in_(members)


def _patients(connection: Connection, subtypes: Sequence[Subtype]) -> list[Patient]:
    p = PatientRow
    query = select(p.id, p.study_id, p.subtype).where(_in_group(p.id, subtypes)).order_by(p.id)
    return [Patient(sid, SUBTYPES[subtype], id=pid) for pid, sid, subtype in connection.execute(query)]


def _courses(connection: Connection, subtypes: Sequence[Subtype]) -> dict[int, list[MedicationCourse]]:
    """Each patient's courses in the order a full record lists them (start, then id), without their notes."""
    c = CourseRow
    query = (
        select(c.id, c.patient_id, c.drug, c.drug_class, c.start_date, c.start_precision, c.stop_date,
               c.stop_precision, c.stop_reason, c.dose, c.unit, c.frequency)
        .where(_in_group(c.patient_id, subtypes))
        .order_by(c.start_date, c.id)
    )  # fmt: skip
    courses: dict[int, list[MedicationCourse]] = {}
    partials = PartialDates()
    rows = connection.execute(query).all()
    for cid, pid, drug, kind, start, start_in, stop, stop_in, reason, dose, unit, frequency in rows:  # fmt: skip
        course = MedicationCourse(
            pid, drug, DRUG_CLASSES[kind], partials[start, start_in],
            None if stop is None else partials[stop, stop_in], STOP_REASONS[reason] if reason else None,
            dose, unit, frequency, id=cid,
        )  # fmt: skip
        courses.setdefault(pid, []).append(course)
    return courses


def _events(connection: Connection, subtypes: Sequence[Subtype]) -> dict[int, list[AdverseEvent]]:
    """Each patient's adverse events in the order a full record lists them (onset, then id), without notes."""
    e = AdverseEventRow
    query = (
        select(e.id, e.patient_id, e.term, e.grade, e.onset_date, e.resolution_date, e.serious, e.suspected_drug,
               e.action, e.outcome)
        .where(_in_group(e.patient_id, subtypes))
        .order_by(e.onset_date, e.id)
    )  # fmt: skip
    events: dict[int, list[AdverseEvent]] = {}
    rows = connection.execute(query).all()
    for eid, pid, term, grade, onset, resolved, serious, drug, action, outcome in rows:
        event = AdverseEvent(
            pid, term, grade, onset, resolved, serious, drug, ACTIONS[action], OUTCOMES[outcome], id=eid
        )
        events.setdefault(pid, []).append(event)
    return events


def _assessments(
    connection: Connection, measure: str, subtypes: Sequence[Subtype], cutoff: date
) -> dict[int, list[Assessment]]:
    """Each patient's assessments with a value of ``measure`` by the cut-off (date, then id), with only
    ``assessment_fields``."""
    names = assessment_fields(measure)
    a = AssessmentRow
    query = (
        select(*(getattr(a, name) for name in names))
        .where(getattr(a, measure).is_not(None), a.assessed_on <= cutoff, _in_group(a.patient_id, subtypes))
        .order_by(a.assessed_on, a.id)
    )
    found: dict[int, list[Assessment]] = {}
    for row in connection.execute(query).all():
        found.setdefault(row[0], []).append(Assessment(**dict(zip(names, row, strict=True))))
    return found


class CohortReads(Transactions):
    """The read behind the cohort window's spaghetti and swimmer plots: lean rows, never a full record."""

    def cohort_rows(self, measure: str, subtypes: Sequence[Subtype], cutoff: date) -> list[PatientData]:
        """Every patient of ``subtypes`` in id order with what the cohort figures read (``PATIENT_FIELDS``, every
        course with ``COURSE_FIELDS``, every adverse event with ``EVENT_FIELDS``, and the assessments with a
        value of ``measure`` by the ``cutoff`` with ``assessment_fields``): four statements, whatever the size."""
        with collector_paused(), self._read() as session:  # every object built is kept
            connection = session.connection()
            patients = _patients(connection, subtypes)
            courses, events = _courses(connection, subtypes), _events(connection, subtypes)
            visits = _assessments(connection, measure, subtypes, cutoff)
        return [
            PatientData(
                p,
                tuple(courses.get(p.id or 0, ())),
                tuple(visits.get(p.id or 0, ())),
                tuple(events.get(p.id or 0, ())),
            )
            for p in patients
        ]
