"""The analysis from lean visit rows: phase changes read from them, and the TIS added once a row's baseline
and follow-up assessments are read by id."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from myocase.domain.analysis import OutcomeRow, patient_outcome, with_tis
from myocase.domain.cohort import cohort_facts
from myocase.domain.dates import PartialDate
from myocase.domain.vocab import StopReason

from tests.domain.test_analysis import CUTOFF, SETTINGS, UPA, record
from tests.factories import make_assessment, make_course


class VisitRow(NamedTuple):
    """A lean stored row, as ``Casebook.analysis_rows`` gives it: no TIS fields."""

    patient_id: int
    id: int
    assessed_on: date
    cdasi_activity: int | None


TOFACITINIB = make_course(
    1, "tofacitinib", "2020-01-06", stop=PartialDate.parse("2021-02-28"), stop_reason=StopReason.INEFFICACY
)
FULL = dict(physician_global=6.0, patient_global=7.0, mmt8_total=120, mmt8_max=150, haq=1.5, ck=1700.0,
            ck_uln=170.0, extramuscular_global=5.0)  # fmt: skip
LATER = dict(physician_global=3.0, patient_global=5.0, mmt8_total=135, mmt8_max=150, haq=1.0, ck=700.0,
             ck_uln=170.0, extramuscular_global=1.0)  # fmt: skip


def test_phase_changes_read_the_visits_given_instead_of_the_assessments() -> None:
    visits = [
        VisitRow(1, 1, date(2020, 1, 2), 40),
        VisitRow(1, 2, date(2021, 2, 20), 30),
        VisitRow(1, 3, date(2021, 9, 17), 9),
    ]
    bare = record([], [TOFACITINIB, UPA])  # no assessments in the record itself
    (tofa, upa) = cohort_facts([bare], SETTINGS, CUTOFF, {1: visits}).phase_changes
    assert (tofa.phase, tofa.start_value, tofa.end_value, tofa.change) == ("tofacitinib", 40, 30, -10)
    assert (upa.phase, upa.start_date, upa.start_value, upa.end_value) == (
        "upadacitinib",
        date(2021, 2, 20),
        30,
        9,
    )
    assert (
        cohort_facts([bare], SETTINGS, CUTOFF, {}).phase_changes[0].start_value is None
    )  # none given: none read


def test_an_outcome_without_the_tis_gets_it_from_the_assessments_read_after() -> None:
    lean = [VisitRow(1, 7, date(2021, 2, 19), 30), VisitRow(1, 8, date(2021, 6, 29), 12)]
    row = patient_outcome(record([]), lean, SETTINGS, CUTOFF, tis=False)
    assert isinstance(row, OutcomeRow)
    assert (row.baseline_id, row.followup_id, row.change, row.tis_total, row.tis_missing) == (
        7,
        8,
        -18,
        None,
        (),
    )
    base = make_assessment(1, "2021-02-19", cdasi_activity=30, id=7, **FULL)
    follow = make_assessment(1, "2021-06-29", cdasi_activity=12, id=8, **LATER)
    scored = with_tis(row, base, follow, SETTINGS)
    assert (scored.tis_total, scored.tis_category, scored.tis_missing) == (62.5, "major", ())
    assert scored.change == -18
