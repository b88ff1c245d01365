"""The case-bundle file: a zip of ``manifest.json`` (with every member's SHA-256), ``records.json`` (plain
JSON records) and ``photos/<sha256>.<ext>``; checked member by member on reading, refused whole when damaged.
Also the one rule that moves a patient's dates in time (the export's shift, the import's re-anchoring)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import typing
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, overload

from ..domain.dates import PartialDate
from ..domain.records import (
    AdverseEvent,
    Assessment,
    MedicationCourse,
    Patient,
    PatientRecord,
    Photo,
    PhotoComparison,
)
from ..store import BUNDLE_SUFFIX
from ..store.imaging import ImageLimits
from ..store.series_file import known_revisions

FORMAT = 1  # the layout of manifest.json and records.json; a reader refuses a larger number
KIND = "MyoCase case bundle"
SUFFIX = BUNDLE_SUFFIX  # not ".myocase": that names a series database (packaging/README.md)
MANIFEST, RECORDS = "manifest.json", "records.json"
MAX_RECORDS_BYTES = 256 * 1024 * 1024
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CENTRE_PATTERN = re.compile(r"^[A-Za-z0-9]{2,12}$")
CENTRE_RULE = "2 to 12 letters or digits, for example LYON or C03"
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png"}
_DROPPED = {"patient_id", "provenance"}  # the importing series sets these


class BundleRefused(Exception):
    """A bundle that cannot be written or read; the message names the file and the reason. Nothing was written."""


# ------------------------------------------------------------ dates


@overload
def moved_partial(value: PartialDate, days: int, *, by_end: bool = False) -> PartialDate: ...
@overload
def moved_partial(value: None, days: int, *, by_end: bool = False) -> None: ...
def moved_partial(value: PartialDate | None, days: int, *, by_end: bool = False) -> PartialDate | None:
    """A partial date moved by ``days``, keeping its precision: the period holding its moved first day
    (``by_end``: its moved last day). A day-precision date moves exactly; a month or year can only land
    on a whole period, so a start never moves later and a stop never earlier than the shift."""
    if value is None:
        return None
    anchor = value.latest() if by_end else value.earliest()
    return PartialDate(anchor + timedelta(days=days), value.precision)


def _day(value: date | None, days: int) -> date | None:
    return None if value is None else value + timedelta(days=days)


def moved(record: PatientRecord, days: int) -> PatientRecord:
    """Every date of one patient moved by the same ``days``: intervals between them are kept to the day
    (partial dates to their period, see ``moved_partial``)."""
    patient = record.patient
    antibodies = tuple(replace(a, tested_on=_day(a.tested_on, days)) for a in patient.antibodies)
    return replace(
        record,
        patient=replace(
            patient, diagnosis_date=moved_partial(patient.diagnosis_date, days), antibodies=antibodies
        ),
        courses=tuple(
            replace(c, start=moved_partial(c.start, days), stop=moved_partial(c.stop, days, by_end=True))
            for c in record.courses
        ),
        assessments=tuple(
            replace(a, assessed_on=a.assessed_on + timedelta(days=days)) for a in record.assessments
        ),
        adverse_events=tuple(
            replace(e, onset=e.onset + timedelta(days=days), resolution=_day(e.resolution, days))
            for e in record.adverse_events
        ),
        photos=tuple(replace(p, taken_on=_day(p.taken_on, days)) for p in record.photos),
    )


# ------------------------------------------------------------ records as plain JSON


def plain(value: Any) -> Any:
    """A record as JSON values: dates ISO, partial dates as written ("2019", "2019-03"), codes by value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, PartialDate)):
        return str(value)
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value) if f.name not in _DROPPED}
    return value


def record_json(record: PatientRecord, photo_files: Mapping[int, str]) -> dict[str, Any]:
    """One patient's entry of records.json (``photo_files``: each photo's member name by photo id)."""
    return {
        "patient": {k: v for k, v in plain(record.patient).items() if k != "id"},
        "courses": [{k: v for k, v in plain(c).items() if k != "id"} for c in record.courses],
        "assessments": [plain(a) for a in record.assessments],
        "adverse_events": [{k: v for k, v in plain(e).items() if k != "id"} for e in record.adverse_events],
        "photos": [{**plain(p), "file": photo_files[p.id or 0]} for p in record.photos],
        "comparisons": [{"name": c.name, "photo_ids": list(c.photo_ids)} for c in record.comparisons],
    }


