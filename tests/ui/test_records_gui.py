"""Issue 2 through the real window: add, edit and delete every kind of record, check the database."""

from __future__ import annotations

from datetime import date

from myocase.domain.vocab import AeAction, AntibodyStatus, DrugClass, StopReason, Subtype
from myocase.services.help import SHORTCUTS
from myocase.ui.fields import ChoiceField
from myocase.ui.forms.base import RecordForm
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QMessageBox

from tests.ui.conftest import Answers


def type_into(qtbot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    line = (
        widget.line
        if hasattr(widget, "line")
        else widget.lineEdit()
        if isinstance(widget, QComboBox)
        else widget
    )
    line.clear()
    qtbot.keyClicks(line, text)


def choose(widget: ChoiceField | QComboBox, data: object) -> None:
    if isinstance(widget, ChoiceField):
        widget.set_value(data)  # type: ignore[arg-type]
    else:
        widget.setCurrentIndex(widget.findData(data))


def save(qtbot, form: RecordForm) -> None:  # type: ignore[no-untyped-def]
    assert form.save_button.isEnabled(), [label.text() for label in form.errors.values() if label.isVisible()]
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)


def add_patient(qtbot, window: MainWindow, study_id: str = "MYO-01") -> int:  # type: ignore[no-untyped-def]
    window.actions_["new_patient"].trigger()
    form = window.active_form
    assert form is not None
    assert form.isVisible()
    type_into(qtbot, form.widgets.study_id, study_id)
    choose(form.widgets.subtype, Subtype.ADM)
    type_into(qtbot, form.widgets.birth_year, "1971")
    type_into(qtbot, form.widgets.diagnosis_date, "2019-03")
    status, tested = form.widgets.antibodies["MDA5"]
    choose(status, AntibodyStatus.POSITIVE)
    type_into(qtbot, tested, "2019-04-02")
    type_into(qtbot, form.widgets.full_name, "Ana Ruiz")
    save(qtbot, form)
    patient = window.controller.book.patient_by_study_id(study_id)
    assert patient is not None
    assert patient.id is not None
    return patient.id


