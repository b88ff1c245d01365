"""The timeline's photo strip: which photos, their slots at their dates, leader lines, captions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest
from myocase.domain.annotations import Crop, Shape, ShapeKind, shape_in_crop
from myocase.domain.dates import PartialDate
from myocase.domain.timeline import TimelineSpec
from myocase.domain.timeline_photos import (
    GAP_SHARE,
    HOME_SHARE,
    MIN_SHARE,
    PREFERRED_SHARE,
    PhotoStripSpec,
    slot_centres,
    wrapped,
)
from myocase.domain.vocab import DrugClass

from tests.domain.test_timeline import COURSES, course, photo, timeline
from tests.factories import make_assessment

MINUS = "\u2212"


def shot(pid: int, taken_on: date, **kw: object):  # type: ignore[no-untyped-def]
    return photo(pid, taken_on, in_report=True, **kw)


def boundaries(spec: TimelineSpec) -> list[float]:
    """Every vertical line of the timeline: phase starts and ends, day 0, the cut-off."""
    lines = [x for p in spec.phases for x in (p.x_start, p.x_end)] + [spec.cutoff_x]
    return lines + ([spec.day_zero_x] if spec.day_zero_x is not None else [])


def assert_well_placed(spec: TimelineSpec) -> None:
    """Slots in date order, apart from each other, inside the x range, over no boundary line."""
    strip = spec.strip
    slots = [p.slot for p in strip.photos]
    gap = GAP_SHARE * (spec.x_range[1] - spec.x_range[0])
    assert [p.x for p in strip.photos] == sorted(p.x for p in strip.photos)
    for (_, end), (start, _) in pairwise(slots):
        assert end + gap <= start + 1e-6  # never overlapping, in the photos' order
    for x0, x1 in slots:
        assert x1 - x0 == pytest.approx(strip.slot_width)
        assert strip.slot_width > 0
        assert spec.x_range[0] - 1e-6 <= x0
        assert x1 <= spec.x_range[1] + 1e-6
        assert not [b for b in boundaries(spec) if x0 < b < x1], (x0, x1)


def test_a_thumbnail_sits_at_its_date_when_there_is_room() -> None:
    spec = timeline(photos=[shot(41, date(2022, 3, 1))])
    (only,) = spec.strip.photos
    assert only.x == 19052.0
    assert only.centre == only.x
    assert only.leader is None
    span = spec.x_range[1] - spec.x_range[0]
    assert spec.strip.slot_width == pytest.approx(PREFERRED_SHARE * span)
    assert_well_placed(spec)


def test_crowded_thumbnails_never_overlap_keep_their_order_and_get_leader_lines() -> None:
    days = [date(2022, 3, 1) + timedelta(days=n) for n in (0, 3, 5, 12)]  # four photos within two weeks
    spec = timeline(photos=[shot(41 + n, day) for n, day in enumerate(days)])
    strip = spec.strip
    assert [p.photo_id for p in strip.photos] == [41, 42, 43, 44]
    assert_well_placed(spec)
    assert all(p.leader == (p.x, p.centre) for p in strip.photos)  # each moved aside: a line to its date
    centres = [p.centre for p in strip.photos]
    mean_x = sum(p.x for p in strip.photos) / 4
    assert abs(sum(centres) / 4 - mean_x) < 1e-6  # spread evenly around the dates (least squares)


def test_no_thumbnail_covers_a_phase_boundary_the_day_zero_or_the_cutoff_line() -> None:
    near_lines = [date(2019, 6, 1), date(2019, 6, 5), date(2020, 9, 10), date(2020, 9, 14), date(2023, 6, 29)]
    for count in range(1, len(near_lines) + 1):
        spec = timeline(photos=[shot(41 + n, day) for n, day in enumerate(near_lines[:count])])
        assert len(spec.strip.photos) == count
        assert_well_placed(spec)
        assert spec.strip.boundaries == tuple(sorted(set(boundaries(spec))))
    for x_mode in ("date", "index_days"):
        assert_well_placed(timeline(photos=[shot(41, date(2020, 9, 14))], x_mode=x_mode))


def test_a_thumbnail_stays_between_its_own_phase_lines_where_they_leave_room() -> None:
    courses = [
        course("methotrexate", "2019-01-01", None, DrugClass.CONVENTIONAL, 2),
        course("upadacitinib", "2021-08-08", "2022-04-05", DrugClass.JAK, 7),  # 240 days, then stopped
    ]
    spec = timeline(photos=[shot(41, date(2022, 3, 30))], courses=courses)  # six days before the stop
    (thumb,) = spec.strip.photos
    on_drug = next(p for p in spec.phases if p.label == "upadacitinib")
    assert on_drug.x_start < thumb.slot[0]
    assert thumb.slot[1] < on_drug.x_end
    span = spec.x_range[1] - spec.x_range[0]
    assert HOME_SHARE * span <= spec.strip.slot_width < PREFERRED_SHARE * span
    assert thumb.leader == (thumb.x, thumb.centre)
    assert thumb.caption[1] == "on upadacitinib"
    assert_well_placed(spec)
    short = [courses[0], replace(courses[1], stop=PartialDate.parse("2022-02-20"))]  # 196 days: too short
    spec = timeline(photos=[shot(41, date(2022, 2, 14))], courses=short)
    (thumb,) = spec.strip.photos
    after = next(p for p in spec.phases if p.label == "After upadacitinib")
    assert after.x_start < thumb.slot[0]
    assert thumb.leader == (
        thumb.x,
        thumb.centre,
    )
    assert spec.strip.slot_width == pytest.approx(PREFERRED_SHARE * span, rel=0.2)
    assert thumb.caption[1] == "on upadacitinib"
    assert_well_placed(spec)


def test_captions_give_the_date_the_phase_and_the_nearest_cdasi_as_the_clock_says() -> None:
    assessments = [
        make_assessment(1, "2019-05-23", id=1, cdasi_activity=40),
        make_assessment(1, "2022-06-08", id=2, cdasi_activity=8),
    ]
    photos = [shot(41, date(2019, 5, 23)), shot(42, date(2020, 2, 1)), shot(43, date(2022, 6, 13))]
    by_date = timeline(assessments, photos=photos).strip.photos
    assert [p.caption for p in by_date] == [
        ("2019-05-23", "before tofacitinib", "CDASI 40"),  # the prior phase, named by the JAK that followed
        ("2020-02-01", "on tofacitinib", "CDASI 40, 254 days before"),
        ("2022-06-13", "on upadacitinib", "CDASI 8, 5 days before"),
    ]
    by_day = timeline(assessments, photos=photos, x_mode="index_days").strip.photos
    assert [p.caption[0] for p in by_day] == [f"day {MINUS}480", f"day {MINUS}226", "day +637"]
    assert by_day[0].tooltip.startswith(f"day {MINUS}480 · prior immunosuppressants phase")
    assert "CDASI activity 40 (day " + MINUS + "480)" in by_day[0].tooltip
    assert timeline(photos=photos[:1]).strip.photos[0].caption[2] == "no CDASI recorded"


def test_the_strip_shows_the_photos_chosen_for_the_report_or_all_while_none_is() -> None:
    chosen = [shot(41, date(2021, 1, 4)), photo(42, date(2022, 1, 4)), shot(43, date(2023, 1, 4))]
    spec = timeline(photos=chosen, photo_choice="report_or_all")
    assert [p.photo_id for p in spec.strip.photos] == [41, 43]
    assert spec.strip.title == "Photos for the report"
    assert spec.notes[-1].startswith("Photo strip: the photos chosen for the report.")
    none_chosen = [replace(p, in_report=False) for p in chosen]
    assert timeline(photos=none_chosen).strip == PhotoStripSpec()  # the report: no strip, no note
    assert not [n for n in timeline(photos=none_chosen).notes if "strip" in n]
    screen = timeline(photos=none_chosen, photo_choice="report_or_all")
    assert [p.photo_id for p in screen.strip.photos] == [41, 42, 43]
    assert screen.strip.title == "All photos (none chosen)"
    assert "every photo, as none is chosen for the report yet" in screen.strip.note
    assert screen.strip.note in screen.notes


def test_photos_beyond_what_fits_are_left_out_with_a_note() -> None:
    days = [date(2021, 1, 1) + timedelta(days=30 * n) for n in range(16)]
    spec = timeline(photos=[shot(100 + n, day) for n, day in enumerate(days)])
    strip = spec.strip
    span = spec.x_range[1] - spec.x_range[0]
    assert strip.slot_width == pytest.approx(MIN_SHARE * span)
    assert 0 < len(strip.photos) < 16
    assert_well_placed(spec)
    assert f"{16 - len(strip.photos)} photos left out" in strip.note


def test_a_thumbnail_shows_the_crop_with_its_annotations_in_the_crops_coordinates() -> None:
    arrow = Shape(ShapeKind.ARROW, ((0.3, 0.4), (0.5, 0.6)))
    crop = Crop(0.2, 0.2, 0.7, 0.6)
    (thumb,) = timeline(photos=[shot(41, date(2022, 3, 1), crop=crop, annotations=(arrow,))]).strip.photos
    assert thumb.crop == crop
    assert thumb.annotations == (shape_in_crop(arrow, crop),)
    assert thumb.aspect == (0.4 * 10) / (0.5 * 10)  # the shown part's height ÷ width (a 10 × 10 photo)


def test_slots_of_photos_on_one_day_are_centred_on_it() -> None:
    centres = slot_centres([100.0, 100.0], [(0.0, 1000.0)], 40.0, 10.0)
    assert centres == [75.0, 125.0]
    assert slot_centres([5.0], [(0.0, 1000.0)], 40.0, 10.0) == [20.0]  # pushed inside the range
    assert slot_centres([5.0, 6.0], [(0.0, 60.0)], 40.0, 10.0) is None  # no room for two
    assert slot_centres([5.0, 6.0], [(0.0, 60.0)], 40.0, 10.0, may_skip=True) in ([20.0, None], [None, 20.0])


def test_caption_lines_wrap_to_the_room_and_end_in_an_ellipsis_when_cut() -> None:
    def fits(text: str) -> bool:
        return len(text) <= 11

    assert wrapped(["2022-06-13", "before tofacitinib", "CDASI 8"], fits) == [
        "2022-06-13",
        "before",
        "tofacitinib",
        "CDASI 8",
    ]
    assert wrapped(["2022-06-13", "before tofacitinib", "CDASI 40, 5 days before"], fits, 4)[-1].endswith("…")
    assert all(fits(line) for line in wrapped(["immunosuppressants"], fits))
    assert len(wrapped(["a b c d e f g h i j k l m n o p"], lambda t: len(t) <= 3, 2)) == 2
    assert COURSES  # the strip tests use the timeline tests' courses: prior, tofacitinib, upadacitinib
