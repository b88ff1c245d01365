"""The photo commands of the storage facade: cleaned images in, descriptions and comparisons kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.changes import Edit, PhotoFile
from ..domain.records import Consent, Photo, PhotoComparison
from ..domain.validation import Problem, ValidationError, raise_if, validate_comparison, validate_photo
from . import conflicts, mapping
from .queries import Queries
from .tables import AssessmentRow, ComparisonRow, PatientRow, PhotoDataRow, PhotoRow

if TYPE_CHECKING:  # Pillow loads when a photo is prepared, not with the store
    from .imaging import PreparedImage


class PhotoCommands(Queries):
    """Storing, describing and deleting photos and comparisons; each a transaction of its own."""

    @staticmethod
    def _check_links(session: Session, photo: Photo) -> None:
        if session.get(PatientRow, photo.patient_id) is None:
            raise ValidationError([Problem("patient_id", f"Patient {photo.patient_id} no longer exists.")])
        if photo.assessment_id is not None:
            owner = session.scalar(
                select(AssessmentRow.patient_id).where(AssessmentRow.id == photo.assessment_id)
            )
            if owner != photo.patient_id:
                raise ValidationError(
                    [Problem("assessment_id", "That assessment belongs to another patient.")]
                )

    def add_photo(
        self,
        patient_id: int,
        image: PreparedImage,
        *,
        taken_on: date | None = None,
        assessment_id: int | None = None,
        body_site: str = "",
        caption: str = "",
        consent: Consent = Consent.UNKNOWN,
        identifiable: bool = False,
        in_report: bool = False,
    ) -> tuple[Photo, bool]:
        """Store a cleaned image with its description in one transaction. ``taken_on`` is the
        date decided by the caller (the camera's own date is only a suggestion: ``domain.photo_dates``).

        Returns (photo, True), or (the photo already stored, False) when the same picture is
        already in the series, even when another window or user stored it at the same moment (the
        uniqueness of the picture's hash refuses the second insert, which is rolled back).
        """
        existing = self.photo_by_hash(image.sha256)
        if existing is not None:
            return existing, False
        photo = Photo(
            patient_id=patient_id, sha256=image.sha256, media_type=image.media_type, width=image.width,
            height=image.height, taken_on=taken_on,
            assessment_id=assessment_id, body_site=body_site.strip(), caption=caption.strip(), consent=consent,
            identifiable=identifiable, in_report=in_report,
        )  # fmt: skip
        try:
            return self._insert_photo(photo, image.data, image.thumbnail), True
        except IntegrityError:
            stored = self.photo_by_hash(image.sha256) if self._batch is None else None
            if stored is None:  # another clash (or inside a batch, whose transaction is now lost)
                raise
            return stored, False

    def _insert_photo(self, photo: Photo, image: bytes, thumbnail: bytes) -> Photo:
        raise_if(validate_photo(photo, self.today()))
        with self._write() as session:
            self._check_links(session, photo)
            row = PhotoRow(id=photo.id, version=max(photo.version, 1))
            mapping.fill_photo_row(row, photo)
            session.add(row)
            session.flush()
            session.add(PhotoDataRow(photo_id=row.id, image=image, thumbnail=thumbnail))
            stored = mapping.photo_record(row)
            edit = Edit(None, PhotoFile(stored, image, thumbnail))
            self._changed(session, "photo", row.id, photo.patient_id, None, stored, edit)
        return stored

    def save_photo(self, photo: Photo, *, recreate: bool = False) -> Photo:
        """Update a stored photo's description, annotations or crop (never its pixels), based on the stored
        version (else ``RecordConflict``; ``recreate``: undo and redo, which check content instead)."""
        raise_if(validate_photo(photo, self.today()))
        with self._write() as session:
            row = conflicts.locked(session, PhotoRow, photo.id)
            if row is None or not recreate:  # (a photo's pixels cannot be re-created from its description)
                conflicts.check(session, "photo", mapping.photo_record(row) if row else None, photo)
            assert row is not None
            old = mapping.photo_record(row)
            self._check_links(session, photo)
            kept = replace(
                photo, sha256=old.sha256, media_type=old.media_type, width=old.width, height=old.height
            )
            mapping.fill_photo_row(row, kept)
            conflicts.stamp(row, old, mapping.photo_record(row), photo)
            new = mapping.photo_record(row)
            self._changed(session, "photo", row.id, row.patient_id, old, new)
        return new

    def delete_photo(self, photo_id: int, seen: Photo | None = None) -> tuple[Photo, bytes, bytes]:
        """Delete a photo; return it with its pixels for undo (``restore_photo``). Given the photo as the user
        ``seen`` it, refuse (``RecordConflict``) if someone else has changed it since."""
        with self._write() as session:
            row = self._photo_row(session, photo_id)
            photo = mapping.photo_record(row)
            if seen is not None:
                conflicts.check(session, "photo", photo, seen, deleting=True)
            pixels = session.get(PhotoDataRow, photo_id)
            image, thumbnail = (pixels.image, pixels.thumbnail) if pixels else (b"", b"")
            for shown in session.scalars(
                select(ComparisonRow).where(ComparisonRow.patient_id == photo.patient_id)
            ):
                if photo_id in shown.photo_ids:  # no longer shown there (undo puts it back)
                    old = mapping.comparison_record(shown)
                    shown.photo_ids = [i for i in shown.photo_ids if i != photo_id]
                    shown.version = old.version + 1
                    new = mapping.comparison_record(shown)
                    self._changed(session, "photo_comparison", shown.id, shown.patient_id, old, new)
            edit = Edit(PhotoFile(photo, image, thumbnail), None)
            self._changed(session, "photo", photo_id, photo.patient_id, photo, None, edit)
            session.delete(row)
        return photo, image, thumbnail

    def restore_photo(self, photo: Photo, image: bytes, thumbnail: bytes) -> Photo:
        return self._insert_photo(photo, image, thumbnail)

    def save_comparison(self, comparison: PhotoComparison) -> PhotoComparison:
        raise_if(validate_comparison(comparison))
        with self._write() as session:
            owners = set(
                session.scalars(
                    select(PhotoRow.patient_id).where(PhotoRow.id.in_(comparison.photo_ids))
                ).all()
            )
            if owners != {comparison.patient_id}:
                raise ValidationError(
                    [Problem("photo_ids", "A comparison shows photos of one patient only.")]
                )
            return self._store_comparison(session, comparison)

    def _store_comparison(self, session: Session, comparison: PhotoComparison) -> PhotoComparison:
        """Write a comparison as it is (undo and redo put back what was stored, even one that lost a
        photo to a deletion and would no longer pass as new)."""
        row = conflicts.locked(session, ComparisonRow, comparison.id)
        old = mapping.comparison_record(row) if row else None
        if row is None:
            row = ComparisonRow(id=comparison.id)
            session.add(row)
        mapping.fill_comparison_row(row, comparison)
        conflicts.stamp(row, old, mapping.comparison_record(row), comparison)
        session.flush()
        new = mapping.comparison_record(row)
        self._changed(session, "photo_comparison", row.id, row.patient_id, old, new)
        return new

    def delete_comparison(self, comparison_id: int) -> PhotoComparison:
        with self._write() as session:
            row = session.get(ComparisonRow, comparison_id)
            if row is None:
                raise ValidationError([Problem("id", "That comparison no longer exists.")])
            old = mapping.comparison_record(row)
            self._changed(session, "photo_comparison", comparison_id, old.patient_id, old, None)
            session.delete(row)
        return old
