"""Importing photo files in batches and exporting the stored, cleaned images."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from io import BytesIO
from pathlib import Path

from PIL import Image

from ..domain.clock import DateMode
from ..domain.disclosure import Disclosure
from ..domain.photo_dates import PatientTime, patient_time, photo_date
from ..domain.records import Consent, Patient, Photo
from ..domain.validation import Problem, ValidationError
from ..store.casebook import Casebook
from ..store.imaging import ImageLimits, PhotoRejected, PreparedImage, prepare_image, read_file
from .disclosure import disclosure_for


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
    date_to_confirm: str = ""  # stored without a date: why the camera's date was not used

    @property
    def line(self) -> str:
        text = f"{self.path.name}: {self.outcome.value}"
        if self.date_to_confirm:
            text += f" without a date, to confirm ({self.date_to_confirm})"
        return f"{text}: {self.reason}" if self.reason else text

    def as_json(self) -> dict[str, object]:
        """What `myocase photos add --json` prints for this file."""
        return {
            "file": str(self.path),
            "outcome": self.outcome.name.lower(),
            "photo_id": self.photo.id if self.photo else None,
            "reason": self.reason or None,
            "date_to_confirm": self.date_to_confirm or None,
        }


@dataclass(frozen=True)
class PhotoDefaults:
    """What the user set for the whole batch. Without a batch date each file's own capture date is
    used when it is plausible for the patient (``domain.photo_dates``), else it is left to confirm."""

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
    when: PatientTime | None = None,
) -> ImportResult:
    """Store one cleaned file in its own transaction: stored, already stored, or refused with the reason.

    ``when`` (the patient's year of birth and first record) judges the camera's date; read from
    the database when not given. A doubtful camera date never refuses the image: it is stored
    without a date, for the user to confirm.
    """
    if isinstance(prepared, PhotoRejected):
        return ImportResult(path, Outcome.REFUSED, str(prepared))
    when = when or patient_time(book.patient_record(patient_id), book.today())
    dated = photo_date(prepared.taken_on, defaults.taken_on, when)
    try:
        photo, created = book.add_photo(
            patient_id, prepared, taken_on=dated.taken_on, assessment_id=defaults.assessment_id,
            body_site=defaults.body_site, caption=defaults.caption, consent=defaults.consent,
            identifiable=defaults.identifiable, in_report=defaults.in_report,
        )  # fmt: skip
    except ValidationError as exc:
        return ImportResult(path, Outcome.REFUSED, str(exc))
    if not created:
        return ImportResult(
            path, Outcome.DUPLICATE, f"same picture as photo {photo.id} ({photo.label})", photo
        )
    return ImportResult(path, Outcome.STORED, photo=photo, date_to_confirm=dated.to_confirm)


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
    when = patient_time(book.patient_record(patient_id), book.today())
    results = []
    for n, path in enumerate(paths, start=1):
        prepared = prepare_file(Path(path), defaults.limits)
        results.append(store_prepared(book, patient_id, Path(path), prepared, defaults, when))
        if progress is not None and not progress(n, len(paths)):
            break
    return results


def find_patient(book: Casebook, study_id: str) -> Patient:
    patient = book.patient_by_study_id(study_id)
    if patient is None:
        known = ", ".join(p.study_id for p in book.patients()[:12]) or "none yet"
        raise ValidationError([Problem("study_id", f"No patient with study ID {study_id} (known: {known}).")])
    return patient


def export_name(photo: Photo, disclosure: Disclosure, number: int) -> str:
    """``STUDY_day+120_hand_1.jpg`` (de-identified) or ``STUDY_2021-06-01_hand_1.jpg``: every part
    goes through the disclosure, so the name says no more than the report would."""
    extension = ".png" if photo.media_type == "image/png" else ".jpg"
    study = disclosure.file_part(disclosure.study_ids.get(photo.patient_id, "patient")) or "patient"
    clock = disclosure.clock(photo.patient_id)
    when = (
        "undated" if photo.taken_on is None else clock.show(photo.taken_on).replace(" ", "").replace("−", "-")
    )
    site = disclosure.file_part(photo.body_site)
    return "_".join(part for part in (study, when, site, str(number)) if part) + extension


def cropped(data: bytes, photo: Photo) -> bytes:
    """The stored image cut to the photo's crop, re-encoded from pixels alone (no metadata)."""
    crop = photo.crop
    if crop is None:
        return data
    with Image.open(BytesIO(data)) as image:
        w, h = image.size
        part = image.crop(
            (round(crop.left * w), round(crop.top * h), round(crop.right * w), round(crop.bottom * h))
        )
        clean = Image.new(part.mode, part.size)
        clean.paste(part)
    out = BytesIO()
    if photo.media_type == "image/png":
        clean.save(out, "PNG")
    else:
        clean.convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()


@dataclass(frozen=True)
class PhotoExport:
    written: tuple[Path, ...]
    left_out: tuple[str, ...]  # why each photo kept back was kept back

    def as_json(self, folder: Path, *, identified: bool) -> dict[str, object]:
        """What `myocase photos export --json` prints."""
        return {
            "folder": str(folder),
            "identified": identified,
            "written": [str(path) for path in self.written],
            "left_out": list(self.left_out),
        }


def export_photos(
    book: Casebook, out_dir: Path, study_id: str | None = None, *, identified: bool = False
) -> PhotoExport:
    """Write the stored (cleaned, upright) images as files, de-identified unless ``identified``:
    names without real dates or identifiers, identifiable photos only cropped (to their crop)."""
    records = book.patient_records()
    mode = DateMode.ACTUAL if identified else DateMode.INDEX_DAYS
    disclosure = disclosure_for(book, records, identified=identified, mode=mode)
    wanted = [find_patient(book, study_id).id] if study_id is not None else [r.patient.id for r in records]
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    left_out: list[str] = []
    for record in records:
        if record.patient.id not in wanted:
            continue
        for number, photo in enumerate(record.photos, start=1):
            if not disclosure.photo_allowed(photo):
                left_out.append(
                    f"{record.patient.study_id} photo {number}: marked identifiable and not cropped"
                )
                continue
            data = book.photo_image(photo.id or 0)
            target = out_dir / export_name(photo, disclosure, number)
            target.write_bytes(data if identified else cropped(data, photo))
            written.append(target)
    return PhotoExport(tuple(written), tuple(left_out))
