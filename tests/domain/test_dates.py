"""Partial dates: parsing, precision, and the period each one spans."""

from __future__ import annotations

from datetime import date

import pytest
from myocase.domain.dates import DateParseError, PartialDate, Precision, parse_date


@pytest.mark.parametrize(
    ("text", "value", "precision", "latest"),
    [
        ("2019", date(2019, 1, 1), Precision.YEAR, date(2019, 12, 31)),
        ("2019-02", date(2019, 2, 1), Precision.MONTH, date(2019, 2, 28)),
        ("2020-02", date(2020, 2, 1), Precision.MONTH, date(2020, 2, 29)),
        (" 2019-03-14 ", date(2019, 3, 14), Precision.DAY, date(2019, 3, 14)),
        ("2019-3-4", date(2019, 3, 4), Precision.DAY, date(2019, 3, 4)),
    ],
)
def test_parse(text: str, value: date, precision: Precision, latest: date) -> None:
    parsed = PartialDate.parse(text)
    assert (parsed.value, parsed.precision, parsed.latest()) == (value, precision, latest)
    assert PartialDate.parse(str(parsed)) == parsed


@pytest.mark.parametrize("text", ["", "19", "2019-13", "2019-02-30", "March 2019", "2019/03/01"])
def test_parse_rejects_with_a_message(text: str) -> None:
    with pytest.raises(DateParseError, match=r"YYYY|not a real date"):
        PartialDate.parse(text)


def test_value_is_normalised_to_the_start_of_its_period() -> None:
    assert PartialDate(date(2019, 5, 17), Precision.MONTH).value == date(2019, 5, 1)
    assert PartialDate(date(2019, 5, 17), Precision.YEAR) == PartialDate.parse("2019")
    assert PartialDate.parse("2019").midpoint() == date(2019, 7, 2)


def test_full_date_required_where_asked() -> None:
    assert parse_date("2021-04-01") == date(2021, 4, 1)
    with pytest.raises(DateParseError, match="needs a day"):
        parse_date("2021-04")
