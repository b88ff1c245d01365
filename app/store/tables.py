"""ORM tables (…Row). Dialect-neutral: the same schema serves SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column, relationship

from ..domain.dates import Precision
from ..domain.limits import CODE_WIDTHS, SETTING_KEY_LENGTH, text_limit
from ..domain.records import (
    AdverseEvent,
    AntibodyResult,
    AuditEntry,
    Consent,
    Identifiers,
    MedicationCourse,
    Patient,
    Photo,
    PhotoComparison,
    Provenance,
)
from ..domain.vocab import AeAction, AeOutcome, AntibodyStatus, DrugClass, Sex, StopReason, Subtype, TriState

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and hands them back aware (pitfall 3.6)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _text(record: type, name: str, **options: Any) -> MappedColumn[Any]:
    """A text column as long as the domain lets ``record.name`` be (``domain.limits``): the validation refuses
    longer text before any dialect sees it."""
    return mapped_column(String(text_limit(record, name)), info={"limit": (record, name)}, **options)


def _code(vocabulary: type[StrEnum], **options: Any) -> MappedColumn[Any]:
    """A column of ``vocabulary``'s values, as wide as ``domain.limits`` says."""
    return mapped_column(String(CODE_WIDTHS[vocabulary]), info={"code": vocabulary}, **options)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# SQLite never gives a deleted row's id to a new one (PostgreSQL's sequences never do)
AUTOINCREMENT = {"sqlite_autoincrement": True}


class Versioned:
    """A record two editors may change: ``version`` counts its saves (optimistic concurrency), and its id is
    never given to another record, so that undo and the audit trail cannot reach someone else's record."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class SettingRow(Base):
    """Series-level settings as JSON values under a key: new settings need no migration."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(SETTING_KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PatientRow(Versioned, Base):
    __tablename__ = "patient"
    __table_args__ = AUTOINCREMENT
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[str] = _text(Patient, "study_id", unique=True)
    sex: Mapped[str] = _code(Sex)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    age_at_onset: Mapped[int | None] = mapped_column(Integer)
    subtype: Mapped[str] = _code(Subtype)
    diagnosis_date: Mapped[date | None] = mapped_column(Date)
    diagnosis_precision: Mapped[str | None] = _code(Precision)
    ild: Mapped[str] = _code(TriState)
    malignancy: Mapped[str] = _code(TriState)
    vignette: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    antibodies: Mapped[list[AntibodyRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="AntibodyRow.id"
    )
    # one row for a patient pooled from another centre; joined into every patient query (no extra statement)
    provenance: Mapped[ProvenanceRow | None] = relationship(cascade="all, delete-orphan", lazy="joined")


class IdentifierRow(Base):
    """Identifying fields, one row per patient, kept apart from the case record."""

    __tablename__ = "patient_identifier"
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True)
    full_name: Mapped[str] = _text(Identifiers, "full_name", default="")
    mrn: Mapped[str] = _text(Identifiers, "mrn", default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)


