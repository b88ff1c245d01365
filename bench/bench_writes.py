"""Write speed: N synthetic patients with ~20 assessments each built through the storage API, against raw
sqlite3 ``executemany`` inserting the same rows and the same audit content (issue 16, item 4).

Run: .venv/bin/python bench/bench_writes.py [--patients 200] [--rounds 1]
Each round builds the series through ``Casebook`` (the demo's cases, each visit repeated ``EXTRA_VISITS``
times, as new ``PatientRecord``s stored with ``add_many`` in one batch: one transaction; the records are made
before the clock starts, as the floor's rows are), then the floor: a new file with the same schema and pragmas,
every table's rows as MyoCase stored them (the audit trail included) inserted with ``executemany`` in one
transaction, and checked equal to MyoCase's rows. Prints both times, the ratio beside the goal (≤ 3×), the
audit rows and the audit table's share of the file (pages counted with SQLite's ``dbstat``).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from myocase.domain.records import (  # noqa: E402
    PatientRecord,
    SeriesSettings,
)
from myocase.services import demo  # noqa: E402
from myocase.store.casebook import Casebook  # noqa: E402
from myocase.store.tables import Base  # noqa: E402
from run_all import result  # noqa: E402
from synthetic import EXTRA_VISIT_DAYS, EXTRA_VISITS, synthetic_patient  # noqa: E402

GOAL = 3.0
Rows = dict[str, tuple[list[str], list[tuple[object, ...]]]]


def new_patient(n: int) -> PatientRecord:
    """Patient ``n``: a synthetic demo case, then each of its visits ``EXTRA_VISITS`` more times."""
    record = synthetic_patient(n, digits=5)
    more = tuple(
        replace(assessment, assessed_on=assessment.assessed_on + timedelta(days=extra * EXTRA_VISIT_DAYS))
        for assessment in record.assessments
        for extra in range(1, EXTRA_VISITS + 1)
    )
    return replace(record, assessments=record.assessments + more)


def build_through_api(path: Path, patients: int) -> float:
    """Seconds to write ``patients`` patients through the storage API in one batch (opening not counted)."""
    book = Casebook.open(path)
    book.settings()  # opened as the window opens a series: its first read (the ORM set up) not counted
    records = [new_patient(n) for n in range(patients)]  # the caller's data, as the floor's rows are
    start = time.perf_counter()
    with book.batch():
        book.save_settings(SeriesSettings("SYNTHETIC write benchmark", demo.CUTOFF, demo.INDEX_DRUG, True))
        book.add_many(records)
    seconds = time.perf_counter() - start
    book.close()
    with closing(sqlite3.connect(path)) as connection:
        stray = connection.execute(
            "SELECT count(*) FROM assessment a JOIN patient p ON p.id = a.patient_id "
            "WHERE a.patient_id != CAST(substr(p.study_id, 5) AS INTEGER)"
        ).fetchone()[0]
    if stray:
        raise SystemExit(f"{stray} assessments went to another patient: the ids are not 1, 2, …")
    return seconds


def _tables(connection: sqlite3.Connection) -> list[str]:
    """The stored tables, parents before children (the ORM's order)."""
    present = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [t.name for t in Base.metadata.sorted_tables if t.name in present]


def read_rows(path: Path) -> Rows:
    with closing(sqlite3.connect(path)) as connection:
        found: Rows = {}
        for table in _tables(connection):
            cursor = connection.execute(f"SELECT * FROM {table} ORDER BY rowid")
            found[table] = ([d[0] for d in cursor.description], cursor.fetchall())
        return found


def _empty_copy(source: Path, target: Path) -> None:
    """``target``: the schema (and revision) of ``source``, no rows but the revision's."""
    with closing(sqlite3.connect(source)) as old, closing(sqlite3.connect(target)) as new:
        statements = old.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY type = 'index', rowid"
        ).fetchall()
        for (sql,) in statements:
            new.execute(sql)
        new.executemany(
            "INSERT INTO alembic_version VALUES (?)", old.execute("SELECT * FROM alembic_version")
        )
        new.commit()


def build_floor(path: Path, rows: Rows) -> float:
    """Seconds for raw sqlite3 to insert ``rows`` (the app's pragmas, one transaction, one executemany each)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL"):
            connection.execute(f"PRAGMA {pragma}")
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        for table, (columns, values) in rows.items():
            marks = ", ".join("?" * len(columns))
            connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
        connection.execute("COMMIT")
        return time.perf_counter() - start


def audit_share(path: Path) -> tuple[float, float]:
    """(the audit trail's share of the file's pages, table and indexes; the file's MiB), WAL folded in."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (total,) = connection.execute("SELECT sum(pgsize) FROM dbstat").fetchone()
        (audit,) = connection.execute(
            "SELECT sum(d.pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name "
            "WHERE m.tbl_name = 'audit_log'"
        ).fetchone()
    return audit / total, path.stat().st_size / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument(
        "--rounds", type=int, default=1, help="API build and floor, interleaved, this many times"
    )
    args = parser.parse_args()
    api_times, floor_times = [], []
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            made, floor = Path(folder) / f"api-{round_}.sqlite", Path(folder) / f"floor-{round_}.sqlite"
            api_times.append(build_through_api(made, args.patients))
            rows = read_rows(made)
            _empty_copy(made, floor)
            floor_times.append(build_floor(floor, rows))
            if read_rows(floor) != rows:
                raise SystemExit("the floor's rows differ from MyoCase's: fix the floor")
        share, mib = audit_share(made)
    api, raw = min(api_times), min(floor_times)
    counts = {table: len(values) for table, (_, values) in rows.items()}
    print(f"{args.patients} patients, {counts['assessment']} assessments, {counts['audit_log']} audit rows")
    print(f"storage API   {api:8.2f} s")
    print(f"raw executemany {raw:6.2f} s (same rows, same audit content)")
    print(
        f"ratio         {api / raw:8.1f}×   (goal ≤ {GOAL:.0f}×: {'met' if api / raw <= GOAL else 'NOT met'})"
    )
    print(f"audit trail   {share:8.0%} of the file ({mib:.1f} MiB)")
    result(f"build {args.patients} patients through the storage API", api, raw, GOAL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
