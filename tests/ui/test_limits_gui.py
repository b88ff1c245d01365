"""A text longer than the series can hold is named under its field as it is typed, and cannot be saved."""

from __future__ import annotations

from myocase.domain.vocab import DrugClass
from myocase.ui.main_window import MainWindow

from tests.factories import make_patient
from tests.ui.test_records_gui import choose, type_into


def test_a_drug_name_too_long_is_named_under_the_field_and_cannot_be_saved(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    pid = book.save_patient(make_patient()).id
    window.controller.select_patient(pid)
    window.actions_["new_course"].trigger()
    form = window.active_form
    assert form is not None
    type_into(qtbot, form.widgets.drug, "x" * 81)
    choose(form.widgets.drug_class, DrugClass.OTHER)
    type_into(qtbot, form.widgets.start, "2021-03-01")
    assert form.errors["drug"].text() == "⚠ Drug must be at most 80 characters (this one has 81)."
    assert not form.save_button.isEnabled()
    type_into(qtbot, form.widgets.drug, "x" * 80)
    assert not form.errors["drug"].isVisible()
    assert form.save_button.isEnabled()
    assert book.courses(pid) == []
