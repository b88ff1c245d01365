"""Following other writers: the audit trail's newest row as the series' change mark, and what others wrote
after a mark (every write adds audit rows, on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..domain.changes import Change, Edit, Kind, PhotoFile, StoredSetting
from ..domain.records import (
    AdverseEvent,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    Photo,
    PhotoComparison,
)
from .audit import _values, changed_fields
from .series_file import StorageError
from .tables import AuditRow, PatientRow

# an audit row's record (entity, id), or that with one of its fields and that field's new value
Key = tuple[str, int] | tuple[str, int, str, str | None]

KIND_OF_ENTITY = {
    "patient": Kind.PATIENT,
    "identifiers": Kind.PATIENT,
    "medication_course": Kind.COURSE,
    "assessment": Kind.ASSESSMENT,
    "adverse_event": Kind.EVENT,
    "photo": Kind.PHOTO,
    "photo_comparison": Kind.COMPARISON,
    "settings": Kind.SETTINGS,
}
_ENTITY_OF = {
    Patient: "patient",
    Identifiers: "identifiers",
    MedicationCourse: "medication_course",
    Assessment: "assessment",
    AdverseEvent: "adverse_event",
    Photo: "photo",
    PhotoFile: "photo",
    PhotoComparison: "photo_comparison",
}
_WORDS = {
    Kind.PATIENT: "patients",
    Kind.COURSE: "medication courses",
    Kind.ASSESSMENT: "assessments",
    Kind.EVENT: "adverse events",
    Kind.PHOTO: "photos",
    Kind.COMPARISON: "photo comparisons",
    Kind.SETTINGS: "the series settings",
}


@dataclass(frozen=True)
class Written:
    """What other writers changed after a mark: the new mark, the change (kinds and patients) and its words."""

    mark: int
    change: Change
    text: str


def _record_key(record: object) -> tuple[str, int]:
    if isinstance(record, StoredSetting):
        return "settings", 0
    if isinstance(record, PhotoFile):
        return _record_key(record.photo)
    if isinstance(record, Identifiers):
        return "identifiers", record.patient_id
    return _ENTITY_OF[type(record)], getattr(record, "id", None) or 0


def own_keys(edits: Iterable[Edit]) -> set[Key]:
    """What the audit rows of edits this series wrote itself say: each record (entity, id) and each field's
    new value, so that another writer's change of the same record after them is still seen as theirs."""
    keys: set[Key] = set()
    for edit in edits:
        entity, record_id = _record_key(edit.record)
        keys.add((entity, record_id))
        before, after = (r.photo if isinstance(r, PhotoFile) else r for r in (edit.before, edit.after))
        if isinstance(edit.record, StoredSetting):
            continue  # audited field by field of the series settings: matched by the record alone
        new = _values(after)
        keys.update((entity, record_id, name, new.get(name)) for name in {*_values(before), *new})
    return keys


def _own(row: Any, own: Collection[Key]) -> bool:
    if (row.action == "import" or row.entity == "settings") and (row.entity, row.record_id) in own:
        return True
    # this series wrote each of those values into each of those fields
    return all(
        (row.entity, row.record_id, name, new) in own for name, _old, new in changed_fields(row.changes)
    )


def change_mark(session: Session) -> int:
    """The newest audit row's id (0: none yet): it moves with every committed write."""
    return session.scalar(select(func.max(AuditRow.id))) or 0


def written_since(session: Session, mark: int, own: Collection[Key]) -> Written | None:
    """What was written after ``mark`` by others (rows of records not in ``own``); None when nothing was.

    On PostgreSQL a row numbered below ``mark`` but committed after it was read (a long transaction that
    began earlier) is not seen here; the next selection or change of that patient reads it anyway."""
    query = (
        select(
            AuditRow.id,
            AuditRow.action,
            AuditRow.entity,
            AuditRow.record_id,
            AuditRow.changes,
            AuditRow.patient_id,
            PatientRow.study_id,
        )
        .outerjoin(PatientRow, PatientRow.id == AuditRow.patient_id)
        .where(AuditRow.id > mark)
        .order_by(AuditRow.id)
    )
    try:
        rows = session.execute(query).all()
    except DBAPIError as exc:  # a server out of reach, a file being replaced: the caller looks again later
        raise StorageError(f"Could not look for changes by others: {exc.orig}") from exc
    if not rows:
        return None
    theirs = [row for row in rows if not _own(row, own)]
    newest = rows[-1].id
    if not theirs:
        return Written(newest, Change(frozenset()), "")
    kinds = frozenset(KIND_OF_ENTITY.get(row.entity, Kind.ALL) for row in theirs)
    patients = frozenset(row.patient_id for row in theirs if row.patient_id is not None)
    return Written(newest, Change(kinds, patients), _words(kinds, [row.study_id for row in theirs]))


def _words(kinds: frozenset[Kind], study_ids: list[str | None]) -> str:
    what = ", ".join(_WORDS[kind] for kind in Kind if kind in kinds and kind in _WORDS) or "the series"
    named = list(dict.fromkeys(s for s in study_ids if s))
    whose = f" of {', '.join(named[:4])}{' …' if len(named) > 4 else ''}" if named else ""
    return f"Updated: another window or user changed {what}{whose}"
