"""The one de-identification rule: every field decided, every text cleaned, dates only by clock."""

from __future__ import annotations

import inspect
import typing
from dataclasses import fields, is_dataclass
from datetime import date

import pytest
from myocase.domain import annotations, cdasi, records
from myocase.domain.annotations import Crop, Shape, ShapeKind
from myocase.domain.clock import DateMode
from myocase.domain.dates import PartialDate
from myocase.domain.disclosure import (
    FIELD_POLICY,
    OLDEST_SHOWN_AGE,
    Disclosure,
    Policy,
    date_offset,
    text_fields,
)
from myocase.domain.records import Identifiers, PatientRecord, Photo, PhotoComparison, Provenance

from tests.factories import make_assessment, make_course, make_event, make_patient
from tests.leaky import BORN, LEAKY_TEXT, MRN, NAME, all_strings, fill_text, leaks_in

# Records that never leave MyoCase: the reason is the decision.
NEVER_EXPORTED = {
    records.PatientSummary: "the patient list on screen",
    records.Counts: "counts on screen and in `myocase info`; no text",
    records.AuditEntry: "the audit trail stays in the database",
    cdasi.CdasiItem: "the CDASI form's definition, not patient data",
}
CODED_TEXT = {(Photo, "sha256"), (Photo, "media_type"), (Shape, "colour")}  # strings that are codes


def _data_model() -> list[type]:
    classes = []
    for module in (records, annotations, cdasi):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if is_dataclass(cls) and cls.__module__ == module.__name__:
                classes.append(cls)
    return classes


def test_every_field_of_the_data_model_has_a_decision() -> None:
    for cls in _data_model():
        if cls in NEVER_EXPORTED:
            continue
        assert cls in FIELD_POLICY, f"{cls.__name__} has no de-identification decision"
        assert set(FIELD_POLICY[cls]) == {f.name for f in fields(cls)}, (
            f"{cls.__name__}: fields without a decision"
        )


def test_no_text_field_is_kept_as_typed() -> None:
    for cls, policy in FIELD_POLICY.items():
        hints = typing.get_type_hints(cls)
        for name, rule in policy.items():
            if rule is Policy.KEEP and hints[name] in (str, str | None):
                assert (cls, name) in CODED_TEXT, f"{cls.__name__}.{name} is text but kept as typed"


def _leaky_record() -> PatientRecord:
    shape = Shape(ShapeKind.TEXT, ((0.1, 0.1),), text="x")
    photo = Photo(
        1, "ab" * 32, "image/png", 10, 10, date(2021, 6, 1), annotations=(shape,), crop=Crop(0, 0, 1, 1), id=5
    )
    record = PatientRecord(
        make_patient(
            id=1,
            birth_year=1961,
            age_at_onset=93,
            provenance=Provenance("LYON", "s", "MYO-01", "b.myocase-bundle"),
        ),
        Identifiers(1, NAME, MRN, BORN),
        (make_course(1, start="2021-03-01"),),
        (make_assessment(1, on="2021-03-01"),),
        (make_event(1),),
        (photo,),
        (PhotoComparison(1, "x", (5,)),),
        {5: (b"pixels", b"thumb")},
    )
    return fill_text(record)


def test_a_record_with_identifiers_in_every_text_field_leaves_with_none() -> None:
    record = _leaky_record()
    typed = list(text_fields(record))
    # every text field the policy knows was filled (the walk reaches nested records too)
    assert len(typed) == sum(1 for p in FIELD_POLICY.values() for r in p.values() if r is Policy.TEXT) - 2
    shown = Disclosure.of([record], index_drug="upadacitinib", cutoff=date(2023, 6, 30)).record(record)
    for where, text in text_fields(shown):
        assert not leaks_in(text), where
    assert not [s for s in all_strings(shown) if leaks_in(s)]
    assert (shown.identifiers, shown.patient.birth_year, shown.photo_data) == (None, None, {})
    assert shown.patient.age_at_onset == OLDEST_SHOWN_AGE
    assert shown.courses[0].start == record.courses[0].start  # dates are kept for the arithmetic…


def test_identified_lets_everything_out_as_recorded() -> None:
    record = _leaky_record()
    disclosure = Disclosure.of([record], identified=True, index_drug="upadacitinib", cutoff=date(2023, 6, 30))
    assert disclosure.record(record) is record
    assert disclosure.text(LEAKY_TEXT) == LEAKY_TEXT
    assert disclosure.age(93) == "93"
    assert disclosure.mode is DateMode.INDEX_DAYS  # days only if asked; the report asks for ACTUAL


def test_other_patients_identifiers_are_removed_too() -> None:
    mine = PatientRecord(make_patient(id=1, vignette="Her brother (Peter Quill, MRN 98765432) is patient 2."))
    his = PatientRecord(make_patient("MYO-02", id=2), Identifiers(2, "Peter Quill", "98765432"))
    shown = Disclosure.of([mine, his], index_drug="upadacitinib", cutoff=date(2023, 6, 30)).record(mine)
    assert shown.patient.vignette == "Her brother ([removed], MRN [removed]) is patient 2."


