"""The audit trail: one row per changed field, with who, when, old and new value."""

from __future__ import annotations

import getpass
import json
from dataclasses import fields
from functools import cache
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..domain.limits import text_limit
from ..domain.records import AuditEntry, as_plain
from .tables import AuditRow, PatientRow

_SKIPPED = {"id", "patient_id"}


@cache
def os_user() -> str:
    """The login name, cut to what the audit column holds (a longer one would fail every save on a server)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        name = "unknown"
    return name[: text_limit(AuditEntry, "os_user")]


def _text(value: Any) -> str | None:
    plain = as_plain(value)
    if plain is None or plain == "" or plain == []:
        return None
    if isinstance(plain, (list, dict)):
        return json.dumps(plain, ensure_ascii=False, sort_keys=True)
    return str(plain)


def _values(record: object | None) -> dict[str, str | None]:
    if record is None:
        return {}
    return {f.name: _text(getattr(record, f.name)) for f in fields(record) if f.name not in _SKIPPED}  # type: ignore[arg-type]


def _entry(
    action: str,
    entity: str,
    record_id: int,
    patient_id: int | None,
    field: str,
    old_value: str | None,
    new_value: str | None,
) -> dict[str, Any]:
    return {
        "os_user": os_user(),
        "action": action,
        "entity": entity,
        "record_id": record_id,
        "patient_id": patient_id,
        "field": field,
        "old_value": old_value,
        "new_value": new_value,
    }


def _write(session: Session, entries: list[dict[str, Any]]) -> None:
    """The rows in one statement (an executemany), however many fields changed."""
    if entries:
        session.execute(insert(AuditRow.metadata.tables[AuditRow.__tablename__]), entries)


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
    _write(session, [_entry(action, entity, record_id, patient_id, field, old_value, new_value)])


def record_change(
    session: Session,
    entity: str,
    record_id: int,
    patient_id: int | None,
    old: object | None,
    new: object | None,
) -> int:
    """Write one audit row per field that differs; return how many were written."""
    action = "create" if old is None else "delete" if new is None else "update"
    before, after = _values(old), _values(new)
    changed = [
        _entry(action, entity, record_id, patient_id, name, before.get(name), after.get(name))
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    ]
    _write(session, changed)
    return len(changed)


def entries(session: Session, patient_id: int | None = None, limit: int | None = 500) -> list[AuditEntry]:
    """The newest ``limit`` entries (every one when None), of one patient or of the series."""
    query = select(AuditRow, PatientRow.study_id).outerjoin(PatientRow, PatientRow.id == AuditRow.patient_id)
    if patient_id is not None:
        query = query.where(AuditRow.patient_id == patient_id)
    query = query.order_by(AuditRow.id.desc()).limit(limit)  # LIMIT NULL: no limit
    return [
        AuditEntry(
            at=row.at.isoformat(timespec="seconds"),
            os_user=row.os_user,
            action=row.action,
            entity=row.entity,
            record_id=row.record_id,
            field=row.field,
            old_value=row.old_value,
            new_value=row.new_value,
            study_id=study_id or "",
        )
        for row, study_id in session.execute(query)
    ]
