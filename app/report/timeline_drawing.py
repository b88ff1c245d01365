"""The patient's timeline in the PDF: the spec's rows drawn top to bottom, laid out as the screen lays them out.

The spec decides the rows (``TimelineSpec.rows``: phase names, drug-class headers and lanes,
adverse events, photos and their strip, measure tracks); this module gives each its height in
points (a lane row is ``ROW_PT``), writes its label in the left gutter and draws what it holds.
The phase bands lie behind every row, the cut-off and day-0 lines over them; the x axis and the
legend follow the last row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Group
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..domain.plot_labels import Box, place_labels
from ..domain.style import MUTED, RULE
from ..domain.timeline import MeasureTrackSpec, RowKind, TimelineRow, TimelineSpec
from .figure_parts import (
    LABEL_FONT,
    SpecDrawing,
    XScale,
    boxed_label,
    draw_bar,
    grid,
    label_box,
    legend,
    legend_height,
    line,
    marker,
    rect,
    rule,
    series,
    text,
    x_axis,
    y_axis,
    y_scale,
)
from .photos import draw_strip, strip_height
from .styles import FONT, FONT_BOLD, register_fonts

ROW_PT = 12.0  # one lane row; the spec gives every row's height in lane rows
BAR_PT = 10.0  # a medication bar, centred in its lane
TRACK_GAP = 8.0  # inside a track's row, above its plot
TOP_PT = 4.0  # above the first row
AXIS_GAP = 3.0  # between the last row and the x axis
GUTTER_MIN, GUTTER_MAX = 78.0, 100.0  # the left gutter fits its one-line labels within these
GUTTER_FONT = 6.2
INDENT = 5.0  # a lane under its class's header
LINE_STEP = GUTTER_FONT + 1.3
TICK_LABEL_W = 16.0  # room the y tick labels take left of their axis
TITLE_FONT = 6.5
LEAST_FONT = 4.5  # a label with a word wider than the gutter shrinks, down to this


# ----------------------------------------------------------------- the left gutter


def _font(row: TimelineRow) -> tuple[str, float]:
    return (FONT_BOLD if row.bold else FONT), TITLE_FONT if row.kind is RowKind.TRACK else GUTTER_FONT


def _room(row: TimelineRow, gutter: float) -> float:
    """How wide a row's label may be: clear of the y tick labels for a track, of the plot for the rest."""
    return gutter - TICK_LABEL_W - 8 if row.kind is RowKind.TRACK else gutter - 9 - row.level * INDENT


def _gutter(rows: Sequence[TimelineRow]) -> float:
    """As wide as the widest lane, header or marker label on one line, from GUTTER_MIN up to
    GUTTER_MAX: a label wider than that wraps instead of narrowing the plot further."""
    widths = [
        stringWidth(row.label, *_font(row)) + 9 + row.level * INDENT
        for row in rows
        if row.kind not in (RowKind.TRACK, RowKind.STRIP)
    ]
    return max([GUTTER_MIN, *(w for w in widths if w <= GUTTER_MAX)])


def label_lines(row: TimelineRow, gutter: float) -> tuple[tuple[str, ...], float]:
    """A row's label as written in the gutter: wrapped at spaces to its room, and at a smaller size
    when one word is wider still (never cut); the lines and their font size."""
    name, size = _font(row)
    room = _room(row, gutter)
    lines = simpleSplit(row.label, name, size, room) if row.label else []
    widest = max((stringWidth(ln, name, size) for ln in lines), default=0.0)
    if widest > room:
        size = max(size * room / widest, LEAST_FONT)
        lines = simpleSplit(row.label, name, size, room)
    return tuple(lines), size


def _centred_label(
    drawing: Group, row: TimelineRow, lines: Sequence[str], size: float, middle: float
) -> None:
    step = size + 1.3
    first = middle + (len(lines) - 1) / 2 * step - size * 0.35
    for n, words in enumerate(lines):
        drawing.add(text(4 + row.level * INDENT, first - n * step, words, size, bold=row.bold))


def _row_height(row: TimelineRow, lines: Sequence[str], size: float, per_x: float) -> float:
    if row.kind is RowKind.STRIP and row.strip is not None:
        return max(strip_height(row.strip, per_x), len(lines) * (size + 1.3) + 4)
    if row.kind is RowKind.TRACK:
        return row.height * ROW_PT
    return max(row.height * ROW_PT, len(lines) * (size + 1.3) + 3)


# ----------------------------------------------------------------- tracks


