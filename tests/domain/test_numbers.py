"""Number and count display."""

from app.domain.numbers import plural, shown


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
