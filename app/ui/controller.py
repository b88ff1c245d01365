"""The GUI's one door to the data: owns the Casebook and the selection, does every write, can undo it.

Views read through ``controller.book`` (queries return frozen records) and never write; every
save and delete goes through a method here, lands on the undo stack and ends in one
``changed`` signal that says what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..domain.numbers import plural
from ..domain.records import (
    AdverseEvent,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    Photo,
    PhotoComparison,
    SeriesSettings,
)
from ..domain.validation import ValidationError
from ..services import photos
from ..services.demo import write_demo
from ..services.photos import ImportResult, PhotoDefaults
from ..store.casebook import Casebook
from ..store.database import StorageError
from ..store.imaging import PhotoRejected, PreparedImage

Record = MedicationCourse | Assessment | AdverseEvent

ENTITY_NAMES: dict[type, str] = {
    MedicationCourse: "medication course",
    Assessment: "assessment",
    AdverseEvent: "adverse event",
}


@dataclass(frozen=True)
class Change:
    """What a write changed: entity ("patient", "assessment", "settings", "all"…), action, whose."""

    entity: str
    action: str
    patient_id: int | None = None
    record_id: int | None = None

    def concerns(self, patient_id: int | None) -> bool:
        return self.entity in ("all", "settings") or self.patient_id is None or self.patient_id == patient_id


def describe(record: Record) -> str:
    """A short name for a record in messages: "Assessment of 2022-03-14"."""
    if isinstance(record, Assessment):
        return f"Assessment of {record.assessed_on}"
    if isinstance(record, MedicationCourse):
        return f"{record.drug} course from {record.start}"
    return f"Adverse event “{record.term}” of {record.onset}"


class _Command(QUndoCommand):
    """A write already done once; undo and redo replay the two directions."""

    def __init__(
        self, controller: Controller, text: str, undo: Callable[[], Change], redo: Callable[[], Change]
    ):
        super().__init__(text)
        self.controller, self._undo, self._redo, self._first = controller, undo, redo, True

    def redo(self) -> None:
        if self._first:  # the write happened before the command was pushed
            self._first = False
            return
        self.controller._replay(self._redo, f"Redone: {self.text()}")

    def undo(self) -> None:
        self.controller._replay(self._undo, f"Undone: {self.text()}")


class Controller(QObject):
    """Signals: ``changed(Change)``, ``patient_selected(int | None)``, ``message(str)``, ``failed(str)``."""

    changed = Signal(object)
    patient_selected = Signal(object)
    message = Signal(str)
    failed = Signal(str)

    def __init__(self, book: Casebook, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.undo_stack = QUndoStack(self)
        self.patient_id: int | None = None

    # ------------------------------------------------------------ database and selection
    def open_database(self, path: Path) -> None:
        """Switch to another database file (the undo history belongs to the old one)."""
        book = Casebook.open(path)
        self.book.close()
        self.book = book
        self.undo_stack.clear()
        self.select_patient(None)
        self.changed.emit(Change("all", "open"))
        self.message.emit(f"Opened {path}")

    def select_patient(self, patient_id: int | None) -> None:
        if patient_id != self.patient_id:
            self.patient_id = patient_id
            self.patient_selected.emit(patient_id)

    def close(self) -> None:
        self.book.close()

    # ------------------------------------------------------------ plumbing
    def _push(
        self, text: str, change: Change, undo: Callable[[], Change], redo: Callable[[], Change]
    ) -> None:
        self.undo_stack.push(_Command(self, text, undo, redo))
        self.changed.emit(change)
        self.message.emit(text)

    def _replay(self, action: Callable[[], Change], text: str) -> None:
        try:
            change = action()
        except (ValidationError, StorageError) as exc:
            self.failed.emit(f"{text} failed: {exc}")
            return
        self.changed.emit(change)
        self.message.emit(text)

    # ------------------------------------------------------------ settings
    def save_settings(self, settings: SeriesSettings) -> SeriesSettings:
        before = self.book.settings()
        saved = self.book.save_settings(settings)
        change = Change("settings", "update")

        def apply(value: SeriesSettings) -> Callable[[], Change]:
            def run() -> Change:
                self.book.save_settings(value)
                return change

            return run

        self._push("Series settings saved", change, apply(before), apply(saved))
        return saved

    def save_preference(self, key: str, value: Any, text: str) -> None:
        before = self.book.preference(key)
        self.book.save_preference(key, value)
        change = Change("settings", "update")

        def apply(stored: Any) -> Callable[[], Change]:
            def run() -> Change:
                self.book.save_preference(key, stored)
                return change

            return run

        self._push(text, change, apply(before), apply(value))

    # ------------------------------------------------------------ patients
    def save_patient(
        self, patient: Patient, identifiers: Identifiers | None, *, leave_demo: bool = False
    ) -> Patient:
        """Add or update a patient; ``leave_demo`` also drops the synthetic-demo label in the same
        transaction and undo step (a patient typed into the demo may be real)."""
        before = self.book.patient(patient.id) if patient.id is not None else None
        before_ids = self.book.identifiers(patient.id) if patient.id is not None else None
        series = self.book.settings()
        demo = leave_demo and series.is_demo
        with self.book.batch():
            saved = self.book.save_patient(patient, identifiers)
            if demo:
                self.book.save_settings(replace(series, is_demo=False))
        pid = saved.id
        after_ids = self.book.identifiers(pid or 0)
        change = Change("patient", "update" if before else "create", pid, pid)

        def undo() -> Change:
            with self.book.batch():
                if demo:
                    self.book.save_settings(series)
                if before is None:
                    self.book.delete_patient(pid or 0)
                    return Change("patient", "delete", pid, pid)
                self.book.save_patient(before, before_ids or Identifiers(pid or 0))
            return change

        def redo() -> Change:
            with self.book.batch():
                self.book.save_patient(saved, after_ids)
                if demo:
                    self.book.save_settings(replace(series, is_demo=False))
            return change

        verb = "updated" if before else "added"
        self._push(f"Patient {saved.study_id} {verb}", change, undo, redo)
        if before is None:
            self.select_patient(pid)
        return saved

    def delete_patient(self, patient_id: int) -> PatientRecord:
        record = self.book.delete_patient(patient_id)
        change = Change("patient", "delete", patient_id, patient_id)
        if self.patient_id == patient_id:
            self.select_patient(None)

        def undo() -> Change:
            self.book.restore_patient(record)
            return Change("patient", "create", patient_id, patient_id)

        def redo() -> Change:
            self.book.delete_patient(patient_id)
            return change

        self._push(f"Patient {record.patient.study_id} deleted", change, undo, redo)
        return record

    # ------------------------------------------------------------ courses, assessments, adverse events
    def save_record(self, record: Record) -> Record:
        kind = type(record)
        before = next((r for r in self._records(kind, record.patient_id) if r.id == record.id), None)
        saved = self.book.save(record)
        entity = ENTITY_NAMES[kind].replace(" ", "_")
        change = Change(entity, "update" if before else "create", saved.patient_id, saved.id)

        def undo() -> Change:
            if before is None:
                self.book.delete(kind, saved.id or 0)
                return Change(entity, "delete", saved.patient_id, saved.id)
            self.book.save(before)
            return change

        def redo() -> Change:
            self.book.save(saved)
            return change

        self._push(f"{describe(saved)} {'updated' if before else 'saved'}", change, undo, redo)
        return saved

    def delete_record(self, kind: type[Record], record_id: int) -> Record:
        removed = self.book.delete(kind, record_id)
        entity = ENTITY_NAMES[kind].replace(" ", "_")
        change = Change(entity, "delete", removed.patient_id, record_id)

        def undo() -> Change:
            self.book.save(removed)
            return Change(entity, "create", removed.patient_id, record_id)

        def redo() -> Change:
            self.book.delete(kind, record_id)
            return change

        self._push(f"{describe(removed)} deleted", change, undo, redo)
        return removed

    def _records(self, kind: type[Record], patient_id: int) -> list[Any]:
        if kind is MedicationCourse:
            return self.book.courses(patient_id)
        if kind is Assessment:
            return self.book.assessments(patient_id)
        return self.book.adverse_events(patient_id)

    # ------------------------------------------------------------ photos
    def store_photos(
        self,
        patient_id: int,
        prepared: list[tuple[Path, PreparedImage | PhotoRejected]],
        defaults: PhotoDefaults,
    ) -> list[ImportResult]:
        """Store files a worker has cleaned; one undo step removes every photo this batch stored."""
        results = [
            photos.store_prepared(self.book, patient_id, path, item, defaults) for path, item in prepared
        ]
        stored = [r.photo for r in results if r.outcome is photos.Outcome.STORED and r.photo is not None]
        if not stored:
            return results
        kept: list[tuple[Photo, bytes, bytes]] = []
        change = Change("photo", "create", patient_id)

        def undo() -> Change:
            kept[:] = [self.book.delete_photo(p.id or 0) for p in stored]
            return Change("photo", "delete", patient_id)

        def redo() -> Change:
            for photo, image, thumbnail in kept:
                self.book.restore_photo(photo, image, thumbnail)
            return change

        self._push(f"{plural(len(stored), 'photo')} added", change, undo, redo)
        return results

    def save_photo(self, photo: Photo, text: str = "Photo details saved") -> Photo:
        before = self.book.photo(photo.id or 0)
        saved = self.book.save_photo(photo)
        change = Change("photo", "update", saved.patient_id, saved.id)

        def apply(value: Photo) -> Callable[[], Change]:
            def run() -> Change:
                self.book.save_photo(value)
                return change

            return run

        self._push(text, change, apply(before), apply(saved))
        return saved

    def delete_photo(self, photo_id: int) -> None:
        patient_id = self.book.photo(photo_id).patient_id
        shown_in = [c for c in self.book.comparisons(patient_id) if photo_id in c.photo_ids]
        photo, image, thumbnail = self.book.delete_photo(photo_id)
        change = Change("photo", "delete", photo.patient_id, photo_id)

        def undo() -> Change:
            self.book.restore_photo(photo, image, thumbnail)
            for comparison in shown_in:  # put the photo back where it was shown
                self.book.save_comparison(comparison)
            return Change("photo", "create", photo.patient_id, photo_id)

        def redo() -> Change:
            self.book.delete_photo(photo_id)
            return change

        self._push(f"Photo {photo.label} deleted", change, undo, redo)

    def save_comparison(self, comparison: PhotoComparison) -> PhotoComparison:
        saved = self.book.save_comparison(comparison)
        change = Change("photo", "update", saved.patient_id)

        def undo() -> Change:
            self.book.delete_comparison(saved.id or 0)
            return change

        def redo() -> Change:
            self.book.save_comparison(saved)
            return change

        self._push(f"Comparison “{saved.name}” saved", change, undo, redo)
        return saved

    # ------------------------------------------------------------ demo
    def load_demo(self) -> None:
        """Write the synthetic demo into this (empty) database. Not undoable: it is a new series."""
        write_demo(self.book)
        self.undo_stack.clear()
        self.changed.emit(Change("all", "demo"))
        self.message.emit("Synthetic demo case series loaded: 10 invented patients")
