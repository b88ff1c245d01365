"""Frozen records of a case series: what the storage hands out and the GUI shows.

Records are plain values. ``id`` is ``None`` for a record not yet stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .annotations import Crop, Shape
from .cdasi import CdasiGrid, Mmt8Scores
from .dates import PartialDate
from .numbers import readable
from .vocab import (
    AeAction,
    AeOutcome,
    AntibodyStatus,
    DrugClass,
    Sex,
    StopReason,
    Subtype,
    TriState,
)


@dataclass(frozen=True)
class AntibodyResult:
    antibody: str
    status: AntibodyStatus
    tested_on: date | None = None


@dataclass(frozen=True)
class Provenance:
    """Where a patient pooled from another centre came from: written once, when their bundle was imported."""

    centre: str  # the source centre's code, as its bundle names it
    series_name: str  # the source series' name
    source_study_id: str  # the study ID in the bundle (this series may have prefixed it with the centre)
    bundle_file: str | None = None  # the bundle's file name
    imported_at: datetime | None = None  # when it was imported (UTC)

    @property
    def text(self) -> str:
        """One line for the patient view: centre, series, study ID there, file and time."""
        parts = [f"Imported from centre {self.centre}", f"series “{self.series_name}”"]
        parts.append(f"study ID there {self.source_study_id}")
        if self.bundle_file:
            parts.append(f"bundle {self.bundle_file}")
        if self.imported_at is not None:
            parts.append(f"on {self.imported_at.strftime('%Y-%m-%d %H:%M')} UTC")
        return ", ".join(parts)


@dataclass(frozen=True)
class Patient:
    study_id: str
    subtype: Subtype
    sex: Sex = Sex.UNKNOWN
    birth_year: int | None = None
    age_at_onset: int | None = None
    diagnosis_date: PartialDate | None = None
    antibodies: tuple[AntibodyResult, ...] = ()
    ild: TriState = TriState.UNKNOWN
    malignancy: TriState = TriState.UNKNOWN
    vignette: str = ""
    id: int | None = None
    version: int = 0  # the stored version this record was read at (0: never stored); see store.conflicts
    provenance: Provenance | None = None  # set when the patient came in a case bundle from another centre

    def antibody(self, name: str) -> AntibodyResult | None:
        return next((a for a in self.antibodies if a.antibody == name), None)

    @property
    def positive_antibodies(self) -> tuple[str, ...]:
        return tuple(a.antibody for a in self.antibodies if a.status is AntibodyStatus.POSITIVE)

    @property
    def onset_age(self) -> int | None:
        """Age at onset: as typed, or else derived (see ``ONSET_AGE_RULE``); None when neither is known."""
        if self.age_at_onset is not None:
            return self.age_at_onset
        if self.birth_year is None or self.diagnosis_date is None:
            return None
        age = self.diagnosis_date.value.year - self.birth_year
        return age if age >= 0 else None


ONSET_AGE_RULE = (
    "Age at onset is the age recorded, or, when none was recorded, the year of diagnosis minus the "
    "year of birth (which may overstate it by up to a year)."
)


@dataclass(frozen=True)
class Identifiers:
    """Identifying data, kept apart from the case record so exports can leave it out."""

    patient_id: int
    full_name: str = ""
    mrn: str = ""
    date_of_birth: date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.full_name or self.mrn or self.date_of_birth)


IDENTIFYING_FIELDS: tuple[str, ...] = ("full_name", "mrn", "date_of_birth")


@dataclass(frozen=True)
class MedicationCourse:
    patient_id: int
    drug: str
    drug_class: DrugClass
    start: PartialDate
    stop: PartialDate | None = None
    stop_reason: StopReason | None = None
    dose: float | None = None
    unit: str = ""
    frequency: str = ""
    notes: str = ""
    id: int | None = None
    version: int = 0  # the stored version this record was read at (0: never stored); see store.conflicts

    def is_on(self, day: date) -> bool:
        """On the drug that day: from the earliest start to the latest possible stop."""
        if self.start.earliest() > day:
            return False
        return self.stop is None or self.stop.latest() >= day

    def ongoing_at(self, cutoff: date) -> bool:
        return self.is_on(cutoff)

    @property
    def dose_text(self) -> str:
        if self.dose is None:
            return self.frequency
        dose = f"{readable(self.dose)} {self.unit}".strip()
        return f"{dose} {self.frequency}".strip()


@dataclass(frozen=True)
class Assessment:
    patient_id: int
    assessed_on: date
    cdasi_activity: int | None = None
    cdasi_damage: int | None = None
    mmt8_total: int | None = None
    mmt8_max: int | None = None
    ck: float | None = None
    ck_uln: float | None = None
    aldolase: float | None = None
    aldolase_uln: float | None = None
    alt: float | None = None
    alt_uln: float | None = None
    ast: float | None = None
    ast_uln: float | None = None
    ldh: float | None = None
    ldh_uln: float | None = None
    physician_global: float | None = None
    patient_global: float | None = None
    extramuscular_global: float | None = None
    haq: float | None = None
    pruritus: float | None = None
    prednisone_mg: float | None = None
    fvc_pct: float | None = None
    dlco_pct: float | None = None
    notes: str = ""
    cdasi_grid: CdasiGrid | None = None
    mmt8_groups: Mmt8Scores | None = None
    id: int | None = None
    version: int = 0  # the stored version this record was read at (0: never stored); see store.conflicts

    @property
    def cdasi_source(self) -> str | None:
        """How the CDASI totals were obtained: "grid" (computed from every item) or "totals"."""
        if self.cdasi_grid is not None:
            return "grid"
        return "totals" if self.cdasi_activity is not None or self.cdasi_damage is not None else None

    @property
    def mmt8_source(self) -> str | None:
        if self.mmt8_groups is not None:
            return "groups"
        return "total" if self.mmt8_total is not None else None

    def with_derived_totals(self, undoubled_gottron_counts: bool = True) -> Assessment:
        """The same assessment with CDASI and MMT-8 totals computed from their items, where entered."""
        changes: dict[str, Any] = {}
        if self.cdasi_grid is not None:
            grid = self.cdasi_grid
            changes.update(
                cdasi_activity=grid.activity_score(undoubled_gottron_counts), cdasi_damage=grid.damage
            )
        if self.mmt8_groups is not None:
            changes.update(mmt8_total=self.mmt8_groups.total, mmt8_max=self.mmt8_groups.maximum)
        return replace(self, **changes) if changes else self

    def enzyme(self, name: str) -> tuple[float | None, float | None]:
        """(value, upper limit of normal) of one muscle enzyme."""
        return getattr(self, name), getattr(self, f"{name}_uln")

    @property
    def measured(self) -> tuple[str, ...]:
        """Names of the fields that hold a value (not the date, notes or ids)."""
        return tuple(name for name in _MEASURED_FIELDS if getattr(self, name) is not None)


# Assessment fields that hold a measurement (not the date, notes, ids or the grids behind a total)
_NOT_MEASURED = {
    "patient_id",
    "assessed_on",
    "notes",
    "id",
    "version",
    "cdasi_grid",
    "mmt8_groups",
    "mmt8_max",
}
_MEASURED_FIELDS = tuple(f.name for f in fields(Assessment) if f.name not in _NOT_MEASURED)


@dataclass(frozen=True)
class AdverseEvent:
    patient_id: int
    term: str
    grade: int
    onset: date
    resolution: date | None = None
    serious: bool = False
    suspected_drug: str = ""
    action: AeAction = AeAction.NONE
    outcome: AeOutcome = AeOutcome.UNKNOWN
    notes: str = ""
    id: int | None = None
    version: int = 0  # the stored version this record was read at (0: never stored); see store.conflicts


class Consent(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Photo:
    """A clinical photo's description; its pixels stay in storage until asked for."""

    patient_id: int
    sha256: str
    media_type: str
    width: int
    height: int
    taken_on: date | None = None
    assessment_id: int | None = None
    body_site: str = ""
    caption: str = ""
    consent: Consent = Consent.UNKNOWN
    identifiable: bool = False
    in_report: bool = False
    annotations: tuple[Shape, ...] = ()
    crop: Crop | None = None
    id: int | None = None
    version: int = 0  # the stored version this record was read at (0: never stored); see store.conflicts

    @property
    def label(self) -> str:
        when = self.taken_on.isoformat() if self.taken_on else "undated"
        return f"{when} {self.body_site}".strip()


