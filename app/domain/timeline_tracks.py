"""The measure tracks of the timeline: one per measure group, sharing the timeline's x clock.

Tracks in ``TRACKS`` order, which the measure registry decides (each ``Measure.track``); a track
with no value is left out. CDASI activity carries the severity bands, CK its upper limit of
normal (one piece per run of equal recorded limits) and a log scale; prednisone is a step line
of the doses recorded at assessments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .clock import Clock
from .measures import MEASURES, AxisLimits, Measure, by_track
from .plot_spec import (
    BandSpec,
    PointSpec,
    ReferenceLineSpec,
    SeriesSpec,
    YAxisSpec,
    limits_of,
    num,
    severity_bands,
    severity_note,
    value_text,
    y_axis,
)
from .records import Assessment
from .scales import SCALES
from .scores import SeverityBands
from .style import ULN_LINE, measure_style


@dataclass(frozen=True)
class MeasureTrackSpec:
    key: str
    label: str
    unit: str
    y: YAxisSpec
    series: tuple[SeriesSpec, ...]
    references: tuple[ReferenceLineSpec, ...] = ()
    bands: tuple[BandSpec, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class TrackDef:
    key: str
    label: str
    fields: tuple[str, ...]
    step: bool = False
    unit: str = ""


def track_defs(measures: Iterable[Measure] = MEASURES) -> tuple[TrackDef, ...]:
    """The registry's tracks, top to bottom, each with the fields drawn on it."""
    return tuple(
        TrackDef(
            track.key,
            track.label,
            tuple(m.field for m in on_track),
            track.step,
            on_track[0].unit if track.unit is None else track.unit,
        )
        for track, on_track in by_track(measures)
    )


TRACKS: tuple[TrackDef, ...] = track_defs()


Visit = tuple[Assessment, float, str]  # an assessment, its x and its date in words


def _series(name: str, visits: Sequence[Visit], severity: SeverityBands, step: bool) -> SeriesSpec | None:
    points = tuple(
        PointSpec(x, float(getattr(a, name)), f"{value_text(name, a, severity)}\n{when}", a.id)
        for a, x, when in visits
        if getattr(a, name) is not None
    )
    return SeriesSpec(name, SCALES[name].label, measure_style(name), points, step) if points else None


def _uln_lines(
    assessments: Sequence[Assessment], clock: Clock, x_range: tuple[float, float]
) -> tuple[ReferenceLineSpec, ...]:
    """CK's upper limit of normal: one line, or one piece per run of equal recorded limits."""
    runs: list[tuple[date, float]] = []
    for a in assessments:
        if a.ck_uln is not None and (not runs or runs[-1][1] != a.ck_uln):
            runs.append((a.assessed_on, a.ck_uln))
    lines = []
    for n, (day, uln) in enumerate(runs):
        start = x_range[0] if n == 0 else clock.x(day)
        end = clock.x(runs[n + 1][0]) if n + 1 < len(runs) else x_range[1]
        since = f" (from {clock.show(day)})" if n else ""
        tooltip = f"CK upper limit of normal: {num(uln)} U/L{since}"
        lines.append(ReferenceLineSpec(f"ULN {num(uln)} U/L", uln, start, end, ULN_LINE, tooltip))
    return tuple(lines)


def _mmt8_maxima(assessments: Sequence[Assessment]) -> set[int]:
    return {a.mmt8_max for a in assessments if a.mmt8_total is not None and a.mmt8_max}


def _limits(track: TrackDef, assessments: Sequence[Assessment], values: Sequence[float]) -> AxisLimits:
    if track.key != "mmt8_total":
        return limits_of(track.fields[0])
    top = max(_mmt8_maxima(assessments), default=80 if max(values) <= 80 else 150)
    return AxisLimits(top, top)


def _track_note(track: TrackDef, assessments: Sequence[Assessment], severity: SeverityBands) -> str:
    if track.key == "cdasi_activity":
        return severity_note(severity)
    if track.key == "mmt8_total" and len(_mmt8_maxima(assessments)) > 1:
        return "MMT-8 totals out of 80 and out of 150 are mixed here: compare like with like."
    return ""


def _track(
    track: TrackDef,
    visits: Sequence[Visit],
    clock: Clock,
    severity: SeverityBands,
    x_range: tuple[float, float],
) -> MeasureTrackSpec | None:
    series = tuple(s for f in track.fields if (s := _series(f, visits, severity, track.step)) is not None)
    if not series:
        return None
    assessments = [a for a, _, _ in visits]
    values = [p.y for s in series for p in s.points]
    references = _uln_lines(assessments, clock, x_range) if track.key == "ck" else ()
    y = y_axis(values + [r.y for r in references], _limits(track, assessments, values))
    bands = severity_bands(severity, y.range[1]) if track.key == "cdasi_activity" else ()
    note = _track_note(track, assessments, severity)
    return MeasureTrackSpec(track.key, track.label, track.unit, y, series, references, bands, note)


def measure_tracks(
    assessments: Sequence[Assessment], clock: Clock, severity: SeverityBands, x_range: tuple[float, float]
) -> tuple[MeasureTrackSpec, ...]:
    """The tracks with values, in ``TRACKS`` order; ``assessments`` sorted by date."""
    visits = [(a, clock.x(a.assessed_on), clock.when(a.assessed_on)) for a in assessments]
    return tuple(t for d in TRACKS if (t := _track(d, visits, clock, severity, x_range)) is not None)
