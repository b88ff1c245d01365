"""A phase's measure at its start and end, found in one plain pass: the same visit ``max`` by date chose."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st
from myocase.domain.cohort import _value

DAY0 = date(2021, 3, 1)


class Row(NamedTuple):
    patient_id: int
    id: int
    assessed_on: date
    cdasi_activity: float | None


def _plain(rows: Sequence[Row], first: date, last: date) -> Row | None:
    """The rule as written before: the latest within the dates with a value, by date only."""
    within = [a for a in rows if first <= a.assessed_on <= last and a.cdasi_activity is not None]
    return max(within, key=lambda a: a.assessed_on, default=None)


rows = st.lists(
    st.builds(
        Row,
        st.just(1),
        st.integers(1, 50),
        st.integers(0, 60).map(lambda n: DAY0 + timedelta(days=n)),
        st.none() | st.integers(0, 60).map(float),
    ),
    max_size=25,
)


@settings(max_examples=500, deadline=None)
@given(rows, st.integers(-5, 65), st.integers(-5, 65))
def test_one_pass_finds_the_visit_max_found(visits: list[Row], first: int, last: int) -> None:
    start, end = DAY0 + timedelta(days=first), DAY0 + timedelta(days=last)
    assert _value(visits, "cdasi_activity", start, end) is _plain(visits, start, end)


def test_the_first_of_one_day_is_kept() -> None:
    same_day = [Row(1, 9, DAY0, 3.0), Row(1, 2, DAY0, 4.0), Row(1, 3, DAY0 - timedelta(days=1), 5.0)]
    assert _value(same_day, "cdasi_activity", DAY0 - timedelta(days=9), DAY0) is same_day[0]
    assert _value(same_day, "cdasi_activity", DAY0 + timedelta(days=1), DAY0 + timedelta(days=9)) is None
