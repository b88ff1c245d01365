"""The cohort window: the spaghetti and swimmer plots of the series in two tabs, with the measure and
the group to show, rebuilt after every change they show (patients, courses, assessments, adverse
events, settings; only once shown, when it was hidden), and an export of the figure shown as a PNG
image. The figures draw the specs as they may leave (de-identified); the settings are the controller's."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.analysis import AnalysisSettings
from ...domain.cohort_plots import SpaghettiSpec
from ...domain.cohort_swimmer import SwimmerSpec
from ...domain.scales import SCALES
from ...domain.vocab import Subtype
from ...services.report import cohort_figures
from ..background import BackgroundRow
from ..controller import Change, Controller, Kind
from ..dialogs import close_with_keys, fit_size
from ..plot_style import html_text
from .cohort_figure import CohortFigure
from .export import PNG, save_figure
from .spaghetti import SpaghettiPlot
from .swimmer import SwimmerPlot

ALL_SUBTYPES = tuple(Subtype)
SHOWN = (Kind.PATIENT, Kind.COURSE, Kind.ASSESSMENT, Kind.EVENT, Kind.SETTINGS)  # what the figures draw from


class CohortWindow(QMainWindow):
    """The spaghetti and swimmer plots of the series, rebuilt after every save.

    Signals: ``patient_chosen(int)`` when a patient's line or bar is clicked. A series of ``background_from``
    patients or more is read and laid out in the thread pool (a progress row with Cancel above the plots).
    """

    patient_chosen = Signal(int)
    background_from = 300

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        close_with_keys(self)
        self.controller = controller
        self._dirty = False
        row = self._build_controls(controller.analysis_settings())
        self._build_figures()
        self.busy = BackgroundRow("Drawing")
        controller.closing.connect(self.busy.stop_and_wait)  # nothing reads a closed series
        central = QWidget()
        column = QVBoxLayout(central)
        column.addLayout(row)
        column.addWidget(self.busy)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        fit_size(self, 1200, 800)
        self.measure.currentIndexChanged.connect(self.refresh)
        self.group.currentIndexChanged.connect(self.refresh)
        self.export_button.clicked.connect(lambda: self.export_png())
        self.spaghetti.patient_clicked.connect(self.patient_chosen)
        self.swimmer.patient_clicked.connect(self.patient_chosen)
        controller.changed.connect(self._on_changed)
        self.busy.finished.connect(self._draw)
        self.busy.stopped.connect(lambda: self.export_button.setEnabled(self.spaghetti.spec is not None))
        self.busy.failed.connect(lambda message: self.statusBar().showMessage(f"Not drawn: {message}", 15000))
        self.refresh()

    def _build_controls(self, stored: AnalysisSettings) -> QHBoxLayout:
        """The measure and group choices (as stored in the analysis settings), the index drug, the export."""
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
        return row

    def _build_figures(self) -> None:
        """The two figures in tabs, or what to do while the series has no patients."""
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
        stored = self.controller.analysis_settings()
        subtypes = tuple(Subtype(s) for s in self.group.currentData())
        return AnalysisSettings(
            index_drug=stored.index_drug, measure=self.measure.currentData(), subtypes=subtypes,
            window_before=stored.window_before, window_after=stored.window_after, severity=stored.severity,
        )  # fmt: skip

    def _on_changed(self, change: Change) -> None:
        """Redraw after a change of what the figures show (not of photos or comparisons)."""
        if not change.touches(*SHOWN):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._dirty:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Re-read the series and redraw both plots."""
        self._dirty = False
        book = self.controller.book
        series = self.controller.settings()
        demo = " [synthetic demo data]" if series.is_demo else ""
        self.setWindowTitle(f"Cohort — {series.name}{demo}")
        settings = self.settings()
        self.drug.setText(f"Index drug: <b>{html_text(settings.index_drug)}</b> (series settings)")
        if not self.controller.has_patients():
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
        if book.patient_count() < self.background_from:  # as they may leave: the PNG export shows them
            self._draw(cohort_figures(book, settings))
        else:
            self.export_button.setEnabled(False)  # until the figures are drawn
            self.busy.run(lambda step: cohort_figures(book, settings, step))

    def _draw(self, figures: tuple[SpaghettiSpec, SwimmerSpec]) -> None:
        spaghetti, swimmer = figures
        self.spaghetti.set_spec(spaghetti)
        self.swimmer.set_spec(swimmer)
        self.export_button.setEnabled(True)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.busy.cancel()  # nothing runs on for a window that is gone
        super().closeEvent(event)

    def current_figure(self) -> CohortFigure:
        widget = self.tabs.currentWidget()
        assert isinstance(widget, CohortFigure)
        return widget

    def export_png(self) -> Path | None:
        """Save the current tab's figure as a PNG; returns the file written, or None."""
        figure = self.current_figure()
        name = "cohort-spaghetti.png" if figure is self.spaghetti else "cohort-swimmer.png"
        target = save_figure(self, "Export the figure as PNG", name, (PNG,), figure.export_image, "figure")
        if target is not None:
            self.statusBar().showMessage(f"Figure saved to {target}", 8000)
        return target
