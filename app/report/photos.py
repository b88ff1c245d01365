"""Photos in the PDF: cropped and downsampled to print size, annotations drawn as vectors on top;
in the report's photo blocks and in the timeline's photo strip."""

from __future__ import annotations

import copy
import io
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from PIL import Image
from reportlab.graphics.shapes import DirectDraw, Group, Line, String
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from ..domain import style as house
from ..domain.annotations import (
    ANNOTATION_COLOURS,
    DEFAULT_COLOUR,
    HALO_SHARE,
    Crop,
    Shape,
    ShapeKind,
    halo_colour,
    shape_in_crop,
)
from ..domain.timeline_photos import CAPTION_LINES, PhotoStripSpec, StripPhotoSpec, wrapped
from .figure_parts import rectangle
from .styles import FONT, FONT_BOLD, INK

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
    colour = HexColor(ANNOTATION_COLOURS.get(shape.colour, ANNOTATION_COLOURS[DEFAULT_COLOUR]))
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
        _label(canvas, shape, points[0], max(7.0, 0.045 * height))


def _label(canvas: Canvas, shape: Shape, at: tuple[float, float], size: float) -> None:
    """A text label with an outline in its contrasting colour (``halo_colour``), then its fill on top
    (one text object, so the render mode goes back to fill for whatever is written next)."""
    canvas.setStrokeColor(HexColor(halo_colour(shape.colour)))
    canvas.setLineWidth(HALO_SHARE * size)
    text = canvas.beginText(at[0], at[1] - size)
    text.setFont(FONT_BOLD, size)
    for mode in (1, 0):  # stroke, then fill
        text.setTextOrigin(at[0], at[1] - size)
        text.setTextRenderMode(mode)
        text.textOut(shape.text)
    canvas.drawText(text)


def _arrow_head(canvas: Canvas, x0: float, y0: float, x1: float, y1: float, stroke: float) -> None:
    angle = math.atan2(y1 - y0, x1 - x0)
    size = 4 * stroke + 3
    path = canvas.beginPath()
    path.moveTo(x1, y1)
    for turn in (2.6, -2.6):
        path.lineTo(x1 + size * math.cos(angle + turn), y1 + size * math.sin(angle + turn))
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


class AnnotatedPhoto(Flowable):
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


# ----------------------------------------------------------------- the timeline's photo strip

MINIATURE_PT = 200.0  # a thumbnail's annotations are drawn as on a photo this wide, then scaled


class StripThumbnail(DirectDraw):
    """A photo of the timeline's strip inside a drawing: its pixels (cropped, print-ready) and its
    annotations as vectors (in the cropped photo's coordinates), drawn straight on the PDF canvas;
    an empty grey box when its pixels are not in the report."""

    def __init__(
        self, x: float, y: float, width: float, height: float, image: bytes | None, photo: StripPhotoSpec
    ) -> None:
        super().__init__()
        self.x, self.y, self.width, self.height = x, y, width, height
        self.photo_id = photo.photo_id
        self.shapes = photo.annotations
        self.jpeg = print_ready(image, photo.crop, width)[0] if image else None

    def getBounds(self) -> tuple[float, float, float, float]:
        return self.x, self.y, self.x + self.width, self.y + self.height

    def copy(self) -> StripThumbnail:
        """A twin sharing the print-ready pixels (every reportlab shape can be copied; the base raises)."""
        return copy.copy(self)

    def drawDirectly(self, renderer: object) -> None:
        # reportlab passes its PDF renderer (not a canvas, as types-reportlab says); _canvas is private
        canvas: Canvas = renderer._canvas  # type: ignore[attr-defined]
        canvas.saveState()
        if self.jpeg is None:
            canvas.setFillColor(HexColor(house.EMPTY_FRAME))
            canvas.rect(self.x, self.y, self.width, self.height, stroke=0, fill=1)
        else:
            canvas.drawImage(ImageReader(io.BytesIO(self.jpeg)), self.x, self.y, self.width, self.height)
            path = canvas.beginPath()
            path.rect(self.x, self.y, self.width, self.height)
            canvas.clipPath(path, stroke=0, fill=0)
            canvas.translate(self.x, self.y)
            canvas.scale(self.width / MINIATURE_PT, self.width / MINIATURE_PT)
            for shape in self.shapes:
                draw_shape(canvas, shape, MINIATURE_PT, MINIATURE_PT * self.height / self.width)
        canvas.restoreState()


