"""The shared validation rules, one message per problem, each at its field."""

from __future__ import annotations

from datetime import date

import pytest
from myocase.domain.cdasi import Mmt8Scores
from myocase.domain.dates import PartialDate
from myocase.domain.records import Assessment, Identifiers, SeriesSettings
from myocase.domain.validation import (
    validate_adverse_event,
    validate_assessment,
    validate_course,
    validate_identifiers,
    validate_patient,
    validate_settings,
)
from myocase.domain.vocab import AeOutcome, StopReason

from tests.factories import TODAY, make_assessment, make_course, make_event, make_patient


def fields_of(problems: list) -> set[str]:  # type: ignore[type-arg]
    return {p.field for p in problems}


def test_valid_records_have_no_problems() -> None:
    assert validate_patient(make_patient(), TODAY) == []
    assert validate_course(make_course(1), TODAY) == []
    assert validate_assessment(make_assessment(1), TODAY) == []
    assert validate_adverse_event(make_event(1), TODAY) == []


@pytest.mark.parametrize("study_id", ["", "  ", "Jane Smith", "-A1", "x" * 33, "a/b"])
def test_bad_study_ids(study_id: str) -> None:
    assert fields_of(validate_patient(make_patient(study_id), TODAY)) == {"study_id"}


def test_patient_ranges_and_dates() -> None:
    problems = validate_patient(
        make_patient(birth_year=1850, age_at_onset=130, diagnosis_date=PartialDate.parse("2025")), TODAY
    )
    assert fields_of(problems) == {"birth_year", "age_at_onset", "diagnosis_date"}


def test_identifiers_date_of_birth_not_in_future() -> None:
    problems = validate_identifiers(Identifiers(1, date_of_birth=date(2030, 1, 1)), TODAY)
    assert fields_of(problems) == {"date_of_birth"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cdasi_activity": 101}, "cdasi_activity"),
        ({"cdasi_activity": -1}, "cdasi_activity"),
        ({"cdasi_damage": 33}, "cdasi_damage"),
        ({"haq": 3.5}, "haq"),
        ({"physician_global": 10.5}, "physician_global"),
        ({"mmt8_total": 81, "mmt8_max": 80}, "mmt8_total"),
        ({"mmt8_total": 70, "mmt8_max": None}, "mmt8_max"),
        ({"ck": 900.0}, "ck_uln"),
        ({"on": "2024-01-16"}, "assessed_on"),
    ],
)
def test_assessment_scales(changes: dict, field: str) -> None:  # type: ignore[type-arg]
    problems = validate_assessment(make_assessment(1, **changes), TODAY)
    assert field in fields_of(problems)


def test_mmt8_total_up_to_150_with_both_sides() -> None:
    assert validate_assessment(make_assessment(1, mmt8_total=150, mmt8_max=150), TODAY) == []


def test_empty_assessment_needs_something() -> None:
    problems = validate_assessment(Assessment(1, date(2021, 1, 1)), TODAY)
    assert fields_of(problems) == {"assessed_on"}


def test_course_dates_and_reasons() -> None:
    assert fields_of(
        validate_course(
            make_course(
                1, start="2021-05", stop=PartialDate.parse("2021-04-30"), stop_reason=StopReason.OTHER
            ),
            TODAY,
        )
    ) == {"stop"}
    # the same month at different precisions is not "before"
    assert (
        validate_course(
            make_course(
                1, start="2021-05-20", stop=PartialDate.parse("2021-05"), stop_reason=StopReason.OTHER
            ),
            TODAY,
        )
        == []
    )
    assert fields_of(validate_course(make_course(1, stop=PartialDate.parse("2022")), TODAY)) == {
        "stop_reason"
    }
    assert fields_of(validate_course(make_course(1, stop_reason=StopReason.INEFFICACY), TODAY)) == {"stop"}
    assert fields_of(validate_course(make_course(1, start="2025"), TODAY)) == {"start"}
    assert fields_of(validate_course(make_course(1, drug=" ", dose=-1.0), TODAY)) == {"drug", "dose"}


def test_adverse_event_rules() -> None:
    assert fields_of(validate_adverse_event(make_event(1, grade=6), TODAY)) == {"grade"}
    assert fields_of(validate_adverse_event(make_event(1, resolution=date(2021, 5, 1)), TODAY)) == {
        "resolution"
    }
    assert fields_of(validate_adverse_event(make_event(1, grade=5), TODAY)) == {"outcome"}
    assert validate_adverse_event(make_event(1, grade=5, outcome=AeOutcome.FATAL), TODAY) == []
    assert fields_of(validate_adverse_event(make_event(1, term=""), TODAY)) == {"term"}


def test_settings_rules() -> None:
    assert fields_of(
        validate_settings(SeriesSettings(name="", index_drug="", cutoff=date(2030, 1, 1)), TODAY)
    ) == {
        "name",
        "index_drug",
        "cutoff",
    }


def test_choices_a_form_leaves_empty_are_required() -> None:
    patient = make_patient(subtype=None)  # type: ignore[arg-type]
    assert [(p.field, p.message) for p in validate_patient(patient, TODAY)] == [
        ("subtype", "Choose the diagnosis subtype (Other if none fits).")
    ]
    assert fields_of(validate_course(make_course(1, drug_class=None), TODAY)) == {"drug_class"}
    assert fields_of(validate_adverse_event(make_event(1, action=None), TODAY)) == {"action"}


def test_a_dose_needs_its_unit_and_a_sane_size() -> None:
    assert fields_of(validate_course(make_course(1, unit=""), TODAY)) == {"unit"}
    assert validate_course(make_course(1, dose=None, unit=""), TODAY) == []
    (problem,) = validate_course(make_course(1, dose=150_000.0), TODAY)
    assert problem.message == "Dose must be above 0 and at most 100,000."


def test_scale_messages_are_numbers_a_clinician_reads() -> None:
    (problem,) = validate_assessment(make_assessment(1, ck=2_000_000.0, ck_uln=170.0), TODAY)
    assert problem.message == "CK must be between 0 and 1,000,000 U/L."
    (problem,) = validate_assessment(make_assessment(1, cdasi_activity=7.5), TODAY)
    assert problem.message == "CDASI activity must be a whole number (0–100), not 7.5."


def test_fractional_mmt8_grades_are_refused_for_importers_too() -> None:
    groups = Mmt8Scores((10, 7.5) + (10,) * 6)  # type: ignore[arg-type]
    assessment = make_assessment(1, cdasi_activity=None, mmt8_groups=groups, mmt8_total=77.5, mmt8_max=80)
    problems = validate_assessment(assessment, TODAY)
    assert ("mmt8_groups", "Deltoid: MMT-8 grades are whole numbers on the Kendall 0–10 scale, not 7.5.") in [
        (p.field, p.message) for p in problems
    ]
    assert "mmt8_total" in fields_of(problems)  # a total of 77.5 is no MMT-8 total either
