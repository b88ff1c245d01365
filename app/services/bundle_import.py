"""Merging case bundles from several centres into one series: every bundle read and checked before anything
is written, then all of it written in one transaction (or nothing), each patient's provenance recorded.

Placing a centre's patients in this series: each bundle carries its own (shifted) data cut-off; every
date of its patients moves by the days from that cut-off to this series' cut-off, so each patient's
follow-up, on-drug status and every interval stay as they were. A new series takes the latest of the
bundles' cut-offs, so a single bundle's dates are kept exactly as written.
"""

from __future__ import annotations

import io
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image, UnidentifiedImageError

from ..domain.analysis_json import settings_from_json
from ..domain.records import (
    AdverseEvent,
    Assessment,
    MedicationCourse,
    Patient,
    PatientRecord,
    PhotoComparison,
    Provenance,
    SeriesSettings,
)
from ..domain.validation import (
    Problem,
    ValidationError,
    validate_adverse_event,
    validate_assessment,
    validate_comparison,
    validate_course,
    validate_patient,
    validate_photo,
)
from ..store.casebook import Casebook
from ..store.imaging import ImageLimits, thumbnail_of
from .analysis_settings import save_settings
from .bundle_format import EXTENSIONS, RECORDS, BadRecord, BundleRefused, moved, patient_from_json, read_zip

_Owned = TypeVar("_Owned", MedicationCourse, Assessment, AdverseEvent)


@dataclass(frozen=True)
class Bundle:
    """One bundle read and checked: its centre, series, cut-off and patients (with their photos' bytes)."""

    path: Path
    centre: str
    series_name: str
    synthetic: bool
    index_drug: str
    cutoff: date
    analysis: dict[str, Any] | None
    patients: tuple[PatientRecord, ...]
    images: dict[tuple[int, int], tuple[bytes, bytes]]  # (patient's place, photo id) → (image, thumbnail)


def read_bundle(path: Path) -> Bundle:
    """Read and check one bundle file: ``BundleRefused`` names the file and what is wrong with it."""
    raw = read_zip(path)
    try:
        series = raw.records.get("series")
        if not isinstance(series, dict) or not isinstance(series.get("index_drug"), str):
            raise BadRecord("series: expected the index drug and the data cut-off")
        cutoff = date.fromisoformat(str(series.get("cutoff")))
        entries = raw.records.get("patients")
        if not isinstance(entries, list) or not entries or len(entries) != raw.manifest.get("patients"):
            raise BadRecord("patients: expected the list of patients the manifest counts")
        patients, images = [], {}
        for place, entry in enumerate(entries):
            record, files = patient_from_json(entry, f"patient {place + 1}:")
            _check_links(record, f"patient {place + 1}")
            for photo in record.photos:
                member = files[photo.id or 0]
                if member not in raw.photos or EXTENSIONS.get(photo.media_type) != Path(member).suffix:
                    raise BadRecord(f"patient {place + 1}: photo file {member} is missing or of another type")
                images[(place, photo.id or 0)] = (
                    raw.photos[member],
                    _thumbnail(raw.photos[member], photo.width, photo.height, member),
                )
            patients.append(record)
    except (BadRecord, ValueError) as exc:
        raise BundleRefused(f"{path.name}: {RECORDS} does not hold what a bundle holds ({exc})") from exc
    analysis = series.get("analysis")
    manifest = raw.manifest
    return Bundle(
        path, manifest["centre"], manifest["series_name"], manifest.get("synthetic") is True,
        series["index_drug"], cutoff, analysis if isinstance(analysis, dict) else None, tuple(patients), images,
    )  # fmt: skip


def _check_links(record: PatientRecord, where: str) -> None:
    """The bundle's own ids hold together: each assessment and photo numbered once, each link pointing to one."""
    assessments = [a.id for a in record.assessments]
    photos = [p.id for p in record.photos]
    for kind, ids in (("assessment", assessments), ("photo", photos)):
        if None in ids or len(set(ids)) != len(ids):
            raise BadRecord(f"{where}: every {kind} needs an id of its own")
    if any(p.assessment_id is not None and p.assessment_id not in assessments for p in record.photos):
        raise BadRecord(f"{where}: a photo is linked to an assessment the bundle does not hold")
    if any(i not in photos for c in record.comparisons for i in c.photo_ids):
        raise BadRecord(f"{where}: a comparison shows a photo the bundle does not hold")


