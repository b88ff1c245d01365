"""The timeline's plots, filled from the spec's rows (``TimelineSpec.rows``) in their order: the lanes
plot holds every row above the first track (phase names, drug-class headers and lanes, adverse events,
photos, the photo strip), each at the height the spec gives it; each track row has a plot of its own.

Plots and curve items are created once and reused (pitfall 1.10): each spec only fills them. What
a plot can name under the pointer goes into its hit map as it is drawn, from the same spec values,
so what a tooltip names is what a click opens.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPen

from ...domain.phases import PhaseKind
from ...domain.plot_spec import TickSpec
from ...domain.style import LineStyle, MarkerStyle
from ...domain.timeline import (
    BarSpec,
    EventMarkerSpec,
    LaneSpec,
    MeasureTrackSpec,
    PhotoMarkerSpec,
    PhotoStripSpec,
    RowKind,
    TimelineRow,
    TimelineSpec,
)
from ..photos.timeline_strip import PhotoStrip
from ..plot_style import MUTED, curve_symbol, line_pen, marker_px, pen, spot
from .axes import SpecAxis, TrackAxis, tick_pairs
from .canvas import curve, set_up_plot
from .hits import Box, Hit, HitMap
from .timeline_layer import TICK_PX, Label, PaintedLayer
from .timeline_rows import ROW_PX, PlacedRow, strip_marker_px

HIT_RADIUS = 8.0  # px around a marker that still counts as on it
BAR_HALF = 0.32  # half a bar's height, in lane rows
INF = math.inf


# One pen, brush and symbol set per style for the life of the program: pyqtgraph's symbol atlas knows a
# marker by the identity of its pen and brush, so the same objects find the markers rendered for the last
# patient instead of rendering (and keeping) them again for each patient.
@lru_cache(maxsize=256)
def _spot(style: MarkerStyle, edge_pt: float = 0.75) -> dict[str, object]:
    return spot(style, marker_px(style), edge_pt)


@lru_cache(maxsize=256)
def _curve_symbol(style: MarkerStyle) -> dict[str, object]:
    return curve_symbol(style, marker_px(style))


@lru_cache(maxsize=256)
def _line_pen(style: LineStyle) -> QPen:
    return line_pen(style)


class PooledPlot:
    """One pooled PlotItem with its painted layer, reusable curve items and hit map."""

    def __init__(self, plot: pg.PlotItem, axis: SpecAxis) -> None:
        self.plot = plot
        self.axis = axis
        self.layer = PaintedLayer()
        plot.addItem(self.layer, ignoreBounds=True)
        self.curves: list[pg.PlotDataItem] = []
        self.used = 0
        self.hits = HitMap()
        self.row: TimelineRow | None = None  # the track row drawn
        self.track: MeasureTrackSpec | None = None
        self.x_limits: tuple[float, float] | None = None  # as last set (``setLimits``)
        set_up_plot(plot, pan_x=True, axis_pt=0.6)
        plot.getAxis("left").setStyle(tickLength=-TICK_PX)
        plot.getAxis("bottom").setStyle(tickLength=-5)

    def curve(self) -> pg.PlotDataItem:
        if self.used == len(self.curves):
            item = curve()
            self.plot.addItem(item)
            self.curves.append(item)
        item = self.curves[self.used]
        self.used += 1
        item.show()
        return item

    def begin(self) -> None:
        self.used = 0
        self.layer.clear()
        self.hits = HitMap()
        self.row = self.track = None

    def end(self) -> None:
        for item in self.curves[self.used :]:
            if item.isVisible():
                item.setData([], [])
                item.hide()
        self.layer.changed()

    def set_y(self, log: bool) -> None:
        """The track's y axis as its spec says: linear, or (``log``) on the spec's log range and ticks."""
        track = self.track
        if track is None:
            return
        if self.plot.getAxis("left").logMode != log:
            self.plot.setLogMode(y=log)
            self.plot.enableAutoRange(enable=False)  # setLogMode turns auto-range on; the spec sets ranges
        if log and track.y.log_range is not None:
            self.axis.show_ticks(tick_pairs(track.y.log_ticks, log=True))
            low, high = (math.log10(v) for v in track.y.log_range)
        else:
            self.axis.show_ticks(tick_pairs(track.y.ticks))
            low, high = track.y.range
        self.layer.ticks = self.axis.positions()
        self.plot.setYRange(low, high, padding=0.06)

    def show_time_ticks(self, ticks: Sequence[TickSpec]) -> None:
        """Grid lines at ``ticks``, and their labels on the time axis if this plot carries it."""
        self.layer.grid = [t.x for t in ticks]
        self.layer.changed()
        axis = self.plot.getAxis("bottom")
        if axis.isVisible():
            assert isinstance(axis, SpecAxis)
            axis.show_ticks(tick_pairs(ticks))

    def limit_x(self, low: float, high: float) -> None:
        """Pan and zoom no further than (low, high), nor closer than two weeks."""
        if self.x_limits != (low, high):
            self.plot.setLimits(xMin=low, xMax=high, minXRange=14.0)
            self.x_limits = (low, high)


def add_plot(view: pg.GraphicsLayoutWidget, row: int, axis: SpecAxis) -> PooledPlot:
    """A pooled plot in ``row`` of the timeline's column, with ``axis`` on its left."""
    return PooledPlot(
        view.ci.addPlot(row=row, col=0, axisItems={"left": axis, "bottom": SpecAxis("bottom")}), axis
    )


