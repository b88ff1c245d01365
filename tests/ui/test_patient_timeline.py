"""The timeline beside the patient's records: it follows the selection and every save, and opens what is clicked."""

from __future__ import annotations

from datetime import date

from app.domain.records import Assessment
from app.report.drawings import draw_timeline
from app.ui.forms.assessment_form import AssessmentForm
from app.ui.main_window import MainWindow
from app.ui.photo_forms import AnnotationDialog


def select(window: MainWindow, study_id: str) -> int:
    patient = window.controller.book.patient_by_study_id(study_id)
    assert patient is not None and patient.id is not None
    window.controller.select_patient(patient.id)
    return patient.id


def test_the_timeline_follows_the_selected_patient_and_every_save(window: MainWindow) -> None:
    window.controller.load_demo()
    view = window.patient_view
    timeline = view.timeline
    pid = select(window, "DEMO-01")
    before = timeline.counts()
    assert (
        before["photos"] == 3
        and before["bars"] >= 6
        and "tofacitinib" in [p.label for p in view.timeline_spec.phases]
    )  # type: ignore[union-attr]
    select(window, "DEMO-04")
    assert timeline.counts()["events"] == 1  # the grade 3 acneiform eruption

    select(window, "DEMO-01")
    window.controller.save_record(Assessment(patient_id=pid, assessed_on=date(2023, 6, 1), cdasi_activity=3))
    after = timeline.counts()
    assert after["points"] == before["points"] + 1  # drawn without reopening anything
    window.actions_["undo"].trigger()
    assert timeline.counts() == before


def test_clicking_the_timeline_opens_the_assessment_or_the_photo(window: MainWindow) -> None:
    window.controller.load_demo()
    pid = select(window, "DEMO-01")
    view = window.patient_view
    book = window.controller.book
    chosen = book.assessments(pid)[2]
    view.timeline.assessment_clicked.emit(chosen.id)
    form = window.active_form
    assert isinstance(form, AssessmentForm) and form.assessment == chosen
    assert view.assessments.selected() == chosen
    form.reject()
    photo = book.photos(pid)[1]
    view.timeline.photo_clicked.emit(photo.id)
    dialog = window.active_form
    assert isinstance(dialog, AnnotationDialog) and view.tabs.currentWidget() is view.photos
    assert view.photos.selected_ids() == [photo.id]


def test_days_from_the_index_start_redraws_the_timeline(window: MainWindow) -> None:
    window.controller.load_demo()
    select(window, "DEMO-01")
    view = window.patient_view
    timeline = view.timeline

    assert view.timeline_spec is not None and view.timeline_spec.x_mode == "date"
    timeline.x_mode_changed.emit("index_days")
    assert view.timeline_spec.x_mode == "index_days" and view.timeline_spec.day_zero_x == 0
    select(window, "DEMO-04")  # the choice holds for the next patient
    assert view.timeline_spec.x_mode == "index_days"


def test_the_report_draws_the_same_elements_as_the_screen(window: MainWindow) -> None:
    window.controller.load_demo()
    view = window.patient_view
    for study_id in ("DEMO-01", "DEMO-04", "DEMO-06"):
        select(window, study_id)
        assert view.timeline_spec is not None
        drawn = draw_timeline(view.timeline_spec, 500)
        assert dict(drawn.counts) == view.timeline.counts(), study_id
