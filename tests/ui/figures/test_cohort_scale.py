"""The cohort figures of a registry stay a few items on screen: the spaghetti plot draws every line in one
path per style, the swimmer plot its first rows with a note; counted in the scene, not in the spec."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from myocase.domain.cohort_plots import DRAWN_LINES, MANY_LINES, SpaghettiSpec
from myocase.domain.cohort_swimmer import SwimmerSpec
from myocase.services import analysis_settings
from myocase.services.report import cohort_figures
from myocase.store.casebook import Casebook
from myocase.ui.figures import swimmer
from myocase.ui.figures.spaghetti import SpaghettiPlot
from myocase.ui.figures.swimmer import SwimmerPlot
from PySide6.QtWidgets import QGraphicsItem

REGISTRY = 10_000


@pytest.fixture
def demo_specs(demo_book: Casebook) -> tuple[SpaghettiSpec, SwimmerSpec]:
    return cohort_figures(demo_book, analysis_settings.load_settings(demo_book))


def repeated(items: tuple[Any, ...], patients: int) -> tuple[Any, ...]:
    """The demo's lines (or rows) again and again, as ``patients`` patients SYN-00001…"""
    return tuple(
        replace(items[n % len(items)], patient_id=n + 1, study_id=f"SYN-{n + 1:05d}") for n in range(patients)
    )


def spaghetti_of(spec: SpaghettiSpec, patients: int) -> SpaghettiSpec:
    return replace(spec, lines=repeated(spec.lines, patients))


def swimmer_of(spec: SwimmerSpec, patients: int) -> SwimmerSpec:
    return replace(spec, rows=repeated(spec.rows, patients))


def scene_items(figure: SpaghettiPlot | SwimmerPlot) -> list[QGraphicsItem]:
    return figure.plot.scene().items()


def drawn(qtbot, figure, spec) -> list[QGraphicsItem]:  # type: ignore[no-untyped-def]
    qtbot.addWidget(figure)
    figure.set_spec(spec)
    return scene_items(figure)


@pytest.mark.demo
def test_a_registry_spaghetti_is_as_many_items_as_a_few_hundred_lines(qtbot, demo_specs) -> None:  # type: ignore[no-untyped-def]
    spec = demo_specs[0]
    few = len(drawn(qtbot, SpaghettiPlot(), spaghetti_of(spec, MANY_LINES + 1)))
    registry = SpaghettiPlot()
    many = drawn(qtbot, registry, spaghetti_of(spec, REGISTRY))
    assert len(many) <= few < 100  # the same few items for 151 patients or 10,000
    assert len(registry.plot.listDataItems()) <= 5  # one path per line style, and the median
    assert len(registry.drawn_lines) == registry.counts()["lines"] == DRAWN_LINES
    shown = [d.spec for d in registry.drawn_lines]
    values = sum(int(np.isfinite(item.getData()[0]).sum()) for item in registry.together)
    assert values == sum(len(line.on_drug) + len(line.off_drug) for line in shown)  # what the paths hold
    assert f"{REGISTRY:,} patients: the lines of 1,000 (one patient in 10) drawn" in registry.notes.text()


@pytest.mark.demo
def test_a_line_drawn_with_the_others_is_named_and_highlighted_alone(qtbot, demo_specs) -> None:  # type: ignore[no-untyped-def]
    plot = SpaghettiPlot()
    drawn(qtbot, plot, spaghetti_of(demo_specs[0], 400))
    line = plot.spec.lines[123] if plot.spec else None
    assert line is not None
    point = line.points[-1]
    found = plot.hit(plot.scene_pos(point.x, point.y))
    assert found is not None
    assert found.kind == "patient"
    same_place = [
        n
        for n, other in enumerate(plot.spec.lines)
        if (point.x, point.y) in {(p.x, p.y) for p in other.points}
    ]
    assert found.line in same_place
    before = len(plot.plot.listDataItems())
    plot.highlight(123)
    assert plot.hot_curve is not None
    assert plot.hot_curve.getData()[0].tolist() == [p.x for p in line.points]
    assert len(plot.plot.listDataItems()) == before + 1  # one line drawn over the others
    plot.highlight(None)
    assert plot.hot_curve is None
    assert len(plot.plot.listDataItems()) == before
    assert plot.curve_data(123) == tuple(
        map(list, zip(*sorted({(p.x, p.y) for p in line.points}), strict=True))
    )


@pytest.mark.demo
def test_a_registry_swimmer_draws_its_first_rows_and_says_so(qtbot, demo_specs) -> None:  # type: ignore[no-untyped-def]
    spec = demo_specs[1]
    capped = drawn(qtbot, SwimmerPlot(), swimmer_of(spec, swimmer.SHOWN_ROWS))
    registry = SwimmerPlot()
    many = drawn(qtbot, registry, swimmer_of(spec, REGISTRY))
    assert len(many) == len(capped)
    assert registry.counts()["rows"] == swimmer.SHOWN_ROWS == len(registry.rows_hits)
    assert f"Showing the first {swimmer.SHOWN_ROWS} of {REGISTRY:,} patients." in registry.notes.text()
    ticks = registry.plot.getAxis("left")._tickLevels or []  # the study IDs at the left: the rows drawn
    assert [label for _, label in ticks[0]][-1] == f"SYN-{swimmer.SHOWN_ROWS:05d}"


@pytest.mark.demo
def test_the_medians_name_stays_on_the_plot_when_its_line_reaches_the_right_edge(qtbot, demo_specs) -> None:  # type: ignore[no-untyped-def]
    spec = demo_specs[0]
    hi = spec.x_range[1]
    last = replace(spec.median[-1], x=hi - 0.01 * (hi - spec.x_range[0]))
    figure = SpaghettiPlot()
    drawn(qtbot, figure, replace(spec, median=(*spec.median[:-1], last)))
    figure.resize(1000, 600)
    figure.graph.grab()  # laid out and painted, as the user sees it
    (name,) = [item for item, _ in figure.end_labels if item.textItem.toPlainText() == "Median"]
    shown = figure.plot.vb.sceneBoundingRect()
    assert shown.contains(name.textItem.sceneBoundingRect())  # not cut off at the plot's right edge
