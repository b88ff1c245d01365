"""How numbers are shown: at most so many decimals, no trailing zeros, an en dash for none."""

from __future__ import annotations


def shown(value: float | None, digits: int = 1) -> str:
    """``shown(17.50) == "17.5"``, ``shown(560.5, 0) == "560"`` (rounded half to even), ``shown(None) == "–"``."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
