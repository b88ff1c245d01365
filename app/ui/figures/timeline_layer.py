"""The timeline's painted layer: everything of a plot that is not a curve or a marker (phase bands,
severity bands, grid, rules, bars, arrows, the cut-off and day-0 lines, texts), in one light item
painted in pixels instead of hundreds of items (pitfall 1.10).

Vertical bands and lines span the whole visible height, so they stay right on a log axis (pitfall
1.9) and after a pan; texts keep their pixel size and can be pinned to the view edge. Band and
limit labels are placed by the domain's ``plot_labels`` rule, as in the PDF: clear of the ticks
and of each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from ...domain import style as house
from ...domain.plot_labels import place_labels
from ...domain.style import FillStyle
from ..plot_style import INK, PAPER, arrow_head, edge_pen, font, paint_fill, pen, qcolour, rect_box

TICK_PX = 4  # the left axes' ticks reach this far into the plot
GRID = QColor(house.GRID)
RULE = QColor(house.RULE)


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # view coordinates (log10 on a log axis)
    text: str
    align: str = "left"  # left, right or center of the text at x
    pin: str = ""  # "left": never left of the view; "right": never right of it
    span: tuple[float, float] | None = None  # the text stays inside this x range (elided)
    vspan: tuple[float, float] | None = None  # centred in this y range, left out when it does not fit
    bold: bool = False
    colour: QColor = field(default_factory=lambda: QColor(INK))
    dx: float = 0.0  # px
    dy: float = 0.0  # px
    boxed: bool = False  # on a faint paper box
    labels: bool = False  # a band or limit label: placed clear of ticks and of the other labels
    alternatives: tuple[float, ...] = ()  # other dy (px) to try when the first place collides


class PaintedLayer(pg.GraphicsObject):  # type: ignore[misc]
    """What a plot paints itself, filled by the timeline for each spec and painted in one pass."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(-50)
        self.clear()

    def clear(self) -> None:
        self.vbands: list[tuple[float, float, FillStyle]] = []
        self.hbands: list[tuple[float, float, FillStyle]] = []
        self.grid: list[float] = []
        self.vlines: list[tuple[float, QPen]] = []
        self.rules: list[float] = []
        self.bars: list[tuple[float, float, float, float, FillStyle]] = []  # x0, x1, y0, y1
        self.arrows: list[tuple[float, float, float]] = []  # x, y, size in px
        self.segments: list[tuple[float, float, float, QPen]] = []  # x0, x1, y
        self.texts: list[Label] = []
        self.ticks: list[float] = []  # the left axis's tick positions (view y): labels keep clear of them
        self.drawn_labels: list[tuple[str, QRectF]] = []  # band and limit labels as last painted (px)

    def changed(self) -> None:
        self.prepareGeometryChange()
        self.update()

    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:
        view = self.viewRect()
        return QRectF() if view is None else QRectF(view)

    def paint(self, painter: QPainter, *args: object) -> None:
        view = self.viewRect()
        if view is None or view.isEmpty():
            return
        to_px = painter.transform()

        def px(x: float, y: float = 0.0) -> QPointF:
            return to_px.map(QPointF(x, y))

        area = to_px.mapRect(view)
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self._paint_behind(painter, px, area)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(INK))
        for x, y, size in self.arrows:
            painter.drawPolygon(arrow_head(px(x, y), size))
        for x, line in self.vlines:
            painter.setPen(line)
            painter.drawLine(QPointF(px(x).x(), area.top()), QPointF(px(x).x(), area.bottom()))
        self._paint_texts(painter, px, view, area)
        painter.restore()

    def _paint_behind(self, painter: QPainter, px: Callable[..., QPointF], area: QRectF) -> None:
        """Bands, grid, rules, segments and bars, in pixels (``px`` maps view to pixels), unsmoothed."""
        top, bottom, left, right = area.top(), area.bottom(), area.left(), area.right()

        def span(x0: float, x1: float) -> tuple[float, float]:
            a, b = sorted((px(x0).x(), px(x1).x()))
            return a, b

        for x0, x1, style in self.vbands:
            a, b = span(x0, x1)
            painter.fillRect(QRectF(a, top - 2, b - a, bottom - top + 4), qcolour(style.colour, style.alpha))
            if style.edge is not None:
                painter.setPen(edge_pen(style))
                painter.drawLine(QPointF(a, top), QPointF(a, bottom))
                painter.drawLine(QPointF(b, top), QPointF(b, bottom))
        for y0, y1, style in self.hbands:
            a, b = sorted((px(0, y0).y(), px(0, y1).y()))
            painter.fillRect(QRectF(left, a, right - left, b - a), qcolour(style.colour, style.alpha))
        painter.setPen(pen(GRID, 0.6))
        for x in self.grid:
            painter.drawLine(QPointF(px(x).x(), top), QPointF(px(x).x(), bottom))
        painter.setPen(pen(RULE, 0.6))
        for y in self.rules:
            painter.drawLine(QPointF(left, px(0, y).y()), QPointF(right, px(0, y).y()))
        for x0, x1, y, segment_pen in self.segments:
            a, b = span(x0, x1)
            painter.setPen(segment_pen)
            painter.drawLine(QPointF(a, px(0, y).y()), QPointF(b, px(0, y).y()))
        for x0, x1, y0, y1, style in self.bars:
            a, b = span(x0, x1)
            if b - a < 2:  # a single day still shows
                a, b = (a + b) / 2 - 1, (a + b) / 2 + 1
            c, d = sorted((px(0, y0).y(), px(0, y1).y()))
            paint_fill(painter, QRectF(a, c, b - a, d - c), style)

    def _paint_texts(self, painter: QPainter, px: Callable[..., QPointF], view: QRectF, area: QRectF) -> None:
        base = QFont(painter.font())
        for label in self.texts:
            found = None if label.labels else self._layout(label, base, px, view, area, label.dy)
            if found is not None:
                self._draw_text(painter, label, *found)
        self._paint_labels(painter, base, px, view, area)

    def _paint_labels(
        self, painter: QPainter, base: QFont, px: Callable[..., QPointF], view: QRectF, area: QRectF
    ) -> None:
        """Band and limit labels: each at the first of its places that is inside the plot and clear
        of the ticks and of the labels before it (``plot_labels.place_labels``, as the PDF does)."""
        labels = [t for t in self.texts if t.labels]
        layouts = [
            [found for dy in (t.dy, *t.alternatives) if (found := self._layout(t, base, px, view, area, dy))]
            for t in labels
        ]
        left = area.left()
        ticks = [(left - 1, px(0, y).y() - 1, left + TICK_PX + 1, px(0, y).y() + 1) for y in self.ticks]
        boxes = place_labels(
            [[rect_box(found[3]) for found in options] for options in layouts],
            (area.left(), area.top(), area.right(), area.bottom()),
            ticks,
        )
        self.drawn_labels = []
        for label, options, box in zip(labels, layouts, boxes, strict=True):
            found = next((f for f in options if box is not None and rect_box(f[3]) == box), None)
            if found is not None:
                self._draw_text(painter, label, *found)
                self.drawn_labels.append((label.text, QRectF(found[3])))

    def _layout(
        self, label: Label, base: QFont, px: Callable[..., QPointF], view: QRectF, area: QRectF, dy: float
    ) -> tuple[str, QFont, QPointF, QRectF] | None:
        """Where a text goes (its shown text, font, baseline start and box in pixels), None if it does not fit."""
        text_font = font(-1, label.bold, base)  # the widget font, slightly smaller
        metrics = QFontMetricsF(text_font)
        x = label.x
        if label.pin == "left":
            x = max(x, view.left())
        elif label.pin == "right":
            x = min(x, view.right())
        at = px(x, label.y)
        if label.vspan is not None:
            low, high = sorted(px(x, v).y() for v in label.vspan)
            if high - low < metrics.height() + 2:
                return None
            at.setY((low + high) / 2)
        at += QPointF(label.dx, dy)
        text = label.text
        if label.span is not None:
            a, b = (px(v).x() for v in label.span)
            a, b = max(min(a, b), area.left()), min(max(a, b), area.right())
            room = b - max(at.x(), a) - 3
            if room < metrics.horizontalAdvance("M…"):
                return None
            text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        width = metrics.horizontalAdvance(text)
        x_px = at.x() - (width if label.align == "right" else width / 2 if label.align == "center" else 0)
        baseline = at.y() + (metrics.ascent() - metrics.descent()) / 2
        box = QRectF(x_px - 2, baseline - metrics.ascent() - 1, width + 4, metrics.height() + 1)
        return text, text_font, QPointF(x_px, baseline), box

    @staticmethod
    def _draw_text(
        painter: QPainter, label: Label, text: str, text_font: QFont, at: QPointF, box: QRectF
    ) -> None:
        if label.boxed:  # keeps the text legible over bands and grid lines
            painter.fillRect(box, qcolour(PAPER, 0.75))
        painter.setFont(text_font)
        painter.setPen(label.colour)
        painter.drawText(at, text)