def _phases_and_lines(plot: PooledPlot, spec: TimelineSpec) -> None:
    """What every plot of the timeline shows behind its content, and names when nothing else is there:
    the phase bands, the grid, the cut-off and day-0 lines."""
    layer = plot.layer
    layer.vbands = [(p.x_start, p.x_end, p.style) for p in spec.phases]
    layer.grid = [t.x for t in spec.ticks]
    layer.vlines = [(spec.cutoff_x, _line_pen(spec.cutoff_style))]
    lines = [
        Box(spec.cutoff_x, spec.cutoff_x, -INF, INF, Hit(f"Data cut-off: {spec.cutoff_text}"), (4, 4, 0))
    ]
    if spec.day_zero_x is not None:
        layer.vlines.append((spec.day_zero_x, _line_pen(spec.day_zero_style)))
        index = next((p for p in spec.phases if p.kind is PhaseKind.INDEX), None)
        text = f"Day 0: the {index.label} start" if index else "Day 0"
        lines.append(Box(spec.day_zero_x, spec.day_zero_x, -INF, INF, Hit(text), (4, 4, 0)))
    phases = [Box(p.x_start, p.x_end, -INF, INF, Hit(p.tooltip)) for p in spec.phases]
    plot.hits.add_boxes(lines + phases, backdrop=True)  # a line, else the phase band


# ----------------------------------------------------------------- the lanes


@dataclass(frozen=True)
class LaneItems:
    """What the lanes plot shows besides its painted layer: the adverse events' and photos' markers and
    the photo strip (``thumbnail(photo_id)``: a photo's stored thumbnail, for the strip)."""

    events: pg.ScatterPlotItem
    photos: pg.ScatterPlotItem
    strip: PhotoStrip
    thumbnail: Callable[[int], bytes | None]


def draw_lanes(
    lanes: PooledPlot, spec: TimelineSpec, placed: Sequence[PlacedRow], items: LaneItems, counts: Counter[str]
) -> None:
    """The lanes plot's rows where ``placed``, each as its kind says, a rule above those that ask for one
    (each drug class, and the markers below the last); what is drawn is counted in ``counts``."""
    lanes.begin()
    layer = lanes.layer
    _phases_and_lines(lanes, spec)
    spots: list[tuple[float, float, Hit]] = []
    bars: list[Box] = []
    photos_y, strip, strip_top = 0.0, PhotoStripSpec(), 0.0
    for at in placed:
        row, y = at.row, at.middle
        if row.rule_above:
            layer.rules.append(at.top)
        if row.kind is RowKind.PHASES:
            _draw_phase_names(layer, spec, y, counts)
        elif row.kind is RowKind.LANE and row.lane is not None:
            bars += _draw_lane(layer, row.lane, y, counts)
        elif row.kind is RowKind.EVENTS:
            spots += _draw_events(layer, items.events, row.events, y, counts)
        elif row.kind is RowKind.PHOTOS:
            spots += _draw_photos(items.photos, row.photos, y, counts)
            photos_y = y
        elif row.kind is RowKind.STRIP and row.strip is not None:
            strip, strip_top = row.strip, at.top
            counts["thumbnails"] += len(strip.photos)
            counts["leaders"] += sum(p.leader is not None for p in strip.photos)
    # the strip's leader lines run from the photos' markers
    items.strip.set_strip(strip, photos_y, strip_top, strip_marker_px(), items.thumbnail)
    lanes.hits.add_spots(spots, HIT_RADIUS, join=True)  # asked before the bars drawn under them
    lanes.hits.add_boxes(bars)
    lanes.end()


def _draw_phase_names(layer: PaintedLayer, spec: TimelineSpec, y: float, counts: Counter[str]) -> None:
    for phase in spec.phases:
        layer.texts.append(
            Label(
                phase.x_start, y, phase.label, pin="left", span=(phase.x_start, phase.x_end), bold=True, dx=3
            )
        )
        counts["phases"] += 1


def _draw_events(
    layer: PaintedLayer,
    item: pg.ScatterPlotItem,
    events: Sequence[EventMarkerSpec],
    y: float,
    counts: Counter[str],
) -> list[tuple[float, float, Hit]]:
    """The adverse events on their row: a marker each, its grade beside it, a line while it lasted."""
    for event in events:
        if event.x_end is not None and event.x_end > event.x:
            layer.segments.append((event.x, event.x_end, y, pen(MUTED, 1.0)))
        size = marker_px(event.style)
        layer.texts.append(Label(event.x, y, event.style.text, align="right", bold=True, dx=-(size / 2 + 2)))
    item.setData(spots=[{"pos": (e.x, y), **_spot(e.style)} for e in events])
    counts["events"] += len(events)
    return [(e.x, y, Hit(e.tooltip, "event", e.event_id)) for e in events]


