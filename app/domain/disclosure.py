"""The one rule for what leaves MyoCase. Every export (the PDF, photo files and their names,
statistics, plot images, and every export added later) asks a ``Disclosure`` what a text,
a date, an age or a photo may say.

De-identified (the default):

- identifiers (name, record number, date of birth) and the year of birth are left out;
- every free-text field is cleaned (``scrub``): every patient's name, record number and date
  of birth in any common written form, and any calendar date finer than the year;
- dates are shown by each patient's ``Clock``: as days from day 0 (the default), or shifted
  by a secret per-patient offset of 1–364 days (REDCap's practice) with the data cut-off
  shifted alike, so no shown date lies past the shown cut-off and nothing real can be
  subtracted; the real cut-off and the generation date are not shown;
- ages of 90 and over are shown as "≥ 90" (HIPAA Safe Harbor);
- photos marked identifiable leave only when cropped.

Identified (asked for explicitly): everything as recorded, real dates unless days are asked for.

``FIELD_POLICY`` decides, for every field of every record that can leave, which of these
applies; ``record`` applies it. A test walks the data model so that a field added later
without a decision fails.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, is_dataclass, replace
from datetime import date
from typing import Any, TypeVar

from .annotations import Crop, Shape
from .cdasi import CdasiGrid, Mmt8Scores
from .clock import Clock, DateMode
from .measures import MEASURES, Policy
from .records import (
    AdverseEvent,
    AntibodyResult,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    Photo,
    PhotoComparison,
    Provenance,
    SeriesSettings,
)
from .scrub import DATE_REMOVED, REMOVED, Hit, RememberingScrubber, Scrubber

OLDEST_SHOWN_AGE = 90  # ages from here up are shown as "≥ 90"

_Read = TypeVar(
    "_Read", Patient, MedicationCourse, Assessment, AdverseEvent
)  # a record read with some fields

_K, _T, _D, _R = Policy.KEEP, Policy.TEXT, Policy.DATE, Policy.RECORDS

FIELD_POLICY: dict[type[Any], dict[str, Policy]] = {
    PatientRecord: {
        "patient": _R, "identifiers": Policy.IDENTIFIER, "courses": _R, "assessments": _R,
        "adverse_events": _R, "photos": _R, "comparisons": _R, "photo_data": Policy.PIXELS,
    },
    Patient: {
        "study_id": _T, "subtype": _K, "sex": _K, "birth_year": Policy.BIRTH_YEAR,
        "age_at_onset": Policy.AGE, "diagnosis_date": _D, "antibodies": _R, "ild": _K,
        "malignancy": _K, "vignette": _T, "id": _K, "version": _K, "provenance": _R,
    },
    # a pooled patient's centre may be shown (Table 1); the bundle's file name and the import time may not
    Provenance: {
        "centre": _T, "series_name": _T, "source_study_id": _T, "bundle_file": Policy.IDENTIFIER,
        "imported_at": Policy.IDENTIFIER,
    },
    AntibodyResult: {"antibody": _T, "status": _K, "tested_on": _D},
    Identifiers: {
        "patient_id": _K, "full_name": Policy.IDENTIFIER, "mrn": Policy.IDENTIFIER,
        "date_of_birth": Policy.IDENTIFIER,
    },
    MedicationCourse: {
        "patient_id": _K, "drug": _T, "drug_class": _K, "start": _D, "stop": _D, "stop_reason": _K,
        "dose": _K, "unit": _T, "frequency": _T, "notes": _T, "id": _K, "version": _K,
    },
    Assessment: {
        "patient_id": _K, "assessed_on": _D,
        **{m.field: m.policy for m in MEASURES},  # the registry decides each measure,
        **{c: m.policy for m in MEASURES for c in m.companions},  # and its ULN or maximum alike
        "notes": _T, "cdasi_grid": _R, "mmt8_groups": _R, "id": _K, "version": _K,
    },
    CdasiGrid: {
        "sites": _K, "gottron_erythema": _K, "gottron_papules": _K, "gottron_ulceration": _K,
        "gottron_damage": _K, "periungual": _K, "alopecia": _K,
    },
    Mmt8Scores: {"right": _K, "left": _K},
    AdverseEvent: {
        "patient_id": _K, "term": _T, "grade": _K, "onset": _D, "resolution": _D, "serious": _K,
        "suspected_drug": _T, "action": _K, "outcome": _K, "notes": _T, "id": _K, "version": _K,
    },
    Photo: {
        "patient_id": _K, "sha256": _K, "media_type": _K, "width": _K, "height": _K, "taken_on": _D,
        "assessment_id": _K, "body_site": _T, "caption": _T, "consent": _K, "identifiable": _K,
        "in_report": _K, "annotations": _R, "crop": _R, "id": _K, "version": _K,
    },
    Shape: {"kind": _K, "points": _K, "colour": _K, "text": _T, "width": _K},
    Crop: {"left": _K, "top": _K, "right": _K, "bottom": _K},
    PhotoComparison: {"patient_id": _K, "name": _T, "photo_ids": _K, "id": _K, "version": _K},
    SeriesSettings: {"name": _T, "cutoff": _D, "index_drug": _T, "is_demo": _K},
}  # fmt: skip

# What a message calls each kind of record.
RECORD_NAMES: dict[type[Any], str] = {
    Patient: "patient",
    AntibodyResult: "antibody result",
    MedicationCourse: "medication course",
    Assessment: "assessment",
    AdverseEvent: "adverse event",
    Photo: "photo",
    Shape: "photo annotation",
    PhotoComparison: "photo comparison",
    SeriesSettings: "series settings",
    Provenance: "provenance",
}


def date_offset(secret: str, patient_id: int) -> int:
    """The patient's shift in days (1–364, never 0: a shift of none would show the real dates), fixed for a
    given per-database secret."""
    digest = hmac.new(secret.encode(), str(patient_id).encode(), hashlib.sha256).digest()
    return 1 + int.from_bytes(digest[:8], "big") % 364


def file_safe(disclosed: str) -> str:
    """Already disclosed text made fit for a file name: letters, digits, dots, dashes, plus signs and
    underscores, with the removal marks spelled out."""
    named = disclosed.replace(DATE_REMOVED, "date-removed").replace(REMOVED, "removed")
    return re.sub(r"[^\w.+-]+", "_", named, flags=re.ASCII).strip("_.")


@dataclass(frozen=True)
class Disclosure:
    """What may leave: built once per export from every patient of the series."""

    identified: bool
    mode: DateMode
    index_drug: str
    cutoff: date
    scrubber: Scrubber
    clocks: Mapping[int, Clock]
    typed: tuple[
        tuple[str, str], ...
    ] = ()  # (where, text) of every free text as typed: to name a leak's field
    study_ids: Mapping[int, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        records: Sequence[PatientRecord],
        *,
        identified: bool = False,
        mode: DateMode = DateMode.INDEX_DAYS,
        index_drug: str,
        cutoff: date,
        secret: str = "",
        identifiers: Iterable[Identifiers] | None = None,
        remember: bool = False,
    ) -> Disclosure:
        """The rule for an export of (some of) ``records``: pass every patient of the series, or only those
        exported with every patient's ``identifiers``, so that each one's identifiers are removed from every
        other's text too. ``remember``: each distinct text is cleaned once (texts that repeat in a registry)."""
        if not identified and mode is DateMode.ACTUAL:
            mode = DateMode.INDEX_DAYS
        if mode is DateMode.SHIFTED and not secret:
            raise ValueError("Shifted dates need the series' secret.")
        if identifiers is None:
            identifiers = (r.identifiers for r in records if r.identifiers is not None)
        scrubber = RememberingScrubber(identifiers) if remember else Scrubber(identifiers)
        clocks = {
            r.patient.id or 0: Clock.of(
                r, mode, index_drug, cutoff, date_offset(secret, r.patient.id or 0) if secret else 0
            )
            for r in records
        }
        typed = tuple(place for r in records for place in text_fields(r))
        study_ids = {r.patient.id or 0: r.patient.study_id for r in records}
        return cls(identified, mode, index_drug, cutoff, scrubber, clocks, typed, study_ids)

    # ------------------------------------------------------------ what a value may say

    def text(self, value: str) -> str:
        """Free text as it may leave: cleaned unless identified."""
        return value if self.identified else self.scrubber.clean(value)

    def clock(self, patient_id: int | None) -> Clock:
        return self.clocks[patient_id or 0]

    def age(self, years: int | None) -> str:
        if years is None:
            return "–"
        return f"≥ {OLDEST_SHOWN_AGE}" if years >= OLDEST_SHOWN_AGE and not self.identified else str(years)

    def cutoff_text(self, patient_id: int | None) -> str:
        """The data cut-off on this patient's time scale ("day +412", or the (shifted) date)."""
        return self.clock(patient_id).show(self.cutoff)

    @property
    def shows_calendar(self) -> bool:
        """Whether calendar dates appear at all (real or shifted)."""
        return self.mode is not DateMode.INDEX_DAYS

    @property
    def shows_real_dates(self) -> bool:
        return self.mode is DateMode.ACTUAL

    def photo_allowed(self, photo: Photo) -> bool:
        """A photo marked identifiable leaves a de-identified export only cropped."""
        return self.identified or not photo.identifiable or photo.crop is not None

    def file_part(self, text: str) -> str:
        """Text for a file name: cleaned, then only letters, digits, dots, dashes and underscores."""
        return file_safe(self.text(text))

    # ------------------------------------------------------------ records

    def record(self, record: PatientRecord) -> PatientRecord:
        """The record as it may leave: every field as ``FIELD_POLICY`` decides."""
        return record if self.identified else _disclosed(record, self)

    def texts(self, value: _Read, *names: str) -> _Read:
        """``value`` (a record read with only some of its fields) with its free texts ``names`` as the rule
        lets them out; the same object when none changes. Refused for a name the rule treats otherwise."""
        policies = FIELD_POLICY[type(value)]
        changes: dict[str, Any] = {}
        for name in names:
            if policies[name] is not Policy.TEXT:
                raise ValueError(f"{type(value).__name__}.{name} is not free text to the rule")
            typed = getattr(value, name)
            if (shown := self.text(typed)) != typed:
                changes[name] = shown
        return replace(value, **changes) if changes else value

    def patient(self, patient: Patient) -> Patient:
        """The patient alone as it may leave (what ``record`` lets out of it, without the records around it)."""
        return patient if self.identified else _disclosed(patient, self)

    # ------------------------------------------------------------ checking an output

    def leaks(self, text: str) -> list[Hit]:
        """Identifiers in an outgoing text (and, when only days may be shown, calendar dates)."""
        if self.identified:
            return []
        return self.scrubber.find(text, dates=not self.shows_calendar)

    def describe(self, hit: Hit, *, extra: Mapping[str, str] | None = None) -> str:
        """A leak in words: what it is, whose, and the field(s) it was typed in."""
        whose = f" of {self.study_ids.get(hit.patient_id, 'a patient')}" if hit.patient_id is not None else ""
        needle = hit.text.casefold()
        places = [w for w, text in (*(extra or {}).items(), *self.typed) if needle in text.casefold()]
        typed = f", typed in {'; '.join(dict.fromkeys(places))}" if places else ""
        return f"{hit.kind.value}{whose} (“{hit.text}”){typed}"


