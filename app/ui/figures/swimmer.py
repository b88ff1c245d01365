"""The swimmer plot on screen: one row per patient, an earlier JAK inhibitor before day 0, the index drug
from day 0, adverse events, stops and ongoing arrows, drawn from ``domain.cohort_swimmer``'s spec
exactly as the PDF draws it (``report.drawings``). Each row answers the pointer through its own hit
map: its markers, then its arrow and bars. A registry shows its first ``SHOWN_ROWS`` rows, with a note
saying how many of how many."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF
from PySide6.QtGui import QBrush, QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem, QWidget

from ...domain.cohort_swimmer import SwimmerRowSpec, SwimmerSpec
from ...domain.style import LineStyle
from ...domain.timeline import BarSpec
from ..plot_style import INK, edge_pen, fill_brush, font, qcolour, spot
from .axes import set_spec_range, spec_axis, tick_pairs
from .canvas import scatter, text_item
from .cohort_figure import HIT_PX, CohortFigure, figure_marker_px
from .hits import Box, Hit, HitMap

ROW_H = 0.56  # bar height, in rows
ARROW_LEN, ARROW_HALF = 13.0, 8.0  # the ongoing arrow head, pixels
SHOWN_ROWS = 50  # rows drawn at most: the study IDs of more would overlap, and drawing them takes long


class OngoingArrow(pg.ArrowItem):  # type: ignore[misc]
    """An arrow head pointing right whose base, not its tip, sits at its position (the bar's end)."""

    def __init__(self, x: float, y: float, style: LineStyle) -> None:
        colour = qcolour(style.colour)
        super().__init__(
            pos=(x, y), angle=180, headLen=ARROW_LEN, headWidth=ARROW_HALF, tailLen=None,
            pen=pg.mkPen(colour, width=style.width), brush=QBrush(colour), pxMode=True,
        )  # fmt: skip
        # Qt's path() (pyqtgraph's own ``path`` attribute hides the method), moved back by the head's length
        self.setPath(QGraphicsPathItem.path(self).translated(ARROW_LEN, 0))

    def shape(self) -> QPainterPath:
        """The outline as drawn (``ArrowItem.shape`` gives the head before it was moved)."""
        return QGraphicsPathItem.path(self)


def row_hits(row: SwimmerRowSpec, n: int) -> HitMap:
    """What row ``n`` names under the pointer: its event and stop markers, then its arrow, earlier bars and bar."""

    def hit(text: str) -> Hit:
        return Hit(text, "patient", row.patient_id)

    markers = [(event.x, n - ROW_H / 2, event.tooltip, event.style) for event in row.events]
    if (stop := row.discontinuation) is not None:
        markers.append((stop.x, float(n), stop.tooltip, stop.style))
    hits = HitMap()
    hits.add_spots(
        [(x, y, hit(f"{row.study_id}\n{tip}")) for x, y, tip, _ in markers],
        [max(figure_marker_px(style) / 2, HIT_PX) for *_, style in markers],
    )
    top, bottom = n - ROW_H / 2 - 0.05, n + ROW_H / 2 + 0.05
    bar = row.bar
    at = bar.arrow_at()
    arrows = [] if at is None else [Box(at, at, top, bottom, hit(row.tooltip), (0, ARROW_LEN + 2, 0))]
    priors = [Box(*b.extent, top, bottom, hit(f"{row.study_id}\n{b.tooltip}")) for b in row.prior]
    main = Box(*bar.extent, top, bottom, hit(f"{row.tooltip}\n{bar.tooltip}"))
    hits.add_boxes(arrows + priors + [main])
    return hits


class SwimmerPlot(CohortFigure):
    """Signals: ``patient_clicked(int)`` when a patient's bar (or a marker on it) is clicked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec: SwimmerSpec | None = None
        self.arrows: list[OngoingArrow] = []
        self.event_markers: pg.ScatterPlotItem | None = None
        self.stop_markers: pg.ScatterPlotItem | None = None
        self.rows_hits: list[HitMap] = []

    def set_spec(self, spec: SwimmerSpec) -> None:
        self.spec = spec
        self.begin(spec.title)
        self.arrows = []
        plot = self.plot
        shown = spec.rows[:SHOWN_ROWS]
        rows = max(len(shown), 1)
        plot.invertY(True)  # the first row on top
        set_spec_range(plot, spec.x_range, (-0.6, rows - 0.4))
        spec_axis(plot, "bottom").show_ticks(tick_pairs(spec.ticks))
        spec_axis(plot, "left").show_ticks([(float(n), r.study_id) for n, r in enumerate(shown)])
        plot.setLabel("bottom", spec.x_label)
        self.grid(spec.ticks, ())
        self.day_zero(spec.day_zero_style, 12)  # over the bars, as in the PDF
        events: list[dict[str, object]] = []
        stops: list[dict[str, object]] = []
        for n, row in enumerate(shown):
            self._row(row, n, spec, events)
            if row.discontinuation is not None:
                stop = row.discontinuation.style
                stops.append({"pos": (row.discontinuation.x, float(n)), **spot(stop, figure_marker_px(stop))})
        self.event_markers = self._scatter(events, 20)
        self.stop_markers = self._scatter(stops, 18)
        if not spec.rows:
            self.empty_message(
                f"No patient has a {spec.index_drug} course started by the data cut-off", spec.x_range, 0.0
            )
        self.legend.set_entries(spec.legend)
        notes = [f"Not shown: {e.study_id}: {e.reason}." for e in spec.excluded] + list(spec.notes)
        if len(shown) < len(spec.rows):
            notes.insert(
                0,
                f"Showing the first {len(shown):,} of {len(spec.rows):,} patients.",
            )
        self.set_notes(notes)
        self.rows_hits = [row_hits(row, n) for n, row in enumerate(shown)]

    def _row(self, row: SwimmerRowSpec, n: int, spec: SwimmerSpec, events: list[dict[str, object]]) -> None:
        """A row's bars, its ongoing arrow and grade numbers; its event markers go into ``events``."""
        for bar in (*row.prior, row.bar):
            self._bar(bar, n)
        if (at := row.bar.arrow_at()) is not None:
            arrow = OngoingArrow(at, n, spec.arrow_style)
            arrow.setZValue(15)
            self.plot.addItem(arrow)
            self.arrows.append(arrow)
        for event in row.events:
            events.append(
                {"pos": (event.x, n - ROW_H / 2), **spot(event.style, figure_marker_px(event.style))}
            )
            if event.style.text:
                grade = text_item(event.style.text, (0.5, 0.38), INK, font(-2.5, bold=True))
                grade.setPos(event.x, n - ROW_H / 2)
                grade.setZValue(21)
                self.plot.addItem(grade)
        self.drawn["rows"] = n + 1

    def _bar(self, bar: BarSpec, row: int) -> None:
        """A course: its segments, faint fuzzy ends where a date is known only to the month or year
        under the solid core."""
        top = row - ROW_H / 2
        for segment in bar.segments():
            rect = QGraphicsRectItem(
                QRectF(segment.x_start, top, max(segment.x_end - segment.x_start, 0.5), ROW_H)
            )
            rect.setPen(edge_pen(segment.style))
            rect.setBrush(fill_brush(segment.style))
            rect.setZValue(9 if segment.fuzzy else 10)
            self.plot.addItem(rect)
        self.count("bars")

    def _scatter(self, spots: list[dict[str, object]], z: float) -> pg.ScatterPlotItem | None:
        if not spots:
            return None
        item = scatter(spots=spots, pxMode=True)
        item.setZValue(z)
        self.plot.addItem(item)
        return item

    def counts(self) -> dict[str, int]:
        """What was drawn: rows, bars, adverse-event markers, discontinuations, ongoing arrows, notes."""
        spec = self.spec
        return {
            "rows": self.drawn.get("rows", 0),
            "bars": self.drawn.get("bars", 0),
            "events": 0 if self.event_markers is None else len(self.event_markers.getData()[0]),
            "discontinuations": 0 if self.stop_markers is None else len(self.stop_markers.getData()[0]),
            "arrows": len(self.arrows),
            "notes": len(spec.notes) if spec else 0,
            "excluded": len(spec.excluded) if spec else 0,
        }

    def hit(self, scene_pos: QPointF) -> Hit | None:
        """What the row under the pointer names there (a row reaches half way to the next)."""
        y = self.plot.vb.mapSceneToView(scene_pos).y()
        n = round(y)
        if not 0 <= n < len(self.rows_hits) or abs(y - n) > 0.5:
            return None
        return self.rows_hits[n].find_in(self.plot.vb, scene_pos)

    def row_pos(self, study_id: str, x: float | None = None) -> QPoint:
        """The viewport position of a row's bar (its middle, or at ``x``), for clicking it."""
        assert self.spec is not None
        n = next(i for i, r in enumerate(self.spec.rows) if r.study_id == study_id)
        bar = self.spec.rows[n].bar
        return self.widget_pos(x if x is not None else (bar.x_start + bar.x_end) / 2, float(n))
