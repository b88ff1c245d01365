"""Photos in the PDF: cropped and downsampled to print size, annotations drawn as vectors on top."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from PIL import Image
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from app.domain.annotations import ANNOTATION_COLOURS, Crop, Shape, ShapeKind, shape_in_crop
from app.report.styles import FONT_BOLD

PRINT_DPI = 220
JPEG_QUALITY = 85


def print_ready(data: bytes, crop: Crop | None, width_pt: float) -> tuple[bytes, float]:
    """The photo cropped (pixels outside the crop never reach the PDF) and downsampled to
    ``PRINT_DPI`` at the given printed width; returns JPEG bytes and height ÷ width."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    if crop is not None:
        w, h = image.size
        image = image.crop(
            (round(crop.left * w), round(crop.top * h), round(crop.right * w), round(crop.bottom * h))
        )
    target = max(1, round(width_pt / 72 * PRINT_DPI))
    if image.width > target:
        image = image.resize(
            (target, max(1, round(image.height * target / image.width))), Image.Resampling.LANCZOS
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), image.height / image.width


def draw_shape(canvas: Canvas, shape: Shape, width: float, height: float) -> None:
    """One annotation on a canvas whose origin is the photo's bottom-left corner."""
    colour = HexColor(ANNOTATION_COLOURS.get(shape.colour, "#F0E442"))
    stroke = max(0.8, shape.width * max(width, height))
    points = [(x * width, (1 - y) * height) for x, y in shape.points]
    canvas.setStrokeColor(colour)
    canvas.setFillColor(colour)
    canvas.setLineWidth(stroke)
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    if shape.kind is ShapeKind.ARROW:
        (x0, y0), (x1, y1) = points[0], points[-1]
        canvas.line(x0, y0, x1, y1)
        _arrow_head(canvas, x0, y0, x1, y1, stroke)
    elif shape.kind is ShapeKind.ELLIPSE:
        (x0, y0), (x1, y1) = points[0], points[1]
        canvas.ellipse(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), stroke=1, fill=0)
    elif shape.kind is ShapeKind.FREEHAND:
        path = canvas.beginPath()
        path.moveTo(*points[0])
        for x, y in points[1:]:
            path.lineTo(x, y)
        canvas.drawPath(path, stroke=1, fill=0)
    else:
        size = max(7.0, 0.045 * height)
        canvas.setFont(FONT_BOLD, size)
        x, y = points[0]
        canvas.drawString(x, y - size, shape.text)


def _arrow_head(canvas: Canvas, x0: float, y0: float, x1: float, y1: float, stroke: float) -> None:
    angle = math.atan2(y1 - y0, x1 - x0)
    size = 4 * stroke + 3
    path = canvas.beginPath()
    path.moveTo(x1, y1)
    for turn in (2.6, -2.6):
        path.lineTo(x1 + size * math.cos(angle + turn), y1 + size * math.sin(angle + turn))
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


class AnnotatedPhoto(Flowable):  # type: ignore[misc]
    """A photo at a fixed width, keeping its aspect ratio, with its annotations as vectors."""

    def __init__(
        self, data: bytes, shapes: Sequence[Shape], crop: Crop | None, width: float, max_height: float
    ) -> None:
        super().__init__()
        self.jpeg, ratio = print_ready(data, crop, width)
        self.draw_width = min(width, max_height / ratio)
        self.draw_height = self.draw_width * ratio
        self.shapes = [shape_in_crop(s, crop) for s in shapes]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.draw_width, self.draw_height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        canvas.drawImage(ImageReader(io.BytesIO(self.jpeg)), 0, 0, self.draw_width, self.draw_height)
        canvas.saveState()
        path = canvas.beginPath()
        path.rect(0, 0, self.draw_width, self.draw_height)
        canvas.clipPath(path, stroke=0, fill=0)
        for shape in self.shapes:
            draw_shape(canvas, shape, self.draw_width, self.draw_height)
        canvas.restoreState()
