"""The timeline's photo strip on screen: thumbnails with their annotations, leader lines and captions.

A pyqtgraph item in the timeline's lanes plot that draws the spec's ``PhotoStripSpec`` where it
says (``app/domain/timeline_photos.py`` decides which photos, their slots and leader lines; the
PDF draws the same spec). It paints in pixels, like the timeline's canvas: a thumbnail is as
large as its slot's width and ``thumb_px`` allow, its aspect kept, so a slot never spills over
its neighbours or a boundary line at any zoom. ``painted`` keeps where each thumbnail was drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPixmap, QTransform

from ...domain.style import EMPTY_FRAME
from ...domain.timeline_photos import CAPTION_LINES, PhotoStripSpec, StripPhotoSpec, wrapped
from ..plot_style import INK, MUTED, PAPER, font, pen, qcolour
from .annotated_view import render_annotated

LEADER_PX = 16.0  # between the photo markers' row and the thumbnails' top
THUMB_PX = 76.0  # the tallest a thumbnail is drawn
CAPTION_GAP_PX = 2.0
RENDER_PX = 240  # thumbnails are rendered this wide once, then scaled as drawn

Key = tuple[object, ...]


def strip_height(metrics: QFontMetricsF, thumb_px: float = THUMB_PX, lines: int = CAPTION_LINES) -> float:
    """The strip's height in pixels: leader zone, thumbnails ``thumb_px`` tall and their caption lines."""
    return LEADER_PX + thumb_px + CAPTION_GAP_PX + lines * metrics.lineSpacing() + 4


def _fits(text_font: QFont, room: float) -> Callable[[str], bool]:
    metrics = QFontMetricsF(text_font)
    return lambda text: metrics.horizontalAdvance(text) <= room


def _key(photo: StripPhotoSpec) -> Key:
    return (photo.photo_id, photo.crop, photo.annotations)


@dataclass(frozen=True)
class _Placed:
    photo: StripPhotoSpec
    image: QRectF  # device pixels
    slot: tuple[float, float]  # device pixels, left to right
    room: tuple[float, float]  # device pixels: where its caption may go
    centre: float


