"""The patient form: the case record, its autoantibodies, and the identifying fields kept apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QWidget

from ...domain.records import AntibodyResult, Identifiers, Patient
from ...domain.validation import Problem, validate_identifiers, validate_patient
from ...domain.vocab import ANTIBODIES, AntibodyStatus, Sex, Subtype, TriState
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import ChoiceField, DateField, ErrorLabel, FieldError, IntegerField, PartialDateField
from .base import FormWidgets, RecordForm

LEAVE_DEMO = (
    "This is the synthetic demo series: its reports say that every patient in it is invented.\n\n"
    "If you save this patient, the series may hold real data, so it will no longer be labelled "
    "synthetic (Undo puts the label back).\n\nSave the patient and remove the synthetic label?"
)


class AntibodyRow(NamedTuple):
    """One autoantibody's result and the date it was tested."""

    status: ChoiceField
    tested: DateField


@dataclass(eq=False)
class PatientWidgets(FormWidgets):
    study_id: QLineEdit
    subtype: ChoiceField
    sex: ChoiceField
    birth_year: IntegerField
    age_at_onset: IntegerField
    diagnosis_date: PartialDateField
    ild: ChoiceField
    malignancy: ChoiceField
    vignette: QPlainTextEdit
    antibodies: dict[str, AntibodyRow]  # by antibody, in ``ANTIBODIES`` order
    full_name: QLineEdit
    mrn: QLineEdit
    date_of_birth: DateField

    @classmethod
    def build(cls) -> PatientWidgets:
        return cls(
            study_id=QLineEdit(),
            subtype=ChoiceField(Subtype, empty="— choose —"),
            sex=ChoiceField(Sex),
            birth_year=IntegerField(),
            age_at_onset=IntegerField(unit="years"),
            diagnosis_date=PartialDateField(),
            ild=ChoiceField(TriState),
            malignancy=ChoiceField(TriState),
            vignette=QPlainTextEdit(),
            antibodies={
                name: AntibodyRow(ChoiceField(AntibodyStatus, empty="not recorded"), DateField())
                for name in ANTIBODIES
            },
            full_name=QLineEdit(),
            mrn=QLineEdit(),
            date_of_birth=DateField(),
        )


