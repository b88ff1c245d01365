"""Photos in the PDF: annotation text keeps an outline that contrasts with its colour, for print."""

from __future__ import annotations

import io

from myocase.domain.annotations import Shape, ShapeKind
from myocase.report.photos import AnnotatedPhoto
from myocase.report.styles import register_fonts
from reportlab.pdfgen.canvas import Canvas

from tests.images import upright_pattern


def _page(shapes: tuple[Shape, ...]) -> bytes:
    """The content of one page holding a photo with ``shapes``, uncompressed."""
    register_fonts()
    pixels = io.BytesIO()
    upright_pattern().save(pixels, "PNG")
    out = io.BytesIO()
    canvas = Canvas(out, pageCompression=0)
    photo = AnnotatedPhoto(pixels.getvalue(), shapes, None, 200, 200)
    photo.wrapOn(canvas, 200, 200)
    photo.drawOn(canvas, 50, 500)
    canvas.save()
    return out.getvalue()


def _stroke_colour_before(page: bytes, at: int) -> list[float]:
    """The stroke colour set last before ``at`` (an ``r g b RG`` operator)."""
    *_, last = page[:at].split(b" RG")[:-1]
    return [float(v) for v in last.split()[-3:]]


def test_annotation_text_is_outlined_in_black_under_yellow_and_in_white_under_black() -> None:
    yellow = _page((Shape(ShapeKind.TEXT, ((0.1, 0.1),), "yellow", "Gottron's papules"),))
    outline, fill = yellow.index(b"1 Tr"), yellow.index(b"0 Tr")
    assert outline < fill  # the outline first, the letters over it
    assert _stroke_colour_before(yellow, outline) == [0, 0, 0]
    assert yellow.count(b"Tj") == 2  # the label twice: outlined, then filled
    black = _page((Shape(ShapeKind.TEXT, ((0.1, 0.1),), "black", "scar"),))
    assert _stroke_colour_before(black, black.index(b"1 Tr")) == [1, 1, 1]  # a white outline for black text
    plain = _page((Shape(ShapeKind.ARROW, ((0.1, 0.1), (0.5, 0.5)), "yellow"),))
    assert b"1 Tr" not in plain  # lines and arrows are drawn as they are
