"""Paired tests for baseline against follow-up: Wilcoxon signed-rank (exact when small) or paired t."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from scipy import stats

EXACT_MAX_N = 25  # up to this many non-zero pairs the Wilcoxon p-value is exact


class PairedTestKind(StrEnum):
    WILCOXON = "wilcoxon"
    TTEST = "ttest"

    @property
    def description(self) -> str:
        if self is PairedTestKind.WILCOXON:
            return (
                "Paired differences were compared with the two-sided Wilcoxon signed-rank test "
                f"(zero differences dropped; exact null distribution, accounting for ties, for up to "
                f"{EXACT_MAX_N} pairs, normal approximation above)."
            )
        return "Paired differences were compared with the two-sided paired t-test."


@dataclass(frozen=True)
class PairedTest:
    name: str
    statistic: float | None
    p_value: float | None
    note: str = ""


def paired_test(baseline: Sequence[float], followup: Sequence[float], kind: PairedTestKind) -> PairedTest:
    """The chosen two-sided paired test; a reason instead of numbers when it cannot be run."""
    differences = [f - b for b, f in zip(baseline, followup, strict=True)]
    nonzero = [d for d in differences if d != 0]
    if kind is PairedTestKind.WILCOXON:
        exact = len(nonzero) <= EXACT_MAX_N
        name = f"Wilcoxon signed-rank ({'exact' if exact else 'normal approximation'})"
        if len(nonzero) < 1:
            return PairedTest(name, None, None, "no non-zero differences: the test cannot be run")
        result = stats.wilcoxon(differences, zero_method="wilcox", method="exact" if exact else "approx")
        return PairedTest(name, float(result.statistic), float(result.pvalue))
    name = "Paired t-test"
    if len(differences) < 2:
        return PairedTest(name, None, None, "fewer than 2 pairs: the test cannot be run")
    if len(set(differences)) == 1:
        return PairedTest(name, None, None, "every difference is the same: no variance to test")
    result = stats.ttest_rel(followup, baseline)
    statistic, p = float(result.statistic), float(result.pvalue)
    return PairedTest(name, statistic if math.isfinite(statistic) else None, p if math.isfinite(p) else None)
