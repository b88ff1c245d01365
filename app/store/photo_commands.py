"""The photo half of the storage facade: cleaned images in, descriptions and pixels out."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.records import Consent, Photo, PhotoComparison
from ..domain.validation import Problem, ValidationError, raise_if, validate_comparison, validate_photo
from . import audit, mapping
from .tables import AssessmentRow, ComparisonRow, PatientRow, PhotoDataRow, PhotoRow

if TYPE_CHECKING:  # Pillow loads when a photo is prepared, not with the store
    from .imaging import PreparedImage


class PhotoCommands:
    """Mixed into Casebook; relies on its ``_read``, ``_write`` and ``today``."""

    today: Callable[[], date]
    _read: Callable[[], AbstractContextManager[Session]]
    _write: Callable[[], AbstractContextManager[Session]]

    # ------------------------------------------------------------ queries
    def photo(self, photo_id: int) -> Photo:
        with self._read() as session:
            return mapping.photo_record(self._photo_row(session, photo_id))

    def photo_by_hash(self, sha256: str) -> Photo | None:
        with self._read() as session:
            row = session.scalar(select(PhotoRow).where(PhotoRow.sha256 == sha256))
            return mapping.photo_record(row) if row else None

    def photo_image(self, photo_id: int) -> bytes:
        """The cleaned, upright image as stored (JPEG or PNG)."""
        with self._read() as session:
            data = session.scalar(select(PhotoDataRow.image).where(PhotoDataRow.photo_id == photo_id))
        if data is None:
            raise ValidationError([Problem("id", f"Photo {photo_id} no longer exists.")])
        return data

    def photo_thumbnail(self, photo_id: int) -> bytes:
        with self._read() as session:
            data = session.scalar(select(PhotoDataRow.thumbnail).where(PhotoDataRow.photo_id == photo_id))
        if data is None:
            raise ValidationError([Problem("id", f"Photo {photo_id} no longer exists.")])
        return data

    def comparisons(self, patient_id: int | None = None) -> list[PhotoComparison]:
        query = select(ComparisonRow).order_by(ComparisonRow.id)
        if patient_id is not None:
            query = query.where(ComparisonRow.patient_id == patient_id)
        with self._read() as session:
            return [mapping.comparison_record(row) for row in session.scalars(query)]

    # ------------------------------------------------------------ commands
    @staticmethod
    def _photo_row(session: Session, photo_id: int) -> PhotoRow:
        row = session.get(PhotoRow, photo_id)
        if row is None:
            raise ValidationError([Problem("id", f"Photo {photo_id} no longer exists.")])
        return row

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
        already in the series.
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
        return self._insert_photo(photo, image.data, image.thumbnail), True

    def _insert_photo(self, photo: Photo, image: bytes, thumbnail: bytes) -> Photo:
        raise_if(validate_photo(photo, self.today()))
        with self._write() as session:
            self._check_links(session, photo)
            row = PhotoRow(id=photo.id)
            mapping.fill_photo_row(row, photo)
            session.add(row)
            session.flush()
            session.add(PhotoDataRow(photo_id=row.id, image=image, thumbnail=thumbnail))
            stored = mapping.photo_record(row)
            audit.record_change(session, "photo", row.id, photo.patient_id, None, stored)
        return stored

    def save_photo(self, photo: Photo) -> Photo:
        """Update a stored photo's description, annotations or crop (never its pixels)."""
        raise_if(validate_photo(photo, self.today()))
        with self._write() as session:
            row = self._photo_row(session, photo.id or 0)
            self._check_links(session, photo)
            old = mapping.photo_record(row)
            kept = replace(
                photo, sha256=old.sha256, media_type=old.media_type, width=old.width, height=old.height
            )
            mapping.fill_photo_row(row, kept)
            new = mapping.photo_record(row)
            audit.record_change(session, "photo", row.id, row.patient_id, old, new)
        return new

    def delete_photo(self, photo_id: int) -> tuple[Photo, bytes, bytes]:
        """Delete a photo; return it with its pixels for undo (``restore_photo``)."""
        photo = self.photo(photo_id)
        image, thumbnail = self.photo_image(photo_id), self.photo_thumbnail(photo_id)
        with self._write() as session:
            audit.record_change(session, "photo", photo_id, photo.patient_id, photo, None)
            session.delete(self._photo_row(session, photo_id))
            for row in session.scalars(
                select(ComparisonRow).where(ComparisonRow.patient_id == photo.patient_id)
            ):
                if photo_id in row.photo_ids:
                    row.photo_ids = [i for i in row.photo_ids if i != photo_id]
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
            row = session.get(ComparisonRow, comparison.id) if comparison.id is not None else None
            old = mapping.comparison_record(row) if row else None
            if row is None:
                row = ComparisonRow(id=comparison.id)
                session.add(row)
            mapping.fill_comparison_row(row, comparison)
            session.flush()
            new = mapping.comparison_record(row)
            audit.record_change(session, "photo_comparison", row.id, row.patient_id, old, new)
        return new

    def delete_comparison(self, comparison_id: int) -> PhotoComparison:
        with self._write() as session:
            row = session.get(ComparisonRow, comparison_id)
            if row is None:
                raise ValidationError([Problem("id", "That comparison no longer exists.")])
            old = mapping.comparison_record(row)
            audit.record_change(session, "photo_comparison", comparison_id, old.patient_id, old, None)
            session.delete(row)
        return old

    def _photo_data(self, patient_id: int) -> dict[int, tuple[bytes, bytes]]:
        """Image and thumbnail bytes of one patient's photos, by photo id."""
        with self._read() as session:
            query = (
                select(PhotoDataRow.photo_id, PhotoDataRow.image, PhotoDataRow.thumbnail)
                .join(PhotoRow, PhotoRow.id == PhotoDataRow.photo_id)
                .where(PhotoRow.patient_id == patient_id)
            )
            return {photo_id: (image, thumbnail) for photo_id, image, thumbnail in session.execute(query)}
