"""Axes drawn from the domain's tick specs: dates or days along the time axis, the spec's ticks up
the side, the timeline's row names (lanes, headers, markers, track titles) in the gutter as label
items of their own. Each axis keeps the ticks it was given, so a figure can say what its axes show
(pitfall 1.5: every stacked plot's gutter is one fixed width, and only the bottom plot carries the
time axis)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from ...domain.plot_spec import TickSpec
from ..plot_style import INK, font

Ticks = list[tuple[float, str]]


def tick_pairs(ticks: Iterable[TickSpec], log: bool = False) -> Ticks:
    """The spec's ticks as (position, label); on a log axis at log10(x), leaving out x ≤ 0."""
    return [(math.log10(t.x) if log else t.x, t.label) for t in ticks if not log or t.x > 0]


class SpecAxis(pg.AxisItem):  # type: ignore[misc]
    """An axis that shows exactly the ticks it is given (``show_ticks``) and says which."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.spec_ticks: Ticks = []

    def show_ticks(self, ticks: Sequence[tuple[float, str]]) -> None:
        self.spec_ticks = list(ticks)
        self.setTicks([self.spec_ticks])

    def labels(self) -> list[str]:
        return [label for _, label in self.spec_ticks]

    def positions(self) -> list[float]:
        return [position for position, _ in self.spec_ticks]


class GutterLabel(QGraphicsItem):
    """A row's name in a plot's left gutter, in bold or not, as the spec's row says: a child item of the
    plot's left axis, painted with ``align`` in ``area`` (axis coordinates), so what the gutter shows
    is in the scene to be read back."""

    def __init__(self, axis: pg.AxisItem, align: Qt.AlignmentFlag | Qt.TextFlag) -> None:
        super().__init__(axis)
        self.words = ""
        self.bold = False
        self.align = int(align)
        self.area = QRectF()  # where the words are laid out
        self.drawn = QRectF()  # where they are painted
        self.ink = QPen(INK)

    def show_words(self, words: str, bold: bool) -> None:
        if (words, bold) != (self.words, self.bold):
            self.words, self.bold = words, bold
            self._measure()
        self.setVisible(bool(words))

    def place(self, area: QRectF) -> None:
        if area != self.area:
            self.area = area
            self._measure()

    def _measure(self) -> None:
        self.prepareGeometryChange()
        self.drawn = QFontMetricsF(font(bold=self.bold)).boundingRect(self.area, self.align, self.words)
        self.update()

    def boundingRect(self) -> QRectF:
        return self.drawn.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, *args: object) -> None:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setFont(font(bold=self.bold))
        painter.setPen(self.ink)
        painter.drawText(self.area, self.align, self.words)


class LaneAxis(SpecAxis):
    """The timeline lanes' left axis: no ticks; the rows' names, each beside its row's middle, right
    aligned against the plot as tick labels are (``show_rows``)."""

    def __init__(self) -> None:
        super().__init__("left")
        self.show_ticks([])
        self.rows: list[tuple[float, str, bool]] = []  # each named row's middle (view y), name, boldness
        self.gutter_labels: list[GutterLabel] = []
        self.geometryChanged.connect(self.place_labels)

    def show_rows(self, rows: Sequence[tuple[float, str, bool]]) -> None:
        """Name ``rows`` (their middle in view y, their name, whether in bold); labels are reused."""
        self.rows = list(rows)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextDontClip
        while len(self.gutter_labels) < len(self.rows):
            self.gutter_labels.append(GutterLabel(self, right))
        for n, label in enumerate(self.gutter_labels):
            _, words, bold = self.rows[n] if n < len(self.rows) else (0.0, "", False)
            label.show_words(words, bold)
        self.place_labels()

    def linkedViewChanged(self, view: pg.ViewBox, newRange: object = None) -> None:
        super().linkedViewChanged(view, newRange)
        self.place_labels()

    def place_labels(self) -> None:
        """Each label where the axis would write a tick label at its row's middle."""
        height = self.geometry().height()
        low, high = self.range
        if height <= 0 or high == low:
            return
        right = self.geometry().width() - max(0, self.style["tickLength"]) - self.style["tickTextOffset"][0]
        line = QFontMetricsF(font()).height()
        for (y, *_), label in zip(self.rows, self.gutter_labels, strict=False):
            middle = height - (y - low) * height / (high - low)
            label.place(QRectF(0, middle - line / 2, right, line))

    def width_for(self, base: QFont) -> int:
        """The gutter width that shows every row's name in ``base`` (150 to 240 px)."""
        widest = max(
            [QFontMetricsF(font(bold=bold, base=base)).horizontalAdvance(name) for _, name, bold in self.rows]
            + [48.0]
        )
        return int(min(max(widest + 14, 150.0), 240))


