"""The swimmer plot spec: one bar per patient for the time on the index drug, aligned to its start.

Per patient (rows longest on the drug first, or by study id):
- each earlier JAK inhibitor phase (``phases.treatment_phases``) as a bar before day 0, ending
  where the phase ends (at the switch when courses overlap);
- the index drug from day 0 to its latest possible stop, or to the cut-off with an arrow when
  ongoing there; month- or year-precise dates carry fuzzy ranges as on the timeline;
- adverse events with onset from the row's first day to the cut-off, by grade;
- a discontinuation marker at the stop, with the stop reason and the adverse events recorded
  as leading to discontinuation of the index drug.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from .clock import Clock, index_clock
from .phases import PhaseKind, prior_jak_courses, treatment_phases
from .plot_spec import (
    ExclusionSpec,
    LegendEntrySpec,
    PatientData,
    TickSpec,
    day_ticks,
    index_or_reason,
    num,
    padded,
    start_note,
    unique_legend,
)
from .records import MedicationCourse
from .style import (
    DAY_ZERO_LINE,
    DISCONTINUATION_MARKER,
    ONGOING_ARROW,
    LineStyle,
    MarkerStyle,
    ae_style,
    fuzzy_style,
)
from .timeline_lanes import BarSpec, course_bar
from .timeline_markers import EventMarkerSpec, event_marker
from .vocab import CTCAE_GRADES, AeAction, DrugClass

SwimmerOrder = Literal["duration", "study_id"]


@dataclass(frozen=True)
class DiscontinuationSpec:
    x: float
    reason: str
    tooltip: str
    style: MarkerStyle = DISCONTINUATION_MARKER


@dataclass(frozen=True)
class SwimmerRowSpec:
    patient_id: int | None
    study_id: str
    prior: tuple[BarSpec, ...]  # earlier JAK inhibitor phases, x < 0
    bar: BarSpec  # the index drug; ``bar.open_ended``: ongoing at the cut-off, draw an arrow
    events: tuple[EventMarkerSpec, ...]
    discontinuation: DiscontinuationSpec | None
    tooltip: str


@dataclass(frozen=True)
class SwimmerSpec:
    """Rows top to bottom in ``rows`` order."""

    title: str
    index_drug: str
    cutoff: date
    x_label: str
    x_range: tuple[float, float]
    ticks: tuple[TickSpec, ...]
    rows: tuple[SwimmerRowSpec, ...]
    excluded: tuple[ExclusionSpec, ...]
    notes: tuple[str, ...]
    legend: tuple[LegendEntrySpec, ...]
    group_label: str = "All patients"  # whose rows these are: "DM + ADM patients", "All patients"
    day_zero_style: LineStyle = DAY_ZERO_LINE
    arrow_style: LineStyle = ONGOING_ARROW


def _prior_bars(
    data: PatientData, index: MedicationCourse, index_drug: str, cutoff: date, clock: Clock
) -> tuple[BarSpec, ...]:
    """Earlier JAK phases, each drawn from its course and ending where the phase ends."""
    prior = prior_jak_courses(data.courses, index_drug, index)
    if not prior:  # most patients: no phase to look for
        return ()
    courses = {(c.drug.casefold(), c.start.earliest()): c for c in prior}
    bars = []
    for phase in treatment_phases(data.courses, index_drug, cutoff, index):
        course = courses.get(((phase.drug or "").casefold(), phase.start))
        if phase.kind is not PhaseKind.JAK or course is None:
            continue
        bars.append(course_bar(course, clock, cutoff).ending_at(clock.x(phase.end_or(cutoff))))
    return tuple(bars)


def _discontinuation(
    data: PatientData, course: MedicationCourse, bar: BarSpec, clock: Clock
) -> DiscontinuationSpec | None:
    if bar.open_ended or course.stop is None:
        return None
    reason = course.stop_reason.label if course.stop_reason else "Reason not recorded"
    events = [
        f"{e.term} (grade {e.grade})"
        for e in data.events
        if e.action is AeAction.DISCONTINUED and e.suspected_drug.casefold() == course.drug.casefold()
    ]
    if events:
        reason += ": " + "; ".join(events)
    tooltip = f"{course.drug} stopped {clock.partial(course.stop)}\n{reason}"
    return DiscontinuationSpec(bar.x_end, reason, tooltip)


def _row(data: PatientData, course: MedicationCourse, index_drug: str, cutoff: date) -> SwimmerRowSpec:
    day0 = course.start.earliest()
    clock = index_clock(day0, course.drug)
    prior = _prior_bars(data, course, index_drug, cutoff, clock)
    bar = course_bar(course, clock, cutoff)
    first = min([b.x_start for b in prior] + [0.0])
    events = tuple(
        event_marker(e, clock, cutoff)
        for e in sorted(data.events, key=lambda e: (e.onset, e.id or 0))
        if first <= clock.x(e.onset) and e.onset <= cutoff
    )
    stop = _discontinuation(data, course, bar, clock)
    state = "ongoing at the data cut-off" if bar.open_ended else f"stopped {clock.partial(course.stop)}"
    tooltip = f"{data.patient.study_id}: {num(bar.x_end)} days on {course.drug}, {state}"
    return SwimmerRowSpec(data.patient.id, data.patient.study_id, prior, bar, events, stop, tooltip)


def _swimmer_legend(rows: Sequence[SwimmerRowSpec], index_drug: str) -> tuple[LegendEntrySpec, ...]:
    entries = [LegendEntrySpec(b.drug, "fill", b.style) for r in rows for b in r.prior]
    entries += [LegendEntrySpec(r.bar.drug, "fill", r.bar.style) for r in rows]
    bars = [b for r in rows for b in (*r.prior, r.bar)]
    if any(b.fuzzy_start or b.fuzzy_end for b in bars):
        fuzzy = fuzzy_style("", DrugClass.IVIG)
        entries.append(LegendEntrySpec("Date known only to the month or year", "fill", fuzzy))
    if any(r.bar.open_ended for r in rows):
        entries.append(LegendEntrySpec("Ongoing at the data cut-off", "arrow", ONGOING_ARROW))
    for grade in sorted({e.grade for r in rows for e in r.events}):
        words = CTCAE_GRADES.get(grade, "").lower()
        entries.append(LegendEntrySpec(f"Adverse event, grade {grade} ({words})", "marker", ae_style(grade)))
    if any(r.discontinuation for r in rows):
        entries.append(LegendEntrySpec(f"{index_drug} stopped", "marker", DISCONTINUATION_MARKER))
    entries.append(LegendEntrySpec(f"Day 0: {index_drug} start", "line", DAY_ZERO_LINE))
    return unique_legend(entries)


def build_swimmer(
    patients: Sequence[PatientData],
    index_drug: str,
    cutoff: date,
    *,
    order: SwimmerOrder = "duration",
    group_label: str = "All patients",
    tick: Callable[[], object] | None = None,
) -> SwimmerSpec:
    """One row per patient of the group (``patients``, named ``group_label``) with the index drug
    started by the cut-off; the others in ``excluded``. ``tick()`` after each patient (progress; it may raise
    to stop the work)."""
    rows: list[SwimmerRowSpec] = []
    excluded: list[ExclusionSpec] = []
    notes: list[str] = []
    for data in sorted(patients, key=lambda d: d.patient.study_id):
        found = index_or_reason(data, index_drug, cutoff)
        if isinstance(found, str):
            excluded.append(ExclusionSpec(data.patient.id, data.patient.study_id, found))
        else:
            rows.append(_row(data, found, index_drug, cutoff))
            notes += start_note(data, found)
        if tick is not None:
            tick()
    if order == "duration":
        rows.sort(key=lambda r: -r.bar.x_end)  # stable: study ids stay in order on a tie
    xs = [x for r in rows for x in (r.bar.x_end, *(b.x_start for b in r.prior), *(e.x for e in r.events))]
    x_range = padded(min([0.0, *xs]), max([0.0, *xs]))
    return SwimmerSpec(
        f"Time on {index_drug}, {group_label}", index_drug, cutoff, f"Time from the {index_drug} start (day 0)",
        x_range, day_ticks(*x_range), tuple(rows), tuple(excluded), tuple(notes), _swimmer_legend(rows, index_drug),
        group_label,
    )  # fmt: skip
