"""The case-series analysis window: settings, Table 2 (one row per patient, the summary row, the paired test)
and the cohort facts.

It computes with the same service as the command line's statistics and lays out the same Table 2 spec as
the PDF and `myocase stats`, so all three always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.analysis import AnalysisSettings, CountSummary, FollowUp
from ..domain.analysis_json import settings_to_json
from ..domain.numbers import shown
from ..domain.outcome_table import OutcomeTable, outcome_table
from ..domain.scales import SCALES, Scale
from ..domain.scores import ChangeRule, RuleKind, SeverityBands
from ..domain.stats import PairedTestKind
from ..domain.vocab import Subtype
from ..services import analysis_settings, stats
from .background import BackgroundRow
from .controller import Change, Controller, Kind
from .dialogs import close_with_keys, fit_size
from .fields import FieldError, IntegerField, NumberField
from .outcome_table_view import OutcomeTableView

# The ranges each number setting may take: the fields show them and refuse anything outside.
LIMITS: dict[str, Scale] = {
    s.field: s
    for s in (
        Scale("window_before", "Days before the start", 0, 365, "days", integer=True),
        Scale("window_after", "Days after the start", 0, 90, "days", integer=True),
        Scale("tolerance", "Time-point tolerance", 0, 180, "days", integer=True),
        Scale("mild_max", "Mild up to", 0, 100, integer=True),
        Scale("moderate_max", "Moderate up to", 0, 100, integer=True),
        Scale("points", "Points criterion", 1, 20, "points"),
        Scale("percent", "Percent criterion", 1, 100, "%"),
        Scale("percent_above", "Baseline above", 0, 100),
        Scale("aldolase", "Aldolase factor", 1, 30),
    )
}


class SettingsProblem(ValueError):
    """A setting cannot be read; the message says which and how to fix it."""


class SettingsPanel(QGroupBox):
    """The analysis settings as controls. Signals: ``changed()``."""

    changed = Signal()

    def __init__(self, settings: AnalysisSettings, drugs: list[str], parent: QWidget | None = None) -> None:
        super().__init__("Analysis settings", parent)
        self.numbers: dict[str, NumberField] = {}
        form = QFormLayout(self)
        self._who(form, settings, drugs)
        self.followup = self._combo([(c.label, c.value) for c in FollowUp], settings.followup.value)
        self.test = self._combo(
            [("Wilcoxon signed-rank (exact when small)", PairedTestKind.WILCOXON.value),
             ("Paired t-test", PairedTestKind.TTEST.value)],
            settings.test.value,
        )  # fmt: skip
        self.counts = self._combo([(c.label, c.value) for c in CountSummary], settings.count_summary.value)
        self.counts.setToolTip("How counts per patient are summarised; the seed paper reports a mean.")
        form.addRow("Baseline from, before the start:", self._number("window_before", settings.window_before))
        form.addRow("Baseline up to, after the start:", self._number("window_after", settings.window_after))
        form.addRow("Follow-up:", self.followup)
        form.addRow("Time-point tolerance:", self._number("tolerance", settings.tolerance))
        form.addRow("Paired test:", self.test)
        form.addRow("Prior immunosuppressants:", self.counts)
        self._meaningful(form, settings.change_rule)
        self._unverified(form, settings)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem with the settings")
        form.addRow(self.problem)

    def _who(self, form: QFormLayout, settings: AnalysisSettings, drugs: list[str]) -> None:
        """The index drug, the measure and the subtypes analysed."""
        self.drug = QComboBox()
        self.drug.setEditable(True)
        self.drug.addItems(drugs)
        self.drug.setCurrentText(settings.index_drug)
        self.drug.currentTextChanged.connect(self.changed)
        self.measure = self._combo([(scale.label, key) for key, scale in SCALES.items()], settings.measure)
        self.subtypes: dict[Subtype, QCheckBox] = {s: QCheckBox(s.value) for s in Subtype}
        boxes = QGridLayout()
        for n, (subtype, box) in enumerate(self.subtypes.items()):
            box.setChecked(subtype in settings.subtypes)
            box.setToolTip(subtype.label)
            box.toggled.connect(self.changed)
            boxes.addWidget(box, n // 5, n % 5)
        form.addRow("Index drug:", self.drug)
        form.addRow("Measure:", self.measure)
        form.addRow("Subtypes:", boxes)

    def _combo(self, items: list[tuple[str, str]], current: str) -> QComboBox:
        combo = QComboBox()
        for label, data in items:
            combo.addItem(label, data)
        combo.setCurrentIndex(combo.findData(current))
        combo.currentIndexChanged.connect(self.changed)
        return combo

    def _number(self, key: str, value: float) -> NumberField:
        scale = LIMITS[key]
        field = (IntegerField if scale.integer else NumberField)(scale)
        field.set_value(value)
        field.edited.connect(self.changed)
        self.numbers[key] = field
        return field

    def _meaningful(self, form: QFormLayout, rule: ChangeRule) -> None:
        """The meaningful-change rule: which published criteria count, and their numbers."""
        self.rule = self._combo([(replace(rule, kind=k).label, k.value) for k in RuleKind], rule.kind.value)
        self.rule.setAccessibleName("Meaningful change rule")
        percent = QHBoxLayout()
        percent.addWidget(self._number("percent", rule.percent))
        percent.addWidget(QLabel("from a baseline above"))
        percent.addWidget(self._number("percent_above", rule.percent_above))
        self.rule_text = QLabel(rule.description)
        self.rule_text.setWordWrap(True)
        self.rule_text.setAccessibleName("Meaningful change rule in words")
        form.addRow("Meaningful change (CDASI activity):", self.rule)
        form.addRow("Points criterion (Anyanwu 2015: 4–5):", self._number("points", rule.points))
        form.addRow("Percent criterion (Ahmed 2020: 40 % above 14):", percent)
        form.addRow(self.rule_text)

    def _unverified(self, form: QFormLayout, settings: AnalysisSettings) -> None:
        """The thresholds the clinical reference marks unverified, editable and named as such."""
        bands = QHBoxLayout()
        for text, key, value in (("mild ≤", "mild_max", settings.severity.mild_max),
                                 ("moderate ≤", "moderate_max", settings.severity.moderate_max)):  # fmt: skip
            bands.addWidget(QLabel(text))
            bands.addWidget(self._number(key, value))
        form.addRow("CDASI bands (unverified):", bands)
        form.addRow("TIS aldolase factor (unverified):", self._number("aldolase", settings.aldolase_factor))
        self.gottron = QCheckBox("count it once (unchecked: not at all)")
        self.gottron.setChecked(settings.gottron_undoubled_counts)
        self.gottron.setToolTip(
            "How the CDASI grid scores Gottron's erythema when papules are absent. The reference does not "
            "say (unverified); new and edited grids use this rule once the settings are saved."
        )
        self.gottron.toggled.connect(self.changed)
        form.addRow("Gottron's erythema without papules (unverified):", self.gottron)

    def _value(self, key: str) -> float:
        field = self.numbers[key]
        try:
            value = field.value()
        except FieldError as exc:
            raise SettingsProblem(str(exc)) from exc
        scale = LIMITS[key]
        if value is None:
            raise SettingsProblem(f"{scale.label} is empty: type a number from {scale.range_text}.")
        if message := scale.problem(value):
            raise SettingsProblem(message)
        return value

    def change_rule(self) -> ChangeRule:
        return ChangeRule(
            self._value("points"), self._value("percent"), self._value("percent_above"),
            RuleKind(self.rule.currentData()),
        )  # fmt: skip

    def settings(self) -> AnalysisSettings:
        """The settings as shown; ``SettingsProblem`` says what to fix when a number cannot be used."""
        mild, moderate = int(self._value("mild_max")), int(self._value("moderate_max"))
        if moderate < mild:
            raise SettingsProblem(f"Moderate up to ({moderate}) must be at least mild up to ({mild}).")
        return AnalysisSettings(
            index_drug=self.drug.currentText().strip() or "upadacitinib",
            measure=self.measure.currentData(),
            subtypes=tuple(s for s, box in self.subtypes.items() if box.isChecked()),
            window_before=int(self._value("window_before")),
            window_after=int(self._value("window_after")),
            followup=FollowUp(self.followup.currentData()),
            tolerance=int(self._value("tolerance")),
            test=PairedTestKind(self.test.currentData()),
            change_rule=self.change_rule(),
            severity=SeverityBands(mild, moderate),
            aldolase_factor=self._value("aldolase"),
            gottron_undoubled_counts=self.gottron.isChecked(),
            count_summary=CountSummary(self.counts.currentData()),
        )

    def show_rule(self, rule: ChangeRule) -> None:
        """Relabel the rule choices with the current numbers and state the rule in words."""
        for index, kind in enumerate(RuleKind):
            self.rule.setItemText(index, replace(rule, kind=kind).label)
        self.rule_text.setText(rule.description)


class AnalysisView(QWidget):
    """Signals: ``patient_chosen(int)`` when a row is double-clicked.

    A series of ``background_from`` patients or more is analysed in the thread pool, with a progress bar and
    Cancel above the results; a setting changed meanwhile stops that run and starts one with it."""

    patient_chosen = Signal(int)
    background_from = 300

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        close_with_keys(self)
        self.setWindowTitle("Case-series analysis")
        self.controller = controller
        drugs = sorted({*controller.book.drugs(), "upadacitinib", "tofacitinib"})
        self.result: stats.SeriesStats | None = None
        self.busy = BackgroundRow("Analysing")
        controller.closing.connect(self.busy.stop_and_wait)  # nothing reads a closed series
        self.panel = SettingsPanel(controller.analysis_settings(), drugs)
        self.save_button = QPushButton("Use these settings for reports and statistics")
        self.save_button.setToolTip(
            "Store them with the series: the PDF report and the command-line statistics then use them"
        )
        self.outcomes = OutcomeTableView()
        self.summary = QTextBrowser()
        self.summary.setAccessibleName("Summary")
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(self.panel)
        column.addWidget(self.save_button)
        column.addStretch(1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.outcomes)
        right.addWidget(self.summary)
        right.setSizes([330, 420])
        results = QWidget()
        results_column = QVBoxLayout(results)
        results_column.setContentsMargins(0, 0, 0, 0)
        results_column.addWidget(self.busy)
        results_column.addWidget(right, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(results)
        splitter.setSizes([470, 880])
        QVBoxLayout(self).addWidget(splitter)
        fit_size(self, 1350, 820)
        self.panel.changed.connect(self.recompute)
        self.save_button.clicked.connect(self.save_settings)
        self.outcomes.patient_chosen.connect(self.patient_chosen)
        controller.changed.connect(self._on_changed)
        self.busy.finished.connect(self._show)
        self.busy.stopped.connect(self._on_stopped)
        self.busy.failed.connect(self._on_failed)
        self._stale = False  # records or settings changed while the window was hidden
        self.recompute()

    def _on_changed(self, change: Change) -> None:
        """What the analysis reads changed: recomputed now if the window is shown, else when it is shown."""
        if not change.touches(Kind.PATIENT, Kind.COURSE, Kind.ASSESSMENT, Kind.EVENT, Kind.SETTINGS):
            return
        if self.isVisible():
            self.recompute()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.recompute()
        super().showEvent(event)

    def recompute(self) -> None:
        """Run the analysis with the settings shown; a setting that cannot be used is named instead."""
        self._stale = False
        try:
            settings = self.panel.settings()
        except SettingsProblem as problem:
            self.panel.problem.setText(
                f"⚠ {problem} The results shown are those of the last usable settings."
            )
            self.save_button.setEnabled(False)
            return
        self.panel.problem.setText("")
        self.save_button.setEnabled(True)
        self.panel.show_rule(settings.change_rule)
        book = self.controller.book
        if book.patient_count() < self.background_from:
            self._show(stats.run(book, settings))
        else:
            self.busy.run(lambda step: stats.run(book, settings, progress=step))

    def _on_stopped(self) -> None:
        self.panel.problem.setText(
            "Analysis cancelled: the results shown are those of the last finished run."
        )

    def _on_failed(self, message: str) -> None:
        self.panel.problem.setText(f"⚠ The analysis could not be run: {message}")

    def _show(self, result: stats.SeriesStats) -> None:
        self.result = result
        spec = outcome_table(result.analysis, result.disclosure.clock)
        self.outcomes.show_spec(spec)
        self.summary.setHtml(summary_html(result, spec))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.busy.cancel()  # nothing runs on for a window that is gone
        super().closeEvent(event)

    def save_settings(self) -> None:
        try:
            settings = self.panel.settings()
        except SettingsProblem:
            return  # the button is disabled meanwhile; the problem is shown in the panel
        stored = replace(settings, index_drug=self.controller.settings().index_drug)
        self.controller.save_preference(
            analysis_settings.PREFERENCE_KEY, settings_to_json(stored), "Analysis settings saved"
        )


def _items_html(items: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(label.strip())}</td><td>{escape(value)}</td></tr>" for label, value in items
    )
    return f"<table cellspacing=4>{rows}</table>"


def summary_html(result: stats.SeriesStats, spec: OutcomeTable) -> str:
    """Under Table 2: its caption and notes, meaningful improvement by criterion, the cohort facts and the
    method, worded as the terminal and the report word them."""
    facts, e = result.facts, escape
    lines = [f"<p>{e(spec.caption)}</p>", *(f"<p>{e(note)}</p>" for note in spec.notes)]
    if spec.items:
        lines.append(_items_html(spec.items))
    lines += ["<h3>Cohort at the data cut-off</h3>", _items_html(stats.cohort_items(result))]
    if facts.phase_changes:
        rows = "".join(
            f"<tr><td>{e(c.study_id)}</td><td>{e(c.phase)}</td><td>{shown(c.start_value, 2)}</td>"
            f"<td>{shown(c.end_value, 2)}</td><td>{shown(c.change, 2)}</td></tr>"
            for c in facts.phase_changes
        )
        lines.append(
            "<p>Change during each JAK inhibitor phase:</p><table cellspacing=6><tr><th>Patient</th><th>Phase</th>"
            f"<th>Start</th><th>End</th><th>Change</th></tr>{rows}</table>"
        )
    lines.append(f"<h3>Method</h3><p>{e(spec.method)}</p>")
    return "".join(lines)
