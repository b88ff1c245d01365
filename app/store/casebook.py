"""The storage facade: opens a case series, hands out frozen records, writes in one transaction.

``Casebook`` is the one class callers use; its parts live by concern: ``transactions`` (sessions,
batches, the journal of edits), ``queries`` (reads), ``analysis_reads`` (the analysis's lean read),
``cohort_reads`` (the cohort figures' lean read), ``photo_commands`` and ``record_commands``
(writes: validated, audited, one transaction each), ``bulk_commands`` (many new records in one
executemany per table) and ``replay`` (undo and redo of any edit). Nothing outside this package sees a Session.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import make_url

from .analysis_reads import AnalysisReads
from .bulk_commands import BulkCommands
from .cohort_reads import CohortReads
from .database import (
    make_engine,
    open_series_file,
    prepare_server_database,
    stored_revision,
)
from .queries import PatientBundle
from .replay import Replay

__all__ = ["Casebook", "PatientBundle"]


class Casebook(Replay, BulkCommands, AnalysisReads, CohortReads):
    """One case series in one database."""

    @classmethod
    def open(cls, path: Path, *, create: bool = True, today: Callable[[], date] = date.today) -> Casebook:
        """Open (or create) a database file, migrating it after a backup if it is older; a file that cannot
        be written opens read-only (``read_only`` says why)."""
        path = Path(path)
        engine, backup, access = open_series_file(path, create=create)
        book = cls(engine, path, today)
        book.backup = backup
        book.read_only, book.network = access.read_only, access.network
        return book

    @classmethod
    def connect(cls, url: str, *, today: Callable[[], date] = date.today) -> Casebook:
        """Open a case series on a database server (for example ``postgresql+psycopg://…``)."""
        engine = make_engine(make_url(url))
        if engine.dialect.name == "sqlite":
            engine.dispose()
            return cls.open(Path(engine.url.database or ""), today=today)
        try:
            prepare_server_database(engine)
        except BaseException:
            engine.dispose()  # refused: no connection is left open to the server
            raise
        return cls(engine, None, today)

    @property
    def location(self) -> str:
        """The database file, or the server URL without its password."""
        return str(self.path) if self.path else self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def schema_version(self) -> str | None:
        with self.engine.connect() as connection:
            return stored_revision(connection)
