"""Number and count display."""

from myocase.domain.numbers import plural, shown, spread


def test_shown() -> None:
    assert [shown(17.5), shown(17.0), shown(560.0, 0), shown(2.25, 2), shown(None), shown(-0.5)] == [
        "17.5", "17", "560", "2.25", "–", "−0.5",
    ]  # fmt: skip
    assert shown(100, 0) == "100" and shown(1000.0, 2) == "1000"
    assert shown(-0.04) == "0" and shown(-24, 0) == "−24"


def test_plural() -> None:
    assert [plural(0, "patient"), plural(1, "patient"), plural(2, "patient")] == [
        "0 patients",
        "1 patient",
        "2 patients",
    ]
    assert plural(2, "analysis") == "2 analyses" and plural(3, "box") == "3 boxes"
    assert plural(2, "medication course") == "2 medication courses"


def test_spread_writes_a_median_with_its_iqr_or_range() -> None:
    assert spread(-17, (-19, -15)) == "−17 (−19 to −15)"  # true minus signs, "to" between the bounds
    assert spread(27.0, (23.5, 30.5)) == "27 (23.5 to 30.5)"
    assert spread(4, (3, 6), 0, "range") == "4 (range 3 to 6)"
    assert spread(-17.5, (-20.25, -15.75), 2, "IQR") == "−17.5 (IQR −20.25 to −15.75)"
    assert spread(12, None) == "12" and spread(None, None) == "–"
    assert spread(52, (38, 90), show=lambda v: "≥ 90" if v >= 90 else f"{v:g}") == "52 (38 to ≥ 90)"
