"""The audit trail: one row per changed record, with who, when and each changed field's old and new value."""

from __future__ import annotations

import getpass
import json
from dataclasses import fields
from functools import cache

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..domain.limits import text_limit
from ..domain.records import AuditEntry, field_text
from .tables import AuditRow, PatientRow

_SKIPPED = {"id", "patient_id", "version"}  # keys and bookkeeping, not what was recorded
_TABLE = AuditRow.metadata.tables[AuditRow.__tablename__]  # Core inserts, without the ORM


@cache
def os_user() -> str:
    """The login name, cut to what the audit column holds (a longer one would fail every save on a server)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        name = "unknown"
    return name[: text_limit(AuditEntry, "os_user")]


def _values(record: object | None) -> dict[str, str | None]:
    if record is None:
        return {}
    return {f.name: field_text(getattr(record, f.name)) for f in fields(record) if f.name not in _SKIPPED}  # type: ignore[arg-type]


def changed_fields(changes: str) -> list[tuple[str, str | None, str | None]]:
    """An audit row's ``changes`` as (field, old value, new value), in the order they were written."""
    return [(name, old, new) for name, (old, new) in json.loads(changes).items()]


def _write(
    session: Session,
    action: str,
    entity: str,
    record_id: int,
    patient_id: int | None,
    changes: dict[str, list[str | None]],
) -> None:
    """One row for the record, every changed field in it (none when nothing changed)."""
    if changes:
        row = {
            "os_user": os_user(),
            "action": action,
            "entity": entity,
            "record_id": record_id,
            "patient_id": patient_id,
            "changes": json.dumps(changes, ensure_ascii=False),
        }
        session.execute(insert(_TABLE), row)


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
    """One row holding one field (a setting, the source of an import)."""
    _write(session, action, entity, record_id, patient_id, {field: [old_value, new_value]})


def record_change(
    session: Session,
    entity: str,
    record_id: int,
    patient_id: int | None,
    old: object | None,
    new: object | None,
) -> int:
    """Write one audit row with every field that differs (none when nothing does); return how many differ."""
    action = "create" if old is None else "delete" if new is None else "update"
    before, after = _values(old), _values(new)
    changes = {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }
    _write(session, action, entity, record_id, patient_id, changes)
    return len(changes)


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
