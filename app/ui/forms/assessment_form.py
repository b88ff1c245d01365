"""The assessment form: any of the core set measures, each within its scale, with derived values shown.

Its boxes and their fields come from the measure registry (``domain/measures.py``): each measure
is typed in the box its ``FormGroup`` names, in registry order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from PySide6.QtWidgets import QFormLayout, QGridLayout, QGroupBox, QLabel, QPlainTextEdit, QWidget

from ...domain.analysis import AnalysisSettings
from ...domain.measures import ULN_SUFFIX, FormGroup, Measure, in_group
from ...domain.numbers import percent, signed
from ...domain.records import Assessment
from ...domain.scores import cdasi_change
from ...domain.validation import Problem, validate_assessment
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import DateField, ErrorLabel, NumberField
from ..scoring.entry_mode import CdasiEntry, ItemsOrTotals, Mmt8Entry
from .base import Field, FormWidgets, RecordForm

# An entry's items decide its totals: while the items have a problem, the totals' checks only repeat it.
DERIVED = {"cdasi_grid": ("cdasi_activity", "cdasi_damage"), "mmt8_groups": ("mmt8_total", "mmt8_max")}
IN_ENTRIES = {name for names in DERIVED.values() for name in names}  # typed in a score entry, not a field


def repeated_left_out(checked: list[Problem], reported: list[Problem]) -> list[Problem]:
    """The validation's problems, less those about fields a score entry already reports a problem for."""
    fields = {name for p in reported for name in (p.field, *DERIVED.get(p.field, ()))}
    return [p for p in checked if p.field not in fields]


def measure_fields() -> dict[str, NumberField]:
    """A field for each measure typed on its own (not in a score entry) and for each lab's upper limit
    of normal, by record field, in the order of the form."""
    fields: dict[str, NumberField] = {}
    for measure in (m for group in FormGroup for m in in_group(group) if m.field not in IN_ENTRIES):
        fields[measure.field] = NumberField(measure)
        if measure.uln:
            uln = fields[measure.field + ULN_SUFFIX] = NumberField(unit=measure.unit)
            uln.line.setAccessibleName(f"{measure.label} upper limit of normal")
    return fields


@dataclass(eq=False)
class AssessmentWidgets(FormWidgets):
    assessed_on: DateField
    cdasi: CdasiEntry  # CDASI activity and damage, typed or from the grid
    mmt8: Mmt8Entry  # MMT-8 total and maximum, typed or from the muscle groups
    measures: dict[str, NumberField]  # every other measure, by record field (see ``measure_fields``)
    notes: QPlainTextEdit

    @classmethod
    def build(cls, settings: AnalysisSettings) -> AssessmentWidgets:
        return cls(
            assessed_on=DateField(),
            cdasi=CdasiEntry(undoubled_gottron_counts=settings.gottron_undoubled_counts),
            mmt8=Mmt8Entry(),
            measures=measure_fields(),
            notes=QPlainTextEdit(),
        )


