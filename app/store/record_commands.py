"""The commands of the storage facade for settings, patients and their courses, assessments and events.

Every command validates with the domain's rules, writes in a single transaction with its audit rows
(and notes its edits for the journal), and returns the stored record.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.changes import Edit, PhotoFile, StoredSetting
from ..domain.records import (
    AdverseEvent,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    SeriesSettings,
)
from ..domain.validation import (
    Problem,
    ValidationError,
    raise_if,
    validate_identifiers,
    validate_patient,
    validate_settings,
)
from . import audit, conflicts, mapping
from .kinds import KINDS, R
from .photo_commands import PhotoCommands
from .queries import photo_data, read_series
from .tables import IdentifierRow, PatientRow, PhotoRow, SettingRow

SETTING_KEYS = ("name", "cutoff", "index_drug", "is_demo")


def study_id_used(patient: Patient) -> Problem:
    """What refuses a patient whose study ID another patient has."""
    return Problem("study_id", f"Study ID {patient.study_id.strip()} is already used by another patient.")


class RecordCommands(PhotoCommands):
    """Writes of settings, patients (with everything they own) and patient-owned records."""

    # ------------------------------------------------------------ settings
    def save_settings(self, settings: SeriesSettings) -> SeriesSettings:
        raise_if(validate_settings(settings, self.today()))
        values = {
            "name": settings.name.strip(),
            "cutoff": settings.cutoff.isoformat() if settings.cutoff else None,
            "index_drug": settings.index_drug.strip(),
            "is_demo": settings.is_demo,
        }
        with self._write() as session:
            old = read_series(session)
            for key in SETTING_KEYS:
                self._put_setting(session, key, json.dumps(values[key]))
            audit.record_change(session, "settings", 0, None, old, settings)
        return settings

    def save_preference(self, key: str, value: Any) -> None:
        if key in SETTING_KEYS:
            raise ValueError(f"{key} is a series setting: use save_settings")
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        with self._write() as session:
            row = session.get(SettingRow, key)
            old = json.loads(row.value) if row else None
            self._put_setting(session, key, text)
            if old != value:
                old_text = None if old is None else json.dumps(old, ensure_ascii=False, sort_keys=True)
                action = "create" if old is None else "update"
                audit.add_entry(session, action, "settings", 0, None, key, old_text, text)

    def _put_setting(self, session: Session, key: str, text: str) -> None:
        row = session.get(SettingRow, key)
        if row is not None and row.value == text:
            return
        before = StoredSetting(key, row.value) if row is not None else None
        if row is None:
            session.add(SettingRow(key=key, value=text))
        else:
            row.value = text
        self._note(session, Edit(before, StoredSetting(key, text)))

    def _write_setting(self, key: str, text: str | None) -> None:
        """Put back one stored setting exactly (None: remove it), audited: undo and redo do this."""
        with self._write() as session:
            row = session.get(SettingRow, key)
            old = row.value if row is not None else None
            if text is not None:
                self._put_setting(session, key, text)
            elif row is not None:
                session.delete(row)
                self._note(session, Edit(StoredSetting(key, row.value), None))
            if old != text:
                action = "create" if old is None else "delete" if text is None else "update"
                audit.add_entry(session, action, "settings", 0, None, key, old, text)

    # ------------------------------------------------------------ patients
    def _check_study_id_free(self, session: Session, patient: Patient) -> None:
        clash = session.scalar(
            select(PatientRow.id).where(
                func.lower(PatientRow.study_id) == patient.study_id.strip().lower(),
                PatientRow.id != (patient.id or -1),
            )
        )
        if clash is not None:
            raise ValidationError([study_id_used(patient)])

    def save_patient(
        self, patient: Patient, identifiers: Identifiers | None = None, *, recreate: bool = False
    ) -> Patient:
        """Create or update a patient (and, if given, their identifying fields).

        An update must be based on the stored version (else ``RecordConflict``); ``recreate`` (undo and redo,
        which check content instead) re-creates a patient whose id is no longer stored."""
        today = self.today()
        problems = validate_patient(patient, today)
        if identifiers is not None:
            problems += validate_identifiers(identifiers, today)
        raise_if(problems)
        try:
            with self._write() as session:
                row = conflicts.locked(session, PatientRow, patient.id)
                old = mapping.patient_record(row) if row else None
                if patient.id is not None and not recreate:
                    conflicts.check(session, "patient", old, patient)
                self._check_study_id_free(session, patient)
                if row is None:
                    row = PatientRow(id=patient.id)
                    session.add(row)
                mapping.fill_patient_row(row, patient)
                moved = identifiers is not None and self._identifiers_differ(session, patient.id, identifiers)
                conflicts.stamp(row, old, mapping.patient_record(row) if not moved else None, patient)
                session.flush()
                new = mapping.patient_record(row)
                self._changed(session, "patient", row.id, row.id, old, new)
                if identifiers is not None:
                    self._save_identifiers(session, replace(identifiers, patient_id=row.id))
        except IntegrityError as exc:
            raise ValidationError([Problem("study_id", f"Could not save: {exc.orig}")]) from exc
        return new

    @staticmethod
    def _identifiers_differ(session: Session, patient_id: int | None, identifiers: Identifiers) -> bool:
        """Saving these identifying fields changes what is stored (a new version of the patient)."""
        row = session.get(IdentifierRow, patient_id) if patient_id is not None else None
        stored = mapping.identifiers_record(row) if row else None
        return stored != replace(identifiers, patient_id=patient_id or 0) and not (
            stored is None and identifiers.is_empty
        )

    def _save_identifiers(self, session: Session, identifiers: Identifiers) -> None:
        row = session.get(IdentifierRow, identifiers.patient_id)
        old = mapping.identifiers_record(row) if row else None
        if row is None:
            row = IdentifierRow(patient_id=identifiers.patient_id)
            session.add(row)
        mapping.fill_identifier_row(row, identifiers)
        new = mapping.identifiers_record(row)
        self._changed(session, "identifiers", row.patient_id, row.patient_id, old, new)

    def _write_identifiers(self, identifiers: Identifiers, remove: bool = False) -> None:
        """Put back (or remove) a patient's identifying fields exactly: undo and redo do this."""
        with self._write() as session:
            if not remove:
                self._save_identifiers(session, identifiers)
            elif (row := session.get(IdentifierRow, identifiers.patient_id)) is not None:
                old = mapping.identifiers_record(row)
                self._changed(session, "identifiers", row.patient_id, row.patient_id, old, None)
                session.delete(row)

    def delete_patient(self, patient_id: int, seen: Patient | None = None) -> PatientRecord:
        """Delete a patient and everything recorded about them; return it all for undo. Given the patient as
        the user ``seen`` them, refuse (``RecordConflict``) if someone else has changed the patient since.

        The journal notes what the patient owns first, so that its inverse re-creates the patient
        before their records, assessments before the photos linked to them and photos before comparisons.
        """
        with self._write() as session:
            row = self._patient_row(session, patient_id)
            record = self._record(session, patient_id)
            if seen is not None:
                conflicts.check(session, "patient", record.patient, seen, deleting=True)
            data = photo_data(session, patient_id)
            for comparison in record.comparisons:
                self._changed(session, "photo_comparison", comparison.id or 0, patient_id, comparison, None)
            for photo in record.photos:
                image, thumbnail = data.get(photo.id or 0, (b"", b""))
                edit = Edit(PhotoFile(photo, image, thumbnail), None)
                self._changed(session, "photo", photo.id or 0, patient_id, photo, None, edit)
            owned: tuple[AdverseEvent | Assessment | MedicationCourse, ...] = (
                *record.adverse_events,
                *record.assessments,
                *record.courses,
            )
            for item in owned:
                self._changed(session, KINDS[type(item)].entity, item.id or 0, patient_id, item, None)
            if record.identifiers:
                self._changed(session, "identifiers", patient_id, patient_id, record.identifiers, None)
            self._changed(session, "patient", patient_id, patient_id, record.patient, None)
            session.delete(row)
        return replace(record, photo_data=data)

    def restore_patient(self, record: PatientRecord) -> Patient:
        """Put back a deleted patient with the same ids (undo of ``delete_patient``), all or nothing."""
        with self.batch():
            patient = self.save_patient(record.patient, record.identifiers, recreate=True)
            owned: tuple[MedicationCourse | Assessment | AdverseEvent, ...] = (
                *record.courses,
                *record.assessments,
                *record.adverse_events,
            )
            for item in owned:
                self.save(item, recreate=True)
            for photo in record.photos:
                image, thumbnail = record.photo_data[photo.id or 0]
                self._insert_photo(photo, image, thumbnail)
            for comparison in record.comparisons:
                self.save_comparison(comparison)
        return patient

    # ------------------------------------------------------------ courses, assessments, events
    def save(self, record: R, *, recreate: bool = False) -> R:
        """Create or update a medication course, assessment or adverse event.

        An update must be based on the stored version, else ``RecordConflict`` says what is stored now
        (or that it was deleted). ``recreate`` (undo and redo, which check content instead) re-creates a
        record whose id is no longer stored, with that id (ids are never reused).
        """
        kind = KINDS[type(record)]
        raise_if(kind.validate(record, self.today()))
        with self._write() as session:
            row = conflicts.locked(session, kind.row, record.id)
            old = kind.to_record(row) if row else None
            if record.id is not None and not recreate:
                conflicts.check(session, kind.entity, old, record)
            if row is None or row.patient_id != record.patient_id:  # else the foreign key vouches
                self._patient_row(session, record.patient_id)
            if row is None:
                row = kind.row(id=record.id)
                session.add(row)
            mapping.fill_row(row, kind.values(record))
            conflicts.stamp(row, old, kind.to_record(row), record)
            session.flush()
            new: R = kind.to_record(row)
            self._changed(session, kind.entity, row.id, record.patient_id, old, new)
        return new

    def delete(self, record_type: type[R], record_id: int, seen: R | None = None) -> R:
        """Delete one course, assessment or adverse event; return it for undo. Given the record as the user
        ``seen`` it, refuse (``RecordConflict``) if someone else has changed it since. Photos linked to a
        deleted assessment keep their place, unlinked (noted, so that undo links them again)."""
        kind = KINDS[record_type]
        with self._write() as session:
            row = conflicts.locked(session, kind.row, record_id)
            if row is None:
                raise ValidationError(
                    [Problem("id", f"That {kind.entity.replace('_', ' ')} no longer exists.")]
                )
            old: R = kind.to_record(row)
            if seen is not None:
                conflicts.check(session, kind.entity, old, seen, deleting=True)
            if record_type is Assessment:
                self._unlink_photos(session, record_id)
            self._changed(session, kind.entity, record_id, old.patient_id, old, None)
            session.delete(row)
        return old

    def _unlink_photos(self, session: Session, assessment_id: int) -> None:
        for photo_row in session.scalars(select(PhotoRow).where(PhotoRow.assessment_id == assessment_id)):
            linked = mapping.photo_record(photo_row)
            photo_row.assessment_id = None
            photo_row.version = linked.version + 1
            unlinked = mapping.photo_record(photo_row)
            self._changed(session, "photo", photo_row.id, photo_row.patient_id, linked, unlinked)
