"""Case-series analysis: baseline and follow-up per patient, the paired test, and the summary.

The rules, stated once (the methods appendix and the help quote ``method_text``):
- the index course is the patient's first course of the index drug; its start is day 0;
- baseline is the last assessment with a value of the measure from ``window_before`` days
  before to ``window_after`` days after day 0. An index start known only to the month widens
  that window to the whole month; one known only to the year cannot place a baseline;
- follow-up "last" is the last assessment with a value while on the drug, after the baseline
  and up to the data cut-off; a time point (12, 26 or 52 weeks) takes the on-drug assessment
  nearest day 0 + that time within ± ``tolerance`` days (the earlier one on a tie);
- patients of other subtypes, without the drug, a baseline or a follow-up are listed as
  excluded with the reason, never dropped silently.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from .dates import PartialDate, Precision
from .phases import index_course
from .records import Assessment, MedicationCourse, PatientRecord
from .scales import ENZYME_FIELDS, SCALES
from .scores import (
    TIS_MEASURES,
    ChangeRule,
    Criterion,
    SeverityBands,
    cdasi_change,
    total_improvement_score,
)
from .stats import PairedTest, PairedTestKind, paired_test
from .vocab import Subtype


class Visit(Protocol):
    """What choosing a baseline and a follow-up reads of an assessment: its date, its id and (by name) the
    measure. An ``Assessment`` is one; so is a lean stored row of Assessment fields (``_asdict`` gives them)."""

    @property
    def assessed_on(self) -> date: ...

    @property
    def id(self) -> int | None: ...


_V = TypeVar("_V", bound=Visit)

# The Assessment fields the TIS reads of a baseline and a follow-up: what a lean visit row carries besides
# the measure (``visit_assessment`` builds the assessment back from them).
TIS_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(
        name
        for m in TIS_MEASURES
        for name in (
            ("mmt8_total", "mmt8_max")
            if m.key == "mmt"
            else tuple(f for e in ENZYME_FIELDS for f in (e, f"{e}_uln"))
            if m.key == "enzyme"
            else (m.key,)
        )
    )
)


@dataclass(frozen=True)
class PatientVisits:
    """One patient as the analysis reads them from the store: the record without its assessments, the
    assessments with a value of the measure as lean ``Visit`` rows (oldest first), and the earliest date of
    any record (the patient's day 0 when no course is recorded)."""

    record: PatientRecord
    visits: Sequence[Visit]
    first_dated: date | None = None


SUMMARY_DIGITS = (
    2  # medians and quartiles of the summary, the same in the report, the terminal and the window
)


class FollowUp(StrEnum):
    LAST = "last"
    W12 = "12w"
    W26 = "26w"
    W52 = "52w"

    @property
    def days(self) -> int | None:
        return {"12w": 84, "26w": 182, "52w": 364}.get(self.value)

    @property
    def label(self) -> str:
        return "last assessment on the drug" if self is FollowUp.LAST else f"{self.value[:-1]} weeks"


class CountSummary(StrEnum):
    """How counts per patient (prior immunosuppressants) are summarised."""

    MEDIAN = "median"
    MEAN = "mean"

    @property
    def label(self) -> str:
        return "median (range)" if self is CountSummary.MEDIAN else "mean (range)"


@dataclass(frozen=True)
class AnalysisSettings:
    index_drug: str = "upadacitinib"
    measure: str = "cdasi_activity"
    subtypes: tuple[Subtype, ...] = (Subtype.DM, Subtype.ADM)
    window_before: int = 90
    window_after: int = 7
    followup: FollowUp = FollowUp.LAST
    tolerance: int = 28
    test: PairedTestKind = PairedTestKind.WILCOXON
    change_rule: ChangeRule = field(default_factory=ChangeRule)
    severity: SeverityBands = field(default_factory=SeverityBands)
    aldolase_factor: float = 3.0  # TIS: aldolase change ÷ (ULN × this); unverified, so configurable
    # CDASI grid: Gottron's erythema without papules counts once (True) or not at all; unverified
    gottron_undoubled_counts: bool = True
    # Counts such as prior immunosuppressants: median (range), or the mean (range) the seed paper reports
    count_summary: CountSummary = CountSummary.MEDIAN

    @property
    def measure_label(self) -> str:
        return SCALES[self.measure].label


@dataclass(frozen=True)
class OutcomeRow:
    patient_id: int
    study_id: str
    subtype: Subtype
    index_start: PartialDate
    baseline_date: date
    baseline: float
    followup_date: date
    followup: float
    change: float
    percent_change: float | None
    meaningful: bool | None  # meaningful improvement reached (CDASI activity only)
    tis_total: float | None
    tis_category: str | None
    tis_missing: tuple[str, ...]
    baseline_id: int | None = None
    followup_id: int | None = None
    note: str = ""
    criteria: tuple[Criterion, ...] = ()  # published criteria an improvement meets (CDASI activity only)

    @property
    def days_on_drug(self) -> int:
        return (self.followup_date - self.baseline_date).days


@dataclass(frozen=True)
class Exclusion:
    patient_id: int
    study_id: str
    reason: str


@dataclass(frozen=True)
class Summary:
    n: int
    baseline_median: float | None
    baseline_iqr: tuple[float, float] | None
    followup_median: float | None
    followup_iqr: tuple[float, float] | None
    median_change: float | None
    change_iqr: tuple[float, float] | None
    test: PairedTest
    meaningful: int | None  # patients reaching meaningful improvement (CDASI activity only)
    criteria: dict[Criterion, int] | None = None  # improvements meeting each published criterion


@dataclass(frozen=True)
class OutcomeAnalysis:
    settings: AnalysisSettings
    rows: tuple[OutcomeRow, ...]
    excluded: tuple[Exclusion, ...]
    summary: Summary


def _value(assessment: Visit, measure: str) -> float | None:
    value = getattr(assessment, measure)
    return None if value is None else float(value)


def _window(course: MedicationCourse, settings: AnalysisSettings) -> tuple[date, date] | None:
    if course.start.precision is Precision.YEAR:
        return None
    return (
        course.start.earliest() - timedelta(days=settings.window_before),
        course.start.latest() + timedelta(days=settings.window_after),
    )


def _latest(assessments: Sequence[_V], measure: str, after: date, until: date, *, closed: bool) -> _V | None:
    """The latest assessment (by date, then id) with a value of ``measure`` dated after ``after`` (or on it,
    ``closed``) up to ``until``: ``max`` of those by (date, id), the first of equals, in one plain pass."""
    value = attrgetter(measure)
    best: _V | None = None
    best_day, best_id = date.min, 0
    for a in assessments:
        day = a.assessed_on
        if (
            (after <= day if closed else after < day)
            and day <= until
            and value(a) is not None
            and (best is None or day > best_day or (day == best_day and (a.id or 0) > best_id))
        ):
            best, best_day, best_id = a, day, a.id or 0
    return best


def select_baseline(
    assessments: Sequence[_V], course: MedicationCourse, settings: AnalysisSettings
) -> _V | None:
    window = _window(course, settings)
    if window is None:
        return None
    return _latest(assessments, settings.measure, window[0], window[1], closed=True)


def select_followup(
    assessments: Sequence[_V],
    course: MedicationCourse,
    baseline: _V,
    settings: AnalysisSettings,
    cutoff: date,
) -> _V | None:
    # after the baseline and the start, on the drug (to its latest possible stop) and up to the cut-off
    after = max(baseline.assessed_on, course.start.earliest())
    until = min(cutoff, course.stop.latest()) if course.stop is not None else cutoff
    measure = settings.measure
    days = settings.followup.days
    if days is None:
        return _latest(assessments, measure, after, until, closed=False)
    candidates = [
        a for a in assessments if after < a.assessed_on <= until and getattr(a, measure) is not None
    ]
    target = course.start.earliest() + timedelta(days=days)
    near = [a for a in candidates if abs((a.assessed_on - target).days) <= settings.tolerance]
    return min(near, key=lambda a: (abs((a.assessed_on - target).days), a.assessed_on), default=None)


def _exclusion_reason(
    record: PatientRecord, course: MedicationCourse | None, settings: AnalysisSettings
) -> str | None:
    patient = record.patient
    if patient.subtype not in settings.subtypes:
        return f"subtype {patient.subtype.value} not in the analysis"
    if course is None:
        return f"no {settings.index_drug} course"
    if course.start.precision is Precision.YEAR:
        return f"{settings.index_drug} start known only to the year: baseline cannot be placed"
    return None


def visit_assessment(visit: Visit) -> Assessment:
    """The assessment itself, or one built from a lean row's Assessment fields (for the TIS)."""
    if isinstance(visit, Assessment):
        return visit
    fields: dict[str, Any] = visit._asdict()  # type: ignore[attr-defined]
    return Assessment(**fields)


def patient_outcome(
    record: PatientRecord,
    visits: Sequence[Visit],
    settings: AnalysisSettings,
    cutoff: date,
    *,
    tis: bool = True,
) -> OutcomeRow | Exclusion:
    """One patient's baseline against follow-up, or why they are not analysed. ``visits`` stand for
    ``record.assessments`` (oldest first): the assessments, or lean rows of those with a value of the measure
    (with the TIS fields, or without them and ``tis`` False: the row's TIS is then left for ``with_tis``)."""
    patient = record.patient
    pid, sid = patient.id or 0, patient.study_id
    course = index_course(record.courses, settings.index_drug)
    reason = _exclusion_reason(record, course, settings)
    if reason:
        return Exclusion(pid, sid, reason)
    assert course is not None
    label = settings.measure_label
    base = select_baseline(visits, course, settings)
    if base is None:
        return Exclusion(
            pid, sid,
            f"no {label} from {settings.window_before} days before to {settings.window_after} days after the "
            f"{settings.index_drug} start",
        )  # fmt: skip
    follow = select_followup(visits, course, base, settings, cutoff)
    if follow is None:
        when = (
            "after the baseline"
            if settings.followup is FollowUp.LAST
            else f"within {settings.tolerance} days of {settings.followup.label}"
        )
        return Exclusion(pid, sid, f"no {label} on {settings.index_drug} {when}")
    b, f = _value(base, settings.measure), _value(follow, settings.measure)
    assert b is not None
    assert f is not None
    change = cdasi_change(b, f, settings.change_rule) if settings.measure == "cdasi_activity" else None
    meaningful = None if change is None else change.meaningful_improvement
    criteria = change.met if change is not None and change.change < 0 else ()
    note = (
        "index start known to the month: baseline window widened"
        if course.start.precision is Precision.MONTH
        else ""
    )
    row = OutcomeRow(
        pid, sid, patient.subtype, course.start, base.assessed_on, b, follow.assessed_on, f, f - b,
        round((f - b) / b * 100, 1) if b else None, meaningful, None, None, (), base.id, follow.id, note,
        criteria,
    )  # fmt: skip
    return with_tis(row, visit_assessment(base), visit_assessment(follow), settings) if tis else row


def with_tis(
    row: OutcomeRow, baseline: Assessment, followup: Assessment, settings: AnalysisSettings
) -> OutcomeRow:
    """The row with the total improvement score of its ``baseline`` and ``followup`` assessments."""
    tis = total_improvement_score(
        baseline, followup, juvenile=row.subtype is Subtype.JDM, aldolase_factor=settings.aldolase_factor
    )
    return replace(row, tis_total=tis.total, tis_category=tis.category, tis_missing=tis.missing)


def _median_iqr(values: Sequence[float]) -> tuple[float | None, tuple[float, float] | None]:
    if not values:
        return None, None
    median = statistics.median(values)
    if len(values) < 2:
        return median, None
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return median, (q1, q3)


def analyse(records: Sequence[PatientRecord], settings: AnalysisSettings, cutoff: date) -> OutcomeAnalysis:
    """Baseline against follow-up for every patient, and the summary with the paired test."""
    return summarise((patient_outcome(r, r.assessments, settings, cutoff) for r in records), settings)


def summarise(outcomes: Iterable[OutcomeRow | Exclusion], settings: AnalysisSettings) -> OutcomeAnalysis:
    """Every patient's outcome (``patient_outcome``, in any order) in study ID order, and the summary with
    the paired test."""
    rows: list[OutcomeRow] = []
    excluded: list[Exclusion] = []
    for result in sorted(outcomes, key=lambda r: r.study_id):
        (rows if isinstance(result, OutcomeRow) else excluded).append(result)  # type: ignore[arg-type]
    baselines = [r.baseline for r in rows]
    followups = [r.followup for r in rows]
    b_med, b_iqr = _median_iqr(baselines)
    f_med, f_iqr = _median_iqr(followups)
    c_med, c_iqr = _median_iqr([r.change for r in rows])
    cdasi = settings.measure == "cdasi_activity"
    meaningful = sum(1 for r in rows if r.meaningful) if cdasi else None
    criteria = {c: sum(1 for r in rows if c in r.criteria) for c in Criterion} if cdasi else None
    summary = Summary(
        len(rows), b_med, b_iqr, f_med, f_iqr, c_med, c_iqr,
        paired_test(baselines, followups, settings.test), meaningful, criteria,
    )  # fmt: skip
    return OutcomeAnalysis(settings, tuple(rows), tuple(excluded), summary)


def meaningful_text(row: OutcomeRow, rule: ChangeRule) -> str:
    """A row's meaningful improvement with the published criteria its improvement meets:
    "yes (points and percent)", "no (meets points)" when the rule in force asks for another, "no", "–"."""
    if row.meaningful is None:
        return "–"
    met = " and ".join(c.value for c in row.criteria)
    if row.meaningful:
        return f"yes ({met})"
    return f"no (meets {met})" if met else "no"


def method_text(settings: AnalysisSettings) -> str:
    """The analysis rules in words, for the help, the GUI and the report's methods appendix."""
    followup = (
        "the last assessment while on the drug, up to the data cut-off"
        if settings.followup is FollowUp.LAST
        else f"the on-drug assessment nearest {settings.followup.label} after the start (± {settings.tolerance} days)"
    )
    return (
        f"Day 0 is the start of each patient's first {settings.index_drug} course. Baseline is the last "
        f"assessment with a {settings.measure_label} value from {settings.window_before} days before to "
        f"{settings.window_after} days after day 0 (a start known only to the month widens the window to the "
        f"whole month). Follow-up is {followup}. Change is follow-up minus baseline; percent change is relative "
        f"to the baseline. Medians with interquartile ranges (linear interpolation); counts per patient (prior "
        f"immunosuppressants) as {settings.count_summary.label}. {settings.test.description}"
        + (f" {settings.change_rule.description}" if settings.measure == "cdasi_activity" else "")
    )