def _track_labels(drawing: SpecDrawing, track: MeasureTrackSpec, sx: XScale, sy: XScale) -> None:
    """Band names centred in their bands, limits above their line (else below), at the left, clear of
    the cut-off line and the latest values; none over another, a tick or the track's edge."""
    lo, hi = track.y.range
    x = sx.left + 3
    options: list[list[Box]] = []
    for band in track.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        box = label_box(x, (y0 + y1) / 2 - LABEL_FONT / 2 + 1, band.label)
        options.append([box] if y0 <= box[1] and box[3] <= y1 else [])  # too thin: the legend names it
    for reference in track.references:
        y, rx = sy(reference.y), max(sx(reference.x_start), sx.left) + 3
        options.append(
            [label_box(rx, y + 3, reference.label), label_box(rx, y - 2 - LABEL_FONT, reference.label)]
        )
    texts = [b.label for b in track.bands] + [r.label for r in track.references]
    ticks = [(sx.left - 2.5, sy(t.x) - 0.5, sx.left + 0.5, sy(t.x) + 0.5) for t in track.y.ticks]
    area = (sx.left, sy.left, sx.left + sx.width, sy.left + sy.width)
    for placed, words in zip(place_labels(options, area, ticks), texts, strict=True):
        if placed is not None:
            boxed_label(drawing, placed, words)


def _track(drawing: SpecDrawing, track: MeasureTrackSpec, sx: XScale, bottom: float, height: float) -> None:
    """A measure track's plot from ``bottom`` up ``height``: bands, limits, y axis, series."""
    lo, hi = track.y.range
    sy = y_scale(bottom, height, lo, hi)
    for band in track.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        drawing.add(rect(sx.left, y0, sx.width, y1 - y0, band.style))
    for reference in track.references:
        y = sy(reference.y)
        drawing.add(line(sx(reference.x_start), y, sx(reference.x_end), y, reference.style))
    _track_labels(drawing, track, sx, sy)
    y_axis(drawing, track.y.ticks, sy, sx.left)
    for spec in track.series:
        series(drawing, spec, sx, sy)
        drawing.counts["points"] += len(spec.points)
    drawing.counts["tracks"] += 1


# ----------------------------------------------------------------- the rows


class _Rows:
    """Draws each row into its band [top - height, top] of the drawing."""

    def __init__(
        self, drawing: SpecDrawing, spec: TimelineSpec, sx: XScale, images: Mapping[int, bytes]
    ) -> None:
        self.drawing, self.spec, self.sx, self.images = drawing, spec, sx, images
        self.photos_y = 0.0  # the photo markers' centre, where the strip's leader lines start

    def draw(self, row: TimelineRow, top: float, height: float) -> None:
        """The row, by its kind (the methods are looked up per row: kept in a dict on ``self`` they would
        make a reference cycle that holds the drawing until the garbage collector runs)."""
        kinds: dict[RowKind, Callable[[TimelineRow, float, float], None]] = {
            RowKind.PHASES: self.phases, RowKind.HEADER: self.header, RowKind.LANE: self.lane,
            RowKind.EVENTS: self.events, RowKind.PHOTOS: self.photos, RowKind.STRIP: self.strip,
            RowKind.TRACK: self.track,
        }  # fmt: skip
        kinds[row.kind](row, top, height)

    def phases(self, row: TimelineRow, top: float, height: float) -> None:
        """Each phase named at the top of its band, where the name fits (else in the legend only)."""
        sx = self.sx
        for phase in self.spec.phases:
            if stringWidth(phase.label, FONT_BOLD, 6.2) + 4 <= sx(phase.x_end) - sx(phase.x_start):
                self.drawing.add(text(sx(phase.x_start) + 2, top - 9, phase.label, 6.2, bold=True))

    def header(self, row: TimelineRow, top: float, height: float) -> None:
        """A drug class's name: its label in the gutter is all it shows."""

    def lane(self, row: TimelineRow, top: float, height: float) -> None:
        bars = row.lane.bars if row.lane else ()
        for bar in bars:
            draw_bar(self.drawing, bar, self.sx, top - (height + BAR_PT) / 2, BAR_PT, self.spec.arrow_style)
        self.drawing.counts["bars"] += len(bars)

    def events(self, row: TimelineRow, top: float, height: float) -> None:
        """Each adverse event at its onset, a thin line on to its resolution."""
        sx, y = self.sx, top - height / 2
        for event in row.events:
            if event.x_end is not None and event.x_end > event.x:
                self.drawing.add(rule(sx(event.x), y, sx(event.x_end), y, MUTED, 0.8))
        for event in row.events:
            self.drawing.add(marker(sx(event.x), y, event.style))
        self.drawing.counts["events"] += len(row.events)

    def photos(self, row: TimelineRow, top: float, height: float) -> None:
        self.photos_y = top - height / 2
        for photo in row.photos:
            self.drawing.add(marker(self.sx(photo.x), self.photos_y, photo.style))
        self.drawing.counts["photos"] += len(row.photos)

    def strip(self, row: TimelineRow, top: float, height: float) -> None:
        if row.strip is not None:
            drawn = draw_strip(self.drawing, row.strip, self.sx, self.photos_y - 3, top, self.images)
            self.drawing.counts.update(drawn)

    def track(self, row: TimelineRow, top: float, height: float) -> None:
        if row.track is not None:
            _track(self.drawing, row.track, self.sx, top - height, height - TRACK_GAP)


