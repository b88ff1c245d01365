"""The adverse event form: term, CTCAE grade, dates, seriousness, suspected drug, action and outcome."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QCheckBox, QComboBox, QPlainTextEdit, QWidget

from ...domain.records import AdverseEvent
from ...domain.validation import Problem, validate_adverse_event
from ...domain.vocab import AE_TERMS, CTCAE_GRADES, AeAction, AeOutcome
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import ChoiceField, DateField, editable_combo
from .base import FormWidgets, RecordForm, line_of


@dataclass(eq=False)
class EventWidgets(FormWidgets):
    term: QComboBox
    grade: QComboBox
    onset: DateField
    resolution: DateField
    serious: QCheckBox
    suspected_drug: QComboBox
    action: ChoiceField
    outcome: ChoiceField
    notes: QPlainTextEdit

    @classmethod
    def build(cls, drugs: list[str]) -> EventWidgets:
        """The widgets, ``drugs`` (the patient's) offered as the suspected drug."""
        grade = QComboBox()
        for number, words in CTCAE_GRADES.items():
            grade.addItem(f"{number} – {words}", number)
        grade.setCurrentIndex(-1)
        return cls(
            term=editable_combo(AE_TERMS),
            grade=grade,
            onset=DateField(),
            resolution=DateField(),
            serious=QCheckBox("Serious adverse event"),
            suspected_drug=editable_combo(drugs),
            action=ChoiceField(AeAction, empty="— choose —"),
            outcome=ChoiceField(AeOutcome),
            notes=QPlainTextEdit(),
        )


class EventForm(RecordForm[AdverseEvent]):
    title = "Adverse event"
    widgets: EventWidgets

    def __init__(
        self,
        controller: Controller,
        patient_id: int,
        adverse_event: AdverseEvent | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(controller, parent)
        self.patient_id, self.adverse_event = patient_id, adverse_event
        self.title = f"Adverse event: {adverse_event.term}" if adverse_event else "New adverse event"
        fit_size(self, 600, 560)
        courses = controller.records_of(patient_id).courses
        self.widgets = EventWidgets.build(sorted({c.drug for c in courses}))
        self._lay_out(self.widgets)
        self._load(adverse_event)
        self.finish_loading()

    def _lay_out(self, w: EventWidgets) -> None:
        layout = self.group(
            "Adverse event",
            "Grade by CTCAE v5: 1 mild, 2 moderate, 3 severe or hospitalisation, 4 life-threatening, 5 death.",
        )
        self.add_row(layout, "Event:", w.term, "Type or pick a term")
        line_of(w.term).setPlaceholderText("e.g. acneiform eruption")
        self.add_row(layout, "CTCAE grade:", w.grade)
        self.add_row(layout, "Onset:", w.onset)
        self.add_row(layout, "Resolved:", w.resolution, "Leave empty if not resolved")
        self.add_row(layout, "Serious:", w.serious)
        self.add_row(layout, "Suspected drug:", w.suspected_drug)
        w.suspected_drug.setMinimumContentsLength(24)
        self.add_row(
            layout, "Action taken:", w.action,
            "What was done with the suspected drug: None if it went on unchanged",
        )  # fmt: skip
        self.add_row(layout, "Outcome:", w.outcome)
        self.add_row(layout, "Notes:", w.notes)
        w.notes.setMaximumHeight(90)

    def _load(self, adverse_event: AdverseEvent | None) -> None:
        if adverse_event is None:
            return
        w = self.widgets
        w.term.setCurrentText(adverse_event.term)
        w.grade.setCurrentIndex(w.grade.findData(adverse_event.grade))
        w.onset.set_value(adverse_event.onset)
        w.resolution.set_value(adverse_event.resolution)
        w.serious.setChecked(adverse_event.serious)
        w.suspected_drug.setCurrentText(adverse_event.suspected_drug)
        w.action.set_value(adverse_event.action)
        w.outcome.set_value(adverse_event.outcome)
        w.notes.setPlainText(adverse_event.notes)

    def collect(self) -> tuple[AdverseEvent | None, list[Problem]]:
        w = self.widgets
        problems: list[Problem] = []
        onset, resolution = self.value_of(w.onset, problems), self.value_of(w.resolution, problems)
        grade = w.grade.currentData()
        if grade is None:
            problems.append(Problem("grade", "Choose the CTCAE grade."))
        if onset is None and not any(p.field == "onset" for p in problems):
            problems.append(Problem("onset", "The onset date is required."))
        if onset is None or grade is None:
            return None, problems
        record = AdverseEvent(
            id=self.adverse_event.id if self.adverse_event else None,
            version=self.adverse_event.version if self.adverse_event else 0,
            patient_id=self.patient_id,
            term=w.term.currentText().strip(),
            grade=grade,
            onset=onset,
            resolution=resolution,
            serious=w.serious.isChecked(),
            suspected_drug=w.suspected_drug.currentText().strip(),
            action=w.action.value(),
            outcome=w.outcome.value(),
            notes=w.notes.toPlainText(),
        )
        return record, problems + validate_adverse_event(record, self.controller.book.today())

    def store(self, record: AdverseEvent) -> object:
        return self.controller.save_record(record)
