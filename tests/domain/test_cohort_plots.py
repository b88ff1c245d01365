"""Cohort plot specs: spaghetti lines aligned to day 0 with their median, and the swimmer plot."""

from __future__ import annotations

from datetime import date, timedelta

from myocase.domain.cohort_plots import MedianRule, PatientData, build_spaghetti, build_swimmer
from myocase.domain.dates import PartialDate
from myocase.domain.records import Assessment, MedicationCourse, PatientRecord
from myocase.domain.style import MEDIAN_LINE, VERMILLION
from myocase.domain.vocab import AeAction, DrugClass, StopReason

from tests.factories import make_assessment, make_course, make_event, make_patient

CUTOFF = date(2023, 6, 30)
UPA = "upadacitinib"


def patient(
    pid: int,
    courses: list[MedicationCourse],
    assessments: list[Assessment] = (),
    events=(),  # type: ignore[assignment]
) -> PatientData:
    return PatientData(
        make_patient(f"P-{pid:02d}", id=pid), tuple(courses), tuple(assessments), tuple(events)
    )


def upa(pid: int, start: str, stop: str | None = None, **kw: object) -> MedicationCourse:
    return make_course(pid, UPA, start, id=pid * 10, stop=PartialDate.parse(stop) if stop else None, **kw)


def visits(pid: int, start: str, values: dict[int, int], measure: str = "cdasi_activity") -> list[Assessment]:
    day0 = date.fromisoformat(start)
    return [
        make_assessment(
            pid,
            (day0 + timedelta(days=day)).isoformat(),
            id=pid * 100 + n,
            **{"cdasi_activity": None, measure: v},
        )
        for n, (day, v) in enumerate(values.items())
    ]


A = patient(
    1,
    [upa(1, "2021-03-01")],
    visits(1, "2021-03-01", {-200: 45, -30: 30, -5: 28, 80: 20, 88: 18, 170: 15, 900: 5}),
)
B = patient(
    2, [upa(2, "2021-06-01", "2021-10-29", stop_reason=StopReason.ADVERSE_EVENT)],  # stopped on day 150
    visits(2, "2021-06-01", {-10: 24, 84: 14, 200: 12}),
)  # fmt: skip
C = patient(3, [upa(3, "2021-09-06")], visits(3, "2021-09-06", {0: 40, 100: 20, 300: 10}))
NO_DRUG = patient(
    4,
    [make_course(4, "methotrexate", "2020-01", drug_class=DrugClass.CONVENTIONAL)],
    visits(4, "2021-01-01", {0: 20}),
)
NO_VALUES = patient(5, [upa(5, "2021-03-01")], visits(5, "2021-03-01", {0: 300}, measure="ck"))
YEAR_ONLY = patient(6, [upa(6, "2021")], visits(6, "2021-01-01", {0: 20}))
MONTH_ONLY = patient(7, [upa(7, "2021-05")], visits(7, "2021-05-01", {3: 16, 84: 8}))
COHORT = [MONTH_ONLY, C, NO_DRUG, A, NO_VALUES, YEAR_ONLY, B]


# ----------------------------------------------------------------- spaghetti


def test_each_line_is_aligned_to_day_zero_of_its_index_course() -> None:
    spec = build_spaghetti(COHORT, "cdasi_activity", UPA, CUTOFF)
    lines = {line.study_id: [(p.x, p.y) for p in line.points] for line in spec.lines}
    assert list(lines) == ["P-01", "P-02", "P-03", "P-07"]
    # day -200 is before the 90 days shown; day 900 is after the cut-off (2023-08-18)
    assert lines["P-01"] == [(-30.0, 30.0), (-5.0, 28.0), (80.0, 20.0), (88.0, 18.0), (170.0, 15.0)]
    assert lines["P-02"] == [(-10.0, 24.0), (84.0, 14.0), (200.0, 12.0)]
    assert lines["P-07"] == [(3.0, 16.0), (84.0, 8.0)]  # day 0 = 2021-05-01
    first = spec.lines[0].points[2]
    assert first.assessment_id == 103
    assert first.tooltip == "P-01\nCDASI activity: 20 (moderate)\nday +80 from the upadacitinib start"
    assert spec.lines[1].x_stop == 150.0
    assert spec.lines[0].x_stop is None
    # stopped on day 150: the dashed part joins the last value on the drug (day 84) to day 200
    assert [p.x for p in spec.lines[1].on_drug] == [-10.0, 84.0]
    assert [p.x for p in spec.lines[1].off_drug] == [84.0, 200.0]
    assert spec.lines[0].off_drug == ()
    assert spec.lines[0].on_drug == spec.lines[0].points

    assert spec.lines[0].patient_id == 1
    assert spec.x_label == "Time from the upadacitinib start (day 0)"
    assert spec.x_range[0] < -30
    assert spec.x_range[1] > 300
    assert "0" in [t.label for t in spec.ticks]
    assert [b.label for b in spec.bands] == ["Mild ≤ 14", "Moderate 15–26", "Severe > 26"]


