"""The one set of rules every record passes before it is stored.

Forms call these as the user types; the storage facade calls them again before any
write, so an importer or script gets the same messages. Each problem names its field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from .dates import PartialDate
from .limits import TEXT_LIMITS
from .records import (
    AdverseEvent,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    Photo,
    PhotoComparison,
    SeriesSettings,
)
from .scales import ENZYME_FIELDS, MMT8_MAXIMA, SCALES, ULN_SUFFIX, readable
from .vocab import CTCAE_GRADES, AeAction, AeOutcome, DrugClass, Subtype


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


class ValidationError(ValueError):
    """A record broke one or more rules; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))

    def for_field(self, name: str) -> str | None:
        return next((p.message for p in self.problems if p.field == name), None)


MAX_DOSE = 100_000  # in any unit: a typing slip beyond this
MAX_ULN = 100_000  # U/L
STUDY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def _not_future(problems: list[Problem], name: str, label: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        problems.append(Problem(name, f"{label} ({value}) is in the future: today is {today}."))


def _partial_not_future(
    problems: list[Problem], name: str, label: str, value: PartialDate | None, today: date
) -> None:
    if value is not None and value.earliest() > today:
        problems.append(Problem(name, f"{label} ({value}) is in the future: today is {today}."))


def text_problems(record: object, field: str | None = None) -> list[Problem]:
    """A problem for each text of ``record`` longer than the database holds (``limits``), the same on every
    dialect; ``field`` names them all instead (a part of a larger record, as a patient's antibody result)."""
    problems: list[Problem] = []
    for name, limit in TEXT_LIMITS.get(type(record), {}).items():
        value = getattr(record, name)
        if isinstance(value, str) and len(value) > limit.length:
            message = f"{limit.label} must be at most {limit.length} characters (this one has {len(value)})."
            problems.append(Problem(field or name, message))
    return problems


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


def validate_patient(patient: Patient, today: date) -> list[Problem]:
    problems = text_problems(patient)
    study_id = patient.study_id.strip()
    if not study_id:
        problems.append(Problem("study_id", "Study ID is required (for example MYO-01)."))
    elif not STUDY_ID_PATTERN.match(study_id) and not problems:  # not when only too long (said above)
        problems.append(
            Problem(
                "study_id",
                "Study ID may hold letters, digits, '.', '_' and '-' only (at most 32), "
                "and must start with a letter or digit: it identifies the case, not the person.",
            )
        )
    if not isinstance(patient.subtype, Subtype):  # a form left on "choose", an importer's blank
        problems.append(Problem("subtype", "Choose the diagnosis subtype (Other if none fits)."))
    if patient.birth_year is not None and not 1900 <= patient.birth_year <= today.year:
        problems.append(Problem("birth_year", f"Year of birth must be between 1900 and {today.year}."))
    if patient.age_at_onset is not None and not 0 <= patient.age_at_onset <= 120:
        problems.append(Problem("age_at_onset", "Age at onset must be between 0 and 120 years."))
    _partial_not_future(problems, "diagnosis_date", "Diagnosis date", patient.diagnosis_date, today)
    if (
        patient.diagnosis_date is not None
        and patient.birth_year is not None
        and patient.diagnosis_date.value.year < patient.birth_year
    ):
        problems.append(Problem("diagnosis_date", "Diagnosis date is before the year of birth."))
    if patient.provenance is not None:
        problems += text_problems(patient.provenance, "provenance")
    seen: set[str] = set()
    for result in patient.antibodies:
        problems += text_problems(result, "antibodies")
        if result.antibody in seen:
            problems.append(Problem("antibodies", f"{result.antibody} is listed twice."))
        seen.add(result.antibody)
        _not_future(problems, "antibodies", f"{result.antibody} test date", result.tested_on, today)
    return problems


def validate_identifiers(identifiers: Identifiers, today: date) -> list[Problem]:
    problems = text_problems(identifiers)
    _not_future(problems, "date_of_birth", "Date of birth", identifiers.date_of_birth, today)
    return problems


def validate_course(course: MedicationCourse, today: date) -> list[Problem]:
    problems = text_problems(course)
    if not course.drug.strip():
        problems.append(Problem("drug", "Drug is required."))
    if not isinstance(course.drug_class, DrugClass):
        problems.append(Problem("drug_class", "Choose the drug class (Other if none fits)."))
    _partial_not_future(problems, "start", "Start date", course.start, today)
    _partial_not_future(problems, "stop", "Stop date", course.stop, today)
    if course.stop is not None and course.stop.latest() < course.start.earliest():
        problems.append(Problem("stop", f"Stop date is before the start date ({course.start})."))
    if course.stop is not None and course.stop_reason is None:
        problems.append(Problem("stop_reason", "Say why the course stopped, or clear the stop date."))
    if course.stop is None and course.stop_reason is not None:
        problems.append(Problem("stop", "A stopped course needs its stop date (a year is enough)."))
    if course.dose is not None and not 0 < course.dose <= MAX_DOSE:
        problems.append(Problem("dose", f"Dose must be above 0 and at most {readable(MAX_DOSE)}."))
    if course.dose is not None and not course.unit.strip():
        problems.append(Problem("unit", "Give the unit of the dose (for example mg)."))
    return problems


def _check_scale(problems: list[Problem], name: str, value: float | None, high: float | None = None) -> None:
    if value is not None and (message := SCALES[name].problem(value, high)) is not None:
        problems.append(Problem(name, message))


# the scales checked on their own (the MMT-8 total against its maximum, below), and what reads their values
_RANGED = tuple((name, scale) for name, scale in SCALES.items() if name != "mmt8_total")
_read_ranged = attrgetter(*(name for name, _ in _RANGED))
# each enzyme recorded with its lab's upper limit of normal: (the ULN's field, the enzyme's label), and what
# reads the value and ULN of each
_ENZYMES = tuple((enzyme + ULN_SUFFIX, SCALES[enzyme].label) for enzyme in ENZYME_FIELDS)
_read_enzymes = attrgetter(*(name for enzyme in ENZYME_FIELDS for name in (enzyme, enzyme + ULN_SUFFIX)))


def validate_assessment(assessment: Assessment, today: date) -> list[Problem]:
    problems: list[Problem] = []
    _not_future(problems, "assessed_on", "Assessment date", assessment.assessed_on, today)
    for (name, scale), value in zip(_RANGED, _read_ranged(assessment), strict=True):
        if value is not None and (message := scale.problem(value)) is not None:
            problems.append(Problem(name, message))
    if assessment.mmt8_total is not None:
        if assessment.mmt8_max not in MMT8_MAXIMA:
            problems.append(
                Problem("mmt8_max", "Choose the MMT-8 maximum: 80 (one side) or 150 (both sides).")
            )
        else:
            _check_scale(problems, "mmt8_total", assessment.mmt8_total, assessment.mmt8_max)
    found = _read_enzymes(assessment)  # each enzyme's value, then its ULN
    for (uln_field, label), value, uln in zip(_ENZYMES, found[::2], found[1::2], strict=True):
        if value is not None and uln is None:
            problems.append(Problem(uln_field, f"Give the lab's upper limit of normal for {label}."))
        if uln is not None and not 0 < uln <= MAX_ULN:
            problems.append(
                Problem(
                    uln_field,
                    f"{label} upper limit of normal must be above 0 and at most {readable(MAX_ULN)} U/L.",
                )
            )
    problems += _item_problems(assessment)
    if not assessment.notes.strip() and not assessment.measured:
        problems.append(Problem("assessed_on", "Enter at least one score, result or note."))
    return problems


def _item_problems(assessment: Assessment) -> list[Problem]:
    """The CDASI grid and MMT-8 groups: item ranges, and totals that match them."""
    problems: list[Problem] = []
    grid, groups = assessment.cdasi_grid, assessment.mmt8_groups
    if grid is not None:
        problems += [Problem("cdasi_grid", message) for message in grid.problems()]
        allowed = {(grid.activity_score(undoubled), grid.damage) for undoubled in (True, False)}
        if not problems and (assessment.cdasi_activity, assessment.cdasi_damage) not in allowed:
            problems.append(
                Problem(
                    "cdasi_activity", f"CDASI totals must match the grid ({grid.activity} / {grid.damage})."
                )
            )
    if groups is not None:
        group_problems = [Problem("mmt8_groups", message) for message in groups.problems()]
        problems += group_problems
        if not group_problems and (assessment.mmt8_total, assessment.mmt8_max) != (
            groups.total,
            groups.maximum,
        ):
            problems.append(Problem("mmt8_total", "MMT-8 total must match the graded muscle groups."))
    return problems


def validate_adverse_event(event: AdverseEvent, today: date) -> list[Problem]:
    problems = text_problems(event)
    if not event.term.strip():
        problems.append(Problem("term", "Describe the event (for example “acneiform eruption”)."))
    if event.grade not in CTCAE_GRADES:
        problems.append(Problem("grade", "CTCAE grade must be 1, 2, 3, 4 or 5."))
    if not isinstance(event.action, AeAction):
        problems.append(
            Problem("action", "Choose the action taken with the drug (None if it went on unchanged).")
        )
    _not_future(problems, "onset", "Onset date", event.onset, today)
    _not_future(problems, "resolution", "Resolution date", event.resolution, today)
    if event.resolution is not None and event.resolution < event.onset:
        problems.append(Problem("resolution", f"Resolution date is before the onset ({event.onset})."))
    if event.grade == 5 and event.outcome is not AeOutcome.FATAL:
        problems.append(Problem("outcome", "A grade 5 event is fatal: set the outcome to Fatal."))
    if event.outcome is AeOutcome.FATAL and event.grade != 5:
        problems.append(Problem("grade", "A fatal outcome is CTCAE grade 5."))
    return problems


def validate_settings(settings: SeriesSettings, today: date) -> list[Problem]:
    problems: list[Problem] = []
    if not settings.name.strip():
        problems.append(Problem("name", "The case series needs a name."))
    if not settings.index_drug.strip():
        problems.append(Problem("index_drug", "Name the index drug (for example upadacitinib)."))
    _not_future(problems, "cutoff", "Data cut-off", settings.cutoff, today)
    return problems


def validate_photo(photo: Photo, today: date) -> list[Problem]:
    problems = text_problems(photo)
    _not_future(problems, "taken_on", "Photo date", photo.taken_on, today)
    problems += [
        Problem("annotations", message) for shape in photo.annotations for message in shape.problems()
    ]
    if photo.crop is not None:
        problems += [Problem("crop", message) for message in photo.crop.problems()]
    if len(photo.caption) > 2000:
        problems.append(Problem("caption", "Caption is longer than 2000 characters."))
    return problems


def validate_comparison(comparison: PhotoComparison) -> list[Problem]:
    problems = text_problems(comparison)
    if not comparison.name.strip():
        problems.append(Problem("name", "Name the comparison (for example “Before / after upadacitinib”)."))
    if not 2 <= len(comparison.photo_ids) <= 4:
        problems.append(Problem("photo_ids", "A comparison shows 2 to 4 photos."))
    if len(set(comparison.photo_ids)) != len(comparison.photo_ids):
        problems.append(Problem("photo_ids", "A photo appears twice in the comparison."))
    return problems
