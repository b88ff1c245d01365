"""A cohort figure on screen: title, plot, legend and notes on white, and what the pointer does over it.

A figure is drawn on white, like the printed one, whatever the system theme, so the style table's
black median line and grey strands read the same on screen, in the PDF and in an exported PNG.
Hovering shows the tooltip of what is under the mouse at once; clicking a patient's line or bar
emits ``patient_clicked(patient_id)``. Both ask the figure's ``hit`` (the hit maps of ``hits``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QSize, Qt, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from ...domain.plot_spec import TickSpec
from ...domain.style import COHORT_GRID, LineStyle, MarkerStyle
from ..plot_style import MUTED, PX_PER_PT, Legend, font, html_text, line_pen, marker_px, on_paper, pen
from .axes import spec_axes
from .canvas import plot_view, set_up_plot, text_item
from .export import write_image
from .hits import Hit, clicked_hit

MARKER_SCALE = 1.25  # markers a little larger than in print: a screen is read from further away than a page
GRADE_SCALE = 1.8  # adverse-event triangles are drawn larger still, so the grade number fits inside
HIT_PX = 7.0  # how near (in pixels) the mouse must be to a line or marker to hit it
SWATCH = QSize(34, 14)  # a legend sample: long enough to show a dashed line on both sides of its marker


def figure_marker_px(style: MarkerStyle) -> float:
    """The figures' marker size in pixels (no padding; AE markers hold their grade)."""
    return marker_px(style, PX_PER_PT * (GRADE_SCALE if style.text else MARKER_SCALE), 0.0)


class CohortFigure(QWidget):
    """Title, plot, legend and notes; subclasses draw a spec and say what is under the mouse (``hit``)."""

    patient_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        on_paper(self)
        self.title = QLabel()
        self.title.setFont(font(1.5, bold=True))
        self.title.setWordWrap(True)
        self.graph = plot_view(spec_axes())
        self.graph.setMinimumHeight(260)
        self.graph.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot: pg.PlotItem = self.graph.getPlotItem()
        # no log or transform modes (the bands and ranges are linear), nothing to pan away: as printed
        set_up_plot(self.plot, pan_x=False, axis_pt=0.75, tick_font=font(-0.5), label_font=font(0))
        self.plot.layout.setContentsMargins(2, 12, 14, 2)  # room for the edge tick labels
        self.legend = Legend("Legend", figure_marker_px, SWATCH)
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
        self.drawn: dict[str, int] = {}

    # ------------------------------------------------------------ mapping and hit testing
    def scene_pos(self, x: float, y: float) -> QPointF:
        """Where a data point lies in the scene."""
        return self.plot.vb.mapViewToScene(QPointF(x, y))

    def widget_pos(self, x: float, y: float) -> QPoint:
        """Where a data point lies in the plot's viewport (what a mouse click needs)."""
        return self.graph.mapFromScene(self.scene_pos(x, y))

    def hit(self, scene_pos: QPointF) -> Hit | None:
        raise NotImplementedError

    def tooltip_at(self, scene_pos: QPointF) -> str:
        found = self.hit(scene_pos)
        return found.text if found else ""

    def _on_moved(self, scene_pos: QPointF) -> None:
        found = self.hit(scene_pos)
        self.highlight(found.line if found else None)
        if found is None:
            QToolTip.hideText()
            return
        where = self.graph.mapToGlobal(self.graph.mapFromScene(scene_pos))
        QToolTip.showText(where + QPoint(12, 12), found.text, self.graph)

    def _on_clicked(self, event: object) -> None:
        found = clicked_hit(event, self.hit)
        if found is not None and found.kind == "patient" and found.target is not None:
            self.patient_clicked.emit(found.target)

    def highlight(self, line: int | None) -> None:
        """Spaghetti lines: thicken the hovered one."""

    def leaveEvent(self, event: QEvent) -> None:
        self.highlight(None)
        super().leaveEvent(event)

    # ------------------------------------------------------------ shared drawing
    def begin(self, title: str) -> None:
        """An empty plot under ``title``, before a spec is drawn."""
        self.plot.clear()
        self.drawn = {}
        self.title.setText(title)
        self.title.setAccessibleName(title)
        self.graph.setAccessibleName(title)

    def count(self, kind: str, n: int = 1) -> None:
        self.drawn[kind] = self.drawn.get(kind, 0) + n

    def empty_message(self, text: str, x_range: tuple[float, float], y: float) -> None:
        item = text_item(text, (0.5, 0.5), MUTED, font(1))
        item.setPos((x_range[0] + x_range[1]) / 2, y)
        self.plot.addItem(item)

    def day_zero(self, style: LineStyle, z: float = -5) -> None:
        line = pg.InfiniteLine(pos=0.0, angle=90, pen=line_pen(style), movable=False)
        line.setZValue(z)
        self.plot.addItem(line)

    def grid(self, x_ticks: Sequence[TickSpec], y_ticks: Sequence[TickSpec]) -> None:
        """Light lines at the ticks (drawn as items: an axis grid would hide the labels on the edges)."""
        grid = pen(COHORT_GRID, 0.75)
        for ticks, angle in ((x_ticks, 90), (y_ticks, 0)):
            for tick in ticks:
                line = pg.InfiniteLine(pos=tick.x, angle=angle, pen=grid, movable=False)
                line.setZValue(-10)
                self.plot.addItem(line)

    def set_notes(self, lines: Sequence[str], small: str = "") -> None:
        parts = [f"<p style='margin:0'>{html_text(line)}</p>" for line in lines]
        if small:
            parts.append(f"<p style='margin:0; color:{MUTED.name()}'>{html_text(small)}</p>")
        self.notes.setText("".join(parts))
        self.notes.setVisible(bool(parts))

    def export_image(self, path: Path) -> None:
        """The figure as shown (title, plot, legend, notes), as a .png (or .svg) file; ValueError for
        another suffix, OSError when it could not be written."""
        write_image(self, Path(path), "figure", self.graph.scene(), self.title.text())
