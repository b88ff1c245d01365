"""Schema migrations: from nothing to head, the ORM equal to the migrated schema, refusals, backups; each update
one transaction (a failure leaves the database as it was, with one backup), every downgrade tested."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.ddl.impl import DefaultImpl
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from myocase.domain.records import Assessment, Identifiers, SeriesSettings
from myocase.services.demo import write_demo
from myocase.store import database, series_file
from myocase.store.casebook import Casebook
from myocase.store.tables import Base
from sqlalchemy import Engine, MetaData, create_engine, event, insert, inspect, select
from sqlalchemy.pool import NullPool

from tests.conftest import SERVER_URL, _server_database
from tests.factories import TODAY, make_assessment, make_course, make_event, make_patient


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.sqlite_only("a new file")
def test_empty_database_migrates_to_head(db_path: Path) -> None:
    book = Casebook.open(db_path)
    assert book.schema_version() == database.head_revision()
    assert book.backup is None  # nothing to back up in a new file
    book.close()


def test_orm_matches_migrated_schema(target: Target) -> None:
    database.upgrade(target.migrated)
    engine = target.engine()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


@pytest.mark.sqlite_only("the connection pragmas of a file")
def test_connection_enforces_foreign_keys_and_uses_wal(book: Casebook) -> None:
    with book.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.sqlite_only("the file's bytes")
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


@pytest.mark.sqlite_only("the backup beside the file")
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
    assert book.backup is not None
    assert book.backup.exists()
    backed_up = sqlite3.connect(book.backup)
    assert backed_up.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert backed_up.execute("SELECT study_id FROM patient").fetchall() == [("OLD-01",)]
    backed_up.close()
    assert book.schema_version() == database.head_revision()
    assert [p.study_id for p in book.patients()] == ["OLD-01"]
    book.close()


@pytest.mark.sqlite_only("rows written with sqlite3")
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
    assert assessment.cdasi_activity == 21
    assert assessment.cdasi_grid is None
    (photo,) = book.photos(1)
    assert photo.assessment_id == 7
    book.close()


@pytest.mark.sqlite_only("SQLite's batch rebuilds and its foreign-key pragma")
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


@pytest.mark.sqlite_only("another program's SQLite file")
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


@pytest.mark.sqlite_only("a file that is not a database")
def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("this is not a database")
    with pytest.raises(database.StorageError, match="not a MyoCase database"):
        Casebook.open(path)
    assert path.read_text() == "this is not a database"


@pytest.mark.sqlite_only("a damaged file")
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


@pytest.mark.sqlite_only("a missing file")
def test_missing_database_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    with pytest.raises(database.StorageError, match="No database at"):
        Casebook.open(path, create=False)
    assert not path.exists()


def test_a_scripts_revisions_are_read_from_their_lines_or_else_from_the_whole_file() -> None:
    plain = b'"""Photos.\n\nRevision ID: 0002\n"""\n\nrevision: str = "0002"\ndown_revision: str | None = "0001"  # before\n'
    merge = b'revision = "0005"\ndown_revision = (\n    "0003",\n    "0004",\n)\n'
    assert series_file._revision_lines(plain) == {"revision": "0002", "down_revision": "0001"}
    assert series_file._revision_lines(merge) == {"revision": "0005", "down_revision": ("0003", "0004")}


def _tables_and_rows(path: Path) -> tuple[set[str], dict[str, list[tuple[object, ...]]]]:
    with closing(sqlite3.connect(path)) as raw:
        found = raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
        tables = {name for (name,) in found}  # (not SQLite's own, such as the AUTOINCREMENT counters)
        rows = {
            t: raw.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("patient", "assessment", "photo")
        }
    return tables, rows


@pytest.mark.sqlite_only("rows written with sqlite3")
def test_provenance_migration_adds_its_table_keeps_every_row_and_comes_off_again(db_path: Path) -> None:
    database.upgrade(db_path, "0004")
    with closing(sqlite3.connect(db_path)) as raw:
        raw.executescript(
            """
            INSERT INTO patient (id, study_id, sex, subtype, ild, malignancy, vignette, created_at, updated_at)
            VALUES (1, 'OLD-01', 'F', 'DM', 'no', 'no', '', '2020-01-01', '2020-01-01');
            INSERT INTO assessment (id, patient_id, assessed_on, cdasi_activity, notes) VALUES (7, 1, '2020-02-01', 21, '');
            INSERT INTO photo (id, patient_id, assessment_id, sha256, media_type, width, height, body_site, caption,
                               consent, identifiable, in_report, created_at, annotations, crop)
            VALUES (3, 1, 7, 'abc', 'image/jpeg', 10, 10, '', '', 'yes', 0, 0, '2020-01-01', NULL, NULL);
            """
        )
    tables, rows = _tables_and_rows(db_path)
    assert "patient_provenance" not in tables
    database.upgrade(db_path, "0005")
    upgraded, kept = _tables_and_rows(db_path)
    assert upgraded == tables | {"patient_provenance"}
    assert kept == rows
    book = Casebook.open(db_path, create=False)
    (patient,) = book.patients()
    assert patient.provenance is None  # a patient of the series itself
    book.close()
    with database._migration_connection(db_path) as connection:
        config = database.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
        connection.commit()
    assert _tables_and_rows(db_path) == (tables, rows)


# ------------------------------------------------------------ atomic updates (issue 15, item 5)

OLD = "0001"  # the series under test is made at this revision, with rows, then updated
STOP_TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER stop BEFORE UPDATE ON alembic_version BEGIN SELECT RAISE(ABORT, 'stopped by test'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION stop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'stopped by test'; END $$",
        "CREATE TRIGGER stop BEFORE UPDATE ON alembic_version FOR EACH ROW EXECUTE FUNCTION stop()",
    ],
}
DROP_TRIGGER = {"sqlite": ["DROP TRIGGER stop"], "postgresql": ["DROP TRIGGER stop ON alembic_version"]}


@dataclass
class Target:
    """A series to migrate: a SQLite file, or a database on the PostgreSQL test server."""

    url: str
    path: Path | None

    def engine(self) -> Engine:
        return create_engine(self.url, poolclass=NullPool)

    @property
    def migrated(self) -> Path | Engine:
        """What ``database.upgrade``/``downgrade`` take: the file, or the server's engine."""
        return self.path if self.path is not None else create_engine(self.url, poolclass=NullPool)

    @classmethod
    def file(cls, path: Path) -> Target:
        return cls(database.sqlite_url(path).render_as_string(), path)

    def open(self) -> Casebook:
        return Casebook.open(self.path, create=False) if self.path else Casebook.connect(self.url)

    def run(self, statements: list[str]) -> None:
        engine = self.engine()
        with engine.begin() as connection:
            for statement in statements[connection.dialect.name]:  # type: ignore[index]
                connection.exec_driver_sql(statement)
        engine.dispose()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    """An empty series: a file, or on the test server when the suite runs there (as ``book``)."""
    if SERVER_URL:
        with _server_database() as url:
            yield Target(url, None)
    else:
        yield Target.file(tmp_path / "series.sqlite")


