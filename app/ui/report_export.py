"""One-click PDF export: report settings, progress with cancel, and a confirmation that stays until dismissed.

The button writes into the series' report folder under a new, dated name (``services.report_files``);
"Export report as…" asks where, for a one-off place.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from ..domain.clock import DateMode
from ..domain.validation import Problem
from ..report.model import ReportInput, ReportOptions
from ..services import report, report_files
from .controller import Controller
from .dialogs import confirm_identified, fit_size
from .fields import ChoiceField
from .figures import export as saving
from .forms.base import RecordForm
from .worker import TaskRunner

log = logging.getLogger(__name__)
REPORT_FOLDER = "last_report_folder"  # QSettings key: where "Export report as…" saved last


class FolderField(QWidget):
    """A folder path with a Choose… button; empty means the default shown in grey. Emits ``textChanged``."""

    textChanged = Signal(str)

    def __init__(self, folder: Path | None, default: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit(str(folder) if folder else "")
        self.line.setPlaceholderText(f"Beside the database: {default}")
        self.line.setAccessibleName("Report folder")
        self.line.textChanged.connect(self.textChanged)
        self.choose_button = QPushButton("Choose…")
        self.choose_button.setToolTip("Pick the folder in a file dialog")
        self.choose_button.clicked.connect(self.choose)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line, 1)
        row.addWidget(self.choose_button)
        self.default = default

    def text(self) -> str:
        return self.line.text().strip()

    def choose(self) -> None:
        start = self.text() or str(self.default)
        chosen = saving.folder_dialog(self, "Report folder", start)
        if chosen:
            self.line.setText(chosen)


class ReportSettingsForm(RecordForm):
    """Title, authors, institution, how dates appear and where reports go; stored with the series."""

    title = "Report settings"

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        book = controller.book
        current = report.load_options(book)
        fit_size(self, 660, 380)
        layout = self.group("Report", "These appear on the title page and in every page header.")
        self.report_title = self.add_field(layout, "title", "Title:", QLineEdit(current.title))
        self.authors = self.add_field(layout, "authors", "Authors:", QLineEdit(current.authors))
        self.institution = self.add_field(
            layout, "institution", "Institution:", QLineEdit(current.institution)
        )
        modes = [DateMode.INDEX_DAYS, DateMode.SHIFTED]
        self.date_mode = self.add_field(
            layout, "date_mode", "Dates in a de-identified report:", ChoiceField(modes)
        )
        self.date_mode.set_value(current.date_mode if current.date_mode in modes else DateMode.INDEX_DAYS)
        self.date_mode.setToolTip(
            "Days from each patient's start of the index drug (the default) show no calendar date at all. "
            "Shifted dates move every date of a patient, the data cut-off included, by one secret offset."
        )
        self.folder = self.add_field(
            layout, "folder", "Report folder:",
            FolderField(report_files.stored_folder(book), report_files.default_folder(book.path)),
            "Export report writes here, under the series name and the date; an older report is never replaced",
        )  # fmt: skip
        self.finish_loading()

    def collect(self) -> tuple[Any, list[Problem]]:
        options = ReportOptions(
            title=self.report_title.text().strip(),
            authors=self.authors.text().strip(),
            institution=self.institution.text().strip(),
            date_mode=self.date_mode.value(),
        )
        problems = [] if options.title else [Problem("title", "The report needs a title.")]
        folder = self.folder.text()
        if folder and not Path(folder).is_absolute():
            problems.append(
                Problem("folder", "Give the whole path of the folder (use Choose…), or leave it empty.")
            )
        return (options, folder), problems

    def store(self, record: Any) -> Any:
        options, folder = record
        stored = {"title": options.title, "authors": options.authors, "institution": options.institution,
                  "date_mode": options.date_mode.value}  # fmt: skip
        if folder == str(report_files.stored_folder(self.controller.book) or ""):
            self.controller.save_preference(report.PREFERENCE_KEY, stored, "Report settings saved")
            return record
        stack = self.controller.undo_stack
        stack.beginMacro("Report settings saved")  # the folder too: one step to undo
        try:
            self.controller.save_preference(report.PREFERENCE_KEY, stored, "Report settings saved")
            self.controller.save_preference(report_files.FOLDER_KEY, folder or None, "Report folder saved")
        finally:
            stack.endMacro()
        return record


class ElidedLabel(QLabel):
    """One line of plain text, shortened in the middle (…) when the space is narrow; the whole in the tooltip."""

    def __init__(self) -> None:
        super().__init__()
        self.full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self.full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(
            self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideMiddle, max(self.width(), 40))
        )


class ReportNotice(QFrame):
    """Says a report was written and where; stays until dismissed. Open and Show in folder use the system."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAccessibleName("Report written")
        self.path: Path | None = None
        self.kind = QLabel()
        self.file = ElidedLabel()
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open the report in the system's PDF viewer")
        self.folder_button = QPushButton("Show in folder")
        self.folder_button.setToolTip("Open the folder that holds the report")
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setToolTip("Dismiss this message")
        self.dismiss_button.setAccessibleName("Dismiss")
        self.open_button.clicked.connect(self.open_report)
        self.folder_button.clicked.connect(self.show_folder)
        self.dismiss_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.kind)
        row.addWidget(self.file, 1)
        for button in (self.open_button, self.folder_button, self.dismiss_button):
            row.addWidget(button)
        self.hide()

    def text(self) -> str:
        return f"{self.kind.text()} {self.file.full}"

    def show_written(self, path: Path, identified: bool) -> None:
        self.path = path
        what = "WITH IDENTIFIERS (handle it as a patient record)" if identified else "de-identified"
        self.kind.setText(f"✓ Report written, {what}:")
        self.file.set_full_text(str(path))
        self.show()

    def open_report(self) -> None:
        if self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))

    def show_folder(self) -> None:
        if self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path.parent)))


