"""Large synthetic case series for benchmarks: the demo's ten cases repeated with new IDs and dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from myocase.domain.records import SeriesSettings
from myocase.services import demo
from myocase.store.casebook import Casebook


def write_series(path: Path, patients: int) -> Casebook:
    """A database of ``patients`` invented patients (demo cases shifted in time), without photos."""
    book = Casebook.open(path)
    with book.batch():
        book.save_settings(SeriesSettings("SYNTHETIC benchmark series", demo.CUTOFF, demo.INDEX_DRUG, True))
        for n in range(patients):
            case = demo.CASES[n % len(demo.CASES)]
            shift = timedelta(days=-(n // len(demo.CASES)) % 200)
            moved = replace(
                case,
                upa_start=case.upa_start + shift,
                upa_stop=case.upa_stop + shift if case.upa_stop else None,
            )
            demo._write_case(book, n + 1, moved, study_id=f"SYN-{n + 1:04d}")
    return book