class PhotoStrip(pg.GraphicsObject):  # type: ignore[misc]
    """The strip below the photo markers. ``set_strip`` gives the spec, where the markers are and
    where the strip starts (view y; the lanes plot grows downwards); ``painted`` holds, after each
    paint, each thumbnail's photo id and rectangle in view coordinates."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(-40)  # above the canvas's bands and lines, below the markers
        self.spec = PhotoStripSpec()
        self.marker_y = 0.0
        self.top = 0.0
        self.marker_px = 0.0  # half the photo marker's size: leader lines start below it
        self.thumb_px = (
            THUMB_PX  # the tallest a thumbnail is drawn (the timeline sets it to the room it gave)
        )
        self._images: dict[Key, QPixmap | None] = {}
        self.painted: list[tuple[int | None, QRectF]] = []

    # ------------------------------------------------------------ content
    def set_strip(
        self,
        spec: PhotoStripSpec,
        marker_y: float,
        top: float,
        marker_px: float,
        thumbnail: Callable[[int], bytes | None],
    ) -> None:
        """Draw ``spec``; ``thumbnail(photo_id)`` gives a photo's stored thumbnail bytes (rendered once
        per photo, crop and annotations; a photo that cannot be read shows as an empty frame)."""
        self.spec, self.marker_y, self.top, self.marker_px = spec, marker_y, top, marker_px
        wanted = {_key(p): p for p in spec.photos}
        self._images = {k: v for k, v in self._images.items() if k in wanted}
        for key, photo in wanted.items():
            if key not in self._images:
                self._images[key] = self._render(photo, thumbnail)
        self.painted = []
        self.prepareGeometryChange()
        self.update()

    def forget_images(self) -> None:
        self._images = {}

    @staticmethod
    def _render(photo: StripPhotoSpec, thumbnail: Callable[[int], bytes | None]) -> QPixmap | None:
        data = thumbnail(photo.photo_id) if photo.photo_id is not None else None
        if not data:
            return None
        try:
            image: QImage = render_annotated(data, photo.annotations, photo.crop, RENDER_PX, in_crop=True)
        except ValueError:  # an unreadable photo: an empty frame, the tooltip still names it
            return None
        return QPixmap.fromImage(image)

    def has_image(self, photo: StripPhotoSpec) -> bool:
        return self._images.get(_key(photo)) is not None

    # ------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        view = self.viewRect()
        return QRectF() if view is None else QRectF(view)

    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        self.prepareGeometryChange()

    def _placed(self, to_px: QTransform) -> list[_Placed]:
        """Each thumbnail's rectangle in device pixels, for the transform from view to device."""
        top = to_px.map(QPointF(0, self.top)).y() + LEADER_PX
        placed = []
        for photo in self.spec.photos:
            a, b = sorted(to_px.map(QPointF(x, 0)).x() for x in photo.slot)
            r0, r1 = sorted(to_px.map(QPointF(x, 0)).x() for x in photo.room)
            centre = (a + b) / 2
            width = max(min(b - a, self.thumb_px / photo.aspect), 1.0)
            image = QRectF(centre - width / 2, top, width, width * photo.aspect)
            placed.append(_Placed(photo, image, (a, b), (r0, r1), centre))
        return placed

    def thumbnail_at(self, x: float, y: float) -> StripPhotoSpec | None:
        """The thumbnail drawn at view (x, y), if any (as last painted)."""
        return next((photo for photo, (_, rect) in zip(self.spec.photos, self.painted, strict=False)
                     if rect.contains(QPointF(x, y))), None)  # fmt: skip

    # ------------------------------------------------------------ painting
    def paint(self, painter: QPainter, *args: object) -> None:
        if not self.spec.photos:
            self.painted = []
            return
        to_px = painter.transform()
        back, _ = to_px.inverted()
        placed = self._placed(to_px)
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        marker = to_px.map(QPointF(0, self.marker_y)).y() + self.marker_px
        painter.setPen(pen(MUTED, 0.75))
        for item in placed:
            if item.photo.leader is not None:
                start = to_px.map(QPointF(item.photo.leader[0], 0)).x()
                painter.drawLine(QPointF(start, marker), QPointF(item.centre, item.image.top()))
        base = QFont(painter.font())
        self.painted = []
        for item in placed:
            self._paint_thumbnail(painter, item)
            self._paint_caption(painter, item, base)
            self.painted.append((item.photo.photo_id, back.mapRect(item.image)))
        painter.restore()

    def _paint_thumbnail(self, painter: QPainter, item: _Placed) -> None:
        pixmap = self._images.get(_key(item.photo))
        if pixmap is None:
            painter.fillRect(item.image, QColor(EMPTY_FRAME))
        else:
            painter.drawPixmap(item.image, pixmap, QRectF(pixmap.rect()))
        painter.setPen(pen(INK, 0.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(item.image)

    @staticmethod
    def caption_lines(photo: StripPhotoSpec, room: float, base: QFont) -> list[tuple[str, QFont]]:
        """The caption as drawn under a thumbnail with ``room`` px for it: wrapped, the date in bold, a
        point smaller where the date would not fit whole."""
        size = next((d for d in (-1.0, -2.0) if _fits(font(d, True, base), room)(photo.caption[0])), -2.0)
        bold, plain = font(size, True, base), font(size, False, base)
        lines = [(t, bold) for t in wrapped(photo.caption[:1], _fits(bold, room), 1)]
        return lines + [(t, plain) for t in wrapped(photo.caption[1:], _fits(plain, room), CAPTION_LINES - 1)]

    def _paint_caption(self, painter: QPainter, item: _Placed, base: QFont) -> None:
        """The caption lines under the thumbnail on a faint paper box, each centred under it as far
        as its room allows."""
        y = item.image.bottom() + CAPTION_GAP_PX
        left, right = item.room
        for text, text_font in self.caption_lines(item.photo, right - left - 4, base):
            metrics = QFontMetricsF(text_font)
            width = metrics.horizontalAdvance(text)
            middle = min(max(item.centre, left + width / 2 + 2), right - width / 2 - 2)
            box = QRectF(middle - width / 2 - 2, y, width + 4, metrics.lineSpacing())
            painter.fillRect(box, qcolour(PAPER, 0.8))
            painter.setFont(text_font)
            painter.setPen(INK)
            painter.drawText(QPointF(box.left() + 2, y + metrics.ascent()), text)
            y += metrics.lineSpacing()
