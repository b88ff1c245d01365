"""Two editors, one record (issue 15, item 1): a save or delete based on an old version is refused with what
is stored now; undo never touches what another process wrote. The other editor is a separate PROCESS on the
same series file, or on the same server database when the suite runs on PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
from myocase.domain.changes import Change
from myocase.domain.conflicts import Clash, RecordConflict
from myocase.domain.records import Assessment, MedicationCourse
from myocase.store import audit, database
from myocase.store.casebook import Casebook

from tests.factories import make_assessment, make_course, make_patient

ROOT = Path(__file__).resolve().parents[2]


def other_process(book: Casebook, *args: object) -> str:
    """Run one write of another editor in another process on the same series; what it printed."""
    location = str(book.path) if book.path else book.engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-m", "tests.store.other_writer", location, *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def mine(book: Casebook) -> Assessment:
    """An assessment both editors have open, its physician global activity 6.4."""
    pid = book.save_patient(make_patient()).id or 0
    return book.save(make_assessment(pid, physician_global=6.4, notes="seen"))


def stored(book: Casebook, assessment: Assessment) -> list[Assessment]:
    return [a for a in book.assessments(assessment.patient_id) if a.id == assessment.id]


def test_a_save_on_an_old_version_is_refused_field_by_field_and_the_winner_stays(
    book: Casebook, mine: Assessment
) -> None:
    assert mine.version == 1
    assert other_process(book, "set-global", mine.id, 9.9) == "2"
    with pytest.raises(RecordConflict) as refused:
        book.save(replace(mine, physician_global=7.0, notes="typed"))
    conflict = refused.value
    assert conflict.stored.physician_global == 9.9  # what is stored now, read in the refusing transaction
    assert conflict.clashes() == [Clash("physician_global", "9.9", "7"), Clash("notes", "seen", "typed")]
    assert conflict.writer.os_user == audit.os_user()  # who (the other process ran as this user) and when
    assert conflict.writer.at is not None
    assert "changed by" in str(conflict)
    (kept,) = stored(book, mine)
    assert (kept.physician_global, kept.notes, kept.version) == (
        9.9,
        "seen",
        2,
    )  # nothing of mine was written
    saved = book.save(conflict.mine_on_current())  # "Keep mine": a new save on the current version
    assert (saved.physician_global, saved.notes, saved.version) == (7.0, "typed", 3)
    assert stored(book, mine) == [saved]


def test_an_edit_of_a_record_deleted_by_another_process_does_not_bring_it_back(
    book: Casebook, mine: Assessment
) -> None:
    other_process(book, "delete-assessment", mine.id)
    with pytest.raises(RecordConflict) as refused:
        book.save(replace(mine, physician_global=7.0))
    assert refused.value.deleted
    assert "was deleted by" in str(refused.value)
    assert book.assessments(mine.patient_id) == []  # not re-created by the save
    again = book.save(refused.value.mine_as_new())  # "Re-create": a new record, a new id
    assert again.id != mine.id
    assert [(a.id, a.physician_global) for a in book.assessments(mine.patient_id)] == [(again.id, 7.0)]


def test_deleting_a_record_another_process_changed_asks_first(book: Casebook, mine: Assessment) -> None:
    other_process(book, "set-global", mine.id, 9.9)
    with pytest.raises(RecordConflict) as refused:
        book.delete(Assessment, mine.id or 0, seen=mine)
    assert refused.value.deleting
    assert refused.value.clashes() == [Clash("physician_global", "9.9", "6.4")]
    assert [a.physician_global for a in stored(book, mine)] == [9.9]
    book.delete(Assessment, mine.id or 0, seen=refused.value.stored)  # deleted knowing what it held
    assert stored(book, mine) == []


def test_undo_after_another_process_created_a_record_touches_only_its_own(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id or 0
    created = book.save(make_course(pid, "methotrexate"))
    with book.recording() as edits:
        book.delete(MedicationCourse, created.id or 0)
    theirs = int(other_process(book, "add-course", pid, "tacrolimus"))
    assert theirs != created.id  # an id is never given again, not even the one just deleted
    book.apply(Change.of(edits).inverse().edits)  # undo my delete
    courses = {c.id: c.drug for c in book.courses(pid)}
    assert courses == {created.id: "methotrexate", theirs: "tacrolimus"}


def test_undo_of_an_edit_another_process_changed_since_is_refused(book: Casebook, mine: Assessment) -> None:
    with book.recording() as edits:
        book.save(replace(mine, physician_global=7.0))
    other_process(book, "set-global", mine.id, 9.9)
    with pytest.raises(RecordConflict):
        book.apply(Change.of(edits).inverse().edits)
    assert [a.physician_global for a in stored(book, mine)] == [9.9]


def test_undo_and_redo_of_ones_own_edit_pass_the_check(book: Casebook, mine: Assessment) -> None:
    with book.recording() as edits:
        book.save(replace(mine, physician_global=7.0))
    change = Change.of(edits)
    book.apply(change.inverse().edits)
    assert [a.physician_global for a in stored(book, mine)] == [6.4]
    book.apply(change.edits)
    (redone,) = stored(book, mine)
    assert redone.physician_global == 7.0
    assert redone.version == 4  # every save counted, so a form opened before any of them is refused


def test_saving_unchanged_keeps_the_version(book: Casebook, mine: Assessment) -> None:
    assert book.save(mine).version == 1


def test_a_deleted_id_is_never_given_to_a_new_record(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id or 0
    first, last = book.save(make_course(pid)), book.save(make_course(pid, "tofacitinib"))
    book.delete(MedicationCourse, last.id or 0)
    assert book.save(make_course(pid, "baricitinib")).id == (last.id or 0) + 1
    assert first.id is not None


@pytest.mark.sqlite_only("rows written with sqlite3 before the upgrade")
def test_the_upgrade_keeps_ids_the_audit_trail_saw_from_being_given_again(db_path: Path) -> None:
    database.upgrade(db_path, "0006")
    with closing(sqlite3.connect(db_path)) as raw, raw:
        raw.execute(
            "INSERT INTO patient (id, study_id, sex, subtype, ild, malignancy, vignette, created_at, updated_at)"
            " VALUES (1, 'MYO-01', 'F', 'DM', 'unknown', 'unknown', '', '2020-01-01', '2020-01-01')"
        )
        raw.execute(  # a course 9 existed once and was deleted before the upgrade
            "INSERT INTO audit_log (at, os_user, action, entity, record_id, patient_id, changes)"
            " VALUES ('2020-01-01', 'x', 'delete', 'medication_course', 9, 1, '{}')"
        )
    book = Casebook.open(db_path, create=False)
    try:
        assert book.save(make_course(1)).id == 10
        assert book.patients()[0].version == 1  # rows stored before the upgrade start at version 1
    finally:
        book.close()
