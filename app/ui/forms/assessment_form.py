"""The assessment form: any of the core set measures, each within its scale, with derived values shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QGridLayout, QGroupBox, QLabel, QPlainTextEdit, QWidget

from ...domain.analysis import AnalysisSettings
from ...domain.records import Assessment
from ...domain.scales import ENZYME_FIELDS, SCALES, ULN_SUFFIX
from ...domain.scores import cdasi_change
from ...domain.validation import Problem, validate_assessment
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import DateField, ErrorLabel, NumberField
from ..scoring.entry_mode import CdasiEntry, ItemsOrTotals, Mmt8Entry
from .base import RecordForm

SIMPLE_FIELDS = (
    "physician_global", "patient_global", "extramuscular_global", "haq", "pruritus",
    "prednisone_mg", "fvc_pct", "dlco_pct",
)  # fmt: skip


# An entry's items decide its totals: while the items have a problem, the totals' checks only repeat it.
DERIVED = {"cdasi_grid": ("cdasi_activity", "cdasi_damage"), "mmt8_groups": ("mmt8_total", "mmt8_max")}


def repeated_left_out(checked: list[Problem], reported: list[Problem]) -> list[Problem]:
    """The validation's problems, less those about fields a score entry already reports a problem for."""
    fields = {name for p in reported for name in (p.field, *DERIVED.get(p.field, ()))}
    return [p for p in checked if p.field not in fields]


class AssessmentForm(RecordForm):
    title = "Assessment"

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
        visit = self.group("Visit", "Enter what was measured; leave the rest empty.")
        self.assessed_on = self.add_field(visit, "assessed_on", "Date:", DateField())
        skin = self.group("Skin: CDASI v2", "Type the totals from the chart, or score the full grid.")
        self.cdasi = CdasiEntry(undoubled_gottron_counts=self.settings.gottron_undoubled_counts)
        self.derived = QLabel()
        self.derived.setWordWrap(True)
        self.derived.setMinimumHeight(self.derived.fontMetrics().lineSpacing())  # nothing moves when it fills
        self._compound(skin, self.cdasi, self.derived)
        for name in ("cdasi_activity", "cdasi_damage"):
            self.errors[name] = self.cdasi.error
        self.errors["cdasi_grid"] = self.cdasi.grid_editor.error
        self.cdasi.changed.connect(self._show_derived)
        muscle = self.group("Muscle: MMT-8", "The response score needs the maximum that applies (80 or 150).")
        self.mmt8 = Mmt8Entry()
        self._compound(muscle, self.mmt8)
        for name in ("mmt8_total", "mmt8_max"):
            self.errors[name] = self.mmt8.error
        self.errors["mmt8_groups"] = self.mmt8.groups.error
        self._enzyme_grid()
        globals_ = self.group("Global activity and function", "Visual analogue scales 0–10 cm.")
        for name in SIMPLE_FIELDS[:5]:
            self.add_field(globals_, name, f"{SCALES[name].label}:", NumberField(SCALES[name]))
        other = self.group("Treatment and lungs")
        for name in SIMPLE_FIELDS[5:]:
            self.add_field(other, name, f"{SCALES[name].label}:", NumberField(SCALES[name]))
        notes = self.group("Notes")
        self.notes = self.add_field(notes, "notes", "Notes:", QPlainTextEdit())
        self.notes.setMaximumHeight(90)
        self._load(assessment)
        self.finish_loading()
        self._show_derived()

    def _compound(self, layout: QFormLayout, entry: ItemsOrTotals, *extra: QWidget) -> None:
        """A score entry that holds several fields, each problem shown by the entry beside its field."""
        layout.addRow(entry)
        for widget in extra:
            layout.addRow(widget)
        entry.changed.connect(self.revalidate)

    def _enzyme_grid(self) -> None:
        box = QGroupBox("Muscle enzymes (with the lab's upper limit of normal)")
        grid = QGridLayout(box)
        grid.addWidget(QLabel("Value"), 0, 1)
        grid.addWidget(QLabel("Upper limit of normal"), 0, 2)
        for row, name in enumerate(ENZYME_FIELDS, start=1):
            scale = SCALES[name]
            value, uln = NumberField(scale), NumberField(unit="U/L")
            uln.line.setAccessibleName(f"{scale.label} upper limit of normal")
            grid.addWidget(QLabel(scale.label), row * 2 - 1, 0)
            grid.addWidget(value, row * 2 - 1, 1)
            grid.addWidget(uln, row * 2 - 1, 2)
            for field_name, widget in ((name, value), (name + ULN_SUFFIX, uln)):
                self.fields[field_name], self.errors[field_name] = widget, ErrorLabel()
                widget.edited.connect(self.revalidate)
            grid.addWidget(self.errors[name], row * 2, 1)
            grid.addWidget(self.errors[name + ULN_SUFFIX], row * 2, 2)
        self.body.addWidget(box)

    def _load(self, assessment: Assessment | None) -> None:
        if assessment is None:
            return
        self.assessed_on.set_value(assessment.assessed_on)
        for name, widget in self.fields.items():
            if hasattr(widget, "set_value") and name != "assessed_on":
                widget.set_value(getattr(assessment, name))
        self.cdasi.set_value(assessment.cdasi_activity, assessment.cdasi_damage, assessment.cdasi_grid)
        self.mmt8.set_value(assessment.mmt8_total, assessment.mmt8_max, assessment.mmt8_groups)
        self.notes.setPlainText(assessment.notes)

    def _previous(self, on: Any) -> Assessment | None:
        earlier = [
            a
            for a in self.controller.book.assessments(self.patient_id)
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
                f" Since {previous.assessed_on} ({previous.cdasi_activity}): {change.change:+g}"
                f"{f' ({change.percent:+.0f} %)' if change.percent is not None else ''}, {change.verdict}."
            )
        self.derived.setText(text)

    def collect(self) -> tuple[Any, list[Problem]]:
        problems: list[Problem] = []
        on = self.field_value("assessed_on", problems)
        values = {
            name: self.field_value(name, problems)
            for name in self.fields
            if name not in ("assessed_on", "notes")
        }
        activity, damage, grid = self.cdasi.value()
        total, maximum, groups = self.mmt8.value()
        entries = self.cdasi.problems() + self.mmt8.problems()
        problems += entries
        if on is None:
            if not any(p.field == "assessed_on" for p in problems):
                problems.append(Problem("assessed_on", "The assessment date is required."))
            return None, problems
        assessment = Assessment(
            id=self.assessment.id if self.assessment else None,
            patient_id=self.patient_id,
            assessed_on=on,
            notes=self.notes.toPlainText(),
            cdasi_activity=activity,
            cdasi_damage=damage,
            cdasi_grid=grid,
            mmt8_total=total,
            mmt8_max=maximum,
            mmt8_groups=groups,
            **values,
        )
        checked = validate_assessment(assessment, self.controller.book.today())
        return assessment, problems + repeated_left_out(checked, entries)

    def store(self, record: Any) -> Any:
        return self.controller.save_record(record)
