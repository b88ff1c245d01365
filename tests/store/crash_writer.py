"""Child process for the crash-safety test: saves assessments forever, reporting each commit."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from myocase.domain.records import Assessment
from myocase.store.casebook import Casebook


def main(path: str, patient_id: int) -> None:
    book = Casebook.open(Path(path), create=False)
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        saved = book.save(
            Assessment(
                patient_id=patient_id,
                assessed_on=date(2000, 1, 1) + timedelta(days=n % 8000),
                cdasi_activity=n % 100,
                notes="x" * (n % 500),
            )
        )
        print(saved.id, flush=True)  # only after the commit returned


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
