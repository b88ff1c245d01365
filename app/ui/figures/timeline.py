"""The per-patient timeline on screen: a pyqtgraph drawing of the pure ``TimelineSpec``.

The widget only draws. What to show, every label, tooltip, colour, marker and range comes from the
spec (``app/domain/timeline.py``); the PDF draws the same spec (``report/drawings.py``) and both keep
a count of what they drew (``counts``) so a test can hold them against the spec.

Layout: the spec's rows (``TimelineSpec.rows``) top to bottom, in one ``GraphicsLayoutWidget`` column
(pitfall 1.5: one column, the same fixed left-axis width everywhere, every plot x-linked to the first):
the lanes plot holds the rows above the first track, each as high as the spec says (the photo strip
of ``photos/timeline_strip.py`` as high as its thumbnails take), then one plot per track row
(``timeline_plots``); each row's label, bold as the spec says, is a label item in the gutter
(``axes``). The bottom plot carries the spec's x ticks. Below it, the legend and the notes. Hovers
and clicks go through each plot's hit map (``timeline_pointer``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QStackedWidget, QToolButton, QVBoxLayout, QWidget

from ...domain.disclosure import file_safe
from ...domain.plot_spec import LegendEntrySpec
from ...domain.timeline import MeasureTrackSpec, PhotoStripSpec, RowKind, TimelineRow, TimelineSpec
from ..dialogs import confirm_identified
from ..photos.timeline_strip import PhotoStrip
from ..plot_style import MUTED, Legend, font, on_paper
from .axes import LaneAxis, TrackAxis, shown_time_ticks, time_axis_under
from .canvas import LayoutView, scatter
from .export import PNG, SVG, save_figure, write_image
from .timeline_plots import LaneItems, PooledPlot, add_plot, draw_lanes, draw_track
from .timeline_pointer import TimelinePointer
from .timeline_rows import (
    AXIS_PX,
    ROW_PX,
    SPACING_PX,
    PlacedRow,
    column_heights,
    lane_plot_rows,
    lanes_end,
    place_rows,
    strip_rows,
)
from .timeline_toolbar import CK_KEY, TimelineToolbar

QWIDGETSIZE_MAX = (1 << 24) - 1
EMPTY_TEXT = (
    "No records to draw yet – the timeline appears once the patient has a medication course or an assessment."
)


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
        self.spec: TimelineSpec | None = None
        self._counts: Counter[str] = Counter()
        self._ck_log = False
        # The spec an exported image shows (de-identified unless asked): set by the patient view.
        # Without it, an export shows what is on screen.
        self.export_source: Callable[[bool], TimelineSpec | None] | None = None
        self.toolbar = TimelineToolbar()
        self.graphics = LayoutView("Patient timeline")
        self.graphics.ci.setContentsMargins(4, 6, 18, 2)
        self.graphics.ci.setSpacing(SPACING_PX)
        self.lane_axis = LaneAxis()
        self.lanes = add_plot(self.graphics, 0, self.lane_axis)
        self.lanes.plot.invertY(True)
        self.lane_axis.setStyle(tickLength=0)
        self._events, self._photos = scatter(), scatter()
        for item in (self._events, self._photos):
            self.lanes.plot.addItem(item)
        self.strip = PhotoStrip()
        self.lanes.plot.addItem(self.strip, ignoreBounds=True)
        self.tracks: list[PooledPlot] = []
        self._lanes_px = 0.0
        self.placed: list[PlacedRow] = []  # the lanes plot's rows, where they are drawn
        self.pointer = TimelinePointer(self)
        self.lanes.plot.vb.sigXRangeChanged.connect(self._on_x_range_changed)
        self.lanes.plot.vb.sigResized.connect(self._on_lanes_resized)
        self.graphics.resized.connect(self._fit_rows)
        self._build_figure()
        self._connect_toolbar()
        reset = QShortcut(QKeySequence("Ctrl+0"), self)
        reset.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        reset.activated.connect(self.reset_view)
        self.set_spec(None)

    @property
    def larger_button(self) -> QToolButton:
        """The toolbar's Larger button (the patient view keeps its state)."""
        return self.toolbar.larger_button

    def _build_figure(self) -> None:
        """The figure (plots, legend, notes) on paper in a scroll area, or the empty state."""
        self._build_paper()
        self._legend: tuple[LegendEntrySpec, ...] | None = None  # the entries the legend shows
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.figure)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.empty.setAccessibleName("Timeline empty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.scroll_area)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addWidget(self.toolbar)
        outer.addWidget(self.stack, 1)

    def _build_paper(self) -> None:
        """The figure as exported: the plots, the legend and the notes, on paper."""
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

    def _connect_toolbar(self) -> None:
        toolbar = self.toolbar
        toolbar.x_mode_changed.connect(self.x_mode_changed)
        toolbar.log_button.toggled.connect(self.set_ck_log)
        toolbar.reset_button.clicked.connect(self.reset_view)
        toolbar.export_requested.connect(self.export_clicked)
        toolbar.larger_toggled.connect(self.larger_toggled)

    # ------------------------------------------------------------ drawing
    def set_spec(
        self, spec: TimelineSpec | None, thumbnail: Callable[[int], bytes | None] | None = None
    ) -> None:
        """Draw ``spec`` (None: the empty state). ``thumbnail(photo_id)`` gives a photo's stored
        thumbnail bytes: asked once per photo, for the strip's photos when drawn, for the others on the
        first hover, and remembered."""
        if self.pointer.use_thumbnails(thumbnail):  # thumbnails of one store never change: keep those loaded
            self.strip.forget_images()
        self.spec = spec
        self._counts = Counter()
        self.toolbar.show_spec(spec)
        if spec is None:
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.scroll_area)
        self._draw_lanes(spec)
        self._draw_tracks(spec)
        self._x_axis(spec)
        if tuple(spec.legend) != self._legend:  # the same legend stays as laid out (no relayout)
            self._legend = tuple(spec.legend)
            self.legend.set_entries(self._legend)
        notes = list(dict.fromkeys([*spec.notes, *(t.note for t in spec.tracks if t.note)]))
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.graphics.setAccessibleDescription(f"Timeline of {spec.study_id}: {spec.x_label}")
        self.reset_view()
        self._set_least_height()
        self._fit_rows()

    def _draw_tracks(self, spec: TimelineSpec) -> None:
        """Each track row of the spec in a pooled plot (one more made when needed); the others hidden."""
        rows = [row for row in spec.rows if row.kind is RowKind.TRACK]
        while len(self.tracks) < len(rows):
            plot = add_plot(self.graphics, len(self.tracks) + 1, TrackAxis())
            plot.plot.setXLink(self.lanes.plot)
            self.tracks.append(plot)
        for n, plot in enumerate(self.tracks):
            if n < len(rows):
                self._counts["points"] += self._draw_track(plot, rows[n], spec)
                self._counts["tracks"] += 1
            elif plot.row is not None:
                plot.begin()
                plot.end()
                assert isinstance(plot.axis, TrackAxis)
                plot.axis.set_title("")
                plot.plot.setLogMode(y=False)
                plot.plot.hide()

    def _draw_lanes(self, spec: TimelineSpec) -> None:
        self.placed = []
        self._size_lanes(self._counts)

    def _on_lanes_resized(self) -> None:
        """Wider or narrower: the strip's thumbnails and captions take another height."""
        strip = any(at.row.kind is RowKind.STRIP for at in self.placed)
        if self.spec is not None and strip and self._size_lanes():
            self._set_least_height()
            self._fit_rows()

    def _size_lanes(self, counts: Counter[str] | None = None) -> bool:
        """Lay the lanes plot's rows out (the photo strip as high as its thumbnails and captions take at
        this width) and draw them, for a new spec (what is drawn is counted in ``counts``) or when a row
        moved; name them in the gutter. Returns whether the plot's height changed."""
        spec = self.spec
        assert spec is not None
        rows = lane_plot_rows(spec)
        strip = next((row.strip for row in rows if row.strip is not None), PhotoStripSpec())
        self.strip.thumb_px, height = strip_rows(strip, spec.x_range, self.lanes.plot.vb.width(), self.font())
        placed = place_rows(rows, height)
        if counts is not None or [at.top for at in placed] != [at.top for at in self.placed]:
            items = LaneItems(self._events, self._photos, self.strip, self.pointer.thumbnail_data)
            draw_lanes(self.lanes, spec, placed, items, Counter() if counts is None else counts)
        self.placed = placed
        self.lane_axis.show_rows([(at.middle, at.row.label, at.row.bold) for at in placed if at.row.label])
        end = lanes_end(placed)
        self.lanes.plot.setYRange(0.0, end, padding=0)
        before, self._lanes_px = self._lanes_px, end * ROW_PX + 4
        return abs(before - self._lanes_px) > 0.5

    def _draw_track(self, plot: PooledPlot, row: TimelineRow, spec: TimelineSpec) -> int:
        points = draw_track(plot, row, spec, self._log_for(row.track))
        plot.set_y(self._log_for(row.track))
        return points

    def _x_axis(self, spec: TimelineSpec) -> None:
        """Pan and zoom limits, the time axis under the bottom plot, one gutter width for all."""
        shown = [self.lanes] + [t for t in self.tracks if t.track is not None]
        lo, hi = spec.x_range
        for plot in shown:
            plot.limit_x(lo - (hi - lo), hi + (hi - lo))
        every = [p.plot for p in [self.lanes, *self.tracks]]
        time_axis_under(shown[-1].plot, every, spec.ticks, spec.x_label, AXIS_PX)
        width = self.lane_axis.width_for(self.font())
        for plot in every:
            plot.getAxis("left").setWidth(width)

    # ------------------------------------------------------------ log scale and view
    def _log_for(self, track: MeasureTrackSpec | None) -> bool:
        return self._ck_log and track is not None and track.key == CK_KEY and track.y.log_available

    def ck_log(self) -> bool:
        return self._ck_log

    def set_ck_log(self, on: bool) -> None:
        """Show CK on a log scale (its spec's log range and ticks); kept across patients."""
        self._ck_log = bool(on)
        button = self.toolbar.log_button
        if button.isChecked() != self._ck_log:
            button.blockSignals(True)
            button.setChecked(self._ck_log)
            button.blockSignals(False)
        spec = self.spec
        if spec is None:
            return
        x_range = self.lanes.plot.vb.viewRange()[0]
        for plot in self.tracks:
            if plot.row is not None and plot.track is not None and plot.track.key == CK_KEY:
                self._draw_track(plot, plot.row, spec)  # tooltips and labels move to the new scale
        self.lanes.plot.setXRange(*x_range, padding=0)

    def track_plot(self, key: str) -> pg.PlotItem | None:
        """The plot of the track ``key`` in the current spec (for the window and for tests)."""
        pooled = self.pooled(key)
        return pooled.plot if pooled is not None else None

    def pooled(self, key: str) -> PooledPlot | None:
        """The pooled plot drawing the track ``key`` (its plot, painted layer and hit map)."""
        return next((t for t in self.tracks if t.track is not None and t.track.key == key), None)

    def _on_x_range_changed(self, _view: object, x_range: tuple[float, float]) -> None:
        """Zoomed or panned: ticks and grid lines for what is in view, chosen by the spec's rule."""
        if self.spec is None:
            return
        ticks = self.spec.ticks_for(*x_range)
        for plot in [self.lanes, *self.tracks]:
            plot.show_time_ticks(ticks)

    def shown_ticks(self) -> list[str]:
        """The labels on the time axis now."""
        return shown_time_ticks([p.plot for p in [self.lanes, *self.tracks]])

    def reset_view(self) -> None:
        """The whole timeline: the spec's x range, each track's y range (Ctrl+0)."""
        spec = self.spec
        if spec is None:
            return
        for plot in self.tracks:
            plot.set_y(self._log_for(plot.track))
        self.lanes.plot.setXRange(*spec.x_range, padding=0)

    def counts(self) -> dict[str, int]:
        """What is drawn, keyed like the PDF drawing's counts (only kinds drawn at least once)."""
        return {key: value for key, value in self._counts.items() if value}

    # ------------------------------------------------------------ sizes
    def _track_shares(self) -> list[float]:
        """The tracks' heights as the spec gives them: their shares of what the lanes leave."""
        return [plot.row.height for plot in self.tracks if plot.row is not None]

    def _set_least_height(self) -> None:
        shares = self._track_shares()
        least = column_heights(self._lanes_px, shares, 0)[2]
        self.graphics.setMinimumHeight(int(least))
        self.graphics.setMaximumHeight(int(least) if not shares else QWIDGETSIZE_MAX)

    def _fit_rows(self) -> None:
        """The rows at their ``column_heights``; below the least height the figure scrolls."""
        if self.spec is None:
            return
        lanes, each, _ = column_heights(self._lanes_px, self._track_shares(), self.graphics.height())
        grid = self.graphics.ci.layout
        grid.setRowFixedHeight(0, lanes)
        heights = iter(each)
        for n, plot in enumerate(self.tracks, start=1):
            grid.setRowFixedHeight(n, 0 if plot.row is None else next(heights))

    # ------------------------------------------------------------ export
    def export_image(self, path: Path) -> None:
        """Save the figure (plots, legend, notes) as .png or .svg; ValueError for other suffixes."""
        if self.spec is None:
            raise ValueError("There is no timeline to export: select a patient with records first.")
        write_image(
            self.figure,
            Path(path),
            "timeline",
            self.graphics.scene(),
            f"Timeline {self.spec.study_id}",
            self.spec.x_label,
        )

    def exported_spec(self, identified: bool = False) -> TimelineSpec | None:
        """What an exported image shows: ``export_source``'s spec (de-identified unless ``identified``),
        or without a source the spec on screen."""
        return self.export_source(identified) if self.export_source is not None else self.spec

    def export_as(self, path: Path, *, identified: bool = False) -> None:
        """Save the timeline as an exported image shows it (``exported_spec``), drawn off screen at the
        size shown here."""
        self._export_spec(self.exported_spec(identified), path)

    def _export_spec(self, spec: TimelineSpec | None, path: Path) -> None:
        if spec is None or spec is self.spec:
            self.export_image(path)
            return
        other = TimelinePlot()
        try:
            other.figure.resize(self.figure.size())
            other.set_spec(spec, self.pointer.thumbnail)
            other.export_image(path)
        finally:
            other.deleteLater()

    def export_clicked(self, identified: bool = False) -> Path | None:
        """Ask where (a name from the exported spec's study ID) and export; the file written, or None."""
        if self.spec is None:
            return None
        if identified and not confirm_identified(self, "timeline image"):
            return None
        spec = self.exported_spec(identified)
        study = file_safe(spec.study_id if spec is not None else "") or "patient"
        name = f"{study}-timeline{'' if identified else '-deidentified'}.png"
        return save_figure(
            self,
            "Export the timeline",
            name,
            (PNG, SVG),
            lambda path: self._export_spec(spec, path),
            "timeline",
        )
