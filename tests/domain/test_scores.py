"""Severity bands, meaningful change, the ACR/EULAR Total Improvement Score and IMACS improvement."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from myocase.domain.records import Assessment
from myocase.domain.scores import (
    ChangeRule,
    Criterion,
    Direction,
    RuleKind,
    Severity,
    SeverityBands,
    cdasi_change,
    imacs_improvement,
    total_improvement_score,
)


def visit(**values: float) -> Assessment:
    return Assessment(1, date(2021, 1, 1), **values)  # type: ignore[arg-type]


FULL_BASE = dict(
    physician_global=6.0, patient_global=7.0, mmt8_total=120, mmt8_max=150, haq=1.5,
    ck=1700.0, ck_uln=170.0, ast=60.0, ast_uln=40.0, extramuscular_global=5.0,
)  # fmt: skip
FULL_FOLLOW = dict(
    physician_global=3.0, patient_global=5.0, mmt8_total=135, mmt8_max=150, haq=1.0,
    ck=700.0, ck_uln=170.0, ast=50.0, ast_uln=40.0, extramuscular_global=1.0,
)  # fmt: skip


@pytest.mark.parametrize(
    ("activity", "severity"),
    [
        (0, Severity.MILD),
        (14, Severity.MILD),
        (15, Severity.MODERATE),
        (26, Severity.MODERATE),
        (27, Severity.SEVERE),
    ],
)
def test_default_severity_bands(activity: int, severity: Severity) -> None:
    assert SeverityBands().of(activity) is severity


def test_severity_bands_are_configurable() -> None:
    assert SeverityBands(mild_max=18, moderate_max=30).of(18) is Severity.MILD


EITHER, POINTS, PERCENT, BY_BASELINE = (ChangeRule(kind=k) for k in RuleKind)


@pytest.mark.parametrize(
    ("baseline", "followup", "met", "by_rule"),
    [
        # (either, points only, 40 % only, by baseline)
        (40, 30, (Criterion.POINTS,), (True, True, False, False)),  # 10 points, 25 %: Anyanwu yes, Ahmed no
        (12, 7, (Criterion.POINTS,), (True, True, False, True)),  # 5 points; 41.7 % but baseline ≤ 14
        (12, 8, (), (False, False, False, False)),  # 4 points is below the default 5
        (30, 18, (Criterion.POINTS, Criterion.PERCENT), (True, True, True, True)),  # exactly 40 %
        (30, 19, (Criterion.POINTS,), (True, True, False, False)),  # 11 points but only 36.7 %
        (15, 9, (Criterion.POINTS, Criterion.PERCENT), (True, True, True, True)),  # baseline just above 14
    ],
)
def test_each_rule_counts_the_published_criteria_it_names(
    baseline: int, followup: int, met: tuple[Criterion, ...], by_rule: tuple[bool, ...]
) -> None:
    for rule, expected in zip((EITHER, POINTS, PERCENT, BY_BASELINE), by_rule, strict=True):
        change = cdasi_change(baseline, followup, rule)
        assert change.met == met, rule.kind
        assert change.meaningful_improvement is expected, rule.kind


def test_forty_to_thirty_meets_the_points_criterion_and_says_so() -> None:
    change = cdasi_change(40, 30)  # the default rule: either criterion
    assert (change.change, change.percent, change.direction) == (-10, -25.0, Direction.IMPROVED)
    assert change.met_text == "points criterion (≥ 5 points, Anyanwu 2015)"
    assert change.verdict.startswith("improved: meets the points criterion (≥ 5 points, Anyanwu 2015)")
    old = cdasi_change(40, 30, BY_BASELINE)  # MyoCase's earlier rule asked for 40 % above 14
    assert old.direction is Direction.NONE
    assert old.met == (Criterion.POINTS,)
    assert "meets the points criterion" in old.verdict
    assert "rule in force: points up to a baseline of 14" in old.verdict


def test_worsening_is_judged_by_the_same_rule() -> None:
    assert cdasi_change(10, 15).direction is Direction.WORSENED
    assert cdasi_change(10, 15, PERCENT).direction is Direction.NONE  # 50 % worse, but the baseline is ≤ 14


def test_meaningful_change_numbers_are_configurable() -> None:
    assert cdasi_change(12, 8, ChangeRule(points=4)).meaningful_improvement
    assert not cdasi_change(
        30, 22, ChangeRule(percent=30, kind=RuleKind.PERCENT)
    ).meaningful_improvement  # 26.7 %
    assert cdasi_change(30, 21, ChangeRule(percent=30, kind=RuleKind.PERCENT)).met == (
        Criterion.POINTS,
        Criterion.PERCENT,
    )


def test_rule_descriptions_name_their_numbers_and_sources() -> None:
    rule = ChangeRule(points=4, percent=35, percent_above=16)
    assert [replace(rule, kind=k).label for k in RuleKind] == [
        "either criterion", "points only", "35 % only", "points up to a baseline of 16, 35 % above",
    ]  # fmt: skip
    assert rule.description == (
        "Meaningful change in CDASI activity (either criterion): a change meeting either the points criterion "
        "(≥ 4 points, Anyanwu 2015) or the percent criterion (≥ 35 % from a baseline above 16, Ahmed 2020)."
    )
    assert "not itself a published rule" in replace(rule, kind=RuleKind.BY_BASELINE).description


def _points(result, key: str) -> float | None:  # type: ignore[no-untyped-def]
    return next(i.points for i in result.items if i.key == key)


@pytest.mark.parametrize(
    ("follow", "points"),
    [(5.5, 0), (4.5, 0), (4.4, 7.5), (3.5, 7.5), (3.4, 15), (2.5, 15), (2.4, 17.5), (1.0, 17.5), (0.9, 20)],
)
def test_physician_global_band_edges(follow: float, points: float) -> None:
    # baseline 5: follow-up 4.5 would be 5 %, 3.5 → 15 %, 2.5 → 25 %, 1.0 → 40 % (edges fall low)
    result = total_improvement_score(visit(physician_global=5.0), visit(physician_global=follow))
    assert _points(result, "physician_global") == points


def test_edge_is_not_pushed_over_by_floating_point() -> None:
    # (4.5 − 3.0) / 10 × 100 is 15.000000000000002 in floating point: still the 5–15 % band
    result = total_improvement_score(visit(physician_global=4.5), visit(physician_global=3.0))
    item = next(i for i in result.items if i.key == "physician_global")
    assert (item.improvement, item.points) == (15.0, 7.5)


@pytest.mark.parametrize(
    ("follow", "points"),
    [(103, 0), (104, 10), (115, 10), (116, 20), (130, 20), (131, 27.5), (145, 27.5), (146, 32.5)],
)
def test_mmt_band_edges(follow: int, points: float) -> None:
    # of 150: +3 is 2 %, +15 is 10 %, +30 is 20 %, +45 is 30 %
    result = total_improvement_score(
        visit(mmt8_total=100, mmt8_max=150), visit(mmt8_total=follow, mmt8_max=150)
    )
    assert _points(result, "mmt") == points


def test_worsening_scores_zero() -> None:
    result = total_improvement_score(
        visit(physician_global=2.0, haq=0.5, mmt8_total=140, mmt8_max=150),
        visit(physician_global=8.0, haq=2.5, mmt8_total=100, mmt8_max=150),
    )
    assert [_points(result, k) for k in ("physician_global", "haq", "mmt")] == [0, 0, 0]


def test_worked_example_by_hand() -> None:
    # PhGA 6→3: 30 % → 17.5 · PtGA 7→5: 20 % → 5 · MMT 120→135 of 150: 10 % (edge) → 10
    # HAQ 1.5→1.0: 16.7 % → 7.5 · CK (10× ULN, the most abnormal) 1700→700: 1000/(170×15)
    # = 39.2 % → 7.5 · extramuscular 5→1: 40 % (edge) → 15.  Total 62.5: major.
    result = total_improvement_score(visit(**FULL_BASE), visit(**FULL_FOLLOW))
    assert [i.points for i in result.items] == [17.5, 5, 10, 7.5, 7.5, 15]
    assert result.total == 62.5
    assert result.category == "major"
    assert result.missing == ()
    enzyme = next(i for i in result.items if i.key == "enzyme")
    assert enzyme.improvement == pytest.approx(39.2156862745)
    assert "CK" in enzyme.detail


def test_juvenile_thresholds() -> None:
    result = total_improvement_score(visit(**FULL_BASE), visit(**FULL_FOLLOW), juvenile=True)
    assert result.category == "moderate"  # 62.5 < 70


def test_missing_measure_is_named_and_not_guessed() -> None:
    base = {k: v for k, v in FULL_BASE.items() if k != "haq"}
    result = total_improvement_score(visit(**base), visit(**FULL_FOLLOW))
    assert result.missing == ("HAQ-DI",)
    assert result.total is None
    assert result.category is None
    assert _points(result, "physician_global") == 17.5  # the others are still shown


def test_imacs_definition_of_improvement() -> None:
    result = imacs_improvement(visit(**FULL_BASE), visit(**FULL_FOLLOW))
    assert result.met is True
    assert "MMT-8" not in result.improved
    assert len(result.improved) == 5


def test_imacs_fails_when_mmt_worsens() -> None:
    follow = {**FULL_FOLLOW, "mmt8_total": 80}
    result = imacs_improvement(visit(**FULL_BASE), visit(**follow))
    assert result.worsened == ("MMT-8",)
    assert result.met is False


def test_imacs_missing_measure() -> None:
    follow = {k: v for k, v in FULL_FOLLOW.items() if k != "patient_global"}
    result = imacs_improvement(visit(**FULL_BASE), visit(**follow))
    assert result.met is None
    assert result.missing == ("Patient global activity",)


MMT_150_STABLE = dict(mmt8_total=140, mmt8_max=150)  # 93 % of the maximum
MMT_80_STABLE = dict(mmt8_total=75, mmt8_max=80)  # 94 %: the same strength, tested on one side


def test_imacs_does_not_compare_mmt_totals_of_different_maxima() -> None:
    base = {**FULL_BASE, **MMT_150_STABLE}
    follow = {**FULL_FOLLOW, **MMT_80_STABLE}
    result = imacs_improvement(visit(**base), visit(**follow))
    # raw totals would read (75 − 140) ÷ 140 = 46 % worse, and MMT-8 may not be among the worse: "not met"
    assert "MMT-8" not in result.worsened
    assert result.met is None
    assert result.missing == ("MMT-8",)
    assert result.notes == ("MMT-8 maxima differ: of 150 at baseline, of 80 at follow-up",)
    tis = total_improvement_score(visit(**base), visit(**follow))
    mmt = next(i for i in tis.items if i.key == "mmt")
    assert mmt.points is None
    assert mmt.detail == result.notes[0]
    assert tis.missing == ("MMT-8",)


def test_imacs_with_the_same_maximum_compares_the_totals() -> None:
    base = {**FULL_BASE, "mmt8_total": 70, "mmt8_max": 80}
    follow = {**FULL_FOLLOW, "mmt8_total": 75, "mmt8_max": 80}
    result = imacs_improvement(visit(**base), visit(**follow))
    assert result.met is True
    assert result.notes == ()
    assert "MMT-8" not in result.improved


def test_aldolase_factor_is_configurable() -> None:
    base, follow = visit(aldolase=30.0, aldolase_uln=7.5), visit(aldolase=21.0, aldolase_uln=7.5)
    default = next(i for i in total_improvement_score(base, follow).items if i.key == "enzyme")
    assert default.improvement == 40.0
    assert default.points == 7.5
    wider = next(
        i for i in total_improvement_score(base, follow, aldolase_factor=15).items if i.key == "enzyme"
    )
    assert wider.improvement == 8.0
    assert wider.points == 2.5
