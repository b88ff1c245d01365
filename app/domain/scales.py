"""The measurement scales an assessment records: range, unit and meaning, as data.

Forms read these for their limits, units and tooltips; validation reads them for its
range checks. Source: ../shared/reference/myositis.md sections 2–4.
"""

from __future__ import annotations

from dataclasses import dataclass

from .numbers import MINUS


def readable(value: float) -> str:
    """A number as a clinician reads it: ``1_000_000`` → "1,000,000", ``10_000`` → "10,000", but
    ``2000`` → "2000" and 1971 stays a year; ``0.5`` → "0.5", ``-2`` → "−2". Never an exponent
    ("1e+06"), at most 6 decimals, no trailing zeros."""
    grouping = "," if abs(value) >= 10_000 else ""
    text = f"{value:{grouping}.6f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return MINUS + text[1:] if text.startswith("-") else text


@dataclass(frozen=True)
class Scale:
    field: str
    label: str
    low: float
    high: float
    unit: str = ""
    integer: bool = False
    help: str = ""
    decimals: int = 1

    @property
    def range_text(self) -> str:
        """ "0–100", "0–1,000,000 U/L"."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{readable(self.low)}–{readable(self.high)}{unit}"

    def problem(self, value: float, high: float | None = None) -> str | None:
        """What is wrong with ``value`` on this scale (``high`` overrides the top), in words; None if nothing.

        The entry fields and the shared validation both say it this way."""
        top = self.high if high is None else high
        unit = f" {self.unit}" if self.unit else ""
        if self.integer and value != int(value):
            return (
                f"{self.label} must be a whole number ({readable(self.low)}–{readable(top)}{unit}), "
                f"not {readable(value)}."
            )
        if not self.low <= value <= top:
            return f"{self.label} must be between {readable(self.low)} and {readable(top)}{unit}."
        return None


_GLOBAL = "0 = no activity, 10 = extremely active (10 cm visual analogue scale)."

SCALES: dict[str, Scale] = {
    s.field: s
    for s in (
        Scale(
            "cdasi_activity", "CDASI activity", 0, 100, integer=True,
            help="CDASI v2 activity total, 0–100. ≤ 14 is usually called mild; what counts as a "
            "meaningful change is the rule chosen in the analysis settings (named in Help).",
        ),
        Scale(
            "cdasi_damage", "CDASI damage", 0, 32, integer=True,
            help="CDASI v2 damage total, 0–32 (poikiloderma, calcinosis, Gottron's damage).",
        ),
        Scale(
            "mmt8_total", "MMT-8 total", 0, 150, integer=True,
            help="Manual muscle testing of 8 groups, Kendall 0–10 each: 0–80 for one "
            "side, 0–150 for both sides (neck flexors once). Higher is stronger.",
        ),
        Scale("ck", "CK", 0, 1_000_000, "U/L", help="Creatine kinase."),
        Scale("aldolase", "Aldolase", 0, 10_000, "U/L"),
        Scale("alt", "ALT", 0, 100_000, "U/L"),
        Scale("ast", "AST", 0, 100_000, "U/L"),
        Scale("ldh", "LDH", 0, 100_000, "U/L"),
        Scale("physician_global", "Physician global activity", 0, 10, help=_GLOBAL),
        Scale("patient_global", "Patient global activity", 0, 10, help=_GLOBAL),
        Scale(
            "extramuscular_global", "Extramuscular global activity", 0, 10,
            help="From the MDAAT: activity outside muscle. " + _GLOBAL,
        ),
        Scale(
            "haq", "HAQ-DI", 0, 3, decimals=3,
            help="Health Assessment Questionnaire disability index, 0 (no disability) to 3.",
        ),
        Scale("pruritus", "Pruritus NRS", 0, 10, help="Itch, numeric rating 0–10."),
        Scale("prednisone_mg", "Prednisone", 0, 2000, "mg/day", help="Daily prednisone-equivalent dose."),
        Scale("fvc_pct", "FVC", 0, 200, "% predicted", help="Forced vital capacity, % predicted."),
        Scale("dlco_pct", "DLCO", 0, 200, "% predicted", help="Diffusing capacity, % predicted."),
    )
}  # fmt: skip

ULN_SUFFIX = "_uln"
ENZYME_FIELDS: tuple[str, ...] = ("ck", "aldolase", "alt", "ast", "ldh")
MMT8_MAXIMA: tuple[int, ...] = (80, 150)
