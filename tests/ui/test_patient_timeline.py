"""The timeline beside the patient's records: it follows the selection and every save, and opens what is clicked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from myocase.domain.records import Assessment
from myocase.report.drawings import draw_timeline
from myocase.ui.controller import Controller
from myocase.ui.forms.assessment_form import AssessmentForm
from myocase.ui.main_window import MainWindow
from myocase.ui.photo_forms import AnnotationDialog
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.report.test_drawings import printed_thumbnails
from tests.ui.figures.test_timeline_rows import drawn_labels


def select(window: MainWindow, study_id: str) -> int:
    patient = window.controller.book.patient_by_study_id(study_id)
    assert patient is not None
    assert patient.id is not None
    window.controller.select_patient(patient.id)
    return patient.id


@pytest.mark.demo
def test_the_timeline_follows_the_selected_patient_and_every_save(window: MainWindow) -> None:
    view = window.patient_view
    timeline = view.timeline
    pid = select(window, "DEMO-01")
    before = timeline.counts()
    assert before["photos"] == 3
    assert before["bars"] >= 6
    assert "tofacitinib" in [p.label for p in view.timeline_spec.phases]
    select(window, "DEMO-04")
    assert timeline.counts()["events"] == 1  # the grade 3 acneiform eruption

    select(window, "DEMO-01")
    window.controller.save_record(Assessment(patient_id=pid, assessed_on=date(2023, 6, 1), cdasi_activity=3))
    after = timeline.counts()
    assert after["points"] == before["points"] + 1  # drawn without reopening anything
    window.actions_["undo"].trigger()
    assert timeline.counts() == before


@pytest.mark.demo
def test_clicking_the_timeline_opens_the_assessment_or_the_photo(window: MainWindow) -> None:
    pid = select(window, "DEMO-01")
    view = window.patient_view
    book = window.controller.book
    chosen = book.assessments(pid)[2]
    view.timeline.assessment_clicked.emit(chosen.id)
    form = window.active_form
    assert isinstance(form, AssessmentForm)
    assert form.assessment == chosen
    assert view.assessments.selected() == chosen
    form.reject()
    photo = book.photos(pid)[1]
    view.timeline.photo_clicked.emit(photo.id)
    dialog = window.active_form
    assert isinstance(dialog, AnnotationDialog)
    assert view.tabs.currentWidget() is view.photos
    assert view.photos.selected_ids() == [photo.id]


@pytest.mark.demo
def test_days_from_the_index_start_redraws_the_timeline(window: MainWindow) -> None:
    select(window, "DEMO-01")
    view = window.patient_view
    timeline = view.timeline

    assert view.timeline_spec is not None
    assert view.timeline_spec.x_mode == "date"
    timeline.x_mode_changed.emit("index_days")
    assert view.timeline_spec.x_mode == "index_days"
    assert view.timeline_spec.day_zero_x == 0
    select(window, "DEMO-04")  # the choice holds for the next patient
    assert view.timeline_spec.x_mode == "index_days"


@pytest.mark.demo
def test_the_report_draws_the_same_elements_as_the_screen(window: MainWindow) -> None:
    view = window.patient_view
    for study_id in ("DEMO-01", "DEMO-04", "DEMO-06"):
        select(window, study_id)
        spec = view.timeline_spec
        assert spec is not None
        drawn = draw_timeline(spec, 500)
        assert dict(drawn.counts) == view.timeline.counts(), study_id
        view.timeline.graphics.grab()  # the strip as painted on screen, read back in days
        on_screen = [(pid, rect.left(), rect.right()) for pid, rect in view.timeline.strip.painted]
        printed = printed_thumbnails(drawn)
        assert on_screen, study_id
        assert [p[0] for p in on_screen] == [p[0] for p in printed], study_id
        day = (spec.x_range[1] - spec.x_range[0]) / 300  # a third of a percent of the time axis
        for (_, s0, s1), (_, p0, p1) in zip(on_screen, printed, strict=True):
            assert (s0 + s1) / 2 == pytest.approx((p0 + p1) / 2, abs=day), study_id  # the same place


@pytest.mark.demo
def test_the_larger_timeline_and_the_records_height_are_kept_between_sessions(
    qtbot: QtBot, controller: Controller
) -> None:
    first = MainWindow(controller)
    qtbot.addWidget(first)
    first.resize(1024, 700)
    first.show()
    select(first, "DEMO-01")
    view = first.patient_view
    normal = view.splitter.sizes()
    qtbot.mouseClick(view.timeline.larger_button, Qt.MouseButton.LeftButton)
    larger = view.splitter.sizes()
    assert view.timeline_larger()
    assert larger[0] < normal[0]
    assert larger[1] >= 0.75 * sum(larger)  # most of the height, at 1024 × 700 too
    first.close()
    second = MainWindow(controller)
    qtbot.addWidget(second)
    second.resize(1024, 700)
    second.show()
    select(second, "DEMO-01")
    again = second.patient_view
    assert again.timeline.larger_button.isChecked()
    assert again.splitter.sizes()[0] == larger[0]
    qtbot.mouseClick(again.timeline.larger_button, Qt.MouseButton.LeftButton)
    assert again.splitter.sizes()[0] == normal[0]  # the records' height from before, given back
    again.splitter.moveSplitter(200, 1)  # dragged by hand: kept, and no longer "larger"
    assert again.splitter.sizes()[0] == 200
    assert not again.timeline_larger()
    second.close()
    third = MainWindow(controller)
    qtbot.addWidget(third)
    third.resize(1024, 700)
    third.show()
    assert third.patient_view.splitter.sizes()[0] == 200
    assert not third.patient_view.timeline_larger()
    select(third, "DEMO-01")
    third.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is third)
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(third.patients.search, Qt.Key.Key_T, keys)
    assert third.patient_view.timeline_larger()  # Ctrl+Shift+T, from anywhere in the window


@pytest.mark.demo
def test_the_strip_shows_every_photo_until_some_are_chosen_for_the_report(window: MainWindow) -> None:
    pid = select(window, "DEMO-01")
    view = window.patient_view
    book = window.controller.book
    assert view.timeline_spec is not None
    assert view.timeline_spec.strip.title == "Photos for the report"
    for photo in book.photos(pid):
        window.controller.save_photo(replace(photo, in_report=False))
    spec = view.timeline_spec
    assert spec.strip.title == "All photos (none chosen)"
    assert len(spec.strip.photos) == 3
    assert spec.strip.note in view.timeline.notes.text()
    assert view.timeline.counts()["thumbnails"] == 3
    assert [label.words for label in drawn_labels(view.timeline)][-1 - len(spec.tracks)] == spec.strip.title


@pytest.mark.demo
def test_the_window_timeline_names_the_rows_of_its_spec_in_order(window: MainWindow) -> None:
    view = window.patient_view
    for study_id in ("DEMO-04", "DEMO-06"):
        select(window, study_id)
        for x_mode in ("index_days", "date"):
            view.timeline.x_mode_changed.emit(x_mode)
            spec = view.timeline_spec
            assert spec is not None
            assert spec.x_mode == x_mode
            assert [label.words for label in drawn_labels(view.timeline)] == list(spec.row_labels), study_id
