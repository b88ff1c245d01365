"""Treatment phases of one patient: prior immunosuppressants, each earlier JAK inhibitor, the index drug.

The timeline shades these phases and the analysis reports the change within each, so the
rules live here once:

- the index course is the patient's first course of the series' index drug;
- each other JAK inhibitor course that starts before it is a phase of its own, ending at
  its stop or where the next phase begins, whichever comes first;
- "prior immunosuppressants" runs from the first systemic immunosuppressant (glucocorticoids
  and topicals do not count) to the first JAK phase or the index start;
- the index phase runs to the index drug's stop, or stays open (ongoing at the cut-off);
- if the index drug stopped before the cut-off, an "after" phase runs to the cut-off.

Partial dates count from their earliest possible start and to their latest possible stop,
the same rule ``MedicationCourse.is_on`` uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple, Protocol

from .dates import PartialDate
from .records import IndexStatus, MedicationCourse
from .vocab import DrugClass


class PhaseKind(StrEnum):
    PRIOR = "prior"
    JAK = "jak"
    INDEX = "index"
    AFTER = "after"


@dataclass(frozen=True)
class Phase:
    kind: PhaseKind
    label: str
    start: date
    end: date | None  # None: still running at the cut-off
    drug: str | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def end_or(self, cutoff: date) -> date:
        return self.end if self.end is not None else cutoff


def _same_drug(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def index_course(courses: Iterable[MedicationCourse], index_drug: str) -> MedicationCourse | None:
    """The patient's first course of the index drug, or None."""
    wanted = index_drug.strip().casefold()
    first: MedicationCourse | None = None
    for course in courses:
        if course.drug.strip().casefold() == wanted and (
            first is None or course.start.earliest() < first.start.earliest()
        ):
            first = course
    return first


def analysed_courses(courses: Sequence[MedicationCourse], index_drug: str) -> tuple[MedicationCourse, ...]:
    """The courses the analysis, the cohort facts and day 0 read of a patient, in their order: the index
    course and the systemic immunosuppressants started before it, whose phases and prior treatment are those of
    every course; without an index course, only the first course (all that day 0 reads then)."""
    index = index_course(courses, index_drug)
    if index is None:
        return (min(courses, key=lambda c: c.start),) if courses else ()
    start = index.start.earliest()
    return tuple(
        c
        for c in courses
        if c is index
        or (
            c.drug_class.is_immunosuppressant
            and c.start.earliest() < start
            and not _same_drug(c.drug, index_drug)
        )
    )


class Judged(Protocol):
    """What the patient list judges of a course: a ``MedicationCourse``, or a lean ``ListedCourse``."""

    @property
    def drug(self) -> str: ...

    @property
    def drug_class(self) -> DrugClass: ...

    @property
    def start(self) -> PartialDate: ...

    def is_on(self, day: date) -> bool: ...


class ListedCourse(NamedTuple):
    """A course as the patient list reads it from plain rows: its drug and class, its start, and the last day
    it may have run (its stop's latest day; None: not stopped), so that ``is_on`` is ``MedicationCourse.is_on``
    without working out the stop's period again for every patient."""

    drug: str
    drug_class: DrugClass
    start: PartialDate
    last_day: date | None

    def is_on(self, day: date) -> bool:
        return self.start.value <= day and (self.last_day is None or self.last_day >= day)


def index_status(courses: Iterable[Judged], index_drug: str, cutoff: date) -> IndexStatus:
    """On the index drug at the cut-off, stopped it by then, or never started it by then."""
    wanted = index_drug.strip().casefold()
    started = [c for c in courses if c.start.earliest() <= cutoff and c.drug.strip().casefold() == wanted]
    if any(c.is_on(cutoff) for c in started):  # ongoing at the cut-off
        return IndexStatus.ON
    return IndexStatus.STOPPED if started else IndexStatus.NEVER


def _start(course: Judged) -> tuple[date, str]:
    """The course's start as a sort key: its order as a ``PartialDate``, compared as a plain tuple."""
    return course.start.value, course.start.precision


