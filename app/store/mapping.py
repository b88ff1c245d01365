"""Conversions between ORM rows and the domain's frozen records."""

from __future__ import annotations

from datetime import date
from operator import attrgetter
from typing import Any, TypeVar

from ..domain.annotations import Crop, Shape
from ..domain.cdasi import CdasiGrid, Mmt8Scores
from ..domain.dates import PartialDate, Precision
from ..domain.records import (
    AdverseEvent,
    AntibodyResult,
    Assessment,
    Consent,
    Identifiers,
    MedicationCourse,
    Patient,
    Photo,
    PhotoComparison,
    Provenance,
)
from ..domain.vocab import (
    AeAction,
    AeOutcome,
    AntibodyStatus,
    DrugClass,
    Sex,
    StopReason,
    Subtype,
    TriState,
)
from .tables import (
    AdverseEventRow,
    AntibodyRow,
    AssessmentRow,
    ComparisonRow,
    CourseRow,
    IdentifierRow,
    PatientRow,
    PhotoRow,
    ProvenanceRow,
)

T = TypeVar("T")


def _partial(value: date | None, precision: str | None) -> PartialDate | None:
    if value is None:
        return None
    return PartialDate(value, Precision(precision or Precision.DAY))


def patient_record(row: PatientRow) -> Patient:
    return Patient(
        id=row.id,
        version=row.version or 1,
        study_id=row.study_id,
        sex=Sex(row.sex),
        birth_year=row.birth_year,
        age_at_onset=row.age_at_onset,
        subtype=Subtype(row.subtype),
        diagnosis_date=_partial(row.diagnosis_date, row.diagnosis_precision),
        antibodies=tuple(
            AntibodyResult(a.antibody, AntibodyStatus(a.status), a.tested_on) for a in row.antibodies
        ),
        ild=TriState(row.ild),
        malignancy=TriState(row.malignancy),
        vignette=row.vignette,
        provenance=provenance_record(row.provenance) if row.provenance else None,
    )


def provenance_record(row: ProvenanceRow) -> Provenance:
    return Provenance(row.centre, row.series_name, row.source_study_id, row.bundle_file, row.imported_at)


def fill_patient_row(row: PatientRow, patient: Patient) -> None:
    row.study_id = patient.study_id.strip()
    row.sex = patient.sex.value
    row.birth_year = patient.birth_year
    row.age_at_onset = patient.age_at_onset
    row.subtype = patient.subtype.value
    row.diagnosis_date = patient.diagnosis_date.value if patient.diagnosis_date else None
    row.diagnosis_precision = patient.diagnosis_date.precision.value if patient.diagnosis_date else None
    row.ild = patient.ild.value
    row.malignancy = patient.malignancy.value
    row.vignette = patient.vignette
    if patient.provenance is not None:  # written at the import; a patient saved without it keeps it
        _fill_provenance_row(row, patient.provenance)
    existing = {a.antibody: a for a in row.antibodies}
    wanted = {a.antibody for a in patient.antibodies}
    for name, antibody_row in existing.items():
        if name not in wanted:
            row.antibodies.remove(antibody_row)
    for result in patient.antibodies:
        kept = existing.get(result.antibody)
        if kept is None:
            kept = AntibodyRow(antibody=result.antibody)
            row.antibodies.append(kept)
        kept.status = result.status.value
        kept.tested_on = result.tested_on


def _fill_provenance_row(row: PatientRow, provenance: Provenance) -> None:
    kept = row.provenance or ProvenanceRow()
    kept.centre, kept.series_name = provenance.centre, provenance.series_name
    kept.source_study_id, kept.bundle_file = provenance.source_study_id, provenance.bundle_file
    kept.imported_at = provenance.imported_at
    row.provenance = kept


def identifiers_record(row: IdentifierRow) -> Identifiers:
    return Identifiers(
        patient_id=row.patient_id, full_name=row.full_name, mrn=row.mrn, date_of_birth=row.date_of_birth
    )


def fill_identifier_row(row: IdentifierRow, identifiers: Identifiers) -> None:
    row.full_name = identifiers.full_name.strip()
    row.mrn = identifiers.mrn.strip()
    row.date_of_birth = identifiers.date_of_birth


def course_record(row: CourseRow) -> MedicationCourse:
    start = _partial(row.start_date, row.start_precision)
    assert start is not None
    return MedicationCourse(
        id=row.id,
        version=row.version or 1,
        patient_id=row.patient_id,
        drug=row.drug,
        drug_class=DrugClass(row.drug_class),
        dose=row.dose,
        unit=row.unit,
        frequency=row.frequency,
        start=start,
        stop=_partial(row.stop_date, row.stop_precision),
        stop_reason=StopReason(row.stop_reason) if row.stop_reason else None,
        notes=row.notes,
    )


