"""Which date a newly imported photo gets: the date given for the batch, else the camera's own
date when it is plausible for the patient, else none (left for the user to confirm).

A camera clock can be wrong (never set, set to 2099, or reset to its factory date), so its date
is a suggestion: it is used only when it is not in the future, not before the patient's year
of birth, and not years before anything else recorded about the patient. A wrong camera date
never refuses a valid image.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .records import PatientRecord

YEARS_BEFORE_FIRST_RECORD = 2  # a camera date earlier than this before the first record is doubted


@dataclass(frozen=True)
class PatientTime:
    """What a photo date is checked against."""

    today: date
    birth_year: int | None = None
    first_record: date | None = None  # the earliest dated record (treatment, visit, event, diagnosis)


def patient_time(record: PatientRecord, today: date) -> PatientTime:
    """The patient's year of birth and earliest dated record, from everything recorded about them."""
    dated = [c.start.earliest() for c in record.courses] + [a.assessed_on for a in record.assessments]
    dated += [e.onset for e in record.adverse_events] + [p.taken_on for p in record.photos if p.taken_on]
    if record.patient.diagnosis_date is not None:
        dated.append(record.patient.diagnosis_date.earliest())
    return PatientTime(today, record.patient.birth_year, min(dated, default=None))


@dataclass(frozen=True)
class PhotoDate:
    taken_on: date | None
    to_confirm: str = ""  # why the photo was stored without a date ("" when it has one)


def photo_date(camera: date | None, given: date | None, patient: PatientTime) -> PhotoDate:
    """The date to store with a new photo (see the module docstring)."""
    if given is not None:
        return PhotoDate(given)
    if camera is None:
        return PhotoDate(None, "the file has no capture date")
    doubt = _doubt(camera, patient)
    return PhotoDate(None, f"the camera's date {camera} {doubt}") if doubt else PhotoDate(camera)


def _doubt(camera: date, patient: PatientTime) -> str:
    if camera > patient.today:
        return "is in the future"
    if patient.birth_year is not None and camera.year < patient.birth_year:
        return f"is before the year of birth ({patient.birth_year})"
    first = patient.first_record
    if first is not None and camera < first - timedelta(days=round(365.25 * YEARS_BEFORE_FIRST_RECORD)):
        return f"is more than {YEARS_BEFORE_FIRST_RECORD} years before the first record ({first})"
    return ""
