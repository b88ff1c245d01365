"""The style table (``app/domain/style.py``) turned into Qt: pens, brushes, fonts, markers and the legend.

Every figure on screen (``figures``: the patient timeline, the spaghetti and swimmer plots) and the
timeline's photo strip draw through these, so a colour, a dash, a marker shape or a legend entry
looks the same in each. Style sizes are in points; a screen pixel is 1/96 inch.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPalette, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget, QWidgetItem

from ..domain import style as house
from ..domain.plot_labels import Box
from ..domain.plot_spec import LegendEntrySpec
from ..domain.style import DOTTED, FillStyle, LineStyle, MarkerStyle, SeriesStyle, swatch_style

PX_PER_PT = 96 / 72  # style widths and sizes are in points
PAPER = QColor(house.PAPER)  # figures are drawn on paper: the style table's colours are chosen for white
INK = QColor(house.INK)
MUTED = QColor(house.MUTED)
# style marker shape → pyqtgraph symbol; t1 is the triangle pointing up, like the PDF's
SYMBOLS = {"o": "o", "s": "s", "t": "t1", "d": "d", "star": "star", "x": "x"}
MARKER_SCALE = 1.1  # px per pt of marker size (+ MARKER_PAD_PX): a 7 pt marker is about 10 px
MARKER_PAD_PX = 2.0
SWATCH = QSize(26, 14)  # a legend entry's sample, by default


# ----------------------------------------------------------------- colours, pens, brushes, fonts


def qcolour(colour: QColor | str, alpha: float = 1.0) -> QColor:
    """A ``#RRGGBB`` colour (or a copy of a QColor) with the opacity ``alpha`` (0–1)."""
    result = QColor(colour)
    result.setAlphaF(max(0.0, min(alpha, 1.0)))
    return result


def pen(colour: QColor | str, width_pt: float = 1.0, dash: Sequence[float] = ()) -> QPen:
    """A cosmetic pen, at least 1 px wide; the dash is on/off lengths in points, as the style table gives it.

    Dashed lines have flat caps (dashes as long as the table says), solid ones round caps."""
    width = max(width_pt * PX_PER_PT, 1.0)
    result = QPen(QColor(colour), width)
    result.setCosmetic(True)
    result.setCapStyle(Qt.PenCapStyle.FlatCap if dash else Qt.PenCapStyle.RoundCap)
    if dash:
        result.setDashPattern([max(d * PX_PER_PT / width, 0.5) for d in dash])
    return result


def line_pen(style: LineStyle) -> QPen:
    return pen(style.colour, style.width, style.dash)


def edge_pen(style: FillStyle) -> QPen:
    """A fill's outline (0.75 pt), or no pen when it has none."""
    if style.edge is None:
        return QPen(Qt.PenStyle.NoPen)
    return pen(style.edge, 0.75, style.edge_dash)


def fill_brush(style: FillStyle) -> QBrush:
    return QBrush(qcolour(style.colour, style.alpha))


def hatched(style: FillStyle) -> bool:
    """Faint fills with a dotted outline (imprecise dates) are hatched too, on the bars and in the legend."""
    return style.alpha < 1 and style.edge is not None and tuple(style.edge_dash) == DOTTED


def paint_fill(painter: QPainter, rect: QRectF, style: FillStyle) -> None:
    """A filled rectangle (hatched where ``hatched``) with its outline."""
    painter.fillRect(rect, fill_brush(style))
    if hatched(style):
        painter.fillRect(rect, QBrush(qcolour(style.colour, 0.9), Qt.BrushStyle.BDiagPattern))
    if style.edge is not None:
        painter.setPen(edge_pen(style))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)


def font(delta: float = 0.0, bold: bool = False, base: QFont | None = None) -> QFont:
    """``base`` (the application font by default) ``delta`` points larger, at least 6 pt."""
    result = QFont(base) if base is not None else QFont()
    if result.pointSizeF() > 0:
        result.setPointSizeF(max(6.0, result.pointSizeF() + delta))
    result.setBold(bold)
    return result