class TrackAxis(SpecAxis):
    """A timeline track's left axis: its ticks, and the track's title in bold in the gutter beside them
    (the gutter is as wide as the lane names above, so the title costs no height)."""

    TICKS_PX = 40.0  # room kept for the tick labels at the right of the gutter

    def __init__(self) -> None:
        super().__init__("left")
        top_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        self.title = GutterLabel(self, top_left)
        self.geometryChanged.connect(lambda: self.title.place(self.title_rect()))

    def set_title(self, title: str, bold: bool = True) -> None:
        self.title.show_words(title, bold)
        self.title.place(self.title_rect())

    def title_rect(self) -> QRectF:
        bounds = self.geometry()
        return QRectF(4, 0, max(bounds.width() - self.TICKS_PX - 8, 20), bounds.height())

    def drawPicture(self, p: QPainter, axisSpec: object, tickSpecs: object, textSpecs: list) -> None:
        kept: list = []  # on a short track, labels that would overlap the one below are left out
        for spec in sorted(textSpecs, key=lambda s: -s[0].center().y()):
            if not kept or spec[0].bottom() <= kept[-1][0].top() - 1:
                kept.append(spec)
        super().drawPicture(p, axisSpec, tickSpecs, kept)


def spec_axes() -> dict[str, SpecAxis]:
    """Left and bottom axes for a plot whose ticks come from a spec."""
    return {"left": SpecAxis("left"), "bottom": SpecAxis("bottom")}


def spec_axis(plot: pg.PlotItem, name: str) -> SpecAxis:
    axis = plot.getAxis(name)
    assert isinstance(axis, SpecAxis), f"the {name} axis of a figure's plot is a SpecAxis"
    return axis


def set_spec_range(plot: pg.PlotItem, x: tuple[float, float], y: tuple[float, float]) -> None:
    """The spec's ranges, with a hair of slack so ticks on the very edges keep their labels."""
    slack = 1e-6
    plot.setXRange(x[0] - slack * (x[1] - x[0]), x[1] + slack * (x[1] - x[0]), padding=0)
    plot.setYRange(y[0] - slack * (y[1] - y[0]), y[1] + slack * (y[1] - y[0]), padding=0)


def time_axis_under(
    bottom: pg.PlotItem, plots: Sequence[pg.PlotItem], ticks: Sequence[TickSpec], label: str, height: float
) -> None:
    """The time axis under ``bottom`` only, with the spec's ticks and label; the plots above share it."""
    for plot in plots:
        if plot is bottom:
            plot.showAxis("bottom")
            axis = spec_axis(plot, "bottom")
            axis.show_ticks(tick_pairs(ticks))
            axis.setLabel(label, color=INK.name())
            axis.setHeight(int(height))
        else:
            plot.hideAxis("bottom")


def shown_time_ticks(plots: Sequence[pg.PlotItem]) -> list[str]:
    """The labels on the time axis now (the visible one of ``plots``)."""
    return next((spec_axis(p, "bottom").labels() for p in plots if p.getAxis("bottom").isVisible()), [])
