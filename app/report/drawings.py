"""Vector drawings of the timeline and cohort specs for the PDF (reportlab graphics).

Each function draws exactly what its spec says, as the screen does; the drawing keeps a count
of what it drew (``counts``) so a parity test can hold it against the spec and the screen.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.domain.cohort_plots import SpaghettiSpec
from app.domain.cohort_swimmer import SwimmerSpec
from app.domain.plot_spec import LegendEntrySpec, TickSpec
from app.domain.style import FillStyle, LineStyle, MarkerStyle, SeriesStyle
from app.domain.timeline import BarSpec, MeasureTrackSpec, TimelineSpec
from app.report.styles import FONT, FONT_BOLD, register_fonts

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

    _attrMap = AttrMap(BASE=Drawing, counts=AttrMapValue(None, desc="elements drawn, by kind"))

    def __init__(self, width: float, height: float) -> None:
        super().__init__(width, height)
        self.counts: Counter[str] = Counter()


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
) -> String:
    return String(
        x, y, text, fontName=FONT_BOLD if bold else FONT, fontSize=size, fillColor=INK, textAnchor=anchor
    )


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


def _x_axis(
    drawing: SpecDrawing, ticks: Sequence[TickSpec], sx: XScale, y: float, top: float, label: str
) -> None:
    drawing.add(Line(sx.left, y, sx.left + sx.width, y, strokeColor=INK, strokeWidth=0.6))
    for tick in ticks:
        if sx.lo <= tick.x <= sx.hi:
            x = sx(tick.x)
            drawing.add(Line(x, y, x, top, strokeColor=GRID, strokeWidth=0.4))
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


def _boxed_label(drawing: SpecDrawing, x: float, y: float, text: str, size: float = 5.5) -> None:
    """A small label on a paper-white box, readable over grid, phase edges and bands."""
    width = stringWidth(text, FONT, size)
    drawing.add(Rect(x - 1, y - 1.5, width + 2, size + 1.5, fillColor=colors.white, strokeColor=None))
    drawing.add(_text(x, y, text, size))


def _track(drawing: SpecDrawing, track: MeasureTrackSpec, sx: XScale, bottom: float) -> None:

    lo, hi = track.y.range
    sy = _y_scale(bottom, TRACK_H, lo, hi)
    # band and reference labels sit at the left, clear of the cut-off line and the latest values
    for band in track.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        drawing.add(_rect(sx.left, y0, sx.width, y1 - y0, band.style))
        if y1 - y0 >= 6.5:  # a band too thin for its label is named in the legend only
            _boxed_label(drawing, sx.left + 2, y1 - 6, band.label)

    for reference in track.references:
        y = sy(reference.y)
        drawing.add(_line(sx(reference.x_start), y, sx(reference.x_end), y, reference.style))
        _boxed_label(drawing, sx(reference.x_start) + 2, y + 2, reference.label)
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
        if isinstance(style, FillStyle):
            drawing.add(_rect(x, y - 1, 10, 6, style))
        elif isinstance(style, LineStyle):
            drawing.add(_line(x, y + 2, x + 10, y + 2, style))
        elif isinstance(style, MarkerStyle):
            drawing.add(marker(x + 5, y + 2, style, 0.6))
        else:
            drawing.add(_line(x, y + 2, x + 10, y + 2, style.line))
            drawing.add(marker(x + 5, y + 2, style.marker, 0.5))
        drawing.add(_text(x + 13, y, entry.label, LEGEND_FONT))


def draw_timeline(spec: TimelineSpec, width: float) -> SpecDrawing:
    """The patient's timeline: phases behind, lanes, measure tracks, events and photos, x axis, legend."""
    register_fonts()  # text is measured in the embedded family, whoever draws first
    lanes = [lane for group in spec.lane_groups for lane in group.lanes]
    plot_w = width - LABEL_W - 6
    legend_h = _legend_height(spec.legend, plot_w)
    body = len(lanes) * (LANE_H + 2) + len(spec.tracks) * (TRACK_H + GAP) + 2 * STRIP_H + 14
    height = body + 30 + legend_h
    drawing = SpecDrawing(width, height)
    sx = XScale(spec.x_range[0], spec.x_range[1], LABEL_W, plot_w)
    top, bottom = height - 4, 30 + legend_h
    for phase in spec.phases:  # behind everything, across every track
        drawing.add(
            _rect(
                sx(phase.x_start), bottom, sx(phase.x_end) - sx(phase.x_start), top - bottom - 10, phase.style
            )
        )
        band_w = sx(phase.x_end) - sx(phase.x_start)
        # a band too narrow for its name is named in the legend only
        if stringWidth(phase.label, FONT_BOLD, 6.2) + 4 <= band_w:
            drawing.add(_text(sx(phase.x_start) + 2, top - 8, phase.label, 6.2, bold=True))
        drawing.counts["phases"] += 1

    y = top - 12
    for lane in lanes:
        y -= LANE_H + 2
        drawing.add(_text(4, y + 2, lane.label[:22], 6.2))
        for bar in lane.bars:
            draw_bar(drawing, bar, sx, y, LANE_H)
            drawing.counts["bars"] += 1
    for track in spec.tracks:
        y -= TRACK_H + GAP
        _track(drawing, track, sx, y)
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
    for x, style in ((spec.cutoff_x, spec.cutoff_style), (spec.day_zero_x, spec.day_zero_style)):
        if x is not None:
            drawing.add(_line(sx(x), bottom, sx(x), top - 10, style))
    _x_axis(drawing, spec.ticks, sx, bottom, top - 10, spec.x_label)
    _legend(drawing, spec.legend, LABEL_W, legend_h - 8, plot_w)
    return drawing


