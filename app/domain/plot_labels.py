"""Where a plot's small labels go (band names, limits such as CK's ULN): never over one another,
a tick or the plot's edge. The rule is the same for the screen and the PDF; each renderer gives
the boxes in its own units (pixels or points) from its own text measures."""

from __future__ import annotations

from collections.abc import Sequence

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 with x0 ≤ x1 and y0 ≤ y1, any units


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes share more than an edge."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(box: Box, area: Box) -> bool:
    return area[0] <= box[0] and box[2] <= area[2] and area[1] <= box[1] and box[3] <= area[3]


def place_labels(
    candidates: Sequence[Sequence[Box]], area: Box, obstacles: Sequence[Box] = ()
) -> list[Box | None]:
    """Each label's box, labels in order: the first of its candidate boxes that lies inside ``area``
    and overlaps no obstacle (a tick, say) and no label placed before it; None when none does
    (a label left out is still named in the legend)."""
    placed: list[Box] = []
    chosen: list[Box | None] = []
    for options in candidates:
        box = next(
            (
                b
                for b in options
                if inside(b, area) and not any(overlaps(b, o) for o in [*obstacles, *placed])
            ),
            None,
        )
        if box is not None:
            placed.append(box)
        chosen.append(box)
    return chosen
