"""One hit model: the timeline, the spaghetti and the swimmer plot name and open what is under the mouse
through the same ``Hit`` and ``HitMap``, so what a hover names is what a click opens."""

from __future__ import annotations

import math

import pytest
from myocase.domain.timeline import build_timeline
from myocase.ui.controller import Controller
from myocase.ui.figures.cohort_window import CohortWindow
from myocase.ui.figures.hits import Box, Hit, HitMap
from myocase.ui.figures.timeline import TimelinePlot
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

# ----------------------------------------------------------------- the hit map itself (1 px = 1 unit)


def test_the_nearest_marker_within_reach_answers_and_markers_on_one_place_answer_together() -> None:
    hits = HitMap()
    a, b, c = Hit("a", "assessment", 1), Hit("b", "assessment", 2), Hit("c", "assessment", 3)
    hits.add_spots([(0, 0, a), (10, 0, b), (10, 0, c)], 8, join=True)
    near_a = hits.find(3, 0, 1, 1)
    assert near_a is not None
    assert (near_a.text, near_a.kind, near_a.target) == ("a", "assessment", 1)
    found = hits.find(7, 0, 1, 1)
    assert found is not None
    assert (found.text, found.target) == ("b\n\nc", 2)  # both tooltips; a click opens the first
    assert found.area is not None
    assert (found.area.width(), found.area.center().x()) == (16, 7)  # the reach around the pointer
    assert hits.find(30, 0, 1, 1) is None


def test_a_marker_reach_is_in_pixels_whatever_the_scale() -> None:
    hits = HitMap()
    hits.add_spots([(100.0, 5.0, Hit("far"))], 7)
    assert hits.find(100.0 + 6 * 3.0, 5.0, 3.0, 0.1) is not None  # 6 px right at 3 units a pixel
    assert hits.find(100.0, 5.0 + 8 * 0.1, 3.0, 0.1) is None  # 8 px up at 0.1 unit a pixel


def test_the_nearest_line_answers_and_the_first_one_on_a_tie() -> None:
    hits = HitMap()
    hits.add_paths(
        [([0, 10], [0, 0], Hit("low")), ([0, 10], [4, 4], Hit("high")), ([0, 10], [2, 2], Hit("tie"))], 7
    )
    assert hits.find(5, 1.5, 1, 1) == Hit("tie")
    assert hits.find(5, 3.5, 1, 1) == Hit("high")
    assert hits.find(5, 1.0, 1, 1) == Hit("low")  # as near as "tie", registered first
    assert hits.find(5, 12, 1, 1) is None


def test_boxes_answer_in_order_with_margins_in_pixels() -> None:
    hits = HitMap()
    hits.add_boxes([Box(0, 10, 0, 1, Hit("bar"), (2, 2, 0)), Box(0, 20, 0, 1, Hit("under"))])
    assert hits.find(-1.5, 0.5, 1, 1) == Hit("bar")
    assert hits.find(15, 0.5, 1, 1) == Hit("under")
    assert hits.find(15, 2, 1, 1) is None


def test_markers_come_before_boxes_and_the_backdrop_answers_last_joined() -> None:
    hits = HitMap()
    hits.add_spots([(5, 5, Hit("point", "assessment", 7))], 8)
    hits.add_boxes([Box(0, 10, 4, 6, Hit("bar"))])
    line = Box(20, 20, -math.inf, math.inf, Hit("cut-off"), (4, 4, 0))
    phase = Box(0, 30, -math.inf, math.inf, Hit("phase"))
    hits.add_boxes([line, phase], backdrop=True)
    hits.add_boxes([Box(-math.inf, math.inf, 0, 50, Hit("mild")), Box(-math.inf, math.inf, 40, 60, Hit("x"))],
                   backdrop=True, every=True)  # fmt: skip
    assert hits.find(5, 5, 1, 1).target == 7  # type: ignore[union-attr]
    assert hits.find(8, 5, 1, 1).text == "point"  # type: ignore[union-attr]
    assert hits.find(9.5, 4.5, 0.5, 0.5) == Hit("bar")
    assert hits.find(21, 45, 1, 1) == Hit("cut-off\nmild\nx")  # the line, not the band under it
    assert hits.find(25, 30, 1, 1) == Hit("phase\nmild")
    before = [Box(24, 26, 29, 31, Hit("thumbnail", "photo", 3), area=True)]
    found = hits.find(25, 30, 1, 1, before)
    assert found is not None
    assert found.opens
    assert found.area == QRectF(24, 29, 2, 2)  # the tooltip stays while over the thumbnail


