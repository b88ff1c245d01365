"""The selected patient: overview, treatments, assessments and adverse events, with their forms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.clock import XMode
from ..domain.conflicts import RecordConflict
from ..domain.numbers import plural
from ..domain.phases import index_course, prior_immunosuppressants
from ..domain.records import (
    AdverseEvent,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
)
from ..domain.timeline import TimelineSpec, record_timeline
from ..domain.validation import ValidationError
from .conflict_dialog import Choice, ConflictDialog, ask
from .controller import Controller, PatientBundle, describe
from .figures.timeline import TimelinePlot
from .forms.assessment_form import AssessmentForm
from .forms.base import RecordForm
from .forms.course_form import CourseForm
from .forms.event_form import EventForm
from .forms.patient_form import PatientForm
from .models import assessment_columns, course_columns, event_columns
from .photo_tab import PhotosTab
from .record_tab import RecordTab
from .response_view import ResponseView


def overview_html(
    patient: Patient,
    identifiers: Identifiers | None,
    courses: Sequence[MedicationCourse],
    index_drug: str,
    cutoff: Any,
) -> str:
    """The overview tab's text, every user value escaped."""
    e = lambda v: escape("" if v is None else str(v))  # noqa: E731
    rows = [
        ("Subtype", patient.subtype.label),
        ("Sex", patient.sex.label),
        ("Year of birth", patient.birth_year or "not recorded"),
        (
            "Age at onset",
            f"{patient.age_at_onset} years" if patient.age_at_onset is not None else "not recorded",
        ),
        ("Diagnosis date", patient.diagnosis_date or "not recorded"),
        ("Interstitial lung disease", patient.ild.label),
        ("Malignancy", patient.malignancy.label),
    ]
    course = index_course(courses, index_drug)
    priors = prior_immunosuppressants(courses, index_drug)
    if course is not None:
        status = (
            "on it at the cut-off"
            if course.ongoing_at(cutoff)
            else f"stopped {course.stop} ({course.stop_reason.label if course.stop_reason else 'reason not recorded'})"
        )
        rows.append((f"{index_drug.capitalize()}", f"started {course.start}; {status}"))
        rows.append(("Prior immunosuppressants", f"{len(priors)}: {', '.join(priors)}" if priors else "none"))
    table = "".join(f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in rows)
    antibodies = (
        "".join(
            f"<tr><td>{e(a.antibody)}</td><td>{e(a.status.label)}</td><td>{e(a.tested_on or '')}</td></tr>"
            for a in patient.antibodies
        )
        or "<tr><td colspan=3><i>none recorded</i></td></tr>"
    )
    html = (
        f"<table cellspacing=4>{table}</table>"
        f"<h3>Autoantibodies</h3><table cellspacing=4><tr><th align=left>Antibody</th><th align=left>Result</th>"
        f"<th align=left>Tested</th></tr>{antibodies}</table>"
        f"<h3>Case vignette</h3><p>{e(patient.vignette).replace(chr(10), '<br>') or '<i>none yet</i>'}</p>"
    )
    if identifiers and not identifiers.is_empty:
        html += (
            "<h3>Identifying fields</h3><p><i>Kept apart; left out of every export unless identifiers are included.</i><br>"
            f"Name: {e(identifiers.full_name or '–')} · Record number: {e(identifiers.mrn or '–')} · "
            f"Date of birth: {e(identifiers.date_of_birth or '–')}</p>"
        )
    return html


LARGER_KEY = "patient_view/timeline_larger"  # QSettings: the timeline takes most of the height
RECORDS_KEY = "patient_view/records_height"  # QSettings: the records' height when it does not
RECORDS_WHEN_LARGER = 110  # px: the records keep their tab bar and a row or two


