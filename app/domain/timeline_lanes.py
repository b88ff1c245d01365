"""The medication lanes of the timeline: one bar per course, grouped by drug class.

A bar runs from the course's earliest possible start to its latest possible stop; a month-
or year-precise start or stop carries its whole period as a ``fuzzy`` range; a course with
no stop, or stopping after the cut-off, ends at the cut-off with an arrow (``open_ended``).
Groups follow ``DrugClass`` order; courses of one drug share a lane unless they overlap.
The swimmer plot draws its bars with ``course_bar`` too, and every renderer draws a bar from
its ``segments`` (fuzzy ends, solid core, clipped to what is shown) and its ``arrow_at``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from .clock import Clock
from .dates import PartialDate, Precision
from .records import MedicationCourse
from .style import FillStyle, fuzzy_style, lane_style
from .vocab import DrugClass


@dataclass(frozen=True)
class BarSegment:
    """A piece of a bar as drawn: the solid core, or a fuzzy end (the period a month- or
    year-precise date may mean)."""

    x_start: float
    x_end: float
    style: FillStyle
    fuzzy: bool


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

    @property
    def extent(self) -> tuple[float, float]:
        """From the earliest possible start to the end, fuzzy ends included (where a pointer is on it)."""
        return (self.fuzzy_start[0] if self.fuzzy_start else self.x_start), self.x_end

    def segments(self, lo: float = -math.inf, hi: float = math.inf) -> tuple[BarSegment, ...]:
        """What to draw, in drawing order (the fuzzy ends, then the core over them), each clipped
        to the x range [lo, hi] shown; a piece wholly outside it is left out."""
        core = (
            self.fuzzy_start[1] if self.fuzzy_start else self.x_start,
            self.fuzzy_end[0] if self.fuzzy_end else self.x_end,
        )
        pieces = [(span, self.fuzzy_style, True) for span in (self.fuzzy_start, self.fuzzy_end) if span]
        if core[1] >= core[0]:
            pieces.append((core, self.style, False))
        return tuple(
            BarSegment(max(a, lo), min(b, hi), style, fuzzy)
            for (a, b), style, fuzzy in pieces
            if b >= lo and a <= hi
        )

    def arrow_at(self, lo: float = -math.inf, hi: float = math.inf) -> float | None:
        """Where the ongoing arrow's base sits (the bar's end, at the cut-off); None when the
        course is not ongoing there or its end lies outside the x range [lo, hi] shown."""
        return self.x_end if self.open_ended and lo <= self.x_end <= hi else None

    def ending_at(self, x: float) -> BarSpec:
        """The bar cut at ``x`` (where a later phase takes over): no arrow; a fuzzy end kept only
        where it lies wholly before ``x``; unchanged when it already ends there or before."""
        if x >= self.x_end and not self.open_ended:
            return self
        fuzzy = self.fuzzy_end if self.fuzzy_end and self.fuzzy_end[1] <= x else None
        return replace(self, x_end=max(x, self.x_start), fuzzy_end=fuzzy, open_ended=False)


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


def course_stop_x(course: MedicationCourse, clock: Clock, cutoff: date) -> float | None:
    """The x of a course's latest possible stop; None when it has no stop or stops after the cut-off
    (it is ongoing there)."""
    stop = course.stop
    return None if stop is None or stop.latest() > cutoff else clock.x(stop.latest())


def course_bar(course: MedicationCourse, clock: Clock, cutoff: date) -> BarSpec:
    """A course's bar: earliest start to latest stop, or to the cut-off with an arrow."""
    stop, stop_x = course.stop, course_stop_x(course, clock, cutoff)
    x_start = clock.x(course.start.earliest())
    x_end = clock.x(cutoff) if stop_x is None else stop_x
    label = f"{course.drug} {course.dose_text}".strip()
    return BarSpec(
        course.id, course.drug, course.drug_class, x_start, max(x_end, x_start),
        _fuzzy(course.start, clock, cutoff),
        None if stop_x is None or stop is None else _fuzzy(stop, clock, cutoff),
        stop_x is None, label, _course_tooltip(course, label, cutoff, clock),
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
