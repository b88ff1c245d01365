"""The audit trail: one row per changed record, with who, when and each changed field's old and new value."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from functools import cache
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..domain.limits import text_limit
from ..domain.records import AuditEntry, field_text
from .tables import AuditRow, PatientRow

_SKIPPED = {"id", "patient_id", "version"}  # keys and bookkeeping, not what was recorded
_TABLE = AuditRow.metadata.tables[AuditRow.__tablename__]  # Core inserts, without the ORM
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False), made once
# how ``_ENCODE`` writes each string (its keys and values); a created record's changes are written with it
_STRING: Callable[[str], str] = encode_basestring
_NUMBERS = frozenset({int, float})  # values whose text (their str) holds nothing JSON escapes


@cache
def os_user() -> str:
    """The login name, cut to what the audit column holds (a longer one would fail every save on a server)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        name = "unknown"
    return name[: text_limit(AuditEntry, "os_user")]


@cache
def _audited(record_type: Any) -> tuple[str, ...]:
    """The fields of ``record_type`` the trail records, in their order."""
    return tuple(f.name for f in fields(record_type) if f.name not in _SKIPPED)


@cache
def _created_keys(record_type: Any) -> tuple[Callable[[Any], tuple[Any, ...]], tuple[str, ...]]:
    """What reads every audited field of a ``record_type`` at once, and each field's JSON up to its new value:
    ``"name": [null, ``, as ``_ENCODE`` writes it."""
    names = _audited(record_type)
    read = attrgetter(*names)
    return (read if len(names) > 1 else lambda record: (read(record),)), tuple(
        f"{_STRING(name)}: [null, " for name in names
    )


def created_changes(record: Any) -> str | None:
    """``_ENCODE`` of a created record's changes (every field recorded, with no old value), written straight:
    a registry creates many (None when no field holds a value)."""
    read, keys = _created_keys(type(record))  # type: ignore[arg-type]
    found = []
    for key, value in zip(keys, read(record), strict=True):
        if value is None:
            continue
        if type(value) in _NUMBERS:  # its text is its str, as ``_text`` gives it
            found.append(f'{key}"{value}"]')
        elif text := _text(value):
            found.append(f"{key}{_STRING(text)}]")
    return "{" + ", ".join(found) + "}" if found else None


def _values(record: Any) -> dict[str, str | None]:
    if record is None:
        return {}
    return {
        name: None if (value := getattr(record, name)) is None else _text(value)
        for name in _audited(type(record))  # type: ignore[arg-type]
    }


# ``field_text`` of a value of these exact types (an empty text is not recorded: None)
_PLAIN_TEXT: dict[type, Callable[[Any], str]] = {
    int: str,
    float: str,
    bool: str,
    str: str,
    date: date.isoformat,
}


def _text(value: object) -> str | None:
    """``field_text(value)``, sooner for the types most fields hold (a registry writes many)."""
    if (plain := _PLAIN_TEXT.get(type(value))) is not None:
        return plain(value) or None
    if isinstance(value, str):  # a coded value (a StrEnum, whose str is its value)
        return str(value) or None
    return field_text(value)


def changed_fields(changes: str) -> list[tuple[str, str | None, str | None]]:
    """An audit row's ``changes`` as (field, old value, new value), in the order they were written."""
    return [(name, old, new) for name, (old, new) in json.loads(changes).items()]


def _row(
    action: str, entity: str, record_id: int, patient_id: int | None, changes: dict[str, list[str | None]]
) -> dict[str, Any]:
    """One row for the record, every changed field in it."""
    return _row_of(action, entity, record_id, patient_id, _ENCODE(changes))


def _row_of(action: str, entity: str, record_id: int, patient_id: int | None, changes: str) -> dict[str, Any]:
    """One row for the record, its changes already written as JSON."""
    return {
        "os_user": os_user(),
        "action": action,
        "entity": entity,
        "record_id": record_id,
        "patient_id": patient_id,
        "changes": changes,
    }


def write_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert audit rows made by ``change_row`` and ``source_row`` (one statement, executemany)."""
    if rows:
        session.execute(insert(_TABLE), rows)


def source_row(entity: str, record_id: int, patient_id: int | None, source: str) -> dict[str, Any]:
    """The row saying where a record created or changed came from (an imported file and row)."""
    return _row("import", entity, record_id, patient_id, {"source": [None, source]})


def add_entry(
    session: Session,
    action: str,
    entity: str,
    record_id: int,
    patient_id: int | None,
    field: str,
    old_value: str | None,
    new_value: str | None,
) -> None:
    """One row holding one field (a setting)."""
    write_rows(session, [_row(action, entity, record_id, patient_id, {field: [old_value, new_value]})])


def record_change(
    session: Session,
    entity: str,
    record_id: int,
    patient_id: int | None,
    old: object | None,
    new: object | None,
) -> None:
    """Write one audit row with every field that differs (none when nothing does)."""
    row = change_row(entity, record_id, patient_id, old, new)
    write_rows(session, [row] if row is not None else [])


def change_row(
    entity: str, record_id: int, patient_id: int | None, old: object | None, new: object | None
) -> dict[str, Any] | None:
    """The audit row of one record's write: every field that differs (None when none does)."""
    if old is None:  # created: every field recorded (the same as below, sooner: a registry creates many)
        return None if new is None else created_row(entity, record_id, patient_id, new)
    action = "delete" if new is None else "update"
    before, after = _values(old), _values(new)
    changes = {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }
    return _row(action, entity, record_id, patient_id, changes) if changes else None


def created_row(entity: str, record_id: int, patient_id: int | None, new: object) -> dict[str, Any] | None:
    """The audit row of a record created: ``change_row(entity, record_id, patient_id, None, new)``."""
    changes = created_changes(new)
    return None if changes is None else _row_of("create", entity, record_id, patient_id, changes)


def entries(session: Session, patient_id: int | None = None, limit: int | None = 500) -> list[AuditEntry]:
    """The newest ``limit`` field changes (every one when None), of one patient or of the series: one entry
    per changed field, newest first (a row's fields last written first), as when each had a row of its own."""
    query = select(
        AuditRow.at,
        AuditRow.os_user,
        AuditRow.action,
        AuditRow.entity,
        AuditRow.record_id,
        AuditRow.changes,
        PatientRow.study_id,
    ).outerjoin(PatientRow, PatientRow.id == AuditRow.patient_id)
    if patient_id is not None:
        query = query.where(AuditRow.patient_id == patient_id)
    # every row holds one field or more, so ``limit`` rows hold enough (LIMIT NULL: every row)
    query = query.order_by(AuditRow.id.desc()).limit(limit)
    found = [
        AuditEntry(
            at=row.at.isoformat(timespec="seconds"),
            os_user=row.os_user,
            action=row.action,
            entity=row.entity,
            record_id=row.record_id,
            field=field,
            old_value=old,
            new_value=new,
            study_id=row.study_id or "",
        )
        for row in session.execute(query)
        for field, old, new in reversed(changed_fields(row.changes))
    ]
    return found if limit is None else found[:limit]
