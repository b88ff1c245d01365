"""Where the timeline's rows go on screen: the lanes plot's rows top to bottom at the heights the spec
gives them (the photo strip as high as its thumbnails and captions take at the width shown), and the
track rows' shares of the column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontMetricsF

from ...domain.style import PHOTO_MARKER
from ...domain.timeline import PhotoStripSpec, RowKind, TimelineRow, TimelineSpec
from ...domain.timeline_photos import CAPTION_LINES
from ..photos.timeline_strip import THUMB_PX, PhotoStrip, strip_height
from ..plot_style import font, marker_px

ROW_PX = 17.0  # one lane row: the lanes plot's unit of height (y grows downwards: it is inverted)
END_ROWS = 0.1  # below the lanes plot's last row
STRIP_END_ROWS = 0.5  # and more below the photo strip's captions
AXIS_PX = 46.0  # the time axis under the bottom plot
TRACK_MIN_PX = 64.0  # the least height of a track
SPACING_PX = 2  # between the stacked plots


@dataclass(frozen=True)
class PlacedRow:
    """A row of the lanes plot where it is drawn: its top edge and height in view y (lane rows)."""

    row: TimelineRow
    top: float
    height: float

    @property
    def middle(self) -> float:
        return self.top + self.height / 2

    @property
    def bottom(self) -> float:
        return self.top + self.height


def lane_plot_rows(spec: TimelineSpec) -> tuple[TimelineRow, ...]:
    """The rows the lanes plot holds: those above the first track (each track has a plot of its own)."""
    rows = spec.rows
    first = next((n for n, row in enumerate(rows) if row.kind is RowKind.TRACK), len(rows))
    assert all(row.kind is RowKind.TRACK for row in rows[first:]), "the tracks are the spec's last rows"
    return rows[:first]


def place_rows(rows: Sequence[TimelineRow], strip_rows: float) -> list[PlacedRow]:
    """``rows`` top to bottom from y = 0, each as high as the spec says; the photo strip ``strip_rows``
    high (measured from its thumbnails at the width shown)."""
    placed, top = [], 0.0
    for row in rows:
        height = strip_rows if row.kind is RowKind.STRIP else row.height
        placed.append(PlacedRow(row, top, height))
        top += height
    return placed


def lanes_end(placed: Sequence[PlacedRow]) -> float:
    """The bottom of the lanes plot: a little below its last row, more below the photo strip's captions."""
    last = placed[-1]
    return last.bottom + END_ROWS + (STRIP_END_ROWS if last.row.kind is RowKind.STRIP else 0.0)


def column_heights(
    lanes_px: float, shares: Sequence[float], height: float
) -> tuple[float, list[float], float]:
    """The rows of the timeline's column in a view ``height`` px high: the lanes at their height, the
    tracks sharing the rest by their rows' ``shares`` (the smallest at least TRACK_MIN_PX; the bottom
    row also holds the time axis), and the least height of the column."""
    tracks = len(shares)
    weights = [share / min(shares) for share in shares]
    lanes = lanes_px + (AXIS_PX if not tracks else 0)
    axis = AXIS_PX if tracks else 0
    spacing = SPACING_PX * tracks + 10
    least = lanes + sum(weights) * TRACK_MIN_PX + axis + spacing
    rest = max(height, least) - lanes - spacing - axis
    heights = [rest * weight / sum(weights) for weight in weights]
    return lanes, [h + (axis if n == tracks - 1 else 0) for n, h in enumerate(heights)], least


def strip_size(
    strip: PhotoStripSpec, x_range: tuple[float, float], width: float, base: QFont
) -> tuple[float, int]:
    """The strip's thumbnail height (as tall as its tallest photo is drawn at a lanes plot ``width``
    px wide, at most THUMB_PX) and the most caption lines a thumbnail takes there."""
    if width <= 0:
        return THUMB_PX, CAPTION_LINES
    per_day = width / (x_range[1] - x_range[0])
    rooms = [(p, (p.room[1] - p.room[0]) * per_day - 4) for p in strip.photos]
    lines = max(len(PhotoStrip.caption_lines(p, room, base)) for p, room in rooms)
    tallest = max(min(strip.slot_width * per_day * p.aspect, THUMB_PX) for p in strip.photos)
    return tallest, lines


def strip_marker_px() -> float:
    """Half a photo marker and a pixel: where the strip's leader lines start below the markers."""
    return marker_px(PHOTO_MARKER) / 2 + 1


def strip_rows(
    strip: PhotoStripSpec, x_range: tuple[float, float], width: float, base: QFont
) -> tuple[float, float]:
    """The strip's thumbnail height (``strip_size``) and its row's height in lane rows, at a lanes plot
    ``width`` px wide with the widget font ``base`` (no photos: no row)."""
    if not strip.photos:
        return THUMB_PX, 0.0
    thumb_px, lines = strip_size(strip, x_range, width, base)
    return thumb_px, strip_height(QFontMetricsF(font(-1, base=base)), thumb_px, lines) / ROW_PX
