"""``Casebook.add_many``: many new records stored as saving them one by one would store them (rows, audit trail,
journal), in one transaction, refused whole when any record is."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event as drawn
from hypothesis import given, settings
from hypothesis import strategies as st
from myocase.domain.cdasi import CdasiGrid
from myocase.domain.changes import Change
from myocase.domain.records import Assessment, Identifiers, PatientRecord, Provenance
from myocase.domain.validation import ValidationError
from myocase.store import bulk_commands
from myocase.store.bulk_commands import NewRecord, RecordRefused
from myocase.store.casebook import Casebook
from myocase.store.database import ReadOnlyError
from myocase.store.tables import Base
from sqlalchemy import event, select

from tests.conftest import fresh_series
from tests.factories import TODAY, make_assessment, make_course, make_event, make_patient

TIMES = {"at", "created_at", "updated_at"}  # when a row was written: the clock's, not the record's


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Casebook]:
    """A second fresh series like ``book`` (on the same dialect), to save the same records one by one."""
    with fresh_series(tmp_path / "other.sqlite") as casebook:
        yield casebook


def _content(book: Casebook) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (audit trail included) in id order, without the times they were written."""
    found = {}
    with book.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.c if c.key not in TIMES]
            found[table.name] = list(connection.execute(select(*columns).order_by(*table.primary_key)))
    return found


def _new_records(stored_patient_id: int) -> list[NewRecord]:
    """Two new patients with what they own (identifying fields, provenance, a CDASI grid, every kind of
    record), and a record of each kind for a patient already stored."""
    imported = Provenance(
        "LYON", "Lyon series", "L-7", "lyon.myocase", datetime(2023, 5, 1, 9, 30, tzinfo=UTC)
    )
    first = PatientRecord(
        make_patient("NEW-01", vignette="Rash; “better” on treatment."),
        Identifiers(0, full_name="Jordan Quill", mrn="123", date_of_birth=date(1970, 2, 3)),
        courses=(make_course(0, "methotrexate", start="2019-05"), make_course(0, notes="index drug")),
        assessments=(
            make_assessment(0, "2021-03-01", ck=250.0, ck_uln=170.0),
            make_assessment(0, "2021-06-01", cdasi_grid=CdasiGrid(), cdasi_activity=0, cdasi_damage=0),
        ),
        adverse_events=(make_event(0),),
    )
    second = PatientRecord(make_patient("NEW-02", antibodies=(), provenance=imported))
    return [
        first,
        make_assessment(stored_patient_id, "2022-01-10", haq=0.5),
        second,
        make_course(stored_patient_id, "prednisone", start="2020"),
        make_event(stored_patient_id, "acneiform eruption", 1),
    ]


def _one_by_one(book: Casebook, records: Sequence[NewRecord], sources: Sequence[str]) -> list[Any]:
    """What ``add_many`` promises to equal: each record saved on its own, in order."""
    stored: list[Any] = []
    for record, source in zip(records, sources, strict=True):
        with book.batch(source=source):
            if not isinstance(record, PatientRecord):
                stored.append(book.save(record))
                continue
            patient = book.save_patient(record.patient, record.identifiers)
            pid = patient.id or 0
            owned = [
                tuple(book.save(replace(item, patient_id=pid)) for item in items)
                for items in (record.courses, record.assessments, record.adverse_events)
            ]
            identifiers = book.identifiers(pid) if record.identifiers else None  # as stored (texts stripped)
            stored.append(PatientRecord(patient, identifiers, *owned))
    return stored


def _with_a_stored_patient(book: Casebook) -> int:
    return book.save_patient(make_patient("OLD-01")).id or 0


@pytest.mark.parametrize(
    ("sources", "chunk"),
    [
        (["", "", "", "", ""], 500),
        (["a.csv row 2", "", "a.csv row 3", "b", "c"], 500),
        (["a.csv row 2", "", "a.csv row 3", "b", "c"], 2),  # inserted two records at a time
    ],
)
def test_many_new_records_are_stored_as_saving_them_one_by_one_would_store_them(
    book: Casebook, other: Casebook, sources: list[str], chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_commands, "_CHUNK", chunk)
    records = _new_records(_with_a_stored_patient(book))
    assert _with_a_stored_patient(other) == records[1].patient_id  # type: ignore[union-attr]
    with book.recording() as edits:
        stored = book.add_many(records, sources=sources)
    with other.recording() as saved_edits:
        saved = _one_by_one(other, records, sources)
    assert _content(book) == _content(other)  # rows, ids, versions and the audit trail, field by field
    assert stored == saved
    assert edits == saved_edits  # the journal: what undo, redo and the window's notices see
    assert book.patient_record(stored[2].patient.id) == stored[2]  # returned as stored
    sourced = [row for row in _content(book)["audit_log"] if row.action == "import"]
    assert len(sourced) == (10 if any(sources) else 0)  # NEW-01: 7 parts, NEW-02: 1, then 2 of OLD-01's


