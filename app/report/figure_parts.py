"""The parts every PDF figure is drawn with: scales, shapes in the style table's styles, axes, series, labels, legend.

Colours come from the domain's style table (``domain/style.py``) only; a drawing keeps a
count of what it drew (``SpecDrawing.counts``) so a parity test can hold it against its spec.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal, TypeVar

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    LineShape,
    Polygon,
    PolyLine,
    Rect,
    Shape,
    String,
)
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..domain.plot_labels import Box
from ..domain.plot_spec import LegendEntrySpec, SeriesSpec, TickSpec
from ..domain.style import GRID, INK, PAPER, FillStyle, LineStyle, MarkerStyle, SeriesStyle, swatch_style
from ..domain.timeline_lanes import BarSpec
from . import rtl
from .scripts import drawing_text, font_runs
from .styles import FONT, FONT_BOLD

TICK_FONT = 6.5
LABEL_FONT = 5.5  # band and limit labels inside a plot
LEGEND_FONT = 6.2

_Stroked = TypeVar("_Stroked", bound=LineShape)


class SpecDrawing(Drawing):
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


@dataclass(frozen=True)
class XScale:
    """Data units [lo, hi] onto ``width`` points from ``left`` (also used upright, for a y axis)."""

    lo: float
    hi: float
    left: float
    width: float

    def __call__(self, x: float) -> float:
        x = min(max(x, self.lo), self.hi)
        return self.left + (x - self.lo) / (self.hi - self.lo) * self.width


def y_scale(bottom: float, height: float, lo: float, hi: float) -> XScale:
    return XScale(lo, hi, bottom, height)


@cache  # a registry's report asks for the same few colours a million times; a colour is never changed
def colour(hex_colour: str, alpha: float = 1.0) -> colors.Color:
    base = colors.HexColor(hex_colour)
    return colors.Color(base.red, base.green, base.blue, alpha=alpha)


def _dashed(shape: _Stroked, dash: Sequence[float]) -> _Stroked:
    """``shape`` dashed as ``dash`` says (empty: solid, reportlab's default, left as it is)."""
    if dash:
        shape.strokeDashArray = list(dash)
    return shape


def line(x0: float, y0: float, x1: float, y1: float, style: LineStyle) -> Line:
    drawn = Line(x0, y0, x1, y1, strokeColor=colour(style.colour), strokeWidth=style.width)
    return _dashed(drawn, style.dash)


def rule(x0: float, y0: float, x1: float, y1: float, hex_colour: str = INK, width: float = 0.6) -> Line:
    """A plain line of the figure's furniture (axis, tick, grid line, rule)."""
    return Line(x0, y0, x1, y1, strokeColor=colour(hex_colour), strokeWidth=width)


def rectangle(
    x: float,
    y: float,
    w: float,
    h: float,
    fill: colors.Color | None,
    edge: colors.Color | None = None,
    width: float | None = None,
    opacity: float | None = None,
) -> Rect:
    """A rectangle filled with ``fill`` and outlined in ``edge`` (None: none), ``width`` points wide.

    Set after construction: types-reportlab 5.0 declares ``Rect(**kw: _SolidShapeKwArgs)`` without
    ``Unpack``, so it would take no keyword at all; the attributes are typed and checked."""
    shape = Rect(x, y, w, h)
    shape.fillColor, shape.strokeColor = fill, edge
    if width is not None:
        shape.strokeWidth = width
    if opacity is not None:
        shape.fillOpacity = opacity
    return shape


def rect(x: float, y: float, w: float, h: float, style: FillStyle) -> Rect:
    edge = colour(style.edge) if style.edge else None
    drawn = rectangle(x, y, max(w, 0.8), h, colour(style.colour, style.alpha), edge, 0.5 if edge else 0)
    return _dashed(drawn, style.edge_dash)


Anchor = Literal["start", "middle", "end"]


def text(
    x: float, y: float, words: str, size: float = TICK_FONT, anchor: Anchor = "start", bold: bool = False
) -> String | Group:
    """A label; typed text in another script (a drug name in Chinese, say) gets its fallback fonts."""
    font = FONT_BOLD if bold else FONT
    if font_runs(words, font) != [(words, font)] or rtl.RTL.search(words):
        return drawing_text(x, y, words, font, size, anchor, fillColor=colour(INK))
    return String(x, y, words, fontName=font, fontSize=size, fillColor=colour(INK), textAnchor=anchor)


def marker(x: float, y: float, style: MarkerStyle, scale: float = 0.8) -> Shape:
    """A marker shape (o s t d star x) centred on (x, y), with its text (an event's grade) inside; a lone
    shape is not grouped (a registry's report draws hundreds of thousands of markers)."""
    r = style.size * scale / 2
    fill, edge = colour(style.colour), colour(style.edge)
    parts: list[Shape]
    if style.shape == "o":
        parts = [Circle(x, y, r, fillColor=fill, strokeColor=edge, strokeWidth=0.5)]
    elif style.shape == "s":
        parts = [rectangle(x - r, y - r, 2 * r, 2 * r, fill, edge, 0.6)]
    elif style.shape == "x":
        parts = [
            Line(x - r, y - r, x + r, y + r, strokeColor=edge, strokeWidth=1.2),
            Line(x - r, y + r, x + r, y - r, strokeColor=edge, strokeWidth=1.2),
        ]
    else:
        parts = [Polygon(_outline(style.shape, x, y, r), fillColor=fill, strokeColor=edge, strokeWidth=0.5)]
    if style.text:
        parts.append(text(x, y - r * 0.55, style.text, max(5.0, r * 1.1), "middle", bold=True))
    return parts[0] if len(parts) == 1 else Group(*parts)


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


def _arrow(x: float, y: float, size: float, style: LineStyle) -> Polygon:
    return Polygon(
        [x, y - size, x + size * 1.4, y, x, y + size], fillColor=colour(style.colour), strokeColor=None
    )


def draw_bar(drawing: Group, bar: BarSpec, sx: XScale, y: float, h: float, arrow_style: LineStyle) -> None:
    """One course from its segments (faint fuzzy ends, the solid core over them) and, while ongoing
    at the cut-off, an arrow at its end."""
    for segment in bar.segments(sx.lo, sx.hi):
        drawing.add(rect(sx(segment.x_start), y, sx(segment.x_end) - sx(segment.x_start), h, segment.style))
    arrow_x = bar.arrow_at(sx.lo, sx.hi)
    if arrow_x is not None:
        drawing.add(_arrow(sx(arrow_x), y + h / 2, h * 0.55, arrow_style))


def grid(drawing: Group, ticks: Sequence[TickSpec], sx: XScale, y: float, top: float) -> None:
    for tick in ticks:
        if sx.lo <= tick.x <= sx.hi:
            drawing.add(rule(sx(tick.x), y, sx(tick.x), top, GRID, 0.4))


def x_axis(
    drawing: Group, ticks: Sequence[TickSpec], sx: XScale, y: float, top: float | None, label: str
) -> None:
    """The x axis at ``y``, its ticks and label, and grid lines up to ``top`` (None: drawn before)."""
    drawing.add(rule(sx.left, y, sx.left + sx.width, y))
    if top is not None:
        grid(drawing, ticks, sx, y, top)
    for tick in ticks:
        if sx.lo <= tick.x <= sx.hi:
            x = sx(tick.x)
            drawing.add(rule(x, y - 2.5, x, y))
            drawing.add(text(x, y - 9, tick.label, anchor="middle"))
    drawing.add(text(sx.left + sx.width / 2, y - 19, label, 7.0, "middle"))


def y_axis(drawing: Group, ticks: Sequence[TickSpec], sy: XScale, left: float) -> None:
    drawing.add(rule(left, sy.left, left, sy.left + sy.width, width=0.5))
    for tick in ticks:
        y = sy(tick.x)
        drawing.add(rule(left - 2, y, left, y, width=0.5))
        drawing.add(text(left - 3.5, y - 2.2, tick.label, anchor="end"))


def polyline(
    drawing: Group,
    style: SeriesStyle,
    path: Sequence[tuple[float, float]],
    points: Sequence[tuple[float, float]],
    scale: float = 0.7,
) -> None:
    """A line through ``path`` and a marker at each of ``points`` (both in points on the page)."""
    if len(path) > 1:
        points_xy = [v for xy in path for v in xy]
        drawn = PolyLine(points_xy, strokeColor=colour(style.line.colour), strokeWidth=style.line.width)
        drawing.add(_dashed(drawn, style.line.dash))
    for x, y in points:
        drawing.add(marker(x, y, style.marker, scale))


def series(drawing: Group, spec: SeriesSpec, sx: XScale, sy: XScale) -> None:
    """A series as its spec says: the line through its path (a step series holds each value until
    the next), a marker at every point."""
    path = [(sx(x), sy(y)) for x, y in spec.path()]
    polyline(drawing, spec.style, path, [(sx(p.x), sy(p.y)) for p in spec.points])


def label_box(x: float, y: float, words: str, size: float = LABEL_FONT) -> Box:
    """The paper-white box of a label whose text starts at (x, y) on its baseline."""
    return x - 1, y - 1.5, x + stringWidth(words, FONT, size) + 1, y + size


def boxed_label(drawing: Group, box: Box, words: str, size: float = LABEL_FONT) -> None:
    """A small label on a paper-white box, readable over grid, phase edges and bands."""
    x0, y0, x1, y1 = box
    drawing.add(rectangle(x0, y0, x1 - x0, y1 - y0, colour(PAPER)))
    drawing.add(text(x0 + 1, y0 + 1.5, words, size))


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


def legend_height(entries: Sequence[LegendEntrySpec], width: float) -> float:
    layout = _legend_layout(entries, width)
    return (layout[-1][2] + 1) * 10.0 + 4 if layout else 0.0


def legend(drawing: Group, entries: Sequence[LegendEntrySpec], left: float, top: float, width: float) -> None:
    for entry, offset, row in _legend_layout(entries, width):
        x, y = left + offset, top - row * 10
        style = entry.style
        if isinstance(style, FillStyle):  # outlined when too pale to see on the paper
            drawing.add(rect(x, y - 1, 10, 6, swatch_style(style)))
        elif isinstance(style, LineStyle) and entry.kind == "arrow":  # as drawn at an ongoing bar's end
            drawing.add(line(x, y + 2, x + 6, y + 2, style))
            drawing.add(_arrow(x + 6, y + 2, 2.8, style))
        elif isinstance(style, LineStyle):
            drawing.add(line(x, y + 2, x + 10, y + 2, style))
        elif isinstance(style, MarkerStyle):
            drawing.add(marker(x + 5, y + 2, style, 0.6))
        else:
            drawing.add(line(x, y + 2, x + 10, y + 2, style.line))
            drawing.add(marker(x + 5, y + 2, style.marker, 0.5))
        drawing.add(text(x + 13, y, entry.label, LEGEND_FONT))


def fit_height(drawing: SpecDrawing, max_height: float) -> SpecDrawing:
    """The drawing scaled down as a whole (aspect kept) when it is taller than ``max_height``."""
    if drawing.height > max_height:
        factor = max_height / drawing.height
        drawing.scale(factor, factor)
        drawing.width, drawing.height = drawing.width * factor, max_height
    return drawing
