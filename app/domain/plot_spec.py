"""Parts shared by the timeline and cohort plot specs: axes, ticks, points, series, bands, legend.

Every renderer reads these as they are: ticks carry their labels, tooltips their text,
styles come from ``style.py``. Numbers in tooltips are shown as recorded (``numbers.readable``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .clock import EPOCH
from .dates import Precision
from .measures import AxisLimits, axis_limits
from .numbers import readable, shown
from .phases import index_course
from .records import AdverseEvent, Assessment, MedicationCourse, Patient, PatientRecord
from .scales import ENZYME_FIELDS, SCALES
from .scores import Severity, SeverityBands
from .style import SEVERITY_STYLES, FillStyle, LineStyle, MarkerStyle, SeriesStyle

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class TickSpec:
    x: float
    label: str


num = readable  # the older name, still imported by the timeline tracks and the cohort plots


GLOBAL_FIELDS = ("physician_global", "patient_global", "extramuscular_global")
_NICE = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class PointSpec:
    x: float
    y: float
    tooltip: str
    assessment_id: int | None = None  # clicking the point opens this assessment


@dataclass(frozen=True)
class SeriesSpec:
    key: str  # the Assessment field
    label: str
    style: SeriesStyle
    points: tuple[PointSpec, ...]
    step: bool = False  # each value holds until the next point (horizontal, then vertical)

    def path(self) -> tuple[tuple[float, float], ...]:
        """The line's vertices (x, y): point to point, or for a step series each value held until
        the next point's x, then the change there (a dose change: horizontal, then vertical)."""
        if not self.step:
            return tuple((p.x, p.y) for p in self.points)
        vertices: list[tuple[float, float]] = []
        for n, point in enumerate(self.points):
            if n:
                vertices.append((point.x, self.points[n - 1].y))
            vertices.append((point.x, point.y))
        return tuple(vertices)


@dataclass(frozen=True)
class ReferenceLineSpec:
    """A horizontal line over part of the x range, such as CK's upper limit of normal."""

    label: str
    y: float
    x_start: float
    x_end: float
    style: LineStyle
    tooltip: str


@dataclass(frozen=True)
class BandSpec:
    """A horizontal band of a track, such as a CDASI severity band; y in data units."""

    y_low: float
    y_high: float
    label: str
    style: FillStyle


@dataclass(frozen=True)
class YAxisSpec:
    range: tuple[float, float]
    ticks: tuple[TickSpec, ...]  # x holds the y value
    log_range: tuple[float, float] | None = None  # set: a log scale may be offered
    log_ticks: tuple[TickSpec, ...] = ()

    @property
    def log_available(self) -> bool:
        return self.log_range is not None


LegendKind = Literal["fill", "line", "marker", "series", "arrow"]


@dataclass(frozen=True)
class LegendEntrySpec:
    label: str
    kind: LegendKind
    style: FillStyle | LineStyle | MarkerStyle | SeriesStyle


def unique_legend(entries: Iterable[LegendEntrySpec]) -> tuple[LegendEntrySpec, ...]:
    """The entries in order, each label once."""
    seen: dict[str, LegendEntrySpec] = {}
    for entry in entries:
        seen.setdefault(entry.label, entry)
    return tuple(seen.values())


