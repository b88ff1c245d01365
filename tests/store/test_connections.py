"""Connections to a case-series file: one for the life of an open series (a small pool), its pragmas set once,
the version check made without it, and nothing left open once the series is closed."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from myocase.domain.records import SeriesSettings
from myocase.store import database
from myocase.store.casebook import Casebook
from sqlalchemy import Engine, event

from tests.factories import TODAY, make_assessment, make_course, make_patient

SET_PRAGMAS = ("PRAGMA foreign_keys=ON", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL")


@contextmanager
def _connections() -> Iterator[list[list[str]]]:
    """Every new connection any engine opens meanwhile, each with the statements SQLite ran on it."""
    opened: list[list[str]] = []

    def trace(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        statements: list[str] = []
        dbapi_connection.set_trace_callback(statements.append)
        opened.append(statements)

    event.listen(Engine, "connect", trace, insert=True)  # before MyoCase's own set-up, so it is traced too
    try:
        yield opened
    finally:
        event.remove(Engine, "connect", trace)


def _work(book: Casebook) -> None:
    """What a session at the window does: reads, a few saves, a batch, more reads."""
    book.save_settings(SeriesSettings(name="Test series", cutoff=date(2023, 6, 30)))
    patient = book.save_patient(make_patient())
    pid = patient.id or 0
    with book.batch():
        book.save(make_course(pid))
        book.save(make_assessment(pid))
    for _ in range(3):
        book.patient_summaries()
        book.patient_record(pid)
        book.settings()
        book.counts()
    book.delete(type(book.assessments(pid)[0]), book.assessments(pid)[0].id or 0)


def test_an_open_series_reads_and_writes_through_one_connection(db_path: Path) -> None:
    Casebook.open(db_path).close()  # created and migrated: a migration has a connection of its own
    with _connections() as opened:
        book = Casebook.open(db_path, today=lambda: TODAY)
        _work(book)
        book.close()
    assert len(opened) == 1


def test_the_pragmas_are_set_once_and_hold_for_every_transaction(db_path: Path) -> None:
    Casebook.open(db_path).close()
    with _connections() as opened:
        book = Casebook.open(db_path, today=lambda: TODAY)
        _work(book)
        with book.engine.connect() as connection:
            values = [
                connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
            ]
        book.close()
    assert values == [1, "wal", 2, database.BUSY_TIMEOUT_MS]  # synchronous 2 is FULL
    ((statements),) = opened
    assert [s for s in statements if s.startswith("PRAGMA") and "=" in s] == [
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={database.BUSY_TIMEOUT_MS}",
        *SET_PRAGMAS[1:],
    ]
    assert statements.count("BEGIN") >= 5  # transactions are real (pitfall 3.2), on the same connection


def test_a_second_thread_gets_a_connection_of_its_own_and_both_stay_in_the_pool(db_path: Path) -> None:
    Casebook.open(db_path).close()
    with _connections() as opened:
        book = Casebook.open(db_path, today=lambda: TODAY)
        pid = book.save_patient(make_patient()).id or 0
        read: list[str] = []
        with book.engine.connect():  # the window's connection is busy while the worker reads
            worker = threading.Thread(target=lambda: read.append(book.patient(pid).study_id))
            worker.start()
            worker.join()
        for _ in range(3):
            worker = threading.Thread(target=lambda: read.append(book.patient(pid).study_id))
            worker.start()
            worker.join()
            book.patient_summaries()
        book.close()
    assert read == ["MYO-01"] * 4
    assert len(opened) == 2


def test_opening_a_current_series_checks_its_version_without_an_engine_connection(db_path: Path) -> None:
    Casebook.open(db_path).close()
    with _connections() as opened:
        book = Casebook.open(db_path)
        assert opened == []  # the version was read through a read-only sqlite3 connection, closed since
        assert book.schema_version() == database.head_revision()
        book.close()
    assert len(opened) == 1


def test_closing_a_series_closes_its_connections(db_path: Path) -> None:
    book = Casebook.open(db_path, today=lambda: TODAY)
    _work(book)
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists()  # the pooled connection is open: SQLite keeps its write-ahead log
    book.close()
    assert not wal.exists()  # the last connection closed: the log folded into the file and removed
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT study_id FROM patient").fetchall() == [("MYO-01",)]
    raw.close()
