"""A case-series file checked and copied without SQLAlchemy or Alembic: its schema revision (read-only), the
refusals (missing, foreign, damaged, newer), and verified backups through SQLite's backup API."""

from __future__ import annotations

import ast
import glob
import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from .. import assets
from .file_system import write_protection

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
VERSION_TABLE = "alembic_version"


class StorageError(Exception):
    """The database cannot be used; the message says why and what to do."""


class NewerDatabaseError(StorageError):
    """The database was written by a newer MyoCase."""


class ReadOnlyError(StorageError):
    """A write to a series opened read-only."""


def read_only_message(why: str) -> str:
    return (
        f"Opened read-only: {why} — changes cannot be saved. To make changes, copy the series to a folder you "
        "can write to and open the copy."
    )


# A migration script's own lines `revision = "0002"` and `down_revision: str | None = "0001"`.
_HEADER_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE)


def _literals(source: bytes) -> dict[str, Any]:
    """The module-level names of a Python file that are set to a literal (``name = "x"``, ``name: T = None``)."""
    found: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            with suppress(ValueError):
                found[target.id] = ast.literal_eval(value)
    return found


def _revision_lines(source: bytes) -> dict[str, Any]:
    """``revision`` and ``down_revision`` from their own lines (a fifth of the time parsing the file takes);
    the whole file is parsed when a value is not a literal on one line."""
    try:
        found = {m[1]: ast.literal_eval(m[2]) for m in _HEADER_LINE.finditer(source.decode())}
    except (ValueError, SyntaxError):
        return _literals(source)
    return found if {"revision", "down_revision"} <= found.keys() else _literals(source)


@cache
def _script_revisions() -> dict[str, tuple[str, ...]]:
    """Each migration script's revision and the revisions it follows, read from the files without loading
    Alembic (opening a database that needs no migration needs no more)."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted((assets.migrations_dir() / "versions").glob("*.py")):
        values = _revision_lines(path.read_bytes())
        down = values.get("down_revision") or ()
        if values.get("revision"):
            found[values["revision"]] = tuple(down) if isinstance(down, tuple | list) else (down,)
    return found


def head_revision() -> str:
    revisions = _script_revisions()
    (head,) = set(revisions) - {down for downs in revisions.values() for down in downs}
    return head


def known_revisions() -> set[str]:
    return set(_script_revisions())


def read_only_uri(path: Path) -> str:
    """SQLite's URI of ``path`` opened read-only (``mode=ro``); ``immutable=1`` as well when nobody can write
    it (a file or folder marked read-only, a read-only drive): SQLite then makes no ``-wal`` or ``-shm``
    beside it, which it could not in a read-only folder."""
    locked = write_protection(path)[1]
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if locked else "?mode=ro")


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that cannot write a byte of ``path``."""
    uri = read_only_uri(path)
    with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)) as connection:
        yield connection


def revision_on(connection: sqlite3.Connection) -> tuple[str | None, set[str]]:
    """(stored Alembic revision, table names) of an open SQLite connection."""
    tables = {
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
        )
    }
    if VERSION_TABLE not in tables:
        return None, tables
    row = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    return (row[0] if row else None), tables


