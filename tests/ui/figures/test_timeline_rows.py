"""The screen lays the timeline out by the spec's rows: the labels it placed in the gutter, read from the
scene top to bottom, are the spec's row labels in the spec's order (with ``tests/report/test_timeline_rows.py``
for the PDF: screen and paper agree with the spec), painted in the gutter, bold where the row says,
each beside what its row shows and as far from the next as the spec's row heights say."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from myocase.domain.records import SeriesSettings
from myocase.domain.timeline import RowKind, TimelineRow, TimelineSpec, build_timeline
from myocase.domain.vocab import DrugClass
from myocase.store.casebook import Casebook
from myocase.ui.figures.axes import GutterLabel
from myocase.ui.figures.timeline import TimelinePlot
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF
from PySide6.QtGui import QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from tests.factories import make_assessment, make_course, make_patient
from tests.report.test_timeline_rows import demo_specs


@pytest.fixture
def plot(qtbot: QtBot) -> TimelinePlot:
    widget = TimelinePlot()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def drawn_labels(plot: TimelinePlot) -> list[GutterLabel]:
    """The label items shown in the timeline's scene, top to bottom by where they sit in it."""
    QApplication.processEvents()  # laid out as on screen
    shown = [
        item for item in plot.graphics.scene().items() if isinstance(item, GutterLabel) and item.isVisible()
    ]
    return sorted(shown, key=lambda item: item.sceneBoundingRect().center().y())


def on_view(plot: TimelinePlot, rect: QRectF) -> QRectF:
    """A scene rectangle in the view's pixels."""
    return plot.graphics.mapFromScene(rect).boundingRect().toRectF()


def inked(shot: QImage, rect: QRectF) -> int:
    """How many pixels of ``rect`` are dark (text painted there, on white paper)."""
    box = rect.toAlignedRect()
    return sum(
        shot.pixelColor(x, y).lightness() < 110
        for x in range(max(box.left(), 0), min(box.right(), shot.width() - 1) + 1)
        for y in range(max(box.top(), 0), min(box.bottom(), shot.height() - 1) + 1)
    )


@pytest.mark.demo
def test_the_screen_gutter_reads_the_spec_row_labels_in_order(book: Casebook, plot: TimelinePlot) -> None:
    specs = list(demo_specs(book))
    assert len(specs) == 20  # ten demo patients, each on dates and on days from day 0
    for spec in specs:
        plot.set_spec(spec, book.photo_thumbnail)
        drawn = [label.words for label in drawn_labels(plot)]
        assert drawn == list(spec.row_labels), (spec.study_id, spec.x_mode)
    first = specs[0]
    plot.set_spec(first, book.photo_thumbnail)
    drawn = [label.words for label in drawn_labels(plot)]
    assert first.study_id == "DEMO-01"
    assert drawn[:3] == ["JAK inhibitor", "tofacitinib", "upadacitinib"]  # the class's header, then its lanes
    assert drawn.index("Photos") < drawn.index("Prednisone (mg/day)")  # the markers above the tracks


def _overlap(a: GutterLabel, b: GutterLabel) -> float:
    """How far two labels' lines overlap, in pixels (their glyphs stay clear below one)."""
    one, two = (
        label.sceneBoundingRect().adjusted(1, 1, -1, -1) for label in (a, b)
    )  # less the item's margin
    if not one.intersects(two):
        return 0.0
    return min(one.bottom(), two.bottom()) - max(one.top(), two.top())


def _row_of(spec: TimelineSpec, label: GutterLabel) -> TimelineRow:
    return next(row for row in spec.rows if row.label == label.words)


def _check_painted_in_the_gutter(plot: TimelinePlot, spec: TimelineSpec) -> None:
    """Each label painted left of the plots, bold as its row says (a track's title in bold), clear of
    the others; the lanes plot's labels as far apart as their rows' heights."""
    labels = drawn_labels(plot)
    shot = plot.graphics.grab().toImage()
    plots_left = plot.lanes.plot.vb.sceneBoundingRect().left()
    for n, label in enumerate(labels):
        row = _row_of(spec, label)
        rect = label.sceneBoundingRect()
        assert rect.right() <= plots_left, label.words
        assert inked(shot, on_view(plot, rect)) > 10, label.words  # painted, not just placed
        assert label.bold is (row.bold or row.kind is RowKind.TRACK), label.words
        assert not [other.words for other in labels[n + 1 :] if _overlap(other, label) >= 1.0], label.words
    lanes = [
        (label, _row_of(spec, label)) for label in labels if _row_of(spec, label).kind is not RowKind.TRACK
    ]
    view = plot.lanes.plot.vb
    per_row = view.mapViewToScene(QPointF(0, 1)).y() - view.mapViewToScene(QPointF(0, 0)).y()  # px, as shown
    for (above, row), (below, next_row) in pairwise(lanes):
        if RowKind.STRIP not in (row.kind, next_row.kind):  # the strip is as high as its thumbnails
            gap = below.sceneBoundingRect().center().y() - above.sceneBoundingRect().center().y()
            assert gap == pytest.approx((row.height + next_row.height) / 2 * per_row, abs=0.05), below.words


