"""The audit trail as stored: one row per changed record holding its changed fields (old and new), read back one
entry per field as before."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from myocase.domain.records import Assessment
from myocase.store.casebook import Casebook
from sqlalchemy import text

from tests.factories import make_assessment, make_patient

ELEVEN = {
    "cdasi_activity": 20,
    "cdasi_damage": 3,
    "mmt8_total": 140,
    "mmt8_max": 150,
    "ck": 180.0,
    "ck_uln": 170.0,
    "physician_global": 3.5,
    "patient_global": 4.0,
    "haq": 0.5,
    "notes": "stable, “better” — 5 mg",
}  # ten values, with the date eleven changed fields


def _stored(book: Casebook, entity: str | None = None) -> list[Any]:
    """The audit rows as the database holds them, oldest first."""
    where = "" if entity is None else "WHERE entity = :entity"
    with book.engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    f"SELECT action, entity, record_id, patient_id, changes FROM audit_log {where} ORDER BY id"
                ),
                {"entity": entity},
            )
        )


def test_a_saved_assessment_with_eleven_changed_fields_is_one_row_holding_all_eleven(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id or 0
    saved = book.save(make_assessment(pid, on="2021-03-01", **ELEVEN))
    (row,) = _stored(book, "assessment")
    assert (row.action, row.record_id, row.patient_id) == ("create", saved.id, pid)
    assert json.loads(row.changes) == {
        "assessed_on": [None, "2021-03-01"],
        "cdasi_activity": [None, "20"],
        "cdasi_damage": [None, "3"],
        "mmt8_total": [None, "140"],
        "mmt8_max": [None, "150"],
        "ck": [None, "180.0"],
        "ck_uln": [None, "170.0"],
        "physician_global": [None, "3.5"],
        "patient_global": [None, "4.0"],
        "haq": [None, "0.5"],
        "notes": [None, "stable, “better” — 5 mg"],
    }
    assert "“better”" in row.changes  # stored as typed, not \\u-escaped
    trail = [e for e in book.audit_trail(pid) if e.entity == "assessment"]
    assert len(trail) == 11  # read back one entry per field, as before


def test_an_update_stores_the_old_and_new_value_of_only_the_fields_that_changed(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id or 0
    saved = book.save(make_assessment(pid, cdasi_activity=20, haq=0.5, notes="first"))
    book.save(replace(saved, cdasi_activity=25, notes="second"))
    book.save(book.assessments(pid)[0])  # saved unchanged: no row
    book.delete(Assessment, saved.id or 0)
    rows = _stored(book, "assessment")
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert json.loads(rows[1].changes) == {"cdasi_activity": ["20", "25"], "notes": ["first", "second"]}
    assert json.loads(rows[2].changes) == {
        "assessed_on": ["2021-03-01", None],
        "cdasi_activity": ["25", None],
        "haq": ["0.5", None],
        "notes": ["second", None],
    }


def test_the_record_version_is_never_a_changed_field(book: Casebook) -> None:
    earlier = len(_stored(book))  # the fixture's series settings
    pid = book.save_patient(make_patient()).id or 0
    saved = book.save(make_assessment(pid))
    book.save(replace(book.assessments(pid)[0], haq=1.0))
    book.delete(Assessment, saved.id or 0)
    stored = [json.loads(r.changes) for r in _stored(book)[earlier:]]
    assert len(stored) == 4  # patient created; assessment created, changed, deleted
    assert all("version" not in changes and "id" not in changes for changes in stored)
    assert stored[2] == {"haq": [None, "1.0"]}


def test_a_setting_or_an_import_source_is_one_row_with_one_field(book: Casebook) -> None:
    earlier = len(_stored(book))
    book.save_preference("recent_columns", ["haq", "ck"])
    book.save_preference("recent_columns", ["haq"])
    with book.batch(source="patients.csv row 4"):
        pid = book.save_patient(make_patient("IMP-01")).id
    rows = _stored(book)[earlier:]
    assert [(r.action, r.entity, json.loads(r.changes)) for r in rows[:2]] == [
        ("create", "settings", {"recent_columns": [None, '["haq", "ck"]']}),
        ("update", "settings", {"recent_columns": ['["haq", "ck"]', '["haq"]']}),
    ]
    assert (rows[-1].action, rows[-1].record_id, json.loads(rows[-1].changes)) == (
        "import",
        pid,
        {"source": [None, "patients.csv row 4"]},
    )
    assert len(rows) == 4  # the patient's own row between them


def test_the_trail_lists_one_entry_per_field_newest_first_as_when_each_field_had_a_row(
    book: Casebook,
) -> None:
    pid = book.save_patient(make_patient()).id or 0
    saved = book.save(make_assessment(pid, cdasi_activity=20, haq=0.5))
    book.save(replace(saved, cdasi_activity=12, haq=0.25))
    trail = [(e.action, e.field, e.old_value, e.new_value) for e in book.audit_trail(pid)]
    assert trail[:5] == [
        ("update", "haq", "0.5", "0.25"),  # the last field written first, as row ids ran before
        ("update", "cdasi_activity", "20", "12"),
        ("create", "haq", None, "0.5"),
        ("create", "cdasi_activity", None, "20"),
        ("create", "assessed_on", None, "2021-03-01"),
    ]
    assert trail[-1][:2] == ("create", "study_id")  # the patient, first written


def test_the_listing_limit_counts_fields_and_may_end_inside_a_row(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id or 0
    book.save(make_assessment(pid, on="2021-03-01", **ELEVEN))
    book.save(make_assessment(pid, on="2021-04-01", **ELEVEN))
    assert len(_stored(book, "assessment")) == 2
    newest = book.audit_trail(pid, limit=15)
    assert [e.field for e in newest][10:] == [
        "assessed_on",
        "notes",
        "haq",
        "patient_global",
        "physician_global",
    ]
    assert {e.action for e in newest} == {"create"}
    stored_fields = sum(len(json.loads(r.changes)) for r in _stored(book) if r.patient_id == pid)
    assert len(book.history(pid)) == stored_fields  # no limit: every field of every row
