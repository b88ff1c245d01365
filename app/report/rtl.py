"""Right-to-left text for the PDF: words shaped before wrapping, each wrapped line put in visual order."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from bidi.algorithm import (
    explicit_embed_and_overrides,
    get_embedding_levels,
    get_empty_storage,
    resolve_implicit_levels,
    resolve_neutral_types,
    resolve_weak_types,
)
from bidi.mirror import MIRRORED
from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics, ttfonts

# OpenType features to shape with: not reportlab's default, which adds 'dlig' (Noto Sans Arabic would
# turn a typed محمد into the vocalised ligature ﷴ: a name must look as it was typed).
FEATURES = {"kern": True, "liga": True, "dlig": False}
# Any character of a right-to-left script block: a paragraph holding one is shaped and reordered.
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")


def _letter_class() -> str:
    """A regex class of the letters (bidi R or AL) and combining marks of the right-to-left blocks."""
    blocks = [(0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFC), (0x10800, 0x10FFF), (0x1E800, 0x1EFFF)]
    codes = [
        c
        for low, high in blocks
        for c in range(low, high + 1)
        if unicodedata.bidirectional(chr(c)) in ("R", "AL", "NSM") and chr(c) not in "\u060c\u061b\u061f"
    ]
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(f"{chr(low)}-{chr(high)}" for low, high in ranges) + "\u200c\u200d"


# A run of right-to-left letters (with their marks and joiners): the unit shaped as one.
_WORD = re.compile(f"[{_letter_class()}]+")
_PIECES = re.compile(r"\s+|\S+")
_REMOVED = {"RLE", "LRE", "RLO", "LRO", "PDF", "BN", "LRI", "RLI", "FSI", "PDI"}  # explicit codes: not kept


def strong_class(text: str) -> str | None:
    """The bidi class of the first strong character: "L", "R", "AL" or None."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        # a shaped glyph without a character of its own is private-use (class L): it says nothing
        if kind in ("L", "R", "AL") and unicodedata.category(char) != "Co":
            return kind
    return None


def base_level(text: str) -> int:
    """The paragraph direction by its first strong character (Unicode bidi rules P2-P3): 1 right to left."""
    return 1 if strong_class(text) in ("R", "AL") else 0


@lru_cache(maxsize=8192)
def shape(word: str, font: str) -> str:
    """``word`` (right-to-left letters only) as glyphs in visual order (uharfbuzz, through reportlab): a
    ShapedStr where marks are placed over or under their letters, else plain text (kerning left out);
    the letters reversed if the font cannot be shaped."""
    if not getattr(pdfmetrics.getFont(font), "shapable", False):
        return word[::-1]
    word_frags = [0, (ABag(fontName=font, fontSize=10), word)]
    shaped = ttfonts.shapeFragWord(word_frags, features=FEATURES, force=True)
    if len(shaped) != 2:
        return word[::-1]
    glyphs = shaped[1][1]
    placed = getattr(glyphs, "__shapeData__", None) or ()
    return glyphs if any(d.x_offset or d.y_offset for d in placed) else str(glyphs)


def shape_frags(frags: list[Any], shaped: dict[tuple[str, str], str]) -> list[Any]:
    """``frags`` with every run of right-to-left letters in a frag of its own, shaped (glyphs in
    visual order, as plain text that reportlab can wrap); ``shaped`` records each run's glyph positions."""
    result = []
    for frag in frags:
        text = getattr(frag, "text", "")
        if not text or hasattr(frag, "cbDefn") or not _WORD.search(text):
            result.append(frag)
            continue
        start = 0
        for match in _WORD.finditer(text):
            if match.start() > start:
                result.append(frag.clone(text=text[start : match.start()]))
            glyphs = shape(match.group(), frag.fontName)
            shaped[frag.fontName, str(glyphs)] = glyphs  # str(): the ShapedStr's letters alone
            result.append(frag.clone(text=str(glyphs)))
            start = match.end()
        if start < len(text):
            result.append(frag.clone(text=text[start:]))
    return result


def _items(words: list[Any], shaped: dict[tuple[str, str], str]) -> Iterator[tuple[Any, str | None, str]]:
    """(frag, text, stand-in) for each piece of a wrapped line: a shaped word as one piece (stood in for
    by one letter of its class), every other character on its own; an inline object as None."""
    for frag in words:
        text = getattr(frag, "text", None)
        if not text or hasattr(frag, "cbDefn"):
            yield frag, None, "\ufffc"
            continue
        for piece in _PIECES.findall(text):
            glyphs = shaped.get((frag.fontName, piece))
            if glyphs is not None:
                yield frag, glyphs, "\u0627" if strong_class(piece) == "AL" else "\u05d0"
            else:
                for char in piece:
                    yield frag, char, "!" if unicodedata.bidirectional(char) in _REMOVED else char


def levels(text: str, base: int) -> list[int]:
    """The resolved embedding level of each character of one line (python-bidi, rules X1-I2 and L1
    for the spaces that end the line)."""
    storage = get_empty_storage()
    storage["base_level"], storage["base_dir"] = base, "LR"[base]
    get_embedding_levels(text, storage)
    explicit_embed_and_overrides(storage)
    resolve_weak_types(storage)
    resolve_neutral_types(storage, False)
    resolve_implicit_levels(storage, False)
    found = [c["level"] for c in storage["chars"]]
    for index in range(len(text) - 1, -1, -1):
        if unicodedata.bidirectional(text[index]) not in ("WS", "S", "B"):
            break
        found[index] = base
    return found


def reorder(items: list[Any], found: list[int]) -> list[Any]:
    """Rule L2: from the highest level down to the lowest odd one, reverse every run at that level or above."""
    pairs = list(zip(found, items, strict=True))
    odd = [level for level in found if level % 2]
    for level in range(max(found, default=0), min(odd, default=1) - 1, -1):
        index = 0
        while index < len(pairs):
            if pairs[index][0] < level:
                index += 1
                continue
            end = index
            while end < len(pairs) and pairs[end][0] >= level:
                end += 1
            pairs[index:end] = pairs[index:end][::-1]
            index = end
    return [item for _, item in pairs]


def visual_order(words: list[Any], base: int, shaped: dict[tuple[str, str], str]) -> list[Any]:
    """The frags of one wrapped line in drawing order, left to right (mirrored brackets in right-to-left runs)."""
    items = list(_items(words, shaped))
    if not items:
        return words
    found = levels("".join(stand_in for _, _, stand_in in items), base)
    pieces = [
        (frag, MIRRORED.get(text, text) if level % 2 and text is not None and len(text) == 1 else text)
        for (frag, text, _), level in zip(items, found, strict=True)
    ]
    result: list[Any] = []
    joinable = None  # the frag of the piece before, if it is plain text the next piece may join
    for frag, text in reorder(pieces, found):
        if text is None:
            result.append(frag)
            joinable = None
        elif frag is joinable and type(text) is str:
            result[-1].text += text
        else:
            result.append(frag.clone(text=text))
            joinable = frag if type(text) is str else None
    return result
