"""The medication lanes of the timeline: one bar per course, grouped by drug class.

A bar runs from the course's earliest possible start to its latest possible stop; a month-
or year-precise start or stop carries its whole period as a ``fuzzy`` range; a course with
no stop, or stopping after the cut-off, ends at the cut-off with an arrow (``open_ended``).
Groups follow ``DrugClass`` order; courses of one drug share a lane unless they overlap.
The swimmer plot draws its bars with ``course_bar`` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .clock import Clock
from .dates import PartialDate, Precision
from .records import MedicationCourse
from .style import FillStyle, fuzzy_style, lane_style
from .vocab import DrugClass


@dataclass(frozen=True)
class BarSpec:
    """One medication course. Solid between the fuzzy ranges; each fuzzy range is the whole
    period a month- or year-precise start or stop may mean, drawn with ``fuzzy_style``."""

    course_id: int | None
    drug: str
    drug_class: DrugClass
    x_start: float
    x_end: float
    fuzzy_start: tuple[float, float] | None
    fuzzy_end: tuple[float, float] | None
    open_ended: bool  # ends at the cut-off: draw an arrow at x_end
    label: str
    tooltip: str
    style: FillStyle
    fuzzy_style: FillStyle


@dataclass(frozen=True)
class LaneSpec:
    label: str
    bars: tuple[BarSpec, ...]


@dataclass(frozen=True)
class LaneGroupSpec:
    drug_class: DrugClass
    label: str
    lanes: tuple[LaneSpec, ...]


def _fuzzy(when: PartialDate, clock: Clock, cutoff: date) -> tuple[float, float] | None:
    if when.precision is Precision.DAY:
        return None
    return clock.x(when.earliest()), clock.x(min(when.latest(), cutoff))


def _precision_words(start: PartialDate, stop: PartialDate | None) -> str:
    parts = [
        f"{name} known only to the {when.precision.value}"
        for name, when in (("start", start), ("stop", stop))
        if when is not None and when.precision is not Precision.DAY
    ]
    return "; ".join(parts).capitalize()


def _course_tooltip(course: MedicationCourse, label: str, cutoff: date, clock: Clock) -> str:
    stop, start = course.stop, clock.partial(course.start)
    if stop is None:
        span = f"{start} → ongoing at the data cut-off ({clock.show(cutoff)})"
    elif stop.latest() > cutoff:
        span = f"{start} → {clock.partial(stop)} (after the data cut-off, {clock.show(cutoff)})"
    else:
        span = f"{start} → {clock.partial(stop)}"
    reason = f"Stop reason: {course.stop_reason.label}" if stop and course.stop_reason else ""
    lines = (label, course.drug_class.label, span, _precision_words(course.start, stop), reason)
    return "\n".join(line for line in lines if line)


def course_bar(course: MedicationCourse, clock: Clock, cutoff: date) -> BarSpec:
    """A course's bar: earliest start to latest stop, or to the cut-off with an arrow."""
    stop = course.stop
    open_ended = stop is None or stop.latest() > cutoff
    x_start = clock.x(course.start.earliest())
    x_end = clock.x(cutoff) if open_ended or stop is None else clock.x(stop.latest())
    label = f"{course.drug} {course.dose_text}".strip()
    return BarSpec(
        course.id, course.drug, course.drug_class, x_start, max(x_end, x_start),
        _fuzzy(course.start, clock, cutoff),
        None if open_ended or stop is None else _fuzzy(stop, clock, cutoff),
        open_ended, label, _course_tooltip(course, label, cutoff, clock),
        lane_style(course.drug, course.drug_class), fuzzy_style(course.drug, course.drug_class),
    )  # fmt: skip


def _lanes(courses: Sequence[MedicationCourse], clock: Clock, cutoff: date) -> tuple[LaneSpec, ...]:
    """Courses of one drug share a lane unless they overlap; lanes in order of first start."""
    lanes: list[tuple[str, list[BarSpec]]] = []
    for course in courses:
        bar = course_bar(course, clock, cutoff)
        key = course.drug.strip().casefold()
        lane = next((bars for k, bars in lanes if k == key and bars[-1].x_end < bar.x_start), None)
        if lane is None:
            lanes.append((key, [bar]))
        else:
            lane.append(bar)
    return tuple(LaneSpec(bars[0].drug, tuple(bars)) for _, bars in lanes)


def lane_groups(courses: Sequence[MedicationCourse], clock: Clock, cutoff: date) -> tuple[LaneGroupSpec, ...]:
    ordered = sorted(courses, key=lambda c: (c.start.earliest(), c.drug.casefold(), c.id or 0))
    groups = []
    for drug_class in DrugClass:
        members = [c for c in ordered if c.drug_class is drug_class]
        if members:
            groups.append(LaneGroupSpec(drug_class, drug_class.label, _lanes(members, clock, cutoff)))
    return tuple(groups)