class BadRecord(ValueError):
    """A value of records.json that does not fit its field."""


def _value(hint: Any, raw: Any, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (UnionType, typing.Union):
        if raw is None and NoneType in args:
            return None
        (hint,) = [a for a in args if a is not NoneType]
        return _value(hint, raw, where)
    if origin is tuple:
        if not isinstance(raw, list) or (Ellipsis not in args and len(raw) != len(args)):
            raise BadRecord(f"{where}: expected a list")
        kinds = [args[0]] * len(raw) if Ellipsis in args else list(args)
        return tuple(_value(k, r, where) for k, r in zip(kinds, raw, strict=True))
    if hint is PartialDate:
        return PartialDate.parse(_typed(str, raw, where))
    if hint is date:
        return date.fromisoformat(_typed(str, raw, where))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if is_dataclass(hint):
        return decode(hint, raw, where)  # type: ignore[arg-type]
    if hint is float:
        return float(_typed((int, float), raw, where))
    return _typed(hint, raw, where)


def _typed(kind: Any, raw: Any, where: str) -> Any:
    if isinstance(raw, bool) and kind is not bool:
        raise BadRecord(f"{where}: expected {getattr(kind, '__name__', 'a number')}, found true/false")
    if not isinstance(raw, kind):
        raise BadRecord(f"{where}: expected {getattr(kind, '__name__', 'a number')}, found {raw!r:.40}")
    return raw


def decode(cls: type[Any], data: Any, where: str, **given: Any) -> Any:
    """A record from its plain JSON (the fields it lacks take their defaults); ``BadRecord`` names what does not fit."""
    if not isinstance(data, dict):
        raise BadRecord(f"{where}: expected an object")
    hints = typing.get_type_hints(cls)
    values = dict(given)
    for f in fields(cls):
        if f.name in data and f.name not in given and f.name not in _DROPPED:
            try:
                values[f.name] = _value(hints[f.name], data[f.name], f"{where} {f.name}")
            except BadRecord:
                raise
            except (ValueError, TypeError) as exc:
                raise BadRecord(f"{where} {f.name}: {exc}") from exc
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise BadRecord(f"{where}: {exc}") from exc


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise BadRecord(f"{where} {key}: expected a list")
    return items


_OWNED: dict[
    str, tuple[type[Any], str]
] = {  # a patient's records in records.json: class, and what a message calls one
    "courses": (MedicationCourse, "course"),
    "assessments": (Assessment, "assessment"),
    "adverse_events": (AdverseEvent, "adverse event"),
    "photos": (Photo, "photo"),
    "comparisons": (PhotoComparison, "comparison"),
}


def patient_from_json(data: Any, where: str) -> tuple[PatientRecord, dict[int, str]]:
    """One patient back (patient id 0, assessments and photos with the bundle's own ids) and each photo's
    member name by photo id."""
    if not isinstance(data, dict):
        raise BadRecord(f"{where}: expected an object")
    owned: dict[str, Any] = {
        key: tuple(decode(cls, item, f"{where} {name}", patient_id=0) for item in _list(data, key, where))
        for key, (cls, name) in _OWNED.items()
    }
    files = {
        photo.id or 0: _typed(str, raw.get("file"), f"{where} photo file")
        for photo, raw in zip(owned["photos"], _list(data, "photos", where), strict=True)
    }
    return replace(PatientRecord(decode(Patient, data.get("patient"), f"{where} patient")), **owned), files


# ------------------------------------------------------------ the zip


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def photo_member(photo: Photo) -> str:
    return f"photos/{photo.sha256}{EXTENSIONS.get(photo.media_type, '.jpg')}"


def write_zip(
    path: Path, manifest: dict[str, Any], records: dict[str, Any], photos: Mapping[str, bytes]
) -> None:
    """The bundle written beside ``path`` and moved into place only when complete; the manifest lists the
    SHA-256 of every other member."""
    body = json.dumps(records, ensure_ascii=False, indent=1).encode()
    manifest = {**manifest, "members": {RECORDS: sha256(body), **{n: sha256(d) for n, d in photos.items()}}}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w") as archive:
            _add(
                archive,
                MANIFEST,
                json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
                zipfile.ZIP_DEFLATED,
            )
            _add(archive, RECORDS, body, zipfile.ZIP_DEFLATED)
            for name, data in photos.items():  # JPEG and PNG are compressed already
                _add(archive, name, data, zipfile.ZIP_STORED)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _add(archive: zipfile.ZipFile, name: str, data: bytes, compression: int) -> None:
    """A member stamped 1980-01-01 (the zip's earliest time), not the time of writing: that could date the
    bundle, and with it the shift."""
    archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), data, compression)


