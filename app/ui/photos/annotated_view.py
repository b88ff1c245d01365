"""Photo annotations drawn with QPainter in the same geometry as the PDF (app/report/photos.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...domain.annotations import (
    ANNOTATION_COLOURS,
    DEFAULT_COLOUR,
    HALO_SHARE,
    Crop,
    Shape,
    ShapeKind,
    halo_colour,
    shape_in_crop,
)
from ...domain.style import CROP_DASH, CROP_FRAME, CROP_SHADE, SELECTION_HALO

# A printed photo is about 200 pt across: the PDF's fixed sizes in points (thinnest stroke,
# arrow head base, smallest label) are scaled from the photo's longer side by this.
POINTS_ACROSS = 200.0


def load_image(data: bytes) -> QImage:
    """The stored image as a QImage built from the bytes (copied, never a view on them)."""
    image = QImage.fromData(data)
    if image.isNull():
        raise ValueError("The photo could not be read.")
    return image


def colour_of(key: str) -> QColor:
    return QColor(ANNOTATION_COLOURS.get(key, ANNOTATION_COLOURS[DEFAULT_COLOUR]))


@dataclass(frozen=True)
class Geometry:
    """One shape in pixels: a path to stroke, a path to fill, and the stroke width."""

    stroked: QPainterPath
    filled: QPainterPath
    stroke: float


def stroke_width(shape: Shape, width: float, height: float) -> float:
    longer = max(width, height)
    return max(0.8 * longer / POINTS_ACROSS, shape.width * longer)


def label_font(width: float, height: float) -> QFont:
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(1, round(max(7 * max(width, height) / POINTS_ACROSS, 0.045 * height))))
    return font


def _arrow_head(tail: QPointF, tip: QPointF, stroke: float, unit: float) -> QPainterPath:
    angle = math.atan2(tip.y() - tail.y(), tip.x() - tail.x())
    size = 4 * stroke + 3 * unit
    path = QPainterPath(tip)
    for turn in (2.6, -2.6):
        path.lineTo(tip.x() + size * math.cos(angle + turn), tip.y() + size * math.sin(angle + turn))
    path.closeSubpath()
    return path


def geometry(shape: Shape, width: float, height: float) -> Geometry:
    """The shape over a photo drawn at ``width`` × ``height`` pixels, its top left at (0, 0)."""
    stroke = stroke_width(shape, width, height)
    points = [QPointF(x * width, y * height) for x, y in shape.points]
    stroked, filled = QPainterPath(), QPainterPath()
    if shape.kind is ShapeKind.ARROW:
        stroked.moveTo(points[0])
        stroked.lineTo(points[-1])
        filled = _arrow_head(points[0], points[-1], stroke, max(width, height) / POINTS_ACROSS)
    elif shape.kind is ShapeKind.ELLIPSE:
        stroked.addEllipse(QRectF(points[0], points[1]).normalized())
    elif shape.kind is ShapeKind.FREEHAND:
        stroked.moveTo(points[0])
        for point in points[1:]:
            stroked.lineTo(point)
    else:
        font = label_font(width, height)
        filled.addText(points[0] + QPointF(0, font.pixelSize()), font, shape.text)
    return Geometry(stroked, filled, stroke)


def _round_pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def paint_shape(painter: QPainter, shape: Shape, width: float, height: float) -> None:
    """Draw one annotation on a painter whose origin is the photo's top-left corner; a text label
    gets an outline in its contrasting colour (``halo_colour``) so it reads on skin and in print."""
    shaped = geometry(shape, width, height)
    colour = colour_of(shape.colour)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.strokePath(shaped.stroked, _round_pen(colour, shaped.stroke))
    if shape.kind is ShapeKind.TEXT:
        halo = HALO_SHARE * label_font(width, height).pixelSize()
        painter.strokePath(shaped.filled, _round_pen(QColor(halo_colour(shape.colour)), halo))
    painter.fillPath(shaped.filled, QBrush(colour))
    painter.restore()


class ShapeItem(QGraphicsItem):
    """One annotation over a photo placed at the scene origin; ``annotation`` is the domain Shape."""

    def __init__(self, annotation: Shape, width: float, height: float) -> None:
        super().__init__()
        self._size = (width, height)
        self.annotation = annotation
        self._outline = QPainterPath()
        self._bounds = QRectF()
        self.set_annotation(annotation)

    def set_annotation(self, annotation: Shape) -> None:
        self.prepareGeometryChange()
        self.annotation = annotation
        shaped = geometry(annotation, *self._size)
        grip = max(shaped.stroke * 2.5, max(self._size) / 90)
        stroker = QPainterPathStroker()
        stroker.setWidth(grip)
        stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
        outline = stroker.createStroke(shaped.stroked).united(shaped.filled)
        if annotation.kind is ShapeKind.ELLIPSE:
            outline = outline.united(shaped.stroked)  # the inside of an ellipse picks it too
        elif annotation.kind is ShapeKind.TEXT:
            outline.addRect(shaped.filled.boundingRect())  # so does the space between letters
        self._outline = outline
        self._bounds = outline.boundingRect().adjusted(-2, -2, 2, 2)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._outline

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        paint_shape(painter, self.annotation, *self._size)
        if self.isSelected():
            _paint_selection(painter, self._outline.boundingRect(), widget)


def _paint_selection(painter: QPainter, rect: QRectF, widget: QWidget | None) -> None:
    """A dashed frame in the highlight colour over a light halo: visible on any skin or background."""
    highlight = (widget.palette() if widget else QPalette()).color(QPalette.ColorRole.Highlight)
    painter.save()
    for colour, style, width in (
        (QColor(SELECTION_HALO), Qt.PenStyle.SolidLine, 3.0),
        (highlight, Qt.PenStyle.DashLine, 2.0),
    ):
        pen = QPen(colour, width, style)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
    painter.restore()


class CropOverlay(QGraphicsItem):
    """Dims the photo outside the crop and frames the crop; never touches the pixels."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self._photo = QRectF(0, 0, width, height)
        self.crop: Crop | None = None
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(10_000)

    def set_crop(self, crop: Crop | None) -> None:
        self.crop = crop
        self.update()

    def crop_rect(self) -> QRectF | None:
        if self.crop is None:
            return None
        w, h = self._photo.width(), self._photo.height()
        c = self.crop
        return QRectF(QPointF(c.left * w, c.top * h), QPointF(c.right * w, c.bottom * h))

    def boundingRect(self) -> QRectF:
        return self._photo

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        rect = self.crop_rect()
        if rect is None:
            return
        outside = QPainterPath()
        outside.addRect(self._photo)
        inside = QPainterPath()
        inside.addRect(rect)
        shade = QColor(CROP_SHADE.colour)
        shade.setAlphaF(CROP_SHADE.alpha)
        painter.fillPath(outside.subtracted(inside), shade)
        for colour, style in (
            (QColor(CROP_FRAME), Qt.PenStyle.SolidLine),
            (QColor(CROP_DASH), Qt.PenStyle.DashLine),
        ):
            pen = QPen(colour, 1.5, style)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawRect(rect)


