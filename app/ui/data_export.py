"""File → Export data…: the data export for analysis (CSV, XLSX, SPSS, Stata, R, REDCap) from the window.

The dialog asks the format, whether to include identifiers (confirmed, as for the report), which
patients and which folder (the app's one folder dialog); the records are read here (a few
queries), the tables built and written in the thread pool with a progress dialog that can cancel. What was written
stays in the dialog with a button to show the folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.validation import ValidationError
from ..services import exports
from .controller import Controller
from .dialogs import confirm_identified, fit_size
from .figures import export as saving
from .worker import TaskRunner

log = logging.getLogger(__name__)
FOLDER_KEY = "last_data_export_folder"  # QSettings: where the last data export went
FORMAT_KEY = "last_data_export_format"


class DataExportDialog(QDialog):
    """Signals: ``written(ExportResult)``, ``failed(str)``, ``cancelled()``."""

    written = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Export data for analysis")
        self.runner = TaskRunner(self)
        self.progress: QProgressDialog | None = None
        self.outcome_result: exports.ExportResult | None = None
        self._build()
        self.runner.progressed.connect(self._on_progressed)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        fit_size(self, 620, 560)

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        form = QFormLayout()
        self.format = self._format_box()
        form.addRow("Format:", self.format)
        self.identified = QCheckBox("Include names, record numbers, dates of birth and real dates")
        self.identified.setToolTip("Asks first; every file and file name then says IDENTIFIED")
        self.identified.toggled.connect(self._on_identified)
        form.addRow("Identifiers:", self.identified)
        form.addRow("Patients:", self._patients_box())
        form.addRow("Folder:", self._folder_row())
        self.note = QLabel(
            "De-identified unless identifiers are included: names, record numbers and dates of birth "
            "left out, free text cleaned, time as days from each patient's start of the index drug. "
            "A codebook describes every column."
        )
        self.note.setWordWrap(True)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Export outcome")
        self.show_folder_button = QPushButton("Show folder")
        self.show_folder_button.clicked.connect(self.show_folder)
        self.show_folder_button.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.note)
        outcome = QHBoxLayout()
        outcome.addWidget(self.outcome, 1)
        outcome.addWidget(self.show_folder_button)
        column.addLayout(outcome)
        column.addWidget(self.buttons)

    def _format_box(self) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName("Export format")
        for fmt in exports.ExportFormat:
            box.addItem(fmt.label, fmt)
            if not exports.available(fmt):
                model = box.model()
                assert isinstance(model, QStandardItemModel)
                item = model.item(box.count() - 1)
                item.setEnabled(False)
                item.setToolTip(exports.REDCAP_UNAVAILABLE)
        last = str(QSettings().value(FORMAT_KEY, exports.ExportFormat.XLSX.value))
        box.setCurrentIndex(max(box.findData(exports.ExportFormat(last)) if last in _values() else 1, 0))
        return box

    def _patients_box(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.all_patients = QRadioButton("All patients")
        self.chosen_patients = QRadioButton("Only the patients ticked below")
        self.all_patients.setChecked(True)
        group = QButtonGroup(box)
        group.addButton(self.all_patients)
        group.addButton(self.chosen_patients)
        self.patient_list = QListWidget()
        self.patient_list.setAccessibleName("Patients to export")
        for summary in self.controller.book.patients():
            item = QListWidgetItem(summary.study_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.patient_list.addItem(item)
        self.patient_list.setEnabled(False)
        self.chosen_patients.toggled.connect(self.patient_list.setEnabled)
        for widget in (self.all_patients, self.chosen_patients, self.patient_list):
            layout.addWidget(widget)
        return box

    def _folder_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.folder = QLineEdit(str(QSettings().value(FOLDER_KEY, "") or self._default_folder()))
        self.folder.setAccessibleName("Export folder")
        self.choose_button = QPushButton("Choose…")
        self.choose_button.setToolTip("Pick the folder to write into")
        self.choose_button.clicked.connect(self.choose_folder)
        layout.addWidget(self.folder, 1)
        layout.addWidget(self.choose_button)
        return row

    def _default_folder(self) -> Path:
        path = self.controller.book.path
        return path.parent / "exports" if path is not None else Path.home()

    # ------------------------------------------------------------ choices
    def _on_identified(self, on: bool) -> None:
        if on and not confirm_identified(self, "data export"):
            self.identified.blockSignals(True)
            self.identified.setChecked(False)
            self.identified.blockSignals(False)

    def choose_folder(self) -> None:
        chosen = saving.folder_dialog(self, "Export the data into", self.folder.text() or str(Path.home()))
        if chosen:
            self.folder.setText(chosen)

    def chosen_format(self) -> exports.ExportFormat:
        return exports.ExportFormat(self.format.currentData())

    def study_ids(self) -> list[str] | None:
        """The ticked patients' study IDs; None for all."""
        if self.all_patients.isChecked():
            return None
        items = (self.patient_list.item(n) for n in range(self.patient_list.count()))
        return [i.text() for i in items if i.checkState() == Qt.CheckState.Checked]

    def _problem(self) -> str | None:
        folder = self.folder.text().strip()
        if not folder or not Path(folder).is_absolute():
            return "Choose the folder to write into (use Choose…)."
        if self.study_ids() == []:
            return "Tick at least one patient, or choose All patients."
        if not exports.available(self.chosen_format()):
            return exports.REDCAP_UNAVAILABLE + "."
        return None

    # ------------------------------------------------------------ exporting
    def export(self) -> bool:
        """Gather the tables and start writing them; False (with a message) if nothing began."""
        if self.runner.running:
            return False
        problem = self._problem()
        if problem:
            QMessageBox.warning(self, "Nothing was exported", problem)
            return False
        identified = self.identified.isChecked()
        try:
            source = exports.read(self.controller.book, identified=identified, study_ids=self.study_ids())
        except ValidationError as exc:
            QMessageBox.warning(self, "Nothing was exported", str(exc))
            return False
        fmt, folder = self.chosen_format(), Path(self.folder.text().strip())
        QSettings().setValue(FOLDER_KEY, str(folder))
        QSettings().setValue(FORMAT_KEY, fmt.value)
        self.outcome.clear()
        self.show_folder_button.hide()
        self.progress = QProgressDialog("Preparing the export…", "Cancel", 0, 100, self)
        self.progress.setWindowTitle("Exporting data")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.canceled.connect(self.runner.cancel)
        self.export_button.setEnabled(False)
        self.runner.start(
            lambda progress: exports.write(exports.build(source, progress), fmt, folder, progress),
            cancelled_error=exports.ExportCancelled,
        )
        return True

    def _on_progressed(self, done: int, total: int, what: str) -> None:
        progress = self.progress
        if progress is not None:
            progress.setLabelText(f"{what}…")
            progress.setMaximum(total)
            progress.setValue(min(done, total - 1))

    def _close_progress(self) -> None:
        self.export_button.setEnabled(True)
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _on_finished(self, result: exports.ExportResult) -> None:
        self._close_progress()
        self.outcome_result = result
        what = "IDENTIFIED (handle the files as patient records)" if result.identified else "de-identified"
        folder = result.written[0].parent if result.written else Path(self.folder.text())
        self.outcome.setText(f"✓ {len(result.written)} files written, {what}, to {folder}")
        self.show_folder_button.show()
        self.controller.message.emit(f"Data exported: {len(result.written)} files in {folder}")
        self.written.emit(result)

    def _on_failed(self, message: str, details: str) -> None:
        self._close_progress()
        log.error("The data export failed: %s\n%s", message, details)
        QMessageBox.critical(self, "Nothing was exported", f"{message}\n\nNo file was written or replaced.")
        self.failed.emit(message)

    def _on_cancelled(self) -> None:
        self._close_progress()
        self.outcome.setText("Export cancelled: no file was written.")
        self.cancelled.emit()

    def show_folder(self) -> None:
        if self.outcome_result is not None and self.outcome_result.written:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.outcome_result.written[0].parent)))

    def reject(self) -> None:
        if self.runner.running:  # closing while writing stops the export (nothing is written)
            self.runner.cancel()
            return
        super().reject()


def _values() -> set[str]:
    return {f.value for f in exports.ExportFormat}
