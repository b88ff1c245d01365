"""Another editor in another process, for the concurrency tests: one write to the same series, then exit.

    python -m tests.store.other_writer LOCATION set-global ASSESSMENT_ID VALUE   (prints the new version)
    python -m tests.store.other_writer LOCATION delete-assessment ASSESSMENT_ID
    python -m tests.store.other_writer LOCATION add-course PATIENT_ID DRUG          (prints the new id)

LOCATION is a series file or a server URL (with its password).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from myocase.domain.records import Assessment
from myocase.store.casebook import Casebook

from tests.factories import make_course

TODAY = date(2024, 1, 15)  # as the tests' series


def _open(location: str) -> Casebook:
    if "://" in location:
        return Casebook.connect(location, today=lambda: TODAY)
    return Casebook.open(Path(location), create=False, today=lambda: TODAY)


def _assessment(book: Casebook, assessment_id: int) -> Assessment:
    return next(a for p in book.patients() for a in book.assessments(p.id or 0) if a.id == assessment_id)


def main(location: str, action: str, *args: str) -> None:
    book = _open(location)
    try:
        if action == "set-global":
            stored = _assessment(book, int(args[0]))
            print(book.save(replace(stored, physician_global=float(args[1]))).version)
        elif action == "delete-assessment":
            book.delete(Assessment, int(args[0]))
        elif action == "add-course":
            print(book.save(make_course(int(args[0]), args[1])).id)
        else:
            raise SystemExit(f"unknown action {action}")
    finally:
        book.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
