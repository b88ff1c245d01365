"""Schema migrations: from nothing to head, the ORM equal to the migrated schema, refusals, backups."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from myocase.store import database
from myocase.store.casebook import Casebook
from myocase.store.tables import Base
from sqlalchemy import create_engine

from tests.factories import make_assessment, make_patient


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_empty_database_migrates_to_head(db_path: Path) -> None:
    book = Casebook.open(db_path)
    assert book.schema_version() == database.head_revision()
    assert book.backup is None  # nothing to back up in a new file
    book.close()


def test_orm_matches_migrated_schema(db_path: Path) -> None:
    database.upgrade(db_path)
    engine = create_engine(database.sqlite_url(db_path))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_connection_enforces_foreign_keys_and_uses_wal(book: Casebook) -> None:
    with book.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_newer_database_is_refused_and_left_untouched(db_path: Path) -> None:
    Casebook.open(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA journal_mode=DELETE")  # fold the WAL in so the file alone is the database
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    before = _digest(db_path)
    neighbours = sorted(p.name for p in db_path.parent.iterdir())
    with pytest.raises(database.NewerDatabaseError, match="newer version of MyoCase"):
        Casebook.open(db_path)
    assert _digest(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == neighbours  # no backup, no -wal


def test_backup_is_written_before_migrating(db_path: Path) -> None:
    database.upgrade(db_path, "0001")
    raw = sqlite3.connect(db_path)
    raw.execute(
        "INSERT INTO patient (study_id, sex, subtype, ild, malignancy, vignette, created_at, updated_at) "
        "VALUES ('OLD-01', 'F', 'DM', 'no', 'no', '', '2020-01-01 00:00:00', '2020-01-01 00:00:00')"
    )
    raw.commit()
    raw.close()

    book = Casebook.open(db_path)
    assert book.backup is not None and book.backup.exists()
    backed_up = sqlite3.connect(book.backup)
    assert backed_up.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert backed_up.execute("SELECT study_id FROM patient").fetchall() == [("OLD-01",)]
    backed_up.close()
    assert book.schema_version() == database.head_revision()
    assert [p.study_id for p in book.patients()] == ["OLD-01"]
    book.close()


def test_upgrade_keeps_existing_records_and_links(db_path: Path) -> None:
    """Batch ALTERs rebuild tables; with foreign keys on that would cascade (pitfall 3.9)."""
    database.upgrade(db_path, "0002")
    raw = sqlite3.connect(db_path)
    raw.executescript(
        """
        INSERT INTO patient (id, study_id, sex, subtype, ild, malignancy, vignette, created_at, updated_at)
        VALUES (1, 'OLD-01', 'F', 'DM', 'no', 'no', '', '2020-01-01', '2020-01-01');
        INSERT INTO assessment (id, patient_id, assessed_on, cdasi_activity, notes) VALUES (7, 1, '2020-02-01', 21, '');
        INSERT INTO photo (id, patient_id, assessment_id, sha256, media_type, width, height, body_site, caption,
                           consent, identifiable, in_report, created_at)
        VALUES (3, 1, 7, 'abc', 'image/jpeg', 10, 10, '', '', 'yes', 0, 0, '2020-01-01');
        """
    )
    raw.commit()
    raw.close()
    book = Casebook.open(db_path)
    (assessment,) = book.assessments(1)
    assert assessment.cdasi_activity == 21 and assessment.cdasi_grid is None
    (photo,) = book.photos(1)
    assert photo.assessment_id == 7
    book.close()


def test_rebuilding_a_parent_table_during_migration_keeps_its_children(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id
    assessment = book.save(make_assessment(pid or 0))
    raw = sqlite3.connect(book.path or "")
    raw.execute(
        "INSERT INTO photo (patient_id, assessment_id, sha256, media_type, width, height, body_site, caption, "
        "consent, identifiable, in_report, created_at) VALUES (?, ?, 'x', 'image/png', 1, 1, '', '', 'yes', 0, 0, "
        "'2020-01-01')",
        (pid, assessment.id),
    )
    raw.commit()
    raw.close()
    book.close()
    with database._migration_connection(book.path or Path()) as connection:
        with Operations(MigrationContext.configure(connection)).batch_alter_table(
            "patient", recreate="always"
        ):
            pass
        with Operations(MigrationContext.configure(connection)).batch_alter_table(
            "assessment", recreate="always"
        ):
            pass
        connection.commit()
    assert [a.id for a in book.assessments(pid)] == [assessment.id]
    assert [p.assessment_id for p in book.photos(pid)] == [assessment.id]


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE invoices (id INTEGER)")
    raw.commit()
    raw.close()
    before = _digest(path)
    with pytest.raises(database.StorageError, match="not a MyoCase case series"):
        Casebook.open(path)
    assert _digest(path) == before


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("this is not a database")
    with pytest.raises(database.StorageError, match="not a MyoCase database"):
        Casebook.open(path)
    assert path.read_text() == "this is not a database"


def test_damaged_database_is_refused(db_path: Path) -> None:
    Casebook.open(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA journal_mode=DELETE")
    raw.close()
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page, keep the header
    db_path.write_bytes(bytes(data))
    with pytest.raises(database.StorageError):
        Casebook.open(db_path)


def test_missing_database_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    with pytest.raises(database.StorageError, match="No database at"):
        Casebook.open(path, create=False)
    assert not path.exists()
