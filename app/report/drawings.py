"""Vector drawings of the cohort specs for the PDF (reportlab graphics), and where every figure drawing is found.

The spaghetti and swimmer plots are drawn here; the patient's timeline in ``timeline_drawing``
and the parts all of them share (scales, shapes, axes, legend) in ``figure_parts``. Each
function draws exactly what its spec says, as the screen does, and keeps a count of what it
drew (``counts``) so a parity test can hold it against the spec and the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

from reportlab.graphics.shapes import Group
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..domain.cohort_plots import SpaghettiSpec
from ..domain.cohort_swimmer import SwimmerSpec
from ..domain.plot_labels import Box, place_labels
from .figure_parts import (
    LABEL_FONT,
    SpecDrawing,
    XScale,
    boxed_label,
    draw_bar,
    fit_height,
    label_box,
    legend,
    legend_height,
    line,
    marker,
    polyline,
    rect,
    text,
    x_axis,
    y_scale,
)
from .styles import FONT, register_fonts
from .timeline_drawing import draw_timeline

__all__ = [
    "LABEL_FONT",
    "SWIMMER_ROW_HEIGHT",
    "SpecDrawing",
    "XScale",
    "draw_spaghetti",
    "draw_swimmer",
    "draw_timeline",
    "fit_height",
    "swimmer_parts",
    "swimmer_slices",
]

SWIMMER_ROW_HEIGHT = 14.0
SPILL_EVERY = 50  # patients of Figure 1 drawn between two moves of its page's drawing out of memory


class _Made(Group):
    """A group whose shapes are made as it is drawn, one patient at a time, and dropped once drawn (a
    figure with a line per patient holds one patient's shapes); every ``SPILL_EVERY`` patients the page's
    drawing so far leaves memory, where the canvas can do that (``pdf_pages.numbered_canvas``)."""

    def __init__(self, count: int, make: Callable[[int, Group], None]) -> None:
        super().__init__()
        self._count, self._make = count, make

    def getContents(self) -> Iterator[Any]:  # type: ignore[override]  # reportlab's renderers iterate it once
        for n in range(self._count):
            group = Group()
            self._make(n, group)
            yield from group.contents
            if n % SPILL_EVERY == SPILL_EVERY - 1:
                getattr(getattr(self, "_canvas", None), "spill", lambda: None)()


class _Candidates(Sequence[list[Box]]):
    """Each patient's label boxes to choose from, made when asked for (a long series makes many)."""

    def __init__(self, spec: SpaghettiSpec, sx: XScale, sy: XScale) -> None:
        self.lines = [p for p in spec.lines if p.points]
        self.sx, self.sy = sx, sy

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, n: int) -> list[Box]: ...
    @overload
    def __getitem__(self, n: slice) -> Sequence[list[Box]]: ...
    def __getitem__(self, n: int | slice) -> list[Box] | Sequence[list[Box]]:
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(len(self)))]
        last = self.lines[n].points[-1]
        x, y = self.sx(last.x) + 3, self.sy(last.y) - 2
        return [label_box(x, y + dy, self.lines[n].study_id, 5.2) for dy in (0, 5, -5, 10, -10)]


def _spaghetti_labels(drawing: SpecDrawing, spec: SpaghettiSpec, sx: XScale, sy: XScale) -> None:
    """Band names at the right of their bands; each patient's study ID after its last value, moved up
    or down a little to keep clear of the others and of the band names (where it is when nothing is free),
    unless the lines are a registry's, drawn together."""
    lo, hi = spec.y.range
    right = sx.left + sx.width
    wanted: list[list[Box]] = []
    for band in spec.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        box = label_box(
            right - 3 - stringWidth(band.label, FONT, LABEL_FONT), y1 - LABEL_FONT - 2, band.label
        )
        wanted.append([box] if y0 <= box[1] else [])  # too thin: the legend names it
    bands = place_labels(wanted, (sx.left, sy.left, right, sy.left + sy.width))
    for band, placed in zip(spec.bands, bands, strict=True):
        if placed is not None:
            boxed_label(drawing, placed, band.label)
    if spec.together:  # a registry's lines are drawn without their study IDs (the caption says so)
        return
    options = _Candidates(spec, sx, sy)
    area = (sx.left, sy.left - 12, right + 40, sy.left + sy.width + 12)
    found = place_labels(options, area, [b for b in bands if b])

    def label(n: int, group: Group) -> None:
        x0, y0, _, _ = found[n] or options[n][0]
        group.add(text(x0 + 1, y0 + 1.5, options.lines[n].study_id, 5.2))

    drawing.add(_Made(len(options), label))


