"""Waiting for another writer: a write transaction takes the series' write lock when it begins and waits for
it up to a set time (SQLite: ``BEGIN IMMEDIATE`` under the busy timeout; PostgreSQL: ``lock_timeout``), then
says plainly that another window or user is saving, naming them where the server knows."""

from __future__ import annotations

import socket
import sqlite3
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..domain.numbers import readable
from .series_file import BUSY_TIMEOUT_MS, StorageError

LOCK_WAIT_S = BUSY_TIMEOUT_MS / 1000  # how long a save waits for another writer before it gives up
WRITE_WAIT = "myocase_write_wait_ms"  # execution option of a write transaction's engine: its wait, in ms
_BUSY_MS = "myocase_busy_ms"  # a pooled SQLite connection's busy timeout, when a write changed it
_APP = "MyoCase: "  # how a MyoCase writer names itself to a server while it writes
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock wait that timed out


class SeriesBusyError(StorageError):
    """Another writer held the series for longer than a save waits; nothing was written."""


def writer(engine: Engine, wait_s: float) -> Engine:
    """``engine`` for write transactions: they take the write lock when they begin, waiting ``wait_s``."""
    return engine.execution_options(**{WRITE_WAIT: round(wait_s * 1000)})


def begin_sqlite(connection: Any) -> None:
    """Begin a SQLite transaction (the engine's ``begin`` listener): a write takes the write lock at once
    (``BEGIN IMMEDIATE``), so the busy timeout applies; a deferred one would fail at once when it went on to
    write after another writer's commit."""
    wait = connection.get_execution_options().get(WRITE_WAIT)
    if wait is None:
        connection.exec_driver_sql("BEGIN")
        return
    if connection.info.get(_BUSY_MS, BUSY_TIMEOUT_MS) != wait:  # a book whose saves wait another time
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait)}")
        connection.info[_BUSY_MS] = wait
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def begin_write(session: Session, wait_s: float) -> None:
    """On a server, the start of a write transaction: how long it waits for a row another writer holds,
    and who it is (what another writer that waits in vain is told)."""
    if session.get_bind().dialect.name == "sqlite":
        return  # BEGIN IMMEDIATE did it (``begin_sqlite``)
    from .audit import os_user  # the audit trail's name for the user (imported here: this module loads early)

    session.execute(
        text("SELECT set_config('lock_timeout', :wait, true), set_config('application_name', :me, true)"),
        {"wait": f"{round(wait_s * 1000)}ms", "me": f"{_APP}{os_user()} on {socket.gethostname()}"[:63]},
    )


def is_lock_wait(exc: OperationalError) -> bool:
    """The error of a write that waited for the lock in vain (SQLite busy or locked, PostgreSQL 55P03)."""
    code = getattr(exc.orig, "sqlite_errorcode", None)  # an extended code: its low byte is the primary one
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE


def server_writers(engine: Engine) -> list[str]:
    """Who is writing to this database on the server now, as each MyoCase writer named itself (user on
    computer); empty on SQLite, which does not say, or when the server cannot be asked."""
    if engine.dialect.name == "sqlite":
        return []
    query = text(
        "SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND application_name LIKE :app"
    )
    try:
        with engine.connect() as connection:
            names = connection.execute(query, {"app": f"{_APP}%"}).scalars()
            return sorted(name.removeprefix(_APP) for name in names)
    except SQLAlchemyError:
        return []


def busy_error(engine: Engine, wait_s: float) -> SeriesBusyError:
    """What a save that waited in vain tells the user."""
    writers = server_writers(engine)
    who = f"Another window or user ({', '.join(writers)})" if writers else "Another window or user"
    return SeriesBusyError(
        f"{who} is saving to this series; MyoCase waited {readable(wait_s)} s for it to finish. "
        "Your change was not saved: save again in a moment."
    )
