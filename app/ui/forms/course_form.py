"""The medication course form: a drug that knows its class, dose, partial start and stop dates."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QWidget

from ...domain.records import MedicationCourse
from ...domain.validation import Problem, validate_course
from ...domain.vocab import DRUGS, DRUGS_BY_NAME, FREQUENCIES, UNITS, Drug, DrugClass, StopReason
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import ChoiceField, NumberField, PartialDateField, editable_combo, number_text
from .base import RecordForm


def usual_text(drug: Drug) -> str:
    """ "15 mg once daily": the catalogue's usual dose, as offered to the user."""
    return " ".join(part for part in (number_text(drug.dose or 0), drug.unit, drug.frequency) if part)


class CourseForm(RecordForm):
    title = "Medication course"

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
        layout = self.group("Treatment", "Dates may be partial: “2019”, “2019-03” or “2019-03-14”.")
        self.drug = self.add_field(
            layout, "drug", "Drug:", editable_combo([d.name for d in DRUGS], "Pick or type a drug")
        )
        self.drug_class = self.add_field(
            layout, "drug_class", "Drug class:", ChoiceField(DrugClass, empty="— choose —")
        )
        self.dose = self.add_field(layout, "dose", "Dose:", NumberField(placeholder=""))
        self.usual = QPushButton()
        self.usual.setAutoDefault(False)  # Enter in a field must not fill the dose in
        self.usual.setToolTip("Fill in the catalogue's usual dose, unit and frequency (Alt+U)")
        self.usual.clicked.connect(self._use_usual_dose)
        layout.addRow("", self.usual)
        self.unit = self.add_field(layout, "unit", "Unit:", editable_combo(list(UNITS), "e.g. mg"))
        self.frequency = self.add_field(
            layout, "frequency", "Frequency:", editable_combo(list(FREQUENCIES), "e.g. once daily")
        )
        self.start = self.add_field(layout, "start", "Start:", PartialDateField())
        self.stop = self.add_field(
            layout, "stop", "Stop:", PartialDateField(), "Leave empty while the course is ongoing"
        )
        self.stop_reason = self.add_field(
            layout, "stop_reason", "Reason stopped:", ChoiceField(StopReason, empty="ongoing (no stop)")
        )
        self.notes = self.add_field(layout, "notes", "Notes:", QPlainTextEdit())
        self.notes.setMaximumHeight(90)
        self.unit.setMinimumContentsLength(10)  # room for the offered "usual mg/m²"
        self.frequency.setMinimumContentsLength(30)  # and "usual two doses 2 weeks apart"
        for combo in (self.drug, self.unit, self.frequency):
            combo.currentTextChanged.connect(self.revalidate)
        self.drug.currentTextChanged.connect(self._on_drug_changed)
        self._auto_class: DrugClass | None = None
        self._load(course)
        self._on_drug_changed(self.drug.currentText())
        self.finish_loading()

    def _catalogue_drug(self) -> Drug | None:
        return DRUGS_BY_NAME.get(self.drug.currentText().strip().casefold())

    def _on_drug_changed(self, name: str) -> None:
        """A catalogue drug fills in its class (a fact of the drug) unless the user chose one; its usual
        dose is only offered (placeholder and the "Use usual dose" button), never filled in unasked."""
        drug = DRUGS_BY_NAME.get(name.strip().casefold())
        if not self._loading and self.drug_class.value() in (None, self._auto_class):
            self._auto_class = drug.drug_class if drug else None
            self.drug_class.set_value(self._auto_class)
        offered = drug is not None and drug.dose is not None
        self.usual.setEnabled(offered)
        self.usual.setText(
            f"&Use usual dose: {usual_text(drug)}" if drug and offered else "Use usual dose (none known)"
        )
        self.dose.line.setPlaceholderText(f"usual {number_text(drug.dose)}" if drug and drug.dose else "")
        self.unit.lineEdit().setPlaceholderText(f"usual {drug.unit}" if drug and drug.unit else "e.g. mg")
        self.frequency.lineEdit().setPlaceholderText(
            f"usual {drug.frequency}" if drug and drug.frequency else "e.g. once daily"
        )

    def _use_usual_dose(self) -> None:
        drug = self._catalogue_drug()
        if drug is None or drug.dose is None:
            return
        self.dose.set_value(drug.dose)
        self.unit.setCurrentText(drug.unit)
        self.frequency.setCurrentText(drug.frequency)
        self.dose.setFocus()

    def _load(self, course: MedicationCourse | None) -> None:
        if course is None:
            return
        self._loading = True
        self.drug.setCurrentText(course.drug)
        self.drug_class.set_value(course.drug_class)
        self.dose.set_value(course.dose)
        self.unit.setCurrentText(course.unit)
        self.frequency.setCurrentText(course.frequency)
        self.start.set_value(course.start)
        self.stop.set_value(course.stop)
        self.stop_reason.set_value(course.stop_reason)
        self.notes.setPlainText(course.notes)
        self._loading = False

    def collect(self) -> tuple[Any, list[Problem]]:
        problems: list[Problem] = []
        start = self.field_value("start", problems)
        dose, stop = self.field_value("dose", problems), self.field_value("stop", problems)
        if start is None:
            if not any(p.field == "start" for p in problems):
                problems.append(Problem("start", "Start date is required (a year is enough)."))
            return None, problems
        course = MedicationCourse(
            id=self.course.id if self.course else None,
            patient_id=self.patient_id,
            drug=self.drug.currentText().strip(),
            drug_class=self.drug_class.value(),
            dose=dose,
            unit=self.unit.currentText().strip(),
            frequency=self.frequency.currentText().strip(),
            start=start,
            stop=stop,
            stop_reason=self.stop_reason.value(),
            notes=self.notes.toPlainText(),
        )
        return course, problems + validate_course(course, self.controller.book.today())

    def store(self, record: Any) -> Any:
        return self.controller.save_record(record)
