"""Number and count display, written by ``domain/numbers.py`` and nowhere else."""

import re
from datetime import date
from pathlib import Path

from myocase.domain import measures, numbers, plot_spec, scales, stats
from myocase.domain.dates import PartialDate
from myocase.domain.numbers import p_text, percent, plural, readable, shown, signed, spread
from myocase.domain.records import Assessment, MedicationCourse
from myocase.domain.scores import ChangeRule, Criterion, RuleKind, total_improvement_score
from myocase.domain.vocab import DrugClass

APP = Path(__file__).resolve().parents[2] / "app"
# a number formatted in place: f"{x:g}", f"{x:.2f}", f"{x:,}", f"{x:{grouping}.6f}", "%.1f" % x
OWN_FORMAT = re.compile(r"\{[^{}]*:(?:\{\w+\})?[+ ]?[,_]?(?:\.\d+)?[gfeGE%,]\}|%\.?\d*[fg]\b")


def test_shown() -> None:
    assert [shown(17.5), shown(17.0), shown(560.0, 0), shown(2.25, 2), shown(None), shown(-0.5)] == [
        "17.5", "17", "560", "2.25", "–", "−0.5",
    ]  # fmt: skip
    assert shown(100, 0) == "100"
    assert shown(1000.0, 2) == "1000"
    assert shown(-0.04) == "0"
    assert shown(-24, 0) == "−24"


def test_plural() -> None:
    assert [plural(0, "patient"), plural(1, "patient"), plural(2, "patient")] == [
        "0 patients",
        "1 patient",
        "2 patients",
    ]
    assert plural(2, "analysis") == "2 analyses"
    assert plural(3, "box") == "3 boxes"
    assert plural(2, "medication course") == "2 medication courses"


def test_spread_writes_a_median_with_its_iqr_or_range() -> None:
    assert spread(-17, (-19, -15)) == "−17 (−19 to −15)"  # true minus signs, "to" between the bounds
    assert spread(27.0, (23.5, 30.5)) == "27 (23.5 to 30.5)"
    assert spread(4, (3, 6), 0, "range") == "4 (range 3 to 6)"
    assert spread(-17.5, (-20.25, -15.75), 2, "IQR") == "−17.5 (IQR −20.25 to −15.75)"
    assert spread(12, None) == "12"
    assert spread(None, None) == "–"
    assert spread(52, (38, 90), show=lambda v: "≥ 90" if v >= 90 else f"{v:g}") == "52 (38 to ≥ 90)"


def test_p_values_and_percentages() -> None:
    assert [p_text(0.0078125), p_text(0.25), p_text(1.0), p_text(0.0004), p_text(0.001), p_text(None)] == [
        "p = 0.0078", "p = 0.25", "p = 1", "p < 0.001", "p = 0.001", "p not computed",
    ]  # fmt: skip
    assert [percent(12.5), percent(-40, 0), percent(33.333, 2), percent(None)] == [
        "12.5 %",
        "−40 %",
        "33.33 %",
        "–",
    ]


def test_a_change_carries_its_sign() -> None:
    assert [signed(4), signed(-3.5), signed(0), signed(0.04), signed(-0.04), signed(2.25, 2)] == [
        "+4", "−3.5", "0", "0", "0", "+2.25",
    ]  # fmt: skip
    assert [percent(25, 0, sign=True), percent(-20, 0, sign=True), percent(0, sign=True)] == [
        "+25 %",
        "−20 %",
        "0 %",
    ]


def test_readable_writes_a_typed_value_as_typed() -> None:
    assert [readable(1_000_000), readable(10_000), readable(2000), readable(1971)] == [
        "1,000,000", "10,000", "2000", "1971",
    ]  # fmt: skip
    assert [readable(0.5), readable(-2), readable(1.375), readable(-0.0), readable(7.25)] == [
        "0.5", "−2", "1.375", "0", "7.25",
    ]  # fmt: skip


def test_numbers_are_formatted_in_this_module_only() -> None:
    found = [
        f"{path.relative_to(APP)}:{number}: {line.strip()}"
        for package in ("domain", "report", "services")
        for path in sorted((APP / package).rglob("*.py"))
        if path != APP / "domain" / "numbers.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OWN_FORMAT.search(line)
    ]
    assert found == []


def test_the_format_check_sees_what_it_looks_for() -> None:
    spelled = (
        'f"{self.dose:g} mg"',
        'f"({value / uln:.2f} × ULN)"',
        'f"{value:{grouping}.6f}"',
        '"%.1f" % x',
    )
    assert [bool(OWN_FORMAT.search(s)) for s in spelled] == [True] * len(spelled)
    assert not OWN_FORMAT.search('f"{readable(uln)} U/L, {shown(p, 4)} %, {k: v for k, v in d.items()}"')


def test_the_older_names_are_this_module_s_functions() -> None:
    assert measures.readable is numbers.readable
    assert scales.readable is numbers.readable
    assert plot_spec.num is numbers.readable
    assert stats.p_text is numbers.p_text


def test_a_dose_is_written_as_typed() -> None:
    def course(dose: float, unit: str = "", frequency: str = "") -> MedicationCourse:
        start = PartialDate.of(date(2020, 1, 1))
        return MedicationCourse(1, "IVIG", DrugClass.IVIG, start, dose=dose, unit=unit, frequency=frequency)

    doses = [course(d).dose_text for d in (7.5, 15.0, 0.125, 35_000, 1_000_000)]
    assert doses == ["7.5", "15", "0.125", "35,000", "1,000,000"]  # ":g" wrote "1e+06"
    assert course(2.0, "g/kg", "monthly").dose_text == "2 g/kg monthly"


def test_the_change_rule_and_the_tis_write_their_numbers_as_typed() -> None:
    rule = ChangeRule(points=4.5, percent=40.0, percent_above=14.0, kind=RuleKind.BY_BASELINE)
    assert rule.criterion_detail(Criterion.POINTS) == "≥ 4.5 points, Anyanwu 2015"
    assert rule.criterion_detail(Criterion.PERCENT) == "≥ 40 % from a baseline above 14, Ahmed 2020"
    assert rule.label == "points up to a baseline of 14, 40 % above"
    base = Assessment(1, date(2020, 1, 1), ck=12_000.0, ck_uln=170.0)
    follow = Assessment(1, date(2020, 7, 1), ck=800.0, ck_uln=170.0)
    details = {item.key: item.detail for item in total_improvement_score(base, follow).items}
    assert details["enzyme"] == "CK, ULN 170"
