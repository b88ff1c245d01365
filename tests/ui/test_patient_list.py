"""The patient list: search and filters (subtype, antibody, any drug ever, status at the cut-off)."""

from __future__ import annotations

import pytest
from myocase.domain.records import IndexStatus
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import Qt


def _choose(combo, data) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


@pytest.mark.demo
def test_filters_narrow_the_patient_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.patients
    assert len(panel.visible_study_ids()) == 10
    qtbot.keyClicks(panel.search, "07")
    assert panel.visible_study_ids() == ["DEMO-07"]
    panel.search.clear()
    _choose(panel.subtype, "ASyS")
    assert panel.visible_study_ids() == ["DEMO-09", "DEMO-10"]
    panel.subtype.setCurrentIndex(0)
    _choose(panel.antibody, "TIF1-γ")
    assert panel.visible_study_ids() == ["DEMO-01", "DEMO-03"]
    panel.antibody.setCurrentIndex(0)
    assert panel.count.text() == "10 patients"


@pytest.mark.demo
def test_drug_filter_finds_any_drug_ever_received(window: MainWindow) -> None:
    panel = window.patients
    _choose(panel.drug, "tofacitinib")  # nobody is on it at the cut-off: all switched to upadacitinib
    book = window.controller.book
    expected = sorted(
        r.patient.study_id for r in book.patient_records() if any(c.drug == "tofacitinib" for c in r.courses)
    )
    assert panel.visible_study_ids() == expected
    assert len(expected) == 3
    assert not [s for s in book.patient_summaries() if "tofacitinib" in s.current_drugs]
    assert panel.count.text() == "3 of 10 patients"


@pytest.mark.demo
def test_status_at_the_cut_off(window: MainWindow) -> None:
    panel = window.patients
    labels = [panel.status.itemText(n) for n in range(panel.status.count())]
    assert labels == [
        "Any status at cut-off",
        "On upadacitinib",
        "Stopped upadacitinib",
        "Never on upadacitinib",
    ]
    _choose(panel.status, IndexStatus.STOPPED)
    assert panel.visible_study_ids() == ["DEMO-04"]  # stopped for acneiform eruption
    _choose(panel.status, IndexStatus.ON)
    assert len(panel.visible_study_ids()) == 9
    assert "DEMO-04" not in panel.visible_study_ids()


@pytest.mark.demo
def test_current_drugs_show_the_jak_inhibitor_first_with_the_whole_list_in_a_tooltip(
    window: MainWindow,
) -> None:
    panel = window.patients
    model, column = panel.model, [c.title for c in panel.model.columns].index("Current drugs")
    row = model.row_of(lambda s: s.study_id == "DEMO-01")
    assert row is not None
    text = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
    assert text.split(", ")[0] == "upadacitinib"
    assert len(text.split(", ")) >= 2
    tip = model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole)
    assert tip == f"On treatment at the data cut-off: {text}"
    study = model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert study == "DEMO-01"