def test_median_line_uses_baseline_then_bins_nearest_on_drug_values() -> None:
    spec = build_spaghetti(COHORT, "cdasi_activity", UPA, CUTOFF)
    assert [(m.x, m.y, m.n, m.q1, m.q3) for m in spec.median] == [
        (0.0, 26.0, 4, 22.0, 31.0),  # baselines 28, 24, 40, 16
        (84.0, 17.0, 4, 12.5, 20.0),  # P-01: day 80 beats day 88 (nearer); 14, 20, 8
    ]  # day 168: only P-01 on the drug (P-02's day 200 is off it), below 3 patients
    assert spec.median[0].tooltip == "Median 26 (IQR 22–31; n = 4)\nBaseline (day −90 to 7)"
    assert spec.median[1].tooltip == "Median 17 (IQR 12.5–20; n = 4)\nDay 84 ± 42"
    assert spec.median_style == MEDIAN_LINE
    assert spec.median_rule.startswith("Median line: at day 0, each patient's baseline")


def test_median_rule_is_a_parameter() -> None:
    spec = build_spaghetti(COHORT, "cdasi_activity", UPA, CUTOFF, rule=MedianRule(min_n=1))
    assert [(m.x, m.y, m.n) for m in spec.median] == [
        (0.0, 26.0, 4),
        (84.0, 17.0, 4),
        (168.0, 15.0, 1),
        (336.0, 10.0, 1),
    ]
    tied = patient(8, [upa(8, "2021-03-01")], visits(8, "2021-03-01", {0: 30, 70: 12, 98: 10}))
    one = build_spaghetti([tied], "cdasi_activity", UPA, CUTOFF, rule=MedianRule(min_n=1))
    assert [(m.x, m.y) for m in one.median] == [(0.0, 30.0), (84.0, 12.0)]  # a tie: the earlier value


def test_patients_without_the_index_drug_or_values_are_listed_with_a_reason() -> None:
    spec = build_spaghetti(COHORT, "cdasi_activity", UPA, CUTOFF)
    assert [(e.patient_id, e.study_id, e.reason) for e in spec.excluded] == [
        (4, "P-04", "no upadacitinib course"),
        (5, "P-05", "no CDASI activity values from day −90 to the data cut-off"),
        (6, "P-06", "upadacitinib start known only to the year: cannot be aligned to day 0"),
    ]
    assert spec.notes == (
        "P-07: upadacitinib start known only to the month; day 0 is the first day of that month.",
    )
    late = patient(9, [upa(9, "2023-09-01")], visits(9, "2023-09-01", {0: 20}))
    assert build_spaghetti([late], "cdasi_activity", UPA, CUTOFF).excluded[0].reason == (
        "upadacitinib started after the data cut-off"
    )


def test_spaghetti_of_another_measure_has_its_own_axis_and_no_bands() -> None:
    ck = build_spaghetti([NO_VALUES, A], "ck", UPA, CUTOFF, group_label="DM")
    assert [line.study_id for line in ck.lines] == ["P-05"]
    assert ck.title == "CK, DM: days from the upadacitinib start"
    assert ck.unit == "U/L"
    assert ck.bands == ()
    assert ck.y.log_available
    assert ck.lines[0].points[0].tooltip.startswith("P-05\nCK: 300 U/L\n")
    assert [e.reason for e in ck.excluded] == ["no CK values from day −90 to the data cut-off"]


