"""The shared validation rules, one message per problem, each at its field."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.dates import PartialDate
from app.domain.records import Assessment, Identifiers, SeriesSettings
from app.domain.validation import (
    validate_adverse_event,
    validate_assessment,
    validate_course,
    validate_identifiers,
    validate_patient,
    validate_settings,
)
from app.domain.vocab import AeOutcome, StopReason
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
