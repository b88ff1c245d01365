"""The help page is written from the rules in force."""

from __future__ import annotations

from myocase.domain.analysis import AnalysisSettings
from myocase.domain.scores import ChangeRule, RuleKind, SeverityBands
from myocase.services.help import help_markdown


def test_help_states_the_rules_and_the_current_settings() -> None:
    text = help_markdown(
        AnalysisSettings(severity=SeverityBands(18, 30), change_rule=ChangeRule(points=4), aldolase_factor=15)
    )
    assert "mild ≤ 18, moderate 19–30" in text
    assert (
        "In force now: Meaningful change in CDASI activity (either criterion): a change meeting either the "
        "points criterion (≥ 4 points, Anyanwu 2015)" in " ".join(text.split())
    )
    assert "the meaningful-change rule (either criterion) and its numbers: 4 points" in " ".join(text.split())
    assert "ULN × 15" in text
    assert "A percentage exactly on a band edge falls in the lower band" in text
    assert "| Physician global activity | 5, 15, 25, 40 | 0 / 7.5 / 15 / 17.5 / 20 |" in text
    assert "Baseline is the last assessment" in text
    assert "Ctrl+N" in text


def test_help_states_the_rule_chosen_with_its_numbers() -> None:
    rule = ChangeRule(points=6, percent=45, percent_above=15, kind=RuleKind.PERCENT)
    text = " ".join(help_markdown(AnalysisSettings(change_rule=rule)).split())
    assert rule.description in text  # the help is written from the rule the analysis applies
    assert "≥ 45 % from a baseline above 15, Ahmed 2020" in text
    assert "40 %" not in text
    assert "MMT-8 then counts as missing" in text
    assert "year of diagnosis minus the year of birth" in text