def test_patient_data_from_a_record() -> None:
    record = PatientRecord(A.patient, None, A.courses, A.assessments, (make_event(1),))
    data = PatientData.of(record)
    assert (data.patient, data.courses, data.assessments, len(data.events)) == (
        A.patient,
        A.courses,
        A.assessments,
        1,
    )


# ----------------------------------------------------------------- swimmer


def test_swimmer_rows_prior_jak_phase_ongoing_arrow_and_discontinuation() -> None:
    tofa = make_course(1, "tofacitinib", "2020-01-01", id=11, stop=PartialDate.parse("2021-03-05"))
    switched = patient(
        1, [tofa, upa(1, "2021-03-01")], events=[make_event(1, "herpes zoster", 2, "2020-06-01", id=5)]
    )
    acne = make_event(
        2, "acneiform eruption", 3, "2021-09-29", id=6, suspected_drug=UPA, action=AeAction.DISCONTINUED
    )
    stopped = patient(
        2, [upa(2, "2021-06-01", "2021-10-29", stop_reason=StopReason.ADVERSE_EVENT)], events=[acne]
    )
    late = patient(9, [upa(9, "2023-09-01")])
    spec = build_swimmer([stopped, NO_DRUG, C, late, switched], UPA, CUTOFF)
    assert [r.study_id for r in spec.rows] == ["P-01", "P-03", "P-02"]  # longest on the drug first
    first = spec.rows[0]
    assert [(b.drug, b.x_start, b.x_end, b.open_ended) for b in first.prior] == [
        ("tofacitinib", -425.0, 0.0, False)
    ]
    assert (first.bar.x_start, first.bar.x_end, first.bar.open_ended) == (0.0, 851.0, True)
    assert [(e.x, e.grade) for e in first.events] == [(-273.0, 2)]  # during tofacitinib
    assert first.discontinuation is None
    assert first.tooltip == "P-01: 851 days on upadacitinib, ongoing at the data cut-off"
    last = spec.rows[2]
    assert (last.bar.x_end, last.bar.open_ended) == (150.0, False)
    assert [(e.x, e.grade, e.style.colour, e.style.text) for e in last.events] == [
        (120.0, 3, VERMILLION, "3")
    ]
    assert last.discontinuation is not None
    assert last.discontinuation.x == 150.0
    assert last.discontinuation.reason == "Adverse event: acneiform eruption (grade 3)"
    assert last.discontinuation.tooltip == (
        "upadacitinib stopped day +150\nAdverse event: acneiform eruption (grade 3)"
    )
    assert [(e.study_id, e.reason) for e in spec.excluded] == [
        ("P-04", "no upadacitinib course"),
        ("P-09", "upadacitinib started after the data cut-off"),
    ]
    labels = [e.label for e in spec.legend]
    assert labels[:2] == ["tofacitinib", "upadacitinib"]
    assert "upadacitinib stopped" in labels
    assert "Ongoing at the data cut-off" in labels
    assert "Adverse event, grade 3 (severe or hospitalisation)" in labels


def test_swimmer_keeps_partial_dates_fuzzy_and_can_order_by_study_id() -> None:
    month = patient(7, [upa(7, "2021-05", "2022-02", stop_reason=StopReason.INEFFICACY)])
    spec = build_swimmer([month, C], UPA, CUTOFF, order="study_id")
    assert [r.study_id for r in spec.rows] == ["P-03", "P-07"]
    bar = spec.rows[1].bar
    assert (bar.fuzzy_start, bar.fuzzy_end, bar.x_end) == ((0.0, 30.0), (276.0, 303.0), 303.0)
    assert spec.rows[1].discontinuation is not None
    assert spec.rows[1].discontinuation.reason == "Inefficacy"
    assert spec.notes == (
        "P-07: upadacitinib start known only to the month; day 0 is the first day of that month.",
    )
    assert spec.x_range[0] < 0 < 662 < spec.x_range[1]


def test_the_swimmer_names_the_group_it_shows() -> None:
    spec = build_swimmer([C], UPA, CUTOFF, group_label="DM + ADM patients")
    assert spec.title == "Time on upadacitinib, DM + ADM patients"
    assert spec.group_label == "DM + ADM patients"
    assert build_swimmer([C], UPA, CUTOFF).title == "Time on upadacitinib, All patients"
