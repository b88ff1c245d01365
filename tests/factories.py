"""Record factories for tests: plausible defaults, any field overridable."""

from __future__ import annotations

from datetime import date

from myocase.domain.dates import PartialDate
from myocase.domain.records import AdverseEvent, AntibodyResult, Assessment, MedicationCourse, Patient
from myocase.domain.vocab import AntibodyStatus, DrugClass, Sex, Subtype

TODAY = date(2024, 1, 15)


def make_patient(study_id: str = "MYO-01", subtype: Subtype = Subtype.DM, **kw: object) -> Patient:
    values: dict[str, object] = {
        "sex": Sex.FEMALE,
        "birth_year": 1970,
        "antibodies": (AntibodyResult("TIF1-γ", AntibodyStatus.POSITIVE, date(2019, 5, 2)),),
    }
    values.update(kw)
    return Patient(study_id=study_id, subtype=subtype, **values)  # type: ignore[arg-type]


def make_course(
    patient_id: int, drug: str = "upadacitinib", start: str = "2021-03-01", **kw: object
) -> MedicationCourse:
    values: dict[str, object] = {
        "drug_class": DrugClass.JAK,
        "dose": 15.0,
        "unit": "mg",
        "frequency": "once daily",
    }
    values.update(kw)
    return MedicationCourse(patient_id=patient_id, drug=drug, start=PartialDate.parse(start), **values)  # type: ignore[arg-type]


def make_assessment(patient_id: int, on: str = "2021-03-01", **kw: object) -> Assessment:
    values: dict[str, object] = {"cdasi_activity": 20}
    values.update(kw)
    return Assessment(patient_id=patient_id, assessed_on=date.fromisoformat(on), **values)  # type: ignore[arg-type]


def make_event(
    patient_id: int, term: str = "herpes zoster", grade: int = 2, onset: str = "2021-06-01", **kw: object
) -> AdverseEvent:
    return AdverseEvent(patient_id=patient_id, term=term, grade=grade, onset=date.fromisoformat(onset), **kw)  # type: ignore[arg-type]
