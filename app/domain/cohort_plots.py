"""Cohort plot specs: the spaghetti plot of one measure and the swimmer plot of time on the index drug.

The swimmer plot is built in ``cohort_swimmer`` and the input record ``PatientData`` lives in
``plot_spec``; both are importable from here.

Both align every patient to day 0 = the earliest possible start of their index course (the
first course of the index drug, ``phases.index_course``) and count x in days from it.
Patients without the index drug, or who started it after the data cut-off, are listed in
``excluded`` with the reason, never dropped silently. Values after the cut-off are not used.

The spaghetti plot's median line (``median_rule`` states it in words for the figure):
- day 0: each patient's baseline, the last value from ``baseline_before`` days before to
  ``baseline_after`` days after day 0 (the analysis's default baseline window);
- then every ``bin_days`` days (12 weeks by default): each patient's value nearest that day
  within ± half a bin, taken only while on the index drug and after the baseline window
  (the earlier value on a tie);
- a median point is drawn where at least ``min_n`` patients contribute; its tooltip gives
  n and the interquartile range (inclusive quartiles).
A patient whose index start is known only to the year cannot be aligned and is excluded.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from .clock import Clock, index_clock
from .cohort_swimmer import DiscontinuationSpec, SwimmerRowSpec, SwimmerSpec, build_swimmer
from .dates import Precision
from .numbers import MINUS, shown, thousands
from .plot_spec import (
    BandSpec,
    ExclusionSpec,
    LegendEntrySpec,
    PatientData,
    PointSpec,
    TickSpec,
    YAxisSpec,
    day_ticks,
    index_or_reason,
    limits_of,
    num,
    padded,
    severity_bands,
    start_note,
    unique_legend,
    value_text,
    y_axis,
)
from .records import Assessment, MedicationCourse
from .scales import SCALES
from .scores import SeverityBands
from .style import DASHED, DAY_ZERO_LINE, MEDIAN_LINE, SPAGHETTI_LINE, LineStyle, SeriesStyle
from .timeline_lanes import course_stop_x

__all__ = [
    "DiscontinuationSpec",
    "ExclusionSpec",
    "MedianPointSpec",
    "MedianRule",
    "PatientData",
    "SpaghettiLineSpec",
    "SpaghettiSpec",
    "SwimmerRowSpec",
    "SwimmerSpec",
    "build_spaghetti",
    "build_swimmer",
]

OFF_DRUG_LINE = replace(SPAGHETTI_LINE, line=replace(SPAGHETTI_LINE.line, dash=DASHED))


# ----------------------------------------------------------------- spaghetti plot


@dataclass(frozen=True)
class SpaghettiLineSpec:
    """One patient's values; after ``x_stop`` (the index drug stopped) draw with ``off_drug_style``."""

    patient_id: int | None  # clicking the line selects this patient
    study_id: str
    points: tuple[PointSpec, ...]
    x_stop: float | None
    style: SeriesStyle
    off_drug_style: SeriesStyle
    tooltip: str

    @property
    def on_drug(self) -> tuple[PointSpec, ...]:
        return tuple(p for p in self.points if self.x_stop is None or p.x <= self.x_stop)

    @property
    def off_drug(self) -> tuple[PointSpec, ...]:
        """The values after the stop, joined to the last value on the drug (none when not stopped)."""
        after = tuple(p for p in self.points if self.x_stop is not None and p.x > self.x_stop)
        return (*self.on_drug[-1:], *after) if after else ()


@dataclass(frozen=True)
class MedianPointSpec:
    x: float
    y: float
    n: int
    q1: float
    q3: float
    tooltip: str


