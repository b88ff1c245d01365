"""Opening a case-series database: engine set-up (one small pool, connection pragmas; read-only files, network
shares), and migration in one transaction.

The only SQLite-specific code of the store lives here and in ``series_file`` (the read-only version check
and the backup copy, which need no SQLAlchemy); everything else is dialect-neutral SQLAlchemy.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool, QueuePool

from .. import assets
from . import locks
from .file_system import Access, network_share
from .file_system import access as file_access
from .series_file import (
    BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    VERSION_TABLE,
    NewerDatabaseError,
    ReadOnlyError,
    StorageError,
    backup_database,
    backup_path_for,
    check_case_series,
    check_revision,
    existing_revision,
    head_revision,
    inspect_revision,
    known_revisions,
    pre_update_backup,
    read_only_message,
    read_only_uri,
    restore_database,
    verify_copy,
    write_backup,
)

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [  # the file-level half lives in series_file; its names are used from here too
    "BUSY_TIMEOUT_MS",
    "SQLITE_HEADER",
    "VERSION_TABLE",
    "NewerDatabaseError",
    "ReadOnlyError",
    "StorageError",
    "backup_database",
    "backup_path_for",
    "check_case_series",
    "downgrade",
    "head_revision",
    "inspect_revision",
    "known_revisions",
    "make_engine",
    "open_series_file",
    "prepare_database",
    "prepare_server_database",
    "read_only_message",
    "restore_database",
    "sqlite_url",
    "stored_revision",
    "upgrade",
    "verify_copy",
    "write_backup",
]

log = logging.getLogger(__name__)

POOL_SIZE = 2  # connections kept open: the window's, and a worker's (a report) while it runs
POOL_OVERFLOW = 6  # more threads at once get short-lived extra connections
MIGRATION_LOCK = 0x4D796F43  # PostgreSQL advisory lock held while one MyoCase updates a server's schema
SHARED_ELSEWHERE = (
    "This series is on a network share and is open in MyoCase on another computer in a mode that is unsafe "
    "on a share (the write-ahead log). Close it there, then open it again here."
)


def alembic_config() -> Config:
    from alembic.config import Config  # Alembic loads only when a migration is due (fast start)

    config = Config()
    config.set_main_option("script_location", str(assets.migrations_dir()))
    return config


def stored_revision(connection: Connection) -> str | None:
    """The schema revision a database records (Alembic's version table), None if it has none."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _sqlite_set_up(journal_mode: str) -> Callable[[sqlite3.Connection, Any], None]:
    def set_up(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Once per connection, which the pool keeps for the life of the engine (not once per session).
        # Take transaction control from the driver (pitfall 3.2), then turn on foreign keys and the
        # write-ahead log (a rollback journal on a network share, where the log is unsafe).
        # synchronous=FULL: a committed save survives power loss.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA journal_mode={journal_mode}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return set_up


def _on_read_only_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    locks.begin_sqlite(connection)  # BEGIN; a write's BEGIN IMMEDIATE, waiting for another writer (locks.py)


def _sqlite_engine(url: URL, **options: Any) -> Engine:
    return create_engine(url, poolclass=QueuePool, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, **options)


def make_engine(url: URL, *, journal_mode: str = "WAL") -> Engine:
    """An engine for a case-series database. On SQLite a small pool keeps its connections open, so the
    pragmas are set once per connection and a window reads through one connection for its whole life."""
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = _sqlite_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
    event.listen(engine, "connect", _sqlite_set_up(journal_mode))
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def read_only_engine(path: Path) -> Engine:
    """An engine that cannot write a byte of the file (SQLite's ``mode=ro``, ``query_only``; ``immutable``
    when nobody can write it, so nothing is made beside it either)."""
    uri = read_only_uri(path)

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

    engine = _sqlite_engine(sqlite_url(path), creator=connect)
    event.listen(engine, "connect", _on_read_only_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite", database=str(path))


# ------------------------------------------------------------ migrations: all pending steps in one transaction


def _migration_set_up(journal_mode: str | None) -> Callable[[sqlite3.Connection, Any], None]:
    def set_up(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # BEGIN is ours, so DDL runs inside the transaction too (the driver would commit each statement).
        # Foreign keys off *before* BEGIN (inside a transaction the pragma does nothing): batch ALTERs on
        # SQLite copy and drop tables, and an enforced cascade would empty the children (pitfall 3.9).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if journal_mode is not None:
            (mode,) = cursor.execute(f"PRAGMA journal_mode={journal_mode}").fetchone()
            if mode.upper() != journal_mode:
                raise StorageError(SHARED_ELSEWHERE)
        cursor.close()

    return set_up


def _on_migration_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock first: one updater at a time


@contextmanager
def _migration_connection(path: Path) -> Iterator[Connection]:
    """A connection of its own for migrating the file at ``path``: foreign keys off, transactions real.
    The journal mode is left as the file has it (a failed update leaves every byte as it was), except on
    a network share, where the write-ahead log is unsafe."""
    engine = create_engine(
        sqlite_url(path), poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
    )
    event.listen(engine, "connect", _migration_set_up("DELETE" if network_share(path) else None))
    event.listen(engine, "begin", _on_migration_begin)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _check_references(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return  # a server checks each reference as it is written
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        shown = ", ".join(f"{table} row {rowid} → {parent}" for table, rowid, parent, _ in problems[:3])
        raise StorageError(f"the update would leave records pointing at nothing ({shown})")


def _migrate(connection: Connection, action: str, revision: str) -> None:
    """Run Alembic's ``action`` ("upgrade" or "downgrade") to ``revision``: every step in one transaction,
    references checked before it commits; any failure rolls all of it back."""
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    with connection.begin():  # Alembic sees a transaction already open and leaves it to us (env.py)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        getattr(command, action)(config, revision)
        _check_references(connection)


def _migrate_target(target: Path | Engine, action: str, revision: str) -> None:
    if isinstance(target, Engine):
        with target.connect() as connection:
            _migrate(connection, action, revision)
        return
    with _migration_connection(Path(target)) as connection:
        _migrate(connection, action, revision)


def upgrade(target: Path | Engine, revision: str = "head") -> None:
    """Bring a database file (or a server's, through its engine) to ``revision``, all steps or none."""
    _migrate_target(target, "upgrade", revision)


def downgrade(target: Path | Engine, revision: str) -> None:
    """Take a database back to an earlier ``revision`` ("base": no tables), all steps or none."""
    _migrate_target(target, "downgrade", revision)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError):
        return str(exc.orig).strip()
    return str(exc) if isinstance(exc, StorageError) else f"{type(exc).__name__}: {exc}"


def update_failed(where: object, exc: BaseException, backup: Path | None) -> StorageError:
    copy = f" A copy made before the attempt is {backup}." if backup is not None else ""
    return StorageError(
        f"{where} could not be updated to this version of MyoCase ({_reason(exc)}). Nothing in it was "
        f"changed: it is exactly as it was before.{copy}"
    )


def prepare_server_database(engine: Engine) -> None:
    """Bring a server database (PostgreSQL) to the current schema. Its backups are the server's job."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            revision = stored_revision(connection)
            tables = set(inspect(connection).get_table_names())
    except OperationalError as exc:
        raise StorageError(f"Cannot reach the database server: {exc.orig}") from exc
    check_revision(revision, where)
    if revision is None and tables - {VERSION_TABLE}:
        raise StorageError(
            "That database holds other tables and is not a MyoCase case series; it was not changed."
        )
    if revision != head_revision():
        try:
            upgrade(engine)
        except Exception as exc:
            log.exception("Updating %s failed", where)
            raise update_failed(where, exc, None) from exc


def prepare_database(path: Path, *, create: bool) -> Path | None:
    """Check a database and bring it to the current schema; return the backup made, if any.

    A newer, foreign or damaged database is refused with a ``StorageError`` and is left exactly as it was:
    it is only read, through a read-only connection. An older one is copied first (once: a copy of the same
    content made by an earlier attempt is used again), then updated in one transaction; if that fails, it is
    left exactly as it was and the message names the copy.
    """
    revision = existing_revision(path, create=create)
    if revision == head_revision():
        return None
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = pre_update_backup(path, revision) if revision is not None else None
    if backup:
        log.info("Backed up %s to %s before migrating", path, backup)
    try:
        upgrade(path)
    except Exception as exc:
        log.exception("Updating %s failed", path)
        if new:  # nothing was there before: leave nothing
            for leftover in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
        raise update_failed(path, exc, backup) from exc
    return backup


def open_series_file(path: Path, *, create: bool) -> tuple[Engine, Path | None, Access]:
    """The engine of a series file ready for use, the backup made before updating it (if it was older),
    and how it may be used. A read-only file (or folder) is opened read-only as it is; on a network share
    the write-ahead log is not used."""
    access = file_access(path)
    if access.read_only:
        _check_readable_as_is(path, access)
        return read_only_engine(path), None, access
    backup = prepare_database(path, create=create)
    engine = make_engine(sqlite_url(path), journal_mode="DELETE" if access.network else "WAL")
    if access.network:
        _confirm_journal(engine)
    return engine, backup, access


def _check_readable_as_is(path: Path, access: Access) -> None:
    if not path.exists():
        raise StorageError(
            f"A new series cannot be made at {path}: {access.read_only}. Choose another folder."
        )
    revision = existing_revision(path, create=False)
    if revision != head_revision():
        raise StorageError(
            f"{path} cannot be opened: {access.read_only}, and it was written by an earlier MyoCase (schema "
            f"{revision}), so this version must update it first, which means writing to it. Copy it to a "
            "folder you can write to and open the copy."
        )


def _confirm_journal(engine: Engine) -> None:
    try:
        with engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    except OperationalError as exc:  # "database is locked": another computer has it open with the log
        engine.dispose()
        raise StorageError(f"{SHARED_ELSEWHERE} ({exc.orig})") from exc
    if str(mode).upper() != "DELETE":
        engine.dispose()
        raise StorageError(SHARED_ELSEWHERE)