class ProvenanceRow(Base):
    """Where a patient imported from another centre's case bundle came from (written once, at the import)."""

    __tablename__ = "patient_provenance"
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True)
    centre: Mapped[str] = _text(Provenance, "centre")
    series_name: Mapped[str] = _text(Provenance, "series_name")
    source_study_id: Mapped[str] = _text(Provenance, "source_study_id")
    bundle_file: Mapped[str | None] = _text(Provenance, "bundle_file")
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AntibodyRow(Base):
    __tablename__ = "antibody_result"
    __table_args__ = (UniqueConstraint("patient_id", "antibody", name="uq_antibody_result_patient_antibody"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    antibody: Mapped[str] = _text(AntibodyResult, "antibody")
    status: Mapped[str] = _code(AntibodyStatus)
    tested_on: Mapped[date | None] = mapped_column(Date)

    patient: Mapped[PatientRow] = relationship(back_populates="antibodies")


class CourseRow(Versioned, Base):
    __tablename__ = "medication_course"
    __table_args__ = AUTOINCREMENT
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    drug: Mapped[str] = _text(MedicationCourse, "drug")
    drug_class: Mapped[str] = _code(DrugClass)
    dose: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = _text(MedicationCourse, "unit", default="")
    frequency: Mapped[str] = _text(MedicationCourse, "frequency", default="")
    start_date: Mapped[date] = mapped_column(Date)
    start_precision: Mapped[str] = _code(Precision)
    stop_date: Mapped[date | None] = mapped_column(Date)
    stop_precision: Mapped[str | None] = _code(Precision)
    stop_reason: Mapped[str | None] = _code(StopReason)
    notes: Mapped[str] = mapped_column(Text, default="")


class AssessmentRow(Versioned, Base):
    __tablename__ = "assessment"
    __table_args__ = AUTOINCREMENT
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    cdasi_activity: Mapped[int | None] = mapped_column(Integer)
    cdasi_damage: Mapped[int | None] = mapped_column(Integer)
    mmt8_total: Mapped[int | None] = mapped_column(Integer)
    mmt8_max: Mapped[int | None] = mapped_column(Integer)
    ck: Mapped[float | None] = mapped_column(Float)
    ck_uln: Mapped[float | None] = mapped_column(Float)
    aldolase: Mapped[float | None] = mapped_column(Float)
    aldolase_uln: Mapped[float | None] = mapped_column(Float)
    alt: Mapped[float | None] = mapped_column(Float)
    alt_uln: Mapped[float | None] = mapped_column(Float)
    ast: Mapped[float | None] = mapped_column(Float)
    ast_uln: Mapped[float | None] = mapped_column(Float)
    ldh: Mapped[float | None] = mapped_column(Float)
    ldh_uln: Mapped[float | None] = mapped_column(Float)
    physician_global: Mapped[float | None] = mapped_column(Float)
    patient_global: Mapped[float | None] = mapped_column(Float)
    extramuscular_global: Mapped[float | None] = mapped_column(Float)
    haq: Mapped[float | None] = mapped_column(Float)
    pruritus: Mapped[float | None] = mapped_column(Float)
    prednisone_mg: Mapped[float | None] = mapped_column(Float)
    fvc_pct: Mapped[float | None] = mapped_column(Float)
    dlco_pct: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Item-level entries, when the user scored the items rather than typing totals.
    cdasi_grid: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    mmt8_groups: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AdverseEventRow(Versioned, Base):
    __tablename__ = "adverse_event"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 5", name="grade_range"), AUTOINCREMENT)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = _text(AdverseEvent, "term")
    grade: Mapped[int] = mapped_column(Integer)
    onset_date: Mapped[date] = mapped_column(Date)
    resolution_date: Mapped[date | None] = mapped_column(Date)
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    suspected_drug: Mapped[str] = _text(AdverseEvent, "suspected_drug", default="")
    action: Mapped[str] = _code(AeAction)
    outcome: Mapped[str] = _code(AeOutcome)
    notes: Mapped[str] = mapped_column(Text, default="")


class PhotoRow(Versioned, Base):
    """A photo's description. Its bytes live in ``photo_data`` so listing never loads them."""

    __tablename__ = "photo"
    __table_args__ = AUTOINCREMENT
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="SET NULL"))
    sha256: Mapped[str] = _text(Photo, "sha256", unique=True)
    media_type: Mapped[str] = _text(Photo, "media_type")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_on: Mapped[date | None] = mapped_column(Date)
    body_site: Mapped[str] = _text(Photo, "body_site", default="")
    caption: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[str] = _code(Consent)
    identifiable: Mapped[bool] = mapped_column(Boolean, default=False)
    in_report: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    annotations: Mapped[list[Any] | None] = mapped_column(JSON)
    crop: Mapped[list[float] | None] = mapped_column(JSON)


class ComparisonRow(Versioned, Base):
    __tablename__ = "photo_comparison"
    __table_args__ = AUTOINCREMENT
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = _text(PhotoComparison, "name")
    photo_ids: Mapped[list[int]] = mapped_column(JSON)


class PhotoDataRow(Base):
    __tablename__ = "photo_data"
    photo_id: Mapped[int] = mapped_column(ForeignKey("photo.id", ondelete="CASCADE"), primary_key=True)
    image: Mapped[bytes] = mapped_column(LargeBinary)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)


class AuditRow(Base):
    """One row per changed record, its changed fields in ``changes`` (JSON ``{field: [old, new]}``, in the
    record's field order; values as text, None when empty). No foreign key: the trail outlives what it
    describes."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    os_user: Mapped[str] = _text(AuditEntry, "os_user")
    action: Mapped[str] = _text(AuditEntry, "action")
    entity: Mapped[str] = _text(AuditEntry, "entity")
    record_id: Mapped[int] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    changes: Mapped[str] = mapped_column(Text)