def _thumbnail(data: bytes, width: int, height: int, member: str) -> bytes:
    """The photo's thumbnail, made from its pixels: proof that they are the image the record describes."""
    if width * height > ImageLimits().max_pixels:
        raise BadRecord(f"{member} has more pixels than a photo may have")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ("JPEG", "PNG") or image.size != (width, height):
                    raise BadRecord(f"{member} is not the {width}×{height} JPEG or PNG its record describes")
                image.load()
                return thumbnail_of(image)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise BadRecord(f"{member} is not a readable image ({exc})") from exc


# ------------------------------------------------------------ placing the patients


@dataclass(frozen=True)
class Placed:
    """One patient as they will be stored: dates moved to this series' cut-off, study ID, provenance."""

    bundle: Bundle
    place: int  # in the bundle
    record: PatientRecord
    renamed_from: str | None  # the bundle's study ID, when it clashed and the centre's code was prefixed


@dataclass(frozen=True)
class ImportPlan:
    """What the import will write: new series settings (a new series only) and every patient."""

    settings: SeriesSettings | None
    analysis: dict[str, Any] | None
    patients: tuple[Placed, ...]


def plan_import(book: Casebook, bundles: Sequence[Bundle], now: datetime) -> ImportPlan:
    """Check the bundles against this series and place every patient; ``BundleRefused`` if any cannot go in."""
    series = book.settings()
    fresh = series.cutoff is None and book.is_empty()
    settings, cutoff = _new_settings(series, bundles) if fresh else _existing_settings(series, bundles)
    names = _study_ids(book, bundles)
    placed = []
    for bundle in bundles:
        for place, record in enumerate(bundle.patients):
            source = record.patient.study_id
            study_id = names[(bundle.path, place)]
            provenance = Provenance(bundle.centre, bundle.series_name, source, bundle.path.name, now)
            patient = replace(record.patient, study_id=study_id, provenance=provenance)
            shown = moved(replace(record, patient=patient), (cutoff - bundle.cutoff).days)
            placed.append(Placed(bundle, place, shown, source if study_id != source else None))
    _check_photos(book, placed)
    _validate(placed, book.today())
    return ImportPlan(settings if fresh else None, bundles[0].analysis if fresh else None, tuple(placed))


def _new_settings(series: SeriesSettings, bundles: Sequence[Bundle]) -> tuple[SeriesSettings, date]:
    """A new series: the bundles' index drug (they must agree), the latest of their cut-offs, their name."""
    drugs = {b.index_drug.strip().casefold(): b.index_drug.strip() for b in bundles}
    if len(drugs) > 1:
        raise BundleRefused(
            f"The bundles judge their series against different index drugs ({', '.join(drugs.values())}): "
            "import only bundles of the same index drug into one series."
        )
    name = series.name
    if not name.strip() or name == SeriesSettings().name:
        centres = ", ".join(dict.fromkeys(b.centre for b in bundles))
        name = bundles[0].series_name if len(bundles) == 1 else f"Pooled case series: {centres}"
    cutoff = max(b.cutoff for b in bundles)
    (drug,) = drugs.values()
    return SeriesSettings(
        name.strip() or "Pooled case series", cutoff, drug, all(b.synthetic for b in bundles)
    ), cutoff


def _existing_settings(series: SeriesSettings, bundles: Sequence[Bundle]) -> tuple[SeriesSettings, date]:
    if series.cutoff is None:
        raise BundleRefused(
            "This series has no data cut-off (it is judged at today's date). Pooled patients are placed "
            "relative to the cut-off: set it in Series settings, then import again."
        )
    for bundle in bundles:
        if bundle.index_drug.strip().casefold() != series.index_drug.strip().casefold():
            raise BundleRefused(
                f"{bundle.path.name}: its series is judged against {bundle.index_drug}, this one against "
                f"{series.index_drug}: pooled patients must share the index drug."
            )
    return series, series.cutoff


