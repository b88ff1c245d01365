"""The case-series analysis window: settings, one row per patient, the summary and the paired test.

It computes with the same service as `myocase stats`, so both always agree.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain.analysis import AnalysisSettings, FollowUp, OutcomeRow, method_text, settings_to_json
from app.domain.numbers import shown
from app.domain.scales import SCALES
from app.domain.scores import ChangeRule, SeverityBands
from app.domain.stats import PairedTestKind
from app.domain.vocab import Subtype
from app.services import stats
from app.ui.controller import Change, Controller
from app.ui.models import Column, RecordTableModel
from app.ui.record_tab import make_table


def _num(value: float | None, digits: int = 2) -> str:
    return shown(value, digits)


ROW_COLUMNS: list[Column[OutcomeRow]] = [
    Column("Patient", lambda r: r.study_id),
    Column("Subtype", lambda r: r.subtype.value),
    Column("Baseline date", lambda r: r.baseline_date.isoformat(), lambda r: r.baseline_date),
    Column("Baseline", lambda r: _num(r.baseline), lambda r: r.baseline, numeric=True),
    Column("Follow-up date", lambda r: r.followup_date.isoformat(), lambda r: r.followup_date),
    Column("Follow-up", lambda r: _num(r.followup), lambda r: r.followup, numeric=True),
    Column("Change", lambda r: _num(r.change), lambda r: r.change, numeric=True),
    Column("Change %", lambda r: _num(r.percent_change, 1), lambda r: r.percent_change, numeric=True),
    Column("Meaningful", lambda r: "–" if r.meaningful is None else "yes" if r.meaningful else "no",
           tip="Meaningful improvement in CDASI activity (see Help)"),
    Column("TIS", lambda r: f"{_num(r.tis_total)} ({r.tis_category})" if r.tis_category else "not computable",
           lambda r: r.tis_total, "2016 ACR/EULAR Total Improvement Score; not computable when a core measure is missing"),
]  # fmt: skip


class SettingsPanel(QGroupBox):
    """The analysis settings as controls. Signals: ``changed()``."""

    changed = Signal()

    def __init__(self, settings: AnalysisSettings, drugs: list[str], parent: QWidget | None = None) -> None:
        super().__init__("Analysis settings", parent)
        form = QFormLayout(self)
        self.drug = QComboBox()
        self.drug.setEditable(True)
        self.drug.addItems(drugs)
        self.drug.setCurrentText(settings.index_drug)
        self.measure = QComboBox()
        for key, scale in SCALES.items():
            self.measure.addItem(scale.label, key)
        self.measure.setCurrentIndex(self.measure.findData(settings.measure))
        self.subtypes: dict[Subtype, QCheckBox] = {s: QCheckBox(s.value) for s in Subtype}
        boxes = QGridLayout()
        for n, (subtype, box) in enumerate(self.subtypes.items()):
            box.setChecked(subtype in settings.subtypes)
            box.setToolTip(subtype.label)
            boxes.addWidget(box, n // 5, n % 5)
        self.before, self.after = (
            self._spin(0, 365, settings.window_before),
            self._spin(0, 90, settings.window_after),
        )
        self.followup = QComboBox()
        for choice in FollowUp:
            self.followup.addItem(choice.label, choice.value)
        self.followup.setCurrentIndex(self.followup.findData(settings.followup.value))
        self.tolerance = self._spin(0, 180, settings.tolerance)
        self.test = QComboBox()
        self.test.addItem("Wilcoxon signed-rank (exact when small)", PairedTestKind.WILCOXON.value)
        self.test.addItem("Paired t-test", PairedTestKind.TTEST.value)
        self.test.setCurrentIndex(self.test.findData(settings.test.value))
        window = QHBoxLayout()
        window.addWidget(self.before)
        window.addWidget(QLabel("days before to"))
        window.addWidget(self.after)
        window.addWidget(QLabel("days after the start"))
        window.addStretch(1)
        form.addRow("Index drug:", self.drug)
        form.addRow("Measure:", self.measure)
        form.addRow("Subtypes:", boxes)
        form.addRow("Baseline window:", window)
        form.addRow("Follow-up:", self.followup)
        form.addRow("Time-point tolerance (days):", self.tolerance)
        form.addRow("Paired test:", self.test)
        self._thresholds(form, settings)
        for signal in (self.drug.currentTextChanged, self.measure.currentIndexChanged, self.followup.currentIndexChanged,
                       self.test.currentIndexChanged):  # fmt: skip
            signal.connect(self.changed)
        for box in self.subtypes.values():
            box.toggled.connect(self.changed)

    def _spin(self, low: int, high: int, value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.valueChanged.connect(self.changed)
        return spin

    def _thresholds(self, form: QFormLayout, settings: AnalysisSettings) -> None:
        """The unverified thresholds, editable (and named as such)."""
        self.mild, self.moderate = (
            self._spin(0, 100, settings.severity.mild_max),
            self._spin(0, 100, settings.severity.moderate_max),
        )
        self.points = QDoubleSpinBox()
        self.points.setRange(1, 20)
        self.points.setValue(settings.change_rule.points)
        self.percent = QDoubleSpinBox()
        self.percent.setRange(1, 100)
        self.percent.setValue(settings.change_rule.percent)
        self.aldolase = QDoubleSpinBox()
        self.aldolase.setRange(1, 30)
        self.aldolase.setValue(settings.aldolase_factor)
        for spin in (self.points, self.percent, self.aldolase):
            spin.valueChanged.connect(self.changed)
        bands = QHBoxLayout()
        for text, widget in (("mild ≤", self.mild), ("moderate ≤", self.moderate)):
            bands.addWidget(QLabel(text))
            bands.addWidget(widget)
        bands.addStretch(1)
        form.addRow("CDASI bands (unverified):", bands)
        form.addRow("Meaningful change, points:", self.points)
        form.addRow("Meaningful change, % (baseline > 14):", self.percent)
        form.addRow("TIS aldolase factor (unverified):", self.aldolase)
        self.gottron = QCheckBox("count it once (unchecked: not at all)")
        self.gottron.setChecked(settings.gottron_undoubled_counts)
        self.gottron.setToolTip(
            "How the CDASI grid scores Gottron's erythema when papules are absent. The reference does not "
            "say (unverified); new and edited grids use this rule once the settings are saved."
        )
        self.gottron.toggled.connect(self.changed)
        form.addRow("Gottron's erythema without papules (unverified):", self.gottron)

    def settings(self) -> AnalysisSettings:
        return AnalysisSettings(
            index_drug=self.drug.currentText().strip() or "upadacitinib",
            measure=self.measure.currentData(),
            subtypes=tuple(s for s, box in self.subtypes.items() if box.isChecked()),
            window_before=self.before.value(),
            window_after=self.after.value(),
            followup=FollowUp(self.followup.currentData()),
            tolerance=self.tolerance.value(),
            test=PairedTestKind(self.test.currentData()),
            change_rule=ChangeRule(self.points.value(), self.percent.value()),
            severity=SeverityBands(self.mild.value(), max(self.moderate.value(), self.mild.value())),
            aldolase_factor=self.aldolase.value(),
            gottron_undoubled_counts=self.gottron.isChecked(),
        )


class AnalysisView(QWidget):
    """Signals: ``patient_chosen(int)`` when a row is double-clicked."""

    patient_chosen = Signal(int)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Case-series analysis")
        self.controller = controller
        drugs = sorted({c.drug for c in controller.book.courses()} | {"upadacitinib", "tofacitinib"})
        self.panel = SettingsPanel(stats.load_settings(controller.book), drugs)
        self.save_button = QPushButton("Use these settings for the report and `myocase stats`")
        self.save_button.setToolTip("Store them in the database as the series' analysis settings")
        self.model: RecordTableModel[OutcomeRow] = RecordTableModel(ROW_COLUMNS)
        self.table, self.proxy = make_table(self.model)
        self.table.setAccessibleName("Patients analysed")
        self.summary = QTextBrowser()
        self.summary.setAccessibleName("Summary")
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(self.panel)
        column.addWidget(self.save_button)
        column.addStretch(1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.table)
        right.addWidget(self.summary)
        right.setSizes([330, 420])
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([430, 900])
        QVBoxLayout(self).addWidget(splitter)
        self.resize(1350, 800)
        self.result: stats.SeriesStats | None = None
        self.panel.changed.connect(self.recompute)
        self.save_button.clicked.connect(self.save_settings)
        self.table.doubleClicked.connect(self._on_double_clicked)
        controller.changed.connect(self._on_changed)
        self.recompute()

    def _on_changed(self, change: Change) -> None:
        self.recompute()

    def recompute(self) -> None:
        self.result = stats.run(self.controller.book, self.panel.settings())
        self.model.set_rows(self.result.analysis.rows)
        self.table.resizeColumnsToContents()
        self.summary.setHtml(summary_html(self.result))

    def save_settings(self) -> None:
        settings = self.panel.settings()
        stored = replace(settings, index_drug=self.controller.book.settings().index_drug)
        self.controller.save_preference(
            stats.PREFERENCE_KEY, settings_to_json(stored), "Analysis settings saved"
        )

    def _on_double_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.patient_chosen.emit(self.model.record_at(self.proxy.mapToSource(rows[0]).row()).patient_id)


def summary_html(result: stats.SeriesStats) -> str:
    """Cohort facts, the summary row, the test, exclusions and the method, as the report words them."""
    data = stats.to_json(result)
    cohort, outcome = data["cohort"], data["outcome"]
    e = escape
    iqr = lambda v: f" ({_num(v[0])}–{_num(v[1])})" if v else ""  # noqa: E731
    p = outcome["p_value"]
    lines = [
        "<h3>Summary</h3>",
        f"<p>n = {outcome['n']}; median (IQR) baseline {_num(outcome['baseline_median'])}{iqr(outcome['baseline_iqr'])}, "
        f"follow-up {_num(outcome['followup_median'])}{iqr(outcome['followup_iqr'])}; median change "
        f"{_num(outcome['median_change'])}{iqr(outcome['change_iqr'])}.</p>",
        f"<p><b>{e(outcome['test'])}</b>: statistic {_num(outcome['statistic'], 4)}, "
        f"p = {'–' if p is None else ('< 0.001' if p < 0.001 else f'{p:.4f}')}"
        + (f" ({e(outcome['test_note'])})" if outcome["test_note"] else "")
        + "</p>",
    ]
    if outcome["meaningful_change"] is not None:
        lines.append(f"<p>Meaningful improvement: {outcome['meaningful_change']} of {outcome['n']}.</p>")
    if outcome["excluded"]:
        items = "".join(f"<li>{e(x['patient'])}: {e(x['reason'])}</li>" for x in outcome["excluded"])
        lines.append(f"<p>Not analysed:</p><ul>{items}</ul>")
    prior = cohort["prior_immunosuppressants_range"]
    lines += [
        "<h3>Cohort at the data cut-off</h3>",
        f"<p>{cohort['patients']} patients ({e(', '.join(f'{k} {v}' for k, v in cohort['by_subtype'].items()))}); "
        f"prior immunosuppressants mean {_num(cohort['prior_immunosuppressants_mean'])}"
        + (f" (range {prior[0]}–{prior[1]})" if prior else "")
        + f"; prior JAK inhibitor {cohort['prior_jak_inhibitor']}; on the drug at the cut-off "
        f"{cohort['on_drug_at_cutoff']} of {cohort['with_index_drug']}; median time on the drug "
        f"{_num(cohort['median_followup_days'], 0)} days.</p>",
    ]
    lines += [
        f"<p>Stopped: {e(d['patient'])} ({e(d['stopped_date'] or 'day ' + str(d['stopped_day']))}): "
        f"{e(d['reason'])}</p>"
        for d in cohort["discontinued"]
    ]
    if cohort["phase_changes"]:
        rows = "".join(
            f"<tr><td>{e(c['patient'])}</td><td>{e(c['phase'])}</td><td>{_num(c['start_value'])}</td>"
            f"<td>{_num(c['end_value'])}</td><td>{_num(c['change'])}</td></tr>"
            for c in cohort["phase_changes"]
        )
        lines.append(
            "<p>Change during each JAK inhibitor phase:</p><table cellspacing=6><tr><th>Patient</th><th>Phase</th>"
            f"<th>Start</th><th>End</th><th>Change</th></tr>{rows}</table>"
        )
    lines.append(f"<h3>Method</h3><p>{e(method_text(result.analysis.settings))}</p>")
    return "".join(lines)
