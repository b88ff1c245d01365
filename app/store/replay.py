"""Undo and redo in storage: put records back as a journal's edits say, whatever their kind."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from ..domain.changes import Edit, PhotoFile, Stored, StoredSetting
from ..domain.records import Identifiers, Patient, Photo, PhotoComparison
from ..domain.validation import Problem, ValidationError
from .record_commands import RecordCommands


class Replay(RecordCommands):
    """``apply(edits)``: one generic write for every kind of record, so that a command's undo is
    ``apply(change.inverse().edits)`` and its redo ``apply(change.edits)``."""

    def apply(self, edits: Sequence[Edit]) -> None:
        """Make each record as its edit's ``after`` says (deleted where that is None), in order, in one
        transaction, through the commands (validated, audited)."""
        try:
            with self.batch():
                for edit in edits:
                    if edit.after is None:
                        self._remove(edit.record)
                    else:
                        self._put(edit.after)
        except IntegrityError as exc:  # what is stored now stands in the way (the same photo again…)
            raise ValidationError(
                [Problem("id", f"It conflicts with what is stored now ({exc.orig}).")]
            ) from exc

    def _put(self, record: Stored) -> None:
        match record:
            case Patient():
                self.save_patient(record)
            case Identifiers():
                self._write_identifiers(record)
            case PhotoFile():
                self._insert_photo(record.photo, record.image, record.thumbnail)
            case Photo():
                self.save_photo(record)
            case PhotoComparison():
                with self._write() as session:
                    self._store_comparison(session, record)
            case StoredSetting():
                self._write_setting(record.key, record.text)
            case _:
                self.save(record)

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
