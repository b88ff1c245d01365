"""How numbers and counts are shown: at most so many decimals, no trailing zeros, a true minus
sign, an en dash for none, "+4" for a change, "−17 (−19 to −15)" for a median with its IQR or range,
"p = 0.0078", "12.5 %", and counted nouns in the right number ("1 patient", "2 patients")."""

from __future__ import annotations

from collections.abc import Callable

MINUS = "−"  # U+2212, the minus sign of printed numbers

_IRREGULAR = {"analysis": "analyses", "person": "people", "child": "children"}


def shown(value: float | None, digits: int = 1) -> str:
    """``shown(17.50) == "17.5"``, ``shown(560.5, 0) == "560"`` (rounded half to even),
    ``shown(-24) == "−24"`` (a true minus sign), ``shown(None) == "–"``."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    if text in ("-0", "-"):
        return "0"
    return MINUS + text[1:] if text.startswith("-") else text


def signed(value: float, digits: int = 1) -> str:
    """A change with its sign: ``signed(4) == "+4"``, ``signed(-3.5) == "−3.5"`` (a true minus sign),
    ``signed(0) == "0"`` and ``signed(0.04) == "0"`` (no sign once nothing is left after rounding)."""
    text = shown(value, digits)
    return text if text == "0" or text.startswith(MINUS) else "+" + text


def readable(value: float) -> str:
    """A number as a clinician reads it: ``1_000_000`` → "1,000,000", ``10_000`` → "10,000", but
    ``2000`` → "2000" and 1971 stays a year; ``0.5`` → "0.5", ``-2`` → "−2". Never an exponent
    ("1e+06"), at most 6 decimals, no trailing zeros: a typed value is shown as typed."""
    grouping = "," if abs(value) >= 10_000 else ""
    text = f"{value:{grouping}.6f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return MINUS + text[1:] if text.startswith("-") else text


def spread(
    centre: float | None,
    bounds: tuple[float, float] | None,
    digits: int = 1,
    label: str = "",
    show: Callable[[float], str] | None = None,
) -> str:
    """A median with its IQR, or a value with its range: ``spread(-17, (-19, -15)) == "−17 (−19 to −15)"``,
    ``spread(4, (3, 6), 0, "range") == "4 (range 3 to 6)"``; the centre alone without bounds. ``show``
    writes each number (e.g. an age as de-identification allows), ``shown`` with ``digits`` by default."""
    write = show or (lambda value: shown(value, digits))
    if centre is None:
        return "–"
    if bounds is None:
        return write(centre)
    return f"{write(centre)} ({label + ' ' if label else ''}{write(bounds[0])} to {write(bounds[1])})"


def p_text(p: float | None) -> str:
    """The p-value in words: "p = 0.0078", "p < 0.001", "p = 0.25", "p = 1" (never "1.0000")."""
    if p is None:
        return "p not computed"
    return "p < 0.001" if p < 0.001 else f"p = {shown(p, 4)}"


def percent(value: float | None, digits: int = 1, sign: bool = False) -> str:
    """``percent(12.5) == "12.5 %"``, ``percent(-40, 0) == "−40 %"``, ``percent(None) == "–"``;
    with ``sign`` a change: ``percent(25, 0, sign=True) == "+25 %"``."""
    if value is None:
        return "–"
    return f"{signed(value, digits) if sign else shown(value, digits)} %"


def thousands(count: int) -> str:
    """A count with thousands separators: ``thousands(8000) == "8,000"``."""
    return f"{count:,}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``plural(1, "patient") == "1 patient"``, ``plural(2, "patient") == "2 patients"``;
    ``many`` names the plural when adding "s" is wrong ("analysis" → "analyses" is known)."""
    if count == 1:
        return f"{count} {noun}"
    if many is None:
        many = _IRREGULAR.get(noun) or (noun + "es" if noun.endswith(("s", "x", "ch", "sh")) else noun + "s")
    return f"{count} {many}"
