"""bench/synthetic.py: the large synthetic series multiplied with SQL holds what the storage API would write."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
from myocase.cli import main
from myocase.store.casebook import Casebook

from bench.synthetic import EXTRA_VISITS, write_large_series, write_series

pytestmark = pytest.mark.sqlite_only("builds a series file with plain sqlite3")

TABLES = (
    "patient",
    "patient_identifier",
    "antibody_result",
    "medication_course",
    "assessment",
    "adverse_event",
    "photo",
    "audit_log",
)


def _rows(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], dict[str, int]]:
    """200 patients; the rows the SQL added; the rows of the ten cases written through the storage API."""
    folder = tmp_path_factory.mktemp("synthetic")
    added = write_large_series(folder / "large.sqlite", 200)
    write_series(folder / "ten.sqlite", 10, digits=5).close()
    return folder / "large.sqlite", added, _rows(folder / "ten.sqlite")


def test_stored_rows_are_the_ten_cases_and_what_the_sql_added(series) -> None:  # type: ignore[no-untyped-def]
    path, added, ten = series
    stored = _rows(path)
    assert stored["patient"] == 200 == ten["patient"] + added["patient"]
    for table in ("patient_identifier", "antibody_result", "medication_course", "adverse_event"):
        assert stored[table] == ten[table] + added[table] == 20 * ten[table], table
    assert stored["assessment"] == ten["assessment"] + added["assessment"]
    assert stored["assessment"] == 20 * (1 + EXTRA_VISITS) * ten["assessment"]
    assert stored["audit_log"] == ten["audit_log"]  # only the ten written through the storage API
    assert stored["photo"] == 0
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        study_ids = [r[0] for r in connection.execute("SELECT study_id FROM patient ORDER BY id")]
    assert study_ids == [f"SYN-{n:05d}" for n in range(1, 201)]


def test_the_series_opens_and_info_counts_it(series, capsys) -> None:  # type: ignore[no-untyped-def]
    path, _, _ = series
    stored = _rows(path)
    book = Casebook.open(path, create=False)
    try:
        counts = book.counts()
        summaries = {s.study_id: s for s in book.patient_summaries()}
    finally:
        book.close()
    assert (counts.patients, counts.assessments) == (stored["patient"], stored["assessment"])
    assert counts.medication_courses == stored["medication_course"]
    # a copy shows in the list exactly as the case it copies
    copy, case = summaries["SYN-00013"], summaries["SYN-00003"]
    assert copy == replace(case, id=copy.id, study_id="SYN-00013")
    assert main(["info", "--db", str(path), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["patients"], shown["assessments"]) == (200, stored["assessment"])
    assert (shown["medication_courses"], shown["adverse_events"]) == (
        stored["medication_course"],
        stored["adverse_event"],
    )
