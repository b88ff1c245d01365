"""Killing a writer with SIGKILL at random moments never loses a reported save or breaks the file."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from myocase.store.casebook import Casebook

from tests.factories import make_patient

ROOT = Path(__file__).resolve().parents[2]
KILLS = 25


def _run_and_kill(db: Path, patient_id: int, rng: random.Random, log: Path) -> set[int]:
    reported: set[int] = set()
    ready = threading.Event()
    with (
        log.open("w") as stderr,
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.crash_writer", str(db), str(patient_id)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        ) as child,
    ):

        def read() -> None:
            assert child.stdout is not None
            for line in child.stdout:
                if line.strip() == "ready":
                    ready.set()
                elif line.strip().isdigit():
                    reported.add(int(line))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert ready.wait(60), log.read_text()
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        reader.join(10)
    return reported


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_never_loses_a_committed_save(db_path: Path) -> None:
    book = Casebook.open(db_path)
    patient_id = book.save_patient(make_patient()).id
    assert patient_id is not None
    book.close()

    rng = random.Random(20231130)
    committed: set[int] = set()
    for _ in range(KILLS):
        committed |= _run_and_kill(db_path, patient_id, rng, db_path.with_suffix(".log"))
        raw = sqlite3.connect(db_path)
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        raw.close()

    assert len(committed) > KILLS  # the children really were saving when killed
    book = Casebook.open(db_path, create=False)
    stored = {a.id for a in book.assessments(patient_id)}
    book.close()
    assert committed <= stored
