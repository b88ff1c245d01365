"""De-identification: stable per-patient date shifts, no identifiers, scrubbed free text."""

from __future__ import annotations

from datetime import date, timedelta

from app.domain.dates import PartialDate
from app.domain.deidentify import REMOVED, date_offset, deidentify, scrub
from app.domain.records import Identifiers, PatientRecord
from tests.factories import make_assessment, make_course, make_event, make_patient

IDS = Identifiers(1, full_name="Rose Hawthorne-Smith", mrn="MRN-44812", date_of_birth=date(1961, 3, 9))


def test_offsets_are_stable_per_database_and_within_a_year() -> None:
    offsets = [date_offset("secret-a", pid) for pid in range(1, 200)]
    assert all(0 <= o <= 364 for o in offsets)
    assert offsets == [date_offset("secret-a", pid) for pid in range(1, 200)]
    assert offsets != [date_offset("secret-b", pid) for pid in range(1, 200)]
    assert len(set(offsets)) > 100


def test_scrub_removes_name_record_number_and_birth_date() -> None:
    note = (
        "Mrs Rose Hawthorne-Smith (MRN-44812, born 09/03/1961, 1961-03-09) came with her sister; "
        "HAWTHORNE-SMITH family history. A rose-coloured rash; Rose reports itch."
    )
    cleaned = scrub(note, IDS)
    assert "Hawthorne" not in cleaned and "44812" not in cleaned and "1961" not in cleaned
    assert "rose-coloured" in cleaned  # an ordinary word is kept
    assert cleaned.count(REMOVED) == 6


def test_deidentify_shifts_every_date_by_the_same_offset() -> None:
    record = PatientRecord(
        make_patient(id=1, diagnosis_date=PartialDate.parse("2019-03"), vignette="Seen by Rose."),
        IDS,
        (make_course(1, start="2020-05-01", stop=PartialDate.parse("2021-02"), stop_reason=None),),
        (make_assessment(1, on="2020-06-01", notes="MRN-44812"),),
        (make_event(1, onset="2020-07-01", resolution=date(2020, 7, 20)),),
    )
    shifted = deidentify(record, "secret")
    offset = timedelta(days=date_offset("secret", 1))
    assert shifted.identifiers is None
    assert shifted.courses[0].start.earliest() == date(2020, 5, 1) + offset
    assert shifted.courses[0].stop is not None and shifted.courses[0].stop.precision.value == "month"
    assert shifted.assessments[0].assessed_on == date(2020, 6, 1) + offset
    assert shifted.adverse_events[0].resolution == date(2020, 7, 20) + offset
    assert shifted.patient.antibodies[0].tested_on == date(2019, 5, 2) + offset
    assert shifted.patient.vignette == f"Seen by {REMOVED}." and shifted.assessments[0].notes == REMOVED
    assert (shifted.assessments[0].assessed_on - shifted.adverse_events[0].onset) == (
        date(2020, 6, 1) - date(2020, 7, 1)
    )