@dataclass(frozen=True)
class RawBundle:
    """A bundle's members, every checksum verified, the manifest checked."""

    path: Path
    manifest: dict[str, Any]
    records: dict[str, Any]
    photos: dict[str, bytes]


def read_zip(path: Path) -> RawBundle:
    """Open and verify one bundle file; ``BundleRefused`` (naming the file and the reason) if anything is wrong."""
    try:
        if _is_database(path):
            raise BundleRefused("it is a case-series database, not a bundle: write a bundle from it first")
        with zipfile.ZipFile(path) as archive:
            manifest = _manifest(_json(_member(archive, MANIFEST, 1024 * 1024), MANIFEST))
            members: dict[str, str] = manifest["members"]
            extra = sorted(set(archive.namelist()) - set(members) - {MANIFEST})
            if extra:
                raise BundleRefused(f"it holds members its manifest does not list ({', '.join(extra[:3])})")
            contents = {}
            for name, expected in members.items():
                data = _member(
                    archive, name, MAX_RECORDS_BYTES if name == RECORDS else ImageLimits().max_bytes
                )
                if sha256(data) != expected:
                    raise BundleRefused(f"{name} does not match its checksum: the file is damaged")
                contents[name] = data
    except BundleRefused as exc:
        raise BundleRefused(f"{path.name}: {exc}") from exc
    except FileNotFoundError as exc:
        raise BundleRefused(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise BundleRefused(f"{path}: a folder, not a bundle file") from exc
    except PermissionError as exc:
        raise BundleRefused(f"{path}: cannot be read ({exc.strerror})") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise BundleRefused(
            f"{path.name}: not a readable bundle (a damaged or incomplete zip file: {exc})"
        ) from exc
    try:
        records = _json(contents.pop(RECORDS), RECORDS)
    except BundleRefused as exc:
        raise BundleRefused(f"{path.name}: {exc}") from exc
    if not isinstance(records, dict):
        raise BundleRefused(f"{path.name}: {RECORDS} is not a JSON object")
    return RawBundle(path, manifest, records, contents)


def _is_database(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def _member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise BundleRefused(
            f"it has no {name}: it is not a MyoCase case bundle, or it is incomplete"
        ) from None
    if info.file_size > limit:
        raise BundleRefused(f"{name} is larger than a bundle member may be ({info.file_size} bytes)")
    return archive.read(info)


def _json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleRefused(f"{name} is not valid JSON ({exc})") from exc


def _manifest(manifest: Any) -> dict[str, Any]:
    """The manifest, checked: its kind, a format and schema this MyoCase reads, a centre code and the members."""
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        raise BundleRefused(f"{MANIFEST} does not describe a MyoCase case bundle")
    number = manifest.get("format")
    if not isinstance(number, int) or isinstance(number, bool):
        raise BundleRefused(f"{MANIFEST} has no format number")
    if number > FORMAT or manifest.get("schema_version") not in known_revisions():
        raise BundleRefused(
            f"it was written by a newer MyoCase (bundle format {number}, schema "
            f"{manifest.get('schema_version')}); install that version or newer to import it"
        )
    centre = manifest.get("centre")
    if not isinstance(centre, str) or not CENTRE_PATTERN.match(centre):
        raise BundleRefused(f"{MANIFEST} has no valid centre code ({CENTRE_RULE})")
    if not isinstance(manifest.get("series_name"), str):
        raise BundleRefused(f"{MANIFEST} has no series name")
    members = manifest.get("members")
    if (
        not isinstance(members, dict)
        or RECORDS not in members
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in members.items())
    ):
        raise BundleRefused(f"{MANIFEST} does not list the members' checksums")
    return manifest
