"""Large synthetic case series for benchmarks: the demo's ten cases repeated with new IDs and dates.

Run: .venv/bin/python bench/synthetic.py --patients 10000 --out /tmp/series-10k.sqlite
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from contextlib import closing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from myocase.domain.records import PatientRecord, SeriesSettings
from myocase.services import demo
from myocase.store.casebook import Casebook

# Each stored visit gains this many more, EXTRA_VISIT_DAYS apart after it (the demo's visits are at least
# four weeks apart and the last one ends before the cut-off): ~21 assessments per patient, as in a registry.
EXTRA_VISITS = 4
EXTRA_VISIT_DAYS = 6
# Patient tables the copies leave out: photos (and what hangs on them) and the audit trail.
NOT_COPIED = frozenset({"photo", "photo_data", "photo_comparison", "audit_log"})


def synthetic_patient(n: int, *, digits: int = 4) -> PatientRecord:
    """Invented patient ``n`` (from 0): a demo case shifted in time, study ID SYN-0001… (``digits`` wide)."""
    case = demo.CASES[n % len(demo.CASES)]
    shift = timedelta(days=-(n // len(demo.CASES)) % 200)
    moved = replace(
        case, upa_start=case.upa_start + shift, upa_stop=case.upa_stop + shift if case.upa_stop else None
    )
    return demo.case_record(n + 1, moved, study_id=f"SYN-{n + 1:0{digits}d}")


def write_series(path: Path, patients: int, *, digits: int = 4) -> Casebook:
    """A database of ``patients`` invented patients (demo cases shifted in time), without photos."""
    book = Casebook.open(path)
    with book.batch():
        book.save_settings(SeriesSettings("SYNTHETIC benchmark series", demo.CUTOFF, demo.INDEX_DRUG, True))
        book.add_many([synthetic_patient(n, digits=digits) for n in range(patients)])
    return book


def write_large_series(path: Path, patients: int = 10_000) -> dict[str, int]:
    """A series of ``patients`` invented patients in seconds: the demo's ten cases written once through the
    storage API (with their audit rows), each visit given ``EXTRA_VISITS`` more, then the ten copied with
    SQL in one transaction (new ids, study IDs SYN-00001…; every patient table but photos and the audit
    trail). ``path`` must not exist yet. Returns the rows the SQL added per table."""
    if path.exists():
        raise FileExistsError(f"{path} exists: write_large_series builds a new series file")
    template = min(patients, len(demo.CASES))
    write_series(path, template, digits=5).close()
    with closing(sqlite3.connect(path)) as connection:
        connection.isolation_level = None
        connection.execute("BEGIN IMMEDIATE")
        try:
            added = {"assessment": _add_visits(connection)}
            for table, rows in _copy_patients(connection, template, patients).items():
                added[table] = added.get(table, 0) + rows
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return added


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]


def _add_visits(connection: sqlite3.Connection) -> int:
    """Every stored visit repeated ``EXTRA_VISITS`` times, ``EXTRA_VISIT_DAYS`` apart after it."""
    columns = [c for c in _columns(connection, "assessment") if c not in ("id", "assessed_on")]
    names = ", ".join(columns)
    (last,) = connection.execute("SELECT max(id) FROM assessment").fetchone()
    added = 0
    for n in range(1, EXTRA_VISITS + 1):
        added += connection.execute(
            f"INSERT INTO assessment (assessed_on, {names}) SELECT date(assessed_on, '+{n * EXTRA_VISIT_DAYS} "
            f"days'), {names} FROM assessment WHERE id <= ? ORDER BY patient_id, id",
            (last,),
        ).rowcount
    return added


def _patient_tables(connection: sqlite3.Connection) -> list[str]:
    """Tables holding a patient's records whose only link is to the patient (copied with a new patient id);
    a table linked to another record too cannot be copied this way and is refused, unless left out."""
    names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    tables = []
    for table in names:
        if table in NOT_COPIED or "patient_id" not in _columns(connection, table):
            continue
        links = {row[2] for row in connection.execute(f"PRAGMA foreign_key_list({table})")}
        if links != {"patient"}:
            raise RuntimeError(f"{table} links to {sorted(links)}: teach bench/synthetic.py to copy it")
        tables.append(table)
    return tables


def _copy_patients(connection: sqlite3.Connection, template: int, patients: int) -> dict[str, int]:
    """Patients ``template + 1``…``patients``, each a copy of template patient ``(n - 1) % template + 1``."""
    connection.execute("CREATE TEMP TABLE copy (old_id INTEGER, new_id INTEGER PRIMARY KEY, study_id TEXT)")
    connection.executemany(
        "INSERT INTO copy VALUES (?, ?, ?)",
        (((n - 1) % template + 1, n, f"SYN-{n:05d}") for n in range(template + 1, patients + 1)),
    )
    columns = [c for c in _columns(connection, "patient") if c not in ("id", "study_id")]
    names, picked = ", ".join(columns), ", ".join(f"p.{c}" for c in columns)
    copied = {
        "patient": connection.execute(
            f"INSERT INTO patient (id, study_id, {names}) SELECT c.new_id, c.study_id, {picked} "
            "FROM copy c JOIN patient p ON p.id = c.old_id ORDER BY c.new_id"
        ).rowcount
    }
    for table in _patient_tables(connection):
        columns = [c for c in _columns(connection, table) if c not in ("id", "patient_id")]
        names, picked = ", ".join(columns), ", ".join(f"t.{c}" for c in columns)
        order = ", t.id" if "id" in _columns(connection, table) else ""
        copied[table] = connection.execute(
            f"INSERT INTO {table} (patient_id, {names}) SELECT c.new_id, {picked} "
            f"FROM copy c JOIN {table} t ON t.patient_id = c.old_id ORDER BY c.new_id{order}"
        ).rowcount
    connection.execute("DROP TABLE copy")
    return copied


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True, help="the series file to write (must not exist)")
    args = parser.parse_args()
    if args.out.exists():
        parser.error(f"{args.out} exists: give a new file name, or delete that file first")
    start = time.perf_counter()
    added = write_large_series(args.out, args.patients)
    rows = ", ".join(f"{rows} {table}" for table, rows in added.items())
    print(f"{args.out}: {args.patients} patients in {time.perf_counter() - start:.1f} s (SQL added {rows})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
