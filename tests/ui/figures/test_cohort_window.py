"""The cohort window draws the spaghetti and swimmer specs on screen, as the PDF does, and follows every save."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from myocase.domain.analysis import AnalysisSettings
from myocase.domain.analysis_json import settings_to_json
from myocase.domain.cohort_plots import PatientData, build_spaghetti
from myocase.domain.cohort_swimmer import build_swimmer
from myocase.domain.phases import index_course
from myocase.domain.records import Assessment
from myocase.domain.style import MEDIAN_LINE
from myocase.report.drawings import draw_spaghetti, draw_swimmer
from myocase.services import analysis_settings
from myocase.ui.controller import Controller
from myocase.ui.figures import cohort_window, export
from myocase.ui.figures.cohort_window import CohortWindow
from myocase.ui.plot_style import PX_PER_PT
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QToolTip

from tests.factories import make_assessment, make_course, make_patient


def open_window(qtbot, controller: Controller) -> CohortWindow:  # type: ignore[no-untyped-def]
    window = CohortWindow(controller)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def demo(qtbot, controller: Controller) -> CohortWindow:  # type: ignore[no-untyped-def]
    return open_window(qtbot, controller)


def patient_id(controller: Controller, study_id: str) -> int:
    patient = controller.book.patient_by_study_id(study_id)
    assert patient is not None
    assert patient.id is not None
    return patient.id


def click(qtbot, figure, pos: QPoint) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(figure.graph.viewport(), Qt.MouseButton.LeftButton, pos=pos)


@pytest.mark.demo
def test_spaghetti_draws_every_dm_adm_line_aligned_to_day_zero_and_the_median(demo: CohortWindow) -> None:
    book = demo.controller.book
    cutoff = book.settings().cutoff
    assert cutoff is not None
    records = book.patient_records()
    dm_adm = [PatientData.of(r) for r in records if r.patient.subtype.value in ("DM", "ADM")]
    expected = build_spaghetti(dm_adm, "cdasi_activity", "upadacitinib", cutoff)
    plot = demo.spaghetti
    spec = plot.spec
    assert spec is not None
    assert spec.lines == expected.lines
    assert spec.median == expected.median
    counts = plot.counts()
    assert counts["lines"] == len(spec.lines) == 8
    assert counts["median"] == len(spec.median) > 0
    assert counts["points"] == sum(len(line.points) for line in spec.lines)
    assert counts["bands"] == len(spec.bands) == 3
    assert counts["notes"] == len(spec.notes)
    printed = draw_spaghetti(spec, 480).counts  # the PDF draws the same lines and median
    assert (counts["lines"], counts["median"]) == (printed["lines"], printed["median"])
    by_study_id = {r.patient.study_id: r for r in records}
    for n, line in enumerate(spec.lines):
        xs, ys = plot.curve_data(n)
        assert xs == [p.x for p in line.points], line.study_id
        assert ys == [p.y for p in line.points], line.study_id
        record = by_study_id[line.study_id]
        course = index_course(record.courses, "upadacitinib")
        assert course is not None
        day0 = course.start.earliest()
        shown = [  # from 90 days before day 0 (the spec's default) to the cut-off
            a
            for a in record.assessments
            if a.cdasi_activity is not None and day0 - timedelta(days=90) <= a.assessed_on <= cutoff
        ]
        assert xs == [float((a.assessed_on - day0).days) for a in sorted(shown, key=lambda a: a.assessed_on)]
        assert min(xs) < 0 <= max(xs)  # a baseline before day 0, values on the drug after it
    median_x, median_y = plot.median_curve.getData()  # type: ignore[union-attr]
    assert list(median_x) == [m.x for m in spec.median]
    assert list(median_y) == [m.y for m in spec.median]
    assert plot.median_curve.opts["pen"].widthF() == pytest.approx(MEDIAN_LINE.line.width * PX_PER_PT)  # type: ignore[union-attr]
    assert plot.legend.labels == [e.label for e in spec.legend]
    assert "Median" in plot.legend.labels
    assert "Day 0: upadacitinib start" in plot.legend.labels
    assert "Median line: at day 0" in plot.notes.text()


@pytest.mark.demo
def test_hovering_shows_the_spec_tooltip_and_highlights_the_line(qtbot, demo: CohortWindow) -> None:  # type: ignore[no-untyped-def]
    plot = demo.spaghetti
    n = next(i for i, line in enumerate(plot.drawn_lines) if line.spec.study_id == "DEMO-01")
    width = plot.drawn_lines[n].curves[0].opts["pen"].widthF()
    qtbot.mouseMove(plot.graph.viewport(), plot.widget_pos(805, 8))
    qtbot.waitUntil(lambda: plot.drawn_lines[n].curves[0].opts["pen"].widthF() > width, timeout=3000)
    assert QToolTip.text() == "DEMO-01: 5 values, day −21 to 973"  # a true minus sign
    qtbot.mouseMove(plot.graph.viewport(), plot.widget_pos(900, 35))
    qtbot.waitUntil(lambda: plot.drawn_lines[n].curves[0].opts["pen"].widthF() == width, timeout=3000)
    assert plot.tooltip_at(plot.scene_pos(700, 10)).startswith("DEMO-02\nCDASI activity: 10 (mild)\n")
    assert plot.tooltip_at(plot.scene_pos(805, 8)) == "DEMO-01: 5 values, day −21 to 973"
    assert plot.tooltip_at(plot.scene_pos(0, 27)).startswith("Median 27 (IQR 23.5–30.5; n = 8)")
    assert plot.tooltip_at(plot.scene_pos(900, 35)) == ""


@pytest.mark.demo
def test_patients_without_the_index_drug_are_left_out_with_a_note(qtbot, controller: Controller) -> None:  # type: ignore[no-untyped-def]
    patient = controller.save_patient(make_patient("DEMO-11"), None)
    assert patient.id is not None
    controller.save_record(make_course(patient.id, drug="tofacitinib", start="2021-01-04"))
    controller.save_record(make_assessment(patient.id, on="2021-01-04", cdasi_activity=25))
    window = open_window(qtbot, controller)
    assert window.spaghetti.counts()["lines"] == 8
    assert window.spaghetti.counts()["excluded"] == 1
    assert "Not shown: DEMO-11: no upadacitinib course." in window.spaghetti.notes.text()
    assert window.swimmer.counts()["rows"] == 8
    assert window.swimmer.counts()["excluded"] == 1
    assert "Not shown: DEMO-11: no upadacitinib course." in window.swimmer.notes.text()
    assert window.spaghetti.notes.isVisible()
    assert window.swimmer.notes.isVisibleTo(window.swimmer)


@pytest.mark.demo
def test_swimmer_has_a_row_per_patient_one_stop_and_arrows_for_the_ongoing(demo: CohortWindow) -> None:
    book = demo.controller.book
    cutoff = book.settings().cutoff
    assert cutoff is not None
    dm_adm = [PatientData.of(r) for r in book.patient_records() if r.patient.subtype.value in ("DM", "ADM")]
    expected = build_swimmer(dm_adm, "upadacitinib", cutoff, group_label="DM + ADM patients")
    plot = demo.swimmer
    assert plot.spec == expected  # the window's group (DM + ADM), as for the spaghetti plot
    assert plot.title.text() == "Time on upadacitinib, DM + ADM patients"
    counts = plot.counts()
    assert counts["rows"] == len(expected.rows) == 8
    assert counts["discontinuations"] == 1
    assert counts["arrows"] == sum(r.bar.open_ended for r in expected.rows) == 7
    assert counts["events"] == sum(len(r.events) for r in expected.rows) > 0
    assert counts["bars"] == sum(1 + len(r.prior) for r in expected.rows)
    printed = draw_swimmer(expected, 480).counts
    assert {k: counts[k] for k in ("rows", "events", "discontinuations")} == {
        k: printed[k] for k in ("rows", "events", "discontinuations")
    }
    ticks = plot.plot.getAxis("left").spec_ticks  # the study IDs label the rows, top to bottom
    assert [label for _, label in ticks] == [r.study_id for r in expected.rows]
    assert [arrow.pos().x() for arrow in plot.arrows] == [
        r.bar.x_end for r in expected.rows if r.bar.open_ended
    ]
    stopped = next(r for r in expected.rows if r.discontinuation is not None)
    assert stopped.study_id == "DEMO-04"
    assert "upadacitinib stopped" in plot.legend.labels


@pytest.mark.demo
def test_clicking_a_spaghetti_line_chooses_its_patient(qtbot, demo: CohortWindow) -> None:  # type: ignore[no-untyped-def]
    controller = demo.controller
    demo.patient_chosen.connect(controller.select_patient)
    plot = demo.spaghetti
    with qtbot.waitSignal(demo.patient_chosen, timeout=3000) as blocker:
        click(qtbot, plot, plot.widget_pos(700, 10))  # DEMO-02's last value
    assert blocker.args == [patient_id(controller, "DEMO-02")]
    assert controller.patient_id == patient_id(controller, "DEMO-02")
    with qtbot.waitSignal(plot.patient_clicked, timeout=3000) as blocker:
        click(qtbot, plot, plot.widget_pos(805, 8))  # on DEMO-01's line between two values
    assert blocker.args == [patient_id(controller, "DEMO-01")]
    with qtbot.assertNotEmitted(demo.patient_chosen):
        click(qtbot, plot, plot.widget_pos(900, 35))  # empty space
        click(qtbot, plot, plot.widget_pos(0, 27))  # the median belongs to nobody


@pytest.mark.demo
def test_clicking_a_swimmer_bar_chooses_its_patient(qtbot, demo: CohortWindow) -> None:  # type: ignore[no-untyped-def]
    demo.tabs.setCurrentWidget(demo.swimmer)
    qtbot.waitExposed(demo.swimmer.graph)
    plot = demo.swimmer
    with qtbot.waitSignal(demo.patient_chosen, timeout=3000) as blocker:
        click(qtbot, plot, plot.row_pos("DEMO-04", 60))
    assert blocker.args == [patient_id(demo.controller, "DEMO-04")]
    with qtbot.waitSignal(demo.patient_chosen, timeout=3000) as blocker:
        click(qtbot, plot, plot.row_pos("DEMO-01", -200))  # on the earlier tofacitinib phase
    assert blocker.args == [patient_id(demo.controller, "DEMO-01")]
    with qtbot.assertNotEmitted(demo.patient_chosen):
        click(qtbot, plot, plot.row_pos("DEMO-08", 700))  # right of the bar: nothing there
    stop = plot.scene_pos(
        195, plot.spec.rows.index(next(r for r in plot.spec.rows if r.study_id == "DEMO-04"))
    )  # type: ignore[union-attr]
    assert plot.tooltip_at(stop).startswith("DEMO-04\nupadacitinib stopped day +195")


@pytest.mark.demo
def test_a_saved_assessment_redraws_the_spaghetti_plot(demo: CohortWindow) -> None:
    controller = demo.controller
    pid = patient_id(controller, "DEMO-02")
    before = demo.spaghetti.counts()["points"]
    n = next(i for i, line in enumerate(demo.spaghetti.spec.lines) if line.study_id == "DEMO-02")  # type: ignore[union-attr]
    controller.save_record(Assessment(patient_id=pid, assessed_on=date(2023, 5, 2), cdasi_activity=4))
    assert demo.spaghetti.counts()["points"] == before + 1
    xs, ys = demo.spaghetti.curve_data(n)
    day = float((date(2023, 5, 2) - date(2020, 11, 2)).days)  # DEMO-02 started upadacitinib 2020-11-02
    assert (xs[-1], ys[-1]) == (day, 4.0)
    controller.undo_stack.undo()
    assert demo.spaghetti.counts()["points"] == before


@pytest.mark.demo
def test_the_window_is_rebuilt_when_hidden_only_on_showing(qtbot, demo: CohortWindow) -> None:  # type: ignore[no-untyped-def]
    demo.hide()
    pid = patient_id(demo.controller, "DEMO-03")
    before = demo.spaghetti.counts()["points"]
    demo.controller.save_record(Assessment(patient_id=pid, assessed_on=date(2023, 6, 1), cdasi_activity=3))
    demo.show()
    qtbot.waitExposed(demo)
    assert demo.spaghetti.counts()["points"] == before + 1


@pytest.mark.demo
def test_a_photo_change_leaves_the_figures_and_a_record_change_redraws_them(
    qtbot, controller: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    open_window(qtbot, controller)
    built: list[AnalysisSettings] = []
    real = cohort_window.cohort_figures
    monkeypatch.setattr(
        cohort_window,
        "cohort_figures",
        lambda book, settings: (built.append(settings), real(book, settings))[1],
    )
    pid = patient_id(controller, "DEMO-01")
    photo = controller.book.photos(pid)[0]
    controller.save_photo(replace(photo, caption="Right hand, closer"))
    assert controller.book.photos(pid)[0].caption == "Right hand, closer"
    assert built == []  # nothing the figures show changed
    controller.save_record(Assessment(patient_id=pid, assessed_on=date(2023, 6, 1), cdasi_activity=3))
    assert len(built) == 1


@pytest.mark.demo
def test_saved_settings_reach_the_window(qtbot, controller: Controller) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, controller)
    assert window.spaghetti.spec is not None
    assert window.spaghetti.spec.bands[0].label == "Mild ≤ 14"
    stored = controller.analysis_settings()
    milder = replace(stored, severity=replace(stored.severity, mild_max=10))
    controller.save_preference(
        analysis_settings.PREFERENCE_KEY, settings_to_json(milder), "Analysis settings saved"
    )
    assert window.spaghetti.spec.bands[0].label == "Mild ≤ 10"  # the analysis settings, read anew
    controller.save_settings(replace(controller.settings(), name="Renamed series", index_drug="tofacitinib"))
    assert window.windowTitle() == "Cohort — Renamed series [synthetic demo data]"
    assert "<b>tofacitinib</b>" in window.drug.text()
    assert window.swimmer.spec is not None
    assert window.swimmer.spec.index_drug == "tofacitinib"


@pytest.mark.demo
def test_measure_and_group_choices_redraw(demo: CohortWindow) -> None:
    assert demo.measure.currentData() == "cdasi_activity"
    assert demo.group.currentText() == "DM + ADM"
    demo.group.setCurrentIndex(demo.group.findText("All patients"))
    spec = demo.spaghetti.spec
    assert spec is not None
    assert spec.group_label == "All patients"
    assert demo.spaghetti.counts()["lines"] + demo.spaghetti.counts()["excluded"] == 10
    assert demo.spaghetti.title.text() == spec.title
    demo.measure.setCurrentIndex(demo.measure.findData("mmt8_total"))
    spec = demo.spaghetti.spec
    assert spec is not None
    assert spec.measure == "mmt8_total"
    assert spec.bands == ()
    assert demo.spaghetti.counts()["bands"] == 0
    assert demo.swimmer.counts()["rows"] == 10  # the swimmer follows the group: all ten now
    demo.group.setCurrentIndex(demo.group.findText("DM + ADM"))
    assert demo.swimmer.counts()["rows"] == 8
    assert demo.swimmer.spec.group_label == "DM + ADM patients"
    demo.group.setCurrentIndex(demo.group.findData(["ASyS"]))
    swimmer = demo.swimmer.spec
    assert swimmer is not None
    assert {r.study_id for r in swimmer.rows} == {"DEMO-09", "DEMO-10"}


def test_empty_database_teaches_then_fills_in(qtbot, controller: Controller) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, controller)
    assert window.stack.currentWidget() is window.empty
    assert "No patients yet" in window.empty.text()
    assert "demo" in window.empty.text()
    assert not window.export_button.isEnabled()
    assert window.windowTitle() == "Cohort — Test series"
    controller.load_demo()
    assert window.stack.currentWidget() is window.tabs
    assert window.spaghetti.counts()["lines"] == 8
    assert window.windowTitle().startswith("Cohort — SYNTHETIC DEMO")


@pytest.mark.demo
def test_export_png_of_each_tab(demo: CohortWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    targets = iter([tmp_path / "spaghetti", tmp_path / "swimmer.png"])
    monkeypatch.setattr(export, "file_dialog", lambda *a, **k: (str(next(targets)), ""))
    demo.export_button.click()
    demo.tabs.setCurrentWidget(demo.swimmer)
    demo.export_button.click()
    for name, figure in (("spaghetti.png", demo.spaghetti), ("swimmer.png", demo.swimmer)):
        image = QImage(str(tmp_path / name))
        assert not image.isNull(), name
        assert image.width() >= figure.width() * 0.9, name


@pytest.mark.demo
def test_escape_closes_the_window(qtbot, demo: CohortWindow) -> None:  # type: ignore[no-untyped-def]
    demo.activateWindow()
    qtbot.waitActive(demo)
    qtbot.keyClick(demo, Qt.Key.Key_Escape)
    assert not demo.isVisible()


@pytest.mark.demo
def test_spaghetti_names_keep_clear_of_each_other_and_of_the_band_names(demo: CohortWindow) -> None:
    plot = demo.spaghetti
    plot.graph.grab()  # laid out and painted, as the user sees it
    names = [item for item, _ in plot.end_labels]
    assert len(names) == 9
    assert names[0].textItem.toPlainText() == "Median"
    drawn = [item.textItem.sceneBoundingRect() for item in names + plot.band_labels]
    for n, rect in enumerate(drawn):
        assert not [other for other in drawn[n + 1 :] if rect.intersects(other)], n


@pytest.mark.demo
def test_a_large_series_is_drawn_in_the_background_as_a_small_one_is_at_once(
    qtbot, controller: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    at_once = open_window(qtbot, controller)
    monkeypatch.setattr(CohortWindow, "background_from", 0)  # every series counts as large
    gate, real = threading.Event(), cohort_window.cohort_figures

    def gated(*args: Any) -> Any:
        gate.wait(10)
        return real(*args)

    monkeypatch.setattr(cohort_window, "cohort_figures", gated)
    window = open_window(qtbot, controller)
    qtbot.waitUntil(lambda: window.busy.isVisible() and window.busy.running)
    assert window.spaghetti.spec is None  # nothing drawn yet; the window answers meanwhile
    assert not window.export_button.isEnabled()  # nothing to export yet
    gate.set()
    qtbot.waitUntil(lambda: not window.busy.isVisible(), timeout=20_000)
    assert window.spaghetti.spec == at_once.spaghetti.spec  # drawn from the same specs
    assert window.export_button.isEnabled()
    assert window.swimmer.spec == at_once.swimmer.spec
    assert len(window.spaghetti.graph.plotItem.listDataItems()) == len(
        at_once.spaghetti.graph.plotItem.listDataItems()
    )
    gate.clear()
    window.measure.setCurrentIndex(window.measure.findData("mmt8_total"))  # a new run…
    qtbot.waitUntil(lambda: window.busy.running)
    qtbot.mouseClick(window.busy.cancel_button, Qt.MouseButton.LeftButton)  # …cancelled
    gate.set()
    qtbot.waitUntil(lambda: not window.busy.running, timeout=20_000)
    assert window.spaghetti.spec == at_once.spaghetti.spec  # what was drawn before stays
    assert window.export_button.isEnabled()  # and can be exported
