"""What a case-series file holds — schema version, series settings, record counts — read through one plain
sqlite3 connection, without SQLAlchemy or the ORM: the fast path of `myocase info`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..domain.records import Counts, SeriesSettings
from ..domain.vocab import Subtype
from .file_system import write_protection
from .series_file import BUSY_TIMEOUT_MS, existing_revision, head_revision, read_only

# Counts field → table (the names of store/tables.py; tests/store/test_database_glance.py keeps them in step).
COUNTED = {
    "patients": "patient",
    "medication_courses": "medication_course",
    "assessments": "assessment",
    "adverse_events": "adverse_event",
    "photos": "photo",
}
SETTING_TABLE = "setting"


@dataclass(frozen=True)
class Glance:
    schema_version: str
    settings: SeriesSettings
    counts: Counts


def series_settings(stored: Mapping[str, Any]) -> SeriesSettings:
    """The series settings from the decoded values of the setting table (a missing key: its default)."""
    cutoff = stored.get("cutoff")
    return SeriesSettings(
        name=stored.get("name", SeriesSettings.name),
        cutoff=date.fromisoformat(cutoff) if cutoff else None,
        index_drug=stored.get("index_drug", SeriesSettings.index_drug),
        is_demo=bool(stored.get("is_demo", False)),
    )


def by_subtype(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Patients per subtype, in the vocabulary's order, subtypes without patients left out."""
    found = dict(rows)
    return {s.value: found[s.value] for s in Subtype if s.value in found}


def glance(path: Path) -> Glance | None:
    """What the database at ``path`` holds, or None if it must be migrated first (``Casebook.open`` does it,
    after a backup). A missing, foreign, damaged or newer file is refused (``StorageError``) untouched: its
    version is checked read-only before it is read."""
    revision = existing_revision(path, create=False)
    if revision is None or revision != head_revision():
        return None
    # Only reads, in one transaction (one snapshot). A writable file gets a writable connection so that,
    # closing last, SQLite folds its write-ahead log into the file and removes it, as after any other use;
    # a file that cannot be written is read through a connection that cannot write a byte of it.
    opened = (
        read_only(path)
        if write_protection(path)[0]
        else closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000))
    )
    with opened as connection:
        connection.isolation_level = None
        connection.execute("BEGIN")
        settings = connection.execute(f"SELECT key, value FROM {SETTING_TABLE}")
        stored = {key: json.loads(value) for key, value in settings}
        counts = {
            field: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for field, table in COUNTED.items()
        }
        patients = COUNTED["patients"]
        subtypes = by_subtype(
            connection.execute(f"SELECT subtype, count(*) FROM {patients} GROUP BY subtype")
        )
    return Glance(revision, series_settings(stored), Counts(**counts, by_subtype=subtypes))
