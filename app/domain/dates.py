"""Partial dates: a date known to the day, the month or only the year."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_PATTERN = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


class DateParseError(ValueError):
    """The text is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date with the precision it is known to.

    ``value`` is the first day of the period (1 January for a year, the first of the
    month for a month), so partial dates sort and compare by their earliest day.
    """

    value: date
    precision: Precision = Precision.DAY

    def __post_init__(self) -> None:
        if self.precision is Precision.MONTH and self.value.day != 1:
            object.__setattr__(self, "value", self.value.replace(day=1))
        elif self.precision is Precision.YEAR and (self.value.month, self.value.day) != (1, 1):
            object.__setattr__(self, "value", self.value.replace(month=1, day=1))

    @classmethod
    def of(cls, value: date) -> PartialDate:
        return cls(value, Precision.DAY)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``2019``, ``2019-03`` or ``2019-03-14``."""
        match = _PATTERN.match(text)
        if not match:
            raise DateParseError(f"“{text.strip()}” is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        try:
            if day is not None:
                return cls(date(int(year), int(month), int(day)), Precision.DAY)
            if month is not None:
                return cls(date(int(year), int(month), 1), Precision.MONTH)
            return cls(date(int(year), 1, 1), Precision.YEAR)
        except ValueError as exc:
            raise DateParseError(f"“{text.strip()}” is not a real date ({exc})") from exc

    def earliest(self) -> date:
        return self.value

    def latest(self) -> date:
        """The last day the period could mean."""
        if self.precision is Precision.DAY:
            return self.value
        if self.precision is Precision.MONTH:
            last = calendar.monthrange(self.value.year, self.value.month)[1]
            return self.value.replace(day=last)
        return self.value.replace(month=12, day=31)

    def midpoint(self) -> date:
        """The middle of the period: where an imprecise date is best drawn."""
        return date.fromordinal((self.earliest().toordinal() + self.latest().toordinal()) // 2)

    def __str__(self) -> str:
        if self.precision is Precision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


def parse_date(text: str) -> date:
    """Read a full ``YYYY-MM-DD`` date, with a clear message when it is not one."""
    parsed = PartialDate.parse(text)
    if parsed.precision is not Precision.DAY:
        raise DateParseError(f"“{text.strip()}” needs a day: write YYYY-MM-DD")
    return parsed.value
