"""The cohort figures on screen: the spaghetti and swimmer plots (pyqtgraph) and the window holding both.

Each plot draws its spec (``domain.cohort_plots``, ``domain.cohort_swimmer``) exactly as the PDF
does (``report.drawings``): every label, tick, tooltip and style comes from the spec, the widget
only places them. A figure is drawn on white, like the printed one, whatever the system theme,
so the style table's black median line and grey strands read the same on screen, in the PDF and
in an exported PNG.

Hovering shows the spec's tooltip of what is under the mouse; clicking a patient's line or bar
emits ``patient_clicked(patient_id)``. Both go through one hit test in screen pixels (nearest
marker, then nearest line segment; for the swimmer, the row's markers, arrow and bars), so a thin
line is as easy to hit as a thick one and a crossing picks the nearest strand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPen,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..domain.analysis import AnalysisSettings
from ..domain.cohort_plots import SpaghettiLineSpec, SpaghettiSpec
from ..domain.cohort_swimmer import SwimmerSpec
from ..domain.plot_labels import place_labels
from ..domain.plot_spec import TickSpec
from ..domain.scales import SCALES
from ..domain.style import LineStyle, MarkerStyle, SeriesStyle
from ..domain.timeline import BarSpec
from ..domain.vocab import Subtype
from ..services import stats
from ..services.report import cohort_figures
from .controller import Change, Controller
from .dialogs import close_with_keys, fit_size
from .plot_style import (
    INK,
    MUTED,
    PAPER,
    PX_PER_PT,
    Legend,
    curve_symbol,
    edge_pen,
    fill_brush,
    font,
    html_text,
    line_pen,
    marker_px,
    on_paper,
    pen,
    qcolour,
    rect_box,
    spot,
    tick_levels,
)

GRID = "#D4D4D4"
MARKER_SCALE = 1.25  # markers a little larger than in print: a screen is read from further away than a page
GRADE_SCALE = 1.8  # adverse-event triangles are drawn larger still, so the grade number fits inside
HIT_PX = 7.0  # how near (in pixels) the mouse must be to a line or marker to hit it
ROW_H = 0.56  # swimmer bar height, in rows
ARROW_LEN, ARROW_HALF = 13.0, 8.0  # the ongoing arrow head, pixels
SWATCH = QSize(34, 14)  # a legend sample: long enough to show a dashed line on both sides of its marker
ALL_SUBTYPES = tuple(Subtype)


def _marker_px(style: MarkerStyle) -> float:
    """The figures' marker size in pixels (no padding; AE markers hold their grade)."""
    return marker_px(style, PX_PER_PT * (GRADE_SCALE if style.text else MARKER_SCALE), 0.0)


def _text_item(
    text: str, anchor: tuple[float, float], colour: QColor | str = INK, text_font: QFont | None = None
) -> pg.TextItem:
    item = pg.TextItem(text, color=qcolour(colour), anchor=anchor)
    item.setFont(text_font or font(-1))
    return item


def _set_range(plot: pg.PlotItem, x: tuple[float, float], y: tuple[float, float]) -> None:
    """The spec's ranges, with a hair of slack so ticks on the very edges keep their labels."""
    slack = 1e-6
    plot.setXRange(x[0] - slack * (x[1] - x[0]), x[1] + slack * (x[1] - x[0]), padding=0)
    plot.setYRange(y[0] - slack * (y[1] - y[0]), y[1] + slack * (y[1] - y[0]), padding=0)


# ----------------------------------------------------------------- a figure: title, plot, legend, notes


@dataclass(frozen=True)
class Hit:
    """What lies under the mouse: its tooltip, and the patient a click selects (None: nobody)."""

    tooltip: str
    patient_id: int | None = None
    line: int | None = None  # the spaghetti line's index, to highlight it


