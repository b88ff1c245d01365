"""Opening a case-series database: engine set-up, version check, backup and migration.

The only SQLite-specific code of the store lives here, in connection set-up and the
backup copy; everything else is dialect-neutral SQLAlchemy.
"""

from __future__ import annotations

import ast
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.request import pathname2url

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import NullPool

from .. import assets

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


class StorageError(Exception):
    """The database cannot be used; the message says why and what to do."""


class NewerDatabaseError(StorageError):
    """The database was written by a newer MyoCase."""


VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    from alembic.config import Config  # Alembic loads only when a migration is due (fast start)

    config = Config()
    config.set_main_option("script_location", str(assets.migrations_dir()))
    return config


def _literals(path: Path) -> dict[str, Any]:
    """The module-level names of a Python file that are set to a literal (``name = "x"``, ``name: T = None``)."""
    found: dict[str, Any] = {}
    for node in ast.parse(path.read_bytes()).body:
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


@cache
def _script_revisions() -> dict[str, tuple[str, ...]]:
    """Each migration script's revision and the revisions it follows, read from the files without loading
    Alembic (opening a database that needs no migration needs no more)."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted((assets.migrations_dir() / "versions").glob("*.py")):
        values = _literals(path)
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


def stored_revision(connection: Connection) -> str | None:
    """The schema revision a database records (Alembic's version table), None if it has none."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Take transaction control from the driver (pitfall 3.2), then turn on foreign keys
    # and the write-ahead log. synchronous=FULL: a committed save survives power loss.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(url: URL) -> Engine:
    """An engine for a case-series database, SQLite connection pragmas applied."""
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite", database=str(path))


def _read_only_engine(path: Path) -> Engine:
    uri = "file:" + pathname2url(str(path.resolve())) + "?mode=ro"
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool)


def inspect_revision(path: Path) -> tuple[str | None, set[str]]:
    """(stored Alembic revision, table names) read without writing a byte."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise StorageError(f"{path} is not a MyoCase database (not an SQLite file, or damaged).")
    if not header:
        return None, set()
    engine = _read_only_engine(path)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            return stored_revision(connection), tables
    except DatabaseError as exc:
        raise StorageError(f"{path} cannot be read: it looks damaged ({exc.orig}).") from exc
    finally:
        engine.dispose()


def backup_path_for(path: Path, when: datetime | None = None, label: str = "backup") -> Path:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix or '.sqlite'}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}.{label}-{stamp}-{n}{path.suffix or '.sqlite'}")
    return candidate


def backup_database(path: Path, target: Path | None = None) -> Path:
    """A consistent copy through SQLite's backup API (WAL content included)."""
    target = target or backup_path_for(path)
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def write_backup(path: Path, target: Path) -> Path:
    """A consistent copy at ``target``, made beside it and moved into place only when complete."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        backup_database(path, partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"The backup {target} was not written: {exc}") from exc
    return target


def check_case_series(path: Path) -> str:
    """The schema revision of a MyoCase database file, read without writing; ``StorageError`` otherwise."""
    if not path.is_file():
        raise StorageError(f"{path} is not a file.")
    revision, tables = inspect_revision(path)
    _check_revision(revision, path)
    if revision is None:
        what = "an empty file" if not tables else "an SQLite database of another program"
        raise StorageError(f"{path} is not a MyoCase database ({what}); nothing was changed.")
    return revision


def restore_database(source: Path, target: Path) -> Path:
    """Replace the database at ``target`` by the copy at ``source``; return the safety copy of what it held.

    ``source`` is checked first; the replacement is one write transaction of SQLite's backup API, so a
    failure leaves ``target`` as it was.
    """
    check_case_series(source)
    if source.resolve() == target.resolve():
        raise StorageError(f"{source} is the open database itself; choose a backup copy to restore from.")
    safety = backup_database(target, backup_path_for(target, label="before-restore"))
    try:
        backup_database(source, target)
    except sqlite3.Error as exc:
        raise StorageError(f"{target} was not replaced ({exc}); it is unchanged.") from exc
    return safety


@contextmanager
def _migration_connection(path: Path) -> Iterator[Any]:
    # Foreign keys off *before* the transaction: batch ALTERs on SQLite copy and drop
    # tables, and an enforced cascade would empty the children (pitfall 3.9).
    engine = create_engine(sqlite_url(path), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            yield connection
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise StorageError(f"Migration left broken references: {problems[:3]}")
    finally:
        engine.dispose()


def _upgrade_on(connection: Any, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
    connection.commit()


def upgrade(path: Path, revision: str = "head") -> None:
    with _migration_connection(path) as connection:
        _upgrade_on(connection, revision)


def _check_revision(revision: str | None, where: object) -> None:
    if revision is not None and revision not in known_revisions():
        raise NewerDatabaseError(
            f"{where} was written by a newer version of MyoCase (schema {revision}). "
            "Install the newer MyoCase to open it; this database was not changed."
        )


def prepare_server_database(engine: Engine) -> None:
    """Bring a server database (PostgreSQL) to the current schema. Its backups are the server's job."""
    try:
        with engine.connect() as connection:
            revision = stored_revision(connection)
            tables = set(inspect(connection).get_table_names())
        _check_revision(revision, engine.url.render_as_string(hide_password=True))
        if revision is None and tables - {"alembic_version"}:
            raise StorageError(
                "That database holds other tables and is not a MyoCase case series; it was not changed."
            )
        if revision != head_revision():
            with engine.connect() as connection:
                _upgrade_on(connection, "head")
    except OperationalError as exc:
        raise StorageError(f"Cannot reach the database server: {exc.orig}") from exc


def prepare_database(path: Path, *, create: bool) -> Path | None:
    """Check a database and bring it to the current schema; return the backup made, if any.

    A newer, foreign or damaged database is refused with a ``StorageError`` and is left
    exactly as it was: it is only read, through a read-only connection.
    """
    if not path.exists():
        if not create:
            raise StorageError(
                f"No database at {path}. Check the path, or create one with `myocase --db {path}`."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        revision, tables = None, set()
    elif path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file.")
    else:
        revision, tables = inspect_revision(path)
    _check_revision(revision, path)
    if revision is None and tables - {"alembic_version"}:
        raise StorageError(f"{path} is an SQLite database but not a MyoCase case series; it was not changed.")
    if revision == head_revision():
        return None
    backup = backup_database(path) if revision is not None else None
    if backup:
        log.info("Backed up %s to %s before migrating", path, backup)
    try:
        upgrade(path)
    except OperationalError as exc:
        raise StorageError(f"Could not update {path}: {exc.orig}. The backup is {backup}.") from exc
    return backup
