"""The analysis settings kept in the series (severity bands, the change rule, the follow-up window…).

Apart from the analysis itself, so that the window reads them for its patient view without loading the
statistics, the cohort facts and the report.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..domain.analysis import AnalysisSettings
from ..domain.analysis_json import settings_from_json, settings_to_json
from ..store.casebook import Casebook

PREFERENCE_KEY = "analysis"


def load_settings(book: Casebook, **overrides: Any) -> AnalysisSettings:
    """The stored analysis settings (the index drug from the series), with any overrides applied."""
    settings = settings_from_json(book.preference(PREFERENCE_KEY), book.settings().index_drug)
    given = {k: v for k, v in overrides.items() if v is not None}
    return replace(settings, **given) if given else settings


def save_settings(book: Casebook, settings: AnalysisSettings) -> None:
    book.save_preference(PREFERENCE_KEY, settings_to_json(settings))
