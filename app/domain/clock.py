"""How one patient's dates are shown: as dates, as dates shifted by a secret offset, or as days
from the patient's day 0. Every date that a figure, table, caption or export shows goes
through a ``Clock``; nothing formats a clinical date by itself.

Day 0 is the start of the index drug. A patient who never received it is counted from the
start of their first recorded treatment, or else from their first record (``time_zero``),
so a de-identified output never needs a calendar date to place anyone in time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from . import numbers
from .dates import PartialDate, Precision
from .phases import index_course
from .records import MedicationCourse, PatientRecord

EPOCH = date(1970, 1, 1)
MINUS = numbers.MINUS

XMode = Literal["date", "index_days"]


class DateMode(StrEnum):
    INDEX_DAYS = "index_days"  # days from day 0 (the index drug's start): the de-identified default
    SHIFTED = "shifted"  # every date of a patient moved by one secret offset
    ACTUAL = "actual"  # the real dates: identified output only

    @property
    def label(self) -> str:
        return {
            "index_days": "time shown as days from each patient's start of the index drug",
            "shifted": "dates shifted by a fixed secret offset per patient",
            "actual": "actual dates",
        }[self.value]


def signed(number: int) -> str:
    """+12, 0, −5 (with a true minus sign)."""
    return numbers.signed(number, 0)


@dataclass(frozen=True)
class TimeZero:
    """A patient's day 0 and what it is."""

    day: date
    what: str  # "the upadacitinib start", "the start of the first recorded treatment", …
    is_index: bool = False


def time_zero(
    courses: Sequence[MedicationCourse], index_drug: str, others: Iterable[date] = (), *, fallback: date
) -> TimeZero:
    """Day 0: the index drug's earliest possible start; else the first treatment; else the first record."""
    course = index_course(courses, index_drug)
    if course is not None:
        return TimeZero(course.start.earliest(), f"the {course.drug} start", True)
    if courses:
        first = min(courses, key=lambda c: c.start)
        return TimeZero(first.start.earliest(), f"the start of the first recorded treatment ({first.drug})")
    dated = min(others, default=None)
    if dated is not None:
        return TimeZero(dated, "the first record")
    return TimeZero(fallback, "the data cut-off")


def record_time_zero(record: PatientRecord, index_drug: str, fallback: date) -> TimeZero:
    others = [a.assessed_on for a in record.assessments] + [e.onset for e in record.adverse_events]
    others += [p.taken_on for p in record.photos if p.taken_on is not None]
    return time_zero(record.courses, index_drug, others, fallback=fallback)


@dataclass(frozen=True)
class Clock:
    """One patient's way of showing dates (see the module docstring)."""

    mode: DateMode
    zero: TimeZero
    shift: int = 0  # days added to every date in SHIFTED mode

    @classmethod
    def of(
        cls, record: PatientRecord, mode: DateMode, index_drug: str, cutoff: date, shift: int = 0
    ) -> Clock:
        return cls(
            mode, record_time_zero(record, index_drug, cutoff), shift if mode is DateMode.SHIFTED else 0
        )

    @property
    def x_mode(self) -> XMode:
        return "index_days" if self.mode is DateMode.INDEX_DAYS else "date"

    @property
    def shows_dates(self) -> bool:
        return self.mode is not DateMode.INDEX_DAYS

    def moment(self, day: date) -> date:
        """The date as shown: shifted in SHIFTED mode, real otherwise."""
        return day + timedelta(days=self.shift)

    def day(self, day: date) -> int:
        """Days from day 0 (the same in every mode)."""
        return (day - self.zero.day).days

    def x(self, day: date) -> float:
        """Where a date sits on a time axis: days from day 0, or days since 1970 of the shown date."""
        if self.mode is DateMode.INDEX_DAYS:
            return float(self.day(day))
        return float((self.moment(day) - EPOCH).days)

    def show(self, day: date | None) -> str:
        """ "day +12" (days from day 0), or the date as shown; "–" when there is none."""
        if day is None:
            return "–"
        if self.mode is DateMode.INDEX_DAYS:
            return f"day {signed(self.day(day))}"
        return self.moment(day).isoformat()

    def partial(self, value: PartialDate | None) -> str:
        """A partial date keeping its precision: "2019-03", "day −412 (month)"."""
        if value is None:
            return "–"
        if self.mode is DateMode.INDEX_DAYS:
            text = self.show(value.earliest())
            return text if value.precision is Precision.DAY else f"{text} ({value.precision.value})"
        return str(PartialDate(self.moment(value.earliest()), value.precision))

    def when(self, day: date) -> str:
        """A date in a tooltip: the date and its day from the index start, or the day alone."""
        since = f"day {signed(self.day(day))} from {self.zero.what}"
        if self.mode is DateMode.INDEX_DAYS:
            return since
        return (
            f"{self.moment(day).isoformat()} ({since})"
            if self.zero.is_index
            else self.moment(day).isoformat()
        )


def index_clock(day0: date, drug: str) -> Clock:
    """Days from the start of ``drug`` on ``day0`` (the cohort plots)."""
    return Clock(DateMode.INDEX_DAYS, TimeZero(day0, f"the {drug} start", True))
