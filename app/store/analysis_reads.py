"""The case-series analysis's read: only the columns it uses, in a fixed number of statements, one patient at a time."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import cache, partial
from itertools import chain, groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, func, select

from ..domain.analysis import TIS_FIELDS, PatientVisits, Visit
from ..domain.cohort import discontinuing_events
from ..domain.phases import analysed_courses
from ..domain.records import AdverseEvent, Assessment, Identifiers, MedicationCourse, Patient, PatientRecord
from ..domain.vocab import AeAction, DrugClass, Sex, StopReason, Subtype
from .bulk_reads import PartialDates, collector_paused
from .tables import AdverseEventRow, AssessmentRow, CourseRow, IdentifierRow, PatientRow, PhotoRow
from .transactions import Transactions

# The Assessment fields every visit row carries besides the measure: its patient, id and date (what choosing
# a baseline and a follow-up reads); what the TIS reads of the two chosen is read after, by id (``tis_visits``).
VISIT_FIELDS = ("patient_id", "id", "assessed_on")
TIS_VISIT_FIELDS = (*VISIT_FIELDS, *TIS_FIELDS)  # no text
BUFFER = 2000  # assessment rows fetched at a time
IDS_PER_STATEMENT = 10_000  # ids bound in one ``IN`` (SQLite allows 32,766 parameters)
# Stored codes to their values, looked up once each (tens of thousands of courses at registry scale).
DRUG_CLASSES = {c.value: c for c in DrugClass}
STOP_REASONS = {r.value: r for r in StopReason}
SUBTYPES = {s.value: s for s in Subtype}
SEXES = {s.value: s for s in Sex}


def _patients(connection: Connection) -> list[Patient]:
    """Every patient in id order, with what the analysis and the cohort facts read (no antibodies, no text)."""
    p = PatientRow
    columns = (p.id, p.study_id, p.sex, p.birth_year, p.age_at_onset, p.subtype, p.diagnosis_date)
    query = select(*columns, p.diagnosis_precision).order_by(p.id)
    partials = PartialDates()
    return [
        Patient(
            study_id=study_id, subtype=SUBTYPES[subtype], sex=SEXES[sex], birth_year=birth_year,
            age_at_onset=age_at_onset, diagnosis_date=None if diagnosed is None else partials[diagnosed, precision],
            id=pid,
        )
        for pid, study_id, sex, birth_year, age_at_onset, subtype, diagnosed, precision in connection.execute(query)
    ]  # fmt: skip


def _courses(connection: Connection) -> dict[int, list[MedicationCourse]]:
    """Each patient's courses in the order every other read lists them (start, then id): without dose and notes."""
    c = CourseRow
    query = select(
        c.id, c.patient_id, c.drug, c.drug_class, c.start_date, c.start_precision, c.stop_date, c.stop_precision,
        c.stop_reason,
    ).order_by(c.start_date, c.id)  # fmt: skip
    courses: dict[int, list[MedicationCourse]] = {}
    partials = PartialDates()
    for (
        cid,
        pid,
        drug,
        drug_class,
        start,
        start_precision,
        stop,
        stop_precision,
        reason,
    ) in connection.execute(query):
        course = MedicationCourse(
            pid, drug, DRUG_CLASSES[drug_class], partials[start, start_precision],
            None if stop is None else partials[stop, stop_precision], STOP_REASONS[reason] if reason else None,
            id=cid,
        )  # fmt: skip
        courses.setdefault(pid, []).append(course)
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

    def tis_visits(self, ids: Iterable[int]) -> dict[int, Assessment]:
        """The assessments ``ids`` with what the total improvement score reads of them (``TIS_VISIT_FIELDS``), by
        id: one statement per ``IDS_PER_STATEMENT`` ids."""
        wanted = sorted(set(ids))
        columns = [getattr(AssessmentRow, name) for name in TIS_VISIT_FIELDS]
        found: dict[int, Assessment] = {}
        with collector_paused(), self._read() as session:
            connection = session.connection()
            for first in range(0, len(wanted), IDS_PER_STATEMENT):
                chunk = wanted[first : first + IDS_PER_STATEMENT]
                for row in connection.execute(select(*columns).where(AssessmentRow.id.in_(chunk))):
                    found[row.id] = Assessment(**dict(zip(TIS_VISIT_FIELDS, row, strict=True)))
        return found

    def analysis_rows(self, measure: str, index_drug: str | None = None) -> Iterator[PatientVisits]:
        """Every patient in id order, as the analysis of ``measure`` reads them (``PatientVisits``): six
        statements whatever the number of patients, the assessments streamed ``BUFFER`` rows at a time.
        Given the ``index_drug``, each record holds only what the analysis, the cohort facts and day 0 read
        of it (``analysed_courses``, ``discontinuing_events``); without it, every course and adverse event."""
        names = tuple(dict.fromkeys((*VISIT_FIELDS, measure)))
        columns = [getattr(AssessmentRow, name) for name in names]
        as_visit: Any = partial(tuple.__new__, _visit_type(names))  # as ``_make``, without its length check
        value = getattr(AssessmentRow, measure)
        query = (
            select(*columns)
            .where(value.is_not(None))
            .order_by(AssessmentRow.patient_id, AssessmentRow.assessed_on, AssessmentRow.id)
            .execution_options(yield_per=BUFFER)
        )
        with collector_paused(), self._read() as session:  # its consumer builds as many objects again
            connection = session.connection()
            patients, courses, events = (
                _patients(connection),
                _courses(connection),
                _adverse_events(connection),
            )
            first = _first_dated(connection, events)
            with connection.execute(query) as visits:  # closed when the reader stops early too
                # by the patient's id, fetched ``BUFFER`` rows at a time rather than row by row
                grouped = groupby(chain.from_iterable(visits.partitions()), key=itemgetter(0))
                groups = ((pid, tuple(map(as_visit, rows))) for pid, rows in grouped)
                ahead = next(groups, None)
                for patient in patients:
                    pid = patient.id or 0
                    while ahead is not None and ahead[0] < pid:
                        ahead = next(groups, None)
                    rows: Sequence[Visit] = ahead[1] if ahead is not None and ahead[0] == pid else ()
                    record = _lean_record(patient, courses.get(pid, ()), events.get(pid, ()), index_drug)
                    yield PatientVisits(record, rows, first.get(pid))


@cache
def _visit_type(names: tuple[str, ...]) -> Any:
    """The plain named tuple a visit row becomes (one type per measure): its fields read in a few nanoseconds,
    where a stored ``Row`` looks each name up (choosing a baseline, a follow-up and the phase values read the
    date and the measure of every visit several times over)."""
    return namedtuple("VisitRow", names)


def _lean_record(
    patient: Patient,
    courses: Sequence[MedicationCourse],
    events: Sequence[AdverseEvent],
    index_drug: str | None,
) -> PatientRecord:
    """The patient's record without assessments: given the index drug, only what the analysis reads of it."""
    if index_drug is None:
        return PatientRecord(patient, courses=tuple(courses), adverse_events=tuple(events))
    return PatientRecord(
        patient,
        courses=analysed_courses(courses, index_drug),
        adverse_events=discontinuing_events(events, index_drug),
    )