def _draw_photos(
    item: pg.ScatterPlotItem, photos: Sequence[PhotoMarkerSpec], y: float, counts: Counter[str]
) -> list[tuple[float, float, Hit]]:
    """The photos on their row: a marker each."""
    item.setData(spots=[{"pos": (p.x, y), **_spot(p.style, 1.0)} for p in photos])
    counts["photos"] += len(photos)
    return [(p.x, y, Hit(p.tooltip, "photo", p.photo_id)) for p in photos]


def _draw_lane(layer: PaintedLayer, lane: LaneSpec, y: float, counts: Counter[str]) -> list[Box]:
    """A lane's bars on its row; returns where each answers the pointer."""
    for bar in lane.bars:
        draw_bar(layer, bar, y)
        counts["bars"] += 1
    return [Box(b.x_start, b.x_end, y - BAR_HALF, y + BAR_HALF, Hit(b.tooltip), (2, 2, 0)) for b in lane.bars]


def draw_bar(layer: PaintedLayer, bar: BarSpec, y: float) -> None:
    """The bar's segments (faint fuzzy ends, the solid core over them) and its arrow when ongoing."""
    for segment in bar.segments():
        layer.bars.append((segment.x_start, segment.x_end, y - BAR_HALF, y + BAR_HALF, segment.style))
    arrow = bar.arrow_at()
    if arrow is not None:
        layer.arrows.append((arrow, y, ROW_PX * BAR_HALF * 1.15))


# ----------------------------------------------------------------- the tracks


def draw_track(plot: PooledPlot, row: TimelineRow, spec: TimelineSpec, log: bool) -> int:
    """Fill a pooled plot with a track's row, titled with its label (``log``: its y on a log scale);
    returns the number of points drawn."""
    track = row.track
    assert track is not None, "a track row has its track"
    plot.begin()
    plot.row, plot.track = row, track
    plot.plot.show()
    assert isinstance(plot.axis, TrackAxis)
    plot.axis.set_title(row.label, row.bold)
    layer = plot.layer
    _phases_and_lines(plot, spec)
    layer.hbands = [(b.y_low, b.y_high, b.style) for b in track.bands]
    for band in track.bands:
        layer.texts.append(
            Label(spec.x_range[0], band.y_high, band.label, pin="left", colour=MUTED,
                  vspan=(band.y_low, band.y_high), dx=TICK_PX + 5, boxed=True, labels=True)
        )  # fmt: skip
    bands = [Box(-INF, INF, b.y_low, b.y_high, Hit(b.label)) for b in track.bands]
    references: list[Box] = []
    for reference in track.references:
        plot.curve().setData(
            [reference.x_start, reference.x_end], [reference.y, reference.y],
            pen=_line_pen(reference.style), symbol=None,
        )  # fmt: skip
        y = math.log10(reference.y) if log and reference.y > 0 else reference.y
        layer.texts.append(  # at the left, as in the report: clear of the cut-off line; above, else below
            Label(max(reference.x_start, spec.x_range[0]), y, reference.label, pin="left", colour=MUTED,
                  dx=TICK_PX + 5, dy=-9, boxed=True, labels=True, alternatives=(9,))
        )  # fmt: skip
        references.append(Box(reference.x_start, reference.x_end, y, y, Hit(reference.tooltip), (0, 0, 4)))
    markers, points = _draw_series(plot, track, log)
    plot.hits.add_spots(markers, HIT_RADIUS, join=True)
    plot.hits.add_boxes(references)
    plot.hits.add_boxes(bands, backdrop=True, every=True)
    plot.end()
    return points


def _draw_series(
    plot: PooledPlot, track: MeasureTrackSpec, log: bool
) -> tuple[list[tuple[float, float, Hit]], int]:
    """A track's series (a dose as steps: it holds until the next one); returns their markers and count."""
    markers: list[tuple[float, float, Hit]] = []
    for series in track.series:
        xs = np.array([p.x for p in series.points], dtype=np.float64)
        ys = np.array([p.y for p in series.points], dtype=np.float64)
        ids = np.array([p.assessment_id if p.assessment_id is not None else -1 for p in series.points])
        style = series.style
        symbol = _curve_symbol(style.marker)
        if series.step:  # the line through the spec's path (horizontal, then vertical), the markers apart
            path = np.array(series.path(), dtype=np.float64).reshape(-1, 2)
            plot.curve().setData(path[:, 0], path[:, 1], pen=_line_pen(style.line), symbol=None)
            plot.curve().setData(xs, ys, pen=None, data=ids, **symbol)
        else:
            plot.curve().setData(xs, ys, pen=_line_pen(style.line), data=ids, **symbol)
        for point in series.points:
            y = (math.log10(point.y) if point.y > 0 else math.nan) if log else point.y
            markers.append((point.x, y, Hit(point.tooltip, "assessment", point.assessment_id)))
    return markers, sum(len(s.points) for s in track.series)
