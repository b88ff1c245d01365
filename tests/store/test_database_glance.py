"""The read-only fast path (`myocase info`): the same facts as the series read through the ORM, from the
same tables, refusing what the ORM path refuses, leaving to it what needs a migration, leaving no file behind."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from myocase.domain.records import Counts
from myocase.services import info
from myocase.store import database, glance
from myocase.store.casebook import Casebook
from myocase.store.tables import AdverseEventRow, AssessmentRow, CourseRow, PatientRow, PhotoRow, SettingRow

from tests.factories import TODAY, make_patient


def test_the_counted_tables_are_the_orms() -> None:
    rows = {"patients": PatientRow, "medication_courses": CourseRow, "assessments": AssessmentRow}
    rows |= {"adverse_events": AdverseEventRow, "photos": PhotoRow}
    assert {field: row.__tablename__ for field, row in rows.items()} == glance.COUNTED
    assert SettingRow.__tablename__ == glance.SETTING_TABLE


def test_a_glance_at_the_demo_reads_what_the_series_holds(demo_book: Casebook) -> None:
    assert demo_book.path is not None
    seen = glance.glance(demo_book.path)
    assert seen is not None
    assert seen.counts == demo_book.counts()
    assert seen.counts.patients == 10
    assert seen.counts.photos == 6
    assert seen.counts.by_subtype == {"DM": 5, "ADM": 3, "ASyS": 2}  # the vocabulary's order
    assert seen.settings == demo_book.settings()
    assert seen.settings.is_demo
    assert seen.schema_version == database.head_revision()
    assert info.describe(demo_book.path) == info.describe(demo_book)


def test_an_empty_series_has_default_settings_and_zero_counts(db_path: Path) -> None:
    Casebook.open(db_path).close()
    seen = glance.glance(db_path)
    assert seen is not None
    assert seen.counts == Counts(0, 0, 0, 0, 0, {})
    assert seen.settings.cutoff is None
    assert seen.settings.name == "Untitled case series"


def test_a_glance_leaves_no_file_beside_the_database(db_path: Path) -> None:
    book = Casebook.open(db_path, today=lambda: TODAY)
    book.save_patient(make_patient())
    book.close()
    before = sorted(p.name for p in db_path.parent.iterdir())
    assert glance.glance(db_path) is not None
    assert sorted(p.name for p in db_path.parent.iterdir()) == before == [db_path.name]


def test_a_database_to_migrate_is_left_to_the_series_which_backs_it_up_first(db_path: Path) -> None:
    database.upgrade(db_path, "0001")
    assert glance.glance(db_path) is None
    assert database.inspect_revision(db_path)[0] == "0001"  # untouched by the glance
    summary = info.describe(db_path)  # opened as a series: backed up, then updated
    assert summary["schema_version"] == database.head_revision()
    assert summary["patients"] == 0
    assert len(list(db_path.parent.glob("series.backup-*.sqlite"))) == 1


def test_a_missing_file_is_refused_as_the_series_refuses_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite"
    with pytest.raises(database.StorageError, match="No database at") as by_glance:
        glance.glance(missing)
    with pytest.raises(database.StorageError) as by_series:
        Casebook.open(missing, create=False)
    assert str(by_glance.value) == str(by_series.value)
    assert not missing.exists()


def test_a_newer_database_is_refused_untouched(db_path: Path) -> None:
    Casebook.open(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA journal_mode=DELETE")
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    with pytest.raises(database.NewerDatabaseError, match="newer version of MyoCase"):
        info.describe(db_path)
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
    assert [p.name for p in db_path.parent.iterdir()] == [db_path.name]


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE patient (id INTEGER)")
    raw.close()
    with pytest.raises(database.StorageError, match="not a MyoCase case series"):
        glance.glance(other)


@pytest.mark.parametrize("how", ["glance", "info"])
def test_a_zero_byte_file_is_refused_and_stays_empty(tmp_path: Path, how: str) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with pytest.raises(database.StorageError, match=r"empty file .0 bytes.*not changed"):
        glance.glance(empty) if how == "glance" else info.describe(empty)
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite"]
