"""Annotation shapes in a cropped photo: the coordinates the screen and the report both draw with."""

from __future__ import annotations

import pytest
from myocase.domain.annotations import ANNOTATION_COLOURS, Crop, Shape, ShapeKind, halo_colour, shape_in_crop


def test_a_shape_moves_into_the_crops_coordinates() -> None:
    arrow = Shape(ShapeKind.ARROW, ((0.25, 0.5), (0.75, 1.0)), "yellow")
    assert shape_in_crop(arrow, None) is arrow
    moved = shape_in_crop(arrow, Crop(0.25, 0.5, 0.75, 1.0))
    assert [c for point in moved.points for c in point] == pytest.approx([0.0, 0.0, 1.0, 1.0])
    assert (moved.kind, moved.colour, moved.text, moved.width) == (
        arrow.kind,
        arrow.colour,
        arrow.text,
        arrow.width,
    )


def test_every_annotation_colour_gets_the_outline_that_contrasts_most_with_it() -> None:
    assert {key: halo_colour(key) for key in ANNOTATION_COLOURS} == {
        "yellow": "#000000",  # yellow text on skin reads in print with a black outline
        "sky blue": "#000000",
        "vermillion": "#000000",
        "white": "#000000",
        "black": "#FFFFFF",
    }
    assert halo_colour("no such colour") == halo_colour("yellow")  # drawn as the default colour