def _gutter_label(
    drawing: Group, row: TimelineRow, lines: Sequence[str], size: float, top: float, height: float
) -> None:
    """A track's title at the top of its plot, beside its axis; any other label centred on its row."""
    if row.kind is RowKind.TRACK:
        for n, words in enumerate(lines):
            drawing.add(text(4, top - TRACK_GAP - 7 - n * (size + 1.5), words, size, bold=True))
    else:
        _centred_label(drawing, row, lines, size, top - height / 2)


@dataclass(frozen=True)
class _Layout:
    sx: XScale  # the x clock, right of the gutter
    labels: tuple[tuple[tuple[str, ...], float], ...]  # each row's label lines and font size
    heights: tuple[float, ...]  # each row's, in points
    legend_h: float


def _layout(spec: TimelineSpec, width: float) -> _Layout:
    gutter = _gutter(spec.rows)
    plot_w = width - gutter - 6
    sx = XScale(spec.x_range[0], spec.x_range[1], gutter, plot_w)
    labels = tuple(label_lines(row, gutter) for row in spec.rows)
    per_x = plot_w / (sx.hi - sx.lo)
    heights = tuple(
        _row_height(row, lines, size, per_x) for row, (lines, size) in zip(spec.rows, labels, strict=True)
    )
    return _Layout(sx, labels, heights, legend_height(spec.legend, plot_w))


def _backdrop(drawing: SpecDrawing, spec: TimelineSpec, sx: XScale, bottom: float, top: float) -> None:
    """The phase bands across every row, the grid over them: behind the bars, thumbnails and curves."""
    for phase in spec.phases:
        width = sx(phase.x_end) - sx(phase.x_start)
        drawing.add(rect(sx(phase.x_start), bottom, width, top - bottom, phase.style))
        drawing.counts["phases"] += 1
    grid(drawing, spec.ticks, sx, bottom, top)


def draw_timeline(spec: TimelineSpec, width: float, images: Mapping[int, bytes] | None = None) -> SpecDrawing:
    """The patient's timeline: the spec's rows top to bottom (``TimelineSpec.rows``), the x axis, the
    legend; phase bands behind everything. ``images`` holds the strip's photos by id (the report's
    ``photo_images``); one missing there prints as an empty frame. ``x_scale`` keeps where the
    drawing put the x clock, ``counts`` what it drew."""
    register_fonts()  # text is measured in the embedded family, whoever draws first
    layout = _layout(spec, width)
    sx, bottom = layout.sx, 30 + layout.legend_h  # the x axis
    drawing = SpecDrawing(width, bottom + AXIS_GAP + sum(layout.heights) + TOP_PT)
    drawing.x_scale = sx
    top = drawing.height - TOP_PT
    _backdrop(drawing, spec, sx, bottom, top)
    rows, y = _Rows(drawing, spec, sx, images or {}), top
    for row, (lines, size), height in zip(spec.rows, layout.labels, layout.heights, strict=True):
        if row.rule_above:
            drawing.add(rule(sx.left, y, sx.left + sx.width, y, RULE, 0.5))
        rows.draw(row, y, height)
        _gutter_label(drawing, row, lines, size, y, height)
        y -= height
    for x, style in ((spec.cutoff_x, spec.cutoff_style), (spec.day_zero_x, spec.day_zero_style)):
        if x is not None:
            drawing.add(line(sx(x), bottom, sx(x), top, style))
    x_axis(drawing, spec.ticks, sx, bottom, None, spec.x_label)
    legend(drawing, spec.legend, sx.left, layout.legend_h - 8, sx.width)
    drawing.counts = +drawing.counts  # only the kinds drawn at least once
    return drawing
