"""Paired tests for baseline against follow-up: Wilcoxon signed-rank (exact when small) or paired t,
and their result in words, saying when a sample is too small for the test to show anything."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .numbers import p_text, plural, readable, shown

EXACT_MAX_N = 25  # up to this many non-zero pairs the Wilcoxon p-value is exact
ALPHA = 0.05


class PairedTestKind(StrEnum):
    WILCOXON = "wilcoxon"
    TTEST = "ttest"

    @property
    def description(self) -> str:
        if self is PairedTestKind.WILCOXON:
            return (
                "Paired differences were compared with the two-sided Wilcoxon signed-rank test "
                f"(zero differences dropped; exact null distribution, accounting for ties, for up to "
                f"{EXACT_MAX_N} pairs, normal approximation above). With fewer than 6 pairs that changed, "
                "the exact test cannot give p < 0.05 (its smallest p is 2 ÷ 2ⁿ); with a single pair no test is run."
            )
        return "Paired differences were compared with the two-sided paired t-test; with a single pair no test is run."


@dataclass(frozen=True)
class PairedTest:
    name: str
    statistic: float | None
    p_value: float | None
    note: str = ""  # why the test was not run, or what its sample size keeps it from showing
    pairs: int = 0  # the pairs the test used (Wilcoxon: those with a non-zero difference)
    smallest_p: float | None = None  # the smallest p the exact test can give with these pairs


def _exact_floor(changed: int, pairs: int) -> tuple[float, str]:
    """The smallest two-sided exact Wilcoxon p with ``changed`` non-zero pairs, and the note when it is ≥ 0.05."""
    smallest = min(1.0, 2 / 2**changed)
    if smallest < ALPHA:
        return smallest, ""
    which = plural(changed, "pair") + (" that changed" if changed < pairs else "")
    return smallest, (
        f"with {which} the exact test cannot reach p < {readable(ALPHA)} (the smallest possible p is {shown(smallest, 4)})"
    )


def paired_test(baseline: Sequence[float], followup: Sequence[float], kind: PairedTestKind) -> PairedTest:
    """The chosen two-sided paired test; a reason instead of numbers when it cannot be run."""
    from scipy import stats  # here, not at import: SciPy takes longer to load than the rest of the app

    differences = [f - b for b, f in zip(baseline, followup, strict=True)]
    nonzero = [d for d in differences if d != 0]
    if kind is PairedTestKind.WILCOXON:
        exact = len(nonzero) <= EXACT_MAX_N
        name = f"Wilcoxon signed-rank ({'exact' if exact else 'normal approximation'})"
        if len(differences) < 2 or len(nonzero) < 2:
            return PairedTest(name, None, None, _too_few(len(differences), len(nonzero)), len(nonzero))
        result = stats.wilcoxon(differences, zero_method="wilcox", method="exact" if exact else "approx")
        smallest, note = _exact_floor(len(nonzero), len(differences)) if exact else (None, "")
        return PairedTest(name, float(result.statistic), float(result.pvalue), note, len(nonzero), smallest)
    name = "Paired t-test"
    if len(differences) < 2:
        return PairedTest(name, None, None, _too_few(len(differences), len(nonzero)), len(differences))
    if len(set(differences)) == 1:
        return PairedTest(
            name, None, None, "every difference is the same: no variance to test", len(differences)
        )
    result = stats.ttest_rel(followup, baseline)
    statistic, p = float(result.statistic), float(result.pvalue)
    return PairedTest(
        name,
        statistic if math.isfinite(statistic) else None,
        p if math.isfinite(p) else None,
        "",
        len(differences),
    )


def _too_few(pairs: int, changed: int) -> str:
    if pairs == 0:
        return "no patient has a baseline and a follow-up"
    if pairs == 1:
        return "a single pair: no test"
    return "no pair changed" if changed == 0 else "a single pair changed: no test"


def result_text(test: PairedTest) -> str:
    """The test's result in one line, for the report, the terminal and the analysis window:
    "Wilcoxon signed-rank (exact): statistic 0, p = 0.0078", with what a small sample cannot show."""
    if test.p_value is None:
        return f"{test.name}: not run ({test.note})"
    text = f"{test.name}: statistic {shown(test.statistic, 2)}, {p_text(test.p_value)}"
    return f"{text}; {test.note}" if test.note else text