def _check_beside_its_row(plot: TimelinePlot, spec: TimelineSpec) -> None:
    """A lane's label level with its bars as painted; a track's title at the top of its own plot."""
    view = plot.lanes.plot.vb
    for label in drawn_labels(plot):
        row, middle = _row_of(spec, label), label.sceneBoundingRect().center().y()
        if row.kind is RowKind.LANE and row.lane is not None:
            for bar in row.lane.bars:
                core = next(s for s in bar.segments() if not s.fuzzy)
                painted = [
                    b
                    for b in plot.lanes.layer.bars
                    if (b[0], b[1], b[4]) == (core.x_start, core.x_end, core.style)
                ]
                assert painted, label.words
                assert all(
                    abs(view.mapViewToScene(QPointF(core.x_start, (b[2] + b[3]) / 2)).y() - middle) < 1.0
                    for b in painted
                ), label.words
        elif row.kind is RowKind.TRACK and row.track is not None:
            pooled = plot.pooled(row.track.key)
            assert pooled is not None
            assert label.parentItem() is pooled.axis
            plot_area = pooled.plot.vb.sceneBoundingRect()
            assert plot_area.top() - 1 <= label.sceneBoundingRect().top() < plot_area.center().y(), (
                label.words
            )


@pytest.mark.demo
@pytest.mark.parametrize("study_id", ["DEMO-01", "DEMO-04", "DEMO-06"])
def test_each_label_is_painted_in_the_gutter_beside_its_row(
    study_id: str, book: Casebook, plot: TimelinePlot
) -> None:
    for spec in (s for s in demo_specs(book) if s.study_id == study_id):
        for width in (1200, 760):  # a narrower window: the photo strip takes another height
            plot.resize(width, 800)
            plot.set_spec(spec, book.photo_thumbnail)
            _check_painted_in_the_gutter(plot, spec)
            _check_beside_its_row(plot, spec)


def _hover(plot: TimelinePlot, pos: QPoint) -> str:
    viewport = plot.graphics.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos)))
    return QToolTip.text()


@pytest.mark.demo
def test_hovering_a_gutter_label_shows_its_row_tooltip(book: Casebook, plot: TimelinePlot) -> None:
    spec = next(demo_specs(book))
    plot.set_spec(spec, book.photo_thumbnail)
    named = [label for label in drawn_labels(plot) if _row_of(spec, label).kind is not RowKind.TRACK]
    assert [label.words for label in named][-3:] == ["Adverse events", "Photos", "Photos for the report"]
    for label in named:
        pos = on_view(plot, label.sceneBoundingRect()).center().toPoint()
        assert _hover(plot, pos) == _row_of(spec, label).tooltip, label.words
    assert _hover(plot, on_view(plot, named[1].sceneBoundingRect()).center().toPoint()) == (
        "tofacitinib (JAK inhibitor)"
    )


def test_rules_and_bold_come_from_the_rows(plot: TimelinePlot) -> None:
    settings = SeriesSettings(cutoff=date(2023, 6, 30))
    patient = make_patient("P-01", id=1)
    only_scores = build_timeline(patient, [], [make_assessment(1, "2021-04-01", id=1)], [], [], settings)
    plot.set_spec(only_scores)
    assert [label.words for label in drawn_labels(plot)] == list(only_scores.row_labels)
    assert plot.lanes.layer.rules == []  # no drug class: no rule above the markers
    courses = [
        make_course(1, "IVIG", "2020-06-01", drug_class=DrugClass.IVIG, id=1),
        make_course(1, "prednisone", "2021-01-01", drug_class=DrugClass.GLUCOCORTICOID, id=2),
        make_course(1, "methylprednisolone", "2021-02-01", drug_class=DrugClass.GLUCOCORTICOID, id=3),
    ]
    spec = build_timeline(patient, courses, [make_assessment(1, "2021-04-01", id=1)], [], [], settings)
    plot.set_spec(spec)
    drawn = drawn_labels(plot)
    assert [(label.words, label.bold) for label in drawn][:4] == [
        ("IVIG", True),  # a class whose only lane is named as the class: that lane, bold, no header
        ("Glucocorticoid", True),
        ("prednisone", False),
        ("methylprednisolone", False),
    ]
    view = plot.lanes.plot.vb
    rules = [view.mapViewToScene(QPointF(0, y)).y() for y in plot.lanes.layer.rules]
    middles = {label.words: label.sceneBoundingRect().center().y() for label in drawn}
    assert len(rules) == 3  # above each class and below the last
    assert rules[0] < middles["IVIG"] < rules[1] < middles["Glucocorticoid"]
    assert middles["methylprednisolone"] < rules[2] < middles["Adverse events"]
