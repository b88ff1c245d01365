"""The per-patient timeline on screen: a pyqtgraph drawing of the pure ``TimelineSpec``.

The widget only draws. What to show, every label, tooltip, colour, marker and range comes
from the spec (``app/domain/timeline.py``); the PDF draws the same spec (``report/drawings.py``)
and both keep a count of what they drew (``counts``) so a test can hold them against the spec.

Layout, top to bottom, in one ``GraphicsLayoutWidget`` column (pitfall 1.5: one column, the same
fixed left-axis width everywhere, every plot x-linked to the first): the lanes plot (phase labels,
one row per medication lane under bold group headers, then adverse events, photos and the photo
strip of ``photos/timeline_strip.py``), then one plot per measure track; the bottom plot carries
the spec's x ticks. Below it, the legend and the notes. Plots and curve items are created once
and reused (pitfall 1.10): ``set_spec`` only fills them. Everything that spans the full height
(phase bands, cut-off and day-zero lines, grid) and the bars and labels are painted by one light
``_Canvas`` item per plot instead of hundreds of items. Tooltips and clicks use one hit test on
the spec's own coordinates (pitfall 1.7: no hoverable scatter items), so what a tooltip names is
what a click opens. Band and limit labels are placed by the domain's ``plot_labels`` rule, as in
the PDF: clear of the ticks and of each other.
"""

from __future__ import annotations

import base64
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QShortcut,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..domain.phases import PhaseKind
from ..domain.plot_labels import place_labels
from ..domain.style import PHOTO_MARKER, FillStyle
from ..domain.timeline import BarSpec, MeasureTrackSpec, TimelineSpec
from .dialogs import confirm_identified
from .photos.timeline_strip import CAPTION_LINES, THUMB_PX, PhotoStrip, strip_height
from .plot_style import (
    INK,
    MUTED,
    PAPER,
    Legend,
    arrow_head,
    curve_symbol,
    edge_pen,
    font,
    html_text,
    line_pen,
    marker_px,
    on_paper,
    paint_fill,
    pen,
    qcolour,
    rect_box,
    spot,
    tick_levels,
)

QWIDGETSIZE_MAX = (1 << 24) - 1
CK_KEY = "ck"  # the track offered on a log scale (timeline_tracks.TRACKS)
HIT_RADIUS = 8.0  # px around a point that still counts as on it
TICK_PX = 4  # the left axes' ticks reach this far into the plot
ROW_PX = 17.0  # one lane row
GRID = QColor("#E3E3E3")
RULE = QColor("#C8C8C8")
EMPTY_TEXT = (
    "No records to draw yet – the timeline appears once the patient has a medication course or an assessment."
)

# Lane-plot rows, in row units (y grows downwards: the lanes plot is inverted).
PHASE_ROW = -0.6  # the phase labels, above the first lane
HEADER_ROW = 0.85  # a drug-class header is a little lower than a lane
BAR_HALF = 0.32


# ----------------------------------------------------------------- one painted layer per plot


@dataclass(frozen=True)
class _Text:
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


class _Canvas(pg.GraphicsObject):  # type: ignore[misc]
    """Everything of a plot that is not a curve or a marker, painted in one pass, in pixels.

    Vertical bands and lines span the whole visible height, so they stay right on a log axis
    (pitfall 1.9) and after a pan; texts keep their pixel size and can be pinned to the view edge.
    """

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
        self.texts: list[_Text] = []
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
        area = to_px.mapRect(view)
        top, bottom, left, right = area.top(), area.bottom(), area.left(), area.right()

        def px(x: float, y: float = 0.0) -> QPointF:
            return to_px.map(QPointF(x, y))

        def span(x0: float, x1: float) -> tuple[float, float]:
            a, b = sorted((px(x0).x(), px(x1).x()))
            return a, b

        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for x0, x1, style in self.vbands:
            a, b = span(x0, x1)
            rect = QRectF(a, top - 2, b - a, bottom - top + 4)
            painter.fillRect(rect, qcolour(style.colour, style.alpha))
            if style.edge is not None:
                painter.setPen(edge_pen(style))
                painter.drawLine(QPointF(a, top), QPointF(a, bottom))
                painter.drawLine(QPointF(b, top), QPointF(b, bottom))
        for y0, y1, style in self.hbands:
            a, b = sorted((px(0, y0).y(), px(0, y1).y()))
            painter.fillRect(QRectF(left, a, right - left, b - a), qcolour(style.colour, style.alpha))
        painter.setPen(pen(GRID, 0.6))
        for x in self.grid:
            gx = px(x).x()
            painter.drawLine(QPointF(gx, top), QPointF(gx, bottom))
        painter.setPen(pen(RULE, 0.6))
        for y in self.rules:
            gy = px(0, y).y()
            painter.drawLine(QPointF(left, gy), QPointF(right, gy))
        for x0, x1, y, segment_pen in self.segments:
            a, b = span(x0, x1)
            gy = px(0, y).y()
            painter.setPen(segment_pen)
            painter.drawLine(QPointF(a, gy), QPointF(b, gy))
        for x0, x1, y0, y1, style in self.bars:
            a, b = span(x0, x1)
            if b - a < 2:  # a single day still shows
                a, b = (a + b) / 2 - 1, (a + b) / 2 + 1
            c, d = sorted((px(0, y0).y(), px(0, y1).y()))
            paint_fill(painter, QRectF(a, c, b - a, d - c), style)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(INK))
        for x, y, size in self.arrows:
            painter.drawPolygon(arrow_head(px(x, y), size))
        for x, line in self.vlines:
            gx = px(x).x()
            painter.setPen(line)
            painter.drawLine(QPointF(gx, top), QPointF(gx, bottom))
        self._paint_texts(painter, px, view, area)
        painter.restore()

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
        self, label: _Text, base: QFont, px: Callable[..., QPointF], view: QRectF, area: QRectF, dy: float
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
        painter: QPainter, label: _Text, text: str, text_font: QFont, at: QPointF, box: QRectF
    ) -> None:
        if label.boxed:  # keeps the text legible over bands and grid lines
            painter.fillRect(box, qcolour(PAPER, 0.75))
        painter.setFont(text_font)
        painter.setPen(label.colour)
        painter.drawText(at, text)


