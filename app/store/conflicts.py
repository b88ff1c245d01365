"""Optimistic concurrency in storage: a write based on a version that is no longer stored is refused.

Rows of ``tables.Versioned`` count their saves in ``version``. A command reads the row it writes with
``locked`` (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already holds the write
lock), ``check``s the version the caller read, and ``stamp``s the next version when the content changed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.conflicts import RecordConflict, Writer, same_content
from .tables import AuditRow

RowT = TypeVar("RowT")


def locked(session: Session, row_type: type[RowT], record_id: int | None) -> RowT | None:
    """The stored row, locked against other writers until the transaction ends (None: not stored)."""
    if record_id is None:
        return None
    return session.get(row_type, record_id, with_for_update={"of": row_type})  # (not the rows joined to it)


def last_writer(session: Session, entity: str, record_id: int) -> Writer:
    """Who wrote the record last, and when, as the audit trail says."""
    found = session.execute(
        select(AuditRow.os_user, AuditRow.at)
        .where(AuditRow.entity == entity, AuditRow.record_id == record_id)
        .order_by(AuditRow.id.desc())
        .limit(1)
    ).first()
    return Writer(found.os_user, found.at) if found is not None else Writer()


def check(session: Session, entity: str, stored: Any | None, mine: Any, *, deleting: bool = False) -> None:
    """Refuse (``RecordConflict``) unless ``stored`` is still the version ``mine`` was read at."""
    if stored is None or stored.version != mine.version:
        raise RecordConflict(entity, mine, stored, last_writer(session, entity, mine.id), deleting)


def check_content(session: Session, entity: str, stored: Any | None, expected: Any | None, mine: Any) -> None:
    """Refuse unless the record is stored as ``expected`` says (None: not stored): undo and redo put a record
    back only while it is as the undone command left it."""
    if not same_content(stored, expected):
        writer = last_writer(session, entity, getattr(mine, "id", None) or 0)
        raise RecordConflict(entity, mine, stored, writer, deleting=False)


def stamp(row: Any, old: Any | None, candidate: Any, mine: Any) -> None:
    """Give ``row`` its version before it is flushed: one on from ``old`` when ``candidate`` (the record the
    row now holds) differs from it; a new row 1, a re-created one (undo of a delete) the version it had."""
    if old is None:
        row.version = max(mine.version, 1)
    elif not same_content(old, candidate):
        row.version = old.version + 1
