"""Response criteria between two assessments of a patient: the 2016 ACR/EULAR TIS and IMACS improvement."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QTextBrowser, QVBoxLayout, QWidget

from ..domain.numbers import percent, shown
from ..domain.records import Assessment
from ..domain.scores import PERCENT_RULE_TEXT, imacs_improvement, total_improvement_score
from ..domain.vocab import Subtype
from .controller import Controller
from .dialogs import fit_size

DIGITS = 2  # the core measures, their improvement and points


def response_html(base: Assessment, follow: Assessment, juvenile: bool, aldolase_factor: float = 3.0) -> str:
    """Each core measure's values, percent change and points; the total, category and IMACS result."""
    tis = total_improvement_score(base, follow, juvenile=juvenile, aldolase_factor=aldolase_factor)
    rows = "".join(
        f"<tr><td>{escape(i.label)}</td><td align=right>{shown(i.baseline, DIGITS)}</td>"
        f"<td align=right>{shown(i.followup, DIGITS)}</td><td align=right>{percent(i.improvement, DIGITS)}</td>"
        f"<td align=right>{shown(i.points, DIGITS)}</td><td>{escape(i.detail)}</td></tr>"
        for i in tis.items
    )
    if tis.complete:
        score = shown(tis.total, DIGITS)
        verdict = f"<p><b>Total Improvement Score {score}: {escape(tis.category or '')} improvement</b>"
        verdict += " (juvenile thresholds)</p>" if juvenile else "</p>"
    else:
        verdict = f"<p><b>TIS not computed</b>: missing {escape(', '.join(tis.missing))} at baseline or follow-up.</p>"
    return (
        f"<h3>{base.assessed_on} → {follow.assessed_on}</h3>"
        "<table cellspacing=6><tr><th align=left>Core measure</th><th>Baseline</th><th>Follow-up</th>"
        f"<th>Improvement</th><th>Points</th><th></th></tr>{rows}</table>{verdict}"
        f"<p><b>IMACS definition of improvement:</b> {imacs_html(base, follow)}</p>"
        f"<p><small>{escape(PERCENT_RULE_TEXT)}</small></p>"
    )


def imacs_html(base: Assessment, follow: Assessment) -> str:
    """Met, not met, or not determined with the missing measures (and why one with values is missing)."""
    imacs = imacs_improvement(base, follow)
    if imacs.met is None:
        why = "; ".join(imacs.notes)
        verdict = f"not determined: missing {', '.join(imacs.missing)}" + (f" ({why})" if why else "")
    else:
        verdict = "met" if imacs.met else "not met"
    improved, worsened = ", ".join(imacs.improved) or "none", ", ".join(imacs.worsened) or "none"
    return escape(f"{verdict}. Improved by ≥ 20 %: {improved}. Worse by ≥ 25 %: {worsened}.")


class ResponseView(QWidget):
    """Pick two assessments of the patient; the criteria update at once."""

    def __init__(self, controller: Controller, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.controller = controller
        record = controller.records_of(patient_id)  # the selected patient's, as last read: no query
        self.patient, self.assessments = record.patient, record.assessments
        self.setWindowTitle(f"Response criteria: {self.patient.study_id}")
        self.text = QTextBrowser()
        self.base, self.follow = QComboBox(), QComboBox()
        for combo in (self.base, self.follow):
            for assessment in self.assessments:
                combo.addItem(assessment.assessed_on.isoformat(), assessment.id)
        self.base.setCurrentIndex(0)
        self.follow.setCurrentIndex(len(self.assessments) - 1)
        for combo in (self.base, self.follow):
            combo.currentIndexChanged.connect(self.refresh)
        form = QFormLayout()
        form.addRow("Baseline assessment:", self.base)
        form.addRow("Follow-up assessment:", self.follow)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.text, 1)
        fit_size(self, 760, 620)
        self.refresh()

    def choose(self, base_id: int, follow_id: int) -> None:
        self.base.setCurrentIndex(self.base.findData(base_id))
        self.follow.setCurrentIndex(self.follow.findData(follow_id))

    def refresh(self) -> None:
        if len(self.assessments) < 2:
            self.text.setHtml("<p>Response criteria compare two assessments: record at least two.</p>")
            return
        by_id = {a.id: a for a in self.assessments}
        base, follow = by_id[self.base.currentData()], by_id[self.follow.currentData()]
        factor = self.controller.analysis_settings().aldolase_factor
        self.text.setHtml(response_html(base, follow, self.patient.subtype is Subtype.JDM, factor))
