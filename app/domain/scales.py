"""The measurement scales an assessment records: range, unit and meaning, as data.

Forms read these for their limits, units and tooltips; validation reads them for its
range checks. Source: ../shared/reference/myositis.md sections 2–4.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        low = f"{self.low:g}"
        high = f"{self.high:g}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{low}–{high}{unit}"


_GLOBAL = "0 = no activity, 10 = extremely active (10 cm visual analogue scale)."

SCALES: dict[str, Scale] = {
    s.field: s
    for s in (
        Scale(
            "cdasi_activity", "CDASI activity", 0, 100, integer=True,
            help="CDASI v2 activity total, 0–100. ≤ 14 is usually called mild; a fall of "
            "4–5 points, or of 40 % when the baseline is above 14, is a meaningful change.",
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
