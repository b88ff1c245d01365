"""The on-screen timeline draws every element of the spec, and its points, photos and toolbar work."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pyqtgraph as pg
import pytest
from myocase.domain.style import FillStyle
from myocase.domain.timeline import TimelineSpec, XMode, build_timeline
from myocase.store.casebook import Casebook
from myocase.ui.controller import Controller
from myocase.ui.figures import export
from myocase.ui.figures.timeline import EMPTY_TEXT, TimelinePlot
from myocase.ui.figures.timeline_layer import TICK_PX
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QHelpEvent, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from tests.factories import make_assessment, make_course, make_patient
from tests.report.test_drawings import spec_counts
from tests.ui.conftest import Answers


def _spec(
    book: Casebook, study_id: str, x_mode: XMode = "date", index_drug: str | None = None
) -> TimelineSpec:
    settings = book.settings()
    if index_drug is not None:
        settings = replace(settings, index_drug=index_drug)
    patient = book.patient_by_study_id(study_id)
    assert patient is not None
    assert patient.id is not None
    record = book.patient_record(patient.id)
    return build_timeline(
        record.patient, record.courses, record.assessments, record.adverse_events, record.photos,
        settings, x_mode=x_mode, today=settings.cutoff,
    )  # fmt: skip


@pytest.fixture
def demo(controller: Controller) -> Casebook:
    return controller.book


@pytest.fixture
def plot(qtbot: QtBot) -> TimelinePlot:
    widget = TimelinePlot()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _at(plot: TimelinePlot, item: pg.PlotItem, x: float, y: float) -> QPoint:
    """The viewport position of data coordinates (x, y) in a plot item."""
    QApplication.processEvents()
    return plot.graphics.mapFromScene(item.vb.mapViewToScene(QPointF(x, y)))


def _marker_y(plot: TimelinePlot, kind: str) -> float:
    """The row (view y) of the lanes' markers of ``kind`` ("event" or "photo"), from its hit map."""
    return next(rect.y() for rect, hit in plot.lanes.hits.located() if hit.kind == kind)


def _hover(plot: TimelinePlot, pos: QPoint) -> str:
    viewport = plot.graphics.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos)))
    return QToolTip.text()


@pytest.mark.demo
def test_counts_match_the_spec_for_the_demo_patients(demo: Casebook, plot: TimelinePlot) -> None:
    # DEMO-01: tofacitinib then upadacitinib; DEMO-04: upadacitinib stopped for a grade 3 acneiform eruption
    for study_id in ("DEMO-01", "DEMO-04"):
        for x_mode in ("date", "index_days"):
            spec = _spec(demo, study_id, x_mode)
            plot.set_spec(spec)
            assert plot.counts() == {k: v for k, v in spec_counts(spec).items() if v}, (study_id, x_mode)
    assert plot.counts()["events"] == 1  # DEMO-04's eruption
    assert plot.legend.shown() == [entry.label for entry in spec.legend]
    assert "CDASI activity bands" in plot.notes.text()


@pytest.mark.demo
def test_the_axes_show_the_spec_ticks_and_ranges(demo: Casebook, plot: TimelinePlot) -> None:
    spec = _spec(demo, "DEMO-01")
    plot.set_spec(spec)
    bottom = plot.track_plot(spec.tracks[-1].key)
    assert bottom is not None
    assert bottom.getAxis("bottom").isVisible()
    assert bottom.getAxis("bottom").spec_ticks == [(t.x, t.label) for t in spec.ticks]
    assert not plot.track_plot(spec.tracks[0].key).getAxis("bottom").isVisible()  # type: ignore[union-attr]
    x_low, x_high = plot.lanes.plot.vb.viewRange()[0]
    assert (x_low, x_high) == pytest.approx(spec.x_range)
    cdasi = plot.track_plot("cdasi_activity")
    assert cdasi is not None
    low, high = cdasi.vb.viewRange()[1]
    assert low <= 0
    assert high >= spec.track("cdasi_activity").y.range[1]


@pytest.mark.demo
def test_clicking_a_point_opens_its_assessment(demo: Casebook, plot: TimelinePlot, qtbot: QtBot) -> None:
    spec = _spec(demo, "DEMO-01")
    plot.set_spec(spec)
    track = spec.track("cdasi_activity")
    assert track is not None
    point = track.series[0].points[1]
    item = plot.track_plot("cdasi_activity")
    pos = _at(plot, item, point.x, point.y)
    with qtbot.waitSignal(plot.assessment_clicked, timeout=2000) as clicked:
        QTest.mouseClick(
            plot.graphics.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos
        )
    assert clicked.args == [point.assessment_id]
    assert point.tooltip in _hover(plot, pos)


