"""The timeline spec: everything a patient's timeline shows, decided once for the screen and the PDF.

``build_timeline`` turns one patient's records into a ``TimelineSpec``: plain numbers,
strings and styles, so a renderer draws without reading a record. The rules:

- x is in days, placed by the patient's ``Clock``: days since 1970-01-01 of the date shown
  in ``date`` mode (× 86400 gives epoch seconds), days from day 0 (the index drug's start,
  or ``clock.time_zero``'s fallback, said in ``notes``) in ``index_days`` mode; the data
  cut-off is the right edge, and records dated after it are left out with a note; every date
  written in a label, note or tooltip is written by the clock;
- phase bands come from ``phases.treatment_phases``; medication lanes from
  ``timeline_lanes`` (one bar per course, partial dates fuzzy, open courses to the cut-off
  with an arrow); measure tracks from ``timeline_tracks`` (a track with no value is left out);
- adverse events at their onset, photos at the day they were taken (undated ones left out
  with a note; ``timeline_markers``); the photo strip below them from ``timeline_photos``
  (thumbnails of the photos chosen for the report, at their dates, never over a boundary line);
- the rows, top to bottom, from ``timeline_rows``: renderers lay the figure out by iterating
  ``TimelineSpec.rows``. Every part of the spec can be imported from this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from .clock import Clock, DateMode, XMode, time_zero
from .dates import Precision
from .numbers import plural
from .phases import PhaseKind, index_course, treatment_phases
from .plot_spec import (
    BandSpec,
    LegendEntrySpec,
    PointSpec,
    ReferenceLineSpec,
    SeriesSpec,
    TickSpec,
    YAxisSpec,
    date_ticks,
    day_ticks,
    padded,
    unique_legend,
)
from .records import (
    AdverseEvent,
    Assessment,
    MedicationCourse,
    Patient,
    PatientRecord,
    Photo,
    SeriesSettings,
)
from .scores import SeverityBands
from .style import (
    CUTOFF_LINE,
    DAY_ZERO_LINE,
    ONGOING_ARROW,
    PHOTO_MARKER,
    FillStyle,
    LineStyle,
    ae_style,
    fuzzy_style,
    phase_style,
)
from .timeline_lanes import BarSegment, BarSpec, LaneGroupSpec, LaneSpec, course_bar, lane_groups
from .timeline_markers import EventMarkerSpec, PhotoMarkerSpec, event_marker, photo_marker
from .timeline_photos import PhotoStripSpec, StripChoice, StripPhotoSpec, photo_strip
from .timeline_rows import RowKind, TimelineRow, timeline_rows, track_title
from .timeline_tracks import MeasureTrackSpec, measure_tracks
from .vocab import CTCAE_GRADES, DrugClass

# Renderers import every part of the spec from here.
__all__ = [
    "BandSpec",
    "BarSegment",
    "BarSpec",
    "Clock",
    "EventMarkerSpec",
    "LaneGroupSpec",
    "LaneSpec",
    "LegendEntrySpec",
    "MeasureTrackSpec",
    "PhaseBandSpec",
    "PhotoMarkerSpec",
    "PhotoStripSpec",
    "PointSpec",
    "ReferenceLineSpec",
    "RowKind",
    "SeriesSpec",
    "StripChoice",
    "StripPhotoSpec",
    "TickSpec",
    "TimelineRow",
    "TimelineSpec",
    "XMode",
    "YAxisSpec",
    "build_timeline",
    "course_bar",
    "event_marker",
    "record_timeline",
    "track_title",
]


@dataclass(frozen=True)
class PhaseBandSpec:
    """A treatment phase, shaded across every track."""

    kind: PhaseKind
    label: str
    drug: str | None
    x_start: float
    x_end: float
    open_ended: bool  # still running at the cut-off
    style: FillStyle
    tooltip: str


@dataclass(frozen=True)
class TimelineSpec:
    """Top to bottom: phase bands behind everything, then ``rows`` (phase names, drug-class headers
    and lanes, events, photos and their strip, tracks), the x axis, the legend."""

    study_id: str
    x_mode: XMode
    x_label: str
    x_range: tuple[float, float]
    ticks: tuple[TickSpec, ...]
    cutoff: date
    cutoff_x: float  # a vertical line, style ``cutoff_style``
    cutoff_text: str  # the cut-off as the clock shows it ("2024-01-15", "day +412")
    day_zero_x: float | None  # the index start, when there is one
    phases: tuple[PhaseBandSpec, ...]
    lane_groups: tuple[LaneGroupSpec, ...]
    tracks: tuple[MeasureTrackSpec, ...]
    events: tuple[EventMarkerSpec, ...]
    photos: tuple[PhotoMarkerSpec, ...]
    legend: tuple[LegendEntrySpec, ...]
    notes: tuple[str, ...] = ()
    cutoff_style: LineStyle = CUTOFF_LINE
    day_zero_style: LineStyle = DAY_ZERO_LINE
    strip: PhotoStripSpec = field(default_factory=PhotoStripSpec)
    arrow_style: LineStyle = ONGOING_ARROW  # the arrow head at an open-ended bar's end

    @property
    def bars(self) -> tuple[BarSpec, ...]:
        return tuple(bar for group in self.lane_groups for lane in group.lanes for bar in lane.bars)

    @cached_property
    def rows(self) -> tuple[TimelineRow, ...]:
        """The rows top to bottom, as every renderer lays them out (``timeline_rows``)."""
        return timeline_rows(self.lane_groups, self.events, self.photos, self.strip, self.tracks)

    @property
    def row_labels(self) -> tuple[str, ...]:
        """The gutter labels, top to bottom (the phase names' row has none)."""
        return tuple(row.label for row in self.rows if row.label)

    def track(self, key: str) -> MeasureTrackSpec | None:
        return next((t for t in self.tracks if t.key == key), None)

    def ticks_for(self, lo: float, hi: float) -> tuple[TickSpec, ...]:
        """Ticks for a part of the x clock (a zoomed view), chosen as ``ticks`` are for the whole."""
        return x_ticks(self.x_mode, lo, hi)


def x_ticks(x_mode: XMode, lo: float, hi: float) -> tuple[TickSpec, ...]:
    """Month or year ticks on a date clock; multiples of a week or more on a day clock."""
    return date_ticks(lo, hi) if x_mode == "date" else day_ticks(lo, hi)


# ----------------------------------------------------------------- medication lanes


def _phase_bands(
    courses: Sequence[MedicationCourse], index_drug: str, cutoff: date, clock: Clock
) -> tuple[PhaseBandSpec, ...]:
    bands = []
    for phase in treatment_phases(courses, index_drug, cutoff):
        end = min(phase.end_or(cutoff), cutoff)
        until = (
            f"ongoing at the data cut-off ({clock.show(cutoff)})" if phase.end is None else clock.show(end)
        )
        tooltip = f"{phase.label}: {clock.show(phase.start)} → {until} ({(end - phase.start).days} days)"
        bands.append(
            PhaseBandSpec(
                phase.kind, phase.label, phase.drug, clock.x(phase.start), clock.x(end),
                phase.end is None, phase_style(phase.kind, phase.drug), tooltip,
            )
        )  # fmt: skip
    return tuple(bands)


# ----------------------------------------------------------------- legend


def _legend(
    phases: Sequence[PhaseBandSpec],
    bars: Sequence[BarSpec],
    tracks: Sequence[MeasureTrackSpec],
    events: Sequence[EventMarkerSpec],
    photos: Sequence[PhotoMarkerSpec],
) -> tuple[LegendEntrySpec, ...]:
    entries = [LegendEntrySpec(f"Phase: {p.label}", "fill", p.style) for p in phases]
    for bar in bars:
        label = bar.drug if bar.drug_class is DrugClass.JAK else bar.drug_class.label
        entries.append(LegendEntrySpec(label, "fill", bar.style))
    if any(b.fuzzy_start or b.fuzzy_end for b in bars):
        fuzzy = fuzzy_style("", DrugClass.IVIG)
        entries.append(LegendEntrySpec("Date known only to the month or year", "fill", fuzzy))
    if any(b.open_ended for b in bars):
        entries.append(LegendEntrySpec("Ongoing at the data cut-off", "arrow", ONGOING_ARROW))
    for track in tracks:
        entries += [LegendEntrySpec(s.label, "series", s.style) for s in track.series]
        entries += [LegendEntrySpec(f"CDASI activity: {b.label}", "fill", b.style) for b in track.bands]
        entries += [LegendEntrySpec("CK upper limit of normal", "line", r.style) for r in track.references]
    for grade in sorted({e.grade for e in events}):
        words = CTCAE_GRADES.get(grade, "").lower()
        entries.append(LegendEntrySpec(f"Adverse event, grade {grade} ({words})", "marker", ae_style(grade)))
    if photos:
        entries.append(LegendEntrySpec("Photo", "marker", PHOTO_MARKER))
    entries.append(LegendEntrySpec("Data cut-off", "line", CUTOFF_LINE))
    return unique_legend(entries)


# ----------------------------------------------------------------- the builder

DEFAULT_SEVERITY = SeverityBands()  # mild ≤ 14, moderate 15–26, severe > 26 (the last two unverified)


@dataclass(frozen=True)
class _Kept:
    """The records up to the cut-off, in date order, and what was left out."""

    courses: tuple[MedicationCourse, ...]
    assessments: tuple[Assessment, ...]
    events: tuple[AdverseEvent, ...]
    photos: tuple[tuple[date, Photo], ...]
    notes: tuple[str, ...] = field(default=())


def _kept(
    cutoff: date,
    courses: Sequence[MedicationCourse],
    assessments: Sequence[Assessment],
    events: Sequence[AdverseEvent],
    photos: Sequence[Photo],
) -> _Kept:
    dated = [(p.taken_on, p) for p in photos if p.taken_on is not None]
    kept = _Kept(
        tuple(c for c in courses if c.start.earliest() <= cutoff),
        tuple(sorted((a for a in assessments if a.assessed_on <= cutoff), key=lambda a: (a.assessed_on, a.id or 0))),
        tuple(sorted((e for e in events if e.onset <= cutoff), key=lambda e: (e.onset, e.id or 0))),
        tuple(sorted(((d, p) for d, p in dated if d <= cutoff), key=lambda t: (t[0], t[1].id or 0))),
    )  # fmt: skip
    later = len(courses) + len(assessments) + len(events) + len(dated)
    later -= len(kept.courses) + len(kept.assessments) + len(kept.events) + len(kept.photos)
    notes = [f"{plural(later, 'record')} dated after the data cut-off not shown."] if later else []
    if len(dated) < len(photos):
        notes.append(f"{plural(len(photos) - len(dated), 'undated photo')} not shown.")
    return _Kept(kept.courses, kept.assessments, kept.events, kept.photos, tuple(notes))


def _clock_notes(clock: Clock, courses: Sequence[MedicationCourse], index_drug: str) -> list[str]:
    """What a reader needs to know about day 0 (nothing in date mode)."""
    if clock.shows_dates:
        return []
    index = index_course(courses, index_drug)
    if index is None:
        return [f"No {index_drug} course: day 0 is {clock.zero.what}."]
    if index.start.precision is Precision.DAY:
        return []
    unit = index.start.precision.value
    return [f"The {index.drug} start is known only to the {unit}: day 0 is the first day of that {unit}."]


def _x_range(kept: _Kept, clock: Clock, cutoff: date) -> tuple[float, float]:
    days = [c.start.earliest() for c in kept.courses] + [a.assessed_on for a in kept.assessments]
    days += [e.onset for e in kept.events] + [d for d, _ in kept.photos]
    first = clock.x(min(days, default=cutoff))
    last = clock.x(cutoff)
    return padded(last - 365 if first >= last else first, last)  # no records: the last year


def build_timeline(
    patient: Patient,
    courses: Sequence[MedicationCourse],
    assessments: Sequence[Assessment],
    events: Sequence[AdverseEvent],
    photos: Sequence[Photo],
    settings: SeriesSettings,
    *,
    x_mode: XMode = "date",
    severity: SeverityBands = DEFAULT_SEVERITY,
    today: date | None = None,
    clock: Clock | None = None,
    photo_choice: StripChoice = "report",
) -> TimelineSpec:
    """The timeline of one patient (see the module docstring for the rules).

    The cut-off is the series' cut-off, or ``today`` (default: the system date) when none is set.
    ``clock`` (an export's, which may shift dates) overrides ``x_mode``; without one the dates
    are real and ``x_mode`` says whether they are shown as dates or as days from day 0.
    ``photo_choice`` says which photos the strip shows (``timeline_photos``).
    """
    cutoff = settings.cutoff_or(today or date.today())
    kept = _kept(cutoff, courses, assessments, events, photos)
    if clock is None:
        mode = DateMode.ACTUAL if x_mode == "date" else DateMode.INDEX_DAYS
        others = [a.assessed_on for a in kept.assessments] + [e.onset for e in kept.events]
        zero = time_zero(
            kept.courses, settings.index_drug, others + [d for d, _ in kept.photos], fallback=cutoff
        )
        clock = Clock(mode, zero)
    x_mode = clock.x_mode
    axis_notes = _clock_notes(clock, kept.courses, settings.index_drug)
    x_range = _x_range(kept, clock, cutoff)
    phases = _phase_bands(kept.courses, settings.index_drug, cutoff, clock)
    groups = lane_groups(kept.courses, clock, cutoff)
    tracks = measure_tracks(kept.assessments, clock, severity, x_range)
    marks = tuple(event_marker(e, clock, cutoff) for e in kept.events)
    shots = tuple(photo_marker(p, d, clock) for d, p in kept.photos)
    bars = [bar for group in groups for lane in group.lanes for bar in lane.bars]
    day_zero = clock.x(clock.zero.day) if clock.zero.is_index else None
    lines = [x for p in phases for x in (p.x_start, p.x_end)] + [clock.x(cutoff)]
    strip = photo_strip(
        kept.photos, kept.courses, kept.assessments, settings.index_drug, cutoff, clock, x_range,
        lines + ([day_zero] if day_zero is not None else []), photo_choice,
    )  # fmt: skip
    dated = x_mode == "date"
    return TimelineSpec(
        patient.study_id, x_mode,
        "Date" if dated else f"Time from {clock.zero.what} (day 0)",
        x_range, x_ticks(x_mode, *x_range),

        cutoff, clock.x(cutoff), clock.show(cutoff), day_zero,
        phases, groups, tracks, marks, shots,
        _legend(phases, bars, tracks, marks, shots),
        tuple(axis_notes) + kept.notes + ((strip.note,) if strip.note else ()),
        strip=strip,
    )  # fmt: skip


def record_timeline(
    record: PatientRecord,
    settings: SeriesSettings,
    *,
    severity: SeverityBands = DEFAULT_SEVERITY,
    today: date | None = None,
    x_mode: XMode = "date",
    clock: Clock | None = None,
    photo_choice: StripChoice = "report",
) -> TimelineSpec:
    """``build_timeline`` of everything in one patient's record."""
    return build_timeline(
        record.patient, record.courses, record.assessments, record.adverse_events, record.photos, settings,
        x_mode=x_mode, severity=severity, today=today, clock=clock, photo_choice=photo_choice,
    )  # fmt: skip
