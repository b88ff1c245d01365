"""The analysis window shows what `myocase stats --json` prints; response criteria between two visits."""

from __future__ import annotations

import json

import pytest
from myocase.cli import main
from myocase.domain.analysis import CountSummary
from myocase.domain.scores import ChangeRule, RuleKind
from myocase.domain.vocab import Subtype
from myocase.services import stats
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import Qt


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
        criteria = " and ".join(patient["meaningful_criteria"])
        assert number(row[6]) == patient["change"]
        assert row[8] == f"{'yes' if patient['meaningful_change'] else 'no'} ({criteria})"
    assert view.result is not None and stats.to_json(view.result) == expected
    summary = view.summary.toPlainText()
    assert "Wilcoxon signed-rank (exact): statistic 0, p = 0.0078" in summary
    assert "DEMO-09: subtype ASyS not in the analysis" in summary
    outcome, summary = expected["outcome"], " ".join(summary.split())
    low, high = (f"{v:g}".replace("-", "−") for v in outcome["change_iqr"])
    assert f"Change, median (IQR) {outcome['median_change']:g} ({low} to {high})".replace("-", "−") in summary
    assert (
        f"Meaningful improvement {outcome['meaningful_change']} of {outcome['n']} (either criterion)"
        in summary
    )


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


def _choose(qtbot, combo, text: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an entry of a drop-down with the keyboard, as a user would."""
    combo.setFocus()
    while combo.currentText() != text:
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentIndex() != before, f"{text!r} is not in the list"


def _retype(qtbot, field, text: str) -> None:  # type: ignore[no-untyped-def]
    field.line.selectAll()
    qtbot.keyClicks(field.line, text)


def test_rule_and_count_choices_change_the_results_and_are_saved(qtbot, demo_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view = demo_window.show_analysis()
    panel = view.panel
    summary = lambda: " ".join(view.summary.toPlainText().split())  # noqa: E731
    assert "Prior immunosuppressants median 4 (range 3 to 5)" in summary()
    assert "Meaningful improvement 8 of 8 (either criterion)" in summary()
    _choose(qtbot, panel.rule, "points only")
    _retype(qtbot, panel.numbers["points"], "20")
    assert "Meaningful improvement 2 of 8 (points only)" in summary()  # falls of 24 and 26 points
    column = [view.model.data(view.model.index(r, 8)) for r in range(view.model.rowCount())]
    assert column[:2] == ["yes (points and percent)", "no (meets percent)"]
    assert (
        "Meaningful change in CDASI activity (points only): a change meeting the points criterion "
        "(≥ 20 points, Anyanwu 2015)" in summary()
    )  # the method states the rule with its number
    assert panel.rule_text.text().startswith("Meaningful change in CDASI activity (points only)")
    _choose(qtbot, panel.counts, "mean (range)")
    assert "Prior immunosuppressants mean 4 (range 3 to 5)" in summary()
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    stored = stats.load_settings(demo_window.controller.book)
    assert stored.change_rule == ChangeRule(points=20, kind=RuleKind.POINTS)
    assert stored.count_summary is CountSummary.MEAN


def test_a_setting_that_cannot_be_used_is_named_and_not_saved(qtbot, demo_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view = demo_window.show_analysis()
    _retype(qtbot, view.panel.numbers["window_before"], "400")  # 4 and 40 are usable on the way
    assert "Days before the start" in view.panel.problem.text() and not view.save_button.isEnabled()
    assert view.result is not None and view.result.analysis.settings.window_before == 40  # the last usable
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert stats.load_settings(demo_window.controller.book).window_before == 90
    _retype(qtbot, view.panel.numbers["window_before"], "60")
    assert view.panel.problem.text() == "" and view.save_button.isEnabled()
    assert view.result is not None and view.result.analysis.settings.window_before == 60
