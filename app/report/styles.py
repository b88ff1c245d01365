"""Fonts, paragraph styles and table styles of the PDF report; user text made into paragraphs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.shapes import STATE_DEFAULTS
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, Spacer, TableStyle

from .. import assets
from ..domain import style as house
from .scripts import ScriptParagraph, register_fallback_fonts, string_width

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"

# The document's colours, from the style table.
INK = colors.HexColor(house.INK)
MUTED = colors.HexColor(house.TEXT_MUTED)
RULE = colors.HexColor(house.PAGE_RULE)
HEADER_FILL = colors.HexColor(house.TABLE_HEADER_FILL)
STRIPE_FILL = colors.HexColor(house.TABLE_STRIPE_FILL)
PAPER = colors.HexColor(house.PAPER)
ALERT = colors.HexColor(house.ALERT)
OK = colors.HexColor(house.OK)

PAGE_MARGIN = 18 * mm
CELL_PADDING = 6.5  # left + right cell padding, points


@cache
def register_fonts(folder: Path | None = None) -> None:
    """Register the bundled fonts once: the DejaVu family (γ, ≥, µ, accented names) and the fallbacks
    for Chinese, Japanese, Korean, Arabic and Hebrew (``scripts.FALLBACKS``)."""
    folder = folder or assets.fonts_dir()
    for name, filename in (
        (FONT, "DejaVuSans.ttf"),
        (FONT_BOLD, "DejaVuSans-Bold.ttf"),
        (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
        (FONT_BOLD_ITALIC, "DejaVuSans-BoldOblique.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )
    register_fallback_fonts(folder)
    rl_config.canvas_basefontname = FONT  # no page may fall back to an unembedded standard font
    STATE_DEFAULTS["fontName"] = FONT  # nor a drawing (reportlab.graphics defaults to Helvetica)
    # reportlab checks every attribute set on a graphics shape while this is on: a help in writing a
    # drawing, a fifth of the time of drawing the report's figures
    rl_config.shapeChecking = 0
    rl_config.useA85 = 0  # binary streams: no ASCII85 (done in Python) around fonts and photos


def _style(name: str, size: float, leading: float, **kw: object) -> ParagraphStyle:
    values: dict[str, object] = {"fontName": FONT, "textColor": INK}
    values.update(kw)
    return ParagraphStyle(name, fontSize=size, leading=leading, **values)  # type: ignore[arg-type]


class Styles:
    """The report's paragraph styles (built after the fonts are registered)."""

    def __init__(self) -> None:
        register_fonts()
        self.title = _style("title", 22, 28, fontName=FONT_BOLD, spaceAfter=6 * mm)
        self.subtitle = _style("subtitle", 12, 16, textColor=MUTED, spaceAfter=3 * mm)
        self.h1 = _style(
            "h1", 15, 19, fontName=FONT_BOLD, spaceBefore=4 * mm, spaceAfter=3 * mm, keepWithNext=1
        )
        self.h2 = _style(
            "h2", 11.5, 15, fontName=FONT_BOLD, spaceBefore=3 * mm, spaceAfter=1.5 * mm, keepWithNext=1
        )
        self.body = _style("body", 9.5, 13, spaceAfter=2 * mm)
        self.small = _style("small", 8, 10.5, textColor=MUTED)
        self.cell = _style("cell", 7.8, 9.6)
        self.cell_bold = _style("cellb", 7.8, 9.6, fontName=FONT_BOLD)
        self.caption = _style("caption", 8, 10.5, textColor=MUTED, spaceBefore=1 * mm, spaceAfter=3 * mm)
        self.banner = _style("banner", 12, 16, fontName=FONT_BOLD, alignment=TA_CENTER, textColor=PAPER)


