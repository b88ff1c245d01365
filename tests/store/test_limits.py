"""Text limits: every sized text column takes its size from the domain's table of limits, and a value too long
is refused by the shared validation before anything is written, the same on SQLite and on the test server."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest
from myocase.domain.limits import CODE_WIDTHS, SETTING_KEY_LENGTH, TEXT_LIMITS, text_limit
from myocase.domain.records import AdverseEvent, AntibodyResult, Identifiers, MedicationCourse, Patient
from myocase.domain.validation import ValidationError, validate_course
from myocase.domain.vocab import AntibodyStatus
from myocase.store.casebook import Casebook
from myocase.store.tables import Base, SettingRow
from sqlalchemy import String

from tests.factories import make_course, make_event, make_patient

LONG = "γ"  # two bytes in UTF-8: a limit counts characters, not bytes, on every dialect


def _sized_columns() -> list[tuple[str, object]]:
    return [
        (f"{table.name}.{column.name}", column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String) and column.type.length is not None
    ]


def test_every_sized_text_column_takes_its_size_from_the_domain() -> None:
    used: set[tuple[type, str]] = set()
    for name, column in _sized_columns():
        info, length = column.info, column.type.length  # type: ignore[attr-defined]
        if "limit" in info:
            record, field = info["limit"]
            assert field in {f.name for f in fields(record)}, name
            assert length == text_limit(record, field), name
            used.add((record, field))
        elif "code" in info:
            assert length == CODE_WIDTHS[info["code"]], name
            assert max(len(code.value) for code in info["code"]) <= length, name  # every coded value fits
        else:
            assert column is SettingRow.__table__.c.key, f"{name} has a size of its own: take it from limits"
            assert length == SETTING_KEY_LENGTH
    assert used == {(record, field) for record, limits in TEXT_LIMITS.items() for field in limits}


def test_the_message_names_the_field_as_the_form_does_and_both_lengths() -> None:
    course = make_course(1, drug="x" * 81)
    assert [(p.field, p.message) for p in validate_course(course, date(2024, 1, 15))] == [
        ("drug", "Drug must be at most 80 characters (this one has 81)."),
    ]


def _refused(book: Casebook, record: type, field: str, save: object) -> None:
    """``save`` (a call) is refused with the field's message, naming the limit and the length typed."""
    limit = text_limit(record, field)
    with pytest.raises(ValidationError) as refused:
        save()  # type: ignore[operator]
    message = (
        f"{TEXT_LIMITS[record][field].label} must be at most {limit} characters (this one has {limit + 1})."
    )
    assert message in [p.message for p in refused.value.problems]


def test_a_study_id_up_to_its_limit_is_stored_and_one_more_character_is_refused(book: Casebook) -> None:
    limit = text_limit(Patient, "study_id")
    assert book.save_patient(make_patient("A" * limit)).study_id == "A" * limit  # letters and digits only
    _refused(book, Patient, "study_id", lambda: book.save_patient(make_patient("B" * (limit + 1))))
    assert [p.study_id for p in book.patients()] == ["A" * limit]


def test_an_antibody_name_up_to_its_limit_is_stored_and_one_more_character_is_refused(book: Casebook) -> None:
    limit = text_limit(AntibodyResult, "antibody")

    def patient(name: str, length: int) -> Patient:
        return make_patient(name, antibodies=(AntibodyResult(LONG * length, AntibodyStatus.POSITIVE),))

    stored = book.save_patient(patient("MYO-01", limit))
    assert book.patient(stored.id or 0).antibodies[0].antibody == LONG * limit
    _refused(book, AntibodyResult, "antibody", lambda: book.save_patient(patient("MYO-02", limit + 1)))
    assert [p.study_id for p in book.patients()] == ["MYO-01"]


@pytest.mark.parametrize("field", list(TEXT_LIMITS[Identifiers]))
def test_identifiers_up_to_their_limit_are_stored_and_one_more_character_is_refused(
    book: Casebook, field: str
) -> None:
    limit = text_limit(Identifiers, field)
    pid = book.save_patient(make_patient(), Identifiers(0, **{field: LONG * limit})).id or 0
    assert getattr(book.identifiers(pid), field) == LONG * limit
    too_long = Identifiers(pid, **{field: LONG * (limit + 1)})
    _refused(book, Identifiers, field, lambda: book.save_patient(book.patient(pid), too_long))
    assert getattr(book.identifiers(pid), field) == LONG * limit


@pytest.mark.parametrize(
    ("record", "field"),
    [(record, field) for record in (MedicationCourse, AdverseEvent) for field in TEXT_LIMITS[record]],
)
def test_record_texts_up_to_their_limit_are_stored_and_one_more_character_is_refused(
    book: Casebook, record: type, field: str
) -> None:
    pid = book.save_patient(make_patient()).id or 0
    base = make_course(pid) if record is MedicationCourse else make_event(pid)
    limit = text_limit(record, field)
    stored = book.save(replace(base, **{field: LONG * limit}))
    record_of = book.courses if record is MedicationCourse else book.adverse_events
    assert record_of(pid) == [stored]
    assert getattr(stored, field) == LONG * limit
    _refused(book, record, field, lambda: book.save(replace(stored, **{field: LONG * (limit + 1)})))
    assert record_of(pid) == [stored]  # nothing was written