def test_only_an_assessment_a_photo_or_a_patient_opens() -> None:
    opening = [Hit("x", "assessment", 4), Hit("x", "patient", 0), Hit("x", "photo", 1)]
    named_only = [Hit("AE", "event", 4), Hit("band"), Hit("x", "patient", None)]
    assert [hit.opens for hit in opening] == [True, True, True]
    assert [hit.opens for hit in named_only] == [False, False, False]


# ----------------------------------------------------------------- the same item, hovered and clicked


@pytest.fixture
def demo(controller: Controller) -> Controller:
    return controller


def _hover_timeline(plot: TimelinePlot, pos: QPoint) -> str:
    viewport = plot.graphics.viewport()
    QTest.mouseMove(viewport, pos)
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos)))
    return QToolTip.text()


@pytest.mark.demo
def test_the_timeline_names_and_opens_the_point_under_the_mouse(qtbot: QtBot, demo: Controller) -> None:
    book = demo.book
    patient = book.patient_by_study_id("DEMO-04")
    assert patient is not None
    assert patient.id is not None
    record = book.patient_record(patient.id)
    settings = book.settings()
    spec = build_timeline(
        record.patient, record.courses, record.assessments, record.adverse_events, record.photos,
        settings, today=settings.cutoff,
    )  # fmt: skip
    plot = TimelinePlot()
    qtbot.addWidget(plot)
    plot.resize(1200, 800)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_spec(spec)
    track = spec.track("cdasi_activity")
    assert track is not None
    point = track.series[0].points[-1]
    pooled = plot.pooled("cdasi_activity")
    assert pooled is not None
    assert isinstance(pooled.hits, HitMap)
    QApplication.processEvents()
    pos = plot.graphics.mapFromScene(pooled.plot.vb.mapViewToScene(QPointF(point.x, point.y)))
    assert _hover_timeline(plot, pos) == point.tooltip
    assert plot.graphics.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor
    with qtbot.waitSignal(plot.assessment_clicked, timeout=2000) as clicked:
        QTest.mouseClick(
            plot.graphics.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos
        )
    assert clicked.args == [point.assessment_id]


def _open_cohort(qtbot: QtBot, controller: Controller) -> CohortWindow:
    window = CohortWindow(controller)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.mark.demo
def test_the_spaghetti_plot_names_and_opens_the_point_under_the_mouse(qtbot: QtBot, demo: Controller) -> None:
    window = _open_cohort(qtbot, demo)
    plot = window.spaghetti
    assert plot.spec is not None
    assert isinstance(plot.hits, HitMap)
    line = next(line for line in plot.spec.lines if line.study_id == "DEMO-02")
    point = line.points[-1]
    qtbot.mouseMove(plot.graph.viewport(), plot.widget_pos(point.x, point.y))
    qtbot.waitUntil(lambda: QToolTip.text() == point.tooltip, timeout=3000)
    with qtbot.waitSignal(plot.patient_clicked, timeout=3000) as clicked:
        qtbot.mouseClick(
            plot.graph.viewport(), Qt.MouseButton.LeftButton, pos=plot.widget_pos(point.x, point.y)
        )
    assert clicked.args == [line.patient_id]


@pytest.mark.demo
def test_the_swimmer_plot_names_and_opens_the_marker_under_the_mouse(qtbot: QtBot, demo: Controller) -> None:
    window = _open_cohort(qtbot, demo)
    window.tabs.setCurrentWidget(window.swimmer)
    plot = window.swimmer
    qtbot.waitExposed(plot.graph)
    assert plot.spec is not None
    assert all(isinstance(h, HitMap) for h in plot.rows_hits)
    n, row = next((n, r) for n, r in enumerate(plot.spec.rows) if r.discontinuation is not None)
    stop = row.discontinuation
    assert stop is not None
    pos = plot.widget_pos(stop.x, float(n))
    qtbot.mouseMove(plot.graph.viewport(), pos)
    qtbot.waitUntil(lambda: QToolTip.text() == f"{row.study_id}\n{stop.tooltip}", timeout=3000)
    with qtbot.waitSignal(plot.patient_clicked, timeout=3000) as clicked:
        qtbot.mouseClick(plot.graph.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert clicked.args == [row.patient_id]
