"""Table 2's spec: every string of the table, its summary row, caption and notes, from a known analysis."""

from __future__ import annotations

from datetime import date, timedelta

from myocase.domain.analysis import AnalysisSettings, analyse
from myocase.domain.clock import Clock, DateMode, TimeZero, index_clock
from myocase.domain.outcome_table import COLUMNS, CellKind, outcome_table
from myocase.domain.records import PatientRecord
from myocase.domain.stats import PairedTestKind
from myocase.domain.vocab import Subtype

from tests.factories import make_assessment, make_course, make_patient

START = date(2021, 3, 1)
CUTOFF = date(2023, 6, 30)


def _patient(pid: int, values: tuple[tuple[int, int], ...], subtype: Subtype = Subtype.DM) -> PatientRecord:
    """A patient on upadacitinib from START with CDASI activity and MMT-8 ``(day, value)``s."""
    assessments = tuple(
        make_assessment(
            pid, (START + timedelta(days=day)).isoformat(), cdasi_activity=v, mmt8_total=150 - v, id=n
        )
        for n, (day, v) in enumerate(values, start=pid * 10)
    )
    course = make_course(pid, "upadacitinib", START.isoformat())
    return PatientRecord(make_patient(f"P-{pid}", subtype, id=pid), None, (course,), assessments, ())


# Baselines 30, 20, 25 and follow-ups 12, 16, 14: changes −18 (−60 %), −4 (−20 %), −11 (−44 %).
RECORDS = [
    _patient(1, ((-10, 30), (180, 12))),
    _patient(2, ((-5, 20), (200, 16))),
    _patient(3, ((0, 25), (150, 14))),
    _patient(4, ((0, 25), (150, 14)), Subtype.ASYS),
]
DAYS = lambda pid: index_clock(START, "upadacitinib")  # noqa: E731


def test_the_spec_holds_every_string_of_table_2() -> None:
    spec = outcome_table(analyse(RECORDS, AnalysisSettings(), CUTOFF), DAYS)
    assert spec.title == "CDASI activity: baseline and follow-up"
    assert spec.headers == (
        "Patient", "Subtype", "Baseline visit", "Baseline", "Follow-up visit", "Follow-up", "Change",
        "Change %", "Meaningful change", "TIS", "TIS response",
    )  # fmt: skip
    assert [row.cells for row in spec.rows] == [
        ("P-1", "DM", "day −10", "30", "day +180", "12", "−18", "−60", "yes (points and percent)", "–", "not computable"),
        ("P-2", "DM", "day −5", "20", "day +200", "16", "−4", "−20", "no", "–", "not computable"),
        ("P-3", "DM", "day 0", "25", "day +150", "14", "−11", "−44", "yes (points and percent)", "–", "not computable"),
    ]  # fmt: skip
    assert [row.patient_id for row in spec.rows] == [1, 2, 3]
    # medians with IQRs by linear interpolation: [20, 25, 30], [12, 14, 16], [−18, −11, −4]
    assert spec.summary.cells == (
        "Median (IQR), 3 patients", "", "25 (22.5 to 27.5)", "", "14 (13 to 15)", "", "−11 (−14.5 to −7.5)", "",
        "2 of 3", "", "",
    )  # fmt: skip
    assert spec.summary.patient_id is None
    assert spec.spans == ((0, 1), (2, 3), (4, 5), (6, 7), (8, 8), (9, 10))
    # three changed pairs: the exact two-sided p is 2 ÷ 2³, and the caption says the test cannot do better
    assert spec.caption == (
        "Wilcoxon signed-rank (exact): statistic 0, p = 0.25; with 3 pairs the exact test cannot reach p < 0.05 "
        "(the smallest possible p is 0.25). Meaningful change by the rule “either criterion”; in brackets, the "
        "published criteria each improvement meets. Points: ≥ 5 points, Anyanwu 2015. Percent: ≥ 40 % from a "
        "baseline above 14, Ahmed 2020."
    )
    assert spec.notes == ("Not analysed: P-4: subtype ASyS not in the analysis.",)
    assert spec.items == (
        ("Meaningful improvement", "2 of 3 (either criterion)"),
        ("  points criterion met", "2 of 3 (≥ 5 points, Anyanwu 2015)"),
        ("  percent criterion met", "2 of 3 (≥ 40 % from a baseline above 14, Ahmed 2020)"),
    )
    assert spec.method.startswith("Day 0 is the start of each patient's first upadacitinib course.")


def test_rows_sort_by_values_not_by_their_text() -> None:
    spec = outcome_table(analyse(RECORDS, AnalysisSettings(), CUTOFF), DAYS)
    keys = spec.rows[0].keys
    assert keys[2] == START - timedelta(days=10)
    assert (keys[3], keys[6], keys[7]) == (30.0, -18.0, -60.0)
    assert keys[9] is None
    assert keys[10] == "not computable"
    assert spec.summary.keys == (None,) * len(COLUMNS)
    assert [c.header for c in COLUMNS if c.kind is CellKind.DATE] == ["Baseline visit", "Follow-up visit"]


def test_another_measure_and_test_leave_the_meaningful_change_out() -> None:
    settings = AnalysisSettings(measure="mmt8_total", test=PairedTestKind.TTEST)
    spec = outcome_table(analyse(RECORDS, settings, CUTOFF), DAYS)
    assert spec.title == "MMT-8 total: baseline and follow-up"
    assert [row.cells[3:9] for row in spec.rows] == [
        ("120", "day +180", "138", "18", "15", "–"),
        ("130", "day +200", "134", "4", "3.1", "–"),
        ("125", "day +150", "136", "11", "8.8", "–"),
    ]
    assert spec.summary.cells[8] == "–"
    assert spec.caption.startswith("Paired t-test: statistic ")
    assert "Meaningful" not in spec.caption
    assert spec.items == ()


def test_visits_are_shown_as_the_clock_shows_them() -> None:
    dated = Clock(DateMode.ACTUAL, TimeZero(START, "the upadacitinib start", True))
    spec = outcome_table(analyse(RECORDS[:1], AnalysisSettings(), CUTOFF), lambda pid: dated)
    assert (spec.rows[0].cells[2], spec.rows[0].cells[4]) == ("2021-02-19", "2021-08-28")
    assert (spec.summary.cells[0], spec.summary.cells[2]) == ("Median (IQR), 1 patient", "30")
    assert spec.caption.startswith("Wilcoxon signed-rank (exact): not run (a single pair: no test).")


def test_no_patient_analysed_leaves_dashes() -> None:
    spec = outcome_table(analyse(RECORDS, AnalysisSettings(subtypes=(Subtype.IBM,)), CUTOFF), DAYS)
    assert spec.rows == ()
    assert spec.summary.cells[:9] == ("Median (IQR), 0 patients", "", "–", "", "–", "", "–", "", "0 of 0")
    assert len(spec.notes) == 4