@pytest.mark.demo
def test_clicking_a_photo_opens_it_and_hovering_shows_its_thumbnail(
    demo: Casebook, plot: TimelinePlot, qtbot: QtBot
) -> None:
    spec = _spec(demo, "DEMO-01")
    asked: list[int] = []

    def thumbnail(photo_id: int) -> bytes:
        asked.append(photo_id)
        return demo.photo_thumbnail(photo_id)

    plot.set_spec(spec, thumbnail)
    photo = spec.photos[1]
    pos = _at(plot, plot.lanes.plot, photo.x, _marker_y(plot, "photo"))
    with qtbot.waitSignal(plot.photo_clicked, timeout=2000) as clicked:
        QTest.mouseClick(
            plot.graphics.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos
        )
    assert clicked.args == [photo.photo_id]
    for _ in range(2):
        text = _hover(plot, pos)
        assert "data:image/png;base64," in text
        assert "dorsum of hand" in text
    assert asked == [p.photo_id for p in spec.strip.photos]  # read once each, for the strip and the tooltips


@pytest.mark.demo
def test_hovering_a_bar_or_an_event_shows_the_spec_tooltip(demo: Casebook, plot: TimelinePlot) -> None:
    spec = _spec(demo, "DEMO-04")
    plot.set_spec(spec)
    lanes = plot.lanes.plot
    bar = next(b for b in spec.bars if b.drug == "upadacitinib")
    box = next(rect for rect, hit in plot.lanes.hits.located() if hit.text == bar.tooltip)
    assert _hover(plot, _at(plot, lanes, box.center().x(), box.center().y())) == bar.tooltip
    assert "Stop reason: Adverse event" in bar.tooltip
    event = spec.events[0]
    assert _hover(plot, _at(plot, lanes, event.x, _marker_y(plot, "event"))) == event.tooltip


@pytest.mark.demo
def test_the_time_axis_toggle_asks_for_days_from_the_index_start(
    demo: Casebook, plot: TimelinePlot, qtbot: QtBot
) -> None:
    plot.set_spec(_spec(demo, "DEMO-01"))
    assert plot.toolbar.dates_button.isChecked()
    assert plot.toolbar.days_button.isEnabled()
    assert plot.toolbar.days_button.accessibleName() == "Days from upadacitinib start"
    assert plot.toolbar.days_button.text() == "Days"
    with qtbot.waitSignal(plot.x_mode_changed, timeout=1000) as changed:
        qtbot.mouseClick(plot.toolbar.days_button, Qt.MouseButton.LeftButton)
    assert changed.args == ["index_days"]
    plot.set_spec(_spec(demo, "DEMO-01", "index_days"))
    assert plot.toolbar.days_button.isChecked()
    plot.set_spec(_spec(demo, "DEMO-01", index_drug="baricitinib"))  # no index course: the first treatment
    assert plot.toolbar.days_button.isEnabled()
    assert plot.toolbar.dates_button.isChecked()
    assert plot.toolbar.days_button.accessibleName() == "Days from first treatment"


@pytest.mark.demo
def test_ck_log_scale_applies_to_the_ck_track_only(demo: Casebook, plot: TimelinePlot, qtbot: QtBot) -> None:
    spec = _spec(demo, "DEMO-01")
    plot.set_spec(spec)
    ck, cdasi = plot.track_plot("ck"), plot.track_plot("cdasi_activity")
    assert ck is not None
    assert cdasi is not None
    assert plot.toolbar.log_button.isEnabled()
    x_range = plot.lanes.plot.vb.viewRange()[0]
    qtbot.mouseClick(plot.toolbar.log_button, Qt.MouseButton.LeftButton)
    assert plot.ck_log()
    assert ck.getAxis("left").logMode
    assert ck.ctrl.logYCheck.isChecked()
    assert not cdasi.getAxis("left").logMode
    low, high = spec.track("ck").y.log_range  # type: ignore[union-attr, misc]
    view_low, view_high = ck.vb.viewRange()[1]
    assert view_low <= math.log10(low)
    assert view_high >= math.log10(high)
    assert plot.lanes.plot.vb.viewRange()[0] == pytest.approx(x_range)  # the time window stays
    assert plot.counts() == {k: v for k, v in spec_counts(spec).items() if v}
    plot.set_spec(_spec(demo, "DEMO-04"))  # kept for the next patient
    assert plot.track_plot("ck").getAxis("left").logMode  # type: ignore[union-attr]
    plot.set_ck_log(False)
    assert not plot.toolbar.log_button.isChecked()
    assert not plot.track_plot("ck").getAxis("left").logMode


