"""Transactions of the storage facade, and the journal of what each committed command changed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..domain.changes import Edit, Stored
from ..domain.validation import Problem, ValidationError
from . import audit, locks
from .database import ReadOnlyError, StorageError, read_only_message
from .tables import PatientRow

_EDITS = "edits"  # Session.info key: the edits written in this transaction, journaled when it commits
_SOURCE = "source"  # Session.info key: where the records now being written came from (``batch(source=…)``)


class Transactions:
    """The base of the facade: one Session per read or write, ``batch()`` to join writes, and
    ``recording()`` to learn what the commands inside a block changed (for undo and for views)."""

    lock_wait = locks.LOCK_WAIT_S  # seconds a write waits for another writer to finish (locks.py)

    def __init__(self, engine: Engine, path: Path | None = None, today: Callable[[], date] = date.today):
        self.engine = engine
        self.path = path
        self.today = today
        self.backup: Path | None = None
        self.read_only = ""  # why the series cannot be written ("": it can); every write is then refused
        self.network = ""  # the network share's file-system type, if the file is on one
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._batch: Session | None = None
        self._journal: list[Edit] | None = None

    @contextmanager
    def _read(self) -> Iterator[Session]:
        if self._batch is not None:  # inside a batch, read what the batch has written so far
            yield self._batch
            return
        with self._sessions() as session:
            yield session

    @contextmanager
    def batch(self, source: str = "") -> Iterator[None]:
        """Make every command inside the block one transaction: all of it is stored, or none. ``source``
        names where the records written inside came from (an imported file and row): each record created or
        changed gets an audit row saying so (action "import", field "source")."""
        if self._batch is not None:
            with _sourced(self._batch, source):
                yield
            return
        with self._write() as session:
            self._batch = session
            try:
                with _sourced(session, source):
                    yield
            finally:
                self._batch = None

    @contextmanager
    def _write(self) -> Iterator[Session]:
        if self._batch is not None:
            yield self._batch
            return
        if self.read_only:
            raise ReadOnlyError(read_only_message(self.read_only))
        try:
            with self._sessions(bind=locks.writer(self.engine, self.lock_wait)) as session, session.begin():
                locks.begin_write(session, self.lock_wait)
                edits: list[Edit] = session.info.setdefault(_EDITS, [])
                yield session
        except OperationalError as exc:
            if locks.is_lock_wait(exc):
                raise locks.busy_error(self.engine, self.lock_wait) from exc
            raise StorageError(f"Could not save to {self.path or 'the database'}: {exc.orig}") from exc
        if self._journal is not None:  # committed: now it has happened
            self._journal.extend(edits)

    @contextmanager
    def recording(self) -> Iterator[list[Edit]]:
        """The edits of every transaction committed inside the block, in the order they were written
        (a transaction that fails adds none)."""
        outer, journal = self._journal, list[Edit]()
        self._journal = journal
        try:
            yield journal
        finally:
            self._journal = outer
            if outer is not None:
                outer.extend(journal)

    @staticmethod
    def _changed(
        session: Session,
        entity: str,
        record_id: int,
        patient_id: int | None,
        old: Stored | None,
        new: Stored | None,
        edit: Edit | None = None,
    ) -> None:
        """Note a write: its audit rows, and its edit (``edit``, when undo needs more than the audited
        records, such as a photo's pixels) for the journal. Writing a record unchanged notes nothing."""
        audit.record_change(session, entity, record_id, patient_id, old, new)
        if edit is not None or old != new:
            Transactions._note(session, edit or Edit(old, new))
        source = session.info.get(_SOURCE)
        if source and old != new:
            audit.write_rows(session, [audit.source_row(entity, record_id, patient_id, source)])

    @staticmethod
    def _note(session: Session, edit: Edit) -> None:
        """Journal ``edit`` once its transaction commits."""
        session.info.setdefault(_EDITS, []).append(edit)

    @staticmethod
    def _patient_row(session: Session, patient_id: int) -> PatientRow:
        row = session.get(PatientRow, patient_id)
        if row is None:
            raise ValidationError([Problem("patient_id", f"Patient {patient_id} no longer exists.")])
        return row


@contextmanager
def _sourced(session: Session, source: str) -> Iterator[None]:
    """Name ``source`` as the origin of what is written in ``session`` inside the block (nothing: as before)."""
    if not source:
        yield
        return
    outer = session.info.get(_SOURCE)
    session.info[_SOURCE] = source
    try:
        yield
    finally:
        session.info[_SOURCE] = outer
