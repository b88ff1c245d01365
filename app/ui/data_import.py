"""File → Import…: data from MyoCase's CSV or Excel export, or from REDCap, into the open series.

The user picks the format and the files (and, for REDCap, a mapping file, which B1's mapping editor helps to
write when it is installed); Preview reads and checks them in the thread pool (progress, Cancel) against the
series as read here, and shows per table what would be created, updated or left unchanged, and every row that
fails with its file, row, column and reason. Import is enabled only when nothing fails and something would
change; it plans again and stores everything in one transaction through the controller: one undo step.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.analysis_json import settings_to_json
from ..domain.import_series import CurrentSeries
from ..domain.imports import CREATE, TABLE_LABELS, UNCHANGED, UPDATE, ImportPlan, RowProblem
from ..domain.numbers import plural
from ..domain.validation import ValidationError
from ..services import importing
from ..store.database import StorageError
from .controller import Controller
from .dialogs import fit_size
from .worker import TaskRunner

log = logging.getLogger(__name__)
FOLDER_KEY = "last_import_folder"  # QSettings: where the last imported files were
FORMAT_KEY = "last_import_format"
MAPPING_EDITOR_MISSING = "The REDCap mapping editor is not available in this version: choose a mapping file"


class DataImportDialog(QDialog):
    """Signals: ``previewed(Preview)``, ``imported(ImportPlan)``, ``failed(str)``, ``cancelled()``."""

    previewed = Signal(object)
    imported = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Import data")
        self.runner = TaskRunner(self)
        self.progress: QProgressDialog | None = None
        self.preview: importing.Preview | None = None
        self._build()
        self.runner.progressed.connect(self._on_progressed)
        self.runner.finished.connect(self._on_previewed)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self._on_format()
        fit_size(self, 860, 640)

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        form = QFormLayout()
        self.format = self._format_box()
        form.addRow("Format:", self.format)
        form.addRow("Files:", self._files_box())
        form.addRow("Mapping:", self._mapping_row())
        self.counts = _table(("Table", "To create", "To update", "Unchanged"), "What the import would do")
        self.counts.setFixedHeight(150)
        self.problems = _table(("File", "Row", "Column", "Problem"), "Rows that cannot be imported")
        self.outcome = QLabel("Choose the files, then Preview: nothing is stored before you press Import.")
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Import outcome")
        self.outcome.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName("Files and sheets not read")
        self.notes.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._buttons()
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.outcome)
        column.addWidget(self.counts)
        column.addWidget(self.notes)
        column.addWidget(QLabel("Problems (the files are imported only when there are none):"))
        column.addWidget(self.problems, 1)
        column.addWidget(self.buttons)

    def _buttons(self) -> None:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.preview_button = self.buttons.addButton("Preview", QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_button.setToolTip("Read and check the files against the series (stores nothing)")
        self.preview_button.clicked.connect(self.start_preview)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setToolTip("Store everything previewed, in one step (Edit → Undo takes it back)")
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.import_now)
        self.buttons.rejected.connect(self.reject)

    def _format_box(self) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName("Import format")
        for fmt in importing.ImportFormat:
            box.addItem(fmt.label, fmt)
            if not importing.available(fmt):
                model = box.model()
                assert isinstance(model, QStandardItemModel)
                item = model.item(box.count() - 1)
                item.setEnabled(False)
                item.setToolTip(importing.REDCAP_READER_MISSING)
        last = str(QSettings().value(FORMAT_KEY, importing.ImportFormat.XLSX.value))
        found = box.findData(importing.ImportFormat(last)) if last in set(importing.ImportFormat) else -1
        box.setCurrentIndex(max(found, 0))
        box.currentIndexChanged.connect(self._on_format)
        return box

    def _files_box(self) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.file_list = QListWidget()
        self.file_list.setAccessibleName("Files to import")
        self.file_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.file_list.setMaximumHeight(110)
        buttons = QVBoxLayout()
        self.add_button = QPushButton("Add files…")
        self.add_button.setToolTip(
            "Choose the exported files (CSV: every table's file; REDCap: records and dictionary)"
        )
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Take the selected files off the list")
        self.remove_button.clicked.connect(self.remove_selected)
        for button in (self.add_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addWidget(self.file_list, 1)
        layout.addLayout(buttons)
        return box

    def _mapping_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.mapping = QLineEdit()
        self.mapping.setAccessibleName("REDCap mapping file")
        self.mapping.setPlaceholderText("none: the project was built from MyoCase's REDCap dictionary")
        self.mapping.setToolTip("YAML or JSON: REDCap field → MyoCase field, codes, date format")
        self.mapping.textChanged.connect(self._invalidate)
        self.mapping_choose = QPushButton("Choose…")
        self.mapping_choose.setToolTip("Pick a mapping file (YAML or JSON)")
        self.mapping_choose.clicked.connect(self.choose_mapping)
        self.mapping_button = QPushButton("Mapping…")
        self.mapping_button.clicked.connect(self.edit_mapping)
        for widget in (self.mapping, self.mapping_choose, self.mapping_button):
            layout.addWidget(widget, 1 if widget is self.mapping else 0)
        return row

    # ------------------------------------------------------------ choices
    def chosen_format(self) -> importing.ImportFormat:
        return importing.ImportFormat(self.format.currentData())

    def files(self) -> list[Path]:
        return [Path(self.file_list.item(n).text()) for n in range(self.file_list.count())]

    def add_files(self, paths: list[Path]) -> None:
        known = set(self.files())
        for path in paths:
            if path not in known:
                self.file_list.addItem(str(path))
                known.add(path)
        self._invalidate()

    def remove_selected(self) -> None:
        for item in self.file_list.selectedItems():
            self.file_list.takeItem(self.file_list.row(item))
        self._invalidate()

    def choose_files(self) -> None:
        folder = str(QSettings().value(FOLDER_KEY, str(Path.home())))
        names, _ = QFileDialog.getOpenFileNames(
            self, "Files to import", folder, self.chosen_format().patterns,
            options=QFileDialog.Option.DontUseNativeDialog,
        )  # fmt: skip
        if names:
            QSettings().setValue(FOLDER_KEY, str(Path(names[0]).parent))
            self.add_files([Path(n) for n in names])

    def choose_mapping(self) -> None:
        folder = str(QSettings().value(FOLDER_KEY, str(Path.home())))
        name, _ = QFileDialog.getOpenFileName(
            self, "REDCap mapping file", folder, "Mapping files (*.yaml *.yml *.json)",
            options=QFileDialog.Option.DontUseNativeDialog,
        )  # fmt: skip
        if name:
            self.mapping.setText(name)

    def mapping_path(self) -> Path | None:
        text = self.mapping.text().strip()
        return Path(text) if text and self.chosen_format() is importing.ImportFormat.REDCAP else None

    def edit_mapping(self) -> QDialog | None:
        """The mapping editor on the chosen REDCap files' data dictionary; the mapping it saves becomes the
        mapping file (None, with its message, when there is no dictionary among the files)."""
        if not importing.mapping_editor_available():
            return None
        from .mapping_editor import open_editor

        editor = open_editor(self, self.files(), self.mapping_path())
        if editor is not None:
            editor.saved.connect(lambda path: self.mapping.setText(str(path)))
        return editor

    def _on_format(self) -> None:
        redcap = self.chosen_format() is importing.ImportFormat.REDCAP
        for widget in (self.mapping, self.mapping_choose):
            widget.setEnabled(redcap)
        editor = importing.mapping_editor_available()
        self.mapping_button.setEnabled(redcap and editor)
        self.mapping_button.setToolTip(
            "Build the mapping from the REDCap project's fields to MyoCase's"
            if editor
            else MAPPING_EDITOR_MISSING
        )
        self._invalidate()

    def _invalidate(self) -> None:
        """A different choice: the last preview no longer says what Import would do."""
        self.preview = None
        self.import_button.setEnabled(False)

    # ------------------------------------------------------------ preview
    def start_preview(self) -> bool:
        """Read and check the files in the thread pool; False (with a message) if nothing began."""
        if self.runner.running:
            return False
        files, fmt, mapping = self.files(), self.chosen_format(), self.mapping_path()
        if not files:
            QMessageBox.warning(self, "Nothing to preview", "Add the files to import first (Add files…).")
            return False
        QSettings().setValue(FORMAT_KEY, fmt.value)
        existing, today = self.controller.book.patient_records(), self.controller.book.today()
        current = CurrentSeries(
            self.controller.settings(), settings_to_json(self.controller.analysis_settings())
        )
        self._invalidate()
        self.progress = QProgressDialog("Reading the files…", "Cancel", 0, 100, self)
        self.progress.setWindowTitle("Checking the import")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.canceled.connect(self.runner.cancel)
        self.preview_button.setEnabled(False)

        def work(progress: importing.Progress) -> importing.Preview:
            read = importing.read(fmt, files, mapping, progress)
            return importing.preview(read, files, existing, today, progress, current)

        self.runner.start(work, cancelled_error=importing.ReadCancelled)
        return True

    def _on_progressed(self, done: int, total: int, what: str) -> None:
        if self.progress is not None:
            self.progress.setLabelText(f"{what}…")
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(min(done, max(total, 1) - 1))

    def _close_progress(self) -> None:
        self.preview_button.setEnabled(True)
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _on_previewed(self, shown: importing.Preview) -> None:
        self._close_progress()
        self.show_plan(shown.plan)
        self.preview = shown
        self.import_button.setEnabled(shown.plan.ok and shown.plan.changes > 0)
        self.previewed.emit(shown)

    def show_plan(self, plan: ImportPlan, written: bool = False) -> None:
        """The counts per table, the notes and every problem."""
        counts = plan.counts()
        self.counts.setRowCount(len(counts))
        for n, (name, count) in enumerate(counts.items()):
            _row(self.counts, n, (TABLE_LABELS[name], *(str(count[a]) for a in (CREATE, UPDATE, UNCHANGED))))
        self._show_problems(plan.problems)
        self.outcome.setText(_outcome(plan, written))
        self.notes.setText("\n".join(plan.notes))

    def _show_problems(self, problems: tuple[RowProblem, ...]) -> None:
        self.problems.setRowCount(len(problems))
        for n, p in enumerate(problems):
            _row(self.problems, n, (p.source, str(p.row) if p.row else "", p.column, p.reason))
        self.problems.resizeRowsToContents()

    def _on_failed(self, message: str, details: str) -> None:
        self._close_progress()
        log.error("The import preview failed: %s\n%s", message, details)
        QMessageBox.critical(self, "The files could not be read", f"{message}\n\nNothing was imported.")
        self.failed.emit(message)

    def _on_cancelled(self) -> None:
        self._close_progress()
        self.outcome.setText("Preview cancelled: nothing was imported.")
        self.cancelled.emit()

    # ------------------------------------------------------------ import
    def import_now(self) -> ImportPlan | None:
        """Store what the preview showed (planned again against the series as it is now): one undo step."""
        shown = self.preview
        if shown is None or not shown.plan.ok or self.runner.running:
            return None
        self._invalidate()
        text = f"Imported {plural(shown.plan.changes, 'record')} from {', '.join(shown.files)}"
        try:
            plan = self.controller.run_batch(text, lambda: importing.commit(self.controller.book, shown))
        except importing.ImportRefused as exc:
            self.show_plan(exc.plan)
            QMessageBox.warning(
                self, "Nothing was imported", "The series changed since the preview: see the problems."
            )
            return None
        except (ValidationError, StorageError) as exc:  # a read-only series, a record another window changed
            QMessageBox.warning(self, "Nothing was imported", str(exc))
            return None
        self.show_plan(plan, written=True)
        self.imported.emit(plan)
        return plan

    def reject(self) -> None:
        if self.runner.running:  # closing while reading stops the preview
            self.runner.cancel()
            return
        super().reject()


def _table(headers: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    for n in range(len(headers) - 1):
        header.setSectionResizeMode(n, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return table


def _row(table: QTableWidget, n: int, cells: tuple[str, ...]) -> None:
    for column, text in enumerate(cells):
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        table.setItem(n, column, item)


def _outcome(plan: ImportPlan, written: bool) -> str:
    if written:
        return f"✓ Imported: {plural(plan.changes, 'record')} created or updated (Edit → Undo takes it back)."
    if not plan.ok:
        return f"{plural(len(plan.problems), 'problem')}: correct the files and preview again. Nothing was imported."
    if not plan.changes:
        return "Nothing to import: every record in the files is already stored as they give it."
    return f"Ready: {plural(plan.changes, 'record')} to create or update. Press Import to store them."