def on_paper(widget: QWidget) -> None:
    """Draw a figure widget in ink on white, whatever the system theme, like the printed figure."""
    palette = widget.palette()
    for role, colour in (
        (QPalette.ColorRole.Window, PAPER), (QPalette.ColorRole.Base, PAPER),
        (QPalette.ColorRole.WindowText, INK), (QPalette.ColorRole.Text, INK),
    ):  # fmt: skip
        palette.setColor(role, colour)
    widget.setPalette(palette)
    widget.setAutoFillBackground(True)


def rect_box(rect: QRectF) -> Box:
    """A rectangle as the label placement rule (``plot_labels``) takes it."""
    return rect.left(), rect.top(), rect.right(), rect.bottom()


def html_text(text: str) -> str:
    """Plain text for a rich-text label or tooltip: escaped, line breaks kept."""
    return html.escape(text, quote=False).replace("\n", "<br>")


# ----------------------------------------------------------------- markers


def symbol(shape: str) -> str:
    """The pyqtgraph symbol of a style marker shape (a circle for an unknown one)."""
    return SYMBOLS.get(shape, "o")


def marker_px(style: MarkerStyle, scale: float = MARKER_SCALE, pad: float = MARKER_PAD_PX) -> float:
    """A marker's size in pixels: ``scale`` px per point of its size, plus ``pad`` px."""
    return style.size * scale + pad


def spot(style: MarkerStyle, size: float, edge_pt: float = 0.75) -> dict[str, object]:
    """A marker as ``ScatterPlotItem`` keywords: symbol, size (px), brush and pen."""
    return {
        "symbol": symbol(style.shape),
        "size": size,
        "brush": QBrush(QColor(style.colour)),
        "pen": pen(style.edge, edge_pt),
    }


def curve_symbol(style: MarkerStyle, size: float) -> dict[str, object]:
    """The same marker as ``PlotDataItem`` keywords: symbol, symbolSize, symbolBrush and symbolPen."""
    keywords = spot(style, size)
    return {
        "symbol": keywords["symbol"],
        "symbolSize": size,
        "symbolBrush": keywords["brush"],
        "symbolPen": keywords["pen"],
    }


def marker_path(shape: str, size: float) -> QPainterPath:
    """A marker's outline, ``size`` px across, centred on (0, 0): the shape pyqtgraph draws."""
    return QTransform.fromScale(size, size).map(Symbols[symbol(shape)])


def paint_marker(painter: QPainter, centre: QPointF, style: MarkerStyle, size: float) -> None:
    """A marker as a vector shape, as pyqtgraph draws it, with its text (an AE grade) inside."""
    painter.setPen(pen(style.edge, 0.75))
    painter.setBrush(QBrush(QColor(style.colour)))
    painter.drawPath(marker_path(style.shape, size).translated(centre))
    if style.text:
        painter.setPen(INK)
        painter.setFont(font(-2, bold=True))
        box = QRectF(centre.x() - size / 2, centre.y() - size / 2 + size * 0.18, size, size * 0.8)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), style.text)


def arrow_head(tip_base: QPointF, size: float) -> QPolygonF:
    """An arrow head pointing right, its back at ``tip_base`` (an open-ended bar's end)."""
    x, y = tip_base.x(), tip_base.y()
    return QPolygonF([QPointF(x, y - size), QPointF(x + size * 1.4, y), QPointF(x, y + size)])


# ----------------------------------------------------------------- the legend


