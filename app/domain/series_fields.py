"""The series table of the field registry: one row with the series' settings (name, data cut-off, index drug)
and the analysis settings that change the statistics, so that an export carries them and an import into a new
series takes them back. ``fields.py`` holds the other tables and the lookups.

The column names of the analysis settings are the keys ``analysis.settings_to_json`` stores them under (the
analysed subtypes as their codes separated by spaces), so the row is read back through ``settings_from_json``.
The ranges are the ones the analysis window's settings accept.
"""

from __future__ import annotations

from collections.abc import Mapping

from .analysis import AnalysisSettings, CountSummary, FollowUp
from .analysis_json import settings_to_json
from .field_defs import YES_NO, Choice, FieldType, TableBuilder, TableDef, choices_of
from .measures import Policy
from .records import SeriesSettings
from .scales import SCALES
from .scores import RuleKind
from .stats import PairedTestKind
from .vocab import Subtype

SERIES = "series"
INT, DEC, CHOICE, TXT = FieldType.INTEGER, FieldType.DECIMAL, FieldType.CHOICE, FieldType.TEXT
ANALYSIS = "An analysis setting (Analysis → Settings): "

RULE_CHOICES = (
    Choice(RuleKind.EITHER.value, "Either published criterion", 1),
    Choice(RuleKind.POINTS.value, "Points only", 2),
    Choice(RuleKind.PERCENT.value, "Percent only", 3),
    Choice(RuleKind.BY_BASELINE.value, "Points up to the baseline limit, percent above it", 4),
)
TEST_CHOICES = (
    Choice(PairedTestKind.WILCOXON.value, "Wilcoxon signed-rank test", 1),
    Choice(PairedTestKind.TTEST.value, "Paired t-test", 2),
)
MEASURE_CHOICES = tuple(Choice(key, scale.label, n) for n, (key, scale) in enumerate(SCALES.items(), start=1))
SUBTYPE_CODES = " ".join(s.value for s in Subtype)


def series_table() -> TableDef:
    b = TableBuilder(SERIES, SeriesSettings)
    b.add("name", "Series name", TXT, "name", policy=Policy.TEXT)
    b.add(
        "cutoff", "Data cut-off", FieldType.DATE, "cutoff", policy=Policy.DATE,
        help="Empty: the day the analysis runs. A real date: only identified exports carry it.",
    )  # fmt: skip
    b.add("index_drug", "Index drug", TXT, "index_drug", policy=Policy.TEXT, help="Day 0 is its start.")
    b.add(
        "measure",
        "Outcome measure",
        CHOICE,
        choices=MEASURE_CHOICES,
        derivation=ANALYSIS + "the measure compared.",
    )
    b.add(
        "subtypes", "Subtypes analysed", TXT, policy=Policy.TEXT,
        derivation=ANALYSIS + f"the diagnosis subtypes analysed, as codes separated by spaces ({SUBTYPE_CODES}).",
    )  # fmt: skip
    _whole(b, "window_before", "Baseline from, before the start", 0, 365, "days")
    _whole(b, "window_after", "Baseline up to, after the start", 0, 90, "days")
    b.add(
        "followup",
        "Follow-up",
        CHOICE,
        choices=choices_of(FollowUp),
        derivation=ANALYSIS + "the follow-up taken.",
    )
    _whole(b, "tolerance", "Time-point tolerance", 0, 180, "days")
    b.add(
        "test", "Paired test", CHOICE, choices=TEST_CHOICES, derivation=ANALYSIS + "the test of the change."
    )
    _number(b, "change_points", "Meaningful change: points", 1, 20, "points")
    _number(b, "change_percent", "Meaningful change: percent", 1, 100, "%")
    _number(b, "change_percent_above", "Percent criterion from a baseline above", 0, 100, "")
    b.add(
        "change_rule", "Meaningful change: criteria", CHOICE, choices=RULE_CHOICES,
        derivation=ANALYSIS + "which criteria make a change meaningful.",
    )  # fmt: skip
    b.add(
        "count_summary", "Counts summarised as", CHOICE, choices=choices_of(CountSummary),
        derivation=ANALYSIS + "how counts per patient (prior immunosuppressants) are summarised.",
    )  # fmt: skip
    _whole(b, "severity_mild_max", "CDASI activity: mild up to", 0, 100, "")
    _whole(b, "severity_moderate_max", "CDASI activity: moderate up to", 0, 100, "")
    _number(b, "aldolase_factor", "TIS aldolase factor", 1, 30, "")
    b.add(
        "gottron_undoubled_counts", "Gottron's erythema without papules counts", FieldType.BOOLEAN,
        choices=YES_NO, derivation=ANALYSIS + "1 when Gottron's erythema without papules counts once, 0 not at all.",
    )  # fmt: skip
    return TableDef(
        SERIES, "Series settings", SeriesSettings, False, (), b.done(),
        "One row: the series' name, cut-off and index drug, and the analysis settings behind the statistics.",
    )  # fmt: skip


def _whole(b: TableBuilder, name: str, label: str, low: int, high: int, unit: str) -> None:
    b.add(name, label, INT, unit=unit, low=low, high=high, derivation=ANALYSIS + label.lower() + ".")


def _number(b: TableBuilder, name: str, label: str, low: float, high: float, unit: str) -> None:
    b.add(name, label, DEC, unit=unit, low=low, high=high, derivation=ANALYSIS + label.lower() + ".")


def series_values(settings: SeriesSettings, analysis: AnalysisSettings) -> dict[str, object]:
    """The series row's values by column name, before any disclosure (``export_tables`` lays them out)."""
    stored = settings_to_json(analysis)
    stored["subtypes"] = " ".join(s.value for s in analysis.subtypes)
    return {"name": settings.name, "cutoff": settings.cutoff, "index_drug": settings.index_drug, **stored}


def analysis_json(values: Mapping[str, object]) -> dict[str, object]:
    """The analysis settings a series row gives, as ``settings_from_json`` reads them (absent columns left out)."""
    result = {k: v for k, v in values.items() if k not in ("name", "cutoff", "index_drug") and v is not None}
    if isinstance(result.get("subtypes"), str):
        result["subtypes"] = str(result["subtypes"]).split()
    return result