def test_a_derived_age_at_onset_survives_while_the_year_of_birth_goes() -> None:
    record = PatientRecord(
        make_patient(id=1, birth_year=1960, age_at_onset=None, diagnosis_date=PartialDate.parse("2019-05"))
    )
    shown = Disclosure.of([record], index_drug="upadacitinib", cutoff=date(2023, 6, 30)).record(record)
    assert (shown.patient.birth_year, shown.patient.age_at_onset) == (None, 59)


def test_ages_and_photos() -> None:
    disclosure = Disclosure.of([], index_drug="upadacitinib", cutoff=date(2023, 6, 30))
    assert [disclosure.age(a) for a in (None, 45, 89, 90, 104)] == ["–", "45", "89", "≥ 90", "≥ 90"]
    plain = Photo(1, "x", "image/png", 1, 1)
    face = Photo(1, "x", "image/png", 1, 1, identifiable=True)
    assert disclosure.photo_allowed(plain)
    assert not disclosure.photo_allowed(face)
    assert disclosure.photo_allowed(
        Photo(1, "x", "image/png", 1, 1, identifiable=True, crop=Crop(0, 0, 0.5, 0.5))
    )


@pytest.fixture
def series() -> list[PatientRecord]:
    with_index = PatientRecord(
        make_patient(id=1),
        courses=(make_course(1, drug="methotrexate", start="2019-05", stop=PartialDate.parse("2020-12")),
                 make_course(1, start="2021-03-15")),
        assessments=(make_assessment(1, on="2021-03-10"), make_assessment(1, on="2023-06-20")),
    )  # fmt: skip
    without = PatientRecord(
        make_patient("MYO-02", id=2), courses=(make_course(2, drug="tofacitinib", start="2020-02-01"),)
    )
    return [with_index, without]


def test_days_mode_shows_no_calendar_date_and_counts_from_day_0(series: list[PatientRecord]) -> None:
    disclosure = Disclosure.of(series, index_drug="upadacitinib", cutoff=date(2023, 6, 30))
    clock = disclosure.clock(1)
    assert (clock.show(date(2021, 3, 10)), clock.show(date(2021, 3, 15)), clock.show(date(2021, 4, 14))) == (
        "day −5", "day 0", "day +30",
    )  # fmt: skip
    assert clock.partial(PartialDate.parse("2019-05")) == "day −684 (month)"
    assert disclosure.cutoff_text(1) == "day +837"
    other = disclosure.clock(2)  # no upadacitinib: day 0 is the first recorded treatment, said so
    assert other.show(date(2020, 2, 1)) == "day 0"
    assert "tofacitinib" in other.zero.what
    assert disclosure.leaks("seen on 2021-03-10, day +5")[0].text == "2021-03-10"


def test_shifted_mode_moves_the_cut_off_with_each_patient(series: list[PatientRecord]) -> None:
    disclosure = Disclosure.of(
        series, mode=DateMode.SHIFTED, index_drug="upadacitinib", cutoff=date(2023, 6, 30), secret="s3cret"
    )
    for record in series:
        clock = disclosure.clock(record.patient.id)
        offset = date_offset("s3cret", record.patient.id or 0)
        assert 0 <= offset <= 364
        assert clock.shift == offset
        last = (
            max(a.assessed_on for a in record.assessments)
            if record.assessments
            else record.courses[0].start.earliest()
        )
        # a date before the real cut-off is shown before the shown cut-off, and the gap is kept
        assert clock.show(last) < disclosure.cutoff_text(record.patient.id)
        assert (clock.moment(date(2023, 6, 30)) - clock.moment(last)) == (date(2023, 6, 30) - last)
    assert disclosure.clock(1).shift != disclosure.clock(2).shift
    assert not disclosure.leaks("2021-03-10")  # shifted dates are shown, so dates are not leaks there
    with pytest.raises(ValueError, match="secret"):
        Disclosure.of(series, mode=DateMode.SHIFTED, index_drug="upadacitinib", cutoff=date(2023, 6, 30))


def test_offsets_are_stable_per_secret_and_spread_over_a_year() -> None:
    offsets = [date_offset("secret-a", pid) for pid in range(1, 200)]
    assert offsets == [date_offset("secret-a", pid) for pid in range(1, 200)]
    assert offsets != [date_offset("secret-b", pid) for pid in range(1, 200)]
    assert all(1 <= o <= 364 for o in offsets)
    assert len(set(offsets)) > 100


def test_no_secret_ever_leaves_a_patients_dates_unmoved() -> None:
    # A shift of 0 would show the real dates; the hash's remainder that would give it is moved into the range.
    offsets = {date_offset(f"secret-{n}", pid) for n in range(50) for pid in range(1, 200)}
    assert min(offsets) == 1
    assert max(offsets) == 364


def test_a_leak_names_the_field_it_was_typed_in() -> None:
    record = PatientRecord(
        make_patient(id=1),
        Identifiers(1, NAME, MRN, BORN),
        adverse_events=(make_event(1, term="rash (J. Smith)"),),
    )
    disclosure = Disclosure.of([record], index_drug="upadacitinib", cutoff=date(2023, 6, 30))
    (hit,) = disclosure.leaks("page text with J. Smith")
    assert disclosure.describe(hit) == "name of MYO-01 (“J. Smith”), typed in MYO-01: adverse event term"
