"""The audit row of a created record, written straight as JSON (a registry creates many): byte for byte the
row the plain rule gives, every audited field's ``field_text`` encoded by ``json.dumps``."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from myocase.domain.cdasi import CdasiGrid, Mmt8Scores
from myocase.domain.dates import PartialDate, Precision
from myocase.domain.records import (
    AdverseEvent,
    AntibodyResult,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    Provenance,
    field_text,
)
from myocase.domain.vocab import AeAction, AeOutcome, AntibodyStatus, DrugClass, Sex, StopReason, Subtype
from myocase.store import audit

# text with what JSON escapes (quotes, backslashes, control characters), what it leaves (accents, “quotes”,
# emoji) and nothing at all
TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(["", '"', "\\", "\n\t", "“ü” 😀"])
NUMBER = st.none() | st.integers(-(10**20), 10**20) | st.floats() | st.sampled_from([0.1 + 0.2, 1e300, -0.0])
DAY = st.dates(date(1900, 1, 1), date(2100, 12, 31))
PARTIAL = st.builds(PartialDate, DAY, st.sampled_from(Precision))


def _plain_changes(record: Any) -> str | None:
    """The rule as first written: every audited field that holds something, ``[None, field_text]``, by
    ``json.dumps(…, ensure_ascii=False)``."""
    changes = {
        f.name: [None, text]
        for f in fields(record)
        if f.name not in {"id", "patient_id", "version"}
        and (text := field_text(getattr(record, f.name))) is not None
    }
    return json.dumps(changes, ensure_ascii=False) if changes else None


_MEASURED = [
    name for name in Assessment.__dataclass_fields__ if name not in {"patient_id", "assessed_on", "notes"}
]
ASSESSMENTS = st.builds(
    Assessment,
    patient_id=st.just(1),
    assessed_on=DAY,
    **{name: NUMBER for name in _MEASURED}
    | {
        "notes": TEXT,
        "cdasi_grid": st.none() | st.just(CdasiGrid()),
        "mmt8_groups": st.none() | st.just(Mmt8Scores()),
        "id": st.none(),
        "version": st.integers(0, 3),
    },
)
PATIENTS = st.builds(
    Patient,
    study_id=TEXT,
    subtype=st.sampled_from(Subtype),
    sex=st.sampled_from(Sex),
    birth_year=NUMBER,
    diagnosis_date=st.none() | PARTIAL,
    antibodies=st.lists(
        st.builds(AntibodyResult, TEXT, st.sampled_from(AntibodyStatus), st.none() | DAY)
    ).map(tuple),
    vignette=TEXT,
    provenance=st.none()
    | st.builds(
        Provenance, TEXT, TEXT, TEXT, st.none() | TEXT, st.none() | st.datetimes(timezones=st.just(UTC))
    ),
)
COURSES = st.builds(
    MedicationCourse,
    patient_id=st.just(1),
    drug=TEXT,
    drug_class=st.sampled_from(DrugClass),
    start=PARTIAL,
    stop=st.none() | PARTIAL,
    stop_reason=st.none() | st.sampled_from(StopReason),
    dose=NUMBER,
    unit=TEXT,
    notes=TEXT,
)
EVENTS = st.builds(
    AdverseEvent,
    patient_id=st.just(1),
    term=TEXT,
    grade=NUMBER,
    onset=DAY,
    resolution=st.none() | DAY,
    serious=st.booleans(),
    action=st.sampled_from(AeAction),
    outcome=st.sampled_from(AeOutcome),
)
IDENTIFIERS = st.builds(
    Identifiers, patient_id=st.just(1), full_name=TEXT, mrn=TEXT, date_of_birth=st.none() | DAY
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(ASSESSMENTS, PATIENTS, COURSES, EVENTS, IDENTIFIERS))
def test_a_created_records_audit_row_is_byte_for_byte_the_plain_rules(record: Any) -> None:
    row = audit.change_row("record", 7, 1, None, record)
    plain = _plain_changes(record)
    assert (row and row["changes"]) == plain
    assert audit.created_row("record", 7, 1, record) == row
    if row is not None:
        assert (row["action"], row["record_id"], row["patient_id"]) == ("create", 7, 1)


def test_a_created_record_with_nothing_recorded_has_no_audit_row() -> None:
    assert audit.change_row("identifiers", 1, 1, None, Identifiers(1)) is None


def test_the_straight_json_is_what_the_trail_reads_back() -> None:
    assessment = Assessment(1, date(2021, 3, 1), ck=95, haq=0.5, notes='say "ok" \\ “fine”\n')
    row = audit.created_row("assessment", 3, 1, assessment)
    assert row is not None
    assert audit.changed_fields(row["changes"]) == [
        ("assessed_on", None, "2021-03-01"),
        ("ck", None, "95"),
        ("haq", None, "0.5"),
        ("notes", None, 'say "ok" \\ “fine”\n'),
    ]
    assert row["changes"].startswith('{"assessed_on": [null, "2021-03-01"], "ck": [null, "95"]')


def test_a_datetime_is_recorded_as_field_text_says() -> None:
    imported = datetime(2023, 5, 1, 9, 30, tzinfo=UTC)
    patient = Patient("P-1", Subtype.DM, provenance=Provenance("LYON", "Lyon", "L-7", None, imported))
    assert audit.created_changes(patient) == _plain_changes(patient)
