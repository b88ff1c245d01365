"""De-identification for exports: identifiers out, dates shifted per patient, free text scrubbed.

Following REDCap's de-identified export (reference section 10): every date of one patient
moves by the same offset of 0–364 days, so intervals stay exact; the offset comes from a
keyed hash of a per-database secret and the patient's id, so it stays the same between
exports of one database and cannot be undone without the secret. Names, record numbers
and dates of birth typed into free text are replaced by "[removed]".
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace
from datetime import date, timedelta

from app.domain.dates import PartialDate
from app.domain.records import Identifiers, PatientRecord

REMOVED = "[removed]"


def date_offset(secret: str, patient_id: int) -> int:
    """The patient's shift in days (0–364), fixed for a given database secret."""
    digest = hmac.new(secret.encode(), str(patient_id).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % 365


def _shift(day: date | None, offset: int) -> date | None:
    return None if day is None else day + timedelta(days=offset)


def _shift_partial(value: PartialDate | None, offset: int) -> PartialDate | None:
    return None if value is None else PartialDate(value.value + timedelta(days=offset), value.precision)


def _word(text: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)", re.IGNORECASE)


def _patterns(identifiers: Identifiers | None) -> list[re.Pattern[str]]:
    """Whole name, record number and date of birth in any case and common date formats."""
    if identifiers is None or identifiers.is_empty:
        return []
    patterns = [_word(w) for w in (identifiers.full_name.strip(), identifiers.mrn.strip()) if w]
    if identifiers.date_of_birth:
        dob = identifiers.date_of_birth
        for text in {
            dob.isoformat(),
            dob.strftime("%d/%m/%Y"),
            dob.strftime("%m/%d/%Y"),
            dob.strftime("%d.%m.%Y"),
            f"{dob.day}/{dob.month}/{dob.year}",
            f"{dob.month}/{dob.day}/{dob.year}",
        }:
            patterns.append(re.compile(re.escape(text)))
    return patterns


def _name_parts(identifiers: Identifiers | None) -> list[re.Pattern[str]]:
    if identifiers is None:
        return []
    return [_word(part) for part in re.split(r"[\s,]+", identifiers.full_name) if len(part) >= 3]


def _if_capitalised(match: re.Match[str]) -> str:
    # A single name part is removed where it is written as a name ("Rose", "ROSE"), not as a word ("rose").
    return REMOVED if match.group(0)[0].isupper() else match.group(0)


def scrub(text: str, identifiers: Identifiers | None) -> str:
    """Free text with the patient's name (whole, or any capitalised part of it), record number
    and date of birth replaced by "[removed]"."""
    for pattern in _patterns(identifiers):
        text = pattern.sub(REMOVED, text)
    for pattern in _name_parts(identifiers):
        text = pattern.sub(_if_capitalised, text)
    return text


def deidentify(record: PatientRecord, secret: str) -> PatientRecord:
    """The record as a de-identified export shows it: no identifiers, shifted dates, scrubbed text."""
    offset = date_offset(secret, record.patient.id or 0)
    ids = record.identifiers
    patient = record.patient
    patient = replace(
        patient,
        diagnosis_date=_shift_partial(patient.diagnosis_date, offset),
        antibodies=tuple(replace(a, tested_on=_shift(a.tested_on, offset)) for a in patient.antibodies),
        vignette=scrub(patient.vignette, ids),
    )
    courses = tuple(
        replace(
            c,
            start=_shift_partial(c.start, offset) or c.start,
            stop=_shift_partial(c.stop, offset),
            notes=scrub(c.notes, ids),
        )
        for c in record.courses
    )
    assessments = tuple(
        replace(a, assessed_on=_shift(a.assessed_on, offset) or a.assessed_on, notes=scrub(a.notes, ids))
        for a in record.assessments
    )
    events = tuple(
        replace(
            e,
            onset=_shift(e.onset, offset) or e.onset,
            resolution=_shift(e.resolution, offset),
            notes=scrub(e.notes, ids),
        )
        for e in record.adverse_events
    )
    photos = tuple(
        replace(p, taken_on=_shift(p.taken_on, offset), caption=scrub(p.caption, ids)) for p in record.photos
    )
    return replace(
        record,
        patient=patient,
        identifiers=None,
        courses=courses,
        assessments=assessments,
        adverse_events=events,
        photos=photos,
        photo_data={},
    )


def shifted_cutoff(cutoff: date, secret: str, patient_id: int) -> date:
    """The data cut-off as seen in one patient's shifted dates."""
    return cutoff + timedelta(days=date_offset(secret, patient_id))