def dump(engine: Engine) -> dict[str, tuple[list[str], list[tuple[object, ...]]]]:
    """Every table's columns and rows (sorted), read through SQLAlchemy on either dialect."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        found = {
            table.name: (
                [c.name for c in table.columns],
                sorted(connection.execute(select(table)).all(), key=repr),
            )
            for table in metadata.sorted_tables
        }
    engine.dispose()
    return found


def schema(engine: Engine) -> dict[str, object]:
    """Each table's columns, keys, references and indexes, as the database describes them."""
    found: dict[str, object] = {}
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            found[table] = (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                inspector.get_pk_constraint(table)["constrained_columns"],
                sorted(
                    (f["constrained_columns"], f["referred_table"], f.get("options", {}).get("ondelete"))
                    for f in inspector.get_foreign_keys(table)
                ),
                sorted((i["name"], i["column_names"], i["unique"]) for i in inspector.get_indexes(table)),
            )
    engine.dispose()
    return found


def _old_series(target: Target) -> None:
    """A series at revision ``OLD`` holding a patient with an assessment (the update rebuilds their tables)."""
    database.upgrade(target.migrated, OLD)
    engine = target.engine()
    metadata = MetaData()
    metadata.reflect(engine)
    stamp = datetime(2020, 1, 1, 9, 30)
    with engine.begin() as connection:
        connection.execute(
            insert(metadata.tables["patient"]),
            [{"id": 1, "study_id": "OLD-01", "sex": "F", "subtype": "DM", "ild": "no", "malignancy": "no",
              "vignette": "", "created_at": stamp, "updated_at": stamp}],
        )  # fmt: skip
        connection.execute(
            insert(metadata.tables["assessment"]),
            [
                {
                    "id": 7,
                    "patient_id": 1,
                    "assessed_on": date(2020, 2, 1),
                    "cdasi_activity": 21,
                    "notes": "kept",
                }
            ],
        )
    engine.dispose()
    if target.path is not None:  # as a MyoCase of that time left it: in write-ahead-log mode
        with closing(sqlite3.connect(target.path)) as raw:
            raw.execute("PRAGMA journal_mode=WAL")


