"""Table 2 as finished strings: the outcome of each patient, the summary row, the paired test and who was
left out, built once from the analysis for the PDF, the command line and the analysis window to lay out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .analysis import SUMMARY_DIGITS, OutcomeAnalysis, OutcomeRow, meaningful_text, method_text
from .clock import Clock
from .numbers import plural, shown, spread
from .scores import ChangeRule, Criterion
from .stats import result_text

VALUE_DIGITS = 2  # a patient's baseline, follow-up and change
PERCENT_DIGITS = 1  # a patient's percent change
TIS_DIGITS = 1  # a Total Improvement Score (a multiple of 2.5)

SortKey = float | str | date | None


class CellKind(StrEnum):
    """What a column holds, for a layout that aligns numbers or keeps a date on one line."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    header: str
    kind: CellKind = CellKind.TEXT
    help: str = ""  # what the column means (a tooltip where there is room for one)


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]  # one per column, as shown
    keys: tuple[SortKey, ...] = ()  # one per column, what it sorts by (numbers and dates, not their text)
    patient_id: int | None = None  # None: the summary row


@dataclass(frozen=True)
class OutcomeTable:
    title: str  # "CDASI activity: baseline and follow-up"
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]  # one per analysed patient
    summary: Row  # "Median (IQR), 8 patients" and the medians; a cell spanned over is ""
    spans: tuple[tuple[int, int], ...]  # (first, last) columns each summary cell spans
    caption: str  # the paired test in words, and what the meaningful-change column says
    notes: tuple[str, ...]  # "Not analysed: DEMO-09: subtype ASyS not in the analysis."
    items: tuple[tuple[str, str], ...]  # meaningful improvement, and per published criterion (CDASI activity)
    method: str  # the analysis rules in words

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)


COLUMNS = (
    Column("Patient"),
    Column("Subtype"),
    Column("Baseline visit", CellKind.DATE),
    Column("Baseline", CellKind.NUMBER),
    Column("Follow-up visit", CellKind.DATE),
    Column("Follow-up", CellKind.NUMBER),
    Column("Change", CellKind.NUMBER),
    Column("Change %", CellKind.NUMBER),
    Column(
        "Meaningful change",
        help="Meaningful improvement in CDASI activity by the rule chosen; in brackets, the published "
        "criteria the improvement meets",
    ),
    Column(
        "TIS",
        CellKind.NUMBER,
        "2016 ACR/EULAR Total Improvement Score; not computable when a core measure is missing",
    ),
    Column(
        "TIS response",
        help="The response the Total Improvement Score reaches: none, minimal, moderate or major",
    ),
)
SUMMARY_SPANS = ((0, 1), (2, 3), (4, 5), (6, 7), (8, 8), (9, 10))


def outcome_table(analysis: OutcomeAnalysis, clock: Callable[[int], Clock]) -> OutcomeTable:
    """Table 2 of ``analysis``; ``clock(patient_id)`` shows each patient's visit dates (dates or days)."""
    rule = analysis.settings.change_rule
    return OutcomeTable(
        title=f"{analysis.settings.measure_label}: baseline and follow-up",
        columns=COLUMNS,
        rows=tuple(_row(row, rule, clock(row.patient_id)) for row in analysis.rows),
        summary=_summary(analysis),
        spans=SUMMARY_SPANS,
        caption=_caption(analysis),
        notes=tuple(f"Not analysed: {e.study_id}: {e.reason}." for e in analysis.excluded),
        items=_meaningful_items(analysis),
        method=method_text(analysis.settings),
    )


def _row(row: OutcomeRow, rule: ChangeRule, clock: Clock) -> Row:
    meaningful = meaningful_text(row, rule)
    tis = (
        (shown(row.tis_total, TIS_DIGITS), row.tis_category) if row.tis_category else ("–", "not computable")
    )
    cells = (
        row.study_id, row.subtype.value, clock.show(row.baseline_date), shown(row.baseline, VALUE_DIGITS),
        clock.show(row.followup_date), shown(row.followup, VALUE_DIGITS), shown(row.change, VALUE_DIGITS),
        shown(row.percent_change, PERCENT_DIGITS), meaningful, *tis,
    )  # fmt: skip
    keys = (
        row.study_id, row.subtype.value, row.baseline_date, row.baseline, row.followup_date, row.followup,
        row.change, row.percent_change, meaningful, row.tis_total if row.tis_category else None, tis[1],
    )  # fmt: skip
    return Row(cells, keys, row.patient_id)


def _summary(analysis: OutcomeAnalysis) -> Row:
    """The medians (IQR) under their columns, and how many reached a meaningful improvement."""
    summary = analysis.summary
    texts = (
        f"Median (IQR), {plural(summary.n, 'patient')}",
        spread(summary.baseline_median, summary.baseline_iqr, SUMMARY_DIGITS),
        spread(summary.followup_median, summary.followup_iqr, SUMMARY_DIGITS),
        spread(summary.median_change, summary.change_iqr, SUMMARY_DIGITS),
        "–" if summary.meaningful is None else f"{summary.meaningful} of {summary.n}",
        "",
    )
    cells = [""] * len(COLUMNS)
    for (first, _), text in zip(SUMMARY_SPANS, texts, strict=True):
        cells[first] = text
    return Row(tuple(cells), (None,) * len(COLUMNS))


def _caption(analysis: OutcomeAnalysis) -> str:
    """The paired test's result in words and, for CDASI activity, what the meaningful-change column says."""
    line = result_text(analysis.summary.test) + "."
    if analysis.summary.meaningful is None:
        return line
    rule = analysis.settings.change_rule
    criteria = " ".join(f"{c.value.capitalize()}: {rule.criterion_detail(c)}." for c in Criterion)
    return (
        f"{line} Meaningful change by the rule “{rule.label}”; in brackets, the published criteria each "
        f"improvement meets. {criteria}"
    )


def _meaningful_items(analysis: OutcomeAnalysis) -> tuple[tuple[str, str], ...]:
    """How many reached a meaningful improvement by the rule, and how many met each published criterion."""
    summary, rule = analysis.summary, analysis.settings.change_rule
    if summary.meaningful is None or summary.criteria is None:
        return ()
    return (
        ("Meaningful improvement", f"{summary.meaningful} of {summary.n} ({rule.label})"),
        *(
            (f"  {c.value} criterion met", f"{n} of {summary.n} ({rule.criterion_detail(c)})")
            for c, n in summary.criteria.items()
        ),
    )
