"""The medication course form: a drug that knows its class, dose, partial start and stop dates."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QPushButton, QWidget

from ...domain.records import MedicationCourse
from ...domain.validation import Problem, validate_course
from ...domain.vocab import DRUGS, DRUGS_BY_NAME, FREQUENCIES, UNITS, Drug, DrugClass, StopReason
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import ChoiceField, NumberField, PartialDateField, editable_combo, number_text
from .base import FormWidgets, RecordForm, line_of


def usual_text(drug: Drug) -> str:
    """ "15 mg once daily": the catalogue's usual dose, as offered to the user."""
    return " ".join(part for part in (number_text(drug.dose or 0), drug.unit, drug.frequency) if part)


@dataclass(eq=False)
class CourseWidgets(FormWidgets):
    drug: QComboBox
    drug_class: ChoiceField
    dose: NumberField
    unit: QComboBox
    frequency: QComboBox
    start: PartialDateField
    stop: PartialDateField
    stop_reason: ChoiceField
    notes: QPlainTextEdit

    @classmethod
    def build(cls) -> CourseWidgets:
        return cls(
            drug=editable_combo([d.name for d in DRUGS], "Pick or type a drug"),
            drug_class=ChoiceField(DrugClass, empty="— choose —"),
            dose=NumberField(placeholder=""),
            unit=editable_combo(list(UNITS), "e.g. mg"),
            frequency=editable_combo(list(FREQUENCIES), "e.g. once daily"),
            start=PartialDateField(),
            stop=PartialDateField(),
            stop_reason=ChoiceField(StopReason, empty="ongoing (no stop)"),
            notes=QPlainTextEdit(),
        )


class CourseForm(RecordForm[MedicationCourse]):
    title = "Medication course"
    widgets: CourseWidgets

    def __init__(
        self,
        controller: Controller,
        patient_id: int,
        course: MedicationCourse | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(controller, parent)
        self.patient_id, self.course = patient_id, course
        self.title = f"{course.drug} course" if course else "New medication course"
        fit_size(self, 620, 600)
        self.widgets = w = CourseWidgets.build()
        self.usual = QPushButton()
        self._lay_out(w)
        w.notes.setMaximumHeight(90)
        w.unit.setMinimumContentsLength(10)  # room for the offered "usual mg/m²"
        w.frequency.setMinimumContentsLength(30)  # and "usual two doses 2 weeks apart"
        w.drug.currentTextChanged.connect(self._on_drug_changed)
        self._auto_class: DrugClass | None = None
        self._load(course)
        self._on_drug_changed(w.drug.currentText())
        self.finish_loading()

    def _lay_out(self, w: CourseWidgets) -> None:
        layout = self.group("Treatment", "Dates may be partial: “2019”, “2019-03” or “2019-03-14”.")
        self.add_row(layout, "Drug:", w.drug)
        self.add_row(layout, "Drug class:", w.drug_class)
        self.add_row(layout, "Dose:", w.dose)
        self.usual.setAutoDefault(False)  # Enter in a field must not fill the dose in
        self.usual.setToolTip("Fill in the catalogue's usual dose, unit and frequency (Alt+U)")
        self.usual.clicked.connect(self._use_usual_dose)
        layout.addRow("", self.usual)
        self.add_row(layout, "Unit:", w.unit)
        self.add_row(layout, "Frequency:", w.frequency)
        self.add_row(layout, "Start:", w.start)
        self.add_row(layout, "Stop:", w.stop, "Leave empty while the course is ongoing")
        self.add_row(layout, "Reason stopped:", w.stop_reason)
        self.add_row(layout, "Notes:", w.notes)

    def _catalogue_drug(self) -> Drug | None:
        return DRUGS_BY_NAME.get(self.widgets.drug.currentText().strip().casefold())

    def _on_drug_changed(self, name: str) -> None:
        """A catalogue drug fills in its class (a fact of the drug) unless the user chose one; its usual
        dose is only offered (placeholder and the "Use usual dose" button), never filled in unasked."""
        w = self.widgets
        drug = DRUGS_BY_NAME.get(name.strip().casefold())
        if not self._loading and w.drug_class.value() in (None, self._auto_class):
            self._auto_class = drug.drug_class if drug else None
            w.drug_class.set_value(self._auto_class)
        offered = drug is not None and drug.dose is not None
        self.usual.setEnabled(offered)
        self.usual.setText(
            f"&Use usual dose: {usual_text(drug)}" if drug and offered else "Use usual dose (none known)"
        )
        w.dose.line.setPlaceholderText(f"usual {number_text(drug.dose)}" if drug and drug.dose else "")
        line_of(w.unit).setPlaceholderText(f"usual {drug.unit}" if drug and drug.unit else "e.g. mg")
        line_of(w.frequency).setPlaceholderText(
            f"usual {drug.frequency}" if drug and drug.frequency else "e.g. once daily"
        )

    def _use_usual_dose(self) -> None:
        w, drug = self.widgets, self._catalogue_drug()
        if drug is None or drug.dose is None:
            return
        w.dose.set_value(drug.dose)
        w.unit.setCurrentText(drug.unit)
        w.frequency.setCurrentText(drug.frequency)
        w.dose.setFocus()

    def _load(self, course: MedicationCourse | None) -> None:
        if course is None:
            return
        w = self.widgets
        self._loading = True
        w.drug.setCurrentText(course.drug)
        w.drug_class.set_value(course.drug_class)
        w.dose.set_value(course.dose)
        w.unit.setCurrentText(course.unit)
        w.frequency.setCurrentText(course.frequency)
        w.start.set_value(course.start)
        w.stop.set_value(course.stop)
        w.stop_reason.set_value(course.stop_reason)
        w.notes.setPlainText(course.notes)
        self._loading = False

    def collect(self) -> tuple[MedicationCourse | None, list[Problem]]:
        w = self.widgets
        problems: list[Problem] = []
        start = self.value_of(w.start, problems)
        dose, stop = self.value_of(w.dose, problems), self.value_of(w.stop, problems)
        if start is None:
            if not any(p.field == "start" for p in problems):
                problems.append(Problem("start", "Start date is required (a year is enough)."))
            return None, problems
        course = MedicationCourse(
            id=self.course.id if self.course else None,
            version=self.course.version if self.course else 0,
            patient_id=self.patient_id,
            drug=w.drug.currentText().strip(),
            drug_class=w.drug_class.value(),
            dose=dose,
            unit=w.unit.currentText().strip(),
            frequency=w.frequency.currentText().strip(),
            start=start,
            stop=stop,
            stop_reason=w.stop_reason.value(),
            notes=w.notes.toPlainText(),
        )
        return course, problems + validate_course(course, self.controller.book.today())

    def store(self, record: MedicationCourse) -> object:
        return self.controller.save_record(record)
