"""Backups a clinic can rely on: `myocase backup` and `restore` (checked first, the series as it was kept, one
step), the portable archive of a series on a server, and the rotating automatic backups of a series file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from myocase import cli
from myocase.cli import main
from myocase.services import backup
from myocase.services.demo import write_demo
from myocase.store import database
from myocase.store.archive import load_archive, write_archive
from myocase.store.casebook import Casebook
from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.pool import NullPool

from tests.conftest import _server_database
from tests.factories import TODAY, make_patient

NOON = datetime(2024, 1, 15, 12, 0, 0)


@pytest.fixture(autouse=True)
def _logging_stopped() -> Iterator[None]:
    yield
    cli.stop_logging()  # the commands below configure logging; leave none behind


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _series(path: Path, *study_ids: str) -> Path:
    book = Casebook.open(path, today=lambda: TODAY)
    for study_id in study_ids:
        book.save_patient(make_patient(study_id))
    book.close()
    return path


def _study_ids(location: Path | str) -> list[str]:
    book = Casebook.connect(location) if isinstance(location, str) else Casebook.open(location, create=False)
    try:
        return sorted(p.study_id for p in book.patients())
    finally:
        book.close()


def _rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the series (through SQLAlchemy, either dialect), sorted."""
    engine = create_engine(url, poolclass=NullPool)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        found = {
            t.name: sorted(connection.execute(select(t)).all(), key=repr)
            for t in metadata.sorted_tables
            if t.name != "alembic_version"
        }
    engine.dispose()
    return found


# ------------------------------------------------------------ myocase backup / restore on a file