def free_text_fields(kind: type[Any], names: Sequence[str]) -> tuple[str, ...]:
    """Which of the fields ``names`` a lean read of ``kind`` carries are free text to the rule (for
    ``Disclosure.texts``); refused when the rule would change any other (an identifier, an age: a lean read
    that lets out only its texts must not carry it)."""
    policies = FIELD_POLICY[kind]
    changed = [name for name in names if policies[name] not in (Policy.KEEP, Policy.DATE, Policy.TEXT)]
    if changed:
        raise ValueError(f"{kind.__name__}: {', '.join(changed)} would be changed by the rule, not only read")
    return tuple(name for name in names if policies[name] is Policy.TEXT)


def _apply(policy: Policy, value: Any, disclosure: Disclosure) -> Any:
    if policy is Policy.TEXT:
        return disclosure.text(value)
    if policy in (Policy.IDENTIFIER, Policy.BIRTH_YEAR):
        return None
    if policy is Policy.AGE:
        return None if value is None else min(value, OLDEST_SHOWN_AGE)
    if policy is Policy.PIXELS:
        return {}
    if policy is Policy.RECORDS:
        if isinstance(value, tuple):
            return tuple(_disclosed(v, disclosure) for v in value)
        return None if value is None else _disclosed(value, disclosure)
    return value  # KEEP and DATE: the clock shows dates


