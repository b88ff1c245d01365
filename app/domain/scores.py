"""Derived scores: CDASI severity bands, meaningful change, the 2016 ACR/EULAR TIS, IMACS improvement.

Source: ../shared/reference/myositis.md sections 2, 3 and 5. Band tables and change rules
are data; thresholds marked unverified there are parameters with documented defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .numbers import readable
from .records import Assessment
from .scales import ENZYME_FIELDS, SCALES

# ----------------------------------------------------------------- CDASI severity


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@dataclass(frozen=True)
class SeverityBands:
    """CDASI activity bands. ≤ 14 mild is published (Anyanwu 2015); 15–26 moderate and
    > 26 severe is a common banding that is not verified, hence configurable."""

    mild_max: int = 14
    moderate_max: int = 26

    def of(self, activity: float) -> Severity:
        if activity <= self.mild_max:
            return Severity.MILD
        return Severity.MODERATE if activity <= self.moderate_max else Severity.SEVERE


# ----------------------------------------------------------------- meaningful change


class Criterion(StrEnum):
    """A published criterion of meaningful change in CDASI activity; the value names it in a table cell."""

    POINTS = "points"  # Anyanwu 2015: 4–5 points
    PERCENT = "percent"  # Ahmed 2020: 40 % when the baseline is above 14


class RuleKind(StrEnum):
    """Which criteria make a change meaningful."""

    EITHER = "either"  # either published criterion
    POINTS = "points"
    PERCENT = "percent"
    BY_BASELINE = "by_baseline"  # points up to the baseline limit, percent above it (MyoCase's earlier rule)


@dataclass(frozen=True)
class ChangeRule:
    """Meaningful change in CDASI activity. The two published criteria: a change of at least
    ``points`` (Anyanwu 2015: 4–5 points) and, from a baseline above ``percent_above``, of at
    least ``percent`` % (Ahmed 2020: 40 % above 14). ``kind`` says which of them count."""

    points: float = 5.0
    percent: float = 40.0
    percent_above: float = 14.0
    kind: RuleKind = RuleKind.EITHER

    def criterion_detail(self, criterion: Criterion) -> str:
        """The criterion's threshold and its source: "≥ 5 points, Anyanwu 2015"."""
        if criterion is Criterion.POINTS:
            return f"≥ {readable(self.points)} points, Anyanwu 2015"
        return (
            f"≥ {readable(self.percent)} % from a baseline above {readable(self.percent_above)}, Ahmed 2020"
        )

    def criterion_text(self, criterion: Criterion) -> str:
        """The criterion in words: "points criterion (≥ 5 points, Anyanwu 2015)"."""
        return f"{criterion.value} criterion ({self.criterion_detail(criterion)})"

    @property
    def label(self) -> str:
        """The rule's short name, for a choice list."""
        return {
            RuleKind.EITHER: "either criterion",
            RuleKind.POINTS: "points only",
            RuleKind.PERCENT: f"{readable(self.percent)} % only",
            RuleKind.BY_BASELINE: f"points up to a baseline of {readable(self.percent_above)}, {readable(self.percent)} % above",
        }[self.kind]

    @property
    def description(self) -> str:
        """The rule in one sentence, for the help, the analysis window and the report's methods."""
        points, percent = self.criterion_text(Criterion.POINTS), self.criterion_text(Criterion.PERCENT)
        how = {
            RuleKind.EITHER: f"a change meeting either the {points} or the {percent}",
            RuleKind.POINTS: f"a change meeting the {points}",
            RuleKind.PERCENT: f"a change meeting the {percent}; a baseline of {readable(self.percent_above)} or "
            "less cannot meet it",
            RuleKind.BY_BASELINE: f"the {points} when the baseline is {readable(self.percent_above)} or less and the "
            f"{percent} when it is higher (a combination of the two, not itself a published rule)",
        }[self.kind]
        return f"Meaningful change in CDASI activity ({self.label}): {how}."

    def met(self, baseline: float, change: float) -> tuple[Criterion, ...]:
        """The published criteria that a change of this size meets, whatever the rule in force."""
        met = [Criterion.POINTS] if abs(change) >= self.points else []
        if baseline > self.percent_above and abs(_rounded(change / baseline * 100)) >= self.percent:
            met.append(Criterion.PERCENT)
        return tuple(met)

    def counts(self, baseline: float, met: tuple[Criterion, ...]) -> bool:
        """Whether the rule in force calls a change meeting ``met`` meaningful."""
        if self.kind is RuleKind.EITHER:
            return bool(met)
        if self.kind is RuleKind.BY_BASELINE:
            needed = Criterion.PERCENT if baseline > self.percent_above else Criterion.POINTS
            return needed in met
        return Criterion(self.kind.value) in met


