"""A form saved over someone else's change, or over their delete (issue 15, item 1): the conflict dialog shows
field by field what is stored now and what was typed, and the user keeps theirs, takes what is stored, or
re-creates a deleted record. The other editor is another process on the same series."""

from __future__ import annotations

from myocase.domain.records import Assessment
from myocase.store.casebook import Casebook
from myocase.ui.conflict_dialog import Choice, ConflictDialog
from myocase.ui.forms.base import RecordForm
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import Qt

from tests.factories import make_assessment, make_patient
from tests.store.test_conflicts import other_process
from tests.ui.conftest import Answers
from tests.ui.test_records_gui import save, type_into


def open_assessment(qtbot, window: MainWindow) -> tuple[Assessment, RecordForm]:  # type: ignore[no-untyped-def]
    """A stored assessment (physician global 6.4) open in its form, the global retyped as 7."""
    book = window.controller.book
    pid = book.save_patient(make_patient()).id or 0
    assessment = book.save(make_assessment(pid, physician_global=6.4))
    window.controller.select_patient(pid)
    tab = window.patient_view.assessments
    tab.select(lambda a: True)
    tab.edit_button.click()
    form = window.active_form
    type_into(qtbot, form.widgets.measures["physician_global"], "7")
    return assessment, form


def saved_after_another_edit(qtbot, window: MainWindow) -> tuple[Casebook, Assessment, RecordForm]:  # type: ignore[no-untyped-def]
    """The form saved after another process set the physician global to 9.9: the conflict dialog is open."""
    book = window.controller.book
    assessment, form = open_assessment(qtbot, window)
    other_process(book, "set-global", assessment.id, 9.9)
    save(qtbot, form)
    return book, assessment, form


def press(qtbot, dialog: ConflictDialog | None, choice: Choice) -> None:  # type: ignore[no-untyped-def]
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.buttons[choice], Qt.MouseButton.LeftButton)


def cells(dialog: ConflictDialog) -> list[list[str]]:
    table = dialog.table
    return [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]


def test_keep_mine_saves_over_the_other_editors_value_after_showing_it(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book, assessment, form = saved_after_another_edit(qtbot, window)
    dialog = form.conflict_dialog
    assert cells(dialog) == [["Physician global activity", "9.9", "7"]]  # stored now | typed
    assert "changed by" in dialog.explanation.text()
    assert [a.physician_global for a in book.assessments(assessment.patient_id)] == [9.9]  # nothing yet
    assert form.isVisible()
    press(qtbot, dialog, Choice.KEEP_MINE)
    assert [a.physician_global for a in book.assessments(assessment.patient_id)] == [7.0]
    assert not form.isVisible()


def test_take_theirs_closes_the_form_and_keeps_what_is_stored(
    qtbot, window: MainWindow, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    book, assessment, form = saved_after_another_edit(qtbot, window)
    press(qtbot, form.conflict_dialog, Choice.TAKE_THEIRS)
    assert not form.isVisible()
    assert answers.questions == []  # no "discard changes?" after the user chose
    assert [a.physician_global for a in book.assessments(assessment.patient_id)] == [9.9]


def test_cancel_keeps_the_form_open_with_what_was_typed(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book, assessment, form = saved_after_another_edit(qtbot, window)
    press(qtbot, form.conflict_dialog, Choice.CANCEL)
    assert form.isVisible()
    assert form.widgets.measures["physician_global"].line.text() == "7"
    assert [a.physician_global for a in book.assessments(assessment.patient_id)] == [9.9]


def test_an_edit_of_a_deleted_record_offers_to_re_create_it(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    assessment, form = open_assessment(qtbot, window)
    other_process(book, "delete-assessment", assessment.id)
    save(qtbot, form)
    dialog = form.conflict_dialog
    assert "was deleted by" in dialog.explanation.text()
    assert not dialog.table.isVisible()
    assert book.assessments(assessment.patient_id) == []
    press(qtbot, dialog, Choice.RECREATE)
    (again,) = book.assessments(assessment.patient_id)
    assert (again.physician_global, again.assessed_on) == (7.0, assessment.assessed_on)
    assert again.id != assessment.id


def test_deleting_a_record_someone_changed_shows_it_and_asks_again(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    pid = book.save_patient(make_patient()).id or 0
    assessment = book.save(make_assessment(pid, physician_global=6.4))
    window.controller.select_patient(pid)
    other_process(book, "set-global", assessment.id, 9.9)  # the window has not looked again yet
    tab = window.patient_view.assessments
    tab.select(lambda a: True)
    tab.delete_button.click()
    dialog = window.patient_view.conflict_dialog
    assert cells(dialog) == [["Physician global activity", "9.9", "6.4"]]  # stored now | as seen
    assert [a.physician_global for a in book.assessments(pid)] == [9.9]
    press(qtbot, dialog, Choice.DELETE_ANYWAY)
    assert book.assessments(pid) == []
    window.actions_["undo"].trigger()  # undo brings back what was deleted: the other editor's value
    assert [a.physician_global for a in book.assessments(pid)] == [9.9]


def test_enter_in_the_dialog_changes_nothing(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book, assessment, form = saved_after_another_edit(qtbot, window)
    dialog = form.conflict_dialog
    assert dialog.buttons[Choice.CANCEL].isDefault()  # not "Keep mine": overwriting takes a click
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert form.isVisible()
    assert [a.physician_global for a in book.assessments(assessment.patient_id)] == [9.9]
