"""Adding many new records in one command (a registry built, a file imported): ``add_many``.

Each record is validated as ``save`` validates it; each table's rows go in with one executemany; every record
gets the audit row and journal edit saving it on its own would give it, in the same order, so the audit trail,
undo, redo and the window's change notices cannot tell the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Column, ColumnDefault, Table, func, insert, select
from sqlalchemy.orm import Session

from ..domain.changes import Edit
from ..domain.records import AdverseEvent, Assessment, Identifiers, MedicationCourse, Patient, PatientRecord
from ..domain.validation import Problem, ValidationError, validate_identifiers, validate_patient
from . import audit, conflicts, mapping
from .bulk_reads import collector_paused
from .kinds import KINDS
from .record_commands import RecordCommands, study_id_used
from .tables import AntibodyRow, AuditRow, IdentifierRow, PatientRow, ProvenanceRow
from .transactions import _SOURCE

NewRecord = PatientRecord | MedicationCourse | Assessment | AdverseEvent
_OWNED = ("courses", "assessments", "adverse_events")  # a new patient's records, written in this order
_CHUNK = 500  # records planned and inserted at a time: what is held besides the records stays small


class RecordRefused(ValidationError):
    """One of many new records broke a rule, and nothing was written: ``index`` (from 0) says which, ``where``
    names it, ``problems`` say what is wrong in the words ``save`` uses."""

    def __init__(self, index: int, where: str, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.index, self.where = index, where
        self.args = (f"{where}: {self.args[0]}",)


@dataclass(slots=True)
class _Part:
    """One record to insert: its row (the values ``mapping`` fills), how it becomes a record, its audit name;
    a patient's part also holds the parts that take the patient's new id."""

    entity: str
    row: SimpleNamespace
    to_record: Callable[[Any], Any]
    source: str
    children: list[_Part] = field(default_factory=list)
    stored: Any = None


@dataclass
class _Plan:
    """Every new record's parts (``groups``, one per record given), and the parts of each table."""

    groups: list[list[_Part]] = field(default_factory=list)
    patients: list[_Part] = field(default_factory=list)
    identifiers: list[_Part] = field(default_factory=list)
    owned: dict[type, list[_Part]] = field(default_factory=lambda: {kind: [] for kind in KINDS})

    @property
    def in_order(self) -> list[_Part]:
        """Every part in the order saving the records one by one would write them."""
        return [part for group in self.groups for part in group]


