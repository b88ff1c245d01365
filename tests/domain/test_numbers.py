"""Number display."""

from app.domain.numbers import shown


def test_shown() -> None:
    assert [shown(17.5), shown(17.0), shown(560.0, 0), shown(2.25, 2), shown(None), shown(-0.5)] == [
        "17.5", "17", "560", "2.25", "–", "-0.5",
    ]  # fmt: skip
    assert shown(100, 0) == "100" and shown(1000.0, 2) == "1000"