STRIP_LEADER = 9.0  # between the photo markers' row and the thumbnails' top
STRIP_THUMB = 44.0  # the tallest a thumbnail is printed
CAPTION_FONT = 5.5
CAPTION_STEP = CAPTION_FONT + 1.3
MUTED = HexColor(house.MUTED)
PAPER = HexColor(house.PAPER)


def _thumbnail_size(photo: StripPhotoSpec, slot_width: float) -> tuple[float, float]:
    """A thumbnail's printed width and height: its slot's width, or less where it would pass STRIP_THUMB."""
    width = min(slot_width, STRIP_THUMB / photo.aspect)
    return width, width * photo.aspect


def _caption_lines(photo: StripPhotoSpec, room: float) -> list[tuple[str, str]]:
    """A thumbnail's caption as printed in ``room`` points: wrapped, the date in bold; (text, font name)."""
    first = wrapped(photo.caption[:1], lambda t: stringWidth(t, FONT_BOLD, CAPTION_FONT) <= room, 1)
    rest = wrapped(photo.caption[1:], lambda t: stringWidth(t, FONT, CAPTION_FONT) <= room, CAPTION_LINES - 1)
    return [(text, FONT_BOLD) for text in first] + [(text, FONT) for text in rest]


def strip_height(strip: PhotoStripSpec, per_x: float) -> float:
    """The printed strip's height at ``per_x`` points per unit of the x clock: leader zone, the tallest
    thumbnail and the longest caption."""
    tallest = max(_thumbnail_size(p, strip.slot_width * per_x)[1] for p in strip.photos)
    lines = max(len(_caption_lines(p, (p.room[1] - p.room[0]) * per_x - 2)) for p in strip.photos)
    return STRIP_LEADER + tallest + 2 + lines * CAPTION_STEP + 2


def draw_strip(
    group: Group,
    strip: PhotoStripSpec,
    scale: Callable[[float], float],
    markers_y: float,
    top: float,
    images: Mapping[int, bytes],
) -> Counter[str]:
    """The strip of a timeline drawing, below the photo markers at ``markers_y`` from ``top`` down:
    leader lines, thumbnails (``StripThumbnail``, their pixels from ``images`` by photo id) and
    captions, where the spec puts them; returns how many thumbnails and leader lines it drew."""
    drawn: Counter[str] = Counter()
    for photo in strip.photos:
        a, b = scale(photo.slot[0]), scale(photo.slot[1])
        width, height = _thumbnail_size(photo, b - a)
        left, y = (a + b - width) / 2, top - STRIP_LEADER - height
        if photo.leader is not None:
            group.add(Line(scale(photo.leader[0]), markers_y, scale(photo.leader[1]), top - STRIP_LEADER,
                           strokeColor=MUTED, strokeWidth=0.5))  # fmt: skip
            drawn["leaders"] += 1
        group.add(StripThumbnail(left, y, width, height, images.get(photo.photo_id or -1), photo))
        group.add(rectangle(left, y, width, height, None, INK, 0.4))
        _caption(group, photo, (a + b) / 2, (scale(photo.room[0]), scale(photo.room[1])), y - 2)
        drawn["thumbnails"] += 1
    return drawn


def _caption(
    group: Group, photo: StripPhotoSpec, centre: float, room: tuple[float, float], top: float
) -> None:
    """The caption lines under a thumbnail, wrapped to its room, each centred under the thumbnail as
    far as the room allows, on a faint paper box."""
    left, right = room[0] + 1, room[1] - 1
    for n, (text, name) in enumerate(_caption_lines(photo, right - left)):
        y = top - (n + 1) * CAPTION_STEP + 1.3
        width = stringWidth(text, name, CAPTION_FONT)
        middle = min(max(centre, left + width / 2), right - width / 2)
        group.add(rectangle(middle - width / 2 - 1, y - 1.4, width + 2, CAPTION_STEP, PAPER, opacity=0.8))
        group.add(
            String(middle, y, text, fontName=name, fontSize=CAPTION_FONT, fillColor=INK, textAnchor="middle")
        )