@dataclass(frozen=True)
class PhotoComparison:
    """Two to four photos of one patient shown side by side, saved under a name for the report."""

    patient_id: int
    name: str
    photo_ids: tuple[int, ...]
    id: int | None = None
    version: int = 0  # the stored version this record was read at (0: never stored); see store.conflicts


@dataclass(frozen=True)
class SeriesSettings:
    """The case series itself: judged at ``cutoff`` against ``index_drug``."""

    name: str = "Untitled case series"
    cutoff: date | None = None
    index_drug: str = "upadacitinib"
    is_demo: bool = False

    def cutoff_or(self, today: date) -> date:
        return self.cutoff or today


class IndexStatus(StrEnum):
    """Where a patient stands with the index drug at the data cut-off."""

    ON = "on"
    STOPPED = "stopped"
    NEVER = "never"

    def label(self, drug: str) -> str:
        return {"on": f"On {drug}", "stopped": f"Stopped {drug}", "never": f"Never on {drug}"}[self.value]


@dataclass(frozen=True)
class PatientSummary:
    """One row of the patient list."""

    id: int
    study_id: str
    subtype: Subtype
    sex: Sex
    positive_antibodies: tuple[str, ...]
    current_drugs: tuple[str, ...]  # at the cut-off, JAK inhibitors first
    last_assessment: date | None
    assessments: int
    drugs_ever: tuple[str, ...] = ()  # every drug ever recorded, in order of first start
    status: IndexStatus = IndexStatus.NEVER


@dataclass(frozen=True)
class PatientRecord:
    """Everything stored about one patient; what is deleted and restored together."""

    patient: Patient
    identifiers: Identifiers | None = None
    courses: tuple[MedicationCourse, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    photos: tuple[Photo, ...] = ()
    comparisons: tuple[PhotoComparison, ...] = ()
    photo_data: dict[int, tuple[bytes, bytes]] = field(default_factory=dict, repr=False)
    """Image and thumbnail bytes by photo id; filled only when a patient is deleted."""


@dataclass(frozen=True)
class Counts:
    patients: int
    medication_courses: int
    assessments: int
    adverse_events: int
    photos: int
    by_subtype: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEntry:
    at: str
    os_user: str
    action: str
    entity: str
    record_id: int
    field: str
    old_value: str | None
    new_value: str | None
    study_id: str = ""


def as_plain(value: Any) -> Any:
    """A JSON-friendly form of a record field's value."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (date, PartialDate)):
        return str(value)
    if isinstance(value, tuple):
        return [as_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: as_plain(getattr(value, f.name)) for f in fields(value)}
    return value


def field_text(value: Any) -> str | None:
    """A field's value as the audit trail stores it: None when not recorded, JSON for lists and records."""
    plain = as_plain(value)
    if plain is None or plain == "" or plain == []:
        return None
    if isinstance(plain, (list, dict)):
        return json.dumps(plain, ensure_ascii=False, sort_keys=True)
    return str(plain)