class _LaneAxis(pg.AxisItem):  # type: ignore[misc]
    """The lanes' left axis: lane names, with the drug-class headers in bold."""

    def __init__(self) -> None:
        super().__init__("left")
        self.headers: set[str] = set()

    def drawPicture(self, p: QPainter, axisSpec: object, tickSpecs: object, textSpecs: list) -> None:
        plain = [spec for spec in textSpecs if spec[2] not in self.headers]
        bold = [spec for spec in textSpecs if spec[2] in self.headers]
        super().drawPicture(p, axisSpec, tickSpecs, plain)
        if bold:
            p.setFont(font(bold=True, base=self.style["tickFont"] or p.font()))
            for rect, flags, text in bold:
                p.drawText(rect.adjusted(-40, 0, 0, 0), int(flags), text)


class _TrackAxis(pg.AxisItem):  # type: ignore[misc]
    """A track's left axis: its ticks, and the track's title in bold in the gutter beside them
    (the gutter is as wide as the lane names above, so the title costs no height)."""

    TICKS_PX = 40.0  # room kept for the tick labels at the right of the gutter

    def __init__(self) -> None:
        super().__init__("left")
        self.title = ""

    def set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self.picture = None
            self.update()

    def title_rect(self) -> QRectF:
        bounds = self.geometry()
        return QRectF(4, 0, max(bounds.width() - self.TICKS_PX - 8, 20), bounds.height())

    def drawPicture(self, p: QPainter, axisSpec: object, tickSpecs: object, textSpecs: list) -> None:
        kept: list = []  # on a short track, labels that would overlap the one below are left out
        for spec in sorted(textSpecs, key=lambda s: -s[0].center().y()):
            if not kept or spec[0].bottom() <= kept[-1][0].top() - 1:
                kept.append(spec)
        super().drawPicture(p, axisSpec, tickSpecs, kept)
        if self.title:
            p.setFont(font(bold=True, base=self.style["tickFont"] or p.font()))
            p.setPen(INK)
            flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            p.drawText(self.title_rect(), int(flags), self.title)


# ----------------------------------------------------------------- hit testing


@dataclass
class _Targets:
    """What a plot can name under the pointer: markers (view x, y), then shapes."""

    xs: np.ndarray = field(default_factory=lambda: np.empty(0))
    ys: np.ndarray = field(default_factory=lambda: np.empty(0))
    tips: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # "point", "photo", "event"
    ids: list[int | None] = field(default_factory=list)
    boxes: list[tuple[float, float, float, float, str]] = field(default_factory=list)  # x0, x1, y0, y1
    hlines: list[tuple[float, float, float, str]] = field(default_factory=list)  # x0, x1, y, tooltip
    hbands: list[tuple[float, float, str]] = field(default_factory=list)  # y0, y1, label
    rows: list[tuple[float, str]] = field(default_factory=list)  # lane rows: y, full label

    def set_markers(self, markers: Sequence[tuple[float, float, str, str, int | None]]) -> None:
        self.xs = np.array([m[0] for m in markers], dtype=np.float64)
        self.ys = np.array([m[1] for m in markers], dtype=np.float64)
        self.tips = [m[2] for m in markers]
        self.kinds = [m[3] for m in markers]
        self.ids = [m[4] for m in markers]

    def near(self, x: float, y: float, px_w: float, px_h: float) -> list[int]:
        """Indices of the markers within the hit radius, nearest first."""
        if not len(self.xs):
            return []
        dist = np.hypot((self.xs - x) / px_w, (self.ys - y) / px_h)
        close = np.flatnonzero(dist <= HIT_RADIUS)
        return [int(i) for i in close[np.argsort(dist[close], kind="stable")]]


@dataclass
class Hit:
    text: str = ""
    kind: str = ""  # "point", "photo", "event", "" for shapes
    target: int | None = None  # assessment or photo id to open on click
    area: QRectF | None = None  # scene rectangle the tooltip belongs to


# ----------------------------------------------------------------- the plots


class _Plot:
    """One pooled PlotItem with its canvas and reusable curve items."""

    def __init__(self, plot: pg.PlotItem, axis: pg.AxisItem) -> None:
        self.plot = plot
        self.axis = axis
        self.canvas = _Canvas()
        plot.addItem(self.canvas, ignoreBounds=True)
        self.curves: list[pg.PlotDataItem] = []
        self.used = 0
        self.targets = _Targets()
        self.track: MeasureTrackSpec | None = None
        plot.setMenuEnabled(False)  # no log-x on a date axis, no y zoom from the menu (pitfall 1.4)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pen(INK, 0.6))
            axis.setTextPen(INK)
        plot.getAxis("left").setStyle(tickLength=-TICK_PX)
        plot.getAxis("bottom").setStyle(tickLength=-5)

    def curve(self) -> pg.PlotDataItem:
        if self.used == len(self.curves):
            item = pg.PlotDataItem(antialias=True)
            self.plot.addItem(item)
            self.curves.append(item)
        item = self.curves[self.used]
        self.used += 1
        item.show()
        return item

    def begin(self) -> None:
        self.used = 0
        self.canvas.clear()
        self.targets = _Targets()
        self.track = None

    def end(self) -> None:
        for item in self.curves[self.used :]:
            if item.isVisible():
                item.setData([], [])
                item.hide()
        self.canvas.changed()


def _phases_and_lines(canvas: _Canvas, spec: TimelineSpec) -> None:
    canvas.vbands = [(p.x_start, p.x_end, p.style) for p in spec.phases]
    canvas.grid = [t.x for t in spec.ticks]
    canvas.vlines = [(spec.cutoff_x, line_pen(spec.cutoff_style))]
    if spec.day_zero_x is not None:
        canvas.vlines.append((spec.day_zero_x, line_pen(spec.day_zero_style)))


