"""Scales as data: ranges written as a clinician reads them, and one wording for a value off its scale."""

from __future__ import annotations

import pytest
from myocase.domain.scales import SCALES, readable


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_000_000, "1,000,000"),
        (10_000, "10,000"),
        (2000.0, "2000"),
        (1971, "1971"),
        (0.5, "0.5"),
        (0, "0"),
        (12_345.5, "12,345.5"),
        (-2, "−2"),
    ],
)
def test_numbers_are_written_without_exponents(value: float, text: str) -> None:
    assert readable(value) == text


def test_range_text_has_thousands_separators_and_the_unit() -> None:
    assert SCALES["ck"].range_text == "0–1,000,000 U/L"
    assert SCALES["cdasi_activity"].range_text == "0–100"
    assert SCALES["haq"].range_text == "0–3"


def test_a_value_off_its_scale_is_named_in_words() -> None:
    activity = SCALES["cdasi_activity"]
    assert activity.problem(40) is None
    assert activity.problem(140) == "CDASI activity must be between 0 and 100."
    assert activity.problem(7.5) == "CDASI activity must be a whole number (0–100), not 7.5."
    assert SCALES["mmt8_total"].problem(81, high=80) == "MMT-8 total must be between 0 and 80."
    assert SCALES["ck"].problem(2_000_000) == "CK must be between 0 and 1,000,000 U/L."
    assert SCALES["haq"].problem(2.125) is None
