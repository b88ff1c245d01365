"""The adverse event form: term, CTCAE grade, dates, seriousness, suspected drug, action and outcome."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QPlainTextEdit, QWidget

from ...domain.records import AdverseEvent
from ...domain.validation import Problem, validate_adverse_event
from ...domain.vocab import AE_TERMS, CTCAE_GRADES, AeAction, AeOutcome
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import ChoiceField, DateField, editable_combo
from .base import RecordForm


class EventForm(RecordForm):
    title = "Adverse event"

    def __init__(
        self,
        controller: Controller,
        patient_id: int,
        event: AdverseEvent | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(controller, parent)
        self.patient_id, self.event = patient_id, event
        self.title = f"Adverse event: {event.term}" if event else "New adverse event"
        fit_size(self, 600, 560)
        layout = self.group(
            "Adverse event",
            "Grade by CTCAE v5: 1 mild, 2 moderate, 3 severe or hospitalisation, 4 life-threatening, 5 death.",
        )
        self.term = self.add_field(layout, "term", "Event:", editable_combo(AE_TERMS), "Type or pick a term")
        self.term.lineEdit().setPlaceholderText("e.g. acneiform eruption")
        self.grade = QComboBox()
        for grade, words in CTCAE_GRADES.items():
            self.grade.addItem(f"{grade} – {words}", grade)
        self.grade.setCurrentIndex(-1)
        self.add_field(layout, "grade", "CTCAE grade:", self.grade)
        self.onset = self.add_field(layout, "onset", "Onset:", DateField())
        self.resolution = self.add_field(
            layout, "resolution", "Resolved:", DateField(), "Leave empty if not resolved"
        )
        self.serious = self.add_field(layout, "serious", "Serious:", QCheckBox("Serious adverse event"))
        drugs = sorted({c.drug for c in controller.book.courses(patient_id)})
        self.suspected = self.add_field(layout, "suspected_drug", "Suspected drug:", editable_combo(drugs))
        self.suspected.setMinimumContentsLength(24)
        self.action = self.add_field(
            layout, "action", "Action taken:", ChoiceField(AeAction, empty="— choose —"),
            "What was done with the suspected drug: None if it went on unchanged",
        )  # fmt: skip
        self.outcome = self.add_field(layout, "outcome", "Outcome:", ChoiceField(AeOutcome))
        self.notes = self.add_field(layout, "notes", "Notes:", QPlainTextEdit())
        self.notes.setMaximumHeight(90)
        for combo in (self.term, self.suspected):
            combo.currentTextChanged.connect(self.revalidate)
        self.grade.currentIndexChanged.connect(self.revalidate)
        self._load(event)
        self.finish_loading()

    def _load(self, event: AdverseEvent | None) -> None:
        if event is None:
            return
        self.term.setCurrentText(event.term)
        self.grade.setCurrentIndex(self.grade.findData(event.grade))
        self.onset.set_value(event.onset)
        self.resolution.set_value(event.resolution)
        self.serious.setChecked(event.serious)
        self.suspected.setCurrentText(event.suspected_drug)
        self.action.set_value(event.action)
        self.outcome.set_value(event.outcome)
        self.notes.setPlainText(event.notes)

    def collect(self) -> tuple[Any, list[Problem]]:
        problems: list[Problem] = []
        onset, resolution = self.field_value("onset", problems), self.field_value("resolution", problems)
        grade = self.grade.currentData()
        if grade is None:
            problems.append(Problem("grade", "Choose the CTCAE grade."))
        if onset is None and not any(p.field == "onset" for p in problems):
            problems.append(Problem("onset", "The onset date is required."))
        if onset is None or grade is None:
            return None, problems
        event = AdverseEvent(
            id=self.event.id if self.event else None,
            patient_id=self.patient_id,
            term=self.term.currentText().strip(),
            grade=grade,
            onset=onset,
            resolution=resolution,
            serious=self.serious.isChecked(),
            suspected_drug=self.suspected.currentText().strip(),
            action=self.action.value(),
            outcome=self.outcome.value(),
            notes=self.notes.toPlainText(),
        )
        return event, problems + validate_adverse_event(event, self.controller.book.today())

    def store(self, record: Any) -> Any:
        return self.controller.save_record(record)