class BulkCommands(RecordCommands):
    """``add_many``: new patients (with what they own) and new records of stored patients, in one go."""

    def add_many(self, records: Sequence[NewRecord], *, sources: Sequence[str] = ()) -> list[NewRecord]:
        """Store new records in one transaction, as fast as plain executemany allows, and return them stored
        (with their ids and version), in the order given.

        A ``PatientRecord`` is a new patient with their identifying fields, courses, assessments and adverse
        events (their ``patient_id`` 0: the new patient's id is filled in); a course, assessment or adverse
        event alone belongs to a stored patient. ``sources`` names where each record came from (an imported
        file and row; default: the batch's ``source``). Everything is validated as ``save`` and
        ``save_patient`` validate it, before anything is written: ``RecordRefused`` names the first record
        refused. The audit trail and the journal get what saving each record on its own would give them.
        """
        if sources and len(sources) != len(records):
            raise ValueError(f"{len(sources)} sources for {len(records)} records: give one per record")
        if not records:
            return []
        with collector_paused():
            return self._add_checked(records, sources)

    def _add_checked(self, records: Sequence[NewRecord], sources: Sequence[str]) -> list[NewRecord]:
        today = self.today()
        for index, record in enumerate(records):
            _check_new(index, record, today)
        with self._write() as session:
            session.flush()  # what this batch wrote before, ahead of the inserts
            self._check_study_ids(session, records)
            self._check_patients_stored(session, records)
            outer = session.info.get(_SOURCE) or ""
            given = [source or outer for source in sources or [""] * len(records)]
            stored: list[NewRecord] = []
            for start in range(0, len(records), _CHUNK):
                part = slice(start, start + _CHUNK)
                stored += self._add(session, records[part], given[part])
        return stored

    def _add(self, session: Session, records: Sequence[NewRecord], sources: list[str]) -> list[NewRecord]:
        """Insert checked records, table by table, with their audit rows and edits; return them stored."""
        plan = _plan(records, sources)
        self._insert_patients(session, plan)
        for kind, parts in plan.owned.items():
            _insert(session, KINDS[kind].row, parts, [vars(part.row) for part in parts])
        self._audit_and_note(session, plan.in_order)
        return [_stored(record, group) for record, group in zip(records, plan.groups, strict=True)]

    def _check_study_ids(self, session: Session, records: Sequence[NewRecord]) -> None:
        """Refuse a new patient whose study ID is stored or given to a patient before it, as ``save_patient``
        does (study IDs differing only in case are the same)."""
        taken = set(session.scalars(select(func.lower(PatientRow.study_id))))
        for index, record in enumerate(records):
            if isinstance(record, PatientRecord):
                study_id = record.patient.study_id.strip().lower()
                if study_id in taken:
                    raise RecordRefused(index, _where(index, record), [study_id_used(record.patient)])
                taken.add(study_id)

    def _check_patients_stored(self, session: Session, records: Sequence[NewRecord]) -> None:
        """Refuse a record of a patient who is not stored (deleted meanwhile), as ``save`` does."""
        stored: set[int] | None = None
        for index, record in enumerate(records):
            if isinstance(record, PatientRecord):
                continue
            stored = set(session.scalars(select(PatientRow.id))) if stored is None else stored
            if record.patient_id not in stored:
                try:
                    self._patient_row(session, record.patient_id)  # raises save's refusal
                except ValidationError as exc:
                    raise RecordRefused(index, _where(index, record), exc.problems) from exc

    def _insert_patients(self, session: Session, plan: _Plan) -> None:
        """The patients, then their antibodies, provenance and identifying fields (keyed by the new ids)."""
        skipped = ("antibodies", "provenance")
        rows = [{k: v for k, v in vars(p.row).items() if k not in skipped} for p in plan.patients]
        _insert(session, PatientRow, plan.patients, rows)
        children: dict[type, list[dict[str, Any]]] = {AntibodyRow: [], ProvenanceRow: []}
        for part in plan.patients:
            for antibody in part.row.antibodies:
                children[AntibodyRow].append(_columns(antibody, AntibodyRow, part.row.id))
            if part.row.provenance is not None:
                children[ProvenanceRow].append(_columns(part.row.provenance, ProvenanceRow, part.row.id))
        children[IdentifierRow] = [vars(part.row) for part in plan.identifiers]
        for row_type, values in children.items():
            if values:
                _executemany(session, _table(row_type), values)

    def _audit_and_note(self, session: Session, parts: list[_Part]) -> None:
        """Each record's audit row (and its source's) and journal edit, as ``_changed`` gives a saved one."""
        rows: list[dict[str, Any]] = []
        for part in parts:
            part.stored = new = part.to_record(part.row)
            record_id, patient_id = _audit_keys(new)
            if (created := audit.created_row(part.entity, record_id, patient_id, new)) is not None:
                rows.append(created)
            self._note(session, Edit(None, new))
            if part.source:
                rows.append(audit.source_row(part.entity, record_id, patient_id, part.source))
        if rows:
            _executemany(session, _table(AuditRow), rows)


def _table(row_type: type) -> Table:
    return row_type.__table__  # type: ignore[attr-defined, no-any-return]