class ReportExporter(QObject):
    """Builds the PDF in the thread pool with a cancellable progress dialog, then shows ``notice``.

    Signals: ``finished(Path)``, ``failed(str)``, ``cancelled()``.
    """

    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, controller: Controller, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller, self.window = controller, parent
        self.runner = TaskRunner(self)
        self.progress: QProgressDialog | None = None
        self.notice = ReportNotice()
        self.identified = False
        self.runner.progressed.connect(self._on_progressed)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.cancelled.connect(self._on_runner_cancelled)

    def choose_target(self, name: str) -> Path | None:
        """Ask where to save, starting in the last folder used for "Export as…" (else the report folder)."""
        book = self.controller.book
        return saving.ask_save_path(
            self.window, "Export the case-series report as", name, (saving.PDF,), REPORT_FOLDER,
            lambda: report_files.report_folder(book),
        )  # fmt: skip

    def confirm_identified(self) -> bool:
        return confirm_identified(self.window, "report")

    def export(self, identified: bool = False, *, ask: bool = False) -> bool:
        """Start an export into the report folder (``ask``: wherever the user says); False if none began."""
        if self.runner.running:
            return False
        if identified and not self.confirm_identified():
            return False
        book = self.controller.book
        data = report.gather(book, report.load_options(book, identified=identified))  # short queries, here
        try:
            target = (
                self.choose_target(report_files.report_name(data))
                if ask
                else report_files.next_report_path(book, data)
            )
        except report_files.FolderUnusable as exc:
            QMessageBox.warning(self.window, "The report was not written", str(exc))
            return False
        if target is None:
            return False
        self._start(data, target)
        return True

    def _start(self, data: ReportInput, target: Path) -> None:
        from ..report.case_series import ReportCancelled  # reportlab loads with the first report

        self.identified = data.options.identified
        self.progress = QProgressDialog("Preparing the report…", "Cancel", 0, 100, self.window)
        self.progress.setWindowTitle("Exporting the report")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.canceled.connect(self.runner.cancel)
        self.runner.start(
            lambda progress: report.write(data, target, progress), cancelled_error=ReportCancelled
        )

    def _on_progressed(self, done: int, total: int, what: str) -> None:
        progress = self.progress  # setValue may process events and end the export meanwhile
        if progress is not None:
            progress.setLabelText(f"Writing the report: {what}…")
            progress.setMaximum(total)
            progress.setValue(min(done, total - 1))

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _on_runner_finished(self, path: Path) -> None:
        self._close_progress()
        self.controller.message.emit(f"Report written: {path.name}")
        self.notice.show_written(path, self.identified)
        self.finished.emit(path)

    def _on_runner_failed(self, message: str, details: str) -> None:
        self._close_progress()
        log.error("The report was not written: %s\n%s", message, details)
        QMessageBox.critical(
            self.window, "The report was not written", f"{message}\n\nNo file was written or replaced."
        )
        self.failed.emit(message)

    def _on_runner_cancelled(self) -> None:
        self._close_progress()
        self.controller.message.emit("Report export cancelled; no file was written")
        self.cancelled.emit()
