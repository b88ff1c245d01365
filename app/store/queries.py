"""The reads of the storage facade: frozen records out, each query in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain.phases import Judged, ListedCourse, drugs_ever, drugs_on, index_status
from ..domain.records import (
    AdverseEvent,
    AntibodyResult,
    Assessment,
    AuditEntry,
    Counts,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    PatientSummary,
    Photo,
    PhotoComparison,
    SeriesSettings,
)
from ..domain.validation import Problem, ValidationError
from ..domain.vocab import AntibodyStatus, DrugClass, Sex, Subtype
from . import audit, mapping, watch
from .bulk_reads import PartialDates, collector_paused
from .kinds import KINDS, R
from .tables import (
    AdverseEventRow,
    AntibodyRow,
    AssessmentRow,
    ComparisonRow,
    CourseRow,
    IdentifierRow,
    PatientRow,
    PhotoDataRow,
    PhotoRow,
    SettingRow,
)
from .transactions import Transactions

SUMMARY_CHUNK = 2000  # patients read together for the list: a progress step for a large series


def patient_summary(
    patient: Patient,
    courses: Sequence[Judged],
    assessed: tuple[date | None, int],
    index_drug: str,
    on_day: date,
) -> PatientSummary:
    """A patient's row in the patient list (``assessed``: the last assessment's date and how many there
    are): current drugs and status judged on ``on_day``."""
    return PatientSummary(
        id=patient.id or 0,
        study_id=patient.study_id,
        subtype=patient.subtype,
        sex=patient.sex,
        positive_antibodies=patient.positive_antibodies,
        current_drugs=drugs_on(courses, on_day),
        last_assessment=assessed[0],
        assessments=assessed[1],
        drugs_ever=drugs_ever(courses),
        status=index_status(courses, index_drug, on_day),
    )


@dataclass(frozen=True)
class PatientBundle:
    """One patient's records and their photos' thumbnails, read together in one transaction: what
    every view of the selected patient shows."""

    record: PatientRecord
    thumbnails: Mapping[int, bytes] = field(default_factory=dict, repr=False)

    def summary(self, series: SeriesSettings, today: date) -> PatientSummary:
        record = self.record
        on_day = series.cutoff_or(today)
        dates = [a.assessed_on for a in record.assessments]
        assessed = (max(dates, default=None), len(dates))
        return patient_summary(record.patient, record.courses, assessed, series.index_drug, on_day)


def _listed_patients(session: Session) -> list[Patient]:
    """Every patient with what the list shows of them (study ID, subtype, sex, positive antibodies), in
    study-ID order, read as plain rows in two statements."""
    connection = session.connection()
    positive: dict[int, list[AntibodyResult]] = {}
    for pid, antibody in connection.execute(
        select(AntibodyRow.patient_id, AntibodyRow.antibody)
        .where(AntibodyRow.status == AntibodyStatus.POSITIVE.value)
        .order_by(AntibodyRow.id)
    ).all():
        positive.setdefault(pid, []).append(AntibodyResult(antibody, AntibodyStatus.POSITIVE))
    subtypes, sexes = {s.value: s for s in Subtype}, {s.value: s for s in Sex}
    rows = connection.execute(
        select(PatientRow.id, PatientRow.study_id, PatientRow.subtype, PatientRow.sex).order_by(
            PatientRow.study_id
        )
    ).all()
    return [
        Patient(study_id, subtypes[subtype], sexes[sex], antibodies=tuple(positive.get(pid, ())), id=pid)
        for pid, study_id, subtype, sex in rows
    ]


class _ListedCourses:
    """Each patient's courses (in id order) with what the list judges from them (drug, class, start and the
    stop's last day), from plain rows; the same date or code read again is made once across the chunks of
    one read (a registry repeats them many thousand times)."""

    def __init__(self) -> None:
        self.classes = {c.value: c for c in DrugClass}
        self.starts, self.stops = PartialDates(), PartialDates()
        self.last_days: dict[tuple[date, str | None], date] = {}  # each stop's latest day, worked out once

    def read(self, session: Session, first: int, last: int) -> dict[int, list[ListedCourse]]:
        """The courses of the patients whose ids lie from ``first`` to ``last``."""
        found: dict[int, list[ListedCourse]] = {}
        c = CourseRow
        query = select(c.patient_id, c.drug, c.drug_class, c.start_date, c.start_precision, c.stop_date,
                       c.stop_precision).where(c.patient_id.between(first, last)).order_by(c.id)  # fmt: skip
        for pid, drug, drug_class, start, start_precision, stop, stop_precision in (
            session.connection().execute(query).all()
        ):
            ends = None if stop is None else self.last_days.get((stop, stop_precision))
            if stop is not None and ends is None:
                ends = self.last_days[stop, stop_precision] = self.stops[stop, stop_precision].latest()
            found.setdefault(pid, []).append(
                ListedCourse(drug, self.classes[drug_class], self.starts[start, start_precision], ends)
            )
        return found


def _assessed(session: Session, first: int, last: int) -> dict[int, tuple[date | None, int]]:
    """The last assessment's date and the number of assessments of the patients with ids ``first``–``last``."""
    a = AssessmentRow
    query = select(a.patient_id, func.max(a.assessed_on), func.count()).where(
        a.patient_id.between(first, last)
    )
    return {pid: (day, n) for pid, day, n in session.connection().execute(query.group_by(a.patient_id)).all()}