def test_the_batch_source_names_the_origin_of_records_given_none(book: Casebook, other: Casebook) -> None:
    records = _new_records(_with_a_stored_patient(book))
    _with_a_stored_patient(other)
    with book.batch(source="registry.xlsx"):
        book.add_many(records)
    _one_by_one(other, records, ["registry.xlsx"] * len(records))
    assert _content(book) == _content(other)


def test_each_table_is_written_with_a_few_statements_however_many_records(book: Casebook) -> None:
    def statements(patients: int, first: int) -> int:
        found: list[str] = []

        def count(*args: Any) -> None:
            found.append(args[2])

        event.listen(book.engine, "before_cursor_execute", count)
        try:
            book.add_many(
                [replace(_new_records(0)[0], patient=make_patient(f"P-{first + n}")) for n in range(patients)]
            )
        finally:
            event.remove(book.engine, "before_cursor_execute", count)
        return len(found)

    assert statements(2, 0) == statements(40, 100)
    assert len(book.patients()) == 42


def _records(book: Casebook) -> dict[str, list[tuple[Any, ...]]]:
    """The stored records, row by row: the content but the audit trail and the ids of antibody results (a
    patient put back by undo or redo gets new ones on PostgreSQL, whose sequences never go back)."""
    found = _content(book)
    del found["audit_log"]
    found["antibody_result"] = [row[1:] for row in found["antibody_result"]]
    return found


def test_undo_removes_the_whole_batch_and_redo_puts_it_back_with_the_same_ids(book: Casebook) -> None:
    records = _new_records(_with_a_stored_patient(book))
    before = _records(book)
    with book.recording() as edits:
        stored = book.add_many(records)
    after = _records(book)
    assert after != before
    book.apply(Change.of(edits).inverse().edits)
    assert _records(book) == before
    book.apply(Change.of(edits).edits)
    assert _records(book) == after
    assert book.patient_record(stored[0].patient.id) == stored[0]


def test_a_stored_record_keeps_its_version_for_optimistic_concurrency(book: Casebook) -> None:
    [record] = book.add_many([PatientRecord(make_patient(), assessments=(make_assessment(0),))])
    assert (record.patient.version, record.assessments[0].version) == (1, 1)
    changed = book.save(replace(record.assessments[0], haq=1.0))
    assert changed.version == 2
    with pytest.raises(ValidationError, match=r"changed|deleted|someone|another"):
        book.save(replace(record.assessments[0], haq=2.0))  # based on version 1: a conflict


def test_a_refused_record_names_itself_and_its_field_and_nothing_is_written(book: Casebook) -> None:
    records = _new_records(_with_a_stored_patient(book))
    future = make_assessment(0, "2024-02-01")  # after 'today' (2024-01-15)
    first = records[0]
    assert isinstance(first, PatientRecord)
    records[2] = replace(records[2], assessments=(make_assessment(0), future))  # type: ignore[type-var]
    before = _content(book)
    with pytest.raises(RecordRefused) as refused:
        book.add_many(records)
    with pytest.raises(ValidationError) as saved:
        book.save(replace(future, patient_id=1))
    assert refused.value.problems == saved.value.problems  # what save says of it, field by field
    assert refused.value.index == 2
    assert str(refused.value).startswith("Record 3 (patient NEW-02, assessment 2): Assessment date")
    assert _content(book) == before


def test_a_record_of_a_patient_no_longer_stored_is_refused(book: Casebook) -> None:
    before = _content(book)
    with pytest.raises(RecordRefused, match=r"Record 2 \(assessment of patient 99\): Patient 99 no longer"):
        book.add_many([PatientRecord(make_patient("NEW-01")), make_assessment(99)])
    assert _content(book) == before


@pytest.mark.parametrize("clash", ["myo-01", " MYO-01 "])
def test_a_study_id_stored_or_given_twice_is_refused_as_save_patient_refuses_it(
    book: Casebook, clash: str
) -> None:
    book.save_patient(make_patient("MYO-01"))
    before = _content(book)
    with pytest.raises(ValidationError) as saved:
        book.save_patient(make_patient(clash))
    with pytest.raises(RecordRefused) as stored_twice:
        book.add_many([PatientRecord(make_patient("NEW-01")), PatientRecord(make_patient(clash))])
    with pytest.raises(RecordRefused) as given_twice:
        book.add_many([PatientRecord(make_patient("NEW-05")), PatientRecord(make_patient("new-05"))])
    assert stored_twice.value.problems == saved.value.problems
    assert (
        stored_twice.value.problems[0].message
        == f"Study ID {clash.strip()} is already used by another patient."
    )
    assert given_twice.value.problems[0].message == "Study ID new-05 is already used by another patient."
    assert given_twice.value.index == 1
    assert _content(book) == before


