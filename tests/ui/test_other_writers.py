"""The window follows other writers: what another window or process stores shows within a few looks, with a
quiet status message; the window's own saves are not read again, and unsaved typing is kept."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from myocase.services.photos import PhotoDefaults
from myocase.store.casebook import Casebook
from myocase.store.imaging import prepare_image
from myocase.ui.controller import FOLLOW_MS
from myocase.ui.main_window import MainWindow

from tests.factories import TODAY, make_assessment, make_patient
from tests.images import png_bytes, upright_pattern
from tests.ui.test_records_gui import type_into

PROCESS_END_S = 60  # the other process ends as soon as it has written; this only guards a hang


def _other_window(book: Casebook) -> Casebook:
    """A second Casebook on the same series, as another window would have."""
    location = book.location
    other = Casebook.connect(location) if "://" in location else Casebook.open(Path(location), create=False)
    other.today = lambda: TODAY
    return other


def _listed(window: MainWindow) -> list[str]:
    return [summary.study_id for summary in window.patients.model.rows]


def _status(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def test_the_window_looks_for_other_writers_every_two_seconds(window: MainWindow) -> None:
    follower = window.controller.follower
    assert follower.isActive()
    assert follower.interval() == FOLLOW_MS == 2000
    window.close()
    assert not follower.isActive()  # nothing looks at the series once the window is gone


def test_a_patient_added_in_another_window_appears_in_the_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.controller.follower.setInterval(20)  # the timer itself drives the look here
    other = _other_window(window.controller.book)
    try:
        other.save_patient(make_patient("OTHER-01"))
    finally:
        other.close()
    qtbot.waitUntil(lambda: "OTHER-01" in _listed(window), timeout=5000)
    assert _status(window) == "Updated: another window or user changed patients of OTHER-01"
    assert window.controller.has_patients()  # the kept facts were read again


_OTHER_PROCESS = """
import sys
from dataclasses import replace
from pathlib import Path
from myocase.services.photos import PhotoDefaults
from myocase.store.casebook import Casebook
from myocase.store.imaging import prepare_image
location, assessment_id = sys.argv[1], int(sys.argv[2])
book = Casebook.connect(location) if "://" in location else Casebook.open(Path(location), create=False)
try:
    stored = next(a for a in book.assessments() if a.id == assessment_id)
    book.save(replace(stored, haq=2.25))
finally:
    book.close()
"""


def test_an_assessment_changed_by_another_process_shows_in_the_open_record(window: MainWindow) -> None:
    controller = window.controller
    patient = controller.save_patient(make_patient("MYO-01"), None)
    assert patient.id is not None
    assessment = controller.save_record(make_assessment(patient.id, haq=0.5))
    assert controller.patient_id == patient.id
    assert [a.haq for a in window.patient_view.assessments.model.rows] == [0.5]
    subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, controller.book.location, str(assessment.id)],
        check=True,
        timeout=PROCESS_END_S,
    )
    assert controller.follow_others()
    assert [a.haq for a in window.patient_view.assessments.model.rows] == [2.25]
    assert _status(window) == "Updated: another window or user changed assessments of MYO-01"
    assert not controller.follow_others()  # seen once: nothing new at the next look


def test_the_windows_own_saves_are_not_read_again(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller = window.controller
    patient = controller.save_patient(make_patient("MYO-01"), None)
    assert patient.id is not None
    stored = controller.save_record(make_assessment(patient.id, haq=0.5))
    controller.save_record(replace(stored, haq=0.75))
    controller.undo_stack.undo()  # undo writes too: still this window's own
    controller.save_settings(replace(controller.settings(), name="Renamed series"))
    image = prepare_image(png_bytes(upright_pattern(90, 60)))
    controller.store_photos(patient.id, [(Path("hand.png"), image)], PhotoDefaults())
    reads: list[int] = []
    book = controller.book
    read_bundle = book.patient_bundle
    monkeypatch.setattr(book, "patient_bundle", lambda pid: reads.append(pid) or read_bundle(pid))
    monkeypatch.setattr(book, "patient_summaries", lambda: reads.append(0) or [])
    before = _status(window)
    assert not controller.follow_others()
    assert reads == []  # neither the patient's records nor the list were read again
    assert _status(window) == before
    assert [a.haq for a in window.patient_view.assessments.model.rows] == [0.5]


def test_unsaved_typing_in_an_open_form_is_kept(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    controller = window.controller
    patient = controller.save_patient(make_patient("MYO-01"), None)
    assert patient.id is not None
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    assert form is not None
    type_into(qtbot, form.widgets.measures["haq"], "1.5")
    other = _other_window(controller.book)
    try:
        other.save(make_assessment(patient.id, on="2022-01-10", haq=0.25))
    finally:
        other.close()
    assert controller.follow_others()
    assert [a.haq for a in window.patient_view.assessments.model.rows] == [0.25]  # the view behind it
    assert form.isVisible()
    assert form.dirty  # type: ignore[attr-defined]
    assert form.widgets.measures["haq"].line.text() == "1.5"
    assert [a.haq for a in controller.book.assessments(patient.id)] == [0.25]  # nothing of the form was saved
