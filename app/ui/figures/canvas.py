"""The pyqtgraph set-up every figure shares: paper background, ink axes and fonts, antialiased items,
and what the mouse may do (a figure pans in time at most; no menu, no buttons, no y zoom)."""

from __future__ import annotations

from collections.abc import Mapping

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont, QResizeEvent

from ..plot_style import INK, PAPER, font, pen, qcolour


class LayoutView(pg.GraphicsLayoutWidget):  # type: ignore[misc]
    """A view for plots stacked in one column (the timeline), on paper; ``resized`` is emitted as its
    size changes, before the plots are laid out in it."""

    resized = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setBackground(PAPER)
        self.setAccessibleName(name)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.resized.emit()
        super().resizeEvent(event)
        self.setSceneRect(0, 0, self.width(), self.height())  # the scene follows the view, never a stale size


def plot_view(axes: Mapping[str, pg.AxisItem]) -> pg.PlotWidget:
    """A view holding one plot with the given axis items (a cohort figure), on paper."""
    return pg.PlotWidget(background=PAPER, axisItems=dict(axes))


def set_up_plot(
    plot: pg.PlotItem,
    *,
    pan_x: bool,
    axis_pt: float,
    tick_font: QFont | None = None,
    label_font: QFont | None = None,
) -> None:
    """A plot as every figure has it: no context menu (no log-x on a time axis, no y zoom: pitfall 1.4),
    no auto-range button, the mouse panning and zooming in time only where ``pan_x``, ink axes."""
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMouseEnabled(x=pan_x, y=False)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pen(INK, axis_pt))
        axis.setTextPen(INK)
        if tick_font is not None:
            axis.setTickFont(tick_font)
        if label_font is not None:
            axis.label.setFont(label_font)


def curve(*data: object, **options: object) -> pg.PlotDataItem:
    """A line or marker series (``data``: x and y, or nothing yet), antialiased."""
    return pg.PlotDataItem(*data, antialias=True, **options)


def scatter(**options: object) -> pg.ScatterPlotItem:
    """A set of markers, antialiased."""
    return pg.ScatterPlotItem(antialias=True, **options)


def text_item(
    text: str, anchor: tuple[float, float], colour: QColor | str = INK, text_font: QFont | None = None
) -> pg.TextItem:
    """A text placed at a data point (``anchor``: which point of the text sits there), in pixels."""
    item = pg.TextItem(text, color=qcolour(colour), anchor=anchor)
    item.setFont(text_font or font(-1))
    return item
