"""Fonts, paragraph styles and table styles of the PDF report; escaping of user text."""

from __future__ import annotations

from collections.abc import Sequence
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
from reportlab.platypus import Paragraph, TableStyle

from app import assets

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#5A5A5A")
RULE = colors.HexColor("#9A9A9A")
HEADER_FILL = colors.HexColor("#E8EEF2")
STRIPE_FILL = colors.HexColor("#F6F8FA")
ALERT = colors.HexColor("#D55E00")
OK = colors.HexColor("#009E73")

PAGE_MARGIN = 18 * mm
CELL_PADDING = 6.5  # left + right cell padding, points


@cache
def register_fonts(folder: Path | None = None) -> None:
    """Register the bundled DejaVu family once (it covers γ, ≥, µ and accented names)."""
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
    rl_config.canvas_basefontname = FONT  # no page may fall back to an unembedded standard font
    STATE_DEFAULTS["fontName"] = FONT  # nor a drawing (reportlab.graphics defaults to Helvetica)


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
        self.banner = _style(
            "banner", 12, 16, fontName=FONT_BOLD, alignment=TA_CENTER, textColor=colors.white
        )


def text(value: object) -> str:
    """User text made safe for Paragraph markup: escaped, line breaks kept (pitfall 4.3)."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def para(value: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text(value), style)


def table_style(header_rows: int = 1, stripes: bool = True) -> TableStyle:
    commands: list[tuple[object, ...]] = [
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
        commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, STRIPE_FILL]))
    return TableStyle(commands)


def _cell_widths(cell: Paragraph) -> tuple[float, float]:
    """(longest word, whole text) widths of a cell's text, padding included."""
    font, size = cell.style.fontName, cell.style.fontSize
    lines = cell.getPlainText().split("\n")
    words = [w for line in lines for w in line.split()] or [""]
    longest = max(pdfmetrics.stringWidth(w, font, size) for w in words)
    whole = max(pdfmetrics.stringWidth(line, font, size) for line in lines)
    return longest + CELL_PADDING, whole + CELL_PADDING


def fitted_widths(rows: Sequence[Sequence[Paragraph]], total: float) -> list[float]:
    """Column widths that fit ``total``: every word fits its column when at all possible, and
    the space left over goes to the columns whose text would otherwise wrap most."""
    columns = list(zip(*rows, strict=True))
    measured = [[_cell_widths(cell) for cell in column] for column in columns]
    minimum = [max(m[0] for m in column) for column in measured]
    natural = [max(max(m[1] for m in column), low) for column, low in zip(measured, minimum, strict=True)]
    if sum(natural) <= total:
        return [w * total / sum(natural) for w in natural]
    if sum(minimum) >= total:
        return [w * total / sum(minimum) for w in minimum]
    spare = total - sum(minimum)
    wants = [n - m for n, m in zip(natural, minimum, strict=True)]
    return [m + spare * w / sum(wants) for m, w in zip(minimum, wants, strict=True)]