class PatientView(QWidget):
    """Signals: ``form_opened(RecordForm)`` whenever a form opens (tests and the window track it).

    The records sit above the timeline in ``splitter``; "Larger timeline" (Ctrl+Shift+T) gives the
    timeline most of the height and gives the records their height back. Both the choice and the
    records' height are kept between sessions (QSettings; the window keeps the splitter itself).
    """

    form_opened = Signal(object)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.patient: Patient | None = None
        self.active_form: RecordForm | None = None
        self.tabs = QTabWidget()
        self.overview = QTextBrowser()
        self.overview.setOpenLinks(False)
        self.edit_patient_button = QPushButton("Edit patient…")
        self.edit_patient_button.setToolTip("Edit this patient's record (Ctrl+E)")
        self.delete_patient_button = QPushButton("Delete patient…")
        self.delete_patient_button.setToolTip(
            "Delete this patient and all their records (asks first; Ctrl+Z undoes)"
        )
        overview = QWidget()
        column = QVBoxLayout(overview)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_patient_button)
        buttons.addWidget(self.delete_patient_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addWidget(self.overview, 1)
        self.courses = RecordTab("medication course", course_columns(), "Ctrl+Shift+M")
        self.assessments = RecordTab(
            "assessment", assessment_columns(controller.analysis_settings().severity), "Ctrl+Shift+A"
        )
        self.events = RecordTab("adverse event", event_columns(), "Ctrl+Shift+E")
        self.response_button = self.assessments.extra_button(
            "Response criteria…",
            "ACR/EULAR Total Improvement Score and IMACS improvement between two assessments",
            self.show_response,
        )
        self.response_view: ResponseView | None = None
        self.conflict_dialog: ConflictDialog | None = None  # open while the user decides a conflicting delete
        self.tabs.addTab(overview, "Overview")
        self.tabs.addTab(self.courses, "Treatments")
        self.tabs.addTab(self.assessments, "Assessments")
        self.tabs.addTab(self.events, "Adverse events")
        self.photos = PhotosTab(controller)
        self.photos.form_opened.connect(self._on_photo_form_opened)
        self.tabs.addTab(self.photos, "Photos")
        self.title = QLabel()
        self.title.setAccessibleName("Selected patient")
        self.provenance = QLabel()  # where a patient pooled from another centre came from
        self.provenance.setAccessibleName("Provenance")
        self.provenance.setWordWrap(True)
        self.provenance.setTextFormat(Qt.TextFormat.PlainText)  # names typed elsewhere: never markup
        self.provenance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.provenance.hide()
        self.timeline = TimelinePlot()
        self.x_mode: XMode = "date"
        # the selected patient's records as the controller read them, and ``bundle.record``
        self.bundle: PatientBundle | None = None
        self.record: PatientRecord | None = None
        self.timeline_spec: TimelineSpec | None = None  # what the timeline shows now
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        # less than the records' contents ask: the timeline may need the room
        self.tabs.setMinimumHeight(RECORDS_WHEN_LARGER)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.timeline)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 620])  # the timeline tells the story: it gets the larger share
        self._records_px = 280  # the records' height while the timeline is not larger
        self._room_restored = False
        self._restore_room()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.provenance)
        layout.addWidget(self.splitter, 1)
        self._connect()

    def _connect(self) -> None:
        self.edit_patient_button.clicked.connect(self.edit_patient)
        self.delete_patient_button.clicked.connect(self.delete_patient)
        self.courses.add_requested.connect(self.new_course)
        self.assessments.add_requested.connect(self.new_assessment)
        self.events.add_requested.connect(self.new_event)
        for tab in (self.courses, self.assessments, self.events):
            tab.edit_requested.connect(self.edit_record)
            tab.delete_requested.connect(self.delete_record)
        self.controller.patient_loaded.connect(self.show_bundle)
        self.timeline.assessment_clicked.connect(self.open_assessment)
        self.timeline.photo_clicked.connect(self.open_photo)
        self.timeline.x_mode_changed.connect(self._on_x_mode_changed)
        self.timeline.export_source = self._exported_timeline
        self.timeline.larger_toggled.connect(self.set_timeline_larger)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        larger = QShortcut(QKeySequence("Ctrl+Shift+T"), self)
        larger.setContext(Qt.ShortcutContext.WindowShortcut)
        larger.activated.connect(self.timeline.larger_button.toggle)

    # ------------------------------------------------------------ the timeline's room
    def _restore_room(self) -> None:
        """The choice and the records' height from the last session (applied in full once shown)."""
        settings = QSettings()
        height = str(settings.value(RECORDS_KEY, ""))
        self._records_px = int(height) if height.isdigit() else self._records_px
        self.timeline.larger_button.setChecked(str(settings.value(LARGER_KEY, "false")).lower() == "true")

    def timeline_larger(self) -> bool:
        return self.timeline.larger_button.isChecked()

    def set_timeline_larger(self, on: bool) -> None:
        """The timeline takes most of the height (the records keep a few rows), or gives it back."""
        if self.timeline.larger_button.isChecked() != on:
            self.timeline.larger_button.setChecked(on)  # comes back here through the signal
            return
        sizes = self.splitter.sizes()
        total, least = sum(sizes), self._least_records()
        if on and total > 0 and sizes[0] > least:  # the records' height to give back later
            self._records_px = sizes[0]
            QSettings().setValue(RECORDS_KEY, self._records_px)
        if total > 0:
            records = least if on else self._records_px
            self.splitter.setSizes([records, max(total - records, 1)])
        QSettings().setValue(LARGER_KEY, on)

    def _least_records(self) -> int:
        return max(RECORDS_WHEN_LARGER, self.tabs.minimumHeight())

    def _on_splitter_moved(self, records: int, _index: int) -> None:
        """Dragged by hand: that is the records' height from now on, and the timeline is no longer "larger"."""
        self._records_px = self.splitter.sizes()[0]
        QSettings().setValue(RECORDS_KEY, self._records_px)
        if self.timeline_larger():
            self.timeline.larger_button.blockSignals(True)
            self.timeline.larger_button.setChecked(False)
            self.timeline.larger_button.blockSignals(False)
            QSettings().setValue(LARGER_KEY, False)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._room_restored and self.timeline_larger():  # the room kept from the last session
            self._room_restored = True
            self.set_timeline_larger(True)

    # ------------------------------------------------------------ showing
    def refresh(self) -> None:
        """Show the selected patient's records as the controller last read them."""
        self.show_bundle(self.controller.bundle)

    def show_bundle(self, bundle: PatientBundle | None) -> None:
        """The selected patient's records, read once by the controller: every tab and the timeline
        show them without reading again."""
        self.bundle, self.record = bundle, bundle.record if bundle else None
        self.patient = bundle.record.patient if bundle else None
        self.photos.show_bundle(bundle)
        origin = self.patient.provenance if self.patient else None
        self.provenance.setText(origin.text if origin else "")
        self.provenance.setVisible(origin is not None)
        if bundle is None or self.patient is None:
            self.draw_timeline()
            return
        record, settings = bundle.record, self.controller.settings()  # kept by the controller: no read
        self.title.setText(
            f"<b style='font-size:14pt'>{escape(self.patient.study_id)}</b> · {escape(self.patient.subtype.label)}"
        )
        cutoff = settings.cutoff_or(self.controller.book.today())
        self.overview.setHtml(
            overview_html(self.patient, record.identifiers, record.courses, settings.index_drug, cutoff)
        )
        self.courses.set_rows(record.courses)
        self.assessments.model.columns = assessment_columns(self.controller.analysis_settings().severity)
        self.assessments.set_rows(record.assessments)
        self.events.set_rows(record.adverse_events)
        self.draw_timeline()

    def draw_timeline(self) -> None:
        """The timeline of the records last read: rebuilt from them and drawn again."""
        bundle = self.bundle
        if bundle is None:
            self.timeline_spec = None
            self.timeline.set_spec(None)
            return
        spec = record_timeline(
            bundle.record,
            self.controller.settings(),
            x_mode=self.x_mode,
            severity=self.controller.analysis_settings().severity,
            today=self.controller.book.today(),
            photo_choice="report_or_all",  # the strip shows every photo until some are chosen for the report
        )
        self.timeline_spec = spec
        self.timeline.set_spec(spec, bundle.thumbnails.get)

    def _exported_timeline(self, identified: bool) -> TimelineSpec | None:
        """What an exported image of the timeline shows: de-identified unless ``identified``."""
        if self.patient is None:
            return None
        from ..services import report  # (the report's modules load when an image is exported)

        return report.exported_timeline(self.controller.book, self._pid(), identified=identified)

    def _on_x_mode_changed(self, mode: str) -> None:
        self.x_mode = "index_days" if mode == "index_days" else "date"
        self.draw_timeline()

    def open_assessment(self, assessment_id: int) -> RecordForm | None:
        """A clicked timeline point: its assessment in the form, and selected in its tab."""
        shown = self.record.assessments if self.record else ()
        assessment = next((a for a in shown if a.id == assessment_id), None)
        if assessment is None:
            return None
        self.tabs.setCurrentWidget(self.assessments)
        self.assessments.select(lambda a: a.id == assessment_id)
        return self.edit_record(assessment)

    def open_photo(self, photo_id: int) -> QWidget | None:
        self.tabs.setCurrentWidget(self.photos)
        return self.photos.open_photo(photo_id)

    # ------------------------------------------------------------ forms
    def open_form(self, form: RecordForm) -> RecordForm:
        """Show a form window-modal without blocking the event loop (tests drive it directly)."""
        self.active_form = form
        form.finished.connect(form.deleteLater)
        form.open()
        self.form_opened.emit(form)
        return form

    def _on_photo_form_opened(self, form: QWidget) -> None:
        self.active_form = form  # type: ignore[assignment]
        self.form_opened.emit(form)

    def add_photos(self) -> None:
        if self.patient is not None:
            self.tabs.setCurrentWidget(self.photos)
            self.photos.add_photos()

    def _pid(self) -> int:
        assert self.patient is not None
        assert self.patient.id is not None
        return self.patient.id

    def edit_patient(self) -> RecordForm | None:
        return self.open_form(PatientForm(self.controller, self.patient, self)) if self.patient else None

    def new_course(self) -> RecordForm | None:
        return self.open_form(CourseForm(self.controller, self._pid(), parent=self)) if self.patient else None

    def new_assessment(self) -> RecordForm | None:
        if not self.patient:
            return None
        settings = self.controller.analysis_settings()
        return self.open_form(AssessmentForm(self.controller, self._pid(), None, self, settings))

    def new_event(self) -> RecordForm | None:
        return self.open_form(EventForm(self.controller, self._pid(), parent=self)) if self.patient else None

    def edit_record(self, record: Any) -> RecordForm:
        if isinstance(record, MedicationCourse):
            return self.open_form(CourseForm(self.controller, record.patient_id, record, self))
        if isinstance(record, Assessment):
            settings = self.controller.analysis_settings()
            return self.open_form(AssessmentForm(self.controller, record.patient_id, record, self, settings))
        return self.open_form(EventForm(self.controller, record.patient_id, record, self))

    def show_response(self) -> ResponseView | None:
        if self.patient is None or self.record is None:
            return None
        self.response_view = ResponseView(self.controller, self._pid(), self)
        self.response_view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        selected = self.assessments.selected()
        earlier = [a for a in self.record.assessments if selected and a.assessed_on < selected.assessed_on]
        if selected is not None and earlier:
            self.response_view.choose(earlier[0].id or 0, selected.id or 0)
        self.response_view.show()
        return self.response_view

    def delete_record(self, record: MedicationCourse | Assessment | AdverseEvent) -> None:
        text = f"Delete {describe(record).lower()}?\n\nCtrl+Z (Edit → Undo) brings it back."
        if QMessageBox.question(self, "Delete record", text) == QMessageBox.StandardButton.Yes:
            self._delete_as_seen(
                record, lambda seen: self.controller.delete_record(type(seen), seen.id or 0, seen)
            )

    def _delete_as_seen(self, seen: Any, delete: Callable[[Any], object]) -> None:
        """Delete the record the user saw; if someone else changed it since, show what and ask again."""
        try:
            delete(seen)
        except RecordConflict as exc:
            stored = exc.stored
            self.conflict_dialog = ask(
                self,
                exc,
                lambda choice: choice is Choice.DELETE_ANYWAY and self._delete_as_seen(stored, delete),
            )
        except ValidationError as exc:  # deleted meanwhile, by someone else
            QMessageBox.warning(self, "Nothing deleted", str(exc))

    def delete_patient(self) -> None:
        if self.patient is None or (record := self.record) is None:
            return
        parts = [
            plural(len(record.courses), "medication course"),
            plural(len(record.assessments), "assessment"),
            plural(len(record.adverse_events), "adverse event"),
            plural(len(record.photos), "photo"),
        ]
        text = f"Delete patient {self.patient.study_id} and their {', '.join(parts)}?\n\nCtrl+Z (Edit → Undo) brings it all back."
        if QMessageBox.question(self, "Delete patient", text) == QMessageBox.StandardButton.Yes:
            self._delete_as_seen(
                self.patient, lambda seen: self.controller.delete_patient(seen.id or 0, seen)
            )