def fill_row(row: Any, values: dict[str, Any]) -> None:
    """Set a row's columns to ``values`` (what a kind's ``values`` gives)."""
    for name, value in values.items():
        setattr(row, name, value)


def course_values(course: MedicationCourse) -> dict[str, Any]:
    """The column values of a course's row."""
    stop = course.stop
    return {
        "patient_id": course.patient_id,
        "drug": course.drug.strip(),
        "drug_class": course.drug_class.value,
        "dose": course.dose,
        "unit": course.unit,
        "frequency": course.frequency,
        "start_date": course.start.value,
        "start_precision": course.start.precision.value,
        "stop_date": stop.value if stop else None,
        "stop_precision": stop.precision.value if stop else None,
        "stop_reason": course.stop_reason.value if course.stop_reason else None,
        "notes": course.notes,
    }


_ASSESSMENT_COPIED = [
    name
    for name in Assessment.__dataclass_fields__
    if name not in ("id", "version", "cdasi_grid", "mmt8_groups")
]
_read_assessment_copied = attrgetter(*_ASSESSMENT_COPIED)  # those fields (or columns) at once, in that order
_ASSESSMENT_FIELDS = (*_ASSESSMENT_COPIED, "cdasi_grid", "mmt8_groups", "id", "version")  # the fields' order


def _made(record_type: type[T], names: tuple[str, ...], values: tuple[Any, ...]) -> T:
    """What ``record_type(**dict(zip(names, values)))`` makes, sooner (a registry reads and writes many):
    given every field, in order, of a frozen dataclass without ``__post_init__``, its fields are set as its
    ``__init__`` sets them."""
    record = object.__new__(record_type)
    record.__dict__.update(zip(names, values, strict=True))
    return record


def assessment_record(row: AssessmentRow) -> Assessment:
    grid = CdasiGrid.from_json(row.cdasi_grid) if row.cdasi_grid else None
    groups = Mmt8Scores.from_json(row.mmt8_groups) if row.mmt8_groups else None
    values = (*_read_assessment_copied(row), grid, groups, row.id, row.version or 1)
    return _made(Assessment, _ASSESSMENT_FIELDS, values)


def assessment_values(assessment: Assessment) -> dict[str, Any]:
    """The column values of an assessment's row."""
    values = dict(zip(_ASSESSMENT_COPIED, _read_assessment_copied(assessment), strict=True))
    values["cdasi_grid"] = assessment.cdasi_grid.to_json() if assessment.cdasi_grid else None
    values["mmt8_groups"] = assessment.mmt8_groups.to_json() if assessment.mmt8_groups else None
    return values


def adverse_event_record(row: AdverseEventRow) -> AdverseEvent:
    return AdverseEvent(
        id=row.id,
        version=row.version or 1,
        patient_id=row.patient_id,
        term=row.term,
        grade=row.grade,
        onset=row.onset_date,
        resolution=row.resolution_date,
        serious=row.serious,
        suspected_drug=row.suspected_drug,
        action=AeAction(row.action),
        outcome=AeOutcome(row.outcome),
        notes=row.notes,
    )


def adverse_event_values(event: AdverseEvent) -> dict[str, Any]:
    """The column values of an adverse event's row."""
    return {
        "patient_id": event.patient_id,
        "term": event.term.strip(),
        "grade": event.grade,
        "onset_date": event.onset,
        "resolution_date": event.resolution,
        "serious": event.serious,
        "suspected_drug": event.suspected_drug.strip(),
        "action": event.action.value,
        "outcome": event.outcome.value,
        "notes": event.notes,
    }


_PHOTO_COPIED = [
    name
    for name in Photo.__dataclass_fields__
    if name not in ("id", "version", "consent", "annotations", "crop")
]


def photo_record(row: PhotoRow) -> Photo:
    values: dict[str, Any] = {name: getattr(row, name) for name in _PHOTO_COPIED}
    return Photo(
        id=row.id,
        version=row.version or 1,
        consent=Consent(row.consent),
        annotations=tuple(Shape.from_json(s) for s in row.annotations or ()),
        crop=Crop.from_json(row.crop) if row.crop else None,
        **values,
    )


def fill_photo_row(row: PhotoRow, photo: Photo) -> None:
    for name in _PHOTO_COPIED:
        setattr(row, name, getattr(photo, name))
    row.consent = photo.consent.value
    row.annotations = [s.to_json() for s in photo.annotations] or None
    row.crop = photo.crop.to_json() if photo.crop else None


def comparison_record(row: ComparisonRow) -> PhotoComparison:
    return PhotoComparison(row.patient_id, row.name, tuple(row.photo_ids), row.id, row.version or 1)


def fill_comparison_row(row: ComparisonRow, comparison: PhotoComparison) -> None:
    row.patient_id = comparison.patient_id
    row.name = comparison.name.strip()
    row.photo_ids = list(comparison.photo_ids)
