"""The patient list: search by study ID, filter by subtype, antibody, any drug ever received and
status with the index drug at the cut-off; sortable; a large series read with a progress bar and Cancel."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..domain.numbers import plural
from ..domain.records import IndexStatus, PatientSummary
from .background import BackgroundRow, Step
from .controller import Change, Controller, Kind, PatientBundle
from .models import PATIENT_COLUMNS, PatientFilterModel, PatientFilters, RecordTableModel
from .record_tab import RecordTable

SIZED_ROWS = 200


def _filter_combo(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(f"Filter by {name}")
    combo.setToolTip(f"Show only patients with this {name}")
    return combo


class PatientListPanel(QWidget):
    """Signals: ``edit_requested()`` (Enter or double-click on a patient).

    A series of ``background_from`` patients or more is read in the thread pool: the window shows at once
    with a progress bar and Cancel above the list, and the rows come when read. Cancel keeps the rows shown
    before (none, for a series just opened) and says so under the list; F5 (Edit menu) reads it again."""

    edit_requested = Signal()
    background_from = 3000

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find study ID (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find patient by study ID")
        self.subtype, self.antibody = _filter_combo("subtype"), _filter_combo("antibody")
        self.drug = _filter_combo("drug")
        self.drug.setToolTip("Show only patients who ever received this drug")
        self.status = _filter_combo("status")
        self.status.setToolTip("Show only patients with this status with the index drug at the data cut-off")
        self.combos = (self.subtype, self.antibody, self.drug, self.status)
        self.model: RecordTableModel[PatientSummary] = RecordTableModel(PATIENT_COLUMNS, self)
        self.proxy = PatientFilterModel(self.model, self)
        self.table = RecordTable()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Patients")
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(RecordTable.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(RecordTable.SelectionMode.SingleSelection)
        self.table.setEditTriggers(RecordTable.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        # columns fit the rows on screen and a sample of the others (every row of a registry would take
        # a second to measure); a cell wider than its column shows it whole in its tooltip
        self.table.horizontalHeader().setResizeContentsPrecision(SIZED_ROWS)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.count = QLabel()
        self.count.setEnabled(False)
        self.count.setWordWrap(True)
        self.busy = BackgroundRow("Reading")
        self.busy.finished.connect(self._on_read)
        controller.closing.connect(self.busy.stop_and_wait)  # nothing reads a closed series
        self.busy.stopped.connect(lambda: self._not_read("reading it was cancelled"))
        self.busy.failed.connect(lambda message: self._not_read(f"⚠ it could not be read: {message}"))
        self._read_count = 0  # each read's number: only the newest read's rows are shown
        self._reading: int | None = None  # the number of the read going on in the thread pool
        self._rows_of: object = None  # the series whose rows the list shows
        filters = QGridLayout()
        filters.addWidget(self.search, 0, 0, 1, 2)
        for n, combo in enumerate(self.combos):
            filters.addWidget(combo, 1 + n // 2, n % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.busy)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.search.textChanged.connect(self._apply_filters)
        for combo in self.combos:
            combo.currentIndexChanged.connect(self._apply_filters)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(self.edit_requested)
        self.table.edit_requested.connect(self.edit_requested)
        controller.changed.connect(self._on_changed)
        controller.patient_selected.connect(self._on_patient_selected)
        controller.patient_loaded.connect(self._on_patient_loaded)
        self.refresh()

    def _on_changed(self, change: Change) -> None:
        """Patients added, removed or renamed, other settings, or the records of a patient not shown:
        the list is read again (the shown patient's row follows their records, ``_on_patient_loaded``)."""
        others = change.patient_ids - {self.controller.patient_id}
        if change.touches(Kind.PATIENT, Kind.SETTINGS) or (
            others and change.touches(Kind.COURSE, Kind.ASSESSMENT)
        ):
            self.refresh()

    def _on_patient_loaded(self, bundle: PatientBundle | None) -> None:
        """The selected patient's records, read anew: their row shows them (no read of its own)."""
        if bundle is None:
            return
        row = self.model.row_of(lambda s: s.id == bundle.record.patient.id)
        summary = bundle.summary(self.controller.settings(), self.controller.book.today())
        if row is not None and self.model.record_at(row) != summary:
            self._show([summary if n == row else s for n, s in enumerate(self.model.rows)])

    def refresh(self) -> None:
        """Read the list: at once, or for a large series in the thread pool (the newest read wins)."""
        book = self.controller.book
        self._read_count += 1
        if book.patient_count() < self.background_from:
            self._reading = None
            self.busy.cancel()
            self._rows_of = book
            self._show(book.patient_summaries())
            return
        number = self._reading = self._read_count
        if self._rows_of is not book:  # another series was opened: its rows only, never the last one's
            self._show([])

        def read(step: Step) -> tuple[int, object, list[PatientSummary]]:
            return number, book, book.patient_summaries(progress=step)

        self.busy.run(read)
        self._update_count()

    def _on_read(self, read: tuple[int, object, list[PatientSummary]]) -> None:
        number, book, summaries = read
        if number == self._reading and book is self.controller.book:
            self._reading = None
            self._rows_of = book
            self._show(summaries)

    def _not_read(self, why: str) -> None:
        if self._reading is None:  # a newer read at once has replaced it
            return
        self._reading = None
        if self._rows_of is self.controller.book:
            self.count.setText(f"The list may be out of date: {why}. Press F5 to read it again.")
        else:
            self.count.setText(f"Patient list not read: {why}. Press F5 to read it.")

    def _show(self, summaries: Sequence[PatientSummary]) -> None:
        self.model.set_rows(summaries)
        self._fill(self.subtype, "All subtypes", sorted({s.subtype.value for s in summaries}))
        self._fill(
            self.antibody, "Any antibody", sorted({a for s in summaries for a in s.positive_antibodies})
        )
        self._fill(
            self.drug, "Any drug", sorted({d for s in summaries for d in s.drugs_ever}, key=str.casefold)
        )
        drug = self.controller.settings().index_drug
        self._fill(
            self.status, "Any status at cut-off", [(status.label(drug), status) for status in IndexStatus]
        )
        self.table.resizeColumnsToContents()
        self._on_patient_selected(self.controller.patient_id)
        self._update_count()

    @staticmethod
    def _fill(combo: QComboBox, everything: str, values: Sequence[str | tuple[str, object]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for value in values:
            label, data = value if isinstance(value, tuple) else (value, value)
            combo.addItem(label, data)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _apply_filters(self) -> None:
        status = self.status.currentData()
        self.proxy.set_filters(
            PatientFilters(
                self.search.text(),
                self.subtype.currentData(),
                self.antibody.currentData(),
                self.drug.currentData(),
                IndexStatus(status) if status is not None else None,
            )
        )
        self._update_count()

    def _update_count(self) -> None:
        if self._reading is not None and self._rows_of is not self.controller.book:
            self.count.setText("Reading the patient list…")
            return
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(
            f"{shown} of {plural(total, 'patient')}" if shown != total else plural(total, "patient")
        )

    def _on_selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            summary = self.model.record_at(self.proxy.mapToSource(rows[0]).row())
            self.controller.select_patient(summary.id)

    def _on_patient_selected(self, patient_id: int | None) -> None:
        row = self.model.row_of(lambda s: s.id == patient_id)
        if row is None:
            self.table.clearSelection()
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            self.table.selectRow(index.row())

    def visible_study_ids(self) -> list[str]:
        return [
            self.model.record_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row()).study_id
            for r in range(self.proxy.rowCount())
        ]