class AssessmentForm(RecordForm[Assessment]):
    title = "Assessment"
    widgets: AssessmentWidgets

    def __init__(
        self,
        controller: Controller,
        patient_id: int,
        assessment: Assessment | None = None,
        parent: QWidget | None = None,
        settings: AnalysisSettings | None = None,
    ) -> None:
        super().__init__(controller, parent)
        self.patient_id, self.assessment = patient_id, assessment
        self.settings = settings or AnalysisSettings()
        self.title = f"Assessment of {assessment.assessed_on}" if assessment else "New assessment"
        fit_size(self, 980, 900)
        self.widgets = w = AssessmentWidgets.build(self.settings)
        visit = self.group("Visit", "Enter what was measured; leave the rest empty.")
        self.add_row(visit, "Date:", w.assessed_on)
        for group in FormGroup:
            self._measure_box(group, in_group(group))
        notes = self.group("Notes")
        self.add_row(notes, "Notes:", w.notes)
        w.notes.setMaximumHeight(90)
        self._load(assessment)
        self.finish_loading()
        self._show_derived()

    def _measure_box(self, group: FormGroup, measures: tuple[Measure, ...]) -> None:
        """One box of measures: the enzyme grid, or a score entry and a field for each other measure."""
        if group is FormGroup.ENZYMES:
            self._enzyme_grid(group, measures)
            return
        layout = self.group(group.heading, group.note)
        if group is FormGroup.SKIN:
            self._skin_entry(layout)
        elif group is FormGroup.MUSCLE:
            self._muscle_entry(layout)
        for measure in measures:
            if measure.field not in IN_ENTRIES:
                self.add_field(
                    layout, measure.field, f"{measure.label}:", self.widgets.measures[measure.field]
                )

    def _skin_entry(self, layout: QFormLayout) -> None:
        cdasi = self.widgets.cdasi
        self.derived = QLabel()
        self.derived.setWordWrap(True)
        self.derived.setMinimumHeight(self.derived.fontMetrics().lineSpacing())  # nothing moves when it fills
        self._compound(layout, cdasi, self.derived)
        for name in DERIVED["cdasi_grid"]:
            self.errors[name] = cdasi.error
        self.errors["cdasi_grid"] = cdasi.grid_editor.error
        cdasi.changed.connect(self._show_derived)

    def _muscle_entry(self, layout: QFormLayout) -> None:
        mmt8 = self.widgets.mmt8
        self._compound(layout, mmt8)
        for name in DERIVED["mmt8_groups"]:
            self.errors[name] = mmt8.error
        self.errors["mmt8_groups"] = mmt8.groups.error

    def _compound(self, layout: QFormLayout, entry: ItemsOrTotals, *extra: QWidget) -> None:
        """A score entry that holds several fields, each problem shown by the entry beside its field."""
        layout.addRow(entry)
        for widget in extra:
            layout.addRow(widget)
        entry.changed.connect(self.revalidate)

    def _enzyme_grid(self, group: FormGroup, measures: tuple[Measure, ...]) -> None:
        box = QGroupBox(group.heading)
        grid = QGridLayout(box)
        grid.addWidget(QLabel("Value"), 0, 1)
        grid.addWidget(QLabel("Upper limit of normal"), 0, 2)
        for row, measure in enumerate(measures, start=1):
            grid.addWidget(QLabel(measure.label), row * 2 - 1, 0)
            names = (measure.field, measure.field + ULN_SUFFIX) if measure.uln else (measure.field,)
            for column, name in enumerate(names, start=1):
                field = Field(name, self.widgets.measures[name], ErrorLabel())
                self.register(field)
                grid.addWidget(field.widget, row * 2 - 1, column)
                grid.addWidget(field.error, row * 2, column)
        self.body.addWidget(box)

    def _load(self, assessment: Assessment | None) -> None:
        if assessment is None:
            return
        w = self.widgets
        w.assessed_on.set_value(assessment.assessed_on)
        for name, field in w.measures.items():
            field.set_value(getattr(assessment, name))
        w.cdasi.set_value(assessment.cdasi_activity, assessment.cdasi_damage, assessment.cdasi_grid)
        w.mmt8.set_value(assessment.mmt8_total, assessment.mmt8_max, assessment.mmt8_groups)
        w.notes.setPlainText(assessment.notes)

    def _previous(self, on: date | None) -> Assessment | None:
        earlier = [
            a
            for a in self.controller.records_of(self.patient_id).assessments  # as last read: no query
            if a.cdasi_activity is not None
            and (on is None or a.assessed_on < on)
            and a.id != getattr(self.assessment, "id", None)
        ]
        return earlier[-1] if earlier else None

    def _show_derived(self) -> None:
        """Severity band, and the change from the previous assessment against the meaningful-change rule."""
        record, _ = self.collect()
        activity = record.cdasi_activity if record else None
        if activity is None:
            self.derived.setText("")
            return
        text = f"Severity: {self.settings.severity.of(activity).value}."
        previous = self._previous(record.assessed_on if record else None)
        if previous is not None and previous.cdasi_activity is not None:
            change = cdasi_change(previous.cdasi_activity, activity, self.settings.change_rule)
            text += (
                f" Since {previous.assessed_on} ({previous.cdasi_activity}): {signed(change.change)}"
                f"{f' ({percent(change.percent, 0, sign=True)})' if change.percent is not None else ''}, {change.verdict}."
            )
        self.derived.setText(text)

    def collect(self) -> tuple[Assessment | None, list[Problem]]:
        w = self.widgets
        problems: list[Problem] = []
        on = self.value_of(w.assessed_on, problems)
        values = {name: self.value_of(field, problems) for name, field in w.measures.items()}
        activity, damage, grid = w.cdasi.value()
        total, maximum, groups = w.mmt8.value()
        entries = w.cdasi.problems() + w.mmt8.problems()
        problems += entries
        if on is None:
            if not any(p.field == "assessed_on" for p in problems):
                problems.append(Problem("assessed_on", "The assessment date is required."))
            return None, problems
        assessment = Assessment(
            id=self.assessment.id if self.assessment else None,
            version=self.assessment.version if self.assessment else 0,
            patient_id=self.patient_id,
            assessed_on=on,
            notes=w.notes.toPlainText(),
            cdasi_activity=activity,
            cdasi_damage=damage,
            cdasi_grid=grid,
            mmt8_total=total,
            mmt8_max=maximum,
            mmt8_groups=groups,
            **cast(dict[str, Any], values),  # (mypy: the measures never include id or version)
        )
        checked = validate_assessment(assessment, self.controller.book.today())
        return assessment, problems + repeated_left_out(checked, entries)

    def store(self, record: Assessment) -> object:
        return self.controller.save_record(record)
