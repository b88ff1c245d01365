"""Two processes importing the same photo at the same moment: one stores it, the other is told it is already
stored, and the series holds it once (SQLite file and the test server)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from myocase.services.photos import Outcome, import_files
from myocase.store.casebook import Casebook

from tests.factories import TODAY, make_patient
from tests.images import png_bytes, upright_pattern

PROCESS_END_S = 60  # each process ends as soon as it has imported; this only guards a hang


def _open(location: str) -> Casebook:
    return Casebook.connect(location) if "://" in location else Casebook.open(Path(location), create=False)


def _import(location: str, patient_id: int, photo: Path, checked: Any, results: Any) -> None:
    """Another process: import ``photo``; its look for the same picture waits at ``checked`` until the other
    process has looked too, so both find nothing and both try to store it."""
    book = _open(location)
    book.today = lambda: TODAY
    look = book.photo_by_hash
    first = [True]

    def look_then_wait(sha256: str) -> Any:
        found = look(sha256)
        if first[0]:
            first[0] = False
            checked.wait(PROCESS_END_S)
        return found

    book.photo_by_hash = look_then_wait  # type: ignore[method-assign]
    try:
        (result,) = import_files(book, patient_id, [photo])
        results.put((result.outcome.value, result.photo.id if result.photo else None, result.reason))
    except Exception as exc:  # told to the test at once (it would otherwise wait for a result in vain)
        results.put(("error", None, repr(exc)))
        raise
    finally:
        book.close()


def test_two_processes_importing_the_same_photo_store_it_once(book: Casebook, tmp_path: Path) -> None:
    patient = book.save_patient(make_patient("RACE-01"))
    assert patient.id is not None
    photo = tmp_path / "hand.png"
    photo.write_bytes(png_bytes(upright_pattern(160, 100)))
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters: no pool state copied by fork
    checked, results = spawn.Barrier(2), spawn.Queue()
    processes = [
        spawn.Process(target=_import, args=(book.location, patient.id, photo, checked, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=PROCESS_END_S) for _ in processes]
    for process in processes:
        process.join(PROCESS_END_S)
    assert [p.exitcode for p in processes] == [0, 0]
    assert sorted(o for o, _, _ in outcomes) == sorted([Outcome.STORED.value, Outcome.DUPLICATE.value])
    (stored,) = book.photos(patient.id)
    assert {photo_id for _, photo_id, _ in outcomes} == {stored.id}  # both name the one stored
    (duplicate,) = [reason for outcome, _, reason in outcomes if outcome == Outcome.DUPLICATE.value]
    assert f"same picture as photo {stored.id}" in duplicate
    created = {
        e.record_id for e in book.audit_trail(patient.id) if e.entity == "photo" and e.action == "create"
    }
    assert created == {stored.id}  # the refused insert left no audit rows behind
