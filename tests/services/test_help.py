"""The help page is written from the rules in force."""

from __future__ import annotations

from app.domain.analysis import AnalysisSettings
from app.domain.scores import ChangeRule, SeverityBands
from app.services.help import help_markdown


def test_help_states_the_rules_and_the_current_settings() -> None:
    text = help_markdown(
        AnalysisSettings(severity=SeverityBands(18, 30), change_rule=ChangeRule(points=4), aldolase_factor=15)
    )
    assert "mild ≤ 18, moderate 19–30" in text
    assert "4 points when the baseline" in text
    assert "ULN × 15" in text
    assert "A percentage exactly on a band edge falls in the lower band" in text
    assert "| Physician global activity | 5, 15, 25, 40 | 0 / 7.5 / 15 / 17.5 / 20 |" in text
    assert "Baseline is the last assessment" in text
    assert "Ctrl+N" in text
