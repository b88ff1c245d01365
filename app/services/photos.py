"""Importing photo files in batches and exporting the stored, cleaned images."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from app.domain.records import Consent, Patient, Photo
from app.domain.validation import Problem, ValidationError
from app.store.casebook import Casebook
from app.store.imaging import ImageLimits, PhotoRejected, PreparedImage, prepare_image, read_file


class Outcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "already stored"
    REFUSED = "refused"


@dataclass(frozen=True)
class ImportResult:
    path: Path
    outcome: Outcome
    reason: str = ""
    photo: Photo | None = None

    @property
    def line(self) -> str:
        text = f"{self.path.name}: {self.outcome.value}"
        return f"{text}: {self.reason}" if self.reason else text


@dataclass(frozen=True)
class PhotoDefaults:
    """What the user set for the whole batch; each file's own capture date is used when no date is given."""

    taken_on: date | None = None
    assessment_id: int | None = None
    body_site: str = ""
    caption: str = ""
    consent: Consent = Consent.UNKNOWN
    identifiable: bool = False
    in_report: bool = False
    limits: ImageLimits = field(default_factory=ImageLimits)


def prepare_file(path: Path, limits: ImageLimits) -> PreparedImage | PhotoRejected:
    """Read and clean one file (no database: safe in a worker thread); a refusal is returned, not raised."""
    try:
        return prepare_image(read_file(path, limits), limits)
    except PhotoRejected as exc:
        return exc


def store_prepared(
    book: Casebook,
    patient_id: int,
    path: Path,
    prepared: PreparedImage | PhotoRejected,
    defaults: PhotoDefaults,
) -> ImportResult:
    """Store one cleaned file in its own transaction: stored, already stored, or refused with the reason."""
    if isinstance(prepared, PhotoRejected):
        return ImportResult(path, Outcome.REFUSED, str(prepared))
    try:
        photo, created = book.add_photo(
            patient_id, prepared, taken_on=defaults.taken_on, assessment_id=defaults.assessment_id,
            body_site=defaults.body_site, caption=defaults.caption, consent=defaults.consent,
            identifiable=defaults.identifiable, in_report=defaults.in_report,
        )  # fmt: skip
    except ValidationError as exc:
        return ImportResult(path, Outcome.REFUSED, str(exc))
    if not created:
        return ImportResult(
            path, Outcome.DUPLICATE, f"same picture as photo {photo.id} ({photo.label})", photo
        )
    return ImportResult(path, Outcome.STORED, photo=photo)


def import_files(
    book: Casebook,
    patient_id: int,
    paths: Sequence[Path],
    defaults: PhotoDefaults = PhotoDefaults(),
    progress: Callable[[int, int], bool] | None = None,
) -> list[ImportResult]:
    """Import a batch; a bad file is reported and the others still go in.

    ``progress(done, total)`` is called after each file; returning False stops the batch
    (files already stored stay stored).
    """
    results = []
    for n, path in enumerate(paths, start=1):
        results.append(
            store_prepared(book, patient_id, Path(path), prepare_file(Path(path), defaults.limits), defaults)
        )
        if progress is not None and not progress(n, len(paths)):
            break
    return results


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "photo"


def find_patient(book: Casebook, study_id: str) -> Patient:
    patient = book.patient_by_study_id(study_id)
    if patient is None:
        known = ", ".join(p.study_id for p in book.patients()[:12]) or "none yet"
        raise ValidationError([Problem("study_id", f"No patient with study ID {study_id} (known: {known}).")])
    return patient


def export_name(study_id: str, photo: Photo) -> str:
    extension = ".png" if photo.media_type == "image/png" else ".jpg"
    when = photo.taken_on.isoformat() if photo.taken_on else "undated"
    site = f"_{_safe(photo.body_site)}" if photo.body_site else ""
    return f"{_safe(study_id)}_{when}{site}_{photo.id}{extension}"


def export_photos(book: Casebook, out_dir: Path, study_id: str | None = None) -> list[Path]:
    """Write the stored (cleaned, upright) images as files; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    patients = book.patients()
    if study_id is not None:
        patients = [find_patient(book, study_id)]
    written = []
    for patient in patients:
        for photo in book.photos(patient.id):
            target = out_dir / export_name(patient.study_id, photo)
            target.write_bytes(book.photo_image(photo.id or 0))
            written.append(target)
    return written
