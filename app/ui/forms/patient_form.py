"""The patient form: the case record, its autoantibodies, and the identifying fields kept apart."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QWidget

from ...domain.records import AntibodyResult, Identifiers, Patient
from ...domain.validation import Problem, validate_identifiers, validate_patient
from ...domain.vocab import ANTIBODIES, AntibodyStatus, Sex, Subtype, TriState
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import ChoiceField, DateField, ErrorLabel, FieldError, IntegerField, PartialDateField
from .base import RecordForm

LEAVE_DEMO = (
    "This is the synthetic demo series: its reports say that every patient in it is invented.\n\n"
    "If you save this patient, the series may hold real data, so it will no longer be labelled "
    "synthetic (Undo puts the label back).\n\nSave the patient and remove the synthetic label?"
)


class PatientForm(RecordForm):
    title = "Patient"

    def __init__(
        self, controller: Controller, patient: Patient | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(controller, parent)
        self.patient = patient
        self.title = f"Patient {patient.study_id}" if patient else "New patient"
        fit_size(self, 760, 820)
        case = self.group(
            "Case", "The study ID identifies the case in the series; never use a name or record number."
        )
        self.study_id = self.add_field(
            case, "study_id", "Study ID:", QLineEdit(), "Unique in the series, e.g. MYO-01"
        )
        self.subtype = self.add_field(
            case, "subtype", "Diagnosis subtype:", ChoiceField(Subtype, empty="— choose —")
        )
        self.sex = self.add_field(case, "sex", "Sex:", ChoiceField(Sex))
        self.birth_year = self.add_field(
            case, "birth_year", "Year of birth:", IntegerField(), "Four digits, e.g. 1968"
        )
        self.age_at_onset = self.add_field(case, "age_at_onset", "Age at onset:", IntegerField(unit="years"))
        self.diagnosis_date = self.add_field(case, "diagnosis_date", "Diagnosis date:", PartialDateField())
        self.ild = self.add_field(case, "ild", "Interstitial lung disease:", ChoiceField(TriState))
        self.malignancy = self.add_field(case, "malignancy", "Malignancy:", ChoiceField(TriState))
        self.vignette = self.add_field(
            case, "vignette", "Case vignette:", QPlainTextEdit(), "Free text for the report"
        )
        self.vignette.setMinimumHeight(90)
        self.antibody_rows = self._antibody_grid()
        ids = self.group(
            "Identifying fields (optional)",
            "Identifying: kept apart from the case record and left out of every export unless you choose "
            "to include identifiers.",
        )
        self.full_name = self.add_field(ids, "full_name", "Full name:", QLineEdit())
        self.mrn = self.add_field(ids, "mrn", "Medical record number:", QLineEdit())
        self.date_of_birth = self.add_field(ids, "date_of_birth", "Date of birth:", DateField())
        self._load(patient)
        self.finish_loading()

    def _antibody_grid(self) -> dict[str, tuple[ChoiceField, DateField]]:
        box = QGroupBox("Autoantibodies")
        grid = QGridLayout(box)
        grid.addWidget(QLabel("Result"), 0, 1)
        grid.addWidget(QLabel("Date tested"), 0, 2)
        rows: dict[str, tuple[ChoiceField, DateField]] = {}
        for n, name in enumerate(ANTIBODIES, start=1):
            status = ChoiceField(AntibodyStatus, empty="not recorded")
            status.setAccessibleName(f"{name} result")
            tested = DateField()
            tested.setAccessibleName(f"{name} date tested")
            grid.addWidget(QLabel(name), n, 0)
            grid.addWidget(status, n, 1)
            grid.addWidget(tested, n, 2)
            status.currentIndexChanged.connect(self.revalidate)
            tested.edited.connect(self.revalidate)
            rows[name] = (status, tested)
        self.errors["antibodies"] = ErrorLabel()
        grid.addWidget(self.errors["antibodies"], len(ANTIBODIES) + 1, 0, 1, 3)
        self.body.addWidget(box)
        return rows

    def _load(self, patient: Patient | None) -> None:
        if patient is None:
            return
        self.study_id.setText(patient.study_id)
        self.subtype.set_value(patient.subtype)
        self.sex.set_value(patient.sex)
        self.birth_year.set_value(patient.birth_year)
        self.age_at_onset.set_value(patient.age_at_onset)
        self.diagnosis_date.set_value(patient.diagnosis_date)
        self.ild.set_value(patient.ild)
        self.malignancy.set_value(patient.malignancy)
        self.vignette.setPlainText(patient.vignette)
        for result in patient.antibodies:
            if result.antibody in self.antibody_rows:
                status, tested = self.antibody_rows[result.antibody]
                status.set_value(result.status)
                tested.set_value(result.tested_on)
        ids = self.controller.book.identifiers(patient.id or 0)
        if ids:
            self.full_name.setText(ids.full_name)
            self.mrn.setText(ids.mrn)
            self.date_of_birth.set_value(ids.date_of_birth)

    def _antibodies(self, problems: list[Problem]) -> tuple[AntibodyResult, ...]:
        results = []
        for name, (status, tested) in self.antibody_rows.items():
            try:
                day = tested.value()
            except FieldError as exc:
                problems.append(Problem("antibodies", f"{name}: {exc}"))
                day = None
            if status.value() is not None:
                results.append(AntibodyResult(name, status.value(), day))
            elif day is not None:
                problems.append(Problem("antibodies", f"{name}: choose the result for the date given."))
        return tuple(results)

    def collect(self) -> tuple[Any, list[Problem]]:
        problems: list[Problem] = []
        value = lambda name: self.field_value(name, problems)  # noqa: E731
        patient = Patient(
            id=self.patient.id if self.patient else None,
            study_id=self.study_id.text().strip(),
            subtype=self.subtype.value(),
            sex=self.sex.value(),
            birth_year=value("birth_year"),
            age_at_onset=value("age_at_onset"),
            diagnosis_date=value("diagnosis_date"),
            antibodies=self._antibodies(problems),
            ild=self.ild.value(),
            malignancy=self.malignancy.value(),
            vignette=self.vignette.toPlainText(),
        )
        identifiers = Identifiers(
            patient.id or 0, self.full_name.text().strip(), self.mrn.text().strip(), value("date_of_birth")
        )
        today = self.controller.book.today()
        problems += validate_patient(patient, today) + validate_identifiers(identifiers, today)
        return (patient, identifiers), problems

    def confirm(self, record: Any) -> bool:
        """In the synthetic demo, a patient added or edited may be real: say so before the label goes."""
        if not self.controller.book.settings().is_demo:
            return True
        answer = QMessageBox.question(
            self, "Leave the synthetic demo?", LEAVE_DEMO,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def store(self, record: Any) -> Patient:
        patient, identifiers = record
        keep = not identifiers.is_empty or (
            patient.id is not None and self.controller.book.identifiers(patient.id)
        )
        leave_demo = self.controller.book.settings().is_demo
        return self.controller.save_patient(patient, identifiers if keep else None, leave_demo=leave_demo)