def text(value: object) -> str:
    """User text made safe for Paragraph markup: escaped, line breaks kept (pitfall 4.3)."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def para(value: object, style: ParagraphStyle) -> Paragraph:
    """User text as one paragraph in any script (fallback fonts, right-to-left lines)."""
    return ScriptParagraph(text(value), style)


def paras(value: object, style: ParagraphStyle) -> list[Flowable]:
    """Free text of any length: a paragraph per line, and a line longer than ``CHUNK`` characters cut
    (after a sentence where possible) into paragraphs that follow each other without a gap.

    One giant Paragraph costs time quadratic in its length: reportlab wraps the rest of it again
    at every page break, and its line breaker pops words from the front of a list.
    """
    lines = ("" if value is None else str(value)).strip("\n").split("\n")
    pieces = [chunk for line in lines for chunk in (_chunks(line) if line.strip() else [""])]
    last = len(pieces) - 1
    story: list[Flowable] = []
    for n, piece in enumerate(pieces):
        if not piece:
            story.append(Spacer(1, style.leading))
            continue
        before = style.spaceBefore if n == 0 else 0
        after = style.spaceAfter if n == last else 0
        story.append(
            para(
                piece, ParagraphStyle(f"{style.name}-{n}", parent=style, spaceBefore=before, spaceAfter=after)
            )
        )
    return story


CHUNK = 2000  # characters: long enough to read as one paragraph, short enough to wrap fast
_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])\s+|(?<=[。！？])")


def _chunks(line: str) -> list[str]:
    """``line`` cut into pieces of at most about CHUNK characters, at a sentence end, else at a space."""
    pieces, start = [], 0
    while len(line) - start > CHUNK:
        window = line[start : start + CHUNK + 1]
        ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() > CHUNK // 2]
        cut = ends[-1] if ends else (window.rfind(" ") + 1 or CHUNK)
        pieces.append(window[:cut].rstrip())
        start += cut
    return [*pieces, line[start:]] if line[start:].strip() else pieces


# A table style command: its name, the first and last cell it applies to (column, row), its values.
TableCommand = tuple[str, tuple[int, int], tuple[int, int], *tuple[object, ...]]


def table_style(header_rows: int = 1, stripes: bool = True) -> TableStyle:
    commands: list[TableCommand] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # tables' own default is an unembedded Helvetica
        ("FONTSIZE", (0, 0), (-1, -1), 7.8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.5, INK),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, INK),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if stripes:
        commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [PAPER, STRIPE_FILL]))
    return TableStyle(commands)


def _cell_widths(cell: Paragraph) -> tuple[float, float]:
    """(longest word, whole text) widths of a cell's text, padding included."""
    font, size = cell.style.fontName, cell.style.fontSize
    lines = cell.getPlainText().split("\n")
    words = [w for line in lines for w in line.split(" ") if w] or [""]  # a no-break space joins words
    longest = max(string_width(w, font, size) for w in words)
    whole = max(string_width(line, font, size) for line in lines)
    return longest + CELL_PADDING, whole + CELL_PADDING


def fitted_widths(rows: Iterable[Sequence[Paragraph]], total: float) -> list[float]:
    """Column widths that fit ``total``: every word fits its column when at all possible, and
    the space left over goes to the columns whose text would otherwise wrap most. ``rows`` are
    read once, one at a time (a table of any length is measured without keeping its rows)."""
    minimum: list[float] = []
    whole: list[float] = []
    for row in rows:
        measured = [_cell_widths(cell) for cell in row]
        if not minimum:
            minimum, whole = [m[0] for m in measured], [m[1] for m in measured]
            continue
        if len(measured) != len(minimum):
            raise ValueError("every row of a table must have as many cells as the first")
        minimum = [max(a, m[0]) for a, m in zip(minimum, measured, strict=True)]
        whole = [max(a, m[1]) for a, m in zip(whole, measured, strict=True)]
    natural = [max(w, low) for w, low in zip(whole, minimum, strict=True)]
    if sum(natural) <= total:
        return [w * total / sum(natural) for w in natural]
    if sum(minimum) >= total:
        return [w * total / sum(minimum) for w in minimum]
    spare = total - sum(minimum)
    wants = [n - m for n, m in zip(natural, minimum, strict=True)]
    return [m + spare * w / sum(wants) for m, w in zip(minimum, wants, strict=True)]