def _failing_after_first_ddl(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the next table the update creates be created, then the update fail (a step broken halfway)."""
    created: list[str] = []
    original = DefaultImpl.create_table

    def create_then_fail(self: DefaultImpl, table: Any, **kw: Any) -> None:
        original(self, table, **kw)
        created.append(table.name)
        raise RuntimeError("simulated failure after the step's first change")

    monkeypatch.setattr(DefaultImpl, "create_table", create_then_fail)
    return created


def test_an_update_that_fails_halfway_leaves_schema_and_data_as_they_were(target: Target) -> None:
    _old_series(target)
    before, rows = schema(target.engine()), dump(target.engine())
    target.run(STOP_TRIGGER)  # the version update of the first step raises: its DDL has run by then
    with_trigger = schema(target.engine())
    with pytest.raises(database.StorageError, match="Nothing in it was changed") as refused:
        target.open()
    assert "stopped by test" in str(refused.value)
    assert schema(target.engine()) == with_trigger
    assert dump(target.engine()) == rows
    target.run(DROP_TRIGGER)
    assert schema(target.engine()) == before
    book = target.open()  # the cause removed: the next start updates cleanly
    assert book.schema_version() == database.head_revision()
    (assessment,) = book.assessments(1)
    assert (assessment.cdasi_activity, assessment.notes) == (21, "kept")
    book.close()


@pytest.mark.sqlite_only("the statements SQLite runs")
def test_every_step_of_an_update_is_one_transaction_with_foreign_keys_off_before_it(db_path: Path) -> None:
    database.upgrade(db_path, OLD)
    statements: list[str] = []

    def trace(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    event.listen(Engine, "connect", trace, insert=True)
    try:
        database.upgrade(db_path)  # four steps
    finally:
        event.remove(Engine, "connect", trace)
    pragmas = ("PRAGMA foreign_keys", "PRAGMA foreign_key_check")  # (not the batch rebuilds' reflection)
    control = [
        s for s in statements if s.split()[0] in ("BEGIN", "COMMIT", "ROLLBACK") or s.startswith(pragmas)
    ]
    assert control == ["PRAGMA foreign_keys=OFF", "BEGIN IMMEDIATE", "PRAGMA foreign_key_check", "COMMIT"]
    assert sum(s.startswith("UPDATE alembic_version") for s in statements) == len(_chain()) - 2


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _dump_file(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as raw:
        return list(raw.iterdump())


@pytest.mark.sqlite_only("the file's bytes and its backup beside it")
def test_a_failed_update_leaves_the_file_byte_for_byte_and_names_its_one_backup(tmp_path: Path) -> None:
    target = Target.file(tmp_path / "series.sqlite")
    _old_series(target)
    target.run(STOP_TRIGGER)
    path = tmp_path / "series.sqlite"
    digest, content, files = _digest(path), _dump_file(path), _files(tmp_path)
    messages = []
    for _attempt in range(3):  # the user tries again, and again
        with pytest.raises(database.StorageError) as refused:
            Casebook.open(path)
        messages.append(str(refused.value))
        assert _digest(path) == digest
        assert _dump_file(path) == content
    (backup,) = set(_files(tmp_path)) - set(files)  # one backup, made before the first attempt only
    assert backup.startswith("series.backup-")
    assert all(str(tmp_path / backup) in m for m in messages)
    assert series_file.verify_copy(tmp_path / backup) == OLD
    assert _dump_file(tmp_path / backup) == content


@pytest.mark.sqlite_only("the backup beside the file")
def test_after_a_failed_step_the_next_start_updates_cleanly_with_the_same_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "series.sqlite"
    _old_series(Target.file(path))
    digest, files = _digest(path), _files(tmp_path)
    created = _failing_after_first_ddl(monkeypatch)
    with pytest.raises(database.StorageError, match="simulated failure") as refused:
        Casebook.open(path)
    assert created == ["photo"]  # the step's first table was made…
    assert _digest(path) == digest  # …and rolled back with the rest
    (backup,) = set(_files(tmp_path)) - set(files)
    assert str(tmp_path / backup) in str(refused.value)
    monkeypatch.undo()
    book = Casebook.open(path)
    assert book.schema_version() == database.head_revision()
    assert book.backup == tmp_path / backup  # the copy of the same content, made once
    assert [a.cdasi_activity for a in book.assessments(1)] == [21]
    book.close()
    assert _files(tmp_path) == sorted([*files, backup])


@pytest.mark.sqlite_only("SQLite's foreign_key_check")
def test_an_update_that_would_leave_broken_references_is_refused_and_rolled_back(db_path: Path) -> None:
    _old_series(Target.file(db_path))
    with closing(sqlite3.connect(db_path)) as raw:  # an orphan written with foreign keys off
        raw.execute(
            "INSERT INTO assessment (id, patient_id, assessed_on, notes) VALUES (8, 99, '2020-03-01', '')"
        )
        raw.commit()
    digest = _digest(db_path)
    with pytest.raises(database.StorageError, match=r"pointing at nothing \(assessment row 8 → patient\)"):
        Casebook.open(db_path)
    assert _digest(db_path) == digest


@pytest.mark.sqlite_only("a new file")
def test_a_new_file_whose_creation_fails_is_not_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_after_first_ddl(monkeypatch)
    with pytest.raises(database.StorageError, match="could not be updated"):
        Casebook.open(tmp_path / "new.sqlite")
    assert _files(tmp_path) == []


CRASHING_UPDATE = """
import os, sys
from pathlib import Path
from alembic.ddl.impl import DefaultImpl
from myocase.store import database
from myocase.store.casebook import Casebook

original, set_up = DefaultImpl.create_table, database._migration_set_up

def create_then_die(self, table, **kw):
    original(self, table, **kw)
    if table.name == "photo_comparison":  # steps 0002 and 0003 (a table rebuilt) done, 0004 begun
        os._exit(9)  # the power goes off in the middle of the update

def tiny_cache(journal_mode):  # changed pages go to the file (or the log) at once, as in a large update
    def connect(dbapi_connection, record):
        set_up(journal_mode)(dbapi_connection, record)
        dbapi_connection.execute("PRAGMA cache_size=1")
    return connect

DefaultImpl.create_table, database._migration_set_up = create_then_die, tiny_cache
Casebook.open(Path(sys.argv[1]))
"""


@pytest.mark.sqlite_only("a SQLite writer killed mid-update")
@pytest.mark.parametrize("journal", ["WAL", "DELETE"])
def test_an_update_cut_off_by_a_crash_is_undone_and_done_again_at_the_next_start(
    tmp_path: Path, journal: str
) -> None:
    path = tmp_path / "series.sqlite"
    _old_series(Target.file(path))
    with closing(sqlite3.connect(path)) as raw:
        raw.execute(f"PRAGMA journal_mode={journal}")
    content = _dump_file(path)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_UPDATE, str(path)], capture_output=True, timeout=60
    )
    assert crashed.returncode == 9
    assert database.inspect_revision(path)[0] == OLD
    assert _dump_file(path) == content  # the half-done update is not there
    book = Casebook.open(path)
    assert book.schema_version() == database.head_revision()
    assert [a.notes for a in book.assessments(1)] == ["kept"]
    book.close()
    assert len(list(tmp_path.glob("series.backup-*.sqlite"))) == 1


# ------------------------------------------------------------ downgrades: every one exists and keeps what it can


def _chain() -> list[str]:
    """Every revision from head down to the first, then "base"."""
    revisions, chain = series_file._script_revisions(), [database.head_revision()]
    while revisions[chain[-1]] and revisions[chain[-1]][0]:
        chain.append(revisions[chain[-1]][0])
    return [*chain, "base"]


def _kept(rows: tuple[list[str], list[tuple[object, ...]]], columns: list[str]) -> list[tuple[object, ...]]:
    at = [rows[0].index(c) for c in columns]
    return sorted((tuple(row[i] for i in at) for row in rows[1]), key=repr)


@pytest.fixture
def demo_target(demo_path: Path, tmp_path: Path) -> Iterator[Target]:
    """The demo series: a file, or on the test server when the suite runs there (as ``demo_book``)."""
    if not SERVER_URL:
        yield Target.file(database.backup_database(demo_path, tmp_path / "demo.sqlite"))
        return
    with _server_database() as url:
        book = Casebook.connect(url, today=lambda: TODAY)
        write_demo(book)
        book.close()
        yield Target(url, None)


def test_the_chain_reaches_every_migration_script() -> None:
    assert sorted(_chain()[:-1]) == sorted(database.known_revisions())


def test_upgrade_downgrade_upgrade_on_the_demo_keeps_every_row(demo_target: Target) -> None:
    first, rows = schema(demo_target.engine()), dump(demo_target.engine())
    assert rows["patient"][1]  # the demo has rows to lose
    assert rows["photo"][1]
    below_head = _chain()[1]
    database.downgrade(demo_target.migrated, below_head)
    database.upgrade(demo_target.migrated)
    assert schema(demo_target.engine()) == first
    # every row and value comes back; only the save counters restart at 1 (the downgrade drops them)
    assert _unversioned(dump(demo_target.engine())) == _unversioned(rows)


def _unversioned(rows: dict[str, tuple[list[str], list[tuple[object, ...]]]]) -> dict[str, object]:
    """Each table's rows without their ``version`` column (the count of saves of a record)."""
    found: dict[str, object] = {}
    for table, (columns, values) in rows.items():
        keep = [i for i, name in enumerate(columns) if name != "version"]
        found[table] = sorted((tuple(row[i] for i in keep) for row in values), key=repr)
    return found


def test_each_downgrade_keeps_the_rows_its_schema_can_hold_and_upgrade_restores_the_schema(
    demo_target: Target,
) -> None:
    first, rows = schema(demo_target.engine()), dump(demo_target.engine())
    for revision in _chain()[1:]:
        database.downgrade(demo_target.migrated, revision)
        down = dump(demo_target.engine())
        assert set(down) <= set(rows), revision
        for table, (columns, kept) in down.items():  # (a table reshaped below head, as the audit trail, is
            if table != "alembic_version" and set(columns) <= set(rows[table][0]):  # checked by its own test)
                assert kept == _kept(rows[table], columns), (revision, table)
        database.upgrade(demo_target.migrated)
        assert schema(demo_target.engine()) == first, revision
        up = dump(demo_target.engine())
        for table, (columns, kept) in down.items():
            if table != "alembic_version" and set(columns) <= set(up[table][0]):
                assert _kept(up[table], columns) == kept, (revision, table)
    assert dump(demo_target.engine())["alembic_version"] == rows["alembic_version"]


# ------------------------------------------------------------ the audit trail compacted (0006, issue 16 item 4)


def _trail_as_0005_read_it(path: Path) -> list[tuple[object, ...]]:
    """The per-field rows as the 0005 code listed them: newest first, the time to the second, the study ID."""
    with closing(sqlite3.connect(path)) as raw:
        rows = raw.execute(
            "SELECT a.at, a.os_user, a.action, a.entity, a.record_id, a.field, a.old_value, a.new_value, "
            "coalesce(p.study_id, '') FROM audit_log a LEFT JOIN patient p ON p.id = a.patient_id ORDER BY a.id DESC"
        ).fetchall()
    return [(f"{at[:10]}T{at[11:19]}+00:00", *rest) for at, *rest in rows]


def _trail_read_now(book: Casebook) -> list[tuple[object, ...]]:
    return [
        (e.at, e.os_user, e.action, e.entity, e.record_id, e.field, e.old_value, e.new_value, e.study_id)
        for e in book.audit_trail(limit=10**9)
    ]


def _audit_rows(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as raw:
        return raw.execute("SELECT * FROM audit_log ORDER BY id").fetchall()


def _written_with_history(path: Path) -> None:
    """A series with a real history, written through the storage API: records created, changed a field or
    many at a time, deleted (a patient with everything), settings and preferences, an import's source."""
    book = Casebook.open(path)
    book.save_settings(SeriesSettings(name="Trail “series”", cutoff=date(2023, 6, 30), index_drug="upa"))
    kept = book.save_patient(make_patient("KEEP-01"), Identifiers(0, mrn="12345")).id or 0
    gone = book.save_patient(make_patient("GONE-02")).id or 0
    book.save_preference("recent_columns", ["haq", "ck"])
    first = book.save(make_assessment(kept, cdasi_activity=20, haq=0.5, ck=180.0, ck_uln=170.0, notes="é"))
    book.save(make_course(kept))
    book.save(replace(book.assessments(kept)[0], cdasi_activity=12))
    book.save(make_assessment(gone, on="2021-04-01", cdasi_activity=30))
    book.save(replace(book.assessments(kept)[0], haq=0.25, notes="better"))
    book.save_preference("recent_columns", ["haq"])
    with book.batch(source="patients.csv row 4"):
        book.save_patient(make_patient("IMP-03", vignette="imported"))
    book.save(make_event(kept))
    book.delete(Assessment, first.id or 0)
    book.delete_patient(gone)
    book.close()


def _as_0005_wrote_it(path: Path) -> None:
    """Down to 0005, each field row then given its own time microseconds apart, as the 0005 code stamped them."""
    database.downgrade(path, "0005")
    with closing(sqlite3.connect(path)) as raw:
        stamps = raw.execute("SELECT id, at FROM audit_log").fetchall()
        raw.executemany(
            "UPDATE audit_log SET at = ? WHERE id = ?",
            [
                ((datetime.fromisoformat(at) + timedelta(microseconds=3 * (n % 5))).isoformat(" "), n)
                for n, at in stamps
            ],
        )
        raw.commit()


@pytest.mark.sqlite_only("per-field rows read with sqlite3")
def test_compacting_the_audit_trail_keeps_every_field_change_as_the_trail_listed_it(db_path: Path) -> None:
    _written_with_history(db_path)
    compact = _audit_rows(db_path)
    _as_0005_wrote_it(db_path)
    before = _trail_as_0005_read_it(db_path)
    assert len(before) == len(_audit_rows(db_path)) > 3 * len(compact)  # one row per field at 0005
    assert {row[2] for row in before} == {"create", "update", "delete", "import"}
    assert "GONE-02" not in {row[8] for row in before}  # a deleted patient's rows: no study ID, as before
    book = Casebook.open(db_path)  # updated to head
    assert _trail_read_now(book) == before
    book.close()
    assert len(_audit_rows(db_path)) == len(compact)  # one row per write again
    assert [json.loads(row[-1]) for row in _audit_rows(db_path)] == [json.loads(row[-1]) for row in compact]


@pytest.mark.sqlite_only("per-field rows read with sqlite3")
def test_compact_audit_downgrade_then_upgrade_gives_back_the_same_rows(db_path: Path) -> None:
    _written_with_history(db_path)
    compact = _audit_rows(db_path)
    book = Casebook.open(db_path)
    listed = _trail_read_now(book)
    book.close()
    database.downgrade(db_path, "0005")
    assert _trail_as_0005_read_it(db_path) == listed  # the per-field rows list the same trail
    database.upgrade(db_path)
    assert _audit_rows(db_path) == compact  # ids, times, users, records and changes
    assert _audit_rows(db_path)[0][0] == 1


@pytest.mark.sqlite_only("rows written with sqlite3")
def test_compacting_groups_only_the_rows_one_write_made(db_path: Path) -> None:
    database.upgrade(db_path, "0005")
    second, next_second = "2024-05-01 10:00:00.", "2024-05-01 10:00:01.000001"
    rows = [  # id, time, action, record, field, old, new
        (1, second + "100000", "create", 7, "assessed_on", None, "2024-05-01"),
        (2, second + "100004", "create", 7, "haq", None, "1.0"),
        (3, second + "100009", "update", 7, "cdasi_activity", "2", "21"),  # another action
        (4, second + "100011", "update", 7, "cdasi_activity", "21", "22"),  # the same field again
        (5, second + "100012", "update", 8, "haq", None, "0.5"),  # another record
        (6, second + "100013", "update", 8, "notes", "", "x"),
        (8, second + "100014", "update", 8, "ck", None, "99.0"),  # not the next id
        (9, next_second, "update", 8, "ck_uln", None, "170.0"),  # another second
        (10, next_second, "update", 8, "ldh", None, "200.0"),
    ]
    with closing(sqlite3.connect(db_path)) as raw:
        raw.executemany(
            "INSERT INTO audit_log (id, at, os_user, action, entity, record_id, patient_id, field, old_value, "
            "new_value) VALUES (?, ?, 'ana', ?, 'assessment', ?, 1, ?, ?, ?)",
            rows,
        )
        raw.commit()
    before = _trail_as_0005_read_it(db_path)
    database.upgrade(db_path)
    assert [(row[0], row[1], row[3], row[5], json.loads(row[-1])) for row in _audit_rows(db_path)] == [
        (1, second + "100000", "create", 7, {"assessed_on": [None, "2024-05-01"], "haq": [None, "1.0"]}),
        (2, second + "100009", "update", 7, {"cdasi_activity": ["2", "21"]}),
        (3, second + "100011", "update", 7, {"cdasi_activity": ["21", "22"]}),
        (4, second + "100012", "update", 8, {"haq": [None, "0.5"], "notes": ["", "x"]}),
        (5, second + "100014", "update", 8, {"ck": [None, "99.0"]}),
        (6, next_second, "update", 8, {"ck_uln": [None, "170.0"], "ldh": [None, "200.0"]}),
    ]
    book = Casebook.open(db_path, create=False)
    assert _trail_read_now(book) == before
    book.close()
