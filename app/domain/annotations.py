"""Photo annotations and crops: vector shapes in coordinates relative to the upright image (0–1).

Never burned into pixels: the screen and the PDF draw the same shapes over the untouched
original, so an annotation can be moved, removed or undone at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .numbers import plural
from .palette import BLACK, SKY_BLUE, VERMILLION, WHITE, YELLOW

Point = tuple[float, float]


class ShapeKind(StrEnum):
    ARROW = "arrow"  # points: tail, head
    ELLIPSE = "ellipse"  # points: two opposite corners of its bounding box
    FREEHAND = "freehand"  # points: the outline, in drawing order
    TEXT = "text"  # points: the label's anchor (top left)


# A few clear colours that stand out on skin and stay distinct in greyscale (Okabe–Ito).
ANNOTATION_COLOURS: dict[str, str] = {
    "yellow": YELLOW,
    "sky blue": SKY_BLUE,
    "vermillion": VERMILLION,
    "white": WHITE,
    "black": BLACK,
}
DEFAULT_COLOUR = "yellow"
HALO_SHARE = 0.2  # a text label's outline, as a share of its size: readable on skin, in print too


def _luminance(colour: str) -> float:
    """The WCAG relative luminance of a ``#RRGGBB`` colour."""
    channels = [int(colour[n : n + 2], 16) / 255 for n in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def halo_colour(key: str) -> str:
    """The outline drawn around a text label of annotation colour ``key``: black or white,
    whichever contrasts more with it (yellow, sky blue and vermillion get black, black gets white)."""
    light = _luminance(ANNOTATION_COLOURS.get(key, ANNOTATION_COLOURS[DEFAULT_COLOUR]))
    return BLACK if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else WHITE


@dataclass(frozen=True)
class Shape:
    kind: ShapeKind
    points: tuple[Point, ...]
    colour: str = DEFAULT_COLOUR
    text: str = ""
    width: float = 0.006  # stroke width as a fraction of the image's longer side

    def problems(self) -> list[str]:
        found = []
        needed = {ShapeKind.ARROW: 2, ShapeKind.ELLIPSE: 2, ShapeKind.TEXT: 1, ShapeKind.FREEHAND: 2}[
            self.kind
        ]
        if len(self.points) < needed:
            found.append(f"A {self.kind.value} needs at least {plural(needed, 'point')}.")
        if any(not (-0.5 <= x <= 1.5 and -0.5 <= y <= 1.5) for x, y in self.points):
            found.append(f"A {self.kind.value} lies far outside the photo.")
        if self.kind is ShapeKind.TEXT and not self.text.strip():
            found.append("A text label needs its text.")
        if self.colour not in ANNOTATION_COLOURS:
            found.append(f"Unknown annotation colour {self.colour!r}.")
        return found

    def moved(self, dx: float, dy: float) -> Shape:
        return Shape(
            self.kind, tuple((x + dx, y + dy) for x, y in self.points), self.colour, self.text, self.width
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "points": [[round(x, 6), round(y, 6)] for x, y in self.points],
            "colour": self.colour,
            "text": self.text,
            "width": self.width,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Shape:
        return cls(
            ShapeKind(data["kind"]),
            tuple((float(x), float(y)) for x, y in data["points"]),
            str(data.get("colour", DEFAULT_COLOUR)),
            str(data.get("text", "")),
            float(data.get("width", 0.006)),
        )


@dataclass(frozen=True)
class Crop:
    """The part of the photo to show, as fractions of its width and height."""

    left: float
    top: float
    right: float
    bottom: float

    def problems(self) -> list[str]:
        if not (0 <= self.left < self.right <= 1 and 0 <= self.top < self.bottom <= 1):
            return ["The crop must lie inside the photo and have a size."]
        return []

    def to_json(self) -> list[float]:
        return [round(v, 6) for v in (self.left, self.top, self.right, self.bottom)]

    @classmethod
    def from_json(cls, data: list[float]) -> Crop:
        left, top, right, bottom = (float(v) for v in data)
        return cls(left, top, right, bottom)


def shape_in_crop(shape: Shape, crop: Crop | None) -> Shape:
    """The shape in coordinates relative to the cropped photo (how the screen and the report place it)."""
    if crop is None:
        return shape
    sx, sy = crop.right - crop.left, crop.bottom - crop.top
    points = tuple(((x - crop.left) / sx, (y - crop.top) / sy) for x, y in shape.points)
    return Shape(shape.kind, points, shape.colour, shape.text, shape.width)