@dataclass(frozen=True)
class SpaghettiSpec:
    title: str
    measure: str
    measure_label: str
    unit: str
    group_label: str
    index_drug: str
    cutoff: date
    x_label: str
    x_range: tuple[float, float]
    ticks: tuple[TickSpec, ...]
    y: YAxisSpec
    bands: tuple[BandSpec, ...]
    lines: tuple[SpaghettiLineSpec, ...]
    median: tuple[MedianPointSpec, ...]
    median_rule: str
    excluded: tuple[ExclusionSpec, ...]
    notes: tuple[str, ...]
    legend: tuple[LegendEntrySpec, ...]
    median_style: SeriesStyle = MEDIAN_LINE
    day_zero_style: LineStyle = DAY_ZERO_LINE

    @property
    def together(self) -> bool:
        """Whether a registry's lines are drawn together (``MANY_LINES``): no markers, no study IDs."""
        return len(self.lines) > MANY_LINES

    @property
    def drawn_lines(self) -> tuple[SpaghettiLineSpec, ...]:
        """The lines drawn: every one, or of a registry about ``DRAWN_LINES`` spread evenly (one in every few;
        the median is of them all)."""
        return self.lines[:: -(-len(self.lines) // DRAWN_LINES)] if self.together else self.lines

    def together_note(self) -> str:
        """What a registry's figure leaves out, in words (empty when every line is drawn with its name)."""
        if not self.together:
            return ""
        every = -(-len(self.lines) // DRAWN_LINES)
        drawn = len(self.drawn_lines)
        which = f"the lines of {thousands(drawn)} (one patient in {every})" if every > 1 else "their lines"
        median = ", the median of them all" if every > 1 and self.median else ""
        return f"{thousands(len(self.lines))} patients: {which} drawn without markers or study IDs{median}"


MANY_LINES = 150  # above this many patients, their lines are drawn together: no markers, no study IDs
DRAWN_LINES = 1_000  # of a registry, the lines of about this many patients, spread evenly, are drawn


@dataclass(frozen=True)
class _Aligned:
    """A patient's values: (day from day 0, value, on the index drug that day), in date order."""

    line: SpaghettiLineSpec
    values: tuple[tuple[int, float, bool], ...]


_ANY_DAY0 = date(2000, 1, 1)


@lru_cache(maxsize=8192)
def _when(days: int, drug: str) -> str:
    """``index_clock(day0, drug).when(day)`` of a day ``days`` from day 0: the same words whatever the day 0,
    so found once for the many patients who share it."""
    return index_clock(_ANY_DAY0, drug).when(_ANY_DAY0 + timedelta(days=days))


def _points(
    data: PatientData,
    measure: str,
    chosen: Sequence[Assessment],
    clock: Clock,
    drug: str,
    bands: SeverityBands,
) -> tuple[PointSpec, ...]:
    sid = data.patient.study_id
    return tuple(
        PointSpec(
            x := clock.x(a.assessed_on),
            float(getattr(a, measure)),
            f"{sid}\n{value_text(measure, a, bands)}\n{_when(int(x), drug)}",
            a.id,
        )
        for a in chosen
    )


def _line(
    data: PatientData, measure: str, course: MedicationCourse, cutoff: date, first: int, bands: SeverityBands
) -> _Aligned | str:
    day0 = course.start.earliest()
    clock = index_clock(day0, course.drug)
    since = day0 + timedelta(days=first)
    chosen = sorted(
        (a for a in data.assessments if getattr(a, measure) is not None and since <= a.assessed_on <= cutoff),
        key=lambda a: (a.assessed_on, a.id or 0),
    )
    if not chosen:
        return f"no {SCALES[measure].label} values from day {shown(first, 0)} to the data cut-off"
    sid, points = data.patient.study_id, _points(data, measure, chosen, clock, course.drug, bands)
    x_stop = course_stop_x(course, clock, cutoff)
    until = f"; {course.drug} stopped on day {num(x_stop)}" if x_stop is not None else ""
    tooltip = f"{sid}: {len(points)} values, day {num(points[0].x)} to {num(points[-1].x)}{until}"
    line = SpaghettiLineSpec(data.patient.id, sid, points, x_stop, SPAGHETTI_LINE, OFF_DRUG_LINE, tooltip)
    last = None if course.stop is None else course.stop.latest()  # ``course.is_on``, its bounds found once
    values = tuple(
        (int(p.x), p.y, day0 <= a.assessed_on and (last is None or a.assessed_on <= last))
        for p, a in zip(points, chosen, strict=True)
    )
    return _Aligned(line, values)


@dataclass(frozen=True)
class MedianRule:
    bin_days: int = 84
    min_n: int = 3
    baseline_before: int = 90
    baseline_after: int = 7

    def text(self, index_drug: str) -> str:
        return (
            f"Median line: at day 0, each patient's baseline (the last value from day "
            f"{MINUS}{self.baseline_before} to day {self.baseline_after}); then every {self.bin_days} days, "
            f"each patient's value nearest that day within ± {num(self.bin_days / 2)} days while on "
            f"{index_drug}; a median is shown where at least {self.min_n} patients contribute."
        )

    def pick(self, values: Sequence[tuple[int, float, bool]], k: int) -> float | None:
        """A patient's value for bin ``k`` (0: the baseline)."""
        if k == 0:
            window = [v for d, v, _ in values if -self.baseline_before <= d <= self.baseline_after]
            return window[-1] if window else None
        centre, half = k * self.bin_days, self.bin_days / 2
        near = [
            (abs(d - centre), d, v)
            for d, v, on in values
            if on and d > self.baseline_after and centre - half < d <= centre + half
        ]
        return min(near)[2] if near else None

    def picks(self, values: Sequence[tuple[int, float, bool]]) -> dict[int, float]:
        """``pick`` of every bin at once (bins without a value left out), in one pass over the values: the bins
        after the baseline tile the days, so each value falls in exactly one."""
        found = {} if (baseline := self.pick(values, 0)) is None else {0: baseline}
        half = self.bin_days / 2
        nearest: dict[int, tuple[int, int, float]] = {}  # bin → (distance from its centre, day, value)
        for d, v, on in values:
            if not on or d <= self.baseline_after:
                continue
            # the bin whose centre − half < d ≤ centre + half (the division's rounding undone)
            k = math.ceil((d - half) / self.bin_days)
            while d > k * self.bin_days + half:
                k += 1
            while d <= k * self.bin_days - half:
                k -= 1
            key = (abs(d - k * self.bin_days), d, v)
            if k > 0 and (k not in nearest or key < nearest[k]):
                nearest[k] = key
        return found | {k: key[2] for k, key in nearest.items()}


def _median_point(rule: MedianRule, k: int, picked: list[float], unit: str) -> MedianPointSpec:
    middle = statistics.median(picked)
    q1, _, q3 = statistics.quantiles(picked, n=4, method="inclusive") if len(picked) > 1 else [middle] * 3
    where = (
        f"Baseline (day {MINUS}{rule.baseline_before} to {rule.baseline_after})"
        if k == 0
        else f"Day {k * rule.bin_days} ± {num(rule.bin_days / 2)}"
    )
    tooltip = f"Median {num(middle)}{unit} (IQR {num(q1)}–{num(q3)}; n = {len(picked)})\n{where}"
    return MedianPointSpec(float(k * rule.bin_days), middle, len(picked), q1, q3, tooltip)


def _median(aligned: Sequence[_Aligned], rule: MedianRule, unit: str) -> tuple[MedianPointSpec, ...]:
    last = max((d for a in aligned for d, _, _ in a.values), default=0)
    each = [rule.picks(a.values) for a in aligned]
    points = []
    for k in range(0, last // rule.bin_days + 2):
        picked = [v for found in each if (v := found.get(k)) is not None]
        if len(picked) >= rule.min_n:
            points.append(_median_point(rule, k, picked, unit))
    return tuple(points)


def _align_all(
    patients: Sequence[PatientData],
    measure: str,
    index_drug: str,
    cutoff: date,
    first: int,
    bands: SeverityBands,
    tick: Callable[[], object] | None,
) -> tuple[list[_Aligned], list[ExclusionSpec], list[str]]:
    aligned: list[_Aligned] = []
    excluded: list[ExclusionSpec] = []
    notes: list[str] = []
    for data in sorted(patients, key=lambda d: d.patient.study_id):
        found = index_or_reason(data, index_drug, cutoff)
        if isinstance(found, MedicationCourse) and found.start.precision is Precision.YEAR:
            found = f"{index_drug} start known only to the year: cannot be aligned to day 0"
        line = found if isinstance(found, str) else _line(data, measure, found, cutoff, first, bands)
        if isinstance(line, str):
            excluded.append(ExclusionSpec(data.patient.id, data.patient.study_id, line))
        elif isinstance(found, MedicationCourse):
            aligned.append(line)
            notes += start_note(data, found)
        if tick is not None:
            tick()
    return aligned, excluded, notes


def _spaghetti_legend(
    aligned: Sequence[_Aligned], median: Sequence[MedianPointSpec], bands: Sequence[BandSpec], index_drug: str
) -> tuple[LegendEntrySpec, ...]:
    legend = [LegendEntrySpec("One patient", "series", SPAGHETTI_LINE)]
    if any(a.line.x_stop is not None for a in aligned):
        legend.append(LegendEntrySpec(f"Off {index_drug}", "series", OFF_DRUG_LINE))
    if median:
        legend.append(LegendEntrySpec("Median", "series", MEDIAN_LINE))
    legend += [LegendEntrySpec(b.label, "fill", b.style) for b in bands]
    legend.append(LegendEntrySpec(f"Day 0: {index_drug} start", "line", DAY_ZERO_LINE))
    return unique_legend(legend)


DEFAULT_RULE = MedianRule()
DEFAULT_SEVERITY = SeverityBands()


def build_spaghetti(
    patients: Sequence[PatientData],
    measure: str,
    index_drug: str,
    cutoff: date,
    *,
    group_label: str = "All patients",
    days_before: int = 90,
    rule: MedianRule = DEFAULT_RULE,
    severity: SeverityBands = DEFAULT_SEVERITY,
    tick: Callable[[], object] | None = None,
) -> SpaghettiSpec:
    """One line per patient from ``days_before`` days before day 0 to the cut-off, and the median; ``tick()``
    after each patient's line (progress; it may raise to stop the work)."""
    label, unit = SCALES[measure].label, SCALES[measure].unit
    aligned, excluded, notes = _align_all(patients, measure, index_drug, cutoff, -days_before, severity, tick)
    xs = [p.x for a in aligned for p in a.line.points] or [0.0]
    x_range = padded(min(min(xs), 0.0), max(max(xs), 0.0))
    y = y_axis([p.y for a in aligned for p in a.line.points], limits_of(measure))
    bands = severity_bands(severity, y.range[1]) if measure == "cdasi_activity" else ()
    median = _median(aligned, rule, f" {unit}" if unit else "")
    return SpaghettiSpec(
        f"{label}, {group_label}: days from the {index_drug} start", measure, label, unit, group_label,
        index_drug, cutoff, f"Time from the {index_drug} start (day 0)", x_range, day_ticks(*x_range), y, bands,
        tuple(a.line for a in aligned), median, rule.text(index_drug), tuple(excluded), tuple(notes),
        _spaghetti_legend(aligned, median, bands, index_drug),
    )  # fmt: skip