def _insert(session: Session, row_type: type, parts: list[_Part], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (one per part) into ``row_type``'s table in one executemany; give each part its new id,
    and the parts its patient owns their ``patient_id``."""
    if not rows:
        return
    table = _table(row_type)
    if session.get_bind().dialect.name == "sqlite":
        # SQLAlchemy cannot batch an ordered RETURNING on SQLite (it would insert row by row), but one
        # executemany inserts its rows in order and AUTOINCREMENT ids only grow, and this transaction holds
        # the write lock: the new ids are those above the highest before, in the order of ``rows``
        highest = session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
        _executemany(session, table, rows)
        ids = session.scalars(select(table.c.id).where(table.c.id > highest).order_by(table.c.id))
    else:  # PostgreSQL: one INSERT … RETURNING per batch of rows, the ids sorted to the rows' order
        ids = session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    for part, new_id in zip(parts, ids, strict=True):
        part.row.id = new_id
        for child in part.children:
            child.row.patient_id = new_id


def _executemany(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) with one executemany. On SQLite straight to the driver, each
    value converted by its column type's own bind processor and missing columns given their Python default,
    as Core would: Core's bookkeeping of each row costs more than SQLite's insert of it."""
    connection = session.connection()
    keys = list(rows[0])
    missing = [c for c in table.c if c.key not in keys and c.default is not None]
    defaults = [d for c in missing if (d := _python_default(c)) is not None]
    if connection.dialect.name != "sqlite" or len(defaults) < len(missing):
        connection.execute(insert(table), rows)
        return
    columns = [table.c[key] for key in keys] + missing
    read = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    # the values column by column: the given ones, then the defaults (made row by row, as Core makes them)
    values: list[Sequence[Any]] = [*zip(*map(read, rows), strict=True)]
    made = [make() for _ in rows for make in defaults]
    values += (made[i :: len(defaults)] for i in range(len(defaults)))
    for i, column in enumerate(columns):
        if process := column.type.bind_processor(connection.dialect):
            none = process(None)  # most values are None
            values[i] = [none if value is None else process(value) for value in values[i]]
    quote = connection.dialect.identifier_preparer
    names = ", ".join(quote.format_column(c) for c in columns)
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(
        f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks})", list(zip(*values, strict=True))
    )


def _python_default(column: Column[Any]) -> Callable[[], Any] | None:
    """What makes ``column``'s value when a row leaves it out (None: not a plain Python default)."""
    default = column.default
    if isinstance(default, ColumnDefault) and default.is_callable:
        return lambda: default.arg(None)
    if isinstance(default, ColumnDefault) and default.is_scalar:
        return lambda: default.arg
    return None


def _columns(row: Any, row_type: type, patient_id: int) -> dict[str, Any]:
    """A child row's values (an ``AntibodyRow`` or ``ProvenanceRow`` ``mapping`` filled) for a Core insert."""
    found = {c.key: getattr(row, c.key) for c in _table(row_type).c if c.key not in ("id", "patient_id")}
    return found | {"patient_id": patient_id}


def _audit_keys(record: Any) -> tuple[int, int]:
    """(record id, patient id) of a stored record, as the audit trail keys it."""
    if isinstance(record, Patient):
        return record.id or 0, record.id or 0
    if isinstance(record, Identifiers):
        return record.patient_id, record.patient_id
    return record.id, record.patient_id


def _plan(records: Sequence[NewRecord], sources: Sequence[str]) -> _Plan:
    """Fill a row for every part of every record, in the order saving them one by one would."""
    plan = _Plan()
    for record, source in zip(records, sources, strict=True):
        if isinstance(record, PatientRecord):
            plan.groups.append(_plan_patient(plan, record, source))
        else:
            part = _owned_part(record, source)
            plan.owned[type(record)].append(part)
            plan.groups.append([part])
    return plan