def inspect_revision(path: Path) -> tuple[str | None, set[str]]:
    """(stored Alembic revision, table names) read without writing a byte."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise StorageError(f"{path} is not a MyoCase database (not an SQLite file, or damaged).")
    if not header:
        return None, set()
    try:
        with read_only(path) as connection:
            return revision_on(connection)
    except sqlite3.DatabaseError as exc:
        if not _hot_journal(path):
            raise StorageError(f"{path} cannot be read: it looks damaged ({exc}).") from exc
    _roll_back_interrupted(path)
    with read_only(path) as connection:
        return revision_on(connection)


def _hot_journal(path: Path) -> bool:
    journal = path.with_name(path.name + "-journal")
    return journal.is_file() and journal.stat().st_size > 0


def _roll_back_interrupted(path: Path) -> None:
    """A write interrupted (a crash, a power cut) left its rollback journal: the first connection that may
    write puts the file back as it was before that write; a read-only one cannot."""
    if write_protection(path)[0]:
        raise StorageError(
            f"{path} was left half-written by an interrupted change and cannot be repaired here: it is "
            "read-only. Open it once where it can be written, or restore a backup."
        )
    try:
        with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path} cannot be read: it looks damaged ({exc}).") from exc


def check_revision(revision: str | None, where: object) -> None:
    if revision is not None and revision not in known_revisions():
        raise NewerDatabaseError(
            f"{where} was written by a newer version of MyoCase (schema {revision}). "
            "Install the newer MyoCase to open it; this database was not changed."
        )


def existing_revision(path: Path, *, create: bool) -> str | None:
    """The revision of the database at ``path`` (None: new or empty), read without writing; a missing file
    (unless ``create``), a folder, a foreign, damaged or newer database is refused with a ``StorageError``."""
    if not path.exists():
        if not create:
            raise StorageError(
                f"No database at {path}. Check the path, or create one with `myocase --db {path}`."
            )
        return None
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file.")
    revision, tables = inspect_revision(path)
    check_revision(revision, path)
    if revision is None and tables - {VERSION_TABLE}:
        raise StorageError(f"{path} is an SQLite database but not a MyoCase case series; it was not changed.")
    if revision is None and not create:
        raise StorageError(
            f"{path} is an empty file ({path.stat().st_size} bytes), not a MyoCase case series; it was not "
            "changed. To start a new series there, delete the empty file or choose another name."
        )
    return revision


def check_case_series(path: Path) -> str:
    """The schema revision of a MyoCase database file, read without writing; ``StorageError`` otherwise."""
    if not path.is_file():
        raise StorageError(f"{path} is not a file.")
    revision, tables = inspect_revision(path)
    check_revision(revision, path)
    if revision is None:
        what = "an empty file" if not tables else "an SQLite database of another program"
        raise StorageError(f"{path} is not a MyoCase database ({what}); nothing was changed.")
    return revision


def backup_path_for(path: Path, when: datetime | None = None, label: str = "backup") -> Path:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix or '.sqlite'}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}.{label}-{stamp}-{n}{path.suffix or '.sqlite'}")
    return candidate


def backup_database(path: Path, target: Path | None = None, *, standalone: bool = True) -> Path:
    """A consistent copy through SQLite's backup API (write-ahead log content included); a file that cannot be
    written is read through a connection that cannot write it. ``standalone``: the copy keeps a rollback
    journal rather than the write-ahead log, so it can be read later without making files beside it."""
    target = target or backup_path_for(path)
    reading = read_only(path) if write_protection(path)[0] else _connection(path)
    with reading as source, closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)) as dest:
        source.backup(dest)
        if standalone:
            dest.execute("PRAGMA journal_mode=DELETE")
    return target


@contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)) as connection:
        yield connection


def verify_copy(path: Path) -> str:
    """The schema revision of a copy that passes SQLite's integrity check and holds a MyoCase series of a
    known schema; ``StorageError`` (saying what is wrong) otherwise. Reads without writing."""
    revision = check_case_series(path)
    try:
        with read_only(path) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise StorageError(
            f"{path} failed SQLite's integrity check ({problems[0]}): it is damaged. Use another backup."
        )
    return revision


def write_backup(path: Path, target: Path) -> Path:
    """A verified copy at ``target``, made beside it and moved into place only when complete and checked."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        backup_database(path, partial)
        verify_copy(partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError, StorageError) as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"The backup {target} was not written: {exc}") from exc
    return target


def content_digest(path: Path) -> str:
    """SHA-256 of what a database holds: its schema and every value of every table (read in one snapshot)."""
    digest = hashlib.sha256()
    with read_only(path) as connection:
        connection.execute("BEGIN")
        schema = connection.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        for row in schema:
            _feed(digest, row)
        for kind, name, _sql in schema:
            if kind == "table" and not name.startswith("sqlite_"):
                for row in connection.execute(f'SELECT * FROM "{name}"'):
                    _feed(digest, row)
    return digest.hexdigest()


def _feed(digest: Any, row: tuple[Any, ...]) -> None:
    for value in row:
        data = value if isinstance(value, bytes) else repr(value).encode()
        digest.update(f"{type(value).__name__}:{len(data)}:".encode())
        digest.update(data)


def _pre_update_copies(path: Path) -> list[Path]:
    """The copies made before updating ``path`` (``NAME.backup-YYYYMMDD-HHMMSS[-n]``), the newest first."""
    suffix = path.suffix or ".sqlite"
    name = re.compile(rf"{re.escape(path.stem)}\.backup-\d{{8}}-\d{{6}}(-\d+)?{re.escape(suffix)}")
    found = path.parent.glob(f"{glob.escape(path.stem)}.backup-*{glob.escape(suffix)}")
    return sorted((p for p in found if name.fullmatch(p.name)), key=lambda p: p.stat().st_mtime, reverse=True)


def earlier_copy(path: Path, revision: str) -> Path | None:
    """A pre-update copy already made of the database as it is now (same schema revision, same content):
    an update that failed and is tried again is not backed up again."""
    digest = None
    for candidate in _pre_update_copies(path):
        with suppress(StorageError, sqlite3.Error, OSError):
            if inspect_revision(candidate)[0] != revision:
                continue
            digest = digest or content_digest(path)
            if content_digest(candidate) == digest:
                return candidate
    return None


def pre_update_backup(path: Path, revision: str) -> Path:
    """The copy of ``path`` (at ``revision``) kept before its schema is updated: made once and verified; a
    copy already made of the same content is used again."""
    earlier = earlier_copy(path, revision)
    if earlier is not None:
        return earlier
    return write_backup(path, backup_path_for(path))


def restore_database(source: Path, target: Path) -> Path:
    """Replace the database at ``target`` by the copy at ``source``; return the safety copy of what it held.

    ``source`` is verified first (integrity, a known schema: a newer one is refused); the replacement is one
    write transaction of SQLite's backup API, so a failure leaves ``target`` as it was.
    """
    verify_copy(source)
    if source.resolve() == target.resolve():
        raise StorageError(f"{source} is the open database itself; choose a backup copy to restore from.")
    if why := write_protection(target)[0]:
        raise ReadOnlyError(f"{target} cannot be replaced: {why}. Nothing was changed.")
    safety = write_backup(target, backup_path_for(target, label="before-restore"))
    try:
        backup_database(source, target, standalone=False)
    except sqlite3.Error as exc:
        raise StorageError(f"{target} was not replaced ({exc}); it is unchanged.") from exc
    return safety
