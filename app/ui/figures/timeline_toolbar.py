"""The timeline's toolbar: the time axis (dates or days from day 0), CK on a log scale, reset view,
export (de-identified; with real dates from its menu), a larger timeline, and a usage hint shown only
where there is room for all of it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton, QWidget

from ...domain.phases import PhaseKind
from ...domain.timeline import TimelineSpec

CK_KEY = "ck"  # the track offered on a log scale (timeline_tracks.TRACKS)


def _tool(text: str, tip: str, checkable: bool = False) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(text.rstrip("…"))
    button.setCheckable(checkable)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class TimelineToolbar(QWidget):
    """Signals: ``x_mode_changed(str)`` ("date" or "index_days", when the user flips the time axis),
    ``export_requested(bool)`` (identified or not), ``larger_toggled(bool)``; the timeline connects
    ``log_button.toggled`` and ``reset_button.clicked`` itself."""

    x_mode_changed = Signal(str)
    export_requested = Signal(bool)
    larger_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.x_mode = ""  # the spec's, as last shown
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 10, 0)
        row.addWidget(QLabel("Time axis:"))
        self.dates_button = _tool("Dates", "Draw the timeline against calendar dates", True)
        self.days_button = _tool("Days", "Draw the timeline in days from the index drug start (day 0)", True)
        self.x_group = QButtonGroup(self)
        self.x_group.setExclusive(True)
        self.x_group.addButton(self.dates_button)
        self.x_group.addButton(self.days_button)
        self.x_group.buttonClicked.connect(self._x_mode_clicked)
        self.log_button = _tool("CK log scale", "Show CK on a logarithmic scale", True)
        self.reset_button = _tool("Reset view", "Show the whole timeline again (Ctrl+0)")
        self._build_export()
        self.larger_button = _tool(
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

    def _build_export(self) -> None:
        self.export_button = _tool(
            "Export…",
            "Save the timeline as a PNG image or an SVG drawing, de-identified (days from day 0, no "
            "identifiers); the arrow offers an export with real dates",
        )
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.export_button.clicked.connect(lambda: self.export_requested.emit(False))
        menu = QMenu(self.export_button)
        self.export_deidentified = menu.addAction("De-identified (days from day 0)…")
        self.export_deidentified.triggered.connect(lambda: self.export_requested.emit(False))
        self.export_identified = menu.addAction("With real dates (identifiable)…")
        self.export_identified.triggered.connect(lambda: self.export_requested.emit(True))
        self.export_button.setMenu(menu)

    def _x_mode_clicked(self, button: QToolButton) -> None:
        mode = "index_days" if button is self.days_button else "date"
        if mode != self.x_mode:
            self.x_mode_changed.emit(mode)

    def show_spec(self, spec: TimelineSpec | None) -> None:
        """The buttons as ``spec`` allows (None: all off): its time axis, day 0's drug, CK's log range."""
        for widget in (
            self.dates_button,
            self.days_button,
            self.log_button,
            self.reset_button,
            self.export_button,
        ):
            widget.setEnabled(spec is not None)
        self.x_mode = spec.x_mode if spec is not None else ""
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

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_hint()

    def _fit_hint(self) -> None:
        """Show the usage hint only where the toolbar has room for all of it."""
        layout = self.layout()
        used = sum(
            item.widget().sizeHint().width() + layout.spacing()
            for n in range(layout.count())
            if (item := layout.itemAt(n)).widget() is not None and item.widget() is not self.hint
        )
        margins = layout.contentsMargins()
        room = self.width() - used - margins.left() - margins.right() - 24
        shown = room >= self.hint.sizeHint().width()
        self.hint.setVisible(shown)
        assert isinstance(layout, QHBoxLayout)
        layout.setStretch(layout.indexOf(self.hint) - 1, 0 if shown else 1)  # the spacer before it
