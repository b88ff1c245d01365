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
    matches = [c for c in courses if _same_drug(c.drug, index_drug)]
    return min(matches, key=lambda c: c.start.earliest()) if matches else None


def index_status(courses: Iterable[MedicationCourse], index_drug: str, cutoff: date) -> IndexStatus:
    """On the index drug at the cut-off, stopped it by then, or never started it by then."""
    started = [c for c in courses if _same_drug(c.drug, index_drug) and c.start.earliest() <= cutoff]
    if any(c.ongoing_at(cutoff) for c in started):
        return IndexStatus.ON
    return IndexStatus.STOPPED if started else IndexStatus.NEVER


def drugs_on(courses: Iterable[MedicationCourse], day: date) -> tuple[str, ...]:
    """The drugs taken that day, JAK inhibitors first, then in order of start."""
    taken = sorted(
        (c for c in courses if c.is_on(day)), key=lambda c: (c.drug_class is not DrugClass.JAK, c.start)
    )
    return tuple(dict.fromkeys(c.drug for c in taken))


def drugs_ever(courses: Iterable[MedicationCourse]) -> tuple[str, ...]:
    """Every drug recorded, in order of first start."""
    return tuple(dict.fromkeys(c.drug for c in sorted(courses, key=lambda c: c.start)))


def prior_immunosuppressants(courses: Iterable[MedicationCourse], index_drug: str) -> tuple[str, ...]:
    """Distinct systemic immunosuppressants started before the index drug (JAK inhibitors included)."""
    courses = list(courses)
    index = index_course(courses, index_drug)
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


def prior_jak_courses(courses: Iterable[MedicationCourse], index_drug: str) -> tuple[MedicationCourse, ...]:
    """JAK inhibitor courses (other than the index drug) that started before the index drug."""
    courses = list(courses)
    index = index_course(courses, index_drug)
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


def treatment_phases(courses: Sequence[MedicationCourse], index_drug: str, cutoff: date) -> tuple[Phase, ...]:
    """The patient's phases in time order (see the module docstring for the rules)."""
    index = index_course(courses, index_drug)
    jaks = prior_jak_courses(courses, index_drug)
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
