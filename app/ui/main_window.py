"""The main window: patient list on the left, the selected patient on the right, menus, toolbar, status."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..services import licences, report_files
from ..services.help import help_markdown
from ..store.imaging import HEIC_EXTRA, heif_available
from ..store.server import short_name
from .controller import Change, Controller
from .dialogs import close_with_keys, fit_size
from .empty_state import EmptyState
from .forms.base import RecordForm
from .forms.patient_form import PatientForm
from .forms.settings_form import SettingsForm
from .patient_list import PatientListPanel
from .patient_view import PatientView
from .read_only import ReadOnlyMode
from .recent import DatabaseFiles
from .server_dialog import ServerDialog
from .window_actions import build_actions

if TYPE_CHECKING:  # made on first use: the window shows sooner
    from .analysis_view import AnalysisView
    from .data_export import DataExportDialog
    from .data_import import DataImportDialog
    from .figures.cohort_window import CohortWindow
    from .history import HistoryWindow
    from .report_export import ReportExporter

W = TypeVar("W", bound=QWidget)


class MainWindow(QMainWindow):
    toolbar: QToolBar  # made with the actions (window_actions.py)

    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.controller = controller
        self.active_form: RecordForm | None = None
        self.setObjectName("MainWindow")
        self.patients = PatientListPanel(controller)
        self.patient_view = PatientView(controller)
        self.empty = EmptyState()
        self.no_selection = QLabel("Select a patient on the left, or add one with Ctrl+N.")
        self.no_selection.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_selection.setEnabled(False)
        self.right = QStackedWidget()
        for page in (self.empty, self.no_selection, self.patient_view):
            self.right.addWidget(page)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.patients)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 1070])  # the list keeps about a third at 1024 px, less when wider
        self.analysis_view: AnalysisView | None = None
        self.cohort_window: CohortWindow | None = None
        self._exporter: ReportExporter | None = None
        self.files = DatabaseFiles(controller, self)
        self.files.busy = lambda: (
            "A report is being written; restore when it is done." if self._writing_report() else None
        )
        central = QWidget()
        self.column = column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.db_label = QLabel()
        self.statusBar().addPermanentWidget(self.db_label)
        self.actions_ = build_actions(self)
        self._connect()
        self.read_only = ReadOnlyMode(self)  # a series that cannot be written: a banner, write actions off
        column.insertWidget(0, self.read_only.banner)
        fit_size(self, 1400, 860)
        self._restore_layout()
        self._on_changed(Change.everything())

    # ------------------------------------------------------------ layout kept between sessions
    def _layout_parts(self) -> dict[str, tuple[Callable[[], object], Callable[[Any], object]]]:
        """Each remembered piece of the layout: how to read it and how to put it back."""
        return {
            "window/geometry": (self.saveGeometry, self.restoreGeometry),
            "window/state": (self.saveState, self.restoreState),
            "window/splitter": (self.splitter.saveState, self.splitter.restoreState),
            "window/patient_splitter": (
                self.patient_view.splitter.saveState,
                self.patient_view.splitter.restoreState,
            ),
        }

    def _restore_layout(self) -> None:
        settings = QSettings()
        for key, (_, restore) in self._layout_parts().items():
            value = settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def _save_layout(self) -> None:
        settings = QSettings()
        for key, (save, _) in self._layout_parts().items():
            settings.setValue(key, save())

    def _connect(self) -> None:
        self.controller.changed.connect(self._on_changed)
        self.controller.patient_selected.connect(self._on_patient_selected)
        self.controller.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.controller.failed.connect(lambda text: QMessageBox.warning(self, "MyoCase", text))
        self.patient_view.form_opened.connect(self._on_form_opened)
        self.patients.edit_requested.connect(self.patient_view.edit_patient)
        self.empty.add_patient.connect(self.new_patient)
        self.empty.load_demo.connect(self.load_demo)

    # ------------------------------------------------------------ state
    def _on_changed(self, change: Change) -> None:
        book = self.controller.book
        settings = self.controller.settings()
        demo = " [synthetic demo data]" if settings.is_demo else ""
        self.setWindowTitle(f"MyoCase — {settings.name} — {short_name(book.location)}{demo}")
        badge = "  ·  SYNTHETIC DEMO DATA" if settings.is_demo else ""
        cutoff = settings.cutoff.isoformat() if settings.cutoff else "not set"
        where = book.location if book.path is not None else f"Server {short_name(book.location)}"
        self.db_label.setText(
            f"{where}  ·  cut-off {cutoff}  ·  index drug {settings.index_drug}{badge}{self.read_only.note()}"
        )
        self.empty.set_database(book.location, can_load_demo=not self.controller.has_patients())
        self._on_patient_selected(self.controller.patient_id)
        if change.settings:
            self._on_database_changed()

    def _on_database_changed(self) -> None:
        book, a = self.controller.book, self.actions_
        a["restore"].setEnabled(book.path is not None)  # a server's series: `myocase restore`
        self.read_only.update()
        tip = f"Write the de-identified case-series PDF into {report_files.report_folder(book)} (Ctrl+P)"
        a["export"].setToolTip(tip)
        a["export"].setStatusTip(tip)

    def _on_patient_selected(self, patient_id: int | None) -> None:
        has_patients = self.controller.has_patients()
        page = (
            self.patient_view
            if patient_id is not None
            else (self.no_selection if has_patients else self.empty)
        )
        self.right.setCurrentWidget(page)
        for name in (
            "edit_patient",
            "delete_patient",
            "new_course",
            "new_assessment",
            "new_event",
            "response",
            "add_photos",
            "history",
        ):
            self.actions_[name].setEnabled(patient_id is not None)

    def _on_form_opened(self, form: RecordForm) -> None:
        self.active_form = form

    def open_form(self, form: RecordForm) -> RecordForm:
        return self.patient_view.open_form(form)

    # ------------------------------------------------------------ commands
    def open_server(self) -> ServerDialog:
        """File → Open server…: where the series is (the dialog stays open with the reason if the server refuses)."""
        dialog = ServerDialog(self._open_location, self)
        dialog.open()
        return dialog

    def _open_location(self, location: str) -> None:
        self.files.closing()  # the series left behind gets its backup on close
        self.controller.open_database(location)
        self.files.opened()

    def new_patient(self) -> RecordForm:
        return self.open_form(PatientForm(self.controller, None, self))

    def edit_settings(self) -> RecordForm:
        return self.open_form(SettingsForm(self.controller, self))

    def show_analysis(self) -> AnalysisView:
        if self.analysis_view is None:
            from .analysis_view import AnalysisView

            self.analysis_view = AnalysisView(self.controller, self)
            self.analysis_view.patient_chosen.connect(self.controller.select_patient)
        return self._raise(self.analysis_view)

    def show_history(self) -> HistoryWindow:
        """Patient → History…: one window per main window, following the selected patient."""
        from .history import HistoryWindow

        return self._raise(self.findChild(HistoryWindow) or HistoryWindow(self.controller, self))

    def show_cohort(self) -> CohortWindow:
        if self.cohort_window is None:
            from .figures.cohort_window import CohortWindow

            self.cohort_window = CohortWindow(self.controller, self)
            self.cohort_window.patient_chosen.connect(self.controller.select_patient)
        return self._raise(self.cohort_window)

    @staticmethod
    def _raise(window: W) -> W:
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    @property
    def exporter(self) -> ReportExporter:
        """The report writer, made on first use (the report's modules load then, not before the first paint);
        its notice of the last report written shows above the list."""
        if self._exporter is None:
            from .report_export import ReportExporter

            self._exporter = ReportExporter(self.controller, self)
            self.column.insertWidget(self.column.indexOf(self.splitter), self._exporter.notice)
        return self._exporter

    def _writing_report(self) -> bool:
        return self._exporter is not None and self._exporter.runner.running

    def export_report(self, identified: bool = False, ask: bool = False) -> bool:
        """Write the report into the report folder (``ask``: where the user says); False if none began."""
        if not self.controller.has_patients():
            self.statusBar().showMessage("There are no patients to report on yet.", 8000)
            return False
        ask = ask or bool(self.controller.read_only)  # nothing may be written beside a read-only series
        return self.exporter.export(identified=identified, ask=ask)

    def import_data(self) -> DataImportDialog:
        """File → Import data…: the dialog, opened without blocking (one per window)."""
        from .data_import import DataImportDialog

        dialog = self.findChild(DataImportDialog)
        if dialog is None:
            dialog = DataImportDialog(self.controller, self)
        dialog.show()
        dialog.raise_()
        return dialog

    def export_data(self) -> DataExportDialog:
        """File → Export data…: the dialog, opened without blocking (one per window)."""
        from .data_export import DataExportDialog

        dialog = self.findChild(DataExportDialog)
        if dialog is None:
            dialog = DataExportDialog(self.controller, self)
        dialog.show()
        dialog.raise_()
        return dialog

    def edit_report_settings(self) -> RecordForm:
        from .report_export import ReportSettingsForm

        return self.open_form(ReportSettingsForm(self.controller, self))

    def find_patient(self) -> None:
        self.patients.search.setFocus()
        self.patients.search.selectAll()

    def load_demo(self) -> None:
        from ..services.demo import DemoRefused

        try:
            self.controller.load_demo()
        except DemoRefused as exc:
            QMessageBox.information(self, "Demo series", str(exc))

    def show_help(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setWindowTitle("MyoCase help")
        browser = QTextBrowser()
        browser.setMarkdown(help_markdown(self.controller.analysis_settings()))
        QVBoxLayout(dialog).addWidget(browser)
        fit_size(dialog, 760, 720)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        close_with_keys(dialog)
        dialog.show()
        return dialog

    def show_about(self) -> QDialog:
        """The version, the open database and its schema, the licence of everything shipped, Qt's About."""
        book = self.controller.book
        heic = "readable" if heif_available() else f"not readable (install the heic extra: {HEIC_EXTRA})"
        dialog = QDialog(self, objectName="AboutDialog", windowTitle="About MyoCase")
        browser = QTextBrowser()
        browser.setMarkdown(
            f"## MyoCase {__version__}\n\nOffline case records, timelines, analysis and reports for myositis "
            f"case series.\n\n- Database: {book.location}\n- Schema version: {book.schema_version() or 'none'}\n"
            f"- HEIC photos: {heic}\n\nMyoCase is under the MIT licence. It ships with these components, "
            f"each under its own licence:\n\n{licences.markdown_table(licences.bundled_licences())}"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        about_qt = buttons.addButton("About &Qt…", QDialogButtonBox.ButtonRole.ActionRole)
        about_qt.clicked.connect(lambda: QMessageBox.aboutQt(dialog, "About Qt"))
        buttons.rejected.connect(dialog.close)
        column = QVBoxLayout(dialog)
        column.addWidget(browser)
        column.addWidget(buttons)
        fit_size(dialog, 720, 640)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        close_with_keys(dialog)
        dialog.show()
        return dialog

    def unsaved_forms(self) -> list[QWidget]:
        """Open forms and editors (this window's) with edits not yet saved."""
        return [w for w in QApplication.topLevelWidgets() if w.isVisible() and self._owns(w) and _dirty(w)]

    def _owns(self, widget: QWidget) -> bool:
        parent = widget.parentWidget()
        while parent is not None and parent is not self:
            parent = parent.parentWidget()
        return parent is self

    def closeEvent(self, event: QCloseEvent) -> None:
        """Each form with unsaved edits asks first (Discard or Cancel); Cancel keeps the window open."""
        for form in self.unsaved_forms():
            form.activateWindow()
            form.reject()  # type: ignore[attr-defined]
            if form.isVisible():
                event.ignore()
                return
        if self._exporter is not None:
            self._exporter.runner.cancel()
        self.patients.busy.cancel()
        self.controller.follower.stop()  # no look for other writers after the window is gone
        self._save_layout()
        self.files.closing()  # the automatic backup, if the series changed
        event.accept()


def _dirty(widget: QWidget) -> bool:
    try:
        return bool(getattr(widget, "dirty", False))
    except RuntimeError:  # deleted meanwhile
        return False
