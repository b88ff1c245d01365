"""The assessment form is laid out by the measure registry: each measure in the box its form group
names, in registry order, and what is typed into each field is what the database stores."""

from __future__ import annotations

from datetime import date

from myocase.domain.measures import ULN_SUFFIX, FormGroup, in_group
from myocase.ui.forms.assessment_form import IN_ENTRIES
from myocase.ui.main_window import MainWindow
from PySide6.QtWidgets import QComboBox, QGroupBox

from tests.ui.test_records_gui import add_patient, save, type_into


def _open_form(qtbot, window: MainWindow):  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    assert form is not None
    form.show()
    qtbot.waitExposed(form)
    return pid, form


def test_each_measure_sits_in_the_box_its_form_group_names(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _, form = _open_form(qtbot, window)
    boxes = {box.title(): box for box in form.findChildren(QGroupBox)}
    in_order = [form.body.itemAt(n).widget().title() for n in range(form.body.count())]
    assert in_order == ["Visit", *(g.heading for g in FormGroup), "Notes"]
    for group in FormGroup:
        box = boxes[group.heading]
        typed = [m.field for m in in_group(group) if m.field not in IN_ENTRIES]
        for name in typed:
            assert box.isAncestorOf(form.widgets.measures[name]), f"{name} is not in “{group.heading}”"
        others = [b for title, b in boxes.items() if title != group.heading]
        assert not any(b.isAncestorOf(form.widgets.measures[name]) for b in others for name in typed)
    assert boxes[FormGroup.SKIN.heading].isAncestorOf(form.widgets.cdasi)
    assert boxes[FormGroup.MUSCLE.heading].isAncestorOf(form.widgets.mmt8)
    # within a box, the fields come in registry order (top to bottom)
    for group in (FormGroup.GLOBAL, FormGroup.TREATMENT, FormGroup.ENZYMES):
        tops = [
            form.widgets.measures[m.field].mapTo(form, form.widgets.measures[m.field].rect().topLeft()).y()
            for m in in_group(group)
        ]
        assert tops == sorted(tops), group
        assert len(set(tops)) == len(tops), group  # one row each


def test_typing_into_every_measure_field_stores_it(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid, form = _open_form(qtbot, window)
    type_into(qtbot, form.widgets.assessed_on, "2021-03-01")
    type_into(qtbot, form.widgets.cdasi.activity, "24")
    type_into(qtbot, form.widgets.cdasi.damage, "5")
    type_into(qtbot, form.widgets.mmt8.total, "71")
    maximum: QComboBox = form.widgets.mmt8.maximum
    maximum.setCurrentIndex(maximum.findData(80))
    typed: dict[str, float] = {}
    measures = [m for g in FormGroup for m in in_group(g) if m.field not in IN_ENTRIES]
    for n, measure in enumerate(measures):
        typed[measure.field] = round(1 + n / 10, 1)  # 1.0, 1.1, …: within every scale, and each its own
        if measure.uln:
            typed[measure.field + ULN_SUFFIX] = 100.0 + n
    for name, value in typed.items():
        type_into(qtbot, form.widgets.measures[name], f"{value:g}")
    save(qtbot, form)
    (stored,) = window.controller.book.assessments(pid)
    assert stored.assessed_on == date(2021, 3, 1)
    assert (stored.cdasi_activity, stored.cdasi_damage) == (24, 5)
    assert (stored.mmt8_total, stored.mmt8_max) == (71, 80)
    assert {name: getattr(stored, name) for name in typed} == typed
