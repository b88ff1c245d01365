"""The analysis settings as the series stores them (JSON), and back: a missing or unreadable value is its
default, so settings stored by an older MyoCase still open."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from .analysis import AnalysisSettings, CountSummary, FollowUp
from .scales import SCALES
from .scores import ChangeRule, RuleKind, SeverityBands
from .stats import PairedTestKind
from .vocab import Subtype

_E = TypeVar("_E", bound=StrEnum)


def settings_to_json(settings: AnalysisSettings) -> dict[str, object]:
    """What is stored of the analysis settings (the index drug belongs to the series)."""
    return {
        "measure": settings.measure,
        "subtypes": [s.value for s in settings.subtypes],
        "window_before": settings.window_before,
        "window_after": settings.window_after,
        "followup": settings.followup.value,
        "tolerance": settings.tolerance,
        "test": settings.test.value,
        "change_points": settings.change_rule.points,
        "change_percent": settings.change_rule.percent,
        "change_percent_above": settings.change_rule.percent_above,
        "change_rule": settings.change_rule.kind.value,
        "count_summary": settings.count_summary.value,
        "severity_mild_max": settings.severity.mild_max,
        "severity_moderate_max": settings.severity.moderate_max,
        "aldolase_factor": settings.aldolase_factor,
        "gottron_undoubled_counts": settings.gottron_undoubled_counts,
    }


def settings_from_json(data: dict[str, object] | None, index_drug: str) -> AnalysisSettings:
    """Stored settings back, each missing or unreadable value replaced by its default."""
    default = AnalysisSettings(index_drug=index_drug)
    data = data or {}

    def number(key: str, fallback: float) -> float:
        value = data.get(key)
        return float(value) if isinstance(value, (int, float)) else fallback

    subtypes = data.get("subtypes")
    measure = data.get("measure")
    return AnalysisSettings(
        index_drug=index_drug,
        measure=measure if isinstance(measure, str) and measure in SCALES else default.measure,
        subtypes=tuple(Subtype(s) for s in subtypes if s in set(Subtype))
        if isinstance(subtypes, list)
        else default.subtypes,
        window_before=int(number("window_before", default.window_before)),
        window_after=int(number("window_after", default.window_after)),
        followup=FollowUp(str(data["followup"]))
        if data.get("followup") in set(FollowUp)
        else default.followup,
        tolerance=int(number("tolerance", default.tolerance)),
        test=PairedTestKind(str(data["test"])) if data.get("test") in set(PairedTestKind) else default.test,
        change_rule=ChangeRule(
            number("change_points", default.change_rule.points),
            number("change_percent", default.change_rule.percent),
            number("change_percent_above", default.change_rule.percent_above),
            _choice(RuleKind, data.get("change_rule"), default.change_rule.kind),
        ),
        severity=SeverityBands(
            int(number("severity_mild_max", default.severity.mild_max)),
            int(number("severity_moderate_max", default.severity.moderate_max)),
        ),
        aldolase_factor=number("aldolase_factor", default.aldolase_factor),
        gottron_undoubled_counts=bool(data.get("gottron_undoubled_counts", default.gottron_undoubled_counts)),
        count_summary=_choice(CountSummary, data.get("count_summary"), default.count_summary),
    )


def _choice(kind: type[_E], value: object, fallback: _E) -> _E:
    """A stored enum value back, or ``fallback`` when absent (older settings) or unknown."""
    return kind(value) if isinstance(value, str) and value in {m.value for m in kind} else fallback
