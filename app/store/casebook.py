"""The storage facade: opens a case series, hands out frozen records, writes in one transaction.

Every command validates with the domain's rules, writes in a single transaction with its
audit rows, and returns the stored record. Nothing outside this package sees a Session.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, func, make_url, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..domain.phases import drugs_ever, drugs_on, index_status
from ..domain.records import (
    AdverseEvent,
    Assessment,
    AuditEntry,
    Counts,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    PatientSummary,
    Photo,
    SeriesSettings,
)
from ..domain.validation import (
    Problem,
    ValidationError,
    raise_if,
    validate_adverse_event,
    validate_assessment,
    validate_course,
    validate_identifiers,
    validate_patient,
    validate_settings,
)
from ..domain.vocab import Sex, Subtype
from . import audit, mapping
from .database import (
    StorageError,
    make_engine,
    prepare_database,
    prepare_server_database,
    sqlite_url,
    stored_revision,
)
from .photo_commands import PhotoCommands
from .tables import (
    AdverseEventRow,
    AssessmentRow,
    CourseRow,
    IdentifierRow,
    PatientRow,
    PhotoRow,
    SettingRow,
)

R = TypeVar("R", MedicationCourse, Assessment, AdverseEvent)


@dataclass(frozen=True)
class _Kind:
    """How one kind of patient-owned record is stored."""

    entity: str
    row: type[Any]
    to_record: Callable[[Any], Any]
    fill_row: Callable[[Any, Any], None]
    validate: Callable[[Any, date], list[Problem]]
    order_by: str


_KINDS: dict[type, _Kind] = {
    MedicationCourse: _Kind(
        "medication_course", CourseRow, mapping.course_record, mapping.fill_course_row, validate_course,
        "start_date",
    ),
    Assessment: _Kind(
        "assessment", AssessmentRow, mapping.assessment_record, mapping.fill_assessment_row,
        validate_assessment, "assessed_on",
    ),
    AdverseEvent: _Kind(
        "adverse_event", AdverseEventRow, mapping.adverse_event_record, mapping.fill_adverse_event_row,
        validate_adverse_event, "onset_date",
    ),
}  # fmt: skip

_SETTING_KEYS = ("name", "cutoff", "index_drug", "is_demo")


class Casebook(PhotoCommands):
    """One case series in one database."""

    def __init__(self, engine: Engine, path: Path | None = None, today: Callable[[], date] = date.today):
        self.engine = engine
        self.path = path
        self.today = today
        self.backup: Path | None = None
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._batch: Session | None = None

    @classmethod
    def open(cls, path: Path, *, create: bool = True, today: Callable[[], date] = date.today) -> Casebook:
        """Open (or create) a database file, migrating it after a backup if it is older."""
        path = Path(path)
        backup = prepare_database(path, create=create)
        book = cls(make_engine(sqlite_url(path)), path, today)
        book.backup = backup
        return book

    @classmethod
    def connect(cls, url: str, *, today: Callable[[], date] = date.today) -> Casebook:
        """Open a case series on a database server (for example ``postgresql+psycopg://…``)."""
        engine = make_engine(make_url(url))
        if engine.dialect.name == "sqlite":
            engine.dispose()
            return cls.open(Path(engine.url.database or ""), today=today)
        prepare_server_database(engine)
        return cls(engine, None, today)

    @property
    def location(self) -> str:
        """The database file, or the server URL without its password."""
        return str(self.path) if self.path else self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def schema_version(self) -> str | None:
        with self.engine.connect() as connection:
            return stored_revision(connection)

    # ------------------------------------------------------------ transactions
    @contextmanager
    def _read(self) -> Iterator[Session]:
        if self._batch is not None:  # inside a batch, read what the batch has written so far
            yield self._batch
            return
        with self._sessions() as session:
            yield session

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Make every command inside the block one transaction: all of it is stored, or none."""
        if self._batch is not None:
            yield
            return
        with self._write() as session:
            self._batch = session
            try:
                yield
            finally:
                self._batch = None

    @contextmanager
    def _write(self) -> Iterator[Session]:
        if self._batch is not None:
            yield self._batch
            return
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise StorageError(f"Could not save to {self.path or 'the database'}: {exc.orig}") from exc

    # ------------------------------------------------------------ settings
    def settings(self) -> SeriesSettings:
        with self._read() as session:
            stored = {row.key: json.loads(row.value) for row in session.scalars(select(SettingRow))}
        cutoff = stored.get("cutoff")
        return SeriesSettings(
            name=stored.get("name", SeriesSettings.name),
            cutoff=date.fromisoformat(cutoff) if cutoff else None,
            index_drug=stored.get("index_drug", SeriesSettings.index_drug),
            is_demo=bool(stored.get("is_demo", False)),
        )

    def save_settings(self, settings: SeriesSettings) -> SeriesSettings:
        raise_if(validate_settings(settings, self.today()))
        old = self.settings()
        values = {
            "name": settings.name.strip(),
            "cutoff": settings.cutoff.isoformat() if settings.cutoff else None,
            "index_drug": settings.index_drug.strip(),
            "is_demo": settings.is_demo,
        }
        with self._write() as session:
            for key in _SETTING_KEYS:
                session.merge(SettingRow(key=key, value=json.dumps(values[key])))
            audit.record_change(session, "settings", 0, None, old, settings)
        return settings

    def preference(self, key: str) -> Any:
        """A stored JSON value (analysis settings, thresholds, report settings), or None."""
        with self._read() as session:
            row = session.get(SettingRow, key)
            return json.loads(row.value) if row else None

    def save_preference(self, key: str, value: Any) -> None:
        if key in _SETTING_KEYS:
            raise ValueError(f"{key} is a series setting: use save_settings")
        old = self.preference(key)
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        with self._write() as session:
            session.merge(SettingRow(key=key, value=text))
            if old != value:
                old_text = None if old is None else json.dumps(old, ensure_ascii=False, sort_keys=True)
                action = "create" if old is None else "update"
                audit.add_entry(session, action, "settings", 0, None, key, old_text, text)

    # ------------------------------------------------------------ queries
    def is_empty(self) -> bool:
        with self._read() as session:
            return session.scalar(select(func.count(PatientRow.id))) == 0

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
            query = (
                select(PatientRow).options(selectinload(PatientRow.antibodies)).order_by(PatientRow.study_id)
            )
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

    def _list(self, record_type: type[R], patient_id: int | None) -> list[R]:
        kind = _KINDS[record_type]
        query = select(kind.row).order_by(getattr(kind.row, kind.order_by), kind.row.id)
        if patient_id is not None:
            query = query.where(kind.row.patient_id == patient_id)
        with self._read() as session:
            return [kind.to_record(row) for row in session.scalars(query)]

    def courses(self, patient_id: int | None = None) -> list[MedicationCourse]:
        return self._list(MedicationCourse, patient_id)

    def assessments(self, patient_id: int | None = None) -> list[Assessment]:
        return self._list(Assessment, patient_id)

    def adverse_events(self, patient_id: int | None = None) -> list[AdverseEvent]:
        return self._list(AdverseEvent, patient_id)

    def photos(self, patient_id: int | None = None) -> list[Photo]:
        """Photo descriptions only: the pixels are never loaded by a listing."""
        query = select(PhotoRow).order_by(PhotoRow.taken_on, PhotoRow.id)
        if patient_id is not None:
            query = query.where(PhotoRow.patient_id == patient_id)
        with self._read() as session:
            return [mapping.photo_record(row) for row in session.scalars(query)]

    def patient_record(self, patient_id: int) -> PatientRecord:
        return PatientRecord(
            patient=self.patient(patient_id),
            identifiers=self.identifiers(patient_id),
            courses=tuple(self.courses(patient_id)),
            assessments=tuple(self.assessments(patient_id)),
            adverse_events=tuple(self.adverse_events(patient_id)),
            photos=tuple(self.photos(patient_id)),
            comparisons=tuple(self.comparisons(patient_id)),
        )

    def patient_records(self) -> list[PatientRecord]:
        """Every patient with everything recorded about them (photo pixels excepted), in 6 queries."""
        with self._read() as session:
            identifiers = {
                row.patient_id: mapping.identifiers_record(row)
                for row in session.scalars(select(IdentifierRow))
            }
        by_patient: dict[int, dict[str, list[Any]]] = {}
        for name, items in (
            ("courses", self.courses()),
            ("assessments", self.assessments()),
            ("adverse_events", self.adverse_events()),
            ("photos", self.photos()),
            ("comparisons", self.comparisons()),
        ):
            for item in items:
                by_patient.setdefault(item.patient_id, {}).setdefault(name, []).append(item)
        records = []
        for patient in self.patients():
            owned = by_patient.get(patient.id or 0, {})
            records.append(
                PatientRecord(
                    patient=patient,
                    identifiers=identifiers.get(patient.id or 0),
                    **{
                        name: tuple(owned.get(name, ()))
                        for name in ("courses", "assessments", "adverse_events", "photos", "comparisons")
                    },
                )
            )
        return records

    def patient_summaries(self) -> list[PatientSummary]:
        """The patient list: one row per patient, current drugs and status judged at the cut-off."""
        series = self.settings()
        on_day = series.cutoff_or(self.today())
        with self._read() as session:
            last = dict(
                session.execute(
                    select(AssessmentRow.patient_id, func.max(AssessmentRow.assessed_on)).group_by(
                        AssessmentRow.patient_id
                    )
                ).all()
            )
            n_assessments = dict(
                session.execute(
                    select(AssessmentRow.patient_id, func.count()).group_by(AssessmentRow.patient_id)
                ).all()
            )
            courses: dict[int, list[MedicationCourse]] = {}
            for row in session.scalars(select(CourseRow)):
                courses.setdefault(row.patient_id, []).append(mapping.course_record(row))
            query = (
                select(PatientRow).options(selectinload(PatientRow.antibodies)).order_by(PatientRow.study_id)
            )
            return [
                PatientSummary(
                    id=p.id,
                    study_id=p.study_id,
                    subtype=Subtype(p.subtype),
                    sex=Sex(p.sex),
                    positive_antibodies=mapping.patient_record(p).positive_antibodies,
                    current_drugs=drugs_on(courses.get(p.id, ()), on_day),
                    last_assessment=last.get(p.id),
                    assessments=n_assessments.get(p.id, 0),
                    drugs_ever=drugs_ever(courses.get(p.id, ())),
                    status=index_status(courses.get(p.id, ()), series.index_drug, on_day),
                )
                for p in session.scalars(query)
            ]

    def audit_trail(self, patient_id: int | None = None, limit: int = 500) -> list[AuditEntry]:
        with self._read() as session:
            return audit.entries(session, patient_id, limit)

    # ------------------------------------------------------------ patient commands
    @staticmethod
    def _patient_row(session: Session, patient_id: int) -> PatientRow:
        row = session.get(PatientRow, patient_id)
        if row is None:
            raise ValidationError([Problem("patient_id", f"Patient {patient_id} no longer exists.")])
        return row

    def _check_study_id_free(self, session: Session, patient: Patient) -> None:
        clash = session.scalar(
            select(PatientRow.id).where(
                func.lower(PatientRow.study_id) == patient.study_id.strip().lower(),
                PatientRow.id != (patient.id or -1),
            )
        )
        if clash is not None:
            raise ValidationError(
                [
                    Problem(
                        "study_id", f"Study ID {patient.study_id.strip()} is already used by another patient."
                    )
                ]
            )

    def save_patient(self, patient: Patient, identifiers: Identifiers | None = None) -> Patient:
        """Create or update a patient (and, if given, their identifying fields)."""
        today = self.today()
        problems = validate_patient(patient, today)
        if identifiers is not None:
            problems += validate_identifiers(identifiers, today)
        raise_if(problems)
        try:
            with self._write() as session:
                self._check_study_id_free(session, patient)
                row = session.get(PatientRow, patient.id) if patient.id is not None else None
                old = mapping.patient_record(row) if row else None
                if row is None:
                    row = PatientRow(id=patient.id)
                    session.add(row)
                mapping.fill_patient_row(row, patient)
                session.flush()
                new = mapping.patient_record(row)
                audit.record_change(session, "patient", row.id, row.id, old, new)
                if identifiers is not None:
                    self._save_identifiers(session, replace(identifiers, patient_id=row.id))
        except IntegrityError as exc:
            raise ValidationError([Problem("study_id", f"Could not save: {exc.orig}")]) from exc
        return new

    @staticmethod
    def _save_identifiers(session: Session, identifiers: Identifiers) -> None:
        row = session.get(IdentifierRow, identifiers.patient_id)
        old = mapping.identifiers_record(row) if row else None
        if row is None:
            row = IdentifierRow(patient_id=identifiers.patient_id)
            session.add(row)
        mapping.fill_identifier_row(row, identifiers)
        new = mapping.identifiers_record(row)
        audit.record_change(session, "identifiers", row.patient_id, row.patient_id, old, new)

    def delete_patient(self, patient_id: int) -> PatientRecord:
        """Delete a patient and everything recorded about them; return it all for undo."""
        record = self.patient_record(patient_id)
        data = self._photo_data(patient_id)

        with self._write() as session:
            row = self._patient_row(session, patient_id)
            owned = [
                (_KINDS[type(r)].entity, r)
                for r in (*record.courses, *record.assessments, *record.adverse_events)
            ]
            owned += [("photo", p) for p in record.photos] + [
                ("photo_comparison", c) for c in record.comparisons
            ]
            for entity, item in owned:
                audit.record_change(session, entity, item.id or 0, patient_id, item, None)
            if record.identifiers:
                audit.record_change(session, "identifiers", patient_id, patient_id, record.identifiers, None)
            audit.record_change(session, "patient", patient_id, patient_id, record.patient, None)
            session.delete(row)
        return replace(record, photo_data=data)

    def restore_patient(self, record: PatientRecord) -> Patient:
        """Put back a deleted patient with the same ids (undo of ``delete_patient``), all or nothing."""
        with self.batch():
            patient = self.save_patient(record.patient, record.identifiers)
            for item in (*record.courses, *record.assessments, *record.adverse_events):
                self.save(item)
            for photo in record.photos:
                image, thumbnail = record.photo_data[photo.id or 0]
                self._insert_photo(photo, image, thumbnail)
            for comparison in record.comparisons:
                self.save_comparison(comparison)
        return patient

    # ------------------------------------------------------------ courses, assessments, events
    def save(self, record: R) -> R:
        """Create or update a medication course, assessment or adverse event.

        A record whose id is set but no longer stored is re-created with that id (undo).
        """
        kind = _KINDS[type(record)]
        raise_if(kind.validate(record, self.today()))
        with self._write() as session:
            self._patient_row(session, record.patient_id)
            row = session.get(kind.row, record.id) if record.id is not None else None
            old = kind.to_record(row) if row else None
            if row is None:
                row = kind.row(id=record.id)
                session.add(row)
            kind.fill_row(row, record)
            session.flush()
            new: R = kind.to_record(row)
            audit.record_change(session, kind.entity, row.id, record.patient_id, old, new)
        return new

    def delete(self, record_type: type[R], record_id: int) -> R:
        """Delete one course, assessment or adverse event; return it for undo."""
        kind = _KINDS[record_type]
        with self._write() as session:
            row = session.get(kind.row, record_id)
            if row is None:
                raise ValidationError(
                    [Problem("id", f"That {kind.entity.replace('_', ' ')} no longer exists.")]
                )
            old: R = kind.to_record(row)
            audit.record_change(session, kind.entity, record_id, old.patient_id, old, None)
            session.delete(row)
        return old