class AnnotatedPhotoItem(QGraphicsItem):
    """A photo, cropped if it has a crop, with its annotations drawn on top (read-only).

    Its rectangle is the shown (cropped) part in image pixels, top left at (0, 0). ``shapes`` are
    in the whole photo's coordinates, or already in the shown part's when ``in_crop``.
    """

    def __init__(
        self, image: QImage, shapes: Sequence[Shape], crop: Crop | None, *, in_crop: bool = False
    ) -> None:
        super().__init__()
        self._pixmap = QPixmap.fromImage(image)
        w, h = image.width(), image.height()
        c = crop or Crop(0, 0, 1, 1)
        self._source = QRectF(QPointF(c.left * w, c.top * h), QPointF(c.right * w, c.bottom * h))
        self._shapes = tuple(shapes) if in_crop else tuple(shape_in_crop(s, crop) for s in shapes)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._source.width(), self._source.height())

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        target = self.boundingRect()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(target, self._pixmap, self._source)
        painter.setClipRect(target)
        for shape in self._shapes:
            paint_shape(painter, shape, target.width(), target.height())
        painter.restore()


def render_annotated(
    data: bytes, shapes: Sequence[Shape], crop: Crop | None, width: int, *, in_crop: bool = False
) -> QImage:
    """The photo, cropped and annotated, as an image ``width`` pixels wide (for previews and thumbnails);
    ``in_crop`` as for ``AnnotatedPhotoItem``."""
    item = AnnotatedPhotoItem(load_image(data), shapes, crop, in_crop=in_crop)
    rect = item.boundingRect()
    height = max(1, round(width * rect.height() / rect.width()))
    image = QImage(width, height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.scale(width / rect.width(), height / rect.height())
    item.paint(painter, QStyleOptionGraphicsItem())
    painter.end()
    return image
