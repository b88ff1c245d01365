"""The analysis window shows what `myocase stats --json` prints; response criteria between two visits."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from app.cli import main
from app.domain.vocab import Subtype
from app.services import stats
from app.ui.main_window import MainWindow


@pytest.fixture
def demo_window(window: MainWindow) -> MainWindow:
    window.controller.load_demo()
    return window


def test_analysis_view_matches_stats_json(
    demo_window: MainWindow, capsys: pytest.CaptureFixture[str]
) -> None:
    view = demo_window.show_analysis()
    assert main(["stats", "--db", str(demo_window.controller.book.path), "--json", "--identified"]) == 0
    expected = json.loads(capsys.readouterr().out)
    model = view.model
    shown = [
        [model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]
    assert [row[0] for row in shown] == [p["patient"] for p in expected["patients"]]
    number = lambda text: float(text.replace("−", "-"))  # noqa: E731
    for row, patient in zip(shown, expected["patients"], strict=True):
        assert number(row[3]) == patient["baseline"] and number(row[5]) == patient["followup"]
        assert number(row[6]) == patient["change"] and row[8] == (
            "yes" if patient["meaningful_change"] else "no"
        )
    assert view.result is not None and stats.to_json(view.result) == expected
    summary = view.summary.toPlainText()
    assert "Wilcoxon signed-rank (exact): statistic 0, p = 0.0078" in summary
    assert "DEMO-09: subtype ASyS not in the analysis" in summary


def test_changing_settings_recomputes_and_saving_makes_them_the_default(demo_window: MainWindow) -> None:
    view = demo_window.show_analysis()
    view.panel.subtypes[Subtype.ADM].setChecked(False)
    assert view.model.rowCount() == 5  # DM only
    view.panel.test.setCurrentIndex(view.panel.test.findData("ttest"))
    assert view.result is not None and view.result.analysis.summary.test.name == "Paired t-test"
    view.save_button.click()
    stored = stats.load_settings(demo_window.controller.book)
    assert stored.subtypes == (Subtype.DM,) and stored.test.value == "ttest"
    demo_window.actions_["undo"].trigger()
    assert stats.load_settings(demo_window.controller.book).subtypes == (Subtype.DM, Subtype.ADM)


def test_double_clicking_a_row_selects_the_patient(qtbot, demo_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view = demo_window.show_analysis()
    view.table.selectRow(0)
    view._on_double_clicked()
    patient = demo_window.controller.book.patient(demo_window.controller.patient_id or 0)
    assert (
        patient.study_id
        == view.model.record_at(view.proxy.mapToSource(view.proxy.index(0, 0)).row()).study_id
    )


def test_response_criteria_between_two_assessments(demo_window: MainWindow) -> None:
    book = demo_window.controller.book
    demo_window.controller.select_patient(book.patient_by_study_id("DEMO-01").id)  # type: ignore[union-attr]
    view = demo_window.patient_view.show_response()
    assert view is not None
    text = view.text.toPlainText()
    assert "2019-05-23 → 2023-05-15" in text
    assert "Total Improvement Score" in text and "IMACS definition of improvement" in text
    assert "Physician global activity" in text and "exactly on a band edge falls in the lower band" in text
    view.base.setCurrentIndex(view.base.findText("2020-08-24"))
    assert "2020-08-24 → 2023-05-15" in view.text.toPlainText()
    view.close()


def test_cohort_plots_open_from_the_menu_and_a_click_selects_the_patient(
    qtbot, demo_window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    demo_window.actions_["cohort"].trigger()
    cohort = demo_window.cohort_window
    assert cohort is not None and cohort.isVisible()
    assert cohort.spaghetti.counts()["lines"] == 8
    cohort.tabs.setCurrentWidget(cohort.swimmer)
    qtbot.waitExposed(cohort.swimmer.graph)
    book = demo_window.controller.book
    demo_04 = book.patient_by_study_id("DEMO-04")
    assert demo_04 is not None
    qtbot.mouseClick(
        cohort.swimmer.graph.viewport(), Qt.MouseButton.LeftButton, pos=cohort.swimmer.row_pos("DEMO-04", 60)
    )
    assert demo_window.controller.patient_id == demo_04.id
    assert demo_window.show_cohort() is cohort  # one window, raised again