def draw_spaghetti(spec: SpaghettiSpec, width: float, height: float = 230.0) -> SpecDrawing:
    """Each patient's line aligned to day 0, the median line on top, severity bands behind; the title
    above the plot, clear of the top tick."""
    register_fonts()  # text is measured in the embedded family, whoever draws first
    drawing = SpecDrawing(width, height)
    legend_h = legend_height(spec.legend, width - 50)
    left, bottom, top = 40.0, 30 + legend_h, height - 18
    sx = drawing.x_scale = XScale(spec.x_range[0], spec.x_range[1], left, width - left - 8)
    lo, hi = spec.y.range
    sy = y_scale(bottom, top - bottom, lo, hi)
    for band in spec.bands:
        y0, y1 = sy(max(band.y_low, lo)), sy(min(band.y_high, hi))
        drawing.add(rect(left, y0, sx.width, y1 - y0, band.style))
    for tick in spec.y.ticks:
        drawing.add(text(left - 3.5, sy(tick.x) - 2.2, tick.label, anchor="end"))
    title = f"{spec.measure_label}" + (f" ({spec.unit})" if spec.unit else "")
    drawing.add(text(4, height - 10, title, 6.8, bold=True))

    lines = spec.drawn_lines  # a registry's: about a thousand, without markers, as on screen

    def patient_line(n: int, group: Group) -> None:
        patient = lines[n]
        # off the drug first, so the last value on the drug keeps its on-drug marker on top
        for style, points in ((patient.off_drug_style, patient.off_drug), (patient.style, patient.on_drug)):
            placed = [(sx(p.x), sy(p.y)) for p in points]
            polyline(group, style, placed, [] if spec.together else placed)

    drawing.add(_Made(len(lines), patient_line))
    drawing.counts["lines"] += len(lines)
    median = [(sx(m.x), sy(m.y)) for m in spec.median]
    polyline(drawing, spec.median_style, median, median)
    _spaghetti_labels(drawing, spec, sx, sy)
    drawing.counts["median"] = len(spec.median)
    drawing.add(line(sx(0), bottom, sx(0), top, spec.day_zero_style))
    x_axis(drawing, spec.ticks, sx, bottom, top, spec.x_label)
    legend(drawing, spec.legend, left, legend_h - 8, width - left)
    return drawing


def swimmer_parts(spec: SwimmerSpec, width: float, max_height: float) -> list[SpecDrawing]:
    """The swimmer plot in as many drawings as it takes for each to fit ``max_height`` (a long
    series runs over several pages); every part has its own axis and legend."""
    return [draw_swimmer(spec, width, rows) for rows in swimmer_slices(spec, width, max_height)]


def swimmer_slices(spec: SwimmerSpec, width: float, max_height: float) -> list[slice]:
    """The rows of each part of the swimmer plot (see ``swimmer_parts``), to draw one part at a time."""
    register_fonts()
    fixed = 40 + legend_height(spec.legend, width - 60)
    per_part = max(1, int((max_height - fixed) // SWIMMER_ROW_HEIGHT))
    return [slice(n, n + per_part) for n in range(0, len(spec.rows), per_part)]


def draw_swimmer(spec: SwimmerSpec, width: float, rows: slice = slice(None)) -> SpecDrawing:
    """One row per patient: earlier JAK phase before day 0, the index drug after it, events and stops."""
    register_fonts()  # text is measured in the embedded family, whoever draws first
    row_h = SWIMMER_ROW_HEIGHT
    shown = spec.rows[rows]
    legend_h = legend_height(spec.legend, width - 60)
    height = len(shown) * row_h + 40 + legend_h
    drawing = SpecDrawing(width, height)
    bottom = 30 + legend_h
    sx = XScale(spec.x_range[0], spec.x_range[1], 54.0, width - 62)
    y = height - 6
    for row in shown:
        y -= row_h
        drawing.add(text(4, y + 3, row.study_id, 6.5))
        for bar in (*row.prior, row.bar):
            draw_bar(drawing, bar, sx, y + 1, row_h - 5, spec.arrow_style)
        for event in row.events:
            drawing.add(marker(sx(event.x), y + row_h - 3, event.style, 0.6))
            drawing.counts["events"] += 1
        if row.discontinuation is not None:
            drawing.add(
                marker(sx(row.discontinuation.x), y + (row_h - 3) / 2, row.discontinuation.style, 0.8)
            )
            drawing.counts["discontinuations"] += 1
        drawing.counts["rows"] += 1
    drawing.add(line(sx(0), bottom, sx(0), height - 6, spec.day_zero_style))
    x_axis(drawing, spec.ticks, sx, bottom, height - 6, spec.x_label)
    legend(drawing, spec.legend, 54.0, legend_h - 8, width - 60)
    return drawing
