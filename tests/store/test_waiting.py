"""Two processes writing one series: a save waits for the other writer's transaction, and after the set wait
says plainly that another window or user is saving (on the test server too, where it names them)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from myocase.domain.records import SeriesSettings
from myocase.store.audit import os_user
from myocase.store.casebook import Casebook
from myocase.store.locks import SeriesBusyError

from tests.factories import TODAY, make_patient

SETTINGS = SeriesSettings(name="Test series", cutoff=date(2023, 6, 30))
PROCESS_END_S = 60  # the other process ends as soon as it is released; this only guards a hang


def _open(location: str) -> Casebook:
    return Casebook.connect(location) if "://" in location else Casebook.open(Path(location), create=False)


def _hold(location: str, held: multiprocessing.Event, release: multiprocessing.Event, hold_s: float) -> None:
    """Another process: inside one write transaction, save a patient and the series name, tell the test,
    then keep the transaction open ``hold_s`` seconds (or until released) before it commits."""
    book = _open(location)
    book.today = lambda: TODAY
    try:
        with book.batch():
            book.save_patient(make_patient("HOLDER-01"))
            book.save_settings(replace(SETTINGS, name="Held series"))
            held.set()
            release.wait(hold_s)
    finally:
        book.close()


@contextmanager
def _holder(book: Casebook, hold_s: float) -> Iterator[tuple[multiprocessing.Process, multiprocessing.Event]]:
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no Qt or pool state copied by fork
    held, release = spawn.Event(), spawn.Event()
    process = spawn.Process(target=_hold, args=(book.location, held, release, hold_s))
    process.start()
    try:
        while not held.wait(0.1):  # until it holds the series (or has ended without: its error is above)
            assert process.is_alive(), "the other process ended before it began its write"
        yield process, release
    finally:
        release.set()
        process.join(PROCESS_END_S)
        if process.is_alive():
            process.kill()


def test_a_save_waits_for_the_other_writer_and_then_is_stored(book: Casebook) -> None:
    with _holder(book, hold_s=1.0) as (process, _):
        book.save_settings(replace(SETTINGS, name="Waiting series"))  # blocks until the other one commits
    assert process.exitcode == 0
    # both transactions were stored, the waiting one after the holder's (else its name would be the holder's)
    assert book.settings().name == "Waiting series"
    assert [p.study_id for p in book.patients()] == ["HOLDER-01"]


def test_after_the_set_wait_the_save_is_refused_in_plain_words_and_nothing_is_written(book: Casebook) -> None:
    book.lock_wait = 0.3
    with _holder(book, hold_s=PROCESS_END_S) as (process, release):
        with pytest.raises(SeriesBusyError) as refused:  # the same row on a server; any write on SQLite
            book.save_settings(replace(SETTINGS, name="Waiting series"))
        release.set()
    message = str(refused.value)
    assert message.startswith("Another window or user")
    assert "is saving to this series; MyoCase waited 0.3 s for it to finish" in message
    assert "Your change was not saved: save again in a moment." in message
    if book.path is None:  # a server knows who holds the rows: the other process named itself
        assert f"({os_user()} on " in message
    assert "locked" not in message
    assert process.exitcode == 0
    assert book.settings().name == "Held series"
    assert [p.study_id for p in book.patients()] == ["HOLDER-01"]