def read_series(session: Session) -> SeriesSettings:
    stored = {row.key: json.loads(row.value) for row in session.scalars(select(SettingRow))}
    cutoff = stored.get("cutoff")
    return SeriesSettings(
        name=stored.get("name", SeriesSettings.name),
        cutoff=date.fromisoformat(cutoff) if cutoff else None,
        index_drug=stored.get("index_drug", SeriesSettings.index_drug),
        is_demo=bool(stored.get("is_demo", False)),
    )


def _listed(session: Session, record_type: type[R], patient_id: int | None) -> list[R]:
    kind = KINDS[record_type]
    query = select(kind.row).order_by(getattr(kind.row, kind.order_by), kind.row.id)
    if patient_id is not None:
        query = query.where(kind.row.patient_id == patient_id)
    return [kind.to_record(row) for row in session.scalars(query)]


def _photos(session: Session, patient_id: int | None) -> list[Photo]:
    query = select(PhotoRow).order_by(PhotoRow.taken_on.nulls_first(), PhotoRow.id)
    if patient_id is not None:
        query = query.where(PhotoRow.patient_id == patient_id)
    return [mapping.photo_record(row) for row in session.scalars(query)]


def _comparisons(session: Session, patient_id: int | None) -> list[PhotoComparison]:
    query = select(ComparisonRow).order_by(ComparisonRow.id)
    if patient_id is not None:
        query = query.where(ComparisonRow.patient_id == patient_id)
    return [mapping.comparison_record(row) for row in session.scalars(query)]


def _owned(session: Session, patient_id: int | None, photos: bool = True) -> dict[str, list[Any]]:
    """Everything recorded about one patient (or all of them), by ``PatientRecord`` field."""
    return {
        "courses": _listed(session, MedicationCourse, patient_id),
        "assessments": _listed(session, Assessment, patient_id),
        "adverse_events": _listed(session, AdverseEvent, patient_id),
        "photos": _photos(session, patient_id) if photos else [],
        "comparisons": _comparisons(session, patient_id),
    }


def photo_data(session: Session, patient_id: int) -> dict[int, tuple[bytes, bytes]]:
    """Image and thumbnail bytes of one patient's photos, by photo id."""
    query = (
        select(PhotoDataRow.photo_id, PhotoDataRow.image, PhotoDataRow.thumbnail)
        .join(PhotoRow, PhotoRow.id == PhotoDataRow.photo_id)
        .where(PhotoRow.patient_id == patient_id)
    )
    return {photo_id: (image, thumbnail) for photo_id, image, thumbnail in session.execute(query)}


def _record_of(
    patient: Patient, identifiers: Identifiers | None, owned: dict[str, list[Any]]
) -> PatientRecord:
    return PatientRecord(
        patient=patient,
        identifiers=identifiers,
        courses=tuple(owned.get("courses", ())),
        assessments=tuple(owned.get("assessments", ())),
        adverse_events=tuple(owned.get("adverse_events", ())),
        photos=tuple(owned.get("photos", ())),
        comparisons=tuple(owned.get("comparisons", ())),
    )


