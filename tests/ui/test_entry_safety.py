"""Issue 11 through the real window: typed values are kept as typed, nothing is preset, nothing typed is
lost without asking, and the demo stops calling itself synthetic once a patient is typed into it."""

from __future__ import annotations

import pytest
from myocase.domain.cdasi import Mmt8Scores
from myocase.domain.records import Consent
from myocase.domain.scales import SCALES
from myocase.domain.vocab import AeAction, AeOutcome, DrugClass, Sex, Subtype, TriState
from myocase.ui.fields import NumberField
from myocase.ui.forms.base import RecordForm
from myocase.ui.main_window import MainWindow
from myocase.ui.photo_forms import PhotoImportForm
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from tests.ui.conftest import Answers
from tests.ui.test_records_gui import add_patient, choose, save, type_into

SYNTHETIC = "[synthetic demo data]"


def key_by_key(qtbot, field: NumberField, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into a field one key at a time, as a user does (each key must land)."""
    field.line.clear()
    field.line.setFocus()
    for key in text:
        qtbot.keyClick(field.line, key)


def error_of(form: RecordForm, name: str) -> str:
    label = form.errors[name]
    return label.text() if label.isVisible() else ""


def where(widget: QWidget, form: RecordForm) -> QPoint:
    return widget.mapTo(form, QPoint(0, 0))


# ---------------------------------------------------------------- 1. typed values are never altered
def test_cdasi_activity_140_is_kept_reported_and_never_stored(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    book = window.controller.book
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.assessed_on, "2021-03-01")
    below = where(form.widgets.mmt8.total.line, form)
    key_by_key(qtbot, form.widgets.cdasi.activity, "140")
    assert form.widgets.cdasi.activity.line.text() == "140"  # the last key was not dropped
    assert error_of(form, "cdasi_activity") == "⚠ CDASI activity must be between 0 and 100."
    assert "Severity" not in form.derived.text()  # no band for a value that is not there
    mmt8_total = form.widgets.mmt8.total.line
    assert where(mmt8_total, form) == below  # the message did not push the fields below down
    assert not form.save_button.isEnabled()
    form.save()  # even a forced save writes nothing
    assert book.assessments(pid) == []

    key_by_key(qtbot, form.widgets.cdasi.activity, "40")
    assert error_of(form, "cdasi_activity") == ""
    assert "Severity: severe" in form.derived.text()
    save(qtbot, form)
    assert [a.cdasi_activity for a in book.assessments(pid)] == [40]


def test_every_kind_of_number_keeps_its_text_and_says_what_is_wrong(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.assessed_on, "2021-03-01")
    typed = {"ck": "1,500", "haq": "three", "mmt8_total": "151", "cdasi_damage": "2.5"}
    fields = {
        "ck": form.widgets.measures["ck"],
        "haq": form.widgets.measures["haq"],
        "mmt8_total": form.widgets.mmt8.total,
    }
    fields["cdasi_damage"] = form.widgets.cdasi.damage
    for name, text in typed.items():
        key_by_key(qtbot, fields[name], text)
        assert fields[name].line.text() == text
        assert fields[name].warning.isVisible()
    assert (
        error_of(form, "ck")
        == "⚠ “1,500” could mean 1500 or 1.5: type it without the comma, with a point for decimals."
    )
    assert error_of(form, "haq").startswith("⚠ “three” is not a number")
    assert "MMT-8 total must be between 0 and 150." in error_of(form, "mmt8_total")
    assert "CDASI damage must be a whole number (0–32), not 2.5." in error_of(form, "cdasi_damage")
    assert not form.save_button.isEnabled()
    form.save()
    assert window.controller.book.assessments(pid) == []


def test_a_gottron_score_above_its_maximum_is_shown_and_blocks_save(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.assessed_on, "2021-03-01")
    qtbot.mouseClick(form.widgets.cdasi.items_button, Qt.MouseButton.LeftButton)
    form.widgets.cdasi.grid_editor.table.setFocus()
    qtbot.keyClicks(form.widgets.cdasi.grid_editor.table, "33")  # scalp: erythema 3, scale 3 (0–2)
    key_by_key(qtbot, form.widgets.cdasi.grid_editor.spins["periungual"], "4")
    assert error_of(form, "cdasi_grid") == (
        "⚠ Scalp: scale must be a whole number 0–2, not 3. Periungual changes must be between 0 and 2."
    )
    assert form.widgets.cdasi.value()[:2] == (None, None)
    assert not form.save_button.isEnabled()
    form.save()
    assert window.controller.book.assessments(pid) == []


def test_the_dose_keeps_what_was_typed(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.actions_["new_course"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.drug, "methotrexate")
    type_into(qtbot, form.widgets.start, "2021-03")
    key_by_key(qtbot, form.widgets.dose, "2o")
    assert form.widgets.dose.line.text() == "2o"
    assert error_of(form, "dose").startswith("⚠ “2o” is not a number")
    key_by_key(qtbot, form.widgets.dose, "17.5")
    assert error_of(form, "unit") == "⚠ Give the unit of the dose (for example mg)."
    type_into(qtbot, form.widgets.unit, "mg")
    save(qtbot, form)
    assert [(c.dose, c.unit) for c in window.controller.book.courses(pid)] == [(17.5, "mg")]


def test_numeric_placeholders_are_numbers_a_clinician_reads(qtbot) -> None:  # type: ignore[no-untyped-def]
    ck = NumberField(SCALES["ck"])
    qtbot.addWidget(ck)
    assert ck.line.placeholderText() == "0–1,000,000"
    assert "1e+06" not in ck.line.toolTip()
    assert SCALES["ck"].range_text == "0–1,000,000 U/L"


# ---------------------------------------------------------------- 5. MMT-8 grades are whole numbers
def test_a_half_mmt8_grade_is_refused_at_the_field(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.assessed_on, "2021-03-01")
    qtbot.mouseClick(form.widgets.mmt8.items_button, Qt.MouseButton.LeftButton)
    for box in form.widgets.mmt8.groups.right:
        key_by_key(qtbot, box, "10")
    key_by_key(qtbot, form.widgets.mmt8.groups.right[1], "7.5")
    assert error_of(form, "mmt8_groups") == "⚠ Deltoid must be a whole number (0–10), not 7.5."
    assert not form.save_button.isEnabled()
    form.save()
    assert window.controller.book.assessments(pid) == []
    key_by_key(qtbot, form.widgets.mmt8.groups.right[1], "7")
    save(qtbot, form)
    (stored,) = window.controller.book.assessments(pid)
    assert stored.mmt8_groups == Mmt8Scores((10, 7) + (10,) * 6)
    assert stored.mmt8_total == 77


# ---------------------------------------------------------------- 2. no defaults that become data
def test_a_new_patient_left_alone_is_not_recorded(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.actions_["new_patient"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.study_id, "MYO-02")
    assert error_of(form, "subtype") == "⚠ Choose the diagnosis subtype (Other if none fits)."
    assert not form.save_button.isEnabled()  # the subtype is a choice to make, never a preset
    choose(form.widgets.subtype, Subtype.IMNM)
    save(qtbot, form)
    patient = window.controller.book.patient_by_study_id("MYO-02")
    assert patient is not None
    assert (patient.sex, patient.ild, patient.malignancy) == (Sex.UNKNOWN, TriState.UNKNOWN, TriState.UNKNOWN)
    assert (patient.birth_year, patient.age_at_onset, patient.diagnosis_date, patient.antibodies) == (
        None,
        None,
        None,
        (),
    )


def test_a_new_course_stores_no_dose_it_was_not_given(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.actions_["new_course"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.drug, "upadacitinib")
    type_into(qtbot, form.widgets.start, "2021-03")
    save(qtbot, form)
    (course,) = window.controller.book.courses(pid)
    assert (course.drug_class, course.dose, course.unit, course.frequency) == (DrugClass.JAK, None, "", "")
    assert (course.stop, course.stop_reason) == (None, None)

    window.actions_["new_course"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.drug, "anakinra")  # not in the catalogue: its class is the user's to say
    type_into(qtbot, form.widgets.start, "2022")
    assert form.widgets.drug_class.value() is None
    assert not form.usual.isEnabled()
    assert error_of(form, "drug_class") == "⚠ Choose the drug class (Other if none fits)."
    assert not form.save_button.isEnabled()


def test_a_new_adverse_event_stores_unknown_outcome_and_asks_for_the_action(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.actions_["new_event"].trigger()
    form = window.active_form
    assert form.widgets.outcome.value() is AeOutcome.UNKNOWN
    assert form.widgets.action.value() is None
    type_into(qtbot, form.widgets.term, "herpes zoster")
    choose(form.widgets.grade, 2)
    type_into(qtbot, form.widgets.onset, "2021-06-01")
    assert error_of(form, "action").startswith("⚠ Choose the action taken")
    choose(form.widgets.action, AeAction.INTERRUPTED)
    save(qtbot, form)
    (event,) = window.controller.book.adverse_events(pid)
    assert (event.outcome, event.resolution, event.action) == (AeOutcome.UNKNOWN, None, AeAction.INTERRUPTED)


def test_photo_consent_starts_unknown_and_the_batch_counts_its_files(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    for count, words in ((1, "1 file."), (3, "3 files.")):
        form = PhotoImportForm(window.controller, pid, count, window)
        qtbot.addWidget(form)
        assert form.widgets.consent.value() is Consent.UNKNOWN
        notes = [label.text() for label in form.findChildren(QLabel)]
        assert any(text.startswith(words) for text in notes), notes


# ---------------------------------------------------------------- 3. nothing typed is lost without asking
def test_a_half_typed_adverse_event_asks_before_escape_discards_it(
    qtbot, window: MainWindow, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.actions_["new_event"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.term, "acneiform eruption")
    qtbot.keyClicks(form.widgets.notes, "on the cheeks, week 6")
    assert form.windowTitle() == "New adverse event *"
    answers.reply = QMessageBox.StandardButton.Cancel  # keep editing
    asked = len(answers.questions)
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert answers.questions[asked:] == ["This form has changes that are not saved. Discard them?"]
    assert form.isVisible()
    assert form.widgets.term.currentText() == "acneiform eruption"
    assert form.widgets.notes.toPlainText() == "on the cheeks, week 6"
    answers.reply = QMessageBox.StandardButton.Discard
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    assert window.controller.book.adverse_events(pid) == []


def test_an_untouched_form_closes_without_asking(qtbot, window: MainWindow, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    add_patient(qtbot, window)
    window.actions_["new_event"].trigger()
    form = window.active_form
    asked = len(answers.questions)
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible()
    assert answers.questions[asked:] == []


# ---------------------------------------------------------------- 4. the demo stays synthetic
def new_demo_patient(qtbot, window: MainWindow) -> RecordForm:  # type: ignore[no-untyped-def]
    window.actions_["new_patient"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.study_id, "REAL-01")
    choose(form.widgets.subtype, Subtype.DM)
    return form


@pytest.mark.demo
def test_a_patient_added_to_the_demo_ends_the_synthetic_label_undoably(
    qtbot, window: MainWindow, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    assert book.settings().is_demo
    assert SYNTHETIC in window.windowTitle()
    form = new_demo_patient(qtbot, window)
    answers.reply = QMessageBox.StandardButton.Yes
    save(qtbot, form)
    assert "synthetic demo series" in answers.questions[-1]
    assert book.patient_by_study_id("REAL-01") is not None
    assert not book.settings().is_demo
    assert SYNTHETIC not in window.windowTitle()
    window.actions_["undo"].trigger()  # one step takes back the patient and the label
    assert book.patient_by_study_id("REAL-01") is None
    assert book.settings().is_demo
    assert SYNTHETIC in window.windowTitle()
    window.actions_["redo"].trigger()
    assert book.patient_by_study_id("REAL-01") is not None
    assert not book.settings().is_demo


@pytest.mark.demo
def test_answering_no_in_the_demo_stores_nothing(qtbot, window: MainWindow, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    form = new_demo_patient(qtbot, window)
    answers.reply = QMessageBox.StandardButton.No
    save(qtbot, form)
    assert "synthetic demo series" in answers.questions[-1]
    assert book.patient_by_study_id("REAL-01") is None
    assert book.counts().patients == 10
    assert book.settings().is_demo
    assert SYNTHETIC in window.windowTitle()
    assert form.isVisible()
    assert form.widgets.study_id.text() == "REAL-01"


@pytest.mark.demo
def test_editing_a_demo_patient_asks_too(qtbot, window: MainWindow, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    patient = book.patient_by_study_id("DEMO-01")
    assert patient is not None
    window.controller.select_patient(patient.id)
    form = window.patient_view.edit_patient()
    assert form is not None
    type_into(qtbot, form.widgets.birth_year, "1961")
    answers.reply = QMessageBox.StandardButton.Yes
    save(qtbot, form)
    assert "synthetic demo series" in answers.questions[-1]
    assert book.patient(patient.id or 0).birth_year == 1961
    assert not book.settings().is_demo