def test_add_edit_delete_every_record_through_the_forms(qtbot, window: MainWindow, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    assert window.right.currentWidget() is window.empty  # helpful empty state on a new database

    pid = add_patient(qtbot, window)
    patient = book.patient(pid)
    assert patient.subtype is Subtype.ADM
    assert patient.birth_year == 1971
    assert str(patient.diagnosis_date) == "2019-03"
    assert [(a.antibody, a.status, a.tested_on) for a in patient.antibodies] == [
        ("MDA5", AntibodyStatus.POSITIVE, date(2019, 4, 2))
    ]
    assert book.identifiers(pid).full_name == "Ana Ruiz"  # type: ignore[union-attr]
    assert window.right.currentWidget() is window.patient_view
    assert window.patients.visible_study_ids() == ["MYO-01"]

    window.actions_["new_course"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.drug, "tofacitinib")
    assert form.widgets.drug_class.value() is DrugClass.JAK  # the catalogue knows the drug's class
    assert form.widgets.dose.value() is None
    assert form.widgets.dose.line.placeholderText() == "usual 5"
    qtbot.mouseClick(form.usual, Qt.MouseButton.LeftButton)  # the user takes the usual dose
    assert (
        form.widgets.dose.value(),
        form.widgets.unit.currentText(),
        form.widgets.frequency.currentText(),
    ) == (
        5,
        "mg",
        "twice daily",
    )
    type_into(qtbot, form.widgets.start, "2020-01")
    type_into(qtbot, form.widgets.stop, "2021-02-28")
    choose(form.widgets.stop_reason, StopReason.INEFFICACY)
    save(qtbot, form)
    (course,) = book.courses(pid)
    assert (course.drug, str(course.start), str(course.stop), course.stop_reason) == (
        "tofacitinib",
        "2020-01",
        "2021-02-28",
        StopReason.INEFFICACY,
    )
    assert (course.dose, course.unit, course.frequency) == (5, "mg", "twice daily")

    window.actions_["new_assessment"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.assessed_on, "2021-03-01")
    type_into(qtbot, form.widgets.cdasi.activity, "24")
    type_into(qtbot, form.widgets.measures["ck"], "180")
    type_into(qtbot, form.widgets.measures["ck_uln"], "170")
    type_into(qtbot, form.widgets.measures["haq"], "0.75")
    save(qtbot, form)
    (assessment,) = book.assessments(pid)
    assert (assessment.assessed_on, assessment.cdasi_activity, assessment.ck, assessment.haq) == (
        date(2021, 3, 1),
        24,
        180.0,
        0.75,
    )
    assert window.patient_view.assessments.model.rowCount() == 1  # the list updated after the save

    window.actions_["new_event"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.term, "herpes zoster")
    form.widgets.grade.setCurrentIndex(form.widgets.grade.findData(2))
    type_into(qtbot, form.widgets.onset, "2021-06-01")
    choose(form.widgets.action, AeAction.NONE)
    save(qtbot, form)
    (event,) = book.adverse_events(pid)
    assert (event.term, event.grade, event.onset) == ("herpes zoster", 2, date(2021, 6, 1))

    # edit the assessment from its tab
    tab = window.patient_view.assessments
    tab.select(lambda a: True)
    tab.edit_button.click()
    form = window.active_form
    type_into(qtbot, form.widgets.cdasi.activity, "12")
    save(qtbot, form)
    assert [a.cdasi_activity for a in book.assessments(pid)] == [12]

    # delete the adverse event (asked once), then undo brings it back
    window.patient_view.events.select(lambda e: True)
    window.patient_view.events.delete_button.click()
    assert "Delete adverse event “herpes zoster”" in answers.questions[-1]
    assert book.adverse_events(pid) == []
    window.actions_["undo"].trigger()
    assert [e.term for e in book.adverse_events(pid)] == ["herpes zoster"]
    window.actions_["redo"].trigger()
    assert book.adverse_events(pid) == []


def test_bad_value_shows_its_message_and_saves_nothing(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    book = window.controller.book
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.assessed_on, "2021-03-01")
    type_into(qtbot, form.widgets.measures["haq"], "3.5")
    assert form.errors["haq"].isVisible()
    assert "between 0 and 3" in form.errors["haq"].text(), form.errors["haq"].text()
    assert not form.save_button.isEnabled()
    form.save()  # even a forced save writes nothing
    assert book.assessments(pid) == []
    type_into(qtbot, form.widgets.measures["haq"], "2.5")
    assert not form.errors["haq"].isVisible()
    assert form.save_button.isEnabled()

    window.actions_["new_course"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.drug, "methotrexate")
    type_into(qtbot, form.widgets.start, "2021-03-01")
    type_into(qtbot, form.widgets.stop, "2021-02")
    assert form.errors["stop"].text() == "⚠ Stop date is before the start date (2021-03-01)."
    assert not form.save_button.isEnabled()
    assert book.courses(pid) == []


def test_duplicate_study_id_is_shown_at_the_field(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    add_patient(qtbot, window, "MYO-01")
    window.actions_["new_patient"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.study_id, "myo-01")
    choose(form.widgets.subtype, Subtype.DM)
    form.save()
    assert "already used" in form.errors["study_id"].text()
    assert form.isVisible()
    assert window.controller.book.counts().patients == 1


def test_unsaved_edits_ask_before_closing(qtbot, window: MainWindow, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    window.actions_["new_patient"].trigger()
    form = window.active_form
    assert form.windowTitle() == "New patient"
    type_into(qtbot, form.widgets.study_id, "MYO-09")
    assert form.windowTitle() == "New patient *"
    answers.reply = QMessageBox.StandardButton.Cancel
    form.reject()
    assert form.isVisible()
    assert answers.questions[-1].startswith("This form has changes")
    answers.reply = QMessageBox.StandardButton.Discard
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible()
    assert window.controller.book.counts().patients == 0


def test_delete_patient_and_undo(qtbot, window: MainWindow, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.patient_view.delete_patient()
    assert "Delete patient MYO-01 and their 0 medication courses" in answers.questions[-1]
    assert window.controller.book.counts().patients == 0
    assert window.right.currentWidget() is window.empty
    window.actions_["undo"].trigger()
    assert window.controller.book.patient(pid).study_id == "MYO-01"
    assert window.controller.book.identifiers(pid).full_name == "Ana Ruiz"  # type: ignore[union-attr]


def test_window_says_demo_is_synthetic_and_shortcuts_exist(window: MainWindow) -> None:
    window.controller.load_demo()
    assert "[synthetic demo data]" in window.windowTitle()
    assert "SYNTHETIC DEMO DATA" in window.db_label.text()
    shortcuts = {name: action.shortcut().toString() for name, action in window.actions_.items()}
    assert shortcuts["new_patient"] == "Ctrl+N"
    assert shortcuts["find"] == "Ctrl+F"
    assert shortcuts["new_assessment"] == "Ctrl+Shift+A"
    assert shortcuts["undo"] == "Ctrl+Z"


def test_series_settings_form(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    form = window.edit_settings()
    type_into(qtbot, form.widgets.name, "Upadacitinib in DM")
    type_into(qtbot, form.widgets.cutoff, "2023-06-30")
    type_into(qtbot, form.widgets.index_drug, "upadacitinib")
    save(qtbot, form)
    settings = window.controller.book.settings()
    assert (settings.name, settings.cutoff) == ("Upadacitinib in DM", date(2023, 6, 30))
    assert settings.index_drug == "upadacitinib"
    assert "Upadacitinib in DM" in window.windowTitle()
    again = window.edit_settings()  # opened again: the settings as saved, not as first kept
    assert again.widgets.name.text() == "Upadacitinib in DM"
    assert again.widgets.cutoff.value() == date(2023, 6, 30)


def test_the_patient_form_shows_the_stored_identifiers_and_clears_them(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)  # with the full name Ana Ruiz
    window.actions_["edit_patient"].trigger()
    form = window.active_form
    assert form is not None
    assert form.widgets.full_name.text() == "Ana Ruiz"
    form.widgets.full_name.selectAll()
    qtbot.keyClick(form.widgets.full_name, Qt.Key.Key_Backspace)
    save(qtbot, form)
    stored = window.controller.book.identifiers(pid)
    assert stored is not None
    assert stored.is_empty  # the name is removed, not left standing because the form was emptied
    window.actions_["edit_patient"].trigger()
    assert window.active_form is not form
    assert window.active_form.widgets.full_name.text() == ""


def test_ctrl_s_saves_the_form(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    form = window.edit_settings()
    form.activateWindow()  # a shortcut works in the active window
    qtbot.waitUntil(form.isActiveWindow)
    type_into(qtbot, form.widgets.name, "Tofacitinib in DM")
    qtbot.keyClick(form.widgets.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.book.settings().name == "Tofacitinib in DM"
    assert not form.isVisible()


def test_cdasi_grid_and_mmt8_groups_are_entered_in_the_form_and_stored(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    book = window.controller.book
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    form.show()
    qtbot.waitExposed(form)
    type_into(qtbot, form.widgets.assessed_on, "2021-03-01")
    qtbot.mouseClick(form.widgets.cdasi.items_button, Qt.MouseButton.LeftButton)
    form.widgets.cdasi.grid_editor.table.setFocus()
    qtbot.keyClicks(
        form.widgets.cdasi.grid_editor.table, "3201"
    )  # scalp: erythema 3, scale 2, erosion 0, poikiloderma 1
    assert form.widgets.cdasi.activity.value() == 5
    assert "Severity: mild" in form.derived.text()
    qtbot.mouseClick(form.widgets.mmt8.items_button, Qt.MouseButton.LeftButton)
    for box in form.widgets.mmt8.groups.right:
        type_into(qtbot, box, "10")
    save(qtbot, form)
    (stored,) = book.assessments(pid)
    assert (stored.cdasi_activity, stored.cdasi_damage, stored.cdasi_source) == (5, 1, "grid")
    assert stored.cdasi_grid is not None
    assert stored.cdasi_grid.sites[0] == (3, 2, 0, 1, 0)
    assert (stored.mmt8_total, stored.mmt8_max, stored.mmt8_source) == (80, 80, "groups")

    # reopened, the grid is back; typing totals over it records the totals and drops the items
    window.patient_view.assessments.select(lambda a: True)
    window.patient_view.assessments.edit_button.click()
    form = window.active_form
    assert form.widgets.cdasi.itemised()
    assert form.widgets.cdasi.value()[2] == stored.cdasi_grid
    assert not form.dirty
    qtbot.mouseClick(form.widgets.cdasi.totals_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, form.widgets.cdasi.activity, "7")
    save(qtbot, form)
    (edited,) = book.assessments(pid)
    assert (edited.cdasi_activity, edited.cdasi_damage, edited.cdasi_source, edited.cdasi_grid) == (
        7,
        1,
        "totals",
        None,
    )
    assert edited.mmt8_groups == stored.mmt8_groups


def test_every_menu_shortcut_is_listed_in_the_help(window: MainWindow) -> None:
    listed = dict(SHORTCUTS)
    for name, action in window.actions_.items():
        for shortcut in action.shortcuts():
            assert shortcut.toString() in listed, f"{name} ({shortcut.toString()}) is missing from the help"


def test_the_window_layout_is_kept_between_sessions(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    first = MainWindow(controller)
    qtbot.addWidget(first)
    first.show()
    first.splitter.setSizes([300, 1100])
    first.patient_view.splitter.setSizes([200, 600])
    kept = (first.splitter.sizes(), first.patient_view.splitter.sizes())
    first.close()
    second = MainWindow(controller)
    qtbot.addWidget(second)
    second.show()
    assert second.splitter.sizes()[0] == kept[0][0]  # the patient list's width
    assert second.patient_view.splitter.sizes() == kept[1]  # records above, timeline below