def paint_swatch(
    painter: QPainter,
    box: QRectF,
    entry: LegendEntrySpec,
    marker_size: Callable[[MarkerStyle], float] = marker_px,
) -> None:
    """A legend entry's sample in ``box``, drawn as the plot draws that element.

    ``marker_size`` is the plot's marker size in px; a marker is kept within the box's height + 3 px."""
    style, mid = entry.style, box.center()

    def size(marker: MarkerStyle) -> float:
        return min(marker_size(marker), box.height() + 3)

    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    if isinstance(style, FillStyle):  # outlined when too pale to see on the paper, as in print
        paint_fill(
            painter,
            QRectF(box.left() + 3, box.top() + 2, box.width() - 6, box.height() - 4),
            swatch_style(style),
        )
    elif isinstance(style, LineStyle) and entry.kind == "arrow":
        painter.setPen(pen(style.colour, style.width))
        painter.drawLine(QPointF(box.left() + 2, mid.y()), QPointF(box.right() - 10, mid.y()))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(style.colour))
        painter.drawPolygon(arrow_head(QPointF(box.right() - 10, mid.y()), 4.5))
    elif isinstance(style, LineStyle):
        painter.setPen(line_pen(style))
        painter.drawLine(QPointF(box.left() + 1, mid.y()), QPointF(box.right() - 1, mid.y()))
    elif isinstance(style, MarkerStyle):
        paint_marker(painter, mid, style, size(style))
    elif isinstance(style, SeriesStyle):
        painter.setPen(line_pen(style.line))
        painter.drawLine(QPointF(box.left() + 1, mid.y()), QPointF(box.right() - 1, mid.y()))
        paint_marker(painter, mid, style.marker, size(style.marker))


class FlowLayout(QLayout):
    """Items left to right, wrapping to the next line (the Qt flow-layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 12) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, outer: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        rect = outer.marginsRemoved(margins)
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, line = rect.x(), y + line + 2, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + margins.top() + margins.bottom()


class LegendEntry(QWidget):
    """One legend entry: its swatch and its label, painted (cheap to reuse across specs)."""

    def __init__(
        self,
        parent: QWidget,
        marker_size: Callable[[MarkerStyle], float] = marker_px,
        swatch: QSize = SWATCH,
    ) -> None:
        super().__init__(parent)
        self.entry: LegendEntrySpec | None = None
        self.marker_size = marker_size
        self.swatch = swatch
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_entry(self, entry: LegendEntrySpec) -> None:
        self.entry = entry
        self.setAccessibleName(entry.label)
        self.setToolTip(entry.label)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        label = self.entry.label if self.entry else ""
        metrics = self.fontMetrics()
        swatch = self.swatch
        return QSize(
            swatch.width() + 4 + metrics.horizontalAdvance(label), max(swatch.height(), metrics.height())
        )

    def paintEvent(self, event: object) -> None:
        if self.entry is None:
            return
        painter = QPainter(self)
        swatch = self.swatch
        box = QRectF(0, (self.height() - swatch.height()) / 2, swatch.width(), swatch.height())
        paint_swatch(painter, box, self.entry, self.marker_size)
        painter.setPen(INK)
        painter.setFont(self.font())
        text = QRectF(swatch.width() + 4, 0, self.width() - swatch.width() - 4, self.height())
        painter.drawText(
            text, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), self.entry.label
        )
        painter.end()


class Legend(QWidget):
    """A spec's legend entries, a swatch and a label each, flowing left to right and wrapping to the width.

    ``marker_size`` is the plot's marker size in px, ``swatch`` the size of an entry's sample.
    ``labels`` are the labels of the entries set; ``shown()`` those on screen."""

    def __init__(
        self,
        name: str = "Legend",
        marker_size: Callable[[MarkerStyle], float] = marker_px,
        swatch: QSize = SWATCH,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.marker_size = marker_size
        self.swatch = swatch
        self.flow = FlowLayout(self)
        self.entries: list[LegendEntry] = []
        self.labels: list[str] = []

    def set_entries(self, entries: Sequence[LegendEntrySpec]) -> None:
        self.labels = [entry.label for entry in entries]
        while len(self.entries) < len(entries):
            widget = LegendEntry(self, self.marker_size, self.swatch)
            self.entries.append(widget)
            self.flow.addItem(QWidgetItem(widget))
        for widget, entry in zip(self.entries, entries, strict=False):
            widget.set_entry(entry)
            widget.show()
        for widget in self.entries[len(entries) :]:
            widget.hide()
        self.flow.invalidate()
        self.updateGeometry()

    def shown(self) -> list[str]:
        return [w.entry.label for w in self.entries if w.isVisibleTo(self) and w.entry is not None]