def test_a_read_only_series_refuses_the_whole_batch(book: Casebook) -> None:
    before = _content(book)
    book.read_only = "the file is marked read-only"
    with pytest.raises(ReadOnlyError):
        book.add_many([PatientRecord(make_patient("NEW-01"))])
    assert _content(book) == before


@pytest.mark.parametrize(
    ("record", "said"),
    [
        (PatientRecord(make_patient(id=3)), "It is stored already (id 3)"),
        (make_course(1, id=4), "It is stored already (id 4)"),
        (
            PatientRecord(make_patient(), courses=(make_course(7),)),
            "A new patient's records have patient_id 0",
        ),
    ],
)
def test_only_new_records_are_added(book: Casebook, record: NewRecord, said: str) -> None:
    before = _content(book)
    with pytest.raises(RecordRefused, match=re.escape(said)):
        book.add_many([record])
    assert _content(book) == before


def test_nothing_to_add_writes_nothing(book: Casebook) -> None:
    before = _content(book)
    with book.recording() as edits:
        assert book.add_many([]) == []
    assert edits == []
    assert _content(book) == before


# new records drawn as a registry holds them (ints and floats, empty and padded texts, texts JSON escapes and
# texts it leaves), then perhaps one of them broken as ``save`` refuses it
TEXTS = st.sampled_from(["", "  ", 'say "ok" \\ “fine”\n', "TIF1-γ ü 😀", " padded "])
ASSESSMENTS = st.builds(
    Assessment,
    patient_id=st.just(0),
    assessed_on=st.sampled_from([date(2019, 5, 23), date(2023, 6, 30), TODAY]),
    notes=TEXTS,
    cdasi_activity=st.sampled_from([None, 0, 10, 40]),
    ck=st.sampled_from([None, 95, 95.0, 1200.5]),
    ck_uln=st.just(170.0),
    haq=st.sampled_from([0, 0.5, 1.15, 3]),
    physician_global=st.sampled_from([None, 0, 6.4, 10]),
    prednisone_mg=st.sampled_from([None, 0, 17.5, 40]),
)
COURSES = st.builds(
    make_course,
    st.just(0),
    drug=st.sampled_from(["upadacitinib", " methotrexate ", "IVIG “2 g/kg”"]),
    start=st.sampled_from(["2019", "2020-05", "2021-03-01"]),
    dose=st.sampled_from([None, 15, 15.0, 2.5]),
    notes=TEXTS,
)
EVENTS = st.builds(
    make_event,
    st.just(0),
    term=st.sampled_from(["zoster", " acne "]),
    grade=st.integers(1, 4),
    serious=st.booleans(),
)
BROKEN = st.sampled_from(
    [
        ("assessments", {"haq": 4}),
        ("assessments", {"assessed_on": date(2024, 1, 16)}),  # after 'today'
        ("assessments", {"ck_uln": None}),
        ("courses", {"drug": " "}),
        ("adverse_events", {"grade": 0}),
    ]
)


@settings(max_examples=16, deadline=None)
@given(
    assessments=st.lists(ASSESSMENTS, max_size=4),
    courses=st.lists(COURSES, max_size=2),
    events=st.lists(EVENTS, max_size=2),
    identifiers=st.none() | st.builds(Identifiers, st.just(0), full_name=TEXTS, mrn=TEXTS),
    broken=st.none() | BROKEN,
    source=st.sampled_from(["", "registry.csv row 2"]),
)
def test_drawn_new_records_are_stored_or_refused_as_saving_them_one_by_one(
    tmp_path_factory: pytest.TempPathFactory,
    assessments: list[Assessment],
    courses: list[Any],
    events: list[Any],
    identifiers: Identifiers | None,
    broken: tuple[str, dict[str, Any]] | None,
    source: str,
) -> None:
    patient = make_patient("NEW-01")
    record = PatientRecord(patient, identifiers, tuple(courses), tuple(assessments), tuple(events))
    if broken is not None and getattr(record, broken[0]):
        *kept, last = getattr(record, broken[0])
        record = replace(record, **{broken[0]: (*kept, replace(last, **broken[1]))})
    folder = tmp_path_factory.mktemp("drawn")
    with fresh_series(folder / "bulk.sqlite") as book, fresh_series(folder / "one.sqlite") as other:
        before = _content(book)
        try:
            with other.recording() as saved_edits:
                saved = _one_by_one(other, [record], [source])
        except ValidationError as error:
            with pytest.raises(RecordRefused) as refused:
                book.add_many([record], sources=[source])
            assert refused.value.problems == error.problems  # what save says of the first refused
            assert _content(book) == before == _content(other)  # neither wrote anything
            drawn("refused")
            return
        with book.recording() as edits:
            stored = book.add_many([record], sources=[source])
        assert _content(book) == _content(other)
        assert (stored, edits) == (saved, saved_edits)
        drawn("stored")