def _study_ids(book: Casebook, bundles: Sequence[Bundle]) -> dict[tuple[Path, int], str]:
    """Each incoming patient's study ID: as in the bundle, or prefixed with the centre's code where it
    clashes (with a patient here or another incoming one)."""
    stored = book.patients()
    _refuse_reimport(stored, bundles)
    incoming = Counter(r.patient.study_id.casefold() for b in bundles for r in b.patients)
    taken = {p.study_id.casefold() for p in stored}
    names: dict[tuple[Path, int], str] = {}
    for bundle in bundles:
        for place, record in enumerate(bundle.patients):
            source = record.patient.study_id
            clash = source.casefold() in taken or incoming[source.casefold()] > 1
            names[(bundle.path, place)] = f"{bundle.centre}-{source}" if clash else source
    used = Counter(name.casefold() for name in names.values())
    for (path, _), name in names.items():
        if used[name.casefold()] > 1 or name.casefold() in taken:
            raise BundleRefused(
                f"{path.name}: study ID {name} would be used twice, even with the centre's code."
            )
    return names


def _refuse_reimport(stored: Sequence[Patient], bundles: Sequence[Bundle]) -> None:
    """A patient of a centre imported before is not imported again (a newer bundle replaces nothing by itself)."""
    earlier = {
        (p.provenance.centre.casefold(), p.provenance.source_study_id.casefold()): p
        for p in stored
        if p.provenance
    }
    for bundle in bundles:
        for record in bundle.patients:
            source = record.patient.study_id
            before = earlier.get((bundle.centre.casefold(), source.casefold()))
            if before is not None and before.provenance is not None:
                raise BundleRefused(
                    f"{bundle.path.name}: {source} of centre {bundle.centre} is already in this series (as "
                    f"{before.study_id}, from {before.provenance.bundle_file}): delete those patients first "
                    "to import a newer bundle."
                )


def _check_photos(book: Casebook, placed: Sequence[Placed]) -> None:
    """The same picture may be stored once: refuse a bundle whose photo is already here, or in another bundle."""
    seen = {p.sha256: f"this series (photo {p.id})" for p in book.photos()}
    for item in placed:
        for photo in item.record.photos:
            if photo.sha256 in seen:
                raise BundleRefused(
                    f"{item.bundle.path.name}: a photo of {item.record.patient.study_id} is already in {seen[photo.sha256]}."
                )
            seen[photo.sha256] = f"{item.bundle.path.name} ({item.record.patient.study_id})"


def _validate(placed: Sequence[Placed], today: date) -> None:
    """The same rules as the forms, on every record as it will be stored; all problems named at once."""
    found = []
    for item in placed:
        record = item.record
        problems: list[Problem] = validate_patient(record.patient, today)
        problems += [p for c in record.courses for p in validate_course(c, today)]
        problems += [p for a in record.assessments for p in validate_assessment(a, today)]
        problems += [p for e in record.adverse_events for p in validate_adverse_event(e, today)]
        problems += [p for ph in record.photos for p in validate_photo(ph, today)]
        problems += [p for c in record.comparisons for p in validate_comparison(c)]
        found += [f"{item.bundle.path.name}: {record.patient.study_id}: {p.message}" for p in problems]
    if found:
        raise BundleRefused(
            "Nothing was imported: " + "; ".join(found[:10]) + (" …" if len(found) > 10 else "")
        )


# ------------------------------------------------------------ writing


def write_plan(book: Casebook, plan: ImportPlan) -> None:
    """Store the whole plan in one transaction: all of it, or (on any error) none of it. The patients and
    their records go in together (``add_many``), then each patient's photos, linked to the new ids."""
    try:
        with book.batch():
            if plan.settings is not None:
                book.save_settings(plan.settings)
                save_settings(book, settings_from_json(plan.analysis, plan.settings.index_drug))
            stored = book.add_many([_new(item.record) for item in plan.patients])
            for item, record in zip(plan.patients, stored, strict=True):
                assert isinstance(record, PatientRecord)
                _store_photos(book, item, record)
    except ValidationError as exc:
        raise BundleRefused(f"Nothing was imported: {exc}") from exc


def _new(record: PatientRecord) -> PatientRecord:
    """A bundle's patient as a new patient's record for ``add_many`` (no ids; photos stored after)."""

    def owned(item: _Owned) -> _Owned:
        return replace(item, patient_id=0, id=None)

    return PatientRecord(
        replace(record.patient, id=None),
        courses=tuple(map(owned, record.courses)),
        assessments=tuple(map(owned, record.assessments)),
        adverse_events=tuple(map(owned, record.adverse_events)),
    )