def _disclosed(value: Any, disclosure: Disclosure) -> Any:
    policy = FIELD_POLICY[type(value)]
    changes = {
        name: _apply(rule, getattr(value, name), disclosure)
        for name, rule in policy.items()
        if rule not in (Policy.KEEP, Policy.DATE)
    }
    if isinstance(value, Patient) and value.age_at_onset is None:  # derived while the year of birth is known
        changes["age_at_onset"] = _apply(policy.get("age_at_onset", Policy.KEEP), value.onset_age, disclosure)
    return replace(value, **changes)


def text_fields(value: Any, owner: str = "") -> Iterator[tuple[str, str]]:
    """(where, text) for every free-text field of a record and the records inside it."""
    if not is_dataclass(value) or isinstance(value, type):
        return
    record_name = RECORD_NAMES.get(type(value))
    if isinstance(value, PatientRecord):
        owner = value.patient.study_id
    for attribute, rule in FIELD_POLICY.get(type(value), {}).items():
        content = getattr(value, attribute)
        if rule is Policy.TEXT and content:
            label = " ".join(filter(None, (record_name, attribute.replace("_", " "))))
            yield (f"{owner}: {label}" if owner else label), content
        elif rule is Policy.RECORDS:
            for item in content if isinstance(content, tuple) else (content,):
                yield from text_fields(item, owner)
