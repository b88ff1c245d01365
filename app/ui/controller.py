"""The GUI's one door to the data: owns the Casebook and the selection, does every write, can undo it.

Every save and delete goes through a method here: the store notes what it wrote (an ``Edit`` per
record, before and after), the controller makes that one ``Change`` (``domain.changes``), puts it on
the undo stack as one generic command and announces it on ``changed``. The selected patient's records
are read once per selection or change (``PatientBundle``, one transaction) and handed to every view on
``patient_loaded``; the settings are read once and kept until a settings change or another database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..domain.analysis import AnalysisSettings
from ..domain.changes import Change, Edit, Kind
from ..domain.numbers import plural
from ..domain.photo_dates import patient_time
from ..domain.records import (
    AdverseEvent,
    Assessment,
    AuditEntry,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    Photo,
    PhotoComparison,
    SeriesSettings,
)
from ..domain.validation import ValidationError
from ..services.analysis_settings import load_settings
from ..store.casebook import Casebook, PatientBundle
from ..store.database import StorageError, read_only_message
from ..store.imaging import PhotoRejected, PreparedImage
from ..store.watch import Key, own_keys

if TYPE_CHECKING:
    from ..services.photos import ImportResult, PhotoDefaults

__all__ = ["Change", "Controller", "Kind", "PatientBundle", "describe"]

Record = MedicationCourse | Assessment | AdverseEvent
T = TypeVar("T")

FOLLOW_MS = 2000  # how often the window looks for what other windows or users wrote
RECORD_KINDS = (Kind.PATIENT, Kind.COURSE, Kind.ASSESSMENT, Kind.EVENT, Kind.PHOTO, Kind.COMPARISON)


def describe(record: Record) -> str:
    """A short name for a record in messages: "Assessment of 2022-03-14"."""
    if isinstance(record, Assessment):
        return f"Assessment of {record.assessed_on}"
    if isinstance(record, MedicationCourse):
        return f"{record.drug} course from {record.start}"
    return f"Adverse event “{record.term}” of {record.onset}"


class _Command(QUndoCommand):
    """The one undo step of every command: undo writes each record back as it was (or deletes what
    the command created), redo writes it as the command left it."""

    def __init__(self, controller: Controller, text: str, change: Change):
        super().__init__(text)
        self.controller, self.change, self._first = controller, change, True

    def redo(self) -> None:
        if self._first:  # the write happened before the command was pushed
            self._first = False
            return
        self.controller._replay(self.change, f"Redone: {self.text()}")

    def undo(self) -> None:
        self.controller._replay(self.change.inverse(), f"Undone: {self.text()}")


class Controller(QObject):
    """Signals: ``changed(Change)``, ``patient_selected(int | None)``, ``patient_loaded(PatientBundle |
    None)`` (the selected patient's records, read anew), ``message(str)``, ``failed(str)``."""

    changed = Signal(object)
    patient_selected = Signal(object)
    patient_loaded = Signal(object)
    message = Signal(str)
    failed = Signal(str)
    closing = Signal()  # the series is about to be closed: work in the thread pool lets go of it first

    def __init__(self, book: Casebook, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.undo_stack = QUndoStack(self)
        self.patient_id: int | None = None
        self.bundle: PatientBundle | None = None  # the selected patient's records, as last read
        self._kept: dict[str, Any] = {}  # settings and facts read once, until a change makes them stale
        self._mark, self._own = book.change_mark(), set[Key]()  # others' writes come after the mark
        self.follower = QTimer(self)  # looks for what other windows or users wrote; stopped on close
        self.follower.timeout.connect(self.follow_others)
        self.follower.start(FOLLOW_MS)

    # ------------------------------------------------------------ reads kept between changes
    def _keep(self, name: str, read: Callable[[], T]) -> T:
        if name not in self._kept:
            self._kept[name] = read()
        return self._kept[name]  # type: ignore[no-any-return]

    def settings(self) -> SeriesSettings:
        """The series settings (name, cut-off, index drug), read once until they change."""
        return self._keep("series", self.book.settings)

    def analysis_settings(self) -> AnalysisSettings:
        """The stored analysis settings (severity bands, change rule…), read once until they change."""
        return self._keep("analysis", lambda: load_settings(self.book))

    def has_patients(self) -> bool:
        return self._keep("has_patients", lambda: not self.book.is_empty())

    def records_of(self, patient_id: int) -> PatientRecord:
        """A patient's records: the selected patient's as last read (no read), any other's read now."""
        if self.bundle is not None and self.bundle.record.patient.id == patient_id:
            return self.bundle.record
        return self.book.patient_record(patient_id)

    def history(self, patient_id: int) -> list[AuditEntry]:
        """Every change to a patient's records from the audit trail, newest first (read now, one statement)."""
        return self.book.history(patient_id)

    def _forget(self, change: Change) -> None:
        if change.settings:
            self._kept.pop("series", None)
            self._kept.pop("analysis", None)
        if change.touches(Kind.PATIENT):
            self._kept.pop("has_patients", None)

    # ------------------------------------------------------------ database and selection
    def open_database(self, location: Path | str) -> None:
        """Switch to another series: a file, or a server URL (the undo history belongs to the old one)."""
        book = Casebook.connect(location) if isinstance(location, str) else Casebook.open(location)
        self.closing.emit()
        self.book.close()
        self.book = book
        self._mark, self._own = book.change_mark(), set()
        self.undo_stack.clear()
        self.select_patient(None)
        self._announce(Change.everything())
        self.message.emit(f"Opened {book.location}")  # never the URL given: it may carry a password

    def select_patient(self, patient_id: int | None) -> None:
        if patient_id != self.patient_id:
            self.patient_id = patient_id
            self.patient_selected.emit(patient_id)
            self._load()

    def _load(self) -> None:
        """Read the selected patient's records once, for every view (a patient deleted meanwhile: none)."""
        try:
            self.bundle = self.book.patient_bundle(self.patient_id) if self.patient_id is not None else None
        except ValidationError:
            self.bundle, self.patient_id = None, None
            self.patient_selected.emit(None)
        self.patient_loaded.emit(self.bundle)

    def _announce(self, change: Change) -> None:
        """Tell every view what changed; the selected patient's records are read again if they did."""
        self._forget(change)
        self.changed.emit(change)
        if change.touches(Kind.ALL) or (
            self.patient_id in change.patient_ids and change.touches(*RECORD_KINDS)
        ):
            self._load()
        elif change.settings and self.bundle is not None:  # the same records, shown by other settings
            self.patient_loaded.emit(self.bundle)

    def close(self) -> None:
        self.follower.stop()
        self.closing.emit()
        self.book.close()

    # ------------------------------------------------------------ other writers
    def follow_others(self) -> bool:
        """What other windows or users wrote since the last look (the timer's tick): caches dropped, the
        views told, a quiet status message. Open forms keep what is typed in them. True: something changed."""
        try:
            written = self.book.written_since(self._mark, self._own)
        except StorageError:
            return False  # the series cannot be read now (a server away): look again at the next tick
        self._own.clear()
        if written is None:
            return False
        self._mark = written.mark
        if not written.change.kinds:
            return False  # only this window's own writes
        self._kept.clear()
        self._announce(written.change)
        self.message.emit(written.text)
        return True

    @property
    def read_only(self) -> str:
        """Why the open series cannot be written ("": it can); the store then refuses every write."""
        return self.book.read_only

    def _refused(self) -> bool:
        """For a write that no form asked for: on a read-only series, say why in ``failed`` and do nothing."""
        if self.read_only:
            self.failed.emit(read_only_message(self.read_only))
        return bool(self.read_only)

    # ------------------------------------------------------------ plumbing
    def _run(self, text: str | Callable[[T], str], command: Callable[[], T]) -> T:
        """Do ``command``: what it stored becomes one undo step and one ``changed``."""
        with self.book.recording() as edits:
            try:
                result = command()
            except Exception:
                self._push("Changes made before an error", edits)  # committed parts stay undoable
                raise
        name = text if isinstance(text, str) else text(result)
        self._push(name, edits)
        self.message.emit(name)
        return result

    def run_batch(self, text: str, command: Callable[[], T]) -> T:
        """A write of many records done by a service (an import): one undo step and one ``changed``."""
        return self._run(text, command)

    def _push(self, text: str, edits: list[Edit]) -> None:
        if edits:
            change = Change.of(edits)
            self._own |= own_keys(edits)
            self.undo_stack.push(_Command(self, text, change))
            self._announce(change)

    def _replay(self, change: Change, text: str) -> None:
        try:
            self.book.apply(change.edits)
            self._own |= own_keys(change.edits)
        except (ValidationError, StorageError) as exc:
            self.failed.emit(f"{text} failed: {exc}")
            return
        self._announce(change)
        self.message.emit(text)

    # ------------------------------------------------------------ settings
    def save_settings(self, settings: SeriesSettings) -> SeriesSettings:
        return self._run("Series settings saved", lambda: self.book.save_settings(settings))

    def save_preference(self, key: str, value: Any, text: str) -> None:
        if not self._refused():
            self._run(text, lambda: self.book.save_preference(key, value))

    # ------------------------------------------------------------ patients
    def save_patient(
        self, patient: Patient, identifiers: Identifiers | None, *, leave_demo: bool = False
    ) -> Patient:
        """Add or update a patient; ``leave_demo`` also drops the synthetic-demo label in the same
        transaction and undo step (a patient typed into the demo may be real)."""
        series = self.settings()

        def save() -> Patient:
            with self.book.batch():
                saved = self.book.save_patient(patient, identifiers)
                if leave_demo and series.is_demo:
                    self.book.save_settings(replace(series, is_demo=False))
            return saved

        verb = "updated" if patient.id is not None else "added"
        saved = self._run(f"Patient {patient.study_id.strip()} {verb}", save)
        if patient.id is None:
            self.select_patient(saved.id)
        return saved

    def delete_patient(self, patient_id: int, seen: Patient | None = None) -> PatientRecord | None:
        """Delete a patient (``seen``: as the user saw them; ``RecordConflict`` if changed since)."""
        if self._refused():
            return None
        deleted = self._run(
            lambda r: f"Patient {r.patient.study_id} deleted",
            lambda: self.book.delete_patient(patient_id, seen),
        )
        if self.patient_id == patient_id:
            self.select_patient(None)
        return deleted

    # ------------------------------------------------------------ courses, assessments, adverse events
    def save_record(self, record: Record) -> Record:
        verb = "updated" if record.id is not None else "saved"
        return self._run(lambda saved: f"{describe(saved)} {verb}", lambda: self.book.save(record))

    def delete_record(self, kind: type[Record], record_id: int, seen: Record | None = None) -> Record | None:
        """Delete a record (``seen``: as the user saw it; ``RecordConflict`` if changed since)."""
        if self._refused():
            return None
        return self._run(
            lambda removed: f"{describe(removed)} deleted", lambda: self.book.delete(kind, record_id, seen)
        )

    # ------------------------------------------------------------ photos
    def store_photos(
        self,
        patient_id: int,
        prepared: list[tuple[Path, PreparedImage | PhotoRejected]],
        defaults: PhotoDefaults,
    ) -> list[ImportResult]:
        """Store files a worker has cleaned; one undo step removes every photo this batch stored."""
        when = patient_time(self.records_of(patient_id), self.book.today())

        from ..services import photos  # (Pillow loads with the first photo, not with the window)

        def store() -> list[ImportResult]:
            return [
                photos.store_prepared(self.book, patient_id, path, item, defaults, when)
                for path, item in prepared
            ]

        def text(results: list[ImportResult]) -> str:
            return f"{plural(sum(r.outcome is photos.Outcome.STORED for r in results), 'photo')} added"

        return self._run(text, store)

    def save_photo(self, photo: Photo, text: str = "Photo details saved") -> Photo:
        return self._run(text, lambda: self.book.save_photo(photo))

    def delete_photos(self, photo_ids: Sequence[int]) -> None:
        """Delete photos (and their annotations) in one transaction; one undo step brings them all back."""
        if self._refused():
            return

        def delete() -> list[Photo]:
            with self.book.batch():
                return [self.book.delete_photo(photo_id)[0] for photo_id in photo_ids]

        def text(deleted: list[Photo]) -> str:
            many = f"{plural(len(deleted), 'photo')} deleted"
            return f"Photo {deleted[0].label} deleted" if len(deleted) == 1 else many

        self._run(text, delete)

    def save_comparison(self, comparison: PhotoComparison) -> PhotoComparison | None:
        if self._refused():
            return None
        return self._run(
            lambda saved: f"Comparison “{saved.name}” saved", lambda: self.book.save_comparison(comparison)
        )

    # ------------------------------------------------------------ demo
    def load_demo(self) -> None:
        """Write the synthetic demo into this (empty) database. Not undoable: it is a new series."""
        from ..services.demo import write_demo

        write_demo(self.book)
        self._mark, self._own = self.book.change_mark(), set()  # (nobody else writes into a new series)
        self.undo_stack.clear()
        self._announce(Change.everything())
        self.message.emit("Synthetic demo case series loaded: 10 invented patients")