class _Figure(QWidget):
    """Title, plot, legend and notes on white; subclasses draw a spec and say what is under the mouse."""

    patient_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        on_paper(self)
        self.title = QLabel()
        self.title.setFont(font(1.5, bold=True))
        self.title.setWordWrap(True)
        self.graph = pg.PlotWidget(background=PAPER)
        self.graph.setMinimumHeight(260)
        self.graph.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot: pg.PlotItem = self.graph.getPlotItem()
        self.plot.setMenuEnabled(False)  # no log or transform modes: the bands and ranges are linear
        self.plot.hideButtons()
        self.plot.layout.setContentsMargins(2, 12, 14, 2)  # room for the edge tick labels
        self.plot.setMouseEnabled(x=False, y=False)  # a figure, as printed: nothing to pan away
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pen(INK, 0.75))
            axis.setTextPen(INK)
            axis.setTickFont(font(-0.5))
            axis.label.setFont(font(0))
        self.legend = Legend("Legend", _marker_px, SWATCH)
        self.legend.flow.setContentsMargins(8, 2, 8, 2)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setContentsMargins(8, 0, 8, 4)
        self.notes.setAccessibleName("Notes")
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        column.setSpacing(4)
        column.addWidget(self.title)
        column.addWidget(self.graph, 1)
        column.addWidget(self.legend)
        column.addWidget(self.notes)
        scene = self.graph.scene()
        scene.sigMouseMoved.connect(self._on_moved)
        scene.sigMouseClicked.connect(self._on_clicked)
        self._drawn: dict[str, int] = {}

    # ------------------------------------------------------------ mapping and hit testing
    def scene_pos(self, x: float, y: float) -> QPointF:
        """Where a data point lies in the scene."""
        return self.plot.vb.mapViewToScene(QPointF(x, y))

    def widget_pos(self, x: float, y: float) -> QPoint:
        """Where a data point lies in the plot's viewport (what a mouse click needs)."""
        return self.graph.mapFromScene(self.scene_pos(x, y))

    def _to_px(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        origin, ex, ey = self.scene_pos(0, 0), self.scene_pos(1, 0), self.scene_pos(0, 1)
        return origin.x() + xs * (ex.x() - origin.x()), origin.y() + ys * (ey.y() - origin.y())

    def hit(self, scene_pos: QPointF) -> Hit | None:
        raise NotImplementedError

    def tooltip_at(self, scene_pos: QPointF) -> str:
        found = self.hit(scene_pos)
        return found.tooltip if found else ""

    def _on_moved(self, scene_pos: QPointF) -> None:
        found = self.hit(scene_pos)
        self._highlight(found.line if found else None)
        if found is None:
            QToolTip.hideText()
            return
        where = self.graph.mapToGlobal(self.graph.mapFromScene(scene_pos))
        QToolTip.showText(where + QPoint(12, 12), found.tooltip, self.graph)

    def _on_clicked(self, event: object) -> None:
        button = event.button()  # type: ignore[attr-defined]
        if button != Qt.MouseButton.LeftButton or event.double():  # type: ignore[attr-defined]
            return
        found = self.hit(event.scenePos())  # type: ignore[attr-defined]
        if found is not None and found.patient_id is not None:
            self.patient_clicked.emit(found.patient_id)

    def _highlight(self, line: int | None) -> None:
        """Spaghetti lines: thicken the hovered one."""

    def leaveEvent(self, event: object) -> None:
        self._highlight(None)
        super().leaveEvent(event)  # type: ignore[arg-type]

    # ------------------------------------------------------------ shared drawing
    def _begin(self, title: str) -> None:
        self.plot.clear()
        self._drawn = {}
        self.title.setText(title)
        self.title.setAccessibleName(title)
        self.graph.setAccessibleName(title)

    def _empty_message(self, text: str, x_range: tuple[float, float], y: float) -> None:
        item = _text_item(text, (0.5, 0.5), MUTED, font(1))
        item.setPos((x_range[0] + x_range[1]) / 2, y)
        self.plot.addItem(item)

    def _day_zero(self, style: LineStyle, z: float = -5) -> None:
        line = pg.InfiniteLine(pos=0.0, angle=90, pen=line_pen(style), movable=False)
        line.setZValue(z)
        self.plot.addItem(line)

    def _grid(self, x_ticks: Sequence[TickSpec], y_ticks: Sequence[TickSpec]) -> None:
        """Light lines at the ticks (drawn as items: an axis grid would hide the labels on the edges)."""
        grid = pen(GRID, 0.75)
        for ticks, angle in ((x_ticks, 90), (y_ticks, 0)):
            for tick in ticks:
                line = pg.InfiniteLine(pos=tick.x, angle=angle, pen=grid, movable=False)
                line.setZValue(-10)
                self.plot.addItem(line)

    def _set_notes(self, lines: Sequence[str], small: str = "") -> None:
        parts = [f"<p style='margin:0'>{html_text(line)}</p>" for line in lines]
        if small:
            parts.append(f"<p style='margin:0; color:{MUTED.name()}'>{html_text(small)}</p>")
        self.notes.setText("".join(parts))
        self.notes.setVisible(bool(parts))

    def export_png(self, path: Path) -> bool:
        """The figure as shown (title, plot, legend, notes), as a PNG file."""
        return bool(self.grab().save(str(path), "PNG"))


# ----------------------------------------------------------------- spaghetti


@dataclass
class _DrawnLine:
    spec: SpaghettiLineSpec
    curves: list[pg.PlotDataItem]
    pens: list[QPen]


class SpaghettiPlot(_Figure):
    """Each patient's values aligned to day 0, the median on top, severity bands behind.

    Signals: ``patient_clicked(int)`` when a patient's line or point is clicked.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec: SpaghettiSpec | None = None
        self.drawn_lines: list[_DrawnLine] = []
        self.median_curve: pg.PlotDataItem | None = None
        self._hot: int | None = None
        self._px: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.band_labels: list[pg.TextItem] = []
        self.end_labels: list[tuple[pg.TextItem, list[tuple[float, float]]]] = []  # the median first
        self.plot.vb.sigResized.connect(self._declutter)

    def set_spec(self, spec: SpaghettiSpec) -> None:
        self.spec = spec
        self._begin(spec.title)
        self.drawn_lines, self.median_curve, self._hot = [], None, None
        self.band_labels, self.end_labels = [], []
        plot = self.plot
        _set_range(plot, spec.x_range, spec.y.range)
        plot.getAxis("bottom").setTicks(tick_levels(spec.ticks))
        plot.getAxis("left").setTicks(tick_levels(spec.y.ticks))
        plot.setLabel("bottom", spec.x_label)
        plot.setLabel("left", f"{spec.measure_label} ({spec.unit})" if spec.unit else spec.measure_label)
        self._grid(spec.ticks, spec.y.ticks)
        self._bands(spec)
        self._day_zero(spec.day_zero_style)
        for line in spec.lines:
            self._line(line)
        self._median(spec)
        if not spec.lines:
            self._empty_message(
                f"No patient of this group has {spec.measure_label} values to draw (see below)",
                spec.x_range, sum(spec.y.range) / 2,
            )  # fmt: skip
        self.legend.set_entries(spec.legend)
        notes = [f"Not shown: {e.study_id}: {e.reason}." for e in spec.excluded] + list(spec.notes)
        self._set_notes(notes, spec.median_rule if spec.median else "")
        self._index()
        self._declutter()

    def _declutter(self) -> None:
        """The median's name and each study ID moved up or down, as little as needed, to keep clear of
        each other and of the band names (``plot_labels.place_labels``, the rule the PDF follows)."""
        if not self.end_labels:
            return
        options = [[rect_box(self.label_rect(item, a)) for a in anchors] for item, anchors in self.end_labels]
        bands = [
            rect_box(self.label_rect(item, (item.anchor.x(), item.anchor.y()))) for item in self.band_labels
        ]
        area = rect_box(self.plot.vb.sceneBoundingRect().adjusted(0, -30, 80, 30))
        chosen = place_labels(options, area, bands)
        for (item, anchors), box, boxes in zip(self.end_labels, chosen, options, strict=True):
            item.setAnchor(anchors[boxes.index(box)] if box is not None else anchors[0])

    def label_rect(self, item: pg.TextItem, anchor: tuple[float, float]) -> QRectF:
        """Where a label's text is drawn (scene pixels) with ``anchor``, from its point and its text's size."""
        at = self.plot.vb.mapViewToScene(item.pos())
        size = item.textItem.boundingRect()
        return QRectF(
            at.x() - anchor[0] * size.width(), at.y() - anchor[1] * size.height(), size.width(), size.height()
        )

    def _bands(self, spec: SpaghettiSpec) -> None:
        lo, hi = spec.y.range
        x0, x1 = spec.x_range
        for band in spec.bands:
            y0, y1 = max(band.y_low, lo), min(band.y_high, hi)
            rect = QGraphicsRectItem(QRectF(x0, y0, x1 - x0, y1 - y0))
            rect.setPen(QPen(Qt.PenStyle.NoPen))
            rect.setBrush(fill_brush(band.style))
            rect.setZValue(-20)
            self.plot.addItem(rect)
            label = _text_item(band.label, (1.0, 0.0), "#444444", font(-1.5))
            label.setPos(x1, y1)
            label.setZValue(-19)
            self.plot.addItem(label)
            self.band_labels.append(label)
            self._drawn["bands"] = self._drawn.get("bands", 0) + 1

    def _curve(
        self, xs: list[float], ys: list[float], style: SeriesStyle, z: float
    ) -> tuple[pg.PlotDataItem, QPen]:
        line = line_pen(style.line)
        curve = pg.PlotDataItem(
            np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64), pen=line, antialias=True,
            **curve_symbol(style.marker, _marker_px(style.marker)),
        )  # fmt: skip
        curve.setZValue(z)
        self.plot.addItem(curve)
        return curve, line

    def _line(self, line: SpaghettiLineSpec) -> None:
        """On the drug in the line style; after the stop, from the last value on the drug, dashed."""
        points = line.points
        curves, pens = [], []
        # off the drug first, so the last value on the drug keeps its on-drug marker on top
        for part, style in ((line.off_drug, line.off_drug_style), (line.on_drug, line.style)):
            if part:
                curve, pen = self._curve([p.x for p in part], [p.y for p in part], style, 1)
                curves.append(curve)
                pens.append(pen)

        if points and self.spec is not None:
            last = points[-1]
            lo, hi = self.spec.x_range
            near_edge = last.x > hi - 0.1 * (hi - lo)  # the label would run off the plot: put it above
            ax, ay = (0.9, 1.0) if near_edge else (-0.08, 0.5)
            label = _text_item(line.study_id, (ax, ay), "#3A3A3A", font(-2))
            label.setPos(last.x, last.y)
            label.setZValue(2)
            self.plot.addItem(label)
            self.end_labels.append((label, [(ax, ay + dy) for dy in (0, 0.8, -0.8, 1.6, -1.6, 2.4, -2.4)]))
        self.drawn_lines.append(_DrawnLine(line, curves, pens))
        self._drawn["points"] = self._drawn.get("points", 0) + len(points)

    def _median(self, spec: SpaghettiSpec) -> None:
        if not spec.median:
            return
        xs, ys = [m.x for m in spec.median], [m.y for m in spec.median]
        self.median_curve, _ = self._curve(xs, ys, spec.median_style, 10)
        label = pg.TextItem(
            "Median",
            color=qcolour(spec.median_style.line.colour),
            anchor=(-0.1, 0.5),
            fill=(255, 255, 255, 190),
        )
        label.setFont(font(0, bold=True))
        label.setPos(xs[-1], ys[-1])
        label.setZValue(11)
        self.plot.addItem(label)
        self.end_labels.insert(0, (label, [(-0.1, 0.5 + dy) for dy in (0, 0.8, -0.8)]))

    def _index(self) -> None:
        """Every drawn point (line index, or -1 for the median) for the hit test."""
        owners, xs, ys = [], [], []
        for n, drawn in enumerate(self.drawn_lines):
            for p in drawn.spec.points:
                owners.append(n)
                xs.append(p.x)
                ys.append(p.y)
        for m in self.spec.median if self.spec else ():
            owners.append(-1)
            xs.append(m.x)
            ys.append(m.y)
        self._px = (np.asarray(owners), np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64))

    def counts(self) -> dict[str, int]:
        """What was drawn: patient lines, their points, median points, bands, notes and exclusions."""
        spec = self.spec
        return {
            "lines": len(self.drawn_lines),
            "points": self._drawn.get("points", 0),
            "median": 0 if self.median_curve is None else len(self.median_curve.getData()[0]),
            "bands": self._drawn.get("bands", 0),
            "notes": len(spec.notes) if spec else 0,
            "excluded": len(spec.excluded) if spec else 0,
        }

    def curve_data(self, index: int) -> tuple[list[float], list[float]]:
        """The x and y values drawn for line ``index``, each point once (the bridge to the dashed part not repeated)."""
        drawn: set[tuple[float, float]] = set()
        for curve in self.drawn_lines[index].curves:
            cx, cy = curve.getData()
            drawn.update(zip(cx.tolist(), cy.tolist(), strict=True))
        ordered = sorted(drawn)
        return [x for x, _ in ordered], [y for _, y in ordered]

    def hit(self, scene_pos: QPointF) -> Hit | None:
        if self.spec is None or self._px is None or not len(self._px[0]):
            return None
        owners, xs, ys = self._px
        px, py = self._to_px(xs, ys)
        mx, my = scene_pos.x(), scene_pos.y()
        distance = np.hypot(px - mx, py - my)
        nearest = int(np.argmin(distance))
        if distance[nearest] <= HIT_PX:
            owner = int(owners[nearest])
            if owner < 0:
                k = nearest - int(np.sum(owners >= 0))
                return Hit(self.spec.median[k].tooltip)
            line = self.drawn_lines[owner].spec
            k = nearest - int(np.argmax(owners == owner))
            return Hit(line.points[k].tooltip, line.patient_id, owner)
        best: tuple[float, int] | None = None
        for owner in sorted(set(owners.tolist())):
            mask = owners == owner
            gap = _segment_distance(px[mask], py[mask], mx, my)
            if gap <= HIT_PX and (best is None or gap < best[0]):
                best = (gap, owner)
        if best is None:
            return None
        if best[1] < 0:
            return Hit(f"Median\n{self.spec.median_rule}")
        line = self.drawn_lines[best[1]].spec
        return Hit(line.tooltip, line.patient_id, best[1])

    def _highlight(self, line: int | None) -> None:
        if line == self._hot:
            return
        for n in (self._hot, line):
            if n is None or n >= len(self.drawn_lines):
                continue
            drawn = self.drawn_lines[n]
            for curve, normal in zip(drawn.curves, drawn.pens, strict=True):
                if n == line:
                    hot = QPen(normal)
                    hot.setColor(qcolour("#303030"))
                    hot.setWidthF(normal.widthF() * 2.2)
                    curve.setPen(hot)
                    curve.setZValue(5)
                else:
                    curve.setPen(normal)
                    curve.setZValue(1)
        self._hot = line


def _segment_distance(px: np.ndarray, py: np.ndarray, mx: float, my: float) -> float:
    """The distance from (mx, my) to the polyline through the points, in pixels."""
    if len(px) < 2:
        return float("inf")
    ax, ay, bx, by = px[:-1], py[:-1], px[1:], py[1:]
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length > 0, ((mx - ax) * dx + (my - ay) * dy) / length, 0.0)
    t = np.clip(t, 0.0, 1.0)
    return float(np.min(np.hypot(ax + t * dx - mx, ay + t * dy - my)))


# ----------------------------------------------------------------- swimmer


class OngoingArrow(pg.ArrowItem):
    """An arrow head pointing right whose base, not its tip, sits at its position (the bar's end)."""

    def __init__(self, x: float, y: float, style: LineStyle) -> None:
        colour = qcolour(style.colour)
        super().__init__(
            pos=(x, y), angle=180, headLen=ARROW_LEN, headWidth=ARROW_HALF, tailLen=None,
            pen=pg.mkPen(colour, width=style.width), brush=QBrush(colour), pxMode=True,
        )  # fmt: skip
        self.path = self.path.translated(ARROW_LEN, 0)
        self.setPath(self.path)


class SwimmerPlot(_Figure):
    """One row per patient: earlier JAK inhibitor before day 0, the index drug from day 0, events, stops.

    Signals: ``patient_clicked(int)`` when a patient's bar (or a marker on it) is clicked.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec: SwimmerSpec | None = None
        self.arrows: list[OngoingArrow] = []
        self.event_markers: pg.ScatterPlotItem | None = None
        self.stop_markers: pg.ScatterPlotItem | None = None

    def set_spec(self, spec: SwimmerSpec) -> None:
        self.spec = spec
        self._begin(spec.title)
        self.arrows = []
        plot = self.plot
        rows = max(len(spec.rows), 1)
        plot.invertY(True)  # the first row on top
        _set_range(plot, spec.x_range, (-0.6, rows - 0.4))
        plot.getAxis("bottom").setTicks(tick_levels(spec.ticks))
        plot.getAxis("left").setTicks([[(float(n), r.study_id) for n, r in enumerate(spec.rows)]])
        plot.setLabel("bottom", spec.x_label)
        self._grid(spec.ticks, ())
        self._day_zero(spec.day_zero_style, 12)  # over the bars, as in the PDF
        events: list[dict[str, object]] = []
        stops: list[dict[str, object]] = []
        for n, row in enumerate(spec.rows):
            for bar in (*row.prior, row.bar):
                self._bar(bar, n)
            if row.bar.open_ended:
                arrow = OngoingArrow(row.bar.x_end, n, spec.arrow_style)
                arrow.setZValue(15)
                plot.addItem(arrow)
                self.arrows.append(arrow)
            for event in row.events:
                events.append({"pos": (event.x, n - ROW_H / 2), **spot(event.style, _marker_px(event.style))})
                if event.style.text:
                    grade = _text_item(event.style.text, (0.5, 0.38), INK, font(-2.5, bold=True))
                    grade.setPos(event.x, n - ROW_H / 2)
                    grade.setZValue(21)
                    plot.addItem(grade)
            self._drawn["rows"] = n + 1
            if row.discontinuation is not None:
                stop = row.discontinuation.style
                stops.append({"pos": (row.discontinuation.x, float(n)), **spot(stop, _marker_px(stop))})
        self.event_markers = self._scatter(events, 20)
        self.stop_markers = self._scatter(stops, 18)
        if not spec.rows:
            self._empty_message(
                f"No patient has a {spec.index_drug} course started by the data cut-off",
                spec.x_range, 0.0,
            )  # fmt: skip
        self.legend.set_entries(spec.legend)
        self._set_notes([f"Not shown: {e.study_id}: {e.reason}." for e in spec.excluded] + list(spec.notes))

    def _bar(self, bar: BarSpec, row: int) -> None:
        """A course: solid core, faint fuzzy ends where a date is known only to the month or year."""
        top = row - ROW_H / 2
        core_start = bar.fuzzy_start[1] if bar.fuzzy_start else bar.x_start
        core_end = bar.fuzzy_end[0] if bar.fuzzy_end else bar.x_end
        parts = [(span[0], span[1], bar.fuzzy_style) for span in (bar.fuzzy_start, bar.fuzzy_end) if span]
        if core_end >= core_start:
            parts.append((core_start, core_end, bar.style))
        for x0, x1, style in parts:
            rect = QGraphicsRectItem(QRectF(x0, top, max(x1 - x0, 0.5), ROW_H))
            rect.setPen(edge_pen(style))
            rect.setBrush(fill_brush(style))
            rect.setZValue(10 if style is bar.style else 9)
            self.plot.addItem(rect)
        self._drawn["bars"] = self._drawn.get("bars", 0) + 1

    def _scatter(self, spots: list[dict[str, object]], z: float) -> pg.ScatterPlotItem | None:
        if not spots:
            return None
        item = pg.ScatterPlotItem(spots=spots, pxMode=True, antialias=True)
        item.setZValue(z)
        self.plot.addItem(item)
        return item

    def counts(self) -> dict[str, int]:
        """What was drawn: rows, bars, adverse-event markers, discontinuations, ongoing arrows, notes."""
        spec = self.spec
        return {
            "rows": self._drawn.get("rows", 0),
            "bars": self._drawn.get("bars", 0),
            "events": 0 if self.event_markers is None else len(self.event_markers.getData()[0]),
            "discontinuations": 0 if self.stop_markers is None else len(self.stop_markers.getData()[0]),
            "arrows": len(self.arrows),
            "notes": len(spec.notes) if spec else 0,
            "excluded": len(spec.excluded) if spec else 0,
        }

    def hit(self, scene_pos: QPointF) -> Hit | None:
        spec = self.spec
        if spec is None or not spec.rows:
            return None
        view = self.plot.vb.mapSceneToView(scene_pos)
        n = round(view.y())
        if not 0 <= n < len(spec.rows) or abs(view.y() - n) > 0.5:
            return None
        row = spec.rows[n]
        mx, my = scene_pos.x(), scene_pos.y()

        def near(x: float, y: float, size: float) -> bool:
            px, py = self._to_px(np.array([x]), np.array([y]))
            return bool(np.hypot(px[0] - mx, py[0] - my) <= max(size / 2, HIT_PX))

        for event in row.events:
            if near(event.x, n - ROW_H / 2, _marker_px(event.style)):
                return Hit(f"{row.study_id}\n{event.tooltip}", row.patient_id)
        stop = row.discontinuation
        if stop is not None and near(stop.x, n, _marker_px(stop.style)):
            return Hit(f"{row.study_id}\n{stop.tooltip}", row.patient_id)
        if abs(view.y() - n) > ROW_H / 2 + 0.05:
            return None
        end_px = self._to_px(np.array([row.bar.x_end]), np.array([0.0]))[0][0]
        if row.bar.open_ended and end_px <= mx <= end_px + ARROW_LEN + 2:
            return Hit(row.tooltip, row.patient_id)
        for bar in row.prior:
            if _bar_start(bar) <= view.x() <= bar.x_end:
                return Hit(f"{row.study_id}\n{bar.tooltip}", row.patient_id)
        if _bar_start(row.bar) <= view.x() <= row.bar.x_end:
            return Hit(f"{row.tooltip}\n{row.bar.tooltip}", row.patient_id)
        return None

    def row_pos(self, study_id: str, x: float | None = None) -> QPoint:
        """The viewport position of a row's bar (its middle, or at ``x``), for clicking it."""
        assert self.spec is not None
        n = next(i for i, r in enumerate(self.spec.rows) if r.study_id == study_id)
        bar = self.spec.rows[n].bar
        return self.widget_pos(x if x is not None else (bar.x_start + bar.x_end) / 2, float(n))


def _bar_start(bar: BarSpec) -> float:
    return bar.fuzzy_start[0] if bar.fuzzy_start else bar.x_start


# ----------------------------------------------------------------- the window


class CohortWindow(QMainWindow):
    """The spaghetti and swimmer plots of the series, rebuilt after every save.

    Signals: ``patient_chosen(int)`` when a patient's line or bar is clicked.
    """

    patient_chosen = Signal(int)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        close_with_keys(self)
        self.controller = controller
        self._dirty = False
        stored = stats.load_settings(controller.book)
        self.measure = QComboBox()
        self.measure.setAccessibleName("Measure")
        self.measure.setToolTip("The measure the spaghetti plot follows over time")
        for key, scale in SCALES.items():
            self.measure.addItem(scale.label, key)
        self.measure.setCurrentIndex(max(self.measure.findData(stored.measure), 0))
        self.group = QComboBox()
        self.group.setAccessibleName("Group")
        self.group.setToolTip(
            "Which patients the spaghetti and swimmer plots show (the report's figures follow the analysis settings)"
        )
        self._fill_groups(stored.subtypes)
        for combo in (self.measure, self.group):  # long subtype names do not widen the window
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        self.drug = QLabel()
        self.drug.setWordWrap(True)
        self.drug.setToolTip("Day 0 is the start of this drug; change it in the series settings")
        self.export_button = QPushButton("Export PNG…")
        self.export_button.setToolTip("Save the figure shown (title, plot, legend and notes) as a PNG image")
        row = QHBoxLayout()
        for text, widget in (("&Measure:", self.measure), ("&Group:", self.group)):
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(12)
        row.addWidget(self.drug)
        row.addStretch(1)
        row.addWidget(self.export_button)
        self.spaghetti = SpaghettiPlot()
        self.swimmer = SwimmerPlot()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.spaghetti, "Spaghetti")
        self.tabs.addTab(self.swimmer, "Swimmer")
        self.tabs.setTabToolTip(0, "Each patient's measure over time, aligned to the index drug's start")
        self.tabs.setTabToolTip(1, "Time on the index drug per patient, with adverse events and stops")
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.setAccessibleName("No patients yet")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tabs)
        central = QWidget()
        column = QVBoxLayout(central)
        column.addLayout(row)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        fit_size(self, 1200, 800)
        self.measure.currentIndexChanged.connect(self.refresh)
        self.group.currentIndexChanged.connect(self.refresh)
        self.export_button.clicked.connect(lambda: self.export_png())
        self.spaghetti.patient_clicked.connect(self.patient_chosen)
        self.swimmer.patient_clicked.connect(self.patient_chosen)
        controller.changed.connect(self._on_changed)
        self._folder = Path.home()
        self.refresh()

    def _fill_groups(self, stored: Sequence[Subtype]) -> None:
        choices: list[tuple[str, tuple[Subtype, ...]]] = [
            ("DM + ADM", (Subtype.DM, Subtype.ADM)),
            ("All patients", ALL_SUBTYPES),
            *((s.label, (s,)) for s in Subtype),
        ]
        known = [set(c[1]) for c in choices]
        if stored and set(stored) not in known:  # the analysis settings' own choice, first
            choices.insert(0, (" + ".join(s.value for s in stored) + " (analysis settings)", tuple(stored)))
        for text, subtypes in choices:
            self.group.addItem(text, [s.value for s in subtypes])
        wanted = set(stored) or {Subtype.DM, Subtype.ADM}
        self.group.setCurrentIndex(next((n for n, c in enumerate(choices) if set(c[1]) == wanted), 0))

    def settings(self) -> AnalysisSettings:
        """The stored analysis settings (severity bands, index drug) with this window's measure and group."""
        stored = stats.load_settings(self.controller.book)
        subtypes = tuple(Subtype(s) for s in self.group.currentData())
        return AnalysisSettings(
            index_drug=stored.index_drug, measure=self.measure.currentData(), subtypes=subtypes,
            window_before=stored.window_before, window_after=stored.window_after, severity=stored.severity,
        )  # fmt: skip

    def _on_changed(self, change: Change) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event: object) -> None:
        if self._dirty:
            self.refresh()
        super().showEvent(event)  # type: ignore[arg-type]

    def refresh(self) -> None:
        """Re-read the series and redraw both plots."""
        self._dirty = False
        book = self.controller.book
        series = book.settings()
        demo = " [synthetic demo data]" if series.is_demo else ""
        self.setWindowTitle(f"Cohort — {series.name}{demo}")
        settings = self.settings()
        self.drug.setText(f"Index drug: <b>{html_text(settings.index_drug)}</b> (series settings)")
        if book.is_empty():
            self.empty.setText(
                "<h2>No patients yet</h2><p>The cohort plots draw every patient's course from the start of "
                f"<b>{html_text(settings.index_drug)}</b> (day 0).</p><p>Add patients in the main window "
                "(Patient ▸ New patient…, Ctrl+N) with their medication courses and assessments, or try "
                "the synthetic demo series (Help ▸ Load the synthetic demo series).</p>"
            )
            self.stack.setCurrentWidget(self.empty)
            self.export_button.setEnabled(False)
            return
        self.stack.setCurrentWidget(self.tabs)
        self.export_button.setEnabled(True)
        spaghetti, swimmer = cohort_figures(book, settings)  # as they may leave: the PNG export shows them
        self.spaghetti.set_spec(spaghetti)
        self.swimmer.set_spec(swimmer)

    def current_figure(self) -> _Figure:
        widget = self.tabs.currentWidget()
        assert isinstance(widget, _Figure)
        return widget

    def export_png(self) -> Path | None:
        """Save the current tab's figure as a PNG; returns the file written, or None."""
        figure = self.current_figure()
        name = "cohort-spaghetti.png" if figure is self.spaghetti else "cohort-swimmer.png"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export the figure as PNG", str(self._folder / name), "PNG image (*.png)",
            options=QFileDialog.Option.DontUseNativeDialog,
        )  # fmt: skip
        if not chosen:
            return None
        target = Path(chosen) if chosen.lower().endswith(".png") else Path(chosen + ".png")
        self._folder = target.parent
        if not figure.export_png(target):
            QMessageBox.warning(self, "Export PNG", f"Could not write {target}.")
            return None
        self.statusBar().showMessage(f"Figure saved to {target}", 8000)
        return target
