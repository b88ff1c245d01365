"""The portable archive of a series: every table copied through SQLAlchemy into a new SQLite series file (so
a server's series can be kept as a file, checked like any backup and opened by MyoCase), and such a file
loaded into a server's database in one transaction. Not a server dump: any MyoCase can read it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    MetaData,
    Table,
    create_engine,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.pool import NullPool

from .database import StorageError, sqlite_url, stored_revision, upgrade, verify_copy
from .tables import Base

CHUNK = 200  # rows per INSERT: a few photos at a time, never the whole photo table in memory


def _tables() -> list[Table]:
    """The tables of the current schema, parents first; JSON columns keep SQL NULL apart from JSON null."""
    metadata = MetaData()
    tables = [table.to_metadata(metadata) for table in Base.metadata.sorted_tables]
    for table in tables:
        for column in table.columns:
            if isinstance(column.type, JSON):
                column.type = JSON(none_as_null=True)
    return tables


def _json_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, JSON)]


def _rows(source: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``table`` in chunks, as values to insert; a JSON null stays JSON null, SQL NULL stays NULL."""
    json = _json_columns(table)
    flags = [table.c[name].is_(None).label(f"_null_{name}") for name in json]
    result = source.execution_options(yield_per=CHUNK).execute(select(table, *flags))
    for chunk in result.partitions():
        rows = []
        for row in chunk:
            values = {c.name: row._mapping[c] for c in table.columns}
            for name in json:
                if values[name] is None and not row._mapping[f"_null_{name}"]:
                    values[name] = JSON.NULL
            rows.append(values)
        yield rows


def _copy(source: Connection, target: Connection) -> dict[str, int]:
    """Replace every row of the series in ``target`` by those in ``source`` (both at the same schema)."""
    tables = _tables()
    for table in reversed(tables):
        target.execute(delete(table))
    counts = {}
    for table in tables:
        counts[table.name] = 0
        for rows in _rows(source, table):
            target.execute(insert(table), rows)
            counts[table.name] += len(rows)
    if target.dialect.name == "postgresql":
        _advance_sequences(target, tables)
    return counts


def _advance_sequences(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL hands out new ids from a sequence: move each past the ids the copy brought in."""
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        ).scalar()
        if sequence:
            highest = connection.execute(select(func.max(column))).scalar()
            connection.execute(
                text("SELECT setval(CAST(:sequence AS regclass), :value, :called)"),
                {"sequence": sequence, "value": highest or 1, "called": highest is not None},
            )


def _same_schema(source: Connection, target: Connection) -> str:
    revision, theirs = stored_revision(source), stored_revision(target)
    if revision != theirs:
        raise StorageError(f"The copy is at schema {revision} and the series at {theirs}: update both first.")
    return revision or ""


def write_archive(engine: Engine, target: Path) -> Path:
    """Copy the series behind ``engine`` (at the current schema) into a new SQLite series file at ``target``,
    made beside it, checked (integrity, schema) and moved into place only when complete."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        upgrade(partial)
        archive = create_engine(sqlite_url(partial), poolclass=NullPool)
        try:
            with engine.connect() as source, archive.begin() as copy:
                _same_schema(source, copy)
                _copy(source, copy)
        finally:
            archive.dispose()
        verify_copy(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def load_archive(source: Path, engine: Engine) -> dict[str, int]:
    """Replace every row of the series behind ``engine`` by those of the series file ``source`` (both at
    the current schema), in one transaction: all of it, or nothing. Returns the rows copied per table."""
    archive = create_engine(sqlite_url(source), poolclass=NullPool)
    try:
        with archive.connect() as copy, engine.begin() as target:
            _same_schema(copy, target)
            return _copy(copy, target)
    finally:
        archive.dispose()
