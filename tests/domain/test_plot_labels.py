"""Figures stay legible: labels never over one another or a tick, legend swatches visible on the paper."""

from __future__ import annotations

from myocase.domain.phases import PhaseKind
from myocase.domain.plot_labels import overlaps, place_labels
from myocase.domain.style import (
    AFTER_PHASE_COLOUR,
    PAPER,
    SEVERITY_STYLES,
    SWATCH_EDGE,
    FillStyle,
    on_paper,
    phase_style,
    swatch_style,
    visible_on_paper,
)

from tests.domain.test_timeline import photo, timeline
from tests.factories import make_assessment


def test_a_label_takes_its_first_free_place_or_is_left_out() -> None:
    area = (0.0, 0.0, 100.0, 50.0)
    tick = (0.0, 19.0, 5.0, 21.0)
    above, below = (10.0, 40.0, 60.0, 48.0), (10.0, 30.0, 60.0, 38.0)
    placed = place_labels(
        [
            [above],  # a band's name
            [above, below],  # a limit: above its line is taken, so below
            [(0.0, 16.0, 40.0, 24.0), (8.0, 16.0, 48.0, 24.0)],  # over the tick, then clear of it
            [(90.0, 45.0, 130.0, 53.0)],  # outside the plot: left out (the legend names it)
        ],
        area,
        [tick],
    )
    assert placed == [above, below, (8.0, 16.0, 48.0, 24.0), None]
    shown = [box for box in placed if box is not None]
    assert not any(overlaps(a, b) for n, a in enumerate(shown) for b in shown[n + 1 :])
    assert not overlaps((0.0, 0.0, 10.0, 10.0), (10.0, 0.0, 20.0, 10.0))  # sharing an edge is fine


def test_pale_fills_get_an_outline_in_the_legend_so_every_swatch_shows_on_white() -> None:
    pale = [phase_style(kind, "tofacitinib") for kind in PhaseKind] + list(SEVERITY_STYLES.values())
    for style in pale:
        swatch = swatch_style(style)
        assert visible_on_paper(swatch.colour, swatch.alpha) or swatch.edge is not None, style
    assert swatch_style(SEVERITY_STYLES[next(iter(SEVERITY_STYLES))]).edge == SWATCH_EDGE
    solid = FillStyle("#009E73", 1.0)
    assert swatch_style(solid) is solid  # strong enough as it is
    assert on_paper(AFTER_PHASE_COLOUR, 0.0) == on_paper(PAPER)  # no fill at all is the paper itself


def test_every_fill_in_a_timeline_legend_shows_on_white() -> None:
    spec = timeline([make_assessment(1, "2021-01-04", id=1, cdasi_activity=30)], photos=[photo(41, None)])
    fills = [e for e in spec.legend if isinstance(e.style, FillStyle)]
    assert {"Phase: Prior immunosuppressants", "CDASI activity: Mild ≤ 14"} <= {e.label for e in fills}
    for entry in fills:
        swatch = swatch_style(entry.style)  # type: ignore[arg-type]
        assert visible_on_paper(swatch.colour, swatch.alpha) or swatch.edge is not None, entry.label
