"""Annotation shapes in a cropped photo: the coordinates the screen and the report both draw with."""

from __future__ import annotations

import pytest

from app.domain.annotations import Crop, Shape, ShapeKind, shape_in_crop


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