class Queries(Transactions):
    """Every read of the facade; nothing here writes."""

    # ------------------------------------------------------------ settings
    def settings(self) -> SeriesSettings:
        with self._read() as session:
            return read_series(session)

    def preference(self, key: str) -> Any:
        """A stored JSON value (analysis settings, thresholds, report settings), or None."""
        with self._read() as session:
            row = session.get(SettingRow, key)
            return json.loads(row.value) if row else None

    # ------------------------------------------------------------ the series
    def is_empty(self) -> bool:
        with self._read() as session:
            return session.scalar(select(func.count(PatientRow.id))) == 0

    def drugs(self) -> list[str]:
        """Every drug name some course records, each once, in alphabetical order."""
        with self._read() as session:
            return list(session.scalars(select(CourseRow.drug).distinct().order_by(CourseRow.drug)))

    def counts(self) -> Counts:
        with self._read() as session:

            def count(row: type[Any]) -> int:
                return session.scalar(select(func.count()).select_from(row)) or 0

            by_subtype = dict(
                session.execute(select(PatientRow.subtype, func.count()).group_by(PatientRow.subtype)).all()
            )
            return Counts(
                patients=count(PatientRow),
                medication_courses=count(CourseRow),
                assessments=count(AssessmentRow),
                adverse_events=count(AdverseEventRow),
                photos=count(PhotoRow),
                by_subtype={s.value: by_subtype[s.value] for s in Subtype if s.value in by_subtype},
            )

    def patients(self) -> list[Patient]:
        with self._read() as session:
            return self._patients(session)

    @staticmethod
    def _patients(session: Session) -> list[Patient]:
        query = select(PatientRow).options(selectinload(PatientRow.antibodies)).order_by(PatientRow.study_id)
        return [mapping.patient_record(row) for row in session.scalars(query)]

    def patient(self, patient_id: int) -> Patient:
        with self._read() as session:
            return mapping.patient_record(self._patient_row(session, patient_id))

    def patient_by_study_id(self, study_id: str) -> Patient | None:
        with self._read() as session:
            row = session.scalar(
                select(PatientRow).where(func.lower(PatientRow.study_id) == study_id.strip().lower())
            )
            return mapping.patient_record(row) if row else None

    def identifiers(self, patient_id: int) -> Identifiers | None:
        with self._read() as session:
            row = session.get(IdentifierRow, patient_id)
            return mapping.identifiers_record(row) if row else None

    # ------------------------------------------------------------ records
    def courses(self, patient_id: int | None = None) -> list[MedicationCourse]:
        with self._read() as session:
            return _listed(session, MedicationCourse, patient_id)

    def assessments(self, patient_id: int | None = None) -> list[Assessment]:
        with self._read() as session:
            return _listed(session, Assessment, patient_id)

    def adverse_events(self, patient_id: int | None = None) -> list[AdverseEvent]:
        with self._read() as session:
            return _listed(session, AdverseEvent, patient_id)

    def patient_record(self, patient_id: int) -> PatientRecord:
        """Everything stored about one patient (photo pixels excepted), in one transaction."""
        with self._read() as session:
            return self._record(session, patient_id)

    def patient_bundle(self, patient_id: int) -> PatientBundle:
        """The patient's records and their photos' thumbnails, in one transaction of seven statements."""
        with self._read() as session:
            record = self._record(session, patient_id, photos=False)
            query = (
                select(PhotoRow, PhotoDataRow.thumbnail)
                .join(PhotoDataRow, PhotoDataRow.photo_id == PhotoRow.id)
                .where(PhotoRow.patient_id == patient_id)
                .order_by(PhotoRow.taken_on.nulls_first(), PhotoRow.id)
            )
            rows = session.execute(query).all()
        photos = tuple(mapping.photo_record(row) for row, _ in rows)
        thumbnails = {row.id: thumbnail for row, thumbnail in rows}
        return PatientBundle(replace(record, photos=photos), thumbnails)

    def _record(self, session: Session, patient_id: int, photos: bool = True) -> PatientRecord:
        query = (
            select(PatientRow, IdentifierRow)
            .outerjoin(IdentifierRow, IdentifierRow.patient_id == PatientRow.id)
            .where(PatientRow.id == patient_id)
            .options(joinedload(PatientRow.antibodies))
        )
        found = session.execute(query).unique().first()
        if found is None:
            raise ValidationError([Problem("patient_id", f"Patient {patient_id} no longer exists.")])
        row, identifier_row = found
        identifiers = mapping.identifiers_record(identifier_row) if identifier_row else None
        return _record_of(mapping.patient_record(row), identifiers, _owned(session, patient_id, photos))

    def patient_records(self) -> list[PatientRecord]:
        """Every patient with everything recorded about them (photo pixels excepted), in one transaction."""
        with self._read() as session:
            identifiers = {
                row.patient_id: mapping.identifiers_record(row)
                for row in session.scalars(select(IdentifierRow))
            }
            by_patient: dict[int, dict[str, list[Any]]] = {}
            for name, items in _owned(session, None).items():
                for item in items:
                    by_patient.setdefault(item.patient_id, {}).setdefault(name, []).append(item)
            patients = self._patients(session)
        return [
            _record_of(patient, identifiers.get(patient.id or 0), by_patient.get(patient.id or 0, {}))
            for patient in patients
        ]

    def patient_summaries(self, progress: Callable[[int, int], None] | None = None) -> list[PatientSummary]:
        """The patient list: one row per patient, current drugs and status judged at the cut-off.
        ``progress(done, total)`` is called after each chunk of patients (it may raise to stop the read)."""
        with collector_paused():
            with self._read() as session:
                series = read_series(session)
                on_day = series.cutoff_or(self.today())
                patients = _listed_patients(session)
                by_id = sorted(patients, key=lambda p: p.id or 0)
                courses, listed = _ListedCourses(), dict[int, PatientSummary]()
                for done in range(0, len(by_id), SUMMARY_CHUNK):
                    chunk = by_id[done : done + SUMMARY_CHUNK]
                    first, last = chunk[0].id or 0, chunk[-1].id or 0
                    assessed, judged = _assessed(session, first, last), courses.read(session, first, last)
                    for p in chunk:
                        pid = p.id or 0
                        listed[pid] = patient_summary(
                            p, judged.get(pid, []), assessed.get(pid, (None, 0)), series.index_drug, on_day
                        )
                    if progress is not None:
                        progress(done + len(chunk), len(by_id))
            return [listed[p.id or 0] for p in patients]

    def audit_trail(self, patient_id: int | None = None, limit: int = 500) -> list[AuditEntry]:
        with self._read() as session:
            return audit.entries(session, patient_id, limit)

    def change_mark(self) -> int:
        """The series' change mark (``watch``): it moves with every committed write, by anyone."""
        with self._read() as session:
            return watch.change_mark(session)

    def written_since(self, mark: int, own: Collection[watch.Key] = ()) -> watch.Written | None:
        """What others wrote after ``mark`` (``own``: records this window wrote itself meanwhile)."""
        with self._read() as session:
            return watch.written_since(session, mark, own)

    def history(self, patient_id: int) -> list[AuditEntry]:
        """Every change to one patient's records, newest first, in one statement (the History window)."""
        with self._read() as session:
            return audit.entries(session, patient_id, limit=None)

    # ------------------------------------------------------------ photos
    def photos(self, patient_id: int | None = None) -> list[Photo]:
        """Photo descriptions only: the pixels are never loaded by a listing."""
        with self._read() as session:
            return _photos(session, patient_id)

    def comparisons(self, patient_id: int | None = None) -> list[PhotoComparison]:
        with self._read() as session:
            return _comparisons(session, patient_id)

    def photo(self, photo_id: int) -> Photo:
        with self._read() as session:
            return mapping.photo_record(self._photo_row(session, photo_id))

    def photo_by_hash(self, sha256: str) -> Photo | None:
        with self._read() as session:
            row = session.scalar(select(PhotoRow).where(PhotoRow.sha256 == sha256))
            return mapping.photo_record(row) if row else None

    def photo_image(self, photo_id: int) -> bytes:
        """The cleaned, upright image as stored (JPEG or PNG)."""
        return self._pixels(PhotoDataRow.image, photo_id)

    def photo_thumbnail(self, photo_id: int) -> bytes:
        return self._pixels(PhotoDataRow.thumbnail, photo_id)

    def _pixels(self, column: Any, photo_id: int) -> bytes:
        with self._read() as session:
            data = session.scalar(select(column).where(PhotoDataRow.photo_id == photo_id))
        if data is None:
            raise ValidationError([Problem("id", f"Photo {photo_id} no longer exists.")])
        return data  # type: ignore[no-any-return]

    @staticmethod
    def _photo_row(session: Session, photo_id: int) -> PhotoRow:
        row = session.get(PhotoRow, photo_id)
        if row is None:
            raise ValidationError([Problem("id", f"Photo {photo_id} no longer exists.")])
        return row
