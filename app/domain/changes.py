"""What a write changed: typed kinds, the patients concerned, and each record before and after."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .records import (
    AdverseEvent,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    Photo,
    PhotoComparison,
)


class Kind(StrEnum):
    """What a change may concern; ``ALL`` is a whole series read anew (opened, demo written)."""

    PATIENT = "patient"
    COURSE = "course"
    ASSESSMENT = "assessment"
    EVENT = "event"
    PHOTO = "photo"
    COMPARISON = "comparison"
    SETTINGS = "settings"
    ALL = "all"


@dataclass(frozen=True)
class StoredSetting:
    """One row of the settings table: its key and its value as the JSON text stored."""

    key: str
    text: str


@dataclass(frozen=True)
class PhotoFile:
    """A photo with its stored pixels: what re-creating a deleted photo needs."""

    photo: Photo
    image: bytes = field(repr=False)
    thumbnail: bytes = field(repr=False)


Stored = (
    Patient
    | Identifiers
    | MedicationCourse
    | Assessment
    | AdverseEvent
    | Photo
    | PhotoFile
    | PhotoComparison
    | StoredSetting
)

_KIND_OF: dict[type, Kind] = {
    Patient: Kind.PATIENT,
    Identifiers: Kind.PATIENT,
    MedicationCourse: Kind.COURSE,
    Assessment: Kind.ASSESSMENT,
    AdverseEvent: Kind.EVENT,
    Photo: Kind.PHOTO,
    PhotoFile: Kind.PHOTO,
    PhotoComparison: Kind.COMPARISON,
    StoredSetting: Kind.SETTINGS,
}


def patient_of(record: Stored) -> int | None:
    """The patient a stored record belongs to (None for a setting)."""
    if isinstance(record, Patient):
        return record.id
    if isinstance(record, PhotoFile):
        return record.photo.patient_id
    if isinstance(record, StoredSetting):
        return None
    return record.patient_id


@dataclass(frozen=True)
class Edit:
    """One record as it was and as it is now; None: it did not exist, or no longer does."""

    before: Stored | None
    after: Stored | None

    @property
    def record(self) -> Stored:
        found = self.after if self.after is not None else self.before
        assert found is not None, "an edit has a record on at least one side"
        return found

    @property
    def kind(self) -> Kind:
        return _KIND_OF[type(self.record)]

    def inverse(self) -> Edit:
        return Edit(self.after, self.before)


@dataclass(frozen=True)
class Change:
    """What one command (or its undo) changed, as Anki's ``OpChanges``: views filter with ``touches``."""

    kinds: frozenset[Kind]
    patient_ids: frozenset[int] = frozenset()
    edits: tuple[Edit, ...] = ()

    @classmethod
    def of(cls, edits: Iterable[Edit]) -> Change:
        """The change made by ``edits``, in the order they were written."""
        done = tuple(edits)
        patients = (patient_of(e.record) for e in done)
        return cls(frozenset(e.kind for e in done), frozenset(p for p in patients if p is not None), done)

    @classmethod
    def everything(cls) -> Change:
        """Anything may have changed: another series was opened, or a whole series written."""
        return cls(frozenset({Kind.ALL}))

    @property
    def settings(self) -> bool:
        """Whether the series or analysis settings (or everything) changed."""
        return self.touches(Kind.SETTINGS)

    @property
    def before(self) -> tuple[Stored | None, ...]:
        return tuple(e.before for e in self.edits)

    @property
    def after(self) -> tuple[Stored | None, ...]:
        return tuple(e.after for e in self.edits)

    def touches(self, *kinds: Kind) -> bool:
        """Whether this change concerns any of ``kinds`` (a change of everything concerns each)."""
        return Kind.ALL in self.kinds or not self.kinds.isdisjoint(kinds)

    def concerns(self, patient_id: int | None, *kinds: Kind) -> bool:
        """Whether this change alters what is shown of ``patient_id`` (their records of ``kinds``, any
        if none are named): any change of everything or of the settings does."""
        if self.touches(Kind.SETTINGS):
            return True
        mine = patient_id is not None and patient_id in self.patient_ids
        return mine and (not kinds or self.touches(*kinds))

    def inverse(self) -> Change:
        """The change that undoes this one: every edit turned round, the last first."""
        return Change(self.kinds, self.patient_ids, tuple(e.inverse() for e in reversed(self.edits)))
