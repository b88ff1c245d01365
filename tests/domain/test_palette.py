"""House colours are written once, in the style table (``domain/style.py`` and its ``palette.py``):
the domain, the PDF report and the screen name them and never spell a colour of their own."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
TABLE = {APP / "domain" / "style.py", APP / "domain" / "palette.py"}
HEX = re.compile(r"[\"']#[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?[\"']")
# Qt's ways of spelling a colour without the table: QColor(0, 0, 0), QColor("white"), Qt.GlobalColor.red,
# Qt.white, QColor.fromRgb(…) with numbers
QT_COLOUR = re.compile(
    r"QColor\(\s*(?:\d|[\"'][A-Za-z])"
    r"|QColor\.from(?:Rgb|Hsv|Hsl|Cmyk)F?\(\s*\d"
    r"|Qt\.GlobalColor"
    r"|\bQt\.(?:white|black|red|green|blue|cyan|magenta|yellow|gray|darkGray|lightGray)\b"
)


def _spelled(folder: Path, pattern: re.Pattern[str]) -> list[str]:
    return [
        f"{path.relative_to(APP)}:{number}: {line.strip()}"
        for path in sorted(folder.rglob("*.py"))
        if path not in TABLE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]


def test_no_colour_is_spelled_outside_the_style_table() -> None:
    assert _spelled(APP, HEX) == []  # the domain, the report, the screen and the rest


def test_the_screen_spells_no_qt_colour_of_its_own() -> None:
    assert _spelled(APP / "ui", QT_COLOUR) == []


def test_the_checks_see_what_they_look_for() -> None:
    spelled = (
        'INK = QColor("#1A1A1A")',
        "painter.fillPath(path, QColor(0, 0, 0, 150))",
        'QColor("white")',
        "Qt.GlobalColor.red",
        "brush = Qt.black",
        "QColor.fromRgbF(0.5, 0.5, 0.5)",
    )
    named = ("QColor(EMPTY_FRAME)", "QColor(house.INK)", "QColor()", "qcolour(style.colour, 0.9)")
    assert [bool(HEX.search(s) or QT_COLOUR.search(s)) for s in spelled] == [True] * len(spelled)
    assert [bool(HEX.search(s) or QT_COLOUR.search(s)) for s in named] == [False] * len(named)