def draw_spaghetti(spec: SpaghettiSpec, width: float, height: float = 230.0) -> SpecDrawing:
    """Each patient's line aligned to day 0, the median line on top, severity bands behind."""
    register_fonts()  # text is measured in the embedded family, whoever draws first
    drawing = SpecDrawing(width, height)
    legend_h = _legend_height(spec.legend, width - 50)
    left, bottom = 40.0, 30 + legend_h
    sx = XScale(spec.x_range[0], spec.x_range[1], left, width - left - 8)
    lo, hi = spec.y.range
    sy = _y_scale(bottom, height - bottom - 8, lo, hi)
    for band in spec.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        drawing.add(_rect(left, y0, sx.width, y1 - y0, band.style))
        drawing.add(_text(left + sx.width - 2, y1 - 7, band.label, 5.5, "end"))
    for tick in spec.y.ticks:
        drawing.add(_text(left - 3.5, sy(tick.x) - 2.2, tick.label, anchor="end"))
    drawing.add(
        _text(
            4, height - 10, f"{spec.measure_label}" + (f" ({spec.unit})" if spec.unit else ""), 6.8, bold=True
        )
    )
    for line in spec.lines:
        # off the drug first, so the last value on the drug keeps its on-drug marker on top
        _series(drawing, line.off_drug_style, [(sx(p.x), sy(p.y)) for p in line.off_drug], False)
        _series(drawing, line.style, [(sx(p.x), sy(p.y)) for p in line.on_drug], False)

        if line.points:
            last = line.points[-1]
            drawing.add(_text(sx(last.x) + 3, sy(last.y) - 2, line.study_id, 5.2))
        drawing.counts["lines"] += 1
    _series(drawing, spec.median_style, [(sx(m.x), sy(m.y)) for m in spec.median], False)
    drawing.counts["median"] = len(spec.median)
    drawing.add(_line(sx(0), bottom, sx(0), height - 8, spec.day_zero_style))
    _x_axis(drawing, spec.ticks, sx, bottom, height - 8, spec.x_label)
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
