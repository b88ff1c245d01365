"""Numbers in the window are written by ``domain/numbers.py``: true minus signs, signed changes,
typed values as typed (no exponent, no rounding)."""

from __future__ import annotations

from myocase.domain.scores import SeverityBands
from myocase.ui.main_window import MainWindow
from myocase.ui.models import assessment_columns

from tests.factories import make_assessment
from tests.ui.test_records_gui import add_patient, type_into


def test_the_change_since_the_last_assessment_is_signed_with_a_true_minus(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(qtbot, window)
    window.controller.save_record(make_assessment(pid, on="2021-01-04", cdasi_activity=20))
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    type_into(qtbot, form.widgets.assessed_on, "2021-03-01")
    type_into(qtbot, form.widgets.cdasi.activity, "16")
    assert "Since 2021-01-04 (20): −4 (−20 %)," in form.derived.text()  # U+2212, not a hyphen
    type_into(qtbot, form.widgets.cdasi.activity, "25")
    assert "Since 2021-01-04 (20): +5 (+25 %)," in form.derived.text()


def test_the_assessment_table_shows_values_as_typed() -> None:
    columns = {column.title: column for column in assessment_columns(SeverityBands())}
    ck = make_assessment(1, cdasi_activity=None, ck=1_000_000, ck_uln=160)
    assert columns["CK"].text(ck) == "1,000,000 (6250× ULN)"  # ":g" wrote "1e+06 (6250.0× ULN)"
    haq = make_assessment(1, cdasi_activity=None, haq=1.375, prednisone_mg=7.25)
    assert columns["HAQ-DI"].text(haq) == "1.375"
    assert columns["Pred mg/d"].text(haq) == "7.25"