def _plan_patient(plan: _Plan, record: PatientRecord, source: str) -> list[_Part]:
    row = SimpleNamespace(antibodies=[], provenance=None)
    mapping.fill_patient_row(row, record.patient)  # type: ignore[arg-type]
    conflicts.stamp(row, None, None, record.patient)
    patient = _Part("patient", row, mapping.patient_record, source)
    plan.patients.append(patient)
    if record.identifiers is not None:
        identifiers = SimpleNamespace(patient_id=0)
        mapping.fill_identifier_row(identifiers, record.identifiers)  # type: ignore[arg-type]
        patient.children.append(_Part("identifiers", identifiers, mapping.identifiers_record, source))
        plan.identifiers.append(patient.children[-1])
    for name in _OWNED:
        for item in getattr(record, name):
            patient.children.append(_owned_part(item, source))
            plan.owned[type(item)].append(patient.children[-1])
    return [patient, *patient.children]


def _owned_part(record: MedicationCourse | Assessment | AdverseEvent, source: str) -> _Part:
    kind = KINDS[type(record)]
    row = SimpleNamespace(**KINDS[type(record)].values(record))
    conflicts.stamp(row, None, None, record)
    return _Part(kind.entity, row, kind.to_record, source)


def _stored(record: NewRecord, parts: list[_Part]) -> NewRecord:
    """``record`` as stored, from its parts."""
    if not isinstance(record, PatientRecord):
        return parts[0].stored  # type: ignore[no-any-return]
    found = iter(part.stored for part in parts)
    patient = next(found)
    identifiers = next(found) if record.identifiers is not None else None
    courses, assessments, events = (tuple(next(found) for _ in getattr(record, name)) for name in _OWNED)
    return PatientRecord(patient, identifiers, courses, assessments, events)


def _check_new(index: int, record: NewRecord, today: date) -> None:
    """Refuse (``RecordRefused``) a record ``save`` would refuse, or one that is not new."""
    if not isinstance(record, PatientRecord):
        _refuse(index, record, "", _not_new(record) or KINDS[type(record)].validate(record, today))
        return
    if record.photos or record.comparisons:
        photos = Problem("photos", "Photos are added one by one (add_photo), not with add_many.")
        _refuse(index, record, "", [photos])
    problems = _not_new(record.patient) or validate_patient(record.patient, today)
    if record.identifiers is not None:
        problems += _not_theirs(record.identifiers) or validate_identifiers(record.identifiers, today)
    _refuse(index, record, "", problems)
    for name in _OWNED:
        for number, item in enumerate(getattr(record, name), start=1):
            kind = KINDS[type(item)]
            if problems := _not_new(item) or _not_theirs(item) or kind.validate(item, today):
                _refuse(index, record, f"{kind.entity.replace('_', ' ')} {number}", problems)


def _refuse(index: int, record: NewRecord, part: str, problems: list[Problem]) -> None:
    """Refuse the record when its ``part`` ("assessment 2"; "": the record itself) has ``problems``."""
    if problems:
        raise RecordRefused(index, _where(index, record, part), problems)


def _not_new(record: Any) -> list[Problem]:
    if record.id is None:
        return []
    return [
        Problem(
            "id",
            f"It is stored already (id {record.id}): only new records are added here; save a change to it.",
        )
    ]


def _not_theirs(record: Any) -> list[Problem]:
    """A new patient's own records are given patient_id 0: the id the patient gets is filled in."""
    if record.patient_id == 0:
        return []
    return [Problem("patient_id", "A new patient's records have patient_id 0 (their id is not known yet).")]


def _where(index: int, record: NewRecord, part: str = "") -> str:
    """Which record (and which part of it) a message is about: "Record 3 (patient MYO-03, assessment 2)"."""
    if isinstance(record, PatientRecord):
        what = f"patient {record.patient.study_id.strip() or '(no study ID)'}"
    else:
        what = f"{KINDS[type(record)].entity.replace('_', ' ')} of patient {record.patient_id}"
    return f"Record {index + 1} ({what}{', ' + part if part else ''})"
