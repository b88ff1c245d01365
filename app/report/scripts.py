"""Text in any script in the PDF: a bundled fallback font for each run of characters the main font lacks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Group, String
from reportlab.lib.abag import ABag
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import ParaLines

from . import rtl


@dataclass(frozen=True)
class Fallback:
    """A bundled font for the scripts DejaVu Sans lacks or draws poorly; ``claims`` are the code
    point ranges always drawn with it (its script), other characters only when the main font lacks them."""

    name: str
    filename: str
    claims: tuple[tuple[int, int], ...]


FALLBACKS = (
    Fallback(
        "NotoSansArabic",
        "NotoSansArabic-Regular.ttf",
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ),
    Fallback("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    Fallback("NanumSquare", "NanumSquareR.ttf", ((0xAC00, 0xD7A3), (0x3130, 0x318F))),
    Fallback(  # Chinese and Japanese: ideographs, kana, CJK punctuation, full-width forms
        "DroidSansFallback",
        "DroidSansFallbackFull.ttf",
        (
            (0x2E80, 0x2FDF),
            (0x3000, 0x312F),
            (0x3190, 0x4DBF),
            (0x4E00, 0x9FFF),
            (0xF900, 0xFAFF),
            (0xFE30, 0xFE4F),
            (0xFF00, 0xFFEF),
            (0x20000, 0x2FFFF),
        ),
    ),
)


_FALLBACK_FILES: dict[str, Path] = {}  # fallback fonts not read yet: name -> file


def register_fallback_fonts(folder: Path) -> None:
    """Make the fallback fonts in ``folder`` available. Each is read the first time a character needs it
    (reading them all costs more than a whole short report: the Chinese and Japanese one is 4 MB)."""
    _FALLBACK_FILES.update({f.name: folder / f.filename for f in FALLBACKS})


def _cmap(font: str) -> dict[int, int]:
    """The font's characters (an embedded TrueType font's; a standard font: printable ASCII)."""
    waiting = _FALLBACK_FILES.pop(font, None)
    if waiting is not None:
        pdfmetrics.registerFont(TTFont(font, str(waiting)))
    face = getattr(pdfmetrics.getFont(font), "face", None)
    return getattr(face, "charToGlyph", None) or {code: code for code in range(0x20, 0x7F)}


def _covers(font: str, code: int) -> bool:
    return code in _cmap(font)


@cache
def _font_for(char: str, primary: str) -> str | None:
    """The font that draws ``char`` in text set in ``primary``; None for an invisible control
    character no font has (it is left out rather than drawn as a box)."""
    code = ord(char)
    for fallback in FALLBACKS:
        if any(low <= code <= high for low, high in fallback.claims) and _covers(fallback.name, code):
            return fallback.name
    if _covers(primary, code):
        return primary
    for fallback in FALLBACKS:
        if _covers(fallback.name, code):
            return fallback.name
    return None if unicodedata.category(char) == "Cf" else primary


@cache
def _plain(primary: str) -> re.Pattern[str]:
    """Runs of characters that ``primary`` draws and no fallback claims (most text: matched in C)."""
    claimed = [c for f in FALLBACKS for c in f.claims]
    codes = sorted(
        c for c in _cmap(primary) if c >= 0x20 and not any(low <= c <= high for low, high in claimed)
    )
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    body = "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges)
    return re.compile(f"[{body}]+")


def font_runs(text: str, primary: str) -> list[tuple[str, str]]:
    """``text`` cut into (run, font) pieces: each character in a font that has it, the pieces in order."""
    if text.isascii():
        return [(text, primary)]
    pieces: list[tuple[str, str]] = []
    plain = _plain(primary)
    position = 0
    while position < len(text):
        char = text[position]
        before = pieces[-1][1] if pieces else primary
        match = None if before != primary and _joins(char, before) else plain.match(text, position)
        if match:
            pieces.append((match.group(), primary))
            position = match.end()
            continue
        font = before if _joins(char, before) else _font_for(char, primary)
        if font is not None:
            pieces.append((char, font))
        position += 1
    return [("".join(p for p, _ in group), font) for font, group in groupby(pieces, key=itemgetter(1))]


def _joins(char: str, font: str) -> bool:
    """Whether ``char`` stays in the run before it, drawn in ``font``: marks and joiners with their letter,
    spaces, digits and punctuation with the script they stand in (fewer font changes, no gaps in Arabic)."""
    return unicodedata.bidirectional(char) in _JOINING and _covers(font, ord(char))


_JOINING = {"NSM", "BN", "WS", "CS", "ES", "ET", "EN", "ON"}


def string_width(text: str, font: str, size: float) -> float:
    """The width of ``text`` as drawn with fallback fonts (pdfmetrics.stringWidth counts missing glyphs)."""
    return sum(pdfmetrics.stringWidth(run, name, size) for run, name in font_runs(text, font))


# ------------------------------------------------------------------------------------ paragraphs


def _fallback_frags(frags: list[Any]) -> list[Any]:
    result = []
    for frag in frags:
        text = getattr(frag, "text", "")
        if not text or hasattr(frag, "cbDefn") or text.isascii():
            result.append(frag)
            continue
        runs = font_runs(text, frag.fontName)
        if len(runs) == 1 and runs[0] == (text, frag.fontName):
            result.append(frag)
        else:
            result += [frag.clone(text=run, fontName=font) for run, font in runs]
    return result


class ScriptParagraph(Paragraph):
    """A Paragraph in any script: each run of characters in a font that has it; right-to-left words
    shaped (uharfbuzz, through reportlab) before wrapping and each wrapped line put in visual order
    when drawn, so lines follow each other in reading order. Like every PDF writer, the page holds
    the glyphs in visual order; readers (pdfium, poppler) give the text back in logical order."""

    blPara: ParaLines  # the wrapped lines, set by ``wrap`` (types-reportlab leaves it out)

    def _setup(self, text: Any, style: ParagraphStyle, bulletText: Any, frags: Any, cleaner: Any) -> None:
        # reportlab's private set-up step, which types-reportlab leaves out
        super()._setup(text, style, bulletText, frags, cleaner)  # type: ignore[misc]
        if frags is not None:  # a part split off a paragraph: already prepared, and its style says how
            return
        self.frags = _fallback_frags(self.frags)
        logical = "".join(getattr(f, "text", "") for f in self.frags)
        if rtl.RTL.search(logical):
            level = rtl.base_level(logical)
            shaped: dict[tuple[str, str], str] = {}
            self.frags = rtl.shape_frags(self.frags, shaped)
            align = style.alignment
            if level and align == TA_LEFT:
                align = TA_RIGHT
            self.style = ParagraphStyle(
                f"{style.name}-rtl", parent=style, alignment=align, bidiLevel=level, bidiShaped=shaped
            )

    def drawPara(self, debug: int = 0) -> None:
        level = getattr(self.style, "bidiLevel", None)
        logical = self.blPara
        if level is None or logical.kind != 1:  # kind 0: one frag, a single right-to-left word at most
            super().drawPara(debug)
            return
        shaped = self.style.bidiShaped
        lines = [line.clone(words=rtl.visual_order(line.words, level, shaped)) for line in logical.lines]
        self.blPara = logical.clone(lines=lines)
        try:
            super().drawPara(debug)
        finally:
            self.blPara = logical


# ------------------------------------------------------------------------------------ drawings


def drawing_text(
    x: float, y: float, text: str, font: str, size: float, anchor: str = "start", **string_kw: Any
) -> Group:
    """A one-line label for a reportlab graphics Drawing in any script: a String per run of font,
    right-to-left words shaped and the runs in visual order, anchored like ``String.textAnchor``."""
    frags = [ABag(fontName=name, fontSize=size, text=run) for run, name in font_runs(text, font)]
    if rtl.RTL.search(text):
        shaped: dict[tuple[str, str], str] = {}
        frags = rtl.visual_order(rtl.shape_frags(frags, shaped), rtl.base_level(text), shaped)
    widths = [pdfmetrics.stringWidth(str(f.text), f.fontName, size) for f in frags]
    left = x - {"middle": sum(widths) / 2, "end": sum(widths)}.get(anchor, 0.0)
    group = Group()
    for frag, width in zip(frags, widths, strict=True):
        group.add(String(left, y, frag.text, fontName=frag.fontName, fontSize=size, **string_kw))
        left += width
    return group
