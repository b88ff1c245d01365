"""Choosing a baseline and a follow-up in one plain pass gives exactly what ``max`` by (date, id) gave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st
from myocase.domain.analysis import AnalysisSettings, FollowUp, _window, select_baseline, select_followup
from myocase.domain.dates import PartialDate, Precision
from myocase.domain.records import MedicationCourse

from tests.factories import make_course

DAY0 = date(2021, 3, 1)


class Row(NamedTuple):
    patient_id: int
    id: int | None
    assessed_on: date
    cdasi_activity: float | None


def _plain_baseline(rows: Sequence[Row], course: MedicationCourse, s: AnalysisSettings) -> Row | None:
    """The rule as written before the plain pass: the last by (date, id) within the window."""
    window = _window(course, s)
    if window is None:
        return None
    found = (r for r in rows if window[0] <= r.assessed_on <= window[1] and r.cdasi_activity is not None)
    return max(found, key=lambda a: (a.assessed_on, a.id or 0), default=None)


def _plain_last(rows: Sequence[Row], course: MedicationCourse, base: Row, cutoff: date) -> Row | None:
    after = max(base.assessed_on, course.start.earliest())
    until = min(cutoff, course.stop.latest()) if course.stop is not None else cutoff
    found = [r for r in rows if after < r.assessed_on <= until and r.cdasi_activity is not None]
    return max(found, key=lambda a: (a.assessed_on, a.id or 0), default=None)


ROWS = st.lists(
    st.builds(
        Row,
        st.just(1),
        st.one_of(st.none(), st.integers(1, 6)),  # repeated ids and unsaved ones (None) too
        st.integers(-120, 400).map(lambda n: DAY0 + timedelta(days=n)),
        st.one_of(st.none(), st.integers(0, 60).map(float)),
    ),
    max_size=30,
)
COURSES = st.builds(
    lambda start, precision, stop: (
        make_course(
            1,
            start=(DAY0 + timedelta(days=start)).isoformat(),
            stop=None if stop is None else PartialDate(DAY0 + timedelta(days=stop)),
        )
        if precision is Precision.DAY
        else replace(make_course(1, start="2021-03-01"), start=PartialDate(DAY0, precision))
    ),
    st.integers(-20, 20),
    st.sampled_from(list(Precision)),
    st.one_of(st.none(), st.integers(30, 300)),
)


@settings(max_examples=400, deadline=None)
@given(ROWS, COURSES, st.integers(-30, 400))
def test_one_pass_chooses_what_max_chose(rows: list[Row], course: MedicationCourse, cut: int) -> None:
    s = AnalysisSettings()
    cutoff = DAY0 + timedelta(days=cut)
    base = select_baseline(rows, course, s)
    assert base is _plain_baseline(rows, course, s)  # the same row, not merely an equal one
    for anchor in [base, *rows[:3]]:
        if anchor is not None:
            assert select_followup(rows, course, anchor, s, cutoff) is _plain_last(
                rows, course, anchor, cutoff
            )


def test_equal_keys_keep_the_first_as_max_does() -> None:
    course = make_course(1, start="2021-03-01")
    twins = [Row(1, 4, DAY0, 10.0), Row(1, 4, DAY0, 20.0), Row(1, None, DAY0 + timedelta(days=1), 5.0)]
    chosen = select_baseline(twins, course, AnalysisSettings())
    assert chosen is twins[2]
    assert select_baseline(twins[:2], course, AnalysisSettings()) is twins[0]
    later = [Row(1, 9, DAY0 + timedelta(days=40), 1.0), Row(1, 9, DAY0 + timedelta(days=40), 2.0)]
    assert select_followup(later, course, twins[0], AnalysisSettings(), DAY0 + timedelta(days=99)) is later[0]


def test_a_time_point_still_takes_the_nearest() -> None:
    course = make_course(1, start="2021-03-01")
    s = AnalysisSettings(followup=FollowUp.W12)
    rows = [
        Row(1, 1, DAY0, 30.0),
        Row(1, 2, DAY0 + timedelta(days=80), 20.0),
        Row(1, 3, DAY0 + timedelta(days=90), 9.0),
    ]
    assert select_followup(rows, course, rows[0], s, DAY0 + timedelta(days=200)) is rows[1]
