"""Two editors, one record: a save or delete based on a version someone else has since changed or deleted.

Every stored record carries ``version`` (how many times it was saved). A save states the version its
form was read at; the store refuses it with ``RecordConflict`` when the stored version has moved on, and
the user decides with what is now stored in front of them, field by field: keep theirs (save again on the
current version), take what is stored, or cancel. Undo and redo compare content instead (``same_content``):
they put a record back only while it is still as the undone command left it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from .numbers import readable
from .records import field_text
from .validation import Problem, ValidationError

UNCOMPARED = frozenset({"id", "version", "patient_id"})  # the record's identity, not what was typed


def _shown(value: Any) -> str | None:
    """A value in the conflict dialog: a number as typed (170, not 170.0), else as the audit trail has it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return readable(value)
    return field_text(value)


def same_content(first: Any, second: Any) -> bool:
    """The two records hold the same values (their versions may differ); None is the same only as None."""
    if first is None or second is None:
        return first is second
    if not hasattr(first, "version"):
        return bool(first == second)
    return bool(replace(first, version=0) == replace(second, version=0))


@dataclass(frozen=True)
class Clash:
    """One field whose stored value differs from the user's."""

    field: str
    stored: str | None
    mine: str | None


@dataclass(frozen=True)
class Writer:
    """Who last wrote a record, and when, as the audit trail says (unknown: empty user, no time)."""

    os_user: str = ""
    at: datetime | None = None

    def __str__(self) -> str:
        who = self.os_user or "someone else"
        return f"{who} at {self.at.astimezone():%Y-%m-%d %H:%M}" if self.at else who


class RecordConflict(ValidationError):
    """The record changed or went since the user read it; nothing was written.

    ``mine`` is what the user wanted to store (for a delete: the record as they saw it), ``stored`` what is
    stored now (None: deleted), ``entity`` what the record is called ("assessment").
    A ValidationError, so that any caller that does not offer the choice still says what happened."""

    def __init__(self, entity: str, mine: Any, stored: Any, writer: Writer, deleting: bool = False) -> None:
        self.entity, self.mine, self.stored, self.writer, self.deleting = (
            entity,
            mine,
            stored,
            writer,
            deleting,
        )
        super().__init__([Problem("version", self.explanation)])

    @property
    def deleted(self) -> bool:
        return self.stored is None

    @property
    def explanation(self) -> str:
        name = self.entity.replace("_", " ")
        if self.deleted:
            return f"This {name} was deleted by {self.writer} after you opened it."
        return f"This {name} was changed by {self.writer} after you opened it."

    def clashes(self) -> list[Clash]:
        """The fields whose stored value differs from the user's, in the record's order."""
        if self.stored is None:
            return []
        return [
            Clash(f.name, _shown(getattr(self.stored, f.name)), _shown(getattr(self.mine, f.name)))
            for f in fields(self.stored)
            if f.name not in UNCOMPARED and getattr(self.stored, f.name) != getattr(self.mine, f.name)
        ]

    def mine_on_current(self) -> Any:
        """The user's record based on the stored version: saving it keeps theirs ("Keep mine")."""
        return replace(self.mine, version=self.stored.version)

    def mine_as_new(self) -> Any:
        """The user's record as a new one (the stored one was deleted): "Re-create"."""
        return replace(self.mine, id=None, version=0)
