"""One-click PDF export: report settings, where to save, progress with cancel, then the system viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLineEdit, QMessageBox, QProgressDialog, QWidget

from app.domain.clock import DateMode
from app.domain.validation import Problem
from app.report.case_series import ReportCancelled
from app.report.model import ReportOptions
from app.services import report
from app.ui.controller import Controller
from app.ui.dialogs import confirm_identified
from app.ui.fields import ChoiceField
from app.ui.forms.base import RecordForm
from app.ui.worker import TaskRunner


class ReportSettingsForm(RecordForm):
    """Title, authors, institution and how dates appear; stored with the series."""

    title = "Report settings"

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        current = report.load_options(controller.book)
        self.resize(620, 340)
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
        self.finish_loading()

    def collect(self) -> tuple[Any, list[Problem]]:
        options = ReportOptions(
            title=self.report_title.text().strip(),
            authors=self.authors.text().strip(),
            institution=self.institution.text().strip(),
            date_mode=self.date_mode.value(),
        )
        problems = [] if options.title else [Problem("title", "The report needs a title.")]
        return options, problems

    def store(self, record: Any) -> Any:
        stored = {"title": record.title, "authors": record.authors, "institution": record.institution,
                  "date_mode": record.date_mode.value}  # fmt: skip
        self.controller.save_preference(report.PREFERENCE_KEY, stored, "Report settings saved")
        return record


class ReportExporter(QObject):
    """Asks where to save, builds the PDF in the thread pool with a cancellable progress dialog, opens it.

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
        self.open_when_done = True
        self.runner.progressed.connect(self._on_progressed)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.cancelled.connect(self._on_runner_cancelled)

    def choose_target(self) -> Path | None:
        settings = QSettings()
        folder = Path(str(settings.value("last_report_folder", str(Path.home()))))
        name, _ = QFileDialog.getSaveFileName(
            self.window, "Export the case-series report", str(folder / "case-series-report.pdf"), "PDF (*.pdf)",
            options=QFileDialog.Option.DontUseNativeDialog,
        )  # fmt: skip
        if not name:
            return None
        target = Path(name) if name.lower().endswith(".pdf") else Path(name + ".pdf")
        settings.setValue("last_report_folder", str(target.parent))
        return target

    def confirm_identified(self) -> bool:
        return confirm_identified(self.window, "report")

    def export(self, identified: bool = False, target: Path | None = None) -> bool:
        """Start an export; False if the user cancelled before it began."""
        if self.runner.running:
            return False
        if identified and not self.confirm_identified():
            return False
        target = target or self.choose_target()
        if target is None:
            return False
        options = report.load_options(self.controller.book, identified=identified)
        data = report.gather(self.controller.book, options)  # a few short queries, on this thread
        self.target = target
        self.progress = QProgressDialog("Preparing the report…", "Cancel", 0, 100, self.window)
        self.progress.setWindowTitle("Exporting the report")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.canceled.connect(self.runner.cancel)
        self.runner.start(
            lambda progress: report.write(data, target, progress), cancelled_error=ReportCancelled
        )
        return True

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
        self.controller.message.emit(f"Report written to {path}")
        if self.open_when_done:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self.finished.emit(path)

    def _on_runner_failed(self, message: str, details: str) -> None:
        self._close_progress()
        QMessageBox.critical(
            self.window, "The report was not written", f"{message}\n\nNo file was written or replaced."
        )
        self.failed.emit(message)

    def _on_runner_cancelled(self) -> None:
        self._close_progress()
        self.controller.message.emit("Report export cancelled; no file was written")
        self.cancelled.emit()