def _shape_hits(spec: TimelineSpec, x: float, px_w: float) -> list[str]:
    """The vertical things under x: the cut-off and day-zero lines, else the phase band."""
    if abs(x - spec.cutoff_x) <= 4 * px_w:
        return [f"Data cut-off: {spec.cutoff_text}"]
    if spec.day_zero_x is not None and abs(x - spec.day_zero_x) <= 4 * px_w:
        index = next((p for p in spec.phases if p.kind is PhaseKind.INDEX), None)
        return [f"Day 0: the {index.label} start" if index else "Day 0"]
    return [p.tooltip for p in spec.phases if p.x_start <= x <= p.x_end]


# ----------------------------------------------------------------- the widget


def _thumbnail_html(data: bytes | None) -> str:
    image = QImage.fromData(data) if data else QImage()
    if image.isNull():
        return ""
    if image.width() > 220 or image.height() > 165:
        image = image.scaled(
            220, 165, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    buffer_bytes = QByteArray()
    buffer = QBuffer(buffer_bytes)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    encoded = base64.b64encode(bytes(buffer_bytes.data())).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" width="{image.width()}" height="{image.height()}">'


class TimelinePlot(QWidget):
    """A patient's timeline. Signals: ``assessment_clicked(int)``, ``photo_clicked(int)`` (a photo
    marker or a thumbnail of the strip), ``x_mode_changed(str)`` ("date" or "index_days", when the
    user flips the x axis), ``larger_toggled(bool)`` (the user asks for most of the window's height)."""

    assessment_clicked = Signal(int)
    photo_clicked = Signal(int)
    x_mode_changed = Signal(str)
    larger_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec: TimelineSpec | None = None
        self._thumbnail: Callable[[int], bytes | None] | None = None
        self._thumbs: dict[int, str] = {}  # tooltip images, by photo id
        self._thumb_data: dict[int, bytes | None] = {}  # stored thumbnails as read, by photo id
        self._counts: Counter[str] = Counter()
        self._ck_log = False
        # The spec an exported image shows (de-identified unless asked): set by the patient view.
        # Without it, an export shows what is on screen.
        self.export_source: Callable[[bool], TimelineSpec | None] | None = None
        self._build_toolbar()
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(PAPER)
        self.graphics.setAccessibleName("Patient timeline")
        self.graphics.setFrameShape(QFrame.Shape.NoFrame)
        self.graphics.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.graphics.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = self.graphics.ci
        layout.setContentsMargins(4, 6, 18, 2)
        layout.layout.setVerticalSpacing(2)
        self._lane_axis = _LaneAxis()
        self.lanes = _Plot(layout.addPlot(row=0, col=0, axisItems={"left": self._lane_axis}), self._lane_axis)
        self.lanes.plot.invertY(True)
        self._lane_axis.setStyle(tickLength=0)
        self._events = pg.ScatterPlotItem(antialias=True)
        self._photos = pg.ScatterPlotItem(antialias=True)
        for item in (self._events, self._photos):
            self.lanes.plot.addItem(item)
        self.strip = PhotoStrip()
        self.lanes.plot.addItem(self.strip, ignoreBounds=True)
        self._tracks: list[_Plot] = []
        self._axis_px = 46.0
        self._lanes_px = 0.0
        self._lane_ticks: list[tuple[float, str]] = []
        self._lane_rows: list[tuple[float, str]] = []
        self._photos_y = 0.0
        self.lanes.plot.vb.sigXRangeChanged.connect(self._on_x_range_changed)
        self.lanes.plot.vb.sigResized.connect(self._on_lanes_resized)
        self.graphics.scene().sigMouseClicked.connect(self._clicked)
        self.graphics.viewport().installEventFilter(self)
        self.graphics.viewport().setMouseTracking(True)
        self.graphics.installEventFilter(self)
        self.toolbar.installEventFilter(self)

        self.legend = Legend("Timeline legend")
        self.legend.setFont(font(-1, base=self.legend.font()))
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setAccessibleName("Timeline notes")
        self.notes.setFont(font(-1, base=self.notes.font()))
        self.figure = QWidget()
        self.figure.setObjectName("timelineFigure")
        on_paper(self.figure)
        notes_palette = self.notes.palette()
        notes_palette.setColor(QPalette.ColorRole.WindowText, MUTED)
        self.notes.setPalette(notes_palette)
        column = QVBoxLayout(self.figure)
        column.setContentsMargins(0, 0, 8, 6)
        column.setSpacing(4)
        column.addWidget(self.graphics, 1)
        below = QVBoxLayout()
        below.setContentsMargins(10, 0, 0, 0)
        below.addWidget(self.legend)
        below.addWidget(self.notes)
        column.addLayout(below)
        column.addStretch(0)  # takes what a short figure (no tracks) does not need
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.figure)

        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.empty.setAccessibleName("Timeline empty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.scroll)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addWidget(self.toolbar)
        outer.addWidget(self.stack, 1)
        reset = QShortcut(QKeySequence("Ctrl+0"), self)
        reset.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        reset.activated.connect(self.reset_view)
        self.set_spec(None)

    # ------------------------------------------------------------ toolbar
    def _tool(self, text: str, tip: str, checkable: bool = False) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(text.rstrip("…"))
        button.setCheckable(checkable)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def _build_toolbar(self) -> None:
        self.toolbar = QWidget()
        row = QHBoxLayout(self.toolbar)
        row.setContentsMargins(4, 2, 10, 0)
        row.addWidget(QLabel("Time axis:"))
        self.dates_button = self._tool("Dates", "Draw the timeline against calendar dates", True)
        self.days_button = self._tool(
            "Days", "Draw the timeline in days from the index drug start (day 0)", True
        )
        self.x_group = QButtonGroup(self)
        self.x_group.setExclusive(True)
        self.x_group.addButton(self.dates_button)
        self.x_group.addButton(self.days_button)
        self.x_group.buttonClicked.connect(self._x_mode_clicked)
        self.log_button = self._tool("CK log scale", "Show CK on a logarithmic scale", True)
        self.log_button.toggled.connect(self.set_ck_log)
        self.reset_button = self._tool("Reset view", "Show the whole timeline again (Ctrl+0)")
        self.reset_button.clicked.connect(self.reset_view)
        self.export_button = self._tool(
            "Export…",
            "Save the timeline as a PNG image or an SVG drawing, de-identified (days from day 0, no "
            "identifiers); the arrow offers an export with real dates",
        )
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.export_button.clicked.connect(lambda: self._export_clicked(identified=False))
        menu = QMenu(self.export_button)
        self.export_deidentified = menu.addAction("De-identified (days from day 0)…")
        self.export_deidentified.triggered.connect(lambda: self._export_clicked(identified=False))
        self.export_identified = menu.addAction("With real dates (identifiable)…")
        self.export_identified.triggered.connect(lambda: self._export_clicked(identified=True))
        self.export_button.setMenu(menu)
        self.larger_button = self._tool(
            "Larger", "Larger timeline: most of the height for the timeline, a row or two for the records "
            "(Ctrl+Shift+T); again to give the records their height back", True,
        )  # fmt: skip
        self.larger_button.setAccessibleName("Larger timeline")
        self.larger_button.toggled.connect(self.larger_toggled)
        self.hint = QLabel("Drag to move in time, scroll to zoom; click a point or a photo to open it")
        self.hint.setEnabled(False)
        # the hint never widens the window: it is hidden (never cut) where there is no room for it
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for widget in (self.dates_button, self.days_button):
            row.addWidget(widget)
        row.addSpacing(12)
        for widget in (self.log_button, self.reset_button, self.export_button, self.larger_button):
            row.addWidget(widget)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addStretch(1)  # the free space, while the hint is hidden
        row.addWidget(self.hint, 1)  # takes the free space (it asks for none: see _fit_hint)

    def _x_mode_clicked(self, button: QToolButton) -> None:
        mode = "index_days" if button is self.days_button else "date"
        if self._spec is None or mode != self._spec.x_mode:
            self.x_mode_changed.emit(mode)

    def _update_toolbar(self, spec: TimelineSpec | None) -> None:
        for widget in (
            self.dates_button,
            self.days_button,
            self.log_button,
            self.reset_button,
            self.export_button,
        ):
            widget.setEnabled(spec is not None)
        if spec is None:
            return
        index = next((p for p in spec.phases if p.kind is PhaseKind.INDEX), None)
        drug = index.drug or index.label if index else ""
        days = f"Days from {drug} start" if drug else "Days from first treatment"
        self.days_button.setAccessibleName(days)  # the button itself says "Days": the toolbar fits 1024 px
        self.days_button.setToolTip(
            f"Draw the timeline in days from the {drug} start (day 0)"
            if drug
            else "There is no index drug course: day 0 is the start of the first recorded treatment"
        )
        (self.days_button if spec.x_mode == "index_days" else self.dates_button).setChecked(True)
        ck = spec.track(CK_KEY)
        self.log_button.setEnabled(ck is not None and ck.y.log_available)

    # ------------------------------------------------------------ drawing
    def set_spec(
        self, spec: TimelineSpec | None, thumbnail: Callable[[int], bytes | None] | None = None
    ) -> None:
        """Draw ``spec`` (None: the empty state). ``thumbnail(photo_id)`` gives a photo's stored
        thumbnail bytes: asked once per photo, for the strip's photos when drawn, for the others on the
        first hover, and remembered."""
        if thumbnail != self._thumbnail:  # thumbnails of one store never change: keep those loaded
            self._thumbs, self._thumb_data = {}, {}
            self.strip.forget_images()
        self._spec, self._thumbnail = spec, thumbnail
        self._counts = Counter()
        self._update_toolbar(spec)
        if spec is None:
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.scroll)
        self._draw_lanes(spec)
        while len(self._tracks) < len(spec.tracks):
            row = len(self._tracks) + 1
            axis = _TrackAxis()
            plot = _Plot(self.graphics.ci.addPlot(row=row, col=0, axisItems={"left": axis}), axis)
            plot.plot.setXLink(self.lanes.plot)
            self._tracks.append(plot)
        for n, plot in enumerate(self._tracks):
            if n < len(spec.tracks):
                self._counts["points"] += self._draw_track(plot, spec.tracks[n], spec)
                self._counts["tracks"] += 1
            else:
                plot.begin()
                plot.end()
                plot.plot.setLogMode(y=False)
                plot.plot.hide()
        self._x_axis(spec)
        self.legend.set_entries(spec.legend)
        notes = list(dict.fromkeys([*spec.notes, *(t.note for t in spec.tracks if t.note)]))
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.graphics.setAccessibleDescription(f"Timeline of {spec.study_id}: {spec.x_label}")
        self.reset_view()
        self._set_least_height()
        self._fit_rows()

    def _set_least_height(self) -> None:
        tracks, _, _, least = self._heights()
        self.graphics.setMinimumHeight(int(least))
        self.graphics.setMaximumHeight(int(least) if not tracks else QWIDGETSIZE_MAX)

    def _draw_lanes(self, spec: TimelineSpec) -> None:
        lanes = self.lanes
        lanes.begin()
        canvas = lanes.canvas
        _phases_and_lines(canvas, spec)
        for phase in spec.phases:
            canvas.texts.append(
                _Text(phase.x_start, PHASE_ROW, phase.label, pin="left", span=(phase.x_start, phase.x_end),
                      bold=True, dx=3)
            )  # fmt: skip
            self._counts["phases"] += 1
        ticks: list[tuple[float, str]] = []
        headers: set[str] = set()
        boxes = lanes.targets.boxes
        top = 0.0  # the top edge of the next row; a lane row is 1 high, a group header HEADER_ROW
        for group in spec.lane_groups:
            single = len(group.lanes) == 1 and group.lanes[0].label.casefold() == group.label.casefold()
            canvas.rules.append(top)
            if not single:
                y = top + HEADER_ROW / 2
                ticks.append((y, group.label))
                headers.add(group.label)
                lanes.targets.rows.append((y, group.label))
                top += HEADER_ROW
            for lane in group.lanes:
                y = top + 0.5
                ticks.append((y, lane.label))
                if single:
                    headers.add(lane.label)
                lanes.targets.rows.append((y, f"{lane.label} ({group.label})"))
                for bar in lane.bars:
                    self._draw_bar(canvas, bar, y)
                    boxes.append((bar.x_start, bar.x_end, y - BAR_HALF, y + BAR_HALF, bar.tooltip))
                    self._counts["bars"] += 1
                top += 1
        canvas.rules.append(top)
        events_y, photos_y = top + 0.55, top + 1.5
        ticks += [(events_y, "Adverse events"), (photos_y, "Photos")]
        lanes.targets.rows += [
            (events_y, "Adverse events (the number is the CTCAE grade)"),
            (photos_y, "Photos"),
        ]
        self._lane_axis.headers = headers
        markers: list[tuple[float, float, str, str, int | None]] = []
        for event in spec.events:
            if event.x_end is not None and event.x_end > event.x:
                canvas.segments.append((event.x, event.x_end, events_y, pen(MUTED, 1.0)))
            size = marker_px(event.style)
            canvas.texts.append(
                _Text(event.x, events_y, event.style.text, align="right", bold=True, dx=-(size / 2 + 2))
            )
            markers.append((event.x, events_y, event.tooltip, "event", event.event_id))
        self._events.setData(
            spots=[{"pos": (e.x, events_y), **spot(e.style, marker_px(e.style))} for e in spec.events]
        )
        self._counts["events"] += len(spec.events)
        for photo in spec.photos:
            markers.append((photo.x, photos_y, photo.tooltip, "photo", photo.photo_id))
        self._photos.setData(
            spots=[{"pos": (p.x, photos_y), **spot(p.style, marker_px(p.style), 1.0)} for p in spec.photos]
        )
        self._counts["photos"] += len(spec.photos)
        lanes.targets.set_markers(markers)
        lanes.end()
        self._lane_ticks, self._lane_rows, self._photos_y = ticks, list(lanes.targets.rows), photos_y
        self._draw_strip(spec, photos_y)
        self._size_lanes()

    def _draw_strip(self, spec: TimelineSpec, photos_y: float) -> None:
        """The photo strip under the photo markers (its height is set by ``_size_lanes``)."""
        strip = spec.strip
        size = marker_px(PHOTO_MARKER) / 2 + 1
        self.strip.set_strip(strip, photos_y, photos_y + 0.5, size, self._thumbnail_data)
        self._counts["thumbnails"] += len(strip.photos)
        self._counts["leaders"] += sum(p.leader is not None for p in strip.photos)

    def _strip_size(self, spec: TimelineSpec) -> tuple[float, int]:
        """The strip's thumbnail height (as tall as its tallest photo is drawn now, at most THUMB_PX)
        and the most caption lines a thumbnail takes, at this width."""
        width = self.lanes.plot.vb.width()
        if width <= 0:
            return THUMB_PX, CAPTION_LINES
        per_day = width / (spec.x_range[1] - spec.x_range[0])
        rooms = [(p, (p.room[1] - p.room[0]) * per_day - 4) for p in spec.strip.photos]
        lines = max(len(PhotoStrip.caption_lines(p, room, self.font())) for p, room in rooms)
        tallest = max(min(spec.strip.slot_width * per_day * p.aspect, THUMB_PX) for p in spec.strip.photos)
        return tallest, lines

    def _on_lanes_resized(self) -> None:
        """Wider or narrower: the strip's thumbnails and captions take another height."""
        if self._spec is not None and self._spec.strip.photos and self._size_lanes():
            self._set_least_height()
            self._fit_rows()

    def _size_lanes(self) -> bool:
        """The lanes plot's rows: lanes, markers and the photo strip at the height its thumbnails take
        at this width; returns whether its height changed."""
        spec, ticks, bottom = self._spec, list(self._lane_ticks), self._photos_y
        self.lanes.targets.rows = list(self._lane_rows)
        if spec is not None and spec.strip.photos:
            self.strip.thumb_px, lines = self._strip_size(spec)
            metrics = QFontMetricsF(font(-1, base=self.font()))
            rows = strip_height(metrics, self.strip.thumb_px, lines) / ROW_PX
            middle = self.strip.top + rows / 2
            ticks.append((middle, spec.strip.title))
            self.lanes.targets.rows.append((middle, f"{spec.strip.title}: {spec.strip.note}"))
            bottom = self.strip.top + rows
        self._lane_axis.setTicks([ticks])
        self.lanes.plot.setYRange(PHASE_ROW - 0.55, bottom + 0.6, padding=0)
        before, self._lanes_px = self._lanes_px, (bottom + 0.6 - PHASE_ROW + 0.55) * ROW_PX + 4
        return abs(before - self._lanes_px) > 0.5

    @staticmethod
    def _draw_bar(canvas: _Canvas, bar: BarSpec, y: float) -> None:
        """As the PDF's ``draw_bar``: a solid core, faint hatched fuzzy ends, an arrow when open."""
        core_start = bar.fuzzy_start[1] if bar.fuzzy_start else bar.x_start
        core_end = bar.fuzzy_end[0] if bar.fuzzy_end else bar.x_end
        for span in (bar.fuzzy_start, bar.fuzzy_end):
            if span:
                canvas.bars.append((span[0], span[1], y - BAR_HALF, y + BAR_HALF, bar.fuzzy_style))
        if core_end >= core_start:
            canvas.bars.append((core_start, core_end, y - BAR_HALF, y + BAR_HALF, bar.style))
        if bar.open_ended:
            canvas.arrows.append((bar.x_end, y, ROW_PX * BAR_HALF * 1.15))

    def _draw_track(self, plot: _Plot, track: MeasureTrackSpec, spec: TimelineSpec) -> int:
        """Fill a pooled plot with a track; returns the number of points drawn."""
        plot.begin()
        points = 0
        plot.track = track
        plot.plot.show()
        log = self._log_for(track)
        title = f"{track.label} ({track.unit})" if track.unit else track.label
        plot.axis.set_title(title)
        canvas = plot.canvas
        _phases_and_lines(canvas, spec)
        canvas.hbands = [(b.y_low, b.y_high, b.style) for b in track.bands]
        for band in track.bands:
            canvas.texts.append(
                _Text(spec.x_range[0], band.y_high, band.label, pin="left", colour=MUTED,
                      vspan=(band.y_low, band.y_high), dx=TICK_PX + 5, boxed=True, labels=True)
            )  # fmt: skip
            plot.targets.hbands.append((band.y_low, band.y_high, band.label))
        for reference in track.references:
            curve = plot.curve()
            curve.setData(
                [reference.x_start, reference.x_end], [reference.y, reference.y],
                pen=line_pen(reference.style), symbol=None,
            )  # fmt: skip
            y = math.log10(reference.y) if log and reference.y > 0 else reference.y
            canvas.texts.append(  # at the left, as in the report: clear of the cut-off line; above, else below
                _Text(max(reference.x_start, spec.x_range[0]), y, reference.label, pin="left", colour=MUTED,
                      dx=TICK_PX + 5, dy=-9, boxed=True, labels=True, alternatives=(9,))
            )  # fmt: skip
            plot.targets.hlines.append((reference.x_start, reference.x_end, y, reference.tooltip))
        markers: list[tuple[float, float, str, str, int | None]] = []
        for series in track.series:
            xs = np.array([p.x for p in series.points], dtype=np.float64)
            ys = np.array([p.y for p in series.points], dtype=np.float64)
            ids = np.array([p.assessment_id if p.assessment_id is not None else -1 for p in series.points])
            style = series.style
            symbol = curve_symbol(style.marker, marker_px(style.marker))
            if series.step:  # each dose holds until the next one: horizontal, then vertical
                step_x = np.repeat(xs, 2)[1:]
                step_y = np.repeat(ys, 2)[:-1]
                plot.curve().setData(step_x, step_y, pen=line_pen(style.line), symbol=None)
                plot.curve().setData(xs, ys, pen=None, data=ids, **symbol)
            else:
                plot.curve().setData(xs, ys, pen=line_pen(style.line), data=ids, **symbol)
            for point in series.points:
                y = (math.log10(point.y) if point.y > 0 else math.nan) if log else point.y
                markers.append((point.x, y, point.tooltip, "point", point.assessment_id))
            points += len(series.points)
        plot.targets.set_markers(markers)
        plot.end()
        self._set_y(plot)
        return points

    def _x_axis(self, spec: TimelineSpec) -> None:
        shown = [self.lanes] + [t for t in self._tracks if t.track is not None]
        lo, hi = spec.x_range
        span = hi - lo
        for plot in shown:
            if plot.plot.vb.state["limits"]["xLimits"] != [lo - span, hi + span]:
                plot.plot.setLimits(xMin=lo - span, xMax=hi + span, minXRange=14.0)
        bottom = shown[-1].plot
        for plot in [self.lanes, *self._tracks]:
            if plot.plot is bottom:
                plot.plot.showAxis("bottom")
                axis = plot.plot.getAxis("bottom")
                axis.setTicks(tick_levels(spec.ticks))
                axis.setLabel(spec.x_label, color=INK.name())
                axis.setHeight(int(self._axis_px))
            else:
                plot.plot.hideAxis("bottom")
        fonts = QFontMetricsF(self.font())
        bold_fonts = QFontMetricsF(font(bold=True, base=self.font()))
        labels = [label for _, label in self._lane_axis._tickLevels[0]] if self._lane_axis._tickLevels else []
        widest = max(
            [fonts.horizontalAdvance(t) for t in labels] + [bold_fonts.horizontalAdvance(t) for t in self._lane_axis.headers]
            + [48.0],
        )  # fmt: skip
        width = int(min(max(widest + 14, 150.0), 240))
        for plot in [self.lanes, *self._tracks]:
            plot.plot.getAxis("left").setWidth(width)

    # ------------------------------------------------------------ log scale and view
    def _log_for(self, track: MeasureTrackSpec) -> bool:
        return self._ck_log and track.key == CK_KEY and track.y.log_available

    def _set_y(self, plot: _Plot) -> None:
        """A track's y axis as its spec says: linear, or CK on the spec's log range and ticks."""
        track = plot.track
        if track is None:
            return
        log = self._log_for(track)
        if plot.plot.getAxis("left").logMode != log:
            plot.plot.setLogMode(y=log)
            plot.plot.enableAutoRange(enable=False)  # setLogMode turns auto-range on; the spec sets ranges
        axis = plot.plot.getAxis("left")
        if log and track.y.log_range is not None:
            axis.setTicks(tick_levels(track.y.log_ticks, log=True))
            low, high = (math.log10(v) for v in track.y.log_range)
        else:
            axis.setTicks(tick_levels(track.y.ticks))
            low, high = track.y.range
        plot.canvas.ticks = [y for y, _ in axis._tickLevels[0]] if axis._tickLevels else []
        plot.plot.setYRange(low, high, padding=0.06)

    def ck_log(self) -> bool:
        return self._ck_log

    def set_ck_log(self, on: bool) -> None:
        """Show CK on a log scale (its spec's log range and ticks); kept across patients."""
        self._ck_log = bool(on)
        if self.log_button.isChecked() != self._ck_log:
            self.log_button.blockSignals(True)
            self.log_button.setChecked(self._ck_log)
            self.log_button.blockSignals(False)
        spec = self._spec
        if spec is None:
            return
        x_range = self.lanes.plot.vb.viewRange()[0]
        for plot in self._tracks:
            if plot.track is not None and plot.track.key == CK_KEY:
                self._draw_track(plot, plot.track, spec)  # tooltips and labels move to the new scale
        self.lanes.plot.setXRange(*x_range, padding=0)

    def track_plot(self, key: str) -> pg.PlotItem | None:
        """The plot of the track ``key`` in the current spec (for the window and for tests)."""
        return next((t.plot for t in self._tracks if t.track is not None and t.track.key == key), None)

    def _on_x_range_changed(self, _view: object, x_range: tuple[float, float]) -> None:
        """Zoomed or panned: ticks and grid lines for what is in view, chosen by the spec's rule."""
        if self._spec is None:
            return
        ticks = self._spec.ticks_for(*x_range)
        for plot in [self.lanes, *self._tracks]:
            plot.canvas.grid = [t.x for t in ticks]
            plot.canvas.changed()
            if plot.plot.getAxis("bottom").isVisible():
                plot.plot.getAxis("bottom").setTicks(tick_levels(ticks))

    def shown_ticks(self) -> list[str]:
        """The labels on the time axis now."""
        for plot in [self.lanes, *self._tracks]:
            axis = plot.plot.getAxis("bottom")
            if axis.isVisible() and axis._tickLevels:
                return [label for _, label in axis._tickLevels[0]]
        return []

    def reset_view(self) -> None:
        """The whole timeline: the spec's x range, each track's y range (Ctrl+0)."""
        spec = self._spec
        if spec is None:
            return
        for plot in self._tracks:
            self._set_y(plot)
        self.lanes.plot.setXRange(*spec.x_range, padding=0)

    def counts(self) -> dict[str, int]:
        """What is drawn, keyed like the PDF drawing's counts (only kinds drawn at least once)."""
        return {key: value for key, value in self._counts.items() if value}

    # ------------------------------------------------------------ sizes
    TRACK_MIN_PX = 64.0

    def _heights(self) -> tuple[list[_Plot], float, float, float]:
        """The tracks shown, the lanes' height, the spacing and the least height of the plots."""
        tracks = [t for t in self._tracks if t.track is not None]
        axis_px = self._axis_px
        lanes_px = self._lanes_px + (axis_px if not tracks else 0)
        spacing = self.graphics.ci.layout.verticalSpacing() * len(tracks) + 10
        least = lanes_px + len(tracks) * self.TRACK_MIN_PX + (axis_px if tracks else 0) + spacing
        return tracks, lanes_px, spacing, least

    def _fit_rows(self) -> None:
        """Lanes at their row height; tracks share the rest (at least TRACK_MIN_PX each); the
        bottom plot also holds the x axis. Below the least height the figure scrolls."""
        if self._spec is None:
            return
        tracks, lanes_px, spacing, least = self._heights()
        grid = self.graphics.ci.layout
        available = max(self.graphics.height(), least)
        axis_px = self._axis_px if tracks else 0
        each = (available - lanes_px - spacing - axis_px) / max(len(tracks), 1)
        grid.setRowFixedHeight(0, lanes_px)
        for n, plot in enumerate(self._tracks, start=1):
            if plot.track is None:
                grid.setRowFixedHeight(n, 0)
            else:
                grid.setRowFixedHeight(n, each + (axis_px if plot is tracks[-1] else 0))

    def _fit_hint(self) -> None:
        """Show the usage hint only where the toolbar has room for all of it."""
        layout = self.toolbar.layout()
        used = sum(
            item.widget().sizeHint().width() + layout.spacing()
            for n in range(layout.count())
            if (item := layout.itemAt(n)).widget() is not None and item.widget() is not self.hint
        )
        margins = layout.contentsMargins()
        room = self.toolbar.width() - used - margins.left() - margins.right() - 24
        shown = room >= self.hint.sizeHint().width()
        self.hint.setVisible(shown)
        layout.setStretch(layout.indexOf(self.hint) - 1, 0 if shown else 1)  # the spacer before it

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.toolbar and event.type() == QEvent.Type.Resize:
            self._fit_hint()
        elif watched is self.graphics and event.type() == QEvent.Type.Resize:
            self._fit_rows()
        elif watched is self.graphics.viewport():
            kind = event.type()
            if kind == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
                self._show_tooltip(event)
                return True
            elif kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent) and not event.buttons():
                hit = self.hit_at(self.graphics.mapToScene(event.position().toPoint()))
                clickable = hit.kind in ("point", "photo") and hit.target is not None
                self.graphics.viewport().setCursor(
                    Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
                )
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ hover and click
    def hit_at(self, scene_pos: QPointF) -> Hit:
        """What is under a scene position: a point, marker, bar, line or band, with its tooltip."""
        spec = self._spec
        if spec is None:
            return Hit()
        lane_axis = self._lane_axis
        if lane_axis.isVisible() and lane_axis.sceneBoundingRect().contains(scene_pos):
            y = self.lanes.plot.vb.mapSceneToView(scene_pos).y()
            row = min(self.lanes.targets.rows, key=lambda r: abs(r[0] - y), default=None)
            if row is not None and abs(row[0] - y) <= 0.5:
                return Hit(row[1])
            return Hit()
        for plot in [self.lanes, *self._tracks]:
            if not plot.plot.isVisible() or (plot is not self.lanes and plot.track is None):
                continue
            view = plot.plot.vb
            if not view.sceneBoundingRect().contains(scene_pos):
                continue
            at = view.mapSceneToView(scene_pos)
            px_w, px_h = (abs(v) or 1.0 for v in view.viewPixelSize())
            targets = plot.targets
            thumbnail = self.strip.thumbnail_at(at.x(), at.y()) if plot is self.lanes else None
            if thumbnail is not None:
                drawn = self.strip.painted[spec.strip.photos.index(thumbnail)][1]
                area = view.mapViewToScene(drawn).boundingRect()
                return Hit(thumbnail.tooltip, "photo", thumbnail.photo_id, area)
            near = targets.near(at.x(), at.y(), px_w, px_h)
            if near:
                first = near[0]
                same = [
                    i
                    for i in near
                    if targets.xs[i] == targets.xs[first] and targets.ys[i] == targets.ys[first]
                ]
                text = "\n\n".join(dict.fromkeys(targets.tips[i] for i in same))
                area = QRectF(
                    scene_pos.x() - HIT_RADIUS, scene_pos.y() - HIT_RADIUS, 2 * HIT_RADIUS, 2 * HIT_RADIUS
                )
                return Hit(text, targets.kinds[first], targets.ids[first], area)
            for x0, x1, y, tip in targets.hlines:
                if x0 <= at.x() <= x1 and abs(at.y() - y) <= 4 * px_h:
                    return Hit(tip)
            for x0, x1, y0, y1, tip in targets.boxes:
                if x0 - 2 * px_w <= at.x() <= x1 + 2 * px_w and y0 <= at.y() <= y1:
                    return Hit(tip)
            texts = _shape_hits(spec, at.x(), px_w)
            texts += [label for y0, y1, label in targets.hbands if y0 <= at.y() <= y1]
            return Hit("\n".join(texts))
        return Hit()

    def _thumbnail_data(self, photo_id: int) -> bytes | None:
        """A photo's stored thumbnail, read once (for the strip and the tooltips alike)."""
        if photo_id not in self._thumb_data and self._thumbnail is not None:
            try:
                self._thumb_data[photo_id] = self._thumbnail(photo_id)
            except Exception:  # a deleted or unreadable photo: named, not shown
                self._thumb_data[photo_id] = None
        return self._thumb_data.get(photo_id)

    def _photo_html(self, photo_id: int | None, text: str) -> str:
        if photo_id is not None and photo_id not in self._thumbs:
            self._thumbs[photo_id] = _thumbnail_html(self._thumbnail_data(photo_id))
        image = self._thumbs.get(photo_id, "") if photo_id is not None else ""
        return f"{image}<br>{html_text(text)}" if image else html_text(text)

    def _show_tooltip(self, event: QHelpEvent) -> None:
        viewport = self.graphics.viewport()
        scene_pos = self.graphics.mapToScene(event.pos())
        hit = self.hit_at(scene_pos)
        if not hit.text:
            QToolTip.hideText()
            return
        text = self._photo_html(hit.target, hit.text) if hit.kind == "photo" else hit.text
        rect = QRect()
        if hit.area is not None:
            rect = self.graphics.mapFromScene(hit.area).boundingRect()
        QToolTip.showText(event.globalPos(), text, viewport, rect)

    def _clicked(self, event: object) -> None:
        button = getattr(event, "button", None)
        if button is None or button() != Qt.MouseButton.LeftButton or event.double():  # type: ignore[attr-defined]
            return
        hit = self.hit_at(event.scenePos())  # type: ignore[attr-defined]
        if hit.target is None or hit.target < 0:
            return
        if hit.kind == "point":
            self.assessment_clicked.emit(int(hit.target))
        elif hit.kind == "photo":
            self.photo_clicked.emit(int(hit.target))

    # ------------------------------------------------------------ export
    def export_image(self, path: Path) -> None:
        """Save the figure (plots, legend, notes) as .png or .svg; ValueError for other suffixes."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".png", ".svg"):
            raise ValueError(
                f"Cannot export the timeline as '{path.suffix or path.name}': choose a .png or .svg file."
            )
        if self._spec is None:
            raise ValueError("There is no timeline to export: select a patient with records first.")
        figure = self.figure
        if not figure.isVisible():
            figure.resize(figure.size().expandedTo(figure.minimumSizeHint()))
        if suffix == ".png":
            pixmap = figure.grab()
            if pixmap.isNull() or not pixmap.save(str(path), "PNG"):
                raise OSError(f"Could not write {path}")
            return
        size = figure.size()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setResolution(figure.logicalDpiX())  # texts measured on screen keep their size
        generator.setSize(size)
        generator.setViewBox(QRect(QPoint(0, 0), size))
        generator.setTitle(f"Timeline {self._spec.study_id}")
        generator.setDescription(self._spec.x_label)
        painter = QPainter()
        if not painter.begin(generator):
            raise OSError(f"Could not write {path}")
        items = [item for item in self.graphics.scene().items() if hasattr(item, "setExportMode")]
        for item in items:  # markers as vector shapes, not cached pixmap fragments
            item.setExportMode(True, {"antialias": True})
        try:
            figure.render(painter, QPoint(0, 0))
        finally:
            painter.end()
            for item in items:
                item.setExportMode(False)
        if not path.exists() or path.stat().st_size == 0:
            raise OSError(f"Could not write {path}")

    def export_as(self, path: Path, *, identified: bool = False) -> None:
        """Save the timeline as an exported image shows it: de-identified (``export_source``'s spec,
        drawn off screen at the size shown here) unless ``identified``; without a source, as shown."""
        spec = self.export_source(identified) if self.export_source is not None else self._spec
        if spec is None or spec is self._spec:
            self.export_image(path)
            return
        other = TimelinePlot()
        try:
            other.figure.resize(self.figure.size())
            other.set_spec(spec, self._thumbnail)
            other.export_image(path)
        finally:
            other.deleteLater()

    def _export_clicked(self, identified: bool = False) -> None:
        if self._spec is None:
            return
        if identified and not confirm_identified(self, "timeline image"):
            return
        study = re.sub(r"[^\w.-]+", "_", self._spec.study_id, flags=re.ASCII).strip("_")
        name = f"{study}-timeline{'' if identified else '-deidentified'}.png"
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export the timeline", name, "PNG image (*.png);;SVG drawing (*.svg)"
        )
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".svg" if "svg" in chosen.lower() else ".png")
        try:
            self.export_as(target, identified=identified)
        except (ValueError, OSError) as exc:
            QMessageBox.warning(self, "Export failed", f"The timeline was not exported: {exc}")
