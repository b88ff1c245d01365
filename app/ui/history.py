"""Patient → History: every change to the selected patient's records from the audit trail, filtered, to CSV."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.disclosure import file_safe
from ..domain.export_tables import neutralised
from ..domain.fields import Field, FieldType, fields_of
from ..domain.numbers import plural
from ..domain.records import (
    AdverseEvent,
    Assessment,
    AuditEntry,
    Identifiers,
    MedicationCourse,
    Patient,
    Photo,
    PhotoComparison,
)
from .controller import Controller, PatientBundle, describe
from .dialogs import close_with_keys, confirm_identified, fit_size
from .figures.export import save_figure
from .models import Column, RecordTableModel
from .record_tab import make_table

CSV: tuple[str, str] = ("CSV file", ".csv")
# Each audited entity: what the kind filter calls it, its record type (for field labels), and how a record no
# longer stored is named from its last values in the trail (the words of ``controller.describe``).
KINDS: dict[str, tuple[str, type[Any], str]] = {
    "patient": ("Patient", Patient, "Patient {study_id}"),
    "identifiers": ("Identifiers", Identifiers, "Identifiers"),
    "medication_course": ("Medication courses", MedicationCourse, "{drug} course from {start}"),
    "assessment": ("Assessments", Assessment, "Assessment of {assessed_on}"),
    "adverse_event": ("Adverse events", AdverseEvent, "Adverse event “{term}” of {onset}"),
    "photo": ("Photos", Photo, "Photo {taken_on} {body_site}"),
    "photo_comparison": ("Photo comparisons", PhotoComparison, "Comparison “{name}”"),
}
ACTIONS = {"create": "Created", "update": "Changed", "delete": "Deleted", "import": "Imported"}
# Audit fields the export registry does not name: provenance, and what only the photo editors change.
OTHER_LABELS = {
    "source": "Imported from",
    "annotations": "Marks drawn on the photo",
    "crop": "Crop",
    "name": "Name",
    "photo_ids": "Photos compared",
}


@dataclass(frozen=True)
class HistoryRow:
    """One changed field as the window shows it; ``order`` counts from the oldest change."""

    order: int
    entity: str
    when: str
    who: str
    record: str
    change: str
    field: str
    before: str
    after: str


COLUMNS: tuple[Column[HistoryRow], ...] = (
    Column("When", lambda r: r.when, lambda r: r.order, "Local time of the change"),
    Column("Who", lambda r: r.who, tip="The computer login that made the change"),
    Column("Record", lambda r: r.record),
    Column("Change", lambda r: r.change),
    Column("Field", lambda r: r.field),
    Column("Before", lambda r: r.before),
    Column("After", lambda r: r.after),
)


def local_time(at: str) -> str:
    """An audit time (UTC, ISO) in this computer's time zone, to the second."""
    moment = datetime.fromisoformat(at)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


@cache
def _columns(entity: str) -> Mapping[str, Field]:
    """The registry's field of each attribute of ``entity``'s records (label, type, choices)."""
    kind = KINDS.get(entity)
    found: dict[str, Field] = {}
    for f in fields_of(kind[1]) if kind else ():
        if f.source is not None and not f.source.index and not f.source.part:
            found.setdefault(f.source.attribute, f)
    return found


def field_label(entity: str, name: str) -> str:
    """The field's label in the registry (as the forms and exports name it), else its name."""
    found = _columns(entity).get(name)
    return found.label if found is not None else OTHER_LABELS.get(name, name)


def value_text(entity: str, name: str, value: str | None) -> str:
    """A stored value as the user reads it: a code as its label, yes or no; anything else as stored."""
    if value is None:
        return ""
    found = _columns(entity).get(name)
    if found is not None and found.type is FieldType.BOOLEAN:
        return {"True": "Yes", "False": "No"}.get(value, value)
    labels = {c.code: c.label for c in found.choices} if found is not None else {}
    return labels.get(value, value)


def _stored_names(bundle: PatientBundle | None) -> dict[tuple[str, int], str]:
    """The records still stored, named as the status bar names them."""
    if bundle is None:
        return {}
    record = bundle.record
    names = {("patient", record.patient.id or 0): f"Patient {record.patient.study_id}"}
    if record.identifiers is not None:
        names["identifiers", record.patient.id or 0] = "Identifiers"
    for entity, items in (
        ("medication_course", record.courses),
        ("assessment", record.assessments),
        ("adverse_event", record.adverse_events),
    ):
        names.update({(entity, item.id or 0): describe(item) for item in items})
    names.update({("photo", p.id or 0): f"Photo {p.label}" for p in record.photos})
    names.update({("photo_comparison", c.id or 0): f"Comparison “{c.name}”" for c in record.comparisons})
    return names


def _last_values(entries: Sequence[AuditEntry]) -> dict[tuple[str, int], dict[str, str]]:
    """Each record's last known value of each field, from the trail (newest first)."""
    values: dict[tuple[str, int], dict[str, str]] = {}
    for e in entries:
        value = e.new_value if e.new_value is not None else e.old_value
        if value is not None and e.action != "import":
            values.setdefault((e.entity, e.record_id), {}).setdefault(e.field, value)
    return values