def _store_photos(book: Casebook, item: Placed, stored: PatientRecord) -> None:
    """A bundle patient's photos and comparisons, linked to the assessments as stored (same order)."""
    record, patient_id = item.record, stored.patient.id or 0
    assessments = {a.id: s.id for a, s in zip(record.assessments, stored.assessments, strict=True)}
    photos = {}
    for photo in record.photos:
        image, thumbnail = item.bundle.images[(item.place, photo.id or 0)]
        linked = assessments.get(photo.assessment_id) if photo.assessment_id is not None else None
        saved = book.restore_photo(
            replace(photo, patient_id=patient_id, assessment_id=linked, id=None), image, thumbnail
        )
        photos[photo.id] = saved.id or 0
    for comparison in record.comparisons:
        book.save_comparison(
            PhotoComparison(patient_id, comparison.name, tuple(photos[i] for i in comparison.photo_ids))
        )


# ------------------------------------------------------------ the use case


@dataclass(frozen=True)
class BundleImport:
    """What ``import_bundles`` stored: where, whether it started the series, and every patient placed."""

    location: str
    created: bool
    settings: SeriesSettings
    patients: tuple[Placed, ...]

    def lines(self) -> list[str]:
        out = []
        for path in dict.fromkeys(p.bundle.path for p in self.patients):
            placed = [p for p in self.patients if p.bundle.path == path]
            bundle = placed[0].bundle
            out.append(
                f"{path.name}: {len(placed)} patients from centre {bundle.centre} (series “{bundle.series_name}”)"
            )
            out += [
                f"  {p.renamed_from} stored as {p.record.patient.study_id}: study ID {p.renamed_from} was already used"
                for p in placed
                if p.renamed_from
            ]
        made = "Started a new series" if self.created else "Imported into"
        out.append(
            f"{made} {self.location}: data cut-off {self.settings.cutoff}, index drug {self.settings.index_drug}."
        )
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.location, "created": self.created,
            "cutoff": str(self.settings.cutoff), "index_drug": self.settings.index_drug,
            "patients": [
                {
                    "bundle": p.bundle.path.name, "centre": p.bundle.centre,
                    "source_study_id": p.renamed_from or p.record.patient.study_id,
                    "study_id": p.record.patient.study_id, "renamed": p.renamed_from is not None,
                }
                for p in self.patients
            ],
        }  # fmt: skip


def read_bundles(files: Sequence[Path]) -> list[Bundle]:
    """Every bundle read and checked; if any is refused, one message names each refused file and why."""
    if not files:
        raise BundleRefused("Name at least one bundle file to import.")
    bundles, refused = [], []
    for path in files:
        try:
            bundles.append(read_bundle(Path(path)))
        except BundleRefused as exc:
            refused.append(str(exc))
    if refused:
        raise BundleRefused("Nothing was imported. " + " | ".join(refused))
    return bundles


def import_bundles(book: Casebook, files: Sequence[Path], *, created: bool = False) -> BundleImport:
    """Merge the bundle files into ``book``'s series in one transaction, or refuse them all."""
    return _merge(book, read_bundles(files), created)


def _merge(book: Casebook, bundles: Sequence[Bundle], created: bool) -> BundleImport:
    plan = plan_import(book, bundles, datetime.now(UTC).replace(microsecond=0))
    write_plan(book, plan)
    return BundleImport(book.location, created, book.settings(), plan.patients)


def import_into(
    location: Path | str, files: Sequence[Path], today: Callable[[], date] = date.today
) -> BundleImport:
    """``import_bundles`` into a database file or server; a file that does not exist yet becomes a new
    series there, and is removed again if the import is refused."""
    bundles = read_bundles(files)  # a refused bundle creates no file
    created = isinstance(location, Path) and not location.exists()
    book = (
        Casebook.connect(location, today=today)
        if isinstance(location, str)
        else Casebook.open(location, today=today)
    )
    try:
        return _merge(book, bundles, created)
    except BaseException:
        book.close()
        if created and isinstance(location, Path):
            for leftover in (location, *(location.with_name(location.name + s) for s in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
        raise
    finally:
        book.close()
