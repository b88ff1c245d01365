"""The spaghetti plot on screen: each patient's values aligned to day 0, the median on top, severity
bands behind, drawn from ``domain.cohort_plots``' spec exactly as the PDF draws it (``report.drawings``).

The hit test is in screen pixels (nearest marker, then nearest line), so a thin line is as easy to
hit as a thick one and a crossing picks the nearest strand; the hovered patient's line is thickened.
A registry's lines (``SpaghettiSpec.together``, more than ``cohort_plots.MANY_LINES``) are drawn together:
one path per style, broken between patients, without markers or study IDs, named by the nearest value under
the pointer; of more than ``DRAWN_LINES`` patients, one in every few is drawn (the median is of them all), so
a redraw stays quick; the PDF draws the same lines (``SpaghettiSpec.drawn_lines``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from ...domain.cohort_plots import SpaghettiLineSpec, SpaghettiSpec
from ...domain.plot_labels import place_labels
from ...domain.style import BAND_LABEL_INK, HOVERED_STRAND, STRAND_LABEL_INK, SeriesStyle
from ..plot_style import curve_symbol, fill_brush, font, line_pen, qcolour, rect_box
from .axes import set_spec_range, spec_axis, tick_pairs
from .canvas import curve, text_item
from .cohort_figure import HIT_PX, CohortFigure, figure_marker_px
from .hits import Hit, HitMap


@dataclass
class DrawnLine:
    spec: SpaghettiLineSpec
    curves: list[pg.PlotDataItem]
    pens: list[QPen]


class SpaghettiPlot(CohortFigure):
    """Signals: ``patient_clicked(int)`` when a patient's line or point is clicked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec: SpaghettiSpec | None = None
        self.drawn_lines: list[DrawnLine] = []
        self.median_curve: pg.PlotDataItem | None = None
        self.together: list[pg.PlotDataItem] = []  # every patient's line, when drawn together
        self.hot_curve: pg.PlotDataItem | None = None  # the hovered line over them
        self._hot: int | None = None
        self.hits = HitMap()
        self.band_labels: list[pg.TextItem] = []
        self.end_labels: list[tuple[pg.TextItem, list[tuple[float, float]]]] = []  # the median first
        self.plot.vb.sigResized.connect(self._declutter)

    def set_spec(self, spec: SpaghettiSpec) -> None:
        self.spec = spec
        self.begin(spec.title)
        self.drawn_lines, self.median_curve, self._hot = [], None, None
        self.together, self.hot_curve = [], None
        self.band_labels, self.end_labels = [], []
        plot = self.plot
        set_spec_range(plot, spec.x_range, spec.y.range)
        spec_axis(plot, "bottom").show_ticks(tick_pairs(spec.ticks))
        spec_axis(plot, "left").show_ticks(tick_pairs(spec.y.ticks))
        plot.setLabel("bottom", spec.x_label)
        plot.setLabel("left", f"{spec.measure_label} ({spec.unit})" if spec.unit else spec.measure_label)
        self.grid(spec.ticks, spec.y.ticks)
        self._bands(spec)
        self.day_zero(spec.day_zero_style)
        if spec.together:
            self._lines_together(spec.drawn_lines)
        else:
            for line in spec.lines:
                self._line(line)
        self._median(spec)
        if not spec.lines:
            self.empty_message(
                f"No patient of this group has {spec.measure_label} values to draw (see below)",
                spec.x_range, sum(spec.y.range) / 2,
            )  # fmt: skip
        self.legend.set_entries(spec.legend)
        notes = [f"Not shown: {e.study_id}: {e.reason}." for e in spec.excluded] + list(spec.notes)
        if spec.together:
            notes.append(f"{spec.together_note()}; point at a line to name its patient.")
        self.set_notes(notes, spec.median_rule if spec.median else "")
        self.hits = self._hit_map(spec)
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
            label = text_item(band.label, (1.0, 0.0), BAND_LABEL_INK, font(-1.5))
            label.setPos(x1, y1)
            label.setZValue(-19)
            self.plot.addItem(label)
            self.band_labels.append(label)
            self.count("bands")

    def _curve(
        self, xs: list[float], ys: list[float], style: SeriesStyle, z: float
    ) -> tuple[pg.PlotDataItem, QPen]:
        line = line_pen(style.line)
        item = curve(
            np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64), pen=line,
            **curve_symbol(style.marker, figure_marker_px(style.marker)),
        )  # fmt: skip
        item.setZValue(z)
        self.plot.addItem(item)
        return item, line

    def _line(self, line: SpaghettiLineSpec) -> None:
        """On the drug in the line style; after the stop, from the last value on the drug, dashed."""
        points = line.points
        curves, pens = [], []
        # off the drug first, so the last value on the drug keeps its on-drug marker on top
        for part, style in ((line.off_drug, line.off_drug_style), (line.on_drug, line.style)):
            if part:
                item, drawn_pen = self._curve([p.x for p in part], [p.y for p in part], style, 1)
                curves.append(item)
                pens.append(drawn_pen)
        if points and self.spec is not None:
            last = points[-1]
            lo, hi = self.spec.x_range
            near_edge = last.x > hi - 0.1 * (hi - lo)  # the label would run off the plot: put it above
            ax, ay = (0.9, 1.0) if near_edge else (-0.08, 0.5)
            label = text_item(line.study_id, (ax, ay), STRAND_LABEL_INK, font(-2))
            label.setPos(last.x, last.y)
            label.setZValue(2)
            self.plot.addItem(label)
            self.end_labels.append((label, [(ax, ay + dy) for dy in (0, 0.8, -0.8, 1.6, -1.6, 2.4, -2.4)]))
        self.drawn_lines.append(DrawnLine(line, curves, pens))
        self.count("points", len(points))

    def _lines_together(self, lines: Sequence[SpaghettiLineSpec]) -> None:
        """Every patient's line in one path per style, broken between patients (NaN, ``connect="finite"``):
        a few items however many patients, the values after a stop over the others as ``_line`` draws them."""
        parts: dict[tuple[SeriesStyle, bool], tuple[list[float], list[float]]] = {}
        for line in lines:
            for part, style, on_drug in (
                (line.off_drug, line.off_drug_style, False),
                (line.on_drug, line.style, True),
            ):
                if part:
                    xs, ys = parts.setdefault((style, on_drug), ([], []))
                    xs += [*(p.x for p in part), np.nan]
                    ys += [*(p.y for p in part), np.nan]
            self.drawn_lines.append(DrawnLine(line, [], []))
            self.count("points", len(line.points))
        for (style, on_drug), (xs, ys) in parts.items():
            item = curve(
                np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64), pen=line_pen(style.line),
                connect="finite",
            )  # fmt: skip
            item.curve.opts["antialias"] = False  # thousands of thin lines: sharp and several times quicker
            item.setZValue(1.1 if on_drug else 1)
            self.plot.addItem(item)
            self.together.append(item)

    def _median(self, spec: SpaghettiSpec) -> None:
        if not spec.median:
            return
        xs, ys = [m.x for m in spec.median], [m.y for m in spec.median]
        self.median_curve, _ = self._curve(xs, ys, spec.median_style, 10)
        lo, hi = spec.x_range
        near_edge = xs[-1] > hi - 0.1 * (hi - lo)  # the name would run off the plot: above its last point
        ax, ay = (0.9, 1.0) if near_edge else (-0.1, 0.5)
        label = pg.TextItem(
            "Median",
            color=qcolour(spec.median_style.line.colour),
            anchor=(ax, ay),
            fill=(255, 255, 255, 190),
        )
        label.setFont(font(0, bold=True))
        label.setPos(xs[-1], ys[-1])
        label.setZValue(11)
        self.plot.addItem(label)
        self.end_labels.insert(0, (label, [(ax, ay + dy) for dy in (0, 0.8, -0.8)]))

    def _hit_map(self, spec: SpaghettiSpec) -> HitMap:
        """Every point drawn (a patient's, then the median's), then every line (the median's first). Lines
        drawn together answer by their values alone (each naming its patient), not one path at a time."""
        hits = HitMap()
        drawn = [d.spec for d in self.drawn_lines]
        if self.together:
            spots = []
            for n, line in enumerate(drawn):
                named = Hit(line.tooltip, "patient", line.patient_id, line=n)
                spots += [(p.x, p.y, named) for p in line.points]
        else:
            spots = [
                (p.x, p.y, Hit(p.tooltip, "patient", line.patient_id, line=n))
                for n, line in enumerate(drawn)
                for p in line.points
            ]
        hits.add_spots(spots + [(m.x, m.y, Hit(m.tooltip)) for m in spec.median], HIT_PX)
        median = [
            ([m.x for m in spec.median], [m.y for m in spec.median], Hit(f"Median\n{spec.median_rule}"))
        ]
        lines = [
            (
                [p.x for p in line.points],
                [p.y for p in line.points],
                Hit(line.tooltip, "patient", line.patient_id, line=n),
            )
            for n, line in enumerate(drawn)
        ]
        hits.add_paths((median if spec.median else []) + ([] if self.together else lines), HIT_PX)
        return hits

    def hit(self, scene_pos: QPointF) -> Hit | None:
        return self.hits.find_in(self.plot.vb, scene_pos)

    def counts(self) -> dict[str, int]:
        """What was drawn: patient lines, their points, median points, bands, notes and exclusions."""
        spec = self.spec
        return {
            "lines": len(self.drawn_lines),
            "points": self.drawn.get("points", 0),
            "median": 0 if self.median_curve is None else len(self.median_curve.getData()[0]),
            "bands": self.drawn.get("bands", 0),
            "notes": len(spec.notes) if spec else 0,
            "excluded": len(spec.excluded) if spec else 0,
        }

    def curve_data(self, index: int) -> tuple[list[float], list[float]]:
        """The x and y values drawn for line ``index``, each point once (the bridge to the dashed part not repeated)."""
        drawn: set[tuple[float, float]] = set()
        line = self.drawn_lines[index]
        for item in line.curves:
            cx, cy = item.getData()
            drawn.update(zip(cx.tolist(), cy.tolist(), strict=True))
        if not line.curves:  # drawn together with the others: its values in their path
            drawn.update((p.x, p.y) for p in line.spec.points)
        ordered = sorted(drawn)
        return [x for x, _ in ordered], [y for _, y in ordered]

    def highlight(self, line: int | None) -> None:
        if line == self._hot:
            return
        if self.hot_curve is not None:
            self.plot.removeItem(self.hot_curve)
            self.hot_curve = None
        for n in (self._hot, line):
            if n is None or n >= len(self.drawn_lines):
                continue
            drawn = self.drawn_lines[n]
            if n == line and not drawn.curves:
                self.hot_curve = self._hot_over(drawn.spec)
            for item, normal in zip(drawn.curves, drawn.pens, strict=True):
                if n == line:
                    item.setPen(_hot_pen(normal))
                    item.setZValue(5)
                else:
                    item.setPen(normal)
                    item.setZValue(1)
        self._hot = line

    def _hot_over(self, line: SpaghettiLineSpec) -> pg.PlotDataItem:
        """A line drawn together with the others, drawn again over them as the hovered one."""
        xs = np.asarray([p.x for p in line.points], dtype=np.float64)
        item = curve(
            xs,
            np.asarray([p.y for p in line.points], dtype=np.float64),
            pen=_hot_pen(line_pen(line.style.line)),
        )
        item.setZValue(5)
        self.plot.addItem(item)
        return item


def _hot_pen(normal: QPen) -> QPen:
    hot = QPen(normal)
    hot.setColor(qcolour(HOVERED_STRAND))
    hot.setWidthF(normal.widthF() * 2.2)
    return hot