# ----------------------------------------------------------------- ticks


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def date_ticks(lo: float, hi: float, max_ticks: int = 9) -> tuple[TickSpec, ...]:
    """Ticks on first days of months (Jan/Apr/Jul/Oct for 3 months, January for years)."""
    start, end = EPOCH + timedelta(days=math.ceil(lo)), EPOCH + timedelta(days=math.floor(hi))
    months = _month_index(end) - _month_index(start) + 1
    step = next((s for s in MONTH_STEPS if months / s <= max_ticks - 1), MONTH_STEPS[-1])
    index = _month_index(start) + (0 if start.day == 1 else 1)
    index += -index % step
    ticks = []
    while (day := date(index // 12, index % 12 + 1, 1)) <= end:
        label = str(day.year) if step >= 12 else f"{_MONTHS[day.month - 1]} {day.year}"
        ticks.append(TickSpec(float((day - EPOCH).days), label))
        index += step
    return tuple(ticks)


def day_ticks(lo: float, hi: float, max_ticks: int = 9) -> tuple[TickSpec, ...]:
    """Ticks from day 0, which is always among them: every week or fortnight over a short range
    ("14 d"), otherwise every 1 to 120 months ("6 mo", "2 y"; a month is 365.25 / 12 days)."""
    span = hi - lo
    week = next((s for s in (7, 14) if span / s <= max_ticks - 1), None)
    if week is not None:
        first = math.ceil(lo / week) * week
        return tuple(TickSpec(float(t), _time_label(t, "d")) for t in range(first, math.floor(hi) + 1, week))
    step = next((s for s in MONTH_STEPS if span / (s * DAYS_PER_MONTH) <= max_ticks - 1), MONTH_STEPS[-1])
    first, last = math.ceil(lo / DAYS_PER_MONTH / step), math.floor(hi / DAYS_PER_MONTH / step)
    return tuple(
        TickSpec(
            round(k * step * DAYS_PER_MONTH, 2),
            _time_label(k * step // 12, "y") if step >= 24 else _time_label(k * step, "mo"),
        )
        for k in range(first, last + 1)
    )


def _time_label(count: int, unit: str) -> str:
    return "0" if count == 0 else f"{shown(count, 0)} {unit}"


def padded(lo: float, hi: float, share: float = 0.03, least: float = 7.0) -> tuple[float, float]:
    pad = max((hi - lo) * share, least)
    return lo - pad, hi + pad


# ----------------------------------------------------------------- y axes


MEASURE_LIMITS: dict[str, AxisLimits] = axis_limits()  # from the measure registry


def limits_of(field: str) -> AxisLimits:
    return MEASURE_LIMITS.get(field, AxisLimits(0, None))


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × a power of ten that is ≥ value."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in _NICE if m * power >= value - 1e-9)


def linear_ticks(top: float, most: int = 6) -> tuple[TickSpec, ...]:
    raw = top / (most - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(s * power for s in _STEPS if s * power >= raw - 1e-9)
    count = math.floor(top / step + 1e-9)
    return tuple(TickSpec(round(k * step, 9), readable(round(k * step, 9))) for k in range(count + 1))


def log_scale(values: Sequence[float]) -> tuple[tuple[float, float], tuple[TickSpec, ...]] | None:
    """Whole decades around the positive values, a tick on each; None without positive values."""
    positive = [v for v in values if v > 0]
    if not positive:
        return None
    low = math.floor(math.log10(min(positive)))
    high = max(math.ceil(math.log10(max(positive))), low + 1)
    ticks = tuple(TickSpec(10.0**k, readable(10.0**k)) for k in range(low, high + 1))
    return (10.0**low, 10.0**high), ticks


def y_axis(values: Sequence[float], limits: AxisLimits) -> YAxisSpec:
    """0 to a round number above the largest value (× 1.1), within the limits."""
    top = max(nice_ceiling(max(values, default=0.0) * 1.1), float(limits.floor))
    if limits.cap is not None:
        top = min(top, float(limits.cap))
    log = log_scale(values) if limits.log else None
    return YAxisSpec((0.0, top), linear_ticks(top), log[0] if log else None, log[1] if log else ())


# ----------------------------------------------------------------- measure values


def _label_and_unit(field: str) -> tuple[str, str]:
    scale = SCALES[field]
    return scale.label, f" {scale.unit}" if scale.unit else ""


_LABELS = {f: _label_and_unit(f) for f in SCALES}


def value_text(field: str, assessment: Assessment, severity: SeverityBands) -> str:
    """A measure's exact value in words, e.g. "CK: 420 U/L (2.47 × ULN 170 U/L)"."""
    value = getattr(assessment, field)
    label, unit = _LABELS.get(field) or _label_and_unit(field)
    text = f"{label}: {readable(value)}"
    if field == "cdasi_activity":
        return f"{text} ({severity.of(value).value})"
    if field == "mmt8_total" and assessment.mmt8_max:
        return f"{text} / {assessment.mmt8_max}"
    if field in GLOBAL_FIELDS:
        return f"{text} / 10"
    uln = getattr(assessment, field + "_uln") if field in ENZYME_FIELDS else None
    if uln:
        return f"{text}{unit} ({shown(value / uln, 2)} × ULN {readable(uln)}{unit})"
    return text + unit


def severity_bands(bands: SeverityBands, top: float) -> tuple[BandSpec, ...]:
    """CDASI activity bands; edges half-way between whole scores (14.5 and 26.5 by default)."""
    mild, moderate = bands.mild_max + 0.5, bands.moderate_max + 0.5
    parts = (
        (0.0, mild, f"Mild ≤ {bands.mild_max}", Severity.MILD),
        (mild, moderate, f"Moderate {bands.mild_max + 1}–{bands.moderate_max}", Severity.MODERATE),
        (moderate, top, f"Severe > {bands.moderate_max}", Severity.SEVERE),
    )
    return tuple(
        BandSpec(low, min(high, top), label, SEVERITY_STYLES[kind])
        for low, high, label, kind in parts
        if low < top
    )


SEVERITY_NOTE = (
    "CDASI activity bands: mild ≤ {mild} is published; moderate {moderate_low}–{moderate} and "
    "severe > {moderate} are a common banding that is not verified (set in the analysis settings)."
)


def severity_note(bands: SeverityBands) -> str:
    return SEVERITY_NOTE.format(
        mild=bands.mild_max, moderate_low=bands.mild_max + 1, moderate=bands.moderate_max
    )


# ----------------------------------------------------------------- cohort input


@dataclass(frozen=True)
class PatientData:
    """One patient's records, as the cohort plots need them."""

    patient: Patient
    courses: tuple[MedicationCourse, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    events: tuple[AdverseEvent, ...] = ()

    @classmethod
    def of(cls, record: PatientRecord) -> PatientData:
        return cls(record.patient, record.courses, record.assessments, record.adverse_events)


@dataclass(frozen=True)
class ExclusionSpec:
    patient_id: int | None
    study_id: str
    reason: str


def index_or_reason(data: PatientData, index_drug: str, cutoff: date) -> MedicationCourse | str:
    course = index_course(data.courses, index_drug)
    if course is None:
        return f"no {index_drug} course"
    if course.start.earliest() > cutoff:
        return f"{index_drug} started after the data cut-off"
    return course


def start_note(data: PatientData, course: MedicationCourse) -> list[str]:
    if course.start.precision is Precision.DAY:
        return []
    return [
        f"{data.patient.study_id}: {course.drug} start known only to the "
        f"{course.start.precision.value}; day 0 is the first day of that {course.start.precision.value}."
    ]