class Direction(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    NONE = "no meaningful change"


@dataclass(frozen=True)
class CdasiChange:
    baseline: float
    followup: float
    change: float  # follow-up minus baseline (negative is better)
    percent: float | None  # of the baseline; None when the baseline is 0
    rule: str  # the rule in force, in words
    direction: Direction
    met: tuple[Criterion, ...] = ()  # the published criteria the size of the change meets
    met_text: str = ""  # them in words, with their numbers and sources ("" when none)

    @property
    def meaningful_improvement(self) -> bool:
        return self.direction is Direction.IMPROVED

    @property
    def verdict(self) -> str:
        """For a form: "improved: meets the points criterion (≥ 5 points, Anyanwu 2015); rule in force: …"."""
        if self.met:
            return f"{self.direction.value}: meets the {self.met_text}; rule in force: {self.rule}"
        return f"{self.direction.value}: meets neither published criterion; rule in force: {self.rule}"


def _rounded(value: float) -> float:
    # Percentages are compared with band edges: 15.000000000000002 % must count as 15 %.
    return round(value, 9)


def cdasi_change(baseline: float, followup: float, rule: ChangeRule = ChangeRule()) -> CdasiChange:
    change = followup - baseline
    percent = _rounded(change / baseline * 100) if baseline else None
    met = rule.met(baseline, change)
    reached = rule.counts(baseline, met)
    direction = Direction.NONE if not reached else Direction.IMPROVED if change < 0 else Direction.WORSENED
    text = " and the ".join(rule.criterion_text(c) for c in met)
    return CdasiChange(baseline, followup, change, percent, rule.label, direction, met, text)


# ----------------------------------------------------------------- ACR/EULAR TIS


@dataclass(frozen=True)
class TisMeasure:
    key: str
    label: str
    edges: tuple[float, float, float, float]  # improvement % band edges; an edge falls in the lower band
    points: tuple[float, float, float, float, float]  # points per band, worst band first


_EDGES = (5.0, 15.0, 25.0, 40.0)
TIS_MEASURES: tuple[TisMeasure, ...] = (
    TisMeasure("physician_global", "Physician global activity", _EDGES, (0, 7.5, 15, 17.5, 20)),
    TisMeasure("patient_global", "Patient global activity", _EDGES, (0, 2.5, 5, 7.5, 10)),
    TisMeasure("mmt", "MMT-8", (2.0, 10.0, 20.0, 30.0), (0, 10, 20, 27.5, 32.5)),
    TisMeasure("haq", "HAQ-DI", _EDGES, (0, 5, 7.5, 7.5, 10)),
    TisMeasure("enzyme", "Muscle enzyme", _EDGES, (0, 2.5, 5, 7.5, 7.5)),
    TisMeasure("extramuscular_global", "Extramuscular global activity", _EDGES, (0, 7.5, 12.5, 15, 20)),
)

# Scale range used as the denominator of "absolute percent change" (reference section 5).
GLOBAL_RANGE = 10.0  # 0–10 cm VAS
HAQ_RANGE = 3.0
# Enzyme change is divided by ULN × this factor. Aldolase is not covered by the source: it
# is treated like AST (unverified).
ENZYME_RANGE_FACTOR: dict[str, float] = {"ck": 15.0, "aldolase": 3.0, "alt": 3.0, "ast": 3.0, "ldh": 3.0}

ADULT_CATEGORIES: tuple[tuple[float, str], ...] = ((60, "major"), (40, "moderate"), (20, "minimal"))
JUVENILE_CATEGORIES: tuple[tuple[float, str], ...] = ((70, "major"), (45, "moderate"), (30, "minimal"))

PERCENT_RULE_TEXT = (
    "Improvement is the absolute change as a percentage of each measure's range, counted "
    "positive when the patient is better: global activities (baseline − follow-up) ÷ 10 "
    "(0–10 scale); HAQ-DI ÷ 3; MMT-8 (follow-up − baseline) ÷ its maximum (80 or 150); the "
    "muscle enzyme most abnormal at baseline (highest multiple of its upper limit of normal) "
    "(baseline − follow-up) ÷ (ULN × 15) for CK and ÷ (ULN × 3) for ALT, AST, LDH and aldolase "
    "(aldolase unverified). A percentage exactly on a band edge falls in the lower band; "
    "worsening scores 0."
)


def band_index(measure: TisMeasure, improvement: float) -> int:
    """0 for ≤ the first edge (or worse), 4 for above the last edge."""
    value = _rounded(improvement)
    return sum(1 for edge in measure.edges if value > edge)


@dataclass(frozen=True)
class TisItem:
    key: str
    label: str
    baseline: float | None
    followup: float | None
    improvement: float | None  # percent of range, positive = better
    points: float | None
    detail: str = ""


@dataclass(frozen=True)
class TisResult:
    items: tuple[TisItem, ...]
    missing: tuple[str, ...]  # labels of core measures without a baseline and a follow-up value
    total: float | None  # None when any core measure is missing: the score is never guessed
    category: str | None  # none / minimal / moderate / major

    @property
    def complete(self) -> bool:
        return not self.missing


def mmt_maxima_differ(base: Assessment, follow: Assessment) -> str | None:
    """Why two MMT-8 totals cannot be compared: their maxima differ (80 and 150). None when they can."""
    if base.mmt8_total is None or follow.mmt8_total is None or base.mmt8_max == follow.mmt8_max:
        return None
    maxima = [f"of {m}" if m else "maximum not recorded" for m in (base.mmt8_max, follow.mmt8_max)]
    return f"MMT-8 maxima differ: {maxima[0]} at baseline, {maxima[1]} at follow-up"


def most_abnormal_enzyme(assessment: Assessment) -> str | None:
    """The enzyme with the highest multiple of its ULN, among those measured."""
    ratios = {
        name: value / uln
        for name in ENZYME_FIELDS
        for value, uln in [assessment.enzyme(name)]
        if value is not None and uln
    }
    return max(ratios, key=lambda k: ratios[k]) if ratios else None


def _improvement(
    key: str, base: Assessment, follow: Assessment, aldolase_factor: float
) -> tuple[float | None, float | None, float | None, str]:
    """(baseline, follow-up, improvement % of range, detail) for one TIS measure."""
    b: float | None
    f: float | None
    if key == "mmt":
        b, f = base.mmt8_total, follow.mmt8_total
        problem = mmt_maxima_differ(base, follow)
        if b is None or f is None or problem or not base.mmt8_max:
            return b, f, None, problem or ""
        return b, f, (f - b) / base.mmt8_max * 100, f"of {base.mmt8_max}"
    if key == "enzyme":
        name = most_abnormal_enzyme(base)
        if name is None:
            return None, None, None, ""
        (b, uln), (f, _) = base.enzyme(name), follow.enzyme(name)
        label = SCALES[name].label
        if b is None or f is None or not uln:
            return b, f, None, f"{label} (no follow-up value)"
        factor = aldolase_factor if name == "aldolase" else ENZYME_RANGE_FACTOR[name]
        return b, f, (b - f) / (uln * factor) * 100, f"{label}, ULN {readable(uln)}"
    b, f = getattr(base, key), getattr(follow, key)
    if b is None or f is None:
        return b, f, None, ""
    scale = HAQ_RANGE if key == "haq" else GLOBAL_RANGE
    return b, f, (b - f) / scale * 100, ""


def total_improvement_score(
    base: Assessment, follow: Assessment, *, juvenile: bool = False, aldolase_factor: float = 3.0
) -> TisResult:
    """The 2016 ACR/EULAR TIS between two assessments; ``aldolase_factor`` is unverified (see PERCENT_RULE_TEXT)."""
    items: list[TisItem] = []
    for measure in TIS_MEASURES:
        b, f, improvement, detail = _improvement(measure.key, base, follow, aldolase_factor)
        points = None if improvement is None else measure.points[band_index(measure, improvement)]
        rounded = None if improvement is None else _rounded(improvement)
        items.append(TisItem(measure.key, measure.label, b, f, rounded, points, detail))
    missing = tuple(i.label for i in items if i.points is None)
    if missing:
        return TisResult(tuple(items), missing, None, None)
    total = sum(i.points or 0 for i in items)
    categories = JUVENILE_CATEGORIES if juvenile else ADULT_CATEGORIES
    category = next((name for threshold, name in categories if total >= threshold), "none")
    return TisResult(tuple(items), (), total, category)


# ----------------------------------------------------------------- IMACS definition of improvement


@dataclass(frozen=True)
class ImacsResult:
    improved: tuple[str, ...]  # measures improved by ≥ 20 %
    worsened: tuple[str, ...]  # measures worse by ≥ 25 %
    missing: tuple[str, ...]
    met: bool | None  # None when a core measure is missing
    notes: tuple[str, ...] = ()  # why a measure with values still counts as missing


def _relative_change(key: str, base: Assessment, follow: Assessment) -> float | None:
    """Relative improvement in percent of the baseline value (positive = better)."""
    b: float | None
    f: float | None
    if key == "mmt":
        if mmt_maxima_differ(base, follow):
            return None  # 140 of 150, then 75 of 80, is stable strength, not 46 % worse
        b, f = base.mmt8_total, follow.mmt8_total
        sign = 1.0
    elif key == "enzyme":
        name = most_abnormal_enzyme(base)
        if name is None:
            return None
        b, f = base.enzyme(name)[0], follow.enzyme(name)[0]
        sign = -1.0
    else:
        b, f = getattr(base, key), getattr(follow, key)
        sign = -1.0
    if b is None or f is None:
        return None
    if b == 0:
        return 0.0 if f == 0 else sign * float("inf")  # from zero, any rise is a 100 %+ change
    return _rounded(sign * (f - b) / b * 100)


def imacs_improvement(base: Assessment, follow: Assessment) -> ImacsResult:
    """IMACS 2004: ≥ 3 of 6 core measures improved ≥ 20 %, ≤ 2 worse ≥ 25 %, MMT-8 not among the worse.

    MMT-8 totals out of different maxima (80 and 150) are not compared: MMT-8 is then missing."""
    improved, worsened, missing = [], [], []
    for measure in TIS_MEASURES:
        change = _relative_change(measure.key, base, follow)
        if change is None:
            missing.append(measure.label)
        elif change >= 20:
            improved.append(measure.label)
        elif change <= -25:
            worsened.append(measure.label)
    notes = tuple(filter(None, [mmt_maxima_differ(base, follow)]))
    if missing:
        return ImacsResult(tuple(improved), tuple(worsened), tuple(missing), None, notes)
    met = len(improved) >= 3 and len(worsened) <= 2 and "MMT-8" not in worsened
    return ImacsResult(tuple(improved), tuple(worsened), (), met)