def drugs_on(courses: Iterable[Judged], day: date) -> tuple[str, ...]:
    """The drugs taken that day, JAK inhibitors first, then in order of start."""
    taken = sorted(
        (c for c in courses if c.is_on(day)), key=lambda c: (c.drug_class is not DrugClass.JAK, *_start(c))
    )
    return tuple(dict.fromkeys(c.drug for c in taken))


def drugs_ever(courses: Iterable[Judged]) -> tuple[str, ...]:
    """Every drug recorded, in order of first start."""
    return tuple(dict.fromkeys(c.drug for c in sorted(courses, key=_start)))


def prior_immunosuppressants(
    courses: Iterable[MedicationCourse], index_drug: str, index: MedicationCourse | None = None
) -> tuple[str, ...]:
    """Distinct systemic immunosuppressants started before the index drug (JAK inhibitors included);
    ``index``: the index course when the caller has found it already."""
    courses = list(courses)
    index = index or index_course(courses, index_drug)
    if index is None:
        return ()
    start = index.start.earliest()
    names = {
        c.drug.strip().casefold(): c.drug.strip()
        for c in sorted(courses, key=lambda c: c.start.earliest())
        if c.drug_class.is_immunosuppressant
        and not _same_drug(c.drug, index_drug)
        and c.start.earliest() < start
    }
    return tuple(names.values())


def prior_jak_courses(
    courses: Iterable[MedicationCourse], index_drug: str, index: MedicationCourse | None = None
) -> tuple[MedicationCourse, ...]:
    """JAK inhibitor courses (other than the index drug) that started before the index drug; ``index``: the
    index course when the caller has found it already."""
    courses = list(courses)
    index = index or index_course(courses, index_drug)
    limit = index.start.earliest() if index else date.max
    return tuple(
        sorted(
            (
                c
                for c in courses
                if c.drug_class is DrugClass.JAK
                and not _same_drug(c.drug, index_drug)
                and c.start.earliest() < limit
            ),
            key=lambda c: c.start.earliest(),
        )
    )


def treatment_phases(
    courses: Sequence[MedicationCourse], index_drug: str, cutoff: date, index: MedicationCourse | None = None
) -> tuple[Phase, ...]:
    """The patient's phases in time order (see the module docstring for the rules); ``index``: the index
    course when the caller has found it already."""
    index = index or index_course(courses, index_drug)
    jaks = prior_jak_courses(courses, index_drug, index)
    boundaries = [c.start.earliest() for c in jaks] + ([index.start.earliest()] if index else [])
    phases: list[Phase] = []

    first_switch = boundaries[0] if boundaries else None
    prior_starts = [
        c.start.earliest()
        for c in courses
        if c.drug_class.is_immunosuppressant
        and c.drug_class is not DrugClass.JAK
        and (first_switch is None or c.start.earliest() < first_switch)
    ]
    if prior_starts and first_switch is not None:
        phases.append(Phase(PhaseKind.PRIOR, "Prior immunosuppressants", min(prior_starts), first_switch))

    for n, course in enumerate(jaks):
        next_start = boundaries[n + 1] if n + 1 < len(boundaries) else None
        stop = course.stop.latest() if course.stop else None
        candidates = [d for d in (stop, next_start) if d is not None]
        end = min(candidates) if candidates else None
        if end is None and cutoff < course.start.earliest():
            continue
        phases.append(Phase(PhaseKind.JAK, course.drug, course.start.earliest(), end, course.drug))

    if index is not None:
        stop = index.stop.latest() if index.stop else None
        open_ended = stop is None or stop > cutoff
        phases.append(
            Phase(
                PhaseKind.INDEX, index.drug, index.start.earliest(), None if open_ended else stop, index.drug
            )
        )
        if not open_ended and stop is not None and stop < cutoff:
            phases.append(Phase(PhaseKind.AFTER, f"After {index.drug}", stop, cutoff))
    return tuple(phases)