class PatientForm(RecordForm[tuple[Patient, Identifiers]]):
    title = "Patient"
    widgets: PatientWidgets

    def __init__(
        self, controller: Controller, patient: Patient | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(controller, parent)
        self.patient = patient
        self.title = f"Patient {patient.study_id}" if patient else "New patient"
        fit_size(self, 760, 820)
        self.widgets = w = PatientWidgets.build()
        self._case_box(w)
        self._antibody_grid(w.antibodies)
        ids = self.group(
            "Identifying fields (optional)",
            "Identifying: kept apart from the case record and left out of every export unless you choose "
            "to include identifiers.",
        )
        self.add_row(ids, "Full name:", w.full_name)
        self.add_row(ids, "Medical record number:", w.mrn)
        self.add_row(ids, "Date of birth:", w.date_of_birth)
        self._load(patient)
        self.finish_loading()

    def _case_box(self, w: PatientWidgets) -> None:
        case = self.group(
            "Case", "The study ID identifies the case in the series; never use a name or record number."
        )
        self.add_row(case, "Study ID:", w.study_id, "Unique in the series, e.g. MYO-01")
        self.add_row(case, "Diagnosis subtype:", w.subtype)
        self.add_row(case, "Sex:", w.sex)
        self.add_row(case, "Year of birth:", w.birth_year, "Four digits, e.g. 1968")
        self.add_row(case, "Age at onset:", w.age_at_onset)
        self.add_row(case, "Diagnosis date:", w.diagnosis_date)
        self.add_row(case, "Interstitial lung disease:", w.ild)
        self.add_row(case, "Malignancy:", w.malignancy)
        self.add_row(case, "Case vignette:", w.vignette, "Free text for the report")
        w.vignette.setMinimumHeight(90)

    def _antibody_grid(self, rows: dict[str, AntibodyRow]) -> None:
        box = QGroupBox("Autoantibodies")
        grid = QGridLayout(box)
        grid.addWidget(QLabel("Result"), 0, 1)
        grid.addWidget(QLabel("Date tested"), 0, 2)
        for n, (name, (status, tested)) in enumerate(rows.items(), start=1):
            status.setAccessibleName(f"{name} result")
            tested.setAccessibleName(f"{name} date tested")
            grid.addWidget(QLabel(name), n, 0)
            grid.addWidget(status, n, 1)
            grid.addWidget(tested, n, 2)
            status.currentIndexChanged.connect(self.revalidate)
            tested.edited.connect(self.revalidate)
        self.errors["antibodies"] = ErrorLabel()
        grid.addWidget(self.errors["antibodies"], len(rows) + 1, 0, 1, 3)
        self.body.addWidget(box)

    def _load(self, patient: Patient | None) -> None:
        if patient is None:
            return
        w = self.widgets
        w.study_id.setText(patient.study_id)
        w.subtype.set_value(patient.subtype)
        w.sex.set_value(patient.sex)
        w.birth_year.set_value(patient.birth_year)
        w.age_at_onset.set_value(patient.age_at_onset)
        w.diagnosis_date.set_value(patient.diagnosis_date)
        w.ild.set_value(patient.ild)
        w.malignancy.set_value(patient.malignancy)
        w.vignette.setPlainText(patient.vignette)
        for result in patient.antibodies:
            if result.antibody in w.antibodies:
                status, tested = w.antibodies[result.antibody]
                status.set_value(result.status)
                tested.set_value(result.tested_on)
        ids = self._stored_identifiers(patient)
        if ids:
            w.full_name.setText(ids.full_name)
            w.mrn.setText(ids.mrn)
            w.date_of_birth.set_value(ids.date_of_birth)

    def _stored_identifiers(self, patient: Patient) -> Identifiers | None:
        """The identifying fields stored for ``patient`` (None for a new one), from the records the
        controller last read."""
        return self.controller.records_of(patient.id).identifiers if patient.id is not None else None

    def _antibodies(self, problems: list[Problem]) -> tuple[AntibodyResult, ...]:
        results = []
        for name, (status, tested) in self.widgets.antibodies.items():
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

    def collect(self) -> tuple[tuple[Patient, Identifiers] | None, list[Problem]]:
        w = self.widgets
        problems: list[Problem] = []
        patient = Patient(
            id=self.patient.id if self.patient else None,
            version=self.patient.version if self.patient else 0,
            study_id=w.study_id.text().strip(),
            subtype=w.subtype.value(),
            sex=w.sex.value(),
            birth_year=self.value_of(w.birth_year, problems),
            age_at_onset=self.value_of(w.age_at_onset, problems),
            diagnosis_date=self.value_of(w.diagnosis_date, problems),
            antibodies=self._antibodies(problems),
            ild=w.ild.value(),
            malignancy=w.malignancy.value(),
            vignette=w.vignette.toPlainText(),
        )
        identifiers = Identifiers(
            patient.id or 0,
            w.full_name.text().strip(),
            w.mrn.text().strip(),
            self.value_of(w.date_of_birth, problems),
        )
        today = self.controller.book.today()
        problems += validate_patient(patient, today) + validate_identifiers(identifiers, today)
        return (patient, identifiers), problems

    def confirm(self, record: tuple[Patient, Identifiers]) -> bool:
        """In the synthetic demo, a patient added or edited may be real: say so before the label goes."""
        if not self.controller.settings().is_demo:
            return True
        answer = QMessageBox.question(
            self, "Leave the synthetic demo?", LEAVE_DEMO,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def store(self, record: tuple[Patient, Identifiers]) -> Patient:
        patient, identifiers = record
        keep = not identifiers.is_empty or self._stored_identifiers(patient) is not None
        leave_demo = self.controller.settings().is_demo
        return self.controller.save_patient(patient, identifiers if keep else None, leave_demo=leave_demo)
