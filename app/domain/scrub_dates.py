"""Calendar dates written in text: numeric, with an English month name or abbreviation, or eight digits.

What ``Scrubber`` (``scrub``) finds as a date of birth or a calendar date: every place a date may be written,
with the full dates it may mean; ``DATE_HINT`` says in one search whether a text may hold one at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|['’]?\d{2})"

_NUMERIC = re.compile(
    r"(?<![\d.,])(?P<a>\d{1,4})(?P<sep>[/\-.])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{2}|\d{4})(?![\d])"
)
_COMPACT = re.compile(r"(?<![\d])(?P<digits>\d{8})(?![\d])")
_DAY_MONTH = re.compile(
    rf"(?<![\w])(?P<day>\d{{1,2}}){_ORD}(?:\s+of)?[\s\-./]*{_MONTH}(?:,?[\s\-./]+{_YEAR})?(?![\w])",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"(?<![\w]){_MONTH}[\s\-./]*(?P<day>\d{{1,2}}){_ORD}(?:,?[\s\-./]+{_YEAR})?(?![\w])",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"(?<![\w]){_MONTH},?[\s\-./]*(?P<year>\d{{4}})(?![\w])", re.IGNORECASE)
_NUMERIC_MONTH_YEAR = re.compile(
    r"(?<![\d.,/\-])(?:(?P<m1>\d{1,2})[/\-.](?P<y1>\d{4})|(?P<y2>\d{4})[/\-](?P<m2>\d{1,2}))(?![\d]|[/\-.]\d)"
)

# What every pattern above needs somewhere in its match: two digits around a separator, eight digits, or a
# month's first three letters (matched as the patterns match them, case ignored). No hint: no date.
DATE_HINT = re.compile(r"\d[/\-.]\d|\d{8}|" + "|".join(sorted({m[:3] for m in _MONTHS})), re.IGNORECASE)


def _years(text: str) -> tuple[int, ...]:
    digits = text.lstrip("'’")
    if len(digits) == 4:
        return (int(digits),)
    return (1900 + int(digits), 2000 + int(digits))


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeric_candidates(a: str, b: str, c: str) -> set[date]:
    if len(a) == 4:  # year first: Y-M-D
        return {d for d in [_valid(int(a), int(b), int(c))] if d} if len(c) <= 2 else set()
    if len(a) > 2:
        return set()
    found = set()
    for year in _years(c):
        for day, month in ((int(a), int(b)), (int(b), int(a))):
            if (valid := _valid(year, month, day)) is not None:
                found.add(valid)
    return found


def date_candidates(text: str) -> Iterator[tuple[re.Match[str], set[date], bool]]:
    """(match, the full dates it may mean, whether it is a date finer than the year)."""
    for match in _NUMERIC.finditer(text):
        candidates = _numeric_candidates(match.group("a"), match.group("b"), match.group("c"))
        if candidates:
            yield match, candidates, True
    for match in _COMPACT.finditer(text):
        digits = match.group("digits")
        found = {
            _valid(int(digits[:4]), int(digits[4:6]), int(digits[6:])),
            _valid(int(digits[4:]), int(digits[2:4]), int(digits[:2])),
        }
        yield match, {d for d in found if d}, False
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(text):
            month = _MONTHS[match.group("month").casefold()]
            day = int(match.group("day"))
            year = match.group("year")
            if year is None:
                if match.group("month")[0].isupper() and _valid(2000, month, day):
                    yield match, set(), True
                continue
            candidates = {d for y in _years(year) if (d := _valid(y, month, day))}
            if candidates:
                yield match, candidates, True
    for match in _MONTH_YEAR.finditer(text):
        if 1800 <= int(match.group("year")) <= 2199:
            yield match, set(), True
    for match in _NUMERIC_MONTH_YEAR.finditer(text):
        month = int(match.group("m1") or match.group("m2"))
        year = int(match.group("y1") or match.group("y2"))
        if 1 <= month <= 12 and 1800 <= year <= 2199:
            yield match, set(), True