def history_rows(entries: Sequence[AuditEntry], bundle: PatientBundle | None) -> list[HistoryRow]:
    """The trail (newest first) as rows: a record no longer stored is named from the trail, "(deleted)"."""
    stored, last = _stored_names(bundle), _last_values(entries)

    def name(entity: str, record_id: int) -> str:
        if (entity, record_id) in stored:
            return stored[entity, record_id]
        template = KINDS[entity][2] if entity in KINDS else entity.replace("_", " ").capitalize()
        known = last.get((entity, record_id), {})
        words = template.format_map({k: known.get(k, "?") for k in _fields_in(template)})
        return f"{' '.join(words.split())} (deleted)"

    return [
        HistoryRow(
            order=len(entries) - n,
            entity=e.entity,
            when=local_time(e.at),
            who=e.os_user,
            record=name(e.entity, e.record_id),
            change=ACTIONS.get(e.action, e.action),
            field=field_label(e.entity, e.field),
            before=value_text(e.entity, e.field, e.old_value),
            after=value_text(e.entity, e.field, e.new_value),
        )
        for n, e in enumerate(entries)
    ]


def _fields_in(template: str) -> list[str]:
    return [part.split("}")[0] for part in template.split("{")[1:]]


def write_csv(rows: Sequence[HistoryRow], path: Path) -> None:
    """The rows as shown, one line each under the column titles (text cells safe from spreadsheet formulas)."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(c.title for c in COLUMNS)
        writer.writerows([neutralised(c.text(row)) for c in COLUMNS] for row in rows)


class HistoryWindow(QWidget):
    """The selected patient's changes, newest first, following the selection and every save."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("HistoryWindow")
        self.controller = controller
        self.bundle: PatientBundle | None = controller.bundle
        self.rows: list[HistoryRow] = []
        self.model: RecordTableModel[HistoryRow] = RecordTableModel(COLUMNS)
        self.table, self.proxy = make_table(self.model)
        self.table.setAccessibleName("Changes")
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.proxy.setFilterKeyColumn(-1)  # the text matches any column
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._build_controls()
        self.empty = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.empty.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.note = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self._lay_out()
        close_with_keys(self)
        fit_size(self, 1100, 620)
        controller.patient_loaded.connect(self._on_loaded)

    def _build_controls(self) -> None:
        self.search = QLineEdit(placeholderText="Filter: any text of a change (user, record, field, value)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Filter changes")
        self.search.textChanged.connect(self._apply_filters)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Record kind")
        self.kind.setToolTip("Show only changes to this kind of record")
        self.kind.currentIndexChanged.connect(self._apply_filters)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self.export)
        self.export_button.setToolTip(
            "Write the changes shown to a CSV file (it holds identifying information: asks first)"
        )
        self.count = QLabel()
        self.count.setEnabled(False)

    def _lay_out(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(self.search, 1)
        controls.addWidget(self.kind)
        controls.addWidget(self.export_button)
        column = QVBoxLayout(self)
        column.addLayout(controls)
        column.addWidget(self.stack, 1)
        column.addWidget(self.count)
        column.addWidget(self.note)

    # ------------------------------------------------------------ reading
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _on_loaded(self, bundle: PatientBundle | None) -> None:
        self.bundle = bundle
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Read the selected patient's trail again (one statement) and show it through the filters."""
        bundle = self.bundle
        patient = bundle.record.patient if bundle is not None else None
        self.setWindowTitle(f"History of {patient.study_id}" if patient is not None else "History")
        entries = self.controller.history(patient.id or 0) if patient is not None else []
        self.rows = history_rows(entries, bundle)
        present = dict.fromkeys(r.entity for r in self.rows)
        current = self.kind.currentData()
        self.kind.blockSignals(True)
        self.kind.clear()
        self.kind.addItem("All records", None)
        for entity in (e for e in KINDS if e in present):
            self.kind.addItem(KINDS[entity][0], entity)
        self.kind.setCurrentIndex(max(0, self.kind.findData(current)))
        self.kind.blockSignals(False)
        self._apply_filters()

    def _apply_filters(self) -> None:
        entity = self.kind.currentData()
        self.model.set_rows([r for r in self.rows if entity is None or r.entity == entity])
        self.proxy.setFilterFixedString(self.search.text().strip())
        self._show_count()

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), len(self.rows)
        self.count.setText(
            f"{shown} of {plural(total, 'change')}" if shown != total else plural(total, "change")
        )
        self.export_button.setEnabled(shown > 0)
        self.stack.setCurrentWidget(self.table if shown else self.empty)
        self.empty.setText(self._empty_text())

    def _empty_text(self) -> str:
        if self.bundle is None:
            return "Select a patient in the main window to see every change made to their records."
        if not self.rows:
            return (
                f"No changes are recorded for {self.bundle.record.patient.study_id} yet. Every save, delete "
                "and import of their records will be listed here: who, when, and the values before and after."
            )
        return "No change matches the filter. Clear the filter text or choose “All records”."

    def shown_rows(self) -> list[HistoryRow]:
        """The rows as the table shows them, top to bottom."""
        return [
            self.model.record_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
            for r in range(self.proxy.rowCount())
        ]

    # ------------------------------------------------------------ export
    def export(self) -> Path | None:
        """The changes shown to a CSV file named IDENTIFIED, after the identified-export question."""
        if self.bundle is None or not confirm_identified(self, "history export"):
            return None
        study = file_safe(self.bundle.record.patient.study_id) or "patient"
        rows = self.shown_rows()
        target = save_figure(
            self,
            "Export history",
            f"{study}-history-IDENTIFIED.csv",
            [CSV],
            lambda p: write_csv(rows, p),
            "history",
        )
        if target is None:
            return None
        self.note.setText(f"History written to {target}: IDENTIFIED, handle it as a patient record.")
        return target
