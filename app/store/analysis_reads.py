"""The case-series analysis's read: only the columns it uses, in a fixed number of statements, one patient at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from itertools import groupby
from typing import Any, cast

from sqlalchemy import Connection, Row, func, select

from ..domain.analysis import PatientVisits, Visit
from ..domain.dates import PartialDate, Precision
from ..domain.measures import MEASURES
from ..domain.records import AdverseEvent, Identifiers, MedicationCourse, Patient, PatientRecord
from ..domain.vocab import AeAction, DrugClass, Sex, StopReason, Subtype
from .tables import AdverseEventRow, AssessmentRow, CourseRow, IdentifierRow, PatientRow, PhotoRow
from .transactions import Transactions

# The Assessment fields a visit row carries: every measure and its companions (ULN, maximum), no text.
VISIT_FIELDS = ("patient_id", "id", "assessed_on", *(f for m in MEASURES for f in (m.field, *m.companions)))
BUFFER = 2000  # assessment rows fetched at a time
# Stored codes to their values, looked up once each (tens of thousands of courses at registry scale).
DRUG_CLASSES = {c.value: c for c in DrugClass}
STOP_REASONS = {r.value: r for r in StopReason}
PRECISIONS = {p.value: p for p in Precision}


def _partial(value: date | None, precision: str | None) -> PartialDate | None:
    return None if value is None else PartialDate(value, PRECISIONS[precision or Precision.DAY])


def _patients(connection: Connection) -> list[Patient]:
    """Every patient in id order, with what the analysis and the cohort facts read (no antibodies, no text)."""
    p = PatientRow
    columns = (p.id, p.study_id, p.sex, p.birth_year, p.age_at_onset, p.subtype, p.diagnosis_date)
    query = select(*columns, p.diagnosis_precision).order_by(p.id)
    return [
        Patient(
            study_id=row.study_id, subtype=Subtype(row.subtype), sex=Sex(row.sex), birth_year=row.birth_year,
            age_at_onset=row.age_at_onset, diagnosis_date=_partial(row.diagnosis_date, row.diagnosis_precision),
            id=row.id,
        )
        for row in connection.execute(query)
    ]  # fmt: skip


def _courses(connection: Connection) -> dict[int, list[MedicationCourse]]:
    """Each patient's courses in the order every other read lists them (start, then id): without dose and notes."""
    c = CourseRow
    query = select(
        c.id, c.patient_id, c.drug, c.drug_class, c.start_date, c.start_precision, c.stop_date, c.stop_precision,
        c.stop_reason,
    ).order_by(c.start_date, c.id)  # fmt: skip
    courses: dict[int, list[MedicationCourse]] = {}
    for row in connection.execute(query):
        course = MedicationCourse(
            row.patient_id, row.drug, DRUG_CLASSES[row.drug_class],
            cast(PartialDate, _partial(row.start_date, row.start_precision)),
            _partial(row.stop_date, row.stop_precision), STOP_REASONS[row.stop_reason] if row.stop_reason else None,
            id=row.id,
        )  # fmt: skip
        courses.setdefault(row.patient_id, []).append(course)
    return courses


def _adverse_events(connection: Connection) -> dict[int, list[AdverseEvent]]:
    """Each patient's adverse events (onset, then id): what the cohort's discontinuations name."""
    e = AdverseEventRow
    query = select(e.id, e.patient_id, e.term, e.grade, e.onset_date, e.suspected_drug, e.action).order_by(
        e.onset_date, e.id
    )
    events: dict[int, list[AdverseEvent]] = {}
    for eid, pid, term, grade, onset, drug, action in connection.execute(query):
        event = AdverseEvent(pid, term, grade, onset, suspected_drug=drug, action=AeAction(action), id=eid)
        events.setdefault(pid, []).append(event)
    return events


def _first_dated(connection: Connection, events: dict[int, list[AdverseEvent]]) -> dict[int, date]:
    """Each patient's earliest assessment, adverse event or photo: day 0 of a patient without a course."""
    first: dict[int, date] = {pid: min(e.onset for e in found) for pid, found in events.items()}
    for row, column in ((AssessmentRow, AssessmentRow.assessed_on), (PhotoRow, PhotoRow.taken_on)):
        query = select(row.patient_id, func.min(column)).group_by(row.patient_id)
        for pid, day in connection.execute(query):
            if day is not None:
                first[pid] = min(day, first.get(pid, day))
    return first


class AnalysisReads(Transactions):
    """The reads behind ``myocase stats`` and the analysis window: lean rows, never a full record per patient."""

    def patient_count(self) -> int:
        """How many patients the series holds (what a progress line counts to), in one statement."""
        with self._read() as session:
            return session.scalar(select(func.count(PatientRow.id))) or 0

    def series_identifiers(self) -> list[Identifiers]:
        """Every patient's identifiers (what the de-identification rule removes), in one statement."""
        i = IdentifierRow
        query = select(i.patient_id, i.full_name, i.mrn, i.date_of_birth).order_by(i.patient_id)
        with self._read() as session:
            return [Identifiers(*row) for row in session.connection().execute(query)]

    def analysis_rows(self, measure: str) -> Iterator[PatientVisits]:
        """Every patient in id order, as the analysis of ``measure`` reads them (``PatientVisits``): six
        statements whatever the number of patients, the assessments streamed ``BUFFER`` rows at a time."""
        columns = [getattr(AssessmentRow, name) for name in VISIT_FIELDS]
        value = getattr(AssessmentRow, measure)
        query = (
            select(*columns)
            .where(value.is_not(None))
            .order_by(AssessmentRow.patient_id, AssessmentRow.assessed_on, AssessmentRow.id)
            .execution_options(yield_per=BUFFER)
        )
        with self._read() as session:
            connection = session.connection()
            patients, courses, events = (
                _patients(connection),
                _courses(connection),
                _adverse_events(connection),
            )
            first = _first_dated(connection, events)
            grouped = groupby(connection.execute(query), key=lambda row: cast(int, row.patient_id))
            groups = ((pid, tuple(rows)) for pid, rows in grouped)
            ahead = next(groups, None)
            for patient in patients:
                pid = patient.id or 0
                while ahead is not None and ahead[0] < pid:
                    ahead = next(groups, None)
                rows: Sequence[Row[Any]] = ahead[1] if ahead is not None and ahead[0] == pid else ()
                record = PatientRecord(
                    patient, courses=tuple(courses.get(pid, ())), adverse_events=tuple(events.get(pid, ()))
                )
                yield PatientVisits(record, cast(Sequence[Visit], rows), first.get(pid))