@pytest.mark.sqlite_only("backs up a file")
def test_backup_writes_a_checked_copy_and_restore_brings_it_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = _series(tmp_path / "series.sqlite", "MYO-01")
    copy = tmp_path / "copies" / "monday.sqlite"
    copy.parent.mkdir()
    assert main(["backup", "--db", str(series), "--out", str(copy), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written == {
        "database": str(series),
        "backup": str(copy),
        "schema_version": database.head_revision(),
    }
    with closing(sqlite3.connect(copy)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # a file alone, no -wal needed

    _series(series, "MYO-02")  # work goes on after the backup
    assert main(["restore", "--db", str(series), str(copy)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert _study_ids(series) == ["MYO-01"]
    (kept,) = tmp_path.glob("series.before-restore-*.sqlite")
    assert _study_ids(kept) == ["MYO-01", "MYO-02"]  # the series as it was just before the restore


@pytest.mark.sqlite_only("restores into a file")
def test_restore_refuses_a_damaged_backup_and_leaves_the_series_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = _series(tmp_path / "series.sqlite", "MYO-01")
    damaged = backup.back_up(series, tmp_path / "damaged.sqlite").path
    with closing(sqlite3.connect(damaged)) as raw:
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        root = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'patient'").fetchone()[0]
    data = bytearray(damaged.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = b"\x0d" + b"\xff" * (page_size - 1)  # the patient table's page wrecked
    damaged.write_bytes(bytes(data))
    before = _digest(series)
    assert main(["restore", "--db", str(series), str(damaged)]) == 1
    assert "damaged" in capsys.readouterr().err
    assert _digest(series) == before
    assert list(tmp_path.glob("*.before-restore-*")) == []


@pytest.mark.sqlite_only("restores into a file")
def test_restore_refuses_a_backup_of_a_newer_myocase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = _series(tmp_path / "series.sqlite", "MYO-01")
    newer = backup.back_up(series, tmp_path / "newer.sqlite").path
    with closing(sqlite3.connect(newer)) as raw:
        raw.execute("UPDATE alembic_version SET version_num = 'ffff'")
        raw.commit()
    before = _digest(series)
    assert main(["restore", "--db", str(series), str(newer)]) == 1
    assert "newer version of MyoCase" in capsys.readouterr().err
    assert _digest(series) == before


@pytest.mark.sqlite_only("restores into a file")
def test_an_older_backup_is_restored_and_updated_when_the_series_next_opens(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    database.upgrade(old, "0001")
    series = _series(tmp_path / "series.sqlite", "MYO-01")
    restored = backup.restore(series, old)
    assert restored.safety is not None
    assert database.inspect_revision(series)[0] == "0001"
    book = Casebook.open(series)
    assert book.schema_version() == database.head_revision()
    assert book.patients() == []
    book.close()


@pytest.mark.sqlite_only("a file that is not a series")
def test_backup_of_something_that_is_not_a_series_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.sqlite"
    notes.write_text("not a database")
    assert main(["backup", "--db", str(notes), "--out", str(tmp_path / "copy.sqlite")]) == 1
    assert "not a MyoCase database" in capsys.readouterr().err
    assert not (tmp_path / "copy.sqlite").exists()


# ------------------------------------------------------------ the portable archive


def _url(book: Casebook) -> str:
    return book.engine.url.render_as_string(hide_password=False)


def test_the_archive_copies_every_row_of_every_table(demo_book: Casebook, tmp_path: Path) -> None:
    """Through SQLAlchemy table by table: what a series on a server is backed up as (a file, in the file pass)."""
    archive = write_archive(demo_book.engine, tmp_path / "archive.sqlite")
    assert database.verify_copy(archive) == database.head_revision()
    assert _rows(database.sqlite_url(archive).render_as_string()) == _rows(_url(demo_book))


def test_loading_an_archive_replaces_every_row_in_one_transaction(book: Casebook, demo_path: Path) -> None:
    book.save_patient(make_patient("GONE-01"))
    load_archive(demo_path, book.engine)
    assert _rows(_url(book)) == _rows(database.sqlite_url(demo_path).render_as_string())
    added = book.save_patient(make_patient("NEW-01"))  # new ids come after the loaded ones
    assert (added.id or 0) > max(p.id or 0 for p in book.patients() if p.study_id != "NEW-01")


def test_an_archive_of_another_schema_is_refused_and_nothing_is_loaded(
    book: Casebook, tmp_path: Path
) -> None:
    old = tmp_path / "old.sqlite"
    database.upgrade(old, "0001")
    book.save_patient(make_patient("KEPT-01"))
    with pytest.raises(database.StorageError, match="The copy is at schema 0001"):
        load_archive(old, book.engine)
    assert [p.study_id for p in book.patients()] == ["KEPT-01"]


def test_a_series_on_a_server_round_trips_through_its_archive_to_a_file_and_to_a_server(
    server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = server_url
    with _server_database() as second:
        book = Casebook.connect(first, today=lambda: TODAY)
        write_demo(book)
        book.close()
        archive = tmp_path / "server.sqlite"
        assert main(["backup", "--db", first, "--out", str(archive)]) == 0
        assert "checked: integrity" in capsys.readouterr().out
        assert _rows(database.sqlite_url(archive).render_as_string()) == _rows(first)

        into_file = _series(tmp_path / "clinic.sqlite", "LOCAL-01")
        assert main(["restore", "--db", str(into_file), str(archive)]) == 0
        assert _study_ids(into_file) == _study_ids(first)

        _series_on(second, "THERE-01")
        assert main(["restore", "--db", second, str(archive)]) == 0
        assert _rows(second) == _rows(first)
        (kept,) = tmp_path.glob("myocase_test_*.before-restore-*.sqlite")  # named after the server's database
        assert _study_ids(kept) == ["THERE-01"]  # the server's series as it was, kept as a file
        book = Casebook.connect(second, today=lambda: TODAY)
        added = book.save_patient(make_patient("NEW-01"))  # new ids come after the restored ones
        assert (added.id or 0) > max(p.id or 0 for p in book.patients() if p.study_id != "NEW-01")
        book.close()


def _series_on(url: str, study_id: str) -> None:
    book = Casebook.connect(url, today=lambda: TODAY)
    book.save_patient(make_patient(study_id))
    book.close()


# ------------------------------------------------------------ automatic backups


@pytest.mark.sqlite_only("automatic backups are of files")
def test_automatic_backups_live_beside_the_series_and_the_last_n_are_kept(tmp_path: Path) -> None:
    series = _series(tmp_path / "clinic.sqlite", "MYO-01")
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "clinic.auto-notes.txt").write_text("mine")  # not a backup: never touched
    other = _series(tmp_path / "other.sqlite")
    backup.automatic_backup(other, keep=1, when=NOON)
    made = [backup.automatic_backup(series, keep=3, when=NOON + timedelta(hours=h)) for h in range(5)]
    assert [p.name for _, p in backup.automatic_backups(series)] == [p.name for p in reversed(made[2:])]
    assert made[0].name == "clinic.auto-20240115-120000.sqlite"
    assert all(p.parent == folder for p in made)
    assert (folder / "clinic.auto-notes.txt").read_text() == "mine"
    assert len(backup.automatic_backups(other)) == 1
    assert _study_ids(made[-1]) == ["MYO-01"]
    assert database.verify_copy(made[-1]) == database.head_revision()


@pytest.mark.sqlite_only("automatic backups are of files")
def test_an_automatic_backup_is_made_at_most_daily_on_open_and_on_close_after_changes(tmp_path: Path) -> None:
    book = Casebook.open(_series(tmp_path / "clinic.sqlite", "MYO-01"), today=lambda: TODAY)
    assert backup.back_up_if(book, "open", clock=lambda: NOON) is not None  # none yet
    assert backup.back_up_if(book, "open", clock=lambda: NOON + timedelta(hours=5)) is None
    assert (
        backup.back_up_if(book, "close", clock=lambda: NOON + timedelta(hours=6)) is None
    )  # nothing changed
    assert backup.back_up_if(book, "close", changed=True, clock=lambda: NOON + timedelta(hours=7)) is not None
    assert backup.back_up_if(book, "open", clock=lambda: NOON + timedelta(days=1, hours=7)) is not None
    assert len(backup.automatic_backups(book.path or Path())) == 3
    book.close()


@pytest.mark.sqlite_only("automatic backups are of files")
def test_the_number_kept_is_a_setting_of_the_series(tmp_path: Path) -> None:
    book = Casebook.open(_series(tmp_path / "clinic.sqlite"), today=lambda: TODAY)
    assert backup.keep_setting(book) == backup.DEFAULT_KEEP == 10
    book.save_preference(backup.KEEP_KEY, backup.keep_value(2))
    for hour in range(4):
        backup.back_up_if(book, "close", changed=True, clock=lambda h=hour: NOON + timedelta(hours=h))
    assert len(backup.automatic_backups(book.path or Path())) == 2
    book.close()


@pytest.mark.sqlite_only("automatic backups are of files")
def test_a_failed_automatic_backup_leaves_no_partial_file_and_keeps_the_older_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = _series(tmp_path / "clinic.sqlite", "MYO-01")
    first = backup.automatic_backup(series, keep=1, when=NOON)
    monkeypatch.setattr(
        "myocase.store.series_file.verify_copy",
        lambda path: (_ for _ in ()).throw(database.StorageError(f"{path} failed SQLite's integrity check")),
    )
    with pytest.raises(database.StorageError, match="was not written"):
        backup.automatic_backup(series, keep=1, when=NOON + timedelta(hours=1))
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [first.name]
