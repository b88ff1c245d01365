"""Case bundles for pooling centres: writing chosen patients de-identified into one file (``export_bundle``),
and merging bundles from several centres into one series (``bundle_import.import_bundles``).

What leaves, and why the pooled statistics equal the source's:

- every record goes through the series' disclosure (names, record numbers and dates of birth out, the
  year of birth replaced by the age at onset, ages capped at 90, free text cleaned); a photo marked
  identifiable leaves only as the pixels inside its crop, and not at all without one;
- every date of the bundle (records, the data cut-off, the manifest's ``created``) is moved back by one
  secret number of days, 1–364, fixed per series by its de-identification secret. No real date is
  written, and every interval, to the cut-off too, is kept to the day: on-drug status, follow-up and
  every "day +n" of the analysis come out the same. One shift for the whole bundle rather than one per
  patient: once each patient's cut-off travels with them (it must, for the statistics), per-patient
  shifts disclose exactly the same intervals, and a common one lets the importer keep every date as
  written when it starts a new series at the bundle's cut-off;
- a month or year date keeps its precision: it lands on the period holding its moved first day (a stop:
  its moved last day), so a start never moves later and a stop never earlier than the rest of the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .. import __version__
from ..domain.analysis_json import settings_to_json
from ..domain.annotations import Crop, shape_in_crop
from ..domain.clock import DateMode
from ..domain.disclosure import Disclosure, date_offset, text_fields
from ..domain.records import PatientRecord, Photo, PhotoComparison, SeriesSettings
from ..domain.validation import validate_patient
from ..store import SERIES_SUFFIXES
from ..store.casebook import Casebook
from ..store.imaging import prepare_image
from ..store.series_file import head_revision
from .analysis_settings import load_settings
from .bundle_format import (
    CENTRE_PATTERN,
    CENTRE_RULE,
    FORMAT,
    KIND,
    SUFFIX,
    BundleRefused,
    moved,
    photo_member,
    record_json,
    write_zip,
)
from .disclosure import deidentification_secret, disclosure_for, select_patients
from .photos import cropped

__all__ = ["SUFFIX", "BundleExport", "BundleRefused", "bundle_shift", "export_bundle"]

DATES_NOTE = (
    "Every date, the data cut-off and 'created' are moved back by one secret number of days, the same for "
    "the whole bundle: intervals are kept to the day; month and year dates keep their precision."
)


def bundle_shift(secret: str) -> int:
    """The days every date of a series' bundles moves back: 1–364, fixed by the series' secret (never 0,
    so no date leaves as recorded)."""
    return date_offset(secret, 0)  # patient ids start at 1: key 0 is the bundle's own


@dataclass(frozen=True)
class BundleExport:
    """What ``export_bundle`` wrote, and what it kept back and why."""

    path: Path
    centre: str
    study_ids: tuple[str, ...]  # as they leave
    photos: int
    left_out: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "written": str(self.path), "centre": self.centre, "patients": list(self.study_ids),
            "photos": self.photos, "left_out": list(self.left_out), "de_identified": True,
        }  # fmt: skip

    @property
    def text(self) -> str:
        return (
            f"Wrote {self.path} (de-identified case bundle of centre {self.centre}): "
            f"{len(self.study_ids)} patients, {self.photos} photos"
        )


@dataclass
class _Payload:
    """The bundle as it is being assembled."""

    patients: list[dict[str, Any]]
    photos: dict[str, bytes]
    left_out: list[str]


def export_bundle(
    book: Casebook, out: Path, centre: str, study_ids: Sequence[str] | None = None
) -> BundleExport:
    """Write the chosen patients (default: all) de-identified into one bundle file at ``out``."""
    series, cutoff = _check_target(book, out, centre)
    everyone = book.patient_records()
    chosen = select_patients(everyone, study_ids)
    if not chosen:
        raise BundleRefused("This series has no patients to put in a bundle.")
    disclosure = disclosure_for(book, everyone, mode=DateMode.SHIFTED)  # leaks(): identifiers, not dates
    shift = bundle_shift(deidentification_secret(book))
    payload = _Payload([], {}, [])
    for record in chosen:
        shown = _bundled(book, disclosure.record(record), disclosure, payload)
        _check_leaves(shown, record, disclosure, book)
        leaving = moved(shown, -shift)
        files = {p.id or 0: photo_member(p) for p in leaving.photos}
        payload.patients.append(record_json(leaving, files))
    settings = load_settings(book)
    moved_cutoff = cutoff - timedelta(days=shift)
    records = {
        "format": FORMAT,
        "series": {"index_drug": series.index_drug, "cutoff": moved_cutoff.isoformat(), "analysis": settings_to_json(settings)},
        "patients": payload.patients,
    }  # fmt: skip
    manifest = _manifest(series, disclosure, centre, len(chosen), len(payload.photos), shift)
    write_zip(out, manifest, records, payload.photos)
    study = tuple(p["patient"]["study_id"] for p in payload.patients)
    return BundleExport(out, centre, study, len(payload.photos), tuple(payload.left_out))


def _check_target(book: Casebook, out: Path, centre: str) -> tuple[SeriesSettings, date]:
    """The series and its data cut-off, if a bundle may be written from it under that name and centre code."""
    series = book.settings()
    if series.cutoff is None:
        raise BundleRefused(
            "Set the series' data cut-off first (Series settings): a bundle carries each patient's time up to "
            "it, and a cut-off that is simply today would date the file and give away the shift."
        )
    if not CENTRE_PATTERN.match(centre):
        raise BundleRefused(f"Centre code “{centre}” is not usable: give {CENTRE_RULE}.")
    if out.suffix.lower() in SERIES_SUFFIXES:
        raise BundleRefused(
            f"{out.name}: {out.suffix} names a case-series database, not a bundle: name the bundle …{SUFFIX}"
        )
    if out.is_dir():
        raise BundleRefused(f"{out} is a folder: give the bundle's file name (…{SUFFIX}).")
    return series, series.cutoff


def _manifest(
    series: SeriesSettings, disclosure: Disclosure, centre: str, patients: int, photos: int, shift: int
) -> dict[str, Any]:
    created = datetime.now(UTC).replace(microsecond=0) - timedelta(days=shift)
    return {
        "kind": KIND, "format": FORMAT, "centre": centre, "series_name": disclosure.text(series.name),
        "synthetic": series.is_demo, "app_version": __version__, "schema_version": head_revision(),
        "created": created.isoformat(), "patients": patients, "photos": photos, "dates": DATES_NOTE,
    }  # fmt: skip


def _bundled(
    book: Casebook, record: PatientRecord, disclosure: Disclosure, payload: _Payload
) -> PatientRecord:
    """The disclosed record with the bundle's own ids (assessments and photos numbered from 1), only the
    photos that may leave (their bytes added to ``payload``), and the comparisons still whole."""
    assessments = {a.id: n for n, a in enumerate(record.assessments, start=1)}
    photos: dict[int, Photo] = {}
    for number, photo in enumerate(record.photos, start=1):
        if not disclosure.photo_allowed(photo):
            payload.left_out.append(
                f"{record.patient.study_id} photo {number}: marked identifiable and not cropped"
            )
            continue
        kept, data = _leaving_photo(book, photo)
        kept = replace(kept, id=len(photos) + 1, assessment_id=assessments.get(photo.assessment_id))
        photos[photo.id or 0] = kept
        payload.photos[photo_member(kept)] = data
    comparisons = []
    for comparison in record.comparisons:
        shown = tuple(photos[i].id or 0 for i in comparison.photo_ids if i in photos)
        if len(shown) < 2:
            payload.left_out.append(
                f"{record.patient.study_id} comparison “{comparison.name}”: fewer than two of its photos may leave"
            )
            continue
        comparisons.append(PhotoComparison(0, comparison.name, shown))
    return replace(
        record,
        assessments=tuple(replace(a, id=assessments[a.id]) for a in record.assessments),
        photos=tuple(photos.values()),
        comparisons=tuple(comparisons),
    )


def _leaving_photo(book: Casebook, photo: Photo) -> tuple[Photo, bytes]:
    """The stored, cleaned image; for a photo marked identifiable, only the pixels inside its crop (made a
    picture of its own, its shapes placed in it, the shapes outside it dropped)."""
    data = book.photo_image(photo.id or 0)
    if not photo.identifiable:
        return photo, data
    cut = prepare_image(cropped(data, replace(photo, media_type="image/png")))
    shapes = tuple(s for s in (shape_in_crop(x, photo.crop) for x in photo.annotations) if not s.problems())
    kept = replace(
        photo, sha256=cut.sha256, media_type=cut.media_type, width=cut.width, height=cut.height,
        annotations=shapes, crop=Crop(0.0, 0.0, 1.0, 1.0),
    )  # fmt: skip
    return kept, cut.data


def _check_leaves(
    shown: PatientRecord, record: PatientRecord, disclosure: Disclosure, book: Casebook
) -> None:
    """Refuse the bundle if a cleaned text still holds an identifier, or the study ID cannot leave as it is."""
    for where, text in text_fields(shown):
        hits = disclosure.leaks(text)
        if hits:
            raise BundleRefused(
                f"Nothing was written: {disclosure.describe(hits[0])} would leave in {where}."
            )
    problems = [p for p in validate_patient(shown.patient, book.today()) if p.field == "study_id"]
    if problems:
        raise BundleRefused(
            f"Study ID {record.patient.study_id} would leave as “{shown.patient.study_id}” (it holds what "
            "looks like a name, record number or date of birth): give the patient another study ID first."
        )