@pytest.mark.demo
def test_reset_view_shows_the_whole_timeline_again(demo: Casebook, plot: TimelinePlot, qtbot: QtBot) -> None:
    spec = _spec(demo, "DEMO-01")
    plot.set_spec(spec)
    assert plot.shown_ticks() == [t.label for t in spec.ticks]  # years across the whole timeline
    lo, hi = spec.x_range[0] + 300, spec.x_range[0] + 500
    plot.lanes.plot.setXRange(lo, hi, padding=0)
    shown = plot.shown_ticks()
    assert shown == [t.label for t in spec.ticks_for(*plot.lanes.plot.vb.viewRange()[0])]
    assert len(shown) >= 3
    assert all(" " in label for label in shown)
    plot.graphics.setFocus()
    QTest.keyClick(plot.graphics, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert plot.lanes.plot.vb.viewRange()[0] == pytest.approx(spec.x_range)
    assert plot.shown_ticks() == [t.label for t in spec.ticks]


@pytest.mark.demo
def test_export_writes_png_and_svg_and_refuses_other_formats(
    demo: Casebook, plot: TimelinePlot, tmp_path: Path
) -> None:
    plot.set_spec(_spec(demo, "DEMO-01"))
    plot.export_image(tmp_path / "timeline.png")
    image = QImage(str(tmp_path / "timeline.png"))
    assert not image.isNull()
    assert image.width() >= 600
    assert image.height() >= 400
    plot.export_image(tmp_path / "timeline.svg")
    svg = (tmp_path / "timeline.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml")
    assert "<svg" in svg
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plot.export_image(tmp_path / "timeline.pdf")


@pytest.mark.demo
def test_the_export_button_saves_or_says_why_not(
    demo: Casebook,
    plot: TimelinePlot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: Answers,
    qtbot: QtBot,
) -> None:
    plot.set_spec(_spec(demo, "DEMO-04"))
    chosen = {"path": str(tmp_path / "DEMO-04"), "filter": "SVG drawing (*.svg)"}
    monkeypatch.setattr(export, "file_dialog", lambda *a, **k: (chosen["path"], chosen["filter"]))
    qtbot.mouseClick(plot.toolbar.export_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "DEMO-04.svg").stat().st_size > 0
    chosen["path"] = str(tmp_path / "DEMO-04.jpg")
    qtbot.mouseClick(plot.toolbar.export_button, Qt.MouseButton.LeftButton)
    assert answers.questions
    assert "choose a .png or .svg file" in answers.questions[-1]


@pytest.mark.demo
def test_no_spec_shows_the_empty_state(demo: Casebook, plot: TimelinePlot) -> None:
    plot.set_spec(_spec(demo, "DEMO-01"))
    plot.set_spec(None)
    assert plot.stack.currentWidget() is plot.empty
    assert plot.empty.isVisible()
    assert plot.empty.text() == EMPTY_TEXT
    assert EMPTY_TEXT.startswith("No records to draw yet")
    assert plot.counts() == {}
    assert not plot.toolbar.export_button.isEnabled()
    with pytest.raises(ValueError):
        plot.export_image(Path("nothing.png"))


# ----------------------------------------------------------------- the photo strip


def _painted_px(plot: TimelinePlot) -> list[tuple[int | None, QRectF]]:
    """Each thumbnail as the strip last painted it, in viewport pixels."""
    view = plot.lanes.plot.vb
    return [
        (pid, plot.graphics.mapFromScene(view.mapViewToScene(rect)).boundingRect().toRectF())
        for pid, rect in plot.strip.painted
    ]


def _lines_px(plot: TimelinePlot, spec: TimelineSpec) -> list[float]:
    """Where the phase boundaries, day 0 and the cut-off are drawn, in viewport pixels."""
    xs = [x for p in spec.phases for x in (p.x_start, p.x_end)] + [spec.cutoff_x]
    xs += [spec.day_zero_x] if spec.day_zero_x is not None else []
    return [_at(plot, plot.lanes.plot, x, 0).x() for x in xs]


@pytest.mark.demo
def test_the_strip_draws_each_thumbnail_at_its_slot_and_never_over_a_line(
    demo: Casebook, plot: TimelinePlot
) -> None:
    spec = _spec(demo, "DEMO-01")
    plot.set_spec(spec, demo.photo_thumbnail)
    for zoom in (None, (spec.x_range[0] + 400, spec.x_range[0] + 1500)):
        if zoom is not None:
            plot.lanes.plot.setXRange(*zoom, padding=0)
        shot = plot.graphics.grab().toImage()  # paints the strip
        painted = plot.strip.painted
        assert [pid for pid, _ in painted] == [p.photo_id for p in spec.strip.photos]
        for (_, rect), slot in zip(painted, spec.strip.photos, strict=True):
            assert rect.center().x() == pytest.approx(slot.centre, abs=1.0)  # centred on its slot (days)
            assert slot.slot[0] - 1 <= rect.left()
            assert rect.right() <= slot.slot[1] + 1
        drawn = _painted_px(plot)
        in_view = plot.graphics.mapFromScene(plot.lanes.plot.vb.sceneBoundingRect()).boundingRect().toRectF()
        assert len([d for d in drawn if in_view.contains(d[1])]) >= 2
        for _, rect in (d for d in drawn if in_view.contains(d[1])):
            grid = [
                rect.topLeft() + QPointF(rect.width() * i / 10, rect.height() * j / 10)
                for i in range(1, 10)
                for j in range(1, 10)
            ]
            dark = [p for p in grid if shot.pixelColor(p.toPoint()).lightness() < 120]
            assert len(dark) > len(grid) / 3  # the demo drawing's dark background, not the paper
            assert not [x for x in _lines_px(plot, spec) if rect.left() < x < rect.right()]
        rects = [rect for _, rect in drawn]
        assert not any(a.intersects(b) for n, a in enumerate(rects) for b in rects[n + 1 :])
    assert plot.counts()["thumbnails"] == 3
    assert plot.counts()["leaders"] == 2


@pytest.mark.demo
def test_clicking_a_thumbnail_opens_its_photo_and_hovering_names_it(
    demo: Casebook, plot: TimelinePlot, qtbot: QtBot
) -> None:
    spec = _spec(demo, "DEMO-01")
    plot.set_spec(spec, demo.photo_thumbnail)
    plot.graphics.grab()
    pid, rect = _painted_px(plot)[2]
    with qtbot.waitSignal(plot.photo_clicked, timeout=2000) as clicked:
        QTest.mouseClick(
            plot.graphics.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
            rect.center().toPoint(),
        )  # fmt: skip
    assert clicked.args == [pid] == [spec.strip.photos[2].photo_id]
    text = _hover(plot, rect.center().toPoint())
    assert "After upadacitinib (synthetic drawing)" in text
    assert "CDASI activity 8" in text


def test_band_and_limit_labels_keep_clear_of_ticks_and_of_each_other(
    book: Casebook, plot: TimelinePlot
) -> None:
    patient = book.save_patient(make_patient("CROWDED-CK"))
    pid = patient.id or 0
    book.save(make_course(pid, "upadacitinib", "2021-03-01"))
    for n, (day, uln) in enumerate((("2021-03-01", 190.0), ("2021-03-20", 195.0), ("2021-04-10", 170.0))):
        book.save(make_assessment(pid, day, ck=100.0 + n, ck_uln=uln, cdasi_activity=20 + n))
    spec = _spec(book, "CROWDED-CK")
    plot.resize(900, 700)
    plot.set_spec(spec)
    plot.graphics.grab()
    for key in ("cdasi_activity", "ck"):
        item = plot.track_plot(key)
        pooled = plot.pooled(key)
        assert pooled is not None
        canvas = pooled.layer
        labels = [rect for _, rect in canvas.drawn_labels]
        assert labels, key
        area = plot.graphics.mapFromScene(item.vb.sceneBoundingRect()).boundingRect().toRectF()
        ticks = [_at(plot, item, 0, y).y() for y in canvas.ticks]
        for n, rect in enumerate(labels):
            assert area.adjusted(-1, -1, 1, 1).contains(rect), key
            assert rect.left() > area.left() + TICK_PX  # clear of the ticks reaching into the plot
            assert not [b for b in labels[n + 1 :] if rect.intersects(b)]
        assert ticks
    shown = [text for p in plot.tracks for text, _ in p.layer.drawn_labels]
    assert "Mild ≤ 14" in shown
    assert any(text.startswith("ULN") for text in shown)


@pytest.mark.demo
def test_every_legend_swatch_shows_on_white(demo: Casebook, plot: TimelinePlot) -> None:
    plot.set_spec(_spec(demo, "DEMO-01"))
    fills = [w for w in plot.legend.entries if w.isVisible() and isinstance(w.entry.style, FillStyle)]  # type: ignore[union-attr]
    assert len(fills) >= 8
    for widget in fills:
        image = widget.grab().toImage()
        swatch = [image.pixelColor(x, y) for x in range(2, 24) for y in range(2, image.height() - 2)]
        darkest = min(min(c.red(), c.green(), c.blue()) for c in swatch)
        assert darkest <= 255 - 51, widget.entry.label  # type: ignore[union-attr]
