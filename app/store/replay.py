"""Undo and redo in storage: put records back as a journal's edits say, whatever their kind.

An edit is put back only while its record is still stored as the edit's ``before`` says (its content, not
its version): an undo never overwrites, deletes or re-creates over what another window or user wrote since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..domain.changes import Edit, PhotoFile, Stored, StoredSetting
from ..domain.records import Identifiers, Patient, Photo, PhotoComparison
from ..domain.validation import Problem, ValidationError
from . import conflicts, mapping
from .kinds import KINDS
from .record_commands import RecordCommands
from .tables import ComparisonRow, IdentifierRow, PatientRow, PhotoRow, SettingRow


def _entity(record: Stored) -> tuple[str, Any, Any]:
    """The record's audit name, its row type and how a row becomes a record (None for settings)."""
    match record:
        case Patient():
            return "patient", PatientRow, mapping.patient_record
        case Identifiers():
            return "identifiers", IdentifierRow, mapping.identifiers_record
        case Photo() | PhotoFile():
            return "photo", PhotoRow, mapping.photo_record
        case PhotoComparison():
            return "photo_comparison", ComparisonRow, mapping.comparison_record
        case StoredSetting():
            return "settings", SettingRow, lambda row: StoredSetting(row.key, row.value)
        case _:
            kind = KINDS[type(record)]
            return kind.entity, kind.row, kind.to_record


def _key(record: Stored) -> Any:
    match record:
        case Identifiers():
            return record.patient_id
        case PhotoFile():
            return record.photo.id
        case StoredSetting():
            return record.key
        case _:
            return record.id


def _described(record: Stored | None) -> Any:
    """What is compared: a photo's description, not its pixels."""
    return record.photo if isinstance(record, PhotoFile) else record


class Replay(RecordCommands):
    """``apply(edits)``: one generic write for every kind of record, so that a command's undo is
    ``apply(change.inverse().edits)`` and its redo ``apply(change.edits)``."""

    def apply(self, edits: Sequence[Edit]) -> None:
        """Make each record as its edit's ``after`` says (deleted where that is None), in order, in one
        transaction, through the commands (validated, audited). ``RecordConflict`` (and nothing written)
        when a record is no longer as its edit's ``before`` says."""
        try:
            with self.batch():
                for edit in edits:
                    current = self._check_unchanged(edit)
                    if edit.after is None:
                        self._remove(edit.record)
                    else:
                        self._put(edit.after, current)
        except IntegrityError as exc:  # what is stored now stands in the way (the same photo again…)
            raise ValidationError(
                [Problem("id", f"It conflicts with what is stored now ({exc.orig}).")]
            ) from exc

    def _check_unchanged(self, edit: Edit) -> Any:
        """The record as stored now, which must be as ``edit.before`` says (None: not stored)."""
        entity, row_type, to_record = _entity(edit.record)
        with self._write() as session:
            row = conflicts.locked(session, row_type, _key(edit.record))
            current = to_record(row) if row is not None else None
            expected, mine = _described(edit.before), _described(edit.after or edit.before)
            conflicts.check_content(session, entity, _described(current), expected, mine)
        return current

    def _put(self, record: Stored, current: Any) -> None:
        if hasattr(record, "version") and current is not None:  # based on what is stored: no conflict
            record = replace(record, version=current.version)
        match record:
            case Patient():
                self.save_patient(record, recreate=True)
            case Identifiers():
                self._write_identifiers(record)
            case PhotoFile():
                self._insert_photo(record.photo, record.image, record.thumbnail)
            case Photo():
                self.save_photo(record, recreate=True)
            case PhotoComparison():
                with self._write() as session:
                    self._store_comparison(session, record)
            case StoredSetting():
                self._write_setting(record.key, record.text)
            case _:
                self.save(record, recreate=True)

    def _remove(self, record: Stored) -> None:
        match record:
            case Patient():
                self.delete_patient(record.id or 0)
            case Identifiers():
                self._write_identifiers(record, remove=True)
            case PhotoFile():
                self.delete_photo(record.photo.id or 0)
            case Photo():
                self.delete_photo(record.id or 0)
            case PhotoComparison():
                self.delete_comparison(record.id or 0)
            case StoredSetting():
                self._write_setting(record.key, None)
            case _:
                self.delete(type(record), record.id or 0)
