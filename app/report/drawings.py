"""Vector drawings of the timeline and cohort specs for the PDF (reportlab graphics).

Each function draws exactly what its spec says, as the screen does; the drawing keeps a count
of what it drew (``counts``) so a parity test can hold it against the spec and the screen.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..domain.cohort_plots import SpaghettiSpec
from ..domain.cohort_swimmer import SwimmerSpec
from ..domain.plot_labels import Box, place_labels
from ..domain.plot_spec import LegendEntrySpec, TickSpec
from ..domain.style import FillStyle, LineStyle, MarkerStyle, SeriesStyle, swatch_style
from ..domain.timeline import BarSpec, MeasureTrackSpec, TimelineSpec
from . import rtl
from .photos import draw_strip, strip_height
from .scripts import drawing_text, font_runs
from .styles import FONT, FONT_BOLD, register_fonts

INK = colors.HexColor("#1A1A1A")
GRID = colors.HexColor("#E3E3E3")
LABEL_W = 78.0  # left gutter for lane and track labels
LANE_H = 10.0
TRACK_H = 50.0
STRIP_H = 15.0
GAP = 8.0  # between tracks
TICK_FONT = 6.5
TICK_LABEL_W = 16.0  # room the y tick labels take left of their axis
TITLE_FONT = 6.5

LEGEND_FONT = 6.2


class SpecDrawing(Drawing):  # type: ignore[misc]
    """A Drawing that remembers how many of each element it drew."""

    _attrMap = AttrMap(
        BASE=Drawing,
        counts=AttrMapValue(None, desc="elements drawn, by kind"),
        x_scale=AttrMapValue(None, desc="where the x clock was drawn (an XScale), once drawn"),
    )

    def __init__(self, width: float, height: float) -> None:
        super().__init__(width, height)
        self.counts: Counter[str] = Counter()
        self.x_scale: XScale | None = None


def _colour(hex_colour: str, alpha: float = 1.0) -> colors.Color:
    base = colors.HexColor(hex_colour)
    return colors.Color(base.red, base.green, base.blue, alpha=alpha)


def _line(x0: float, y0: float, x1: float, y1: float, style: LineStyle) -> Line:
    return Line(x0, y0, x1, y1, strokeColor=_colour(style.colour), strokeWidth=style.width,
                strokeDashArray=list(style.dash) or None)  # fmt: skip


def _rect(x: float, y: float, w: float, h: float, style: FillStyle) -> Rect:
    edge = _colour(style.edge) if style.edge else None
    return Rect(x, y, max(w, 0.8), h, fillColor=_colour(style.colour, style.alpha), strokeColor=edge,
                strokeWidth=0.5 if edge else 0, strokeDashArray=list(style.edge_dash) or None)  # fmt: skip


def _text(
    x: float, y: float, text: str, size: float = TICK_FONT, anchor: str = "start", bold: bool = False
) -> String | Group:
    """A label; typed text in another script (a drug name in Chinese, say) gets its fallback fonts."""
    font = FONT_BOLD if bold else FONT
    if font_runs(text, font) != [(text, font)] or rtl.RTL.search(text):
        return drawing_text(x, y, text, font, size, anchor, fillColor=INK)
    return String(x, y, text, fontName=font, fontSize=size, fillColor=INK, textAnchor=anchor)


def marker(x: float, y: float, style: MarkerStyle, scale: float = 0.8) -> Group:
    """A marker shape (o s t d star x) centred on (x, y), with its text (an event's grade) inside."""
    r = style.size * scale / 2
    fill, edge = _colour(style.colour), _colour(style.edge)
    group = Group()
    if style.shape == "o":
        group.add(Circle(x, y, r, fillColor=fill, strokeColor=edge, strokeWidth=0.5))
    elif style.shape == "s":
        group.add(Rect(x - r, y - r, 2 * r, 2 * r, fillColor=fill, strokeColor=edge, strokeWidth=0.6))
    elif style.shape == "x":
        group.add(Line(x - r, y - r, x + r, y + r, strokeColor=edge, strokeWidth=1.2))
        group.add(Line(x - r, y + r, x + r, y - r, strokeColor=edge, strokeWidth=1.2))
    else:
        group.add(Polygon(_outline(style.shape, x, y, r), fillColor=fill, strokeColor=edge, strokeWidth=0.5))
    if style.text:
        group.add(_text(x, y - r * 0.55, style.text, max(5.0, r * 1.1), "middle", bold=True))
    return group


def _outline(shape: str, x: float, y: float, r: float) -> list[float]:
    if shape == "t":
        return [x - r, y - r * 0.8, x + r, y - r * 0.8, x, y + r]
    if shape == "d":
        return [x, y - r, x + r, y, x, y + r, x - r, y]
    points = []  # a five-pointed star
    for n in range(10):
        radius = r if n % 2 == 0 else r * 0.45
        angle = math.pi / 2 + n * math.pi / 5
        points += [x + radius * math.cos(angle), y + radius * math.sin(angle)]
    return points


@dataclass(frozen=True)
class XScale:
    lo: float
    hi: float
    left: float
    width: float

    def __call__(self, x: float) -> float:
        x = min(max(x, self.lo), self.hi)
        return self.left + (x - self.lo) / (self.hi - self.lo) * self.width


def _y_scale(bottom: float, height: float, lo: float, hi: float) -> XScale:
    return XScale(lo, hi, bottom, height)


def _arrow(x: float, y: float, size: float, style: LineStyle) -> Polygon:
    return Polygon(
        [x, y - size, x + size * 1.4, y, x, y + size], fillColor=_colour(style.colour), strokeColor=None
    )


def draw_bar(drawing: Group, bar: BarSpec, sx: XScale, y: float, h: float) -> None:
    """One course: solid core, faint fuzzy ends for month- or year-precise dates, arrow when open."""
    core_start = bar.fuzzy_start[1] if bar.fuzzy_start else bar.x_start
    core_end = bar.fuzzy_end[0] if bar.fuzzy_end else bar.x_end
    for span in (bar.fuzzy_start, bar.fuzzy_end):
        if span:
            drawing.add(_rect(sx(span[0]), y, sx(span[1]) - sx(span[0]), h, bar.fuzzy_style))
    if core_end >= core_start:
        drawing.add(_rect(sx(core_start), y, sx(core_end) - sx(core_start), h, bar.style))
    if bar.open_ended:
        drawing.add(_arrow(sx(bar.x_end), y + h / 2, h * 0.55, LineStyle("#000000")))


def _grid(drawing: SpecDrawing, ticks: Sequence[TickSpec], sx: XScale, y: float, top: float) -> None:
    for tick in ticks:
        if sx.lo <= tick.x <= sx.hi:
            drawing.add(Line(sx(tick.x), y, sx(tick.x), top, strokeColor=GRID, strokeWidth=0.4))


def _x_axis(
    drawing: SpecDrawing, ticks: Sequence[TickSpec], sx: XScale, y: float, top: float | None, label: str
) -> None:
    """The x axis at ``y``, its ticks and label, and grid lines up to ``top`` (None: drawn before)."""
    drawing.add(Line(sx.left, y, sx.left + sx.width, y, strokeColor=INK, strokeWidth=0.6))
    if top is not None:
        _grid(drawing, ticks, sx, y, top)
    for tick in ticks:
        if sx.lo <= tick.x <= sx.hi:
            x = sx(tick.x)
            drawing.add(Line(x, y - 2.5, x, y, strokeColor=INK, strokeWidth=0.6))
            drawing.add(_text(x, y - 9, tick.label, anchor="middle"))
    drawing.add(_text(sx.left + sx.width / 2, y - 19, label, 7.0, "middle"))


def _y_axis(drawing: Group, track: MeasureTrackSpec, sy: XScale, left: float) -> None:
    drawing.add(Line(left, sy.left, left, sy.left + sy.width, strokeColor=INK, strokeWidth=0.5))
    for tick in track.y.ticks:
        y = sy(tick.x)
        drawing.add(Line(left - 2, y, left, y, strokeColor=INK, strokeWidth=0.5))
        drawing.add(_text(left - 3.5, y - 2.2, tick.label, anchor="end"))


def _series(
    drawing: SpecDrawing, series: SeriesStyle, points: Sequence[tuple[float, float]], step: bool
) -> None:
    path: list[float] = []
    for n, (x, y) in enumerate(points):
        if step and n:
            path += [x, points[n - 1][1]]
        path += [x, y]
    if len(points) > 1:
        style = series.line
        drawing.add(PolyLine(path, strokeColor=_colour(style.colour), strokeWidth=style.width,
                             strokeDashArray=list(style.dash) or None))  # fmt: skip
    if not step:
        for x, y in points:
            drawing.add(marker(x, y, series.marker, 0.7))


LABEL_FONT = 5.5  # band and limit labels inside a track


def _label_box(x: float, y: float, text: str, size: float = LABEL_FONT) -> Box:
    """The paper-white box of a label whose text starts at (x, y) on its baseline."""
    return x - 1, y - 1.5, x + stringWidth(text, FONT, size) + 1, y + size


def _boxed_label(drawing: SpecDrawing, box: Box, text: str, size: float = LABEL_FONT) -> None:
    """A small label on a paper-white box, readable over grid, phase edges and bands."""
    x0, y0, x1, y1 = box
    drawing.add(Rect(x0, y0, x1 - x0, y1 - y0, fillColor=colors.white, strokeColor=None))
    drawing.add(_text(x0 + 1, y0 + 1.5, text, size))


def _track_labels(drawing: SpecDrawing, track: MeasureTrackSpec, sx: XScale, sy: XScale) -> None:
    """Band names centred in their bands, limits above their line (else below), at the left, clear of
    the cut-off line and the latest values; none over another, a tick or the track's edge."""
    lo, hi = track.y.range
    x = sx.left + 3
    options: list[list[Box]] = []
    for band in track.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        box = _label_box(x, (y0 + y1) / 2 - LABEL_FONT / 2 + 1, band.label)
        options.append([box] if y0 <= box[1] and box[3] <= y1 else [])  # too thin: the legend names it
    for reference in track.references:
        y, rx = sy(reference.y), max(sx(reference.x_start), sx.left) + 3
        options.append(
            [_label_box(rx, y + 3, reference.label), _label_box(rx, y - 2 - LABEL_FONT, reference.label)]
        )
    texts = [b.label for b in track.bands] + [r.label for r in track.references]
    ticks = [(sx.left - 2.5, sy(t.x) - 0.5, sx.left + 0.5, sy(t.x) + 0.5) for t in track.y.ticks]
    area = (sx.left, sy.left, sx.left + sx.width, sy.left + sy.width)
    for box, text in zip(place_labels(options, area, ticks), texts, strict=True):
        if box is not None:
            _boxed_label(drawing, box, text)


def _track(drawing: SpecDrawing, track: MeasureTrackSpec, sx: XScale, bottom: float) -> None:
    lo, hi = track.y.range
    sy = _y_scale(bottom, TRACK_H, lo, hi)
    for band in track.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        drawing.add(_rect(sx.left, y0, sx.width, y1 - y0, band.style))
    for reference in track.references:
        y = sy(reference.y)
        drawing.add(_line(sx(reference.x_start), y, sx(reference.x_end), y, reference.style))
    _track_labels(drawing, track, sx, sy)
    _y_axis(drawing, track, sy, sx.left)
    # the title in the left gutter, beside its axis, wrapped clear of the tick labels
    title = f"{track.label} ({track.unit})" if track.unit else track.label
    lines = simpleSplit(title, FONT_BOLD, TITLE_FONT, sx.left - TICK_LABEL_W - 4)
    for n, line in enumerate(lines):
        drawing.add(_text(4, bottom + TRACK_H - 7 - n * (TITLE_FONT + 1.5), line, TITLE_FONT, bold=True))

    for series in track.series:
        points = [(sx(p.x), sy(min(max(p.y, lo), hi))) for p in series.points]
        _series(drawing, series.style, points, series.step)
        drawing.counts["points"] += len(series.points)
    drawing.counts["tracks"] += 1


def _legend_layout(
    entries: Sequence[LegendEntrySpec], width: float
) -> list[tuple[LegendEntrySpec, float, int]]:
    """Each entry's x offset and row: entries flow left to right, as wide as their label."""
    placed, x, row = [], 0.0, 0
    for entry in entries:
        size = stringWidth(entry.label, FONT, LEGEND_FONT) + 24
        if x and x + size > width:
            x, row = 0.0, row + 1
        placed.append((entry, x, row))
        x += size
    return placed


def _legend_height(entries: Sequence[LegendEntrySpec], width: float) -> float:
    layout = _legend_layout(entries, width)
    return (layout[-1][2] + 1) * 10.0 + 4 if layout else 0.0


def _legend(
    drawing: SpecDrawing, entries: Sequence[LegendEntrySpec], left: float, top: float, width: float
) -> None:
    for entry, offset, row in _legend_layout(entries, width):
        x, y = left + offset, top - row * 10
        style = entry.style
        if isinstance(style, FillStyle):  # outlined when too pale to see on the paper
            drawing.add(_rect(x, y - 1, 10, 6, swatch_style(style)))
        elif isinstance(style, LineStyle):
            drawing.add(_line(x, y + 2, x + 10, y + 2, style))
        elif isinstance(style, MarkerStyle):
            drawing.add(marker(x + 5, y + 2, style, 0.6))
        else:
            drawing.add(_line(x, y + 2, x + 10, y + 2, style.line))
            drawing.add(marker(x + 5, y + 2, style.marker, 0.5))
        drawing.add(_text(x + 13, y, entry.label, LEGEND_FONT))


def _phases(drawing: SpecDrawing, spec: TimelineSpec, sx: XScale, top: float, bottom: float) -> None:
    """The phase bands behind everything, across every track, named at the top where they fit."""
    for phase in spec.phases:
        band_w = sx(phase.x_end) - sx(phase.x_start)
        drawing.add(_rect(sx(phase.x_start), bottom, band_w, top - bottom - 10, phase.style))
        if stringWidth(phase.label, FONT_BOLD, 6.2) + 4 <= band_w:  # too narrow: named in the legend only
            drawing.add(_text(sx(phase.x_start) + 2, top - 8, phase.label, 6.2, bold=True))
        drawing.counts["phases"] += 1


def _lanes(drawing: SpecDrawing, spec: TimelineSpec, sx: XScale, y: float) -> float:
    """One row per medication lane from ``y`` down; returns the last row's bottom."""
    for lane in (lane for group in spec.lane_groups for lane in group.lanes):
        y -= LANE_H + 2
        drawing.add(_text(4, y + 2, lane.label[:22], 6.2))
        for bar in lane.bars:
            draw_bar(drawing, bar, sx, y, LANE_H)
            drawing.counts["bars"] += 1
    return y


def _marker_rows(drawing: SpecDrawing, spec: TimelineSpec, sx: XScale, y: float) -> float:
    """The adverse events' row and the photos' row from ``y`` down; returns the photos' row centre."""
    y -= STRIP_H
    drawing.add(_text(4, y + 4, "Adverse events", 6.2))
    for event in spec.events:
        drawing.add(marker(sx(event.x), y + 6, event.style))
        drawing.counts["events"] += 1
    y -= STRIP_H
    drawing.add(_text(4, y + 4, "Photos", 6.2))
    for photo in spec.photos:
        drawing.add(marker(sx(photo.x), y + 6, photo.style))
        drawing.counts["photos"] += 1
    return y + 6


def _strip(
    drawing: SpecDrawing, spec: TimelineSpec, sx: XScale, photos_y: float, images: Mapping[int, bytes]
) -> float:
    """The photo strip under the photo markers, its title in the gutter; returns its bottom."""
    top = photos_y - 5
    if not spec.strip.photos:
        return top
    height = strip_height(spec.strip, sx.width / (sx.hi - sx.lo))
    for n, line in enumerate(simpleSplit(spec.strip.title, FONT, 6.2, LABEL_W - 8)):
        drawing.add(_text(4, top - height / 2 - n * 7.5, line, 6.2))
    drawing.counts.update(draw_strip(drawing, spec.strip, sx, photos_y - 3, top, images))
    return top - height


def draw_timeline(spec: TimelineSpec, width: float, images: Mapping[int, bytes] | None = None) -> SpecDrawing:
    """The patient's timeline, top to bottom as on screen: phase names, lanes, adverse events, photos
    and their strip, measure tracks, x axis, legend; phases behind everything. ``images`` holds the
    strip's photos by id (the report's ``photo_images``); one missing there prints as an empty frame.
    ``x_scale`` keeps where the drawing put the x clock, ``counts`` what it drew."""
    register_fonts()  # text is measured in the embedded family, whoever draws first
    lanes = sum(len(group.lanes) for group in spec.lane_groups)
    plot_w = width - LABEL_W - 6
    legend_h = _legend_height(spec.legend, plot_w)
    per_x = plot_w / (spec.x_range[1] - spec.x_range[0])
    strip_h = strip_height(spec.strip, per_x) if spec.strip.photos else 0.0
    body = lanes * (LANE_H + 2) + len(spec.tracks) * (TRACK_H + GAP) + 2 * STRIP_H + strip_h + 19
    drawing = SpecDrawing(width, body + 30 + legend_h)
    sx = drawing.x_scale = XScale(spec.x_range[0], spec.x_range[1], LABEL_W, plot_w)
    top, bottom = drawing.height - 4, 30 + legend_h
    _phases(drawing, spec, sx, top, bottom)
    _grid(drawing, spec.ticks, sx, bottom, top - 10)  # behind the bars, thumbnails and curves
    y = _strip(
        drawing, spec, sx, _marker_rows(drawing, spec, sx, _lanes(drawing, spec, sx, top - 12)), images or {}
    )
    for track in spec.tracks:
        y -= TRACK_H + GAP
        _track(drawing, track, sx, y)
    for x, style in ((spec.cutoff_x, spec.cutoff_style), (spec.day_zero_x, spec.day_zero_style)):
        if x is not None:
            drawing.add(_line(sx(x), bottom, sx(x), top - 10, style))
    _x_axis(drawing, spec.ticks, sx, bottom, None, spec.x_label)
    _legend(drawing, spec.legend, LABEL_W, legend_h - 8, plot_w)
    return drawing


def _spaghetti_labels(drawing: SpecDrawing, spec: SpaghettiSpec, sx: XScale, sy: XScale) -> None:
    """Band names at the right of their bands; each patient's study ID after its last value, moved up
    or down a little to keep clear of the others and of the band names (where it is when nothing is free)."""
    lo, hi = spec.y.range
    right = sx.left + sx.width
    wanted: list[list[Box]] = []
    for band in spec.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        box = _label_box(
            right - 3 - stringWidth(band.label, FONT, LABEL_FONT), y1 - LABEL_FONT - 2, band.label
        )
        wanted.append([box] if y0 <= box[1] else [])  # too thin: the legend names it
    bands = place_labels(wanted, (sx.left, sy.left, right, sy.left + sy.width))
    for band, box in zip(spec.bands, bands, strict=True):
        if box is not None:
            _boxed_label(drawing, box, band.label)
    ends = [
        (line.study_id, sx(line.points[-1].x) + 3, sy(line.points[-1].y) - 2)
        for line in spec.lines
        if line.points
    ]
    options = [[_label_box(x, y + dy, text, 5.2) for dy in (0, 5, -5, 10, -10)] for text, x, y in ends]
    area = (sx.left, sy.left - 12, right + 40, sy.left + sy.width + 12)
    for (text, _, _), box, first in zip(
        ends, place_labels(options, area, [b for b in bands if b]), options, strict=True
    ):
        x0, y0, _, _ = box or first[0]
        drawing.add(_text(x0 + 1, y0 + 1.5, text, 5.2))


def draw_spaghetti(spec: SpaghettiSpec, width: float, height: float = 230.0) -> SpecDrawing:
    """Each patient's line aligned to day 0, the median line on top, severity bands behind; the title
    above the plot, clear of the top tick."""
    register_fonts()  # text is measured in the embedded family, whoever draws first
    drawing = SpecDrawing(width, height)
    legend_h = _legend_height(spec.legend, width - 50)
    left, bottom, top = 40.0, 30 + legend_h, height - 18
    sx = drawing.x_scale = XScale(spec.x_range[0], spec.x_range[1], left, width - left - 8)
    lo, hi = spec.y.range
    sy = _y_scale(bottom, top - bottom, lo, hi)
    for band in spec.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        drawing.add(_rect(left, y0, sx.width, y1 - y0, band.style))
    for tick in spec.y.ticks:
        drawing.add(_text(left - 3.5, sy(tick.x) - 2.2, tick.label, anchor="end"))
    title = f"{spec.measure_label}" + (f" ({spec.unit})" if spec.unit else "")
    drawing.add(_text(4, height - 10, title, 6.8, bold=True))
    for line in spec.lines:
        # off the drug first, so the last value on the drug keeps its on-drug marker on top
        _series(drawing, line.off_drug_style, [(sx(p.x), sy(p.y)) for p in line.off_drug], False)
        _series(drawing, line.style, [(sx(p.x), sy(p.y)) for p in line.on_drug], False)
        drawing.counts["lines"] += 1
    _series(drawing, spec.median_style, [(sx(m.x), sy(m.y)) for m in spec.median], False)
    _spaghetti_labels(drawing, spec, sx, sy)
    drawing.counts["median"] = len(spec.median)
    drawing.add(_line(sx(0), bottom, sx(0), top, spec.day_zero_style))
    _x_axis(drawing, spec.ticks, sx, bottom, top, spec.x_label)
    _legend(drawing, spec.legend, left, legend_h - 8, width - left)
    return drawing


SWIMMER_ROW_HEIGHT = 14.0


def fit_height(drawing: SpecDrawing, max_height: float) -> SpecDrawing:
    """The drawing scaled down as a whole (aspect kept) when it is taller than ``max_height``."""
    if drawing.height > max_height:
        factor = max_height / drawing.height
        drawing.scale(factor, factor)
        drawing.width, drawing.height = drawing.width * factor, max_height
    return drawing


def swimmer_parts(spec: SwimmerSpec, width: float, max_height: float) -> list[SpecDrawing]:
    """The swimmer plot in as many drawings as it takes for each to fit ``max_height`` (a long
    series runs over several pages); every part has its own axis and legend."""
    register_fonts()
    fixed = 40 + _legend_height(spec.legend, width - 60)
    per_part = max(1, int((max_height - fixed) // SWIMMER_ROW_HEIGHT))
    return [draw_swimmer(spec, width, slice(n, n + per_part)) for n in range(0, len(spec.rows), per_part)]


def draw_swimmer(spec: SwimmerSpec, width: float, rows: slice = slice(None)) -> SpecDrawing:
    """One row per patient: earlier JAK phase before day 0, the index drug after it, events and stops."""
    register_fonts()  # text is measured in the embedded family, whoever draws first
    row_h = SWIMMER_ROW_HEIGHT
    shown = spec.rows[rows]
    legend_h = _legend_height(spec.legend, width - 60)
    height = len(shown) * row_h + 40 + legend_h
    drawing = SpecDrawing(width, height)
    bottom = 30 + legend_h
    sx = XScale(spec.x_range[0], spec.x_range[1], 54.0, width - 62)
    y = height - 6
    for row in shown:
        y -= row_h
        drawing.add(_text(4, y + 3, row.study_id, 6.5))
        for bar in (*row.prior, row.bar):
            draw_bar(drawing, bar, sx, y + 1, row_h - 5)
        for event in row.events:
            drawing.add(marker(sx(event.x), y + row_h - 3, event.style, 0.6))
            drawing.counts["events"] += 1
        if row.discontinuation is not None:
            drawing.add(
                marker(sx(row.discontinuation.x), y + (row_h - 3) / 2, row.discontinuation.style, 0.8)
            )
            drawing.counts["discontinuations"] += 1
        drawing.counts["rows"] += 1
    drawing.add(_line(sx(0), bottom, sx(0), height - 6, spec.day_zero_style))
    _x_axis(drawing, spec.ticks, sx, bottom, height - 6, spec.x_label)
    _legend(drawing, spec.legend, 54.0, legend_h - 8, width - 60)
    return drawing
