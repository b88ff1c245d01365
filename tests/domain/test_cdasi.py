"""CDASI v2 totals from the site grid, and MMT-8 totals from muscle groups."""

from __future__ import annotations

from datetime import date

import pytest
from myocase.domain.cdasi import CDASI_SITE_ITEMS, CDASI_SITES, CdasiGrid, Mmt8Scores
from myocase.domain.records import Assessment
from myocase.domain.validation import validate_assessment

from tests.factories import TODAY

FULL_SITE = tuple(item.maximum for item in CDASI_SITE_ITEMS)


def test_all_zero_grid_is_zero() -> None:
    grid = CdasiGrid()
    assert (grid.activity, grid.damage) == (0, 0)
    assert len(grid.sites) == len(CDASI_SITES) == 15


def test_every_item_at_maximum_is_100_and_32() -> None:
    grid = CdasiGrid(
        sites=(FULL_SITE,) * 15,
        gottron_erythema=3,
        gottron_papules=True,
        gottron_ulceration=1,
        gottron_damage=2,
        periungual=2,
        alopecia=1,
    )
    assert (grid.activity, grid.damage) == (100, 32)
    assert grid.problems() == []


@pytest.mark.parametrize(("papules", "activity"), [(False, 2), (True, 4)])
def test_gottron_erythema_doubles_only_with_papules(papules: bool, activity: int) -> None:
    grid = CdasiGrid(gottron_erythema=2, gottron_papules=papules)
    assert grid.activity == activity
    assert grid.damage == 0


def test_site_items_split_into_activity_and_damage() -> None:
    grid = CdasiGrid().with_site(0, 0, 2).with_site(0, 1, 1).with_site(3, 3, 1).with_site(14, 4, 1)
    assert (grid.activity, grid.damage) == (3, 2)


def test_out_of_range_items_are_named() -> None:
    grid = CdasiGrid(periungual=3).with_site(1, 0, 4)
    assert grid.problems() == [
        "Malar: erythema must be a whole number 0–3, not 4.",
        "Periungual must be a whole number 0–2, not 3.",
    ]


def test_grid_round_trips_through_json() -> None:
    grid = CdasiGrid(gottron_erythema=1, gottron_papules=True, alopecia=1).with_site(5, 2, 1)
    assert CdasiGrid.from_json(grid.to_json()) == grid


def test_totals_only_entry_is_valid_and_marked() -> None:
    assessment = Assessment(1, date(2021, 1, 4), cdasi_activity=23, cdasi_damage=4)
    assert validate_assessment(assessment, TODAY) == []
    assert assessment.cdasi_source == "totals"


def test_grid_entry_derives_totals_and_is_marked() -> None:
    grid = CdasiGrid(gottron_erythema=3, gottron_papules=True).with_site(2, 0, 3)
    assessment = Assessment(1, date(2021, 1, 4), cdasi_grid=grid).with_derived_totals()
    assert (assessment.cdasi_activity, assessment.cdasi_damage, assessment.cdasi_source) == (9, 0, "grid")
    assert validate_assessment(assessment, TODAY) == []
    tampered = Assessment(1, date(2021, 1, 4), cdasi_grid=grid, cdasi_activity=5, cdasi_damage=0)
    assert [p.field for p in validate_assessment(tampered, TODAY)] == ["cdasi_activity"]


def test_mmt8_one_side_and_both_sides() -> None:
    one = Mmt8Scores(right=(10, 9, 10, 10, 8, 9, 10, 10))
    assert (one.total, one.maximum, one.sides) == (76, 80, "one")
    both = Mmt8Scores(right=(10,) * 8, left=(10,) * 7)
    assert (both.total, both.maximum, both.sides) == (150, 150, "both")
    partial = Mmt8Scores(right=(10, None, 10, 10, 10, 10, 10, 10))
    assert partial.total is None
    assert partial.partial_total == 70
    assert Mmt8Scores(right=(11,) + (10,) * 7).problems() == [
        "Neck flexors: MMT-8 grades are whole numbers on the Kendall 0–10 scale, not 11."
    ]


def test_mmt8_groups_derive_total_and_maximum() -> None:
    groups = Mmt8Scores(right=(9,) * 8, left=(8,) * 7)
    assessment = Assessment(1, date(2021, 1, 4), mmt8_groups=groups).with_derived_totals()
    assert (assessment.mmt8_total, assessment.mmt8_max, assessment.mmt8_source) == (128, 150, "groups")
    assert validate_assessment(assessment, TODAY) == []


def test_undoubled_gottron_erythema_can_be_left_out() -> None:
    grid = CdasiGrid(gottron_erythema=2, gottron_papules=False, periungual=1)
    assert grid.activity_score(undoubled_counts=True) == 3
    assert grid.activity_score(undoubled_counts=False) == 1
    assessment = Assessment(1, date(2021, 1, 4), cdasi_grid=grid).with_derived_totals(
        undoubled_gottron_counts=False
    )
    assert assessment.cdasi_activity == 1
    assert validate_assessment(assessment, TODAY) == []


@pytest.mark.parametrize("grade", [7.5, -1, 11, "9", float("nan"), True])
def test_an_mmt8_grade_is_a_whole_number_from_0_to_10(grade: object) -> None:
    scores = Mmt8Scores((grade,) + (10,) * 7)  # type: ignore[arg-type]
    (problem,) = scores.problems()
    assert problem.startswith("Neck flexors: MMT-8 grades are whole numbers on the Kendall 0–10 scale, not ")


def test_both_sides_name_the_side_of_a_wrong_grade() -> None:
    scores = Mmt8Scores((10,) * 8, (10,) * 6 + (9.5,))  # type: ignore[arg-type]
    assert scores.problems() == [
        "Ankle dorsiflexors, left: MMT-8 grades are whole numbers on the Kendall 0–10 scale, not 9.5."
    ]
    assert Mmt8Scores((10,) * 8, (7.0,) * 7).problems() == []  # 7.0 is a whole number


def test_an_imported_half_score_is_named_not_rounded() -> None:
    data = CdasiGrid().to_json() | {"periungual": 1.5, "alopecia": 1.0}
    grid = CdasiGrid.from_json(data)
    assert grid.problems() == ["Periungual must be a whole number 0–2, not 1.5."]
    assert grid.alopecia == 1
    assert isinstance(grid.alopecia, int)
