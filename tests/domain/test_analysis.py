"""Baseline and follow-up selection, exclusions with reasons, the paired tests, cohort facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from myocase.domain.analysis import (
    AnalysisSettings,
    CountSummary,
    FollowUp,
    analyse,
    meaningful_text,
    method_text,
    select_baseline,
    select_followup,
)
from myocase.domain.analysis_json import settings_from_json, settings_to_json
from myocase.domain.cohort import cohort_facts, onset_age_text, prior_text
from myocase.domain.dates import PartialDate
from myocase.domain.records import AdverseEvent, PatientRecord
from myocase.domain.scores import ChangeRule, Criterion, RuleKind, SeverityBands
from myocase.domain.stats import PairedTest, PairedTestKind, p_text, paired_test, result_text
from myocase.domain.vocab import AeAction, DrugClass, StopReason, Subtype
from scipy import stats as scipy_stats

from tests.factories import make_assessment, make_course, make_patient

START = date(2021, 3, 1)
CUTOFF = date(2023, 6, 30)
SETTINGS = AnalysisSettings()


def on(day: int, value: int, pid: int = 1, aid: int | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return make_assessment(pid, (START + timedelta(days=day)).isoformat(), cdasi_activity=value, id=aid, **kw)


def record(assessments, courses=None, subtype=Subtype.DM, study_id="P-1", pid=1, events=()):  # type: ignore[no-untyped-def]
    courses = courses if courses is not None else [make_course(pid, "upadacitinib", START.isoformat())]
    patient = make_patient(study_id, subtype, id=pid)
    return PatientRecord(patient, None, tuple(courses), tuple(assessments), tuple(events))


UPA = make_course(1, "upadacitinib", START.isoformat())


@pytest.mark.parametrize(
    ("days", "chosen"),
    [
        ([-91, -90], -90),  # the window's first day counts, the day before does not
        ([-30, 7], 7),  # the last assessment in the window, up to 7 days after the start
        ([-30, 8], -30),  # day 8 is outside
        ([-91, 8], None),
    ],
)
def test_baseline_window_edges(days: list[int], chosen: int | None) -> None:
    baseline = select_baseline([on(d, 20) for d in days], UPA, SETTINGS)
    assert (baseline.assessed_on if baseline else None) == (
        START + timedelta(days=chosen) if chosen is not None else None
    )


def test_baseline_ignores_assessments_without_the_measure() -> None:
    without = make_assessment(1, (START - timedelta(days=2)).isoformat(), cdasi_activity=None, haq=1.0)
    baseline = select_baseline([on(-20, 25), without], UPA, SETTINGS)
    assert baseline is not None
    assert baseline.cdasi_activity == 25


def test_month_precision_start_widens_the_window_to_the_month() -> None:
    course = make_course(1, "upadacitinib", "2021-03")  # any day in March 2021
    # 2021-04-07 is 7 days after the latest possible start (31 March); 2020-12-01 is 90 days before 1 March
    assessments = [
        make_assessment(1, "2020-12-01", cdasi_activity=30),
        make_assessment(1, "2021-04-07", cdasi_activity=28),
    ]
    baseline = select_baseline(assessments, course, SETTINGS)
    assert baseline is not None
    assert baseline.assessed_on == date(2021, 4, 7)


def test_year_precision_start_is_excluded_with_reason() -> None:
    course = make_course(1, "upadacitinib", "2021")
    result = analyse([record([on(-10, 20), on(100, 5)], [course])], SETTINGS, CUTOFF)
    assert result.rows == ()
    assert "known only to the year" in result.excluded[0].reason


def test_last_followup_is_on_drug_and_before_cutoff() -> None:
    stopped = make_course(
        1,
        "upadacitinib",
        START.isoformat(),
        stop=PartialDate.of(START + timedelta(days=200)),
        stop_reason=StopReason.ADVERSE_EVENT,
    )
    assessments = [on(-10, 30), on(100, 20), on(200, 12), on(260, 25)]
    base = select_baseline(assessments, stopped, SETTINGS)
    assert base is not None
    follow = select_followup(assessments, stopped, base, SETTINGS, CUTOFF)
    assert follow is not None
    assert follow.cdasi_activity == 12
    ongoing = select_followup([*assessments, on(900, 3)], UPA, base, SETTINGS, START + timedelta(days=800))
    assert ongoing is not None
    assert ongoing.cdasi_activity == 25


@pytest.mark.parametrize(
    ("days", "chosen"),
    [([56, 84, 140], 84), ([50, 112], 112), ([55, 113], None), ([70, 98], 70)],  # 98 and 70 tie: earlier wins
)
def test_time_point_followup_nearest_within_tolerance(days: list[int], chosen: int | None) -> None:
    settings = AnalysisSettings(followup=FollowUp.W12)  # day 84 ± 28
    assessments = [on(-5, 30), *[on(d, 10 + i) for i, d in enumerate(days)]]
    base = select_baseline(assessments, UPA, settings)
    assert base is not None
    follow = select_followup(assessments, UPA, base, settings, CUTOFF)
    assert (follow.assessed_on if follow else None) == (
        START + timedelta(days=chosen) if chosen is not None else None
    )


def test_excluded_patients_are_listed_with_reasons() -> None:
    records = [
        record([on(-10, 20), on(90, 8)], study_id="OK-1", pid=1),
        record([on(-10, 20)], study_id="NOFU", pid=2),
        record([on(-120, 20), on(90, 8)], study_id="NOBASE", pid=3),
        record(
            [on(-10, 20), on(90, 8)],
            courses=[make_course(4, "methotrexate", "2020", drug_class=DrugClass.CONVENTIONAL)],
            study_id="NODRUG",
            pid=4,
        ),
        record([on(-10, 20), on(90, 8)], subtype=Subtype.ASYS, study_id="ASYS", pid=5),
    ]
    result = analyse(records, SETTINGS, CUTOFF)
    assert [r.study_id for r in result.rows] == ["OK-1"]
    reasons = {e.study_id: e.reason for e in result.excluded}
    assert reasons == {
        "ASYS": "subtype ASyS not in the analysis",
        "NOBASE": "no CDASI activity from 90 days before to 7 days after the upadacitinib start",
        "NODRUG": "no upadacitinib course",
        "NOFU": "no CDASI activity on upadacitinib after the baseline",
    }
    assert result.summary.n == 1


def test_rows_carry_change_meaningful_change_and_tis() -> None:
    full = dict(
        physician_global=6.0,
        patient_global=7.0,
        mmt8_total=120,
        mmt8_max=150,
        haq=1.5,
        ck=1700.0,
        ck_uln=170.0,
        extramuscular_global=5.0,
    )
    later = dict(
        physician_global=3.0,
        patient_global=5.0,
        mmt8_total=135,
        mmt8_max=150,
        haq=1.0,
        ck=700.0,
        ck_uln=170.0,
        extramuscular_global=1.0,
    )
    result = analyse([record([on(-10, 30, **full), on(120, 12, **later)])], SETTINGS, CUTOFF)
    (row,) = result.rows
    assert (row.baseline, row.followup, row.change, row.percent_change) == (30, 12, -18, -60.0)
    assert row.meaningful is True
    assert (row.tis_total, row.tis_category, row.tis_missing) == (62.5, "major", ())
    (partial,) = analyse([record([on(-10, 30), on(120, 12)])], SETTINGS, CUTOFF).rows
    assert partial.tis_category is None
    assert "HAQ-DI" in partial.tis_missing


# Small samples with ties and zero differences: our pipeline must give SciPy's exact p-values.
SAMPLES = [
    ([32, 28, 24, 26, 35, 22, 19, 30], [8, 10, 5, 11, 9, 6, 5, 13]),  # all improve: 2/2^8
    ([10, 12, 9, 14, 10, 8, 7], [8, 10, 9, 10, 8, 8, 9]),  # ties and two zero differences
    ([5, 6, 7, 8, 9], [4, 6, 9, 5, 9]),
    ([20, 20, 20, 20], [18, 18, 22, 18]),  # tied absolute differences
]


@pytest.mark.parametrize(("baseline", "followup"), SAMPLES)
def test_wilcoxon_matches_scipy_exact(baseline: list[int], followup: list[int]) -> None:
    records = [
        record([on(-10, b, pid=i), on(90, f, pid=i)], study_id=f"P-{i}", pid=i)
        for i, (b, f) in enumerate(zip(baseline, followup, strict=True), start=1)
    ]
    summary = analyse(records, SETTINGS, CUTOFF).summary
    expected = scipy_stats.wilcoxon([f - b for b, f in zip(baseline, followup, strict=True)], method="exact")
    assert summary.test.name == "Wilcoxon signed-rank (exact)"
    assert summary.test.p_value == pytest.approx(expected.pvalue, abs=1e-12)
    assert summary.test.statistic == pytest.approx(expected.statistic)


def test_eight_untied_improvements_give_the_smallest_exact_p() -> None:
    test = paired_test([32, 28, 24, 26, 35, 22, 19, 30], [8, 10, 5, 11, 9, 6, 5, 13], PairedTestKind.WILCOXON)
    assert test.p_value == 2 / 2**8


def test_untestable_samples_say_why() -> None:
    assert paired_test([3, 4], [3, 4], PairedTestKind.WILCOXON).note == "no pair changed"
    assert paired_test([3], [1], PairedTestKind.TTEST).note == "a single pair: no test"


def _improving(n: int) -> PairedTest:
    return paired_test([30 + i for i in range(n)], [10 + i for i in range(n)], PairedTestKind.WILCOXON)


def test_one_pair_gets_no_test_at_all() -> None:
    for kind in PairedTestKind:
        test = paired_test([30], [10], kind)
        assert (test.statistic, test.p_value) == (None, None)
        assert result_text(test).endswith(": not run (a single pair: no test)")
    assert result_text(paired_test([30, 20], [10, 20], PairedTestKind.WILCOXON)) == (
        "Wilcoxon signed-rank (exact): not run (a single pair changed: no test)"
    )


def test_fewer_than_six_pairs_say_the_test_cannot_reach_significance() -> None:
    three = _improving(3)
    assert three.p_value == 0.25
    assert three.smallest_p == 0.25
    assert result_text(three) == (
        "Wilcoxon signed-rank (exact): statistic 0, p = 0.25; with 3 pairs the exact test cannot reach "
        "p < 0.05 (the smallest possible p is 0.25)"
    )
    mixed = paired_test([5, 6, 7], [4, 7, 7], PairedTestKind.WILCOXON)  # −1, +1 and no change: p = 1
    assert result_text(mixed) == (
        "Wilcoxon signed-rank (exact): statistic 1.5, p = 1; with 2 pairs that changed the exact test cannot "
        "reach p < 0.05 (the smallest possible p is 0.5)"
    )
    assert "smallest possible p is 0.0625" in result_text(_improving(5))


def test_six_pairs_can_reach_significance_and_carry_no_warning() -> None:
    six = _improving(6)
    assert six.p_value == pytest.approx(2 / 2**6)
    assert six.note == ""
    assert result_text(six) == "Wilcoxon signed-rank (exact): statistic 0, p = 0.0312"
    assert p_text(0.0004) == "p < 0.001"
    assert p_text(None) == "p not computed"


def test_paired_t_test_matches_scipy() -> None:
    b, f = [20, 25, 30, 22, 28], [10, 18, 21, 20, 11]
    test = paired_test(b, f, PairedTestKind.TTEST)
    expected = scipy_stats.ttest_rel(f, b)
    assert (test.statistic, test.p_value) == pytest.approx((expected.statistic, expected.pvalue))


def test_summary_medians_and_iqr() -> None:
    records = [
        record([on(-10, b, pid=i), on(90, b - d, pid=i)], study_id=f"P-{i}", pid=i)
        for i, (b, d) in enumerate([(10, 5), (20, 8), (30, 6), (40, 8)], 1)
    ]
    summary = analyse(records, SETTINGS, CUTOFF).summary
    assert summary.baseline_median == 25
    assert summary.baseline_iqr == (17.5, 32.5)
    assert summary.median_change == -7  # changes -5, -8, -6, -8
    assert summary.meaningful == 4  # every fall is ≥ 5 points (either criterion, the default)
    by_baseline = AnalysisSettings(change_rule=ChangeRule(kind=RuleKind.BY_BASELINE))
    # 10 → 5 (5 points) and 20 → 12 (40 %); 30 → 24 and 40 → 32 fall short of 40 % above 14
    assert analyse(records, by_baseline, CUTOFF).summary.meaningful == 2


def test_cohort_facts() -> None:
    upa_stopped = make_course(
        2,
        "upadacitinib",
        "2021-06-01",
        stop=PartialDate.parse("2022-01-10"),
        stop_reason=StopReason.ADVERSE_EVENT,
    )
    records = [
        record(
            [],
            [
                make_course(1, "methotrexate", "2018", drug_class=DrugClass.CONVENTIONAL),
                make_course(
                    1,
                    "tofacitinib",
                    "2020-01",
                    stop=PartialDate.parse("2021-02"),
                    stop_reason=StopReason.INEFFICACY,
                ),
                UPA,
            ],
            study_id="A",
            pid=1,
        ),
        record(
            [],
            [
                make_course(2, "hydroxychloroquine", "2019", drug_class=DrugClass.ANTIMALARIAL),
                make_course(2, "prednisone", "2019", drug_class=DrugClass.GLUCOCORTICOID),
                upa_stopped,
            ],
            subtype=Subtype.ADM,
            study_id="B",
            pid=2,
            events=[
                AdverseEvent(
                    2,
                    "acneiform eruption",
                    3,
                    date(2021, 12, 20),
                    suspected_drug="upadacitinib",
                    action=AeAction.DISCONTINUED,
                )
            ],
        ),
        record(
            [],
            [make_course(3, "methotrexate", "2019", drug_class=DrugClass.CONVENTIONAL)],
            subtype=Subtype.ASYS,
            study_id="C",
            pid=3,
        ),
    ]
    facts = cohort_facts(records, SETTINGS, CUTOFF)
    assert (facts.patients, facts.by_subtype, facts.with_index_drug) == (3, {"DM": 1, "ADM": 1, "ASyS": 1}, 2)
    assert facts.prior_immunosuppressants == (2, 1)
    assert facts.prior_immunosuppressants_mean == 1.5
    assert facts.prior_jak_inhibitor == 1
    assert facts.on_drug_at_cutoff == 1
    (stop,) = facts.discontinued
    assert (stop.study_id, stop.reason) == ("B", "Adverse event: acneiform eruption (grade 3)")
    assert facts.followup_days == ((CUTOFF - START).days, (date(2022, 1, 10) - date(2021, 6, 1)).days)


def test_phase_changes_for_a_switch_from_tofacitinib() -> None:
    courses = [
        make_course(
            1,
            "tofacitinib",
            "2020-01-06",
            stop=PartialDate.parse("2021-02-28"),
            stop_reason=StopReason.INEFFICACY,
        ),
        UPA,
    ]
    assessments = [
        make_assessment(1, "2020-01-02", cdasi_activity=40),
        make_assessment(1, "2021-02-20", cdasi_activity=30),
        on(200, 9),
    ]
    (tofa, upa) = cohort_facts([record(assessments, courses)], SETTINGS, CUTOFF).phase_changes
    assert (tofa.phase, tofa.start_value, tofa.end_value, tofa.change) == ("tofacitinib", 40, 30, -10)
    assert (upa.phase, upa.start_value, upa.end_value, upa.change) == ("upadacitinib", 30, 9, -21)


def test_settings_round_trip_and_tolerate_junk() -> None:
    settings = AnalysisSettings(
        measure="haq", subtypes=(Subtype.DM,), followup=FollowUp.W26, test=PairedTestKind.TTEST,
        severity=SeverityBands(18, 30), aldolase_factor=15.0, count_summary=CountSummary.MEAN,
        change_rule=ChangeRule(4, 35, 16, RuleKind.POINTS),
    )  # fmt: skip
    stored = settings_to_json(settings)
    assert (stored["change_rule"], stored["count_summary"]) == ("points", "mean")
    assert settings_from_json(stored, "upadacitinib") == settings
    assert settings_from_json({**stored, "change_rule": "??", "count_summary": 2}, "upadacitinib") == replace(
        settings, change_rule=ChangeRule(4, 35, 16), count_summary=CountSummary.MEDIAN
    )
    assert settings_from_json(
        {"measure": "nonsense", "followup": 3, "subtypes": ["DM", "??"]}, "x"
    ) == AnalysisSettings(index_drug="x", subtypes=(Subtype.DM,))


def test_settings_stored_before_the_rule_choice_still_load() -> None:
    old = {
        "measure": "cdasi_activity", "subtypes": ["DM"], "window_before": 60, "window_after": 7,
        "followup": "12w", "tolerance": 28, "test": "wilcoxon", "change_points": 4.0, "change_percent": 40.0,
        "change_percent_above": 14.0, "severity_mild_max": 14, "severity_moderate_max": 26,
        "aldolase_factor": 3.0, "gottron_undoubled_counts": True,
    }  # fmt: skip
    settings = settings_from_json(old, "upadacitinib")
    assert (settings.window_before, settings.change_rule.points) == (60, 4.0)
    assert settings.change_rule.kind is RuleKind.EITHER
    assert settings.count_summary is CountSummary.MEDIAN


def _records(changes: list[tuple[int, int]]) -> list[PatientRecord]:
    return [
        record([on(-10, b, pid=i), on(90, f, pid=i)], study_id=f"P-{i}", pid=i)
        for i, (b, f) in enumerate(changes, start=1)
    ]


def test_rows_name_the_criteria_met_and_the_rule_decides() -> None:
    records = _records([(40, 30), (30, 12), (12, 8)])  # points only; both; neither
    for kind, expected in [(RuleKind.EITHER, 2), (RuleKind.PERCENT, 1), (RuleKind.BY_BASELINE, 1)]:
        settings = AnalysisSettings(change_rule=ChangeRule(kind=kind))
        result = analyse(records, settings, CUTOFF)
        assert result.summary.meaningful == expected, kind
        assert result.summary.criteria == {Criterion.POINTS: 2, Criterion.PERCENT: 1}
        texts = [meaningful_text(r, settings.change_rule) for r in result.rows]
        assert texts[1:] == ["yes (points and percent)", "no"]
    assert texts[0] == "no (meets points)"  # by baseline: 40 → 30 needs 40 % there
    assert (
        meaningful_text(result.rows[0], ChangeRule()) == "no (meets points)"
    )  # the row was judged by_baseline
    either = analyse(records, AnalysisSettings(), CUTOFF)
    assert meaningful_text(either.rows[0], ChangeRule()) == "yes (points)"
    assert "(either criterion): a change meeting either the points criterion" in method_text(
        AnalysisSettings()
    )


def test_prior_immunosuppressants_as_median_or_mean() -> None:
    facts = cohort_facts([], SETTINGS, CUTOFF)
    facts = replace(facts, prior_immunosuppressants=(3, 4, 4, 9))
    assert prior_text(facts, CountSummary.MEDIAN) == "median 4 (range 3 to 9)"
    assert prior_text(facts, CountSummary.MEAN) == "mean 5 (range 3 to 9)"
    assert prior_text(replace(facts, prior_immunosuppressants=(3, 4, 4, 4)), CountSummary.MEAN) == (
        "mean 3.8 (range 3 to 4)"  # one decimal, not 3.75
    )
    assert prior_text(facts, CountSummary.MEDIAN, " of ") == "median of 4 (range 3 to 9)"
    assert "counts per patient (prior immunosuppressants) as mean (range)" in method_text(
        AnalysisSettings(count_summary=CountSummary.MEAN)
    )


def test_age_at_onset_is_typed_or_derived_from_the_years() -> None:
    typed = make_patient(birth_year=1960, age_at_onset=48, diagnosis_date=PartialDate.parse("2012-05"))
    derived = replace(typed, age_at_onset=None)
    assert (typed.onset_age, derived.onset_age) == (48, 52)
    assert replace(derived, birth_year=None).onset_age is None
    assert replace(derived, diagnosis_date=None).onset_age is None
    facts = cohort_facts(
        [record([], study_id=f"P-{n}", pid=n) for n in (1, 2)], SETTINGS, CUTOFF
    )  # the factory: born 1970, no diagnosis date, no age
    assert facts.ages_at_onset == ()
    assert onset_age_text(facts, str) == "not recorded"
    facts = replace(facts, ages_at_onset=(38, 52, 90))
    assert (
        onset_age_text(facts, lambda a: "≥ 90" if a and a >= 90 else str(a)) == "median 52 (range 38 to ≥ 90)"
    )
