"""The timeline's rows (the layout every renderer follows) and the bar arithmetic every renderer draws from."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from myocase.domain.clock import Clock, DateMode, time_zero
from myocase.domain.dates import PartialDate
from myocase.domain.plot_spec import PointSpec, SeriesSpec
from myocase.domain.style import fuzzy_style, lane_style, measure_style
from myocase.domain.timeline import RowKind, TimelineSpec, build_timeline
from myocase.domain.timeline_lanes import BarSegment, course_bar, course_stop_x
from myocase.domain.timeline_rows import EVENTS_ROWS, HEADER_ROWS, LANE_ROWS, PHOTOS_ROWS, TRACK_ROWS
from myocase.domain.vocab import DrugClass

from tests.domain.test_timeline import COURSES, CUTOFF, PATIENT, SETTINGS, course, photo
from tests.factories import make_assessment, make_event


def spec_with_everything() -> TimelineSpec:
    courses = [*COURSES, course("IVIG", "2018-03-01", "2018-09-01", DrugClass.IVIG, 8)]
    visits = [make_assessment(1, "2021-01-04", id=1, cdasi_activity=20, ck=300.0, prednisone_mg=10.0)]
    photos = [photo(41, date(2021, 1, 4), in_report=True)]
    return build_timeline(PATIENT, courses, visits, [make_event(1, id=31)], photos, SETTINGS)


def test_rows_run_headers_lanes_events_photos_strip_then_tracks() -> None:
    spec = spec_with_everything()
    layout = [(r.kind, r.label, r.bold, r.level, r.rule_above) for r in spec.rows]
    assert layout == [
        (RowKind.PHASES, "", False, 0, False),
        (RowKind.HEADER, "JAK inhibitor", True, 0, True),
        (RowKind.LANE, "tofacitinib", False, 1, False),
        (RowKind.LANE, "upadacitinib", False, 1, False),
        (RowKind.HEADER, "Conventional immunosuppressant", True, 0, True),
        (RowKind.LANE, "methotrexate", False, 1, False),
        (RowKind.LANE, "IVIG", True, 0, True),  # the class's only lane, named as the class: no header
        (RowKind.HEADER, "Glucocorticoid", True, 0, True),
        (RowKind.LANE, "prednisone", False, 1, False),
        (RowKind.LANE, "prednisone", False, 1, False),  # overlapping courses of one drug: two lanes
        (RowKind.HEADER, "Antimalarial", True, 0, True),
        (RowKind.LANE, "hydroxychloroquine", False, 1, False),
        (RowKind.EVENTS, "Adverse events", False, 0, True),  # the rule under the last class
        (RowKind.PHOTOS, "Photos", False, 0, False),
        (RowKind.STRIP, "Photos for the report", False, 0, False),
        (RowKind.TRACK, "Prednisone (mg/day)", True, 0, False),
        (RowKind.TRACK, "CDASI activity", True, 0, False),
        (RowKind.TRACK, "CK (U/L)", True, 0, False),
    ]
    assert spec.row_labels == tuple(label for _, label, *_ in layout if label)


def test_each_row_holds_what_it_shows() -> None:
    spec = spec_with_everything()
    lanes = [r.lane for r in spec.rows if r.kind is RowKind.LANE]
    assert lanes == [lane for group in spec.lane_groups for lane in group.lanes]
    assert [r.group.drug_class for r in spec.rows if r.kind is RowKind.HEADER] == [  # type: ignore[union-attr]
        DrugClass.JAK, DrugClass.CONVENTIONAL, DrugClass.GLUCOCORTICOID, DrugClass.ANTIMALARIAL,
    ]  # fmt: skip
    by_kind = {r.kind: r for r in spec.rows}
    assert len(spec.events) == 1
    assert by_kind[RowKind.EVENTS].events == spec.events
    assert len(spec.photos) == 1
    assert by_kind[RowKind.PHOTOS].photos == spec.photos
    assert by_kind[RowKind.STRIP].strip == spec.strip
    assert tuple(r.track for r in spec.rows if r.kind is RowKind.TRACK) == spec.tracks
    tips = {r.label: r.tooltip for r in spec.rows}
    assert tips["methotrexate"] == "methotrexate (Conventional immunosuppressant)"
    assert tips["Adverse events"] == "Adverse events (the number is the CTCAE grade)"
    assert tips["Photos for the report"].startswith("Photos for the report: ")


def test_rows_have_their_heights_in_lane_rows() -> None:
    heights = {r.kind: r.height for r in spec_with_everything().rows}
    assert (heights[RowKind.HEADER], heights[RowKind.LANE]) == (HEADER_ROWS, LANE_ROWS) == (0.85, 1.0)
    assert (heights[RowKind.EVENTS], heights[RowKind.PHOTOS]) == (EVENTS_ROWS, PHOTOS_ROWS)
    assert heights[RowKind.TRACK] == TRACK_ROWS > 4 * LANE_ROWS
    assert heights[RowKind.STRIP] == 0.0  # measured by the renderer from its thumbnails


def test_without_courses_or_photos_the_marker_rows_stay_and_nothing_else_is_invented() -> None:
    spec = build_timeline(PATIENT, [], [make_assessment(1, "2021-01-04", id=1)], [], [], SETTINGS)
    assert [(r.kind, r.label, r.rule_above) for r in spec.rows] == [
        (RowKind.PHASES, "", False),
        (RowKind.EVENTS, "Adverse events", False),
        (RowKind.PHOTOS, "Photos", False),
        (RowKind.TRACK, "CDASI activity", False),
    ]


# ----------------------------------------------------------------- bar arithmetic


def clock() -> Clock:
    return Clock(DateMode.ACTUAL, time_zero(COURSES, "upadacitinib", [], fallback=CUTOFF))


def test_a_bar_is_drawn_as_fuzzy_ends_under_its_solid_core() -> None:
    mtx = course_bar(COURSES[1], clock(), CUTOFF)  # 2017-06 → 2019-02, both known to the month
    fuzzy, solid = (
        fuzzy_style("methotrexate", DrugClass.CONVENTIONAL),
        lane_style("methotrexate", DrugClass.CONVENTIONAL),
    )
    assert mtx.segments() == (
        BarSegment(17318.0, 17347.0, fuzzy, True),  # June 2017
        BarSegment(17928.0, 17955.0, fuzzy, True),  # February 2019
        BarSegment(17347.0, 17928.0, solid, False),  # between them, drawn last
    )
    assert mtx.extent == (17318.0, 17955.0)
    assert mtx.arrow_at() is None  # stopped before the cut-off


def test_segments_and_the_arrow_are_clipped_to_what_is_shown() -> None:
    mtx = course_bar(COURSES[1], clock(), CUTOFF)
    assert [(s.x_start, s.x_end, s.fuzzy) for s in mtx.segments(17400.0, 17940.0)] == [
        (17928.0, 17940.0, True),
        (17400.0, 17928.0, False),
    ]  # the first fuzzy month lies wholly before the view: left out
    assert mtx.segments(18000.0, 19000.0) == ()
    upa = course_bar(COURSES[6], clock(), CUTOFF)  # ongoing at the cut-off
    assert upa.open_ended
    assert upa.arrow_at() == upa.x_end == 19538.0
    assert upa.arrow_at(18000.0, 19000.0) is None  # its end is out of view


def test_a_bar_cut_where_a_later_phase_takes_over_loses_its_arrow() -> None:
    upa = course_bar(COURSES[6], clock(), CUTOFF)
    cut = upa.ending_at(19000.0)
    assert (cut.x_end, cut.open_ended, cut.arrow_at()) == (19000.0, False, None)
    mtx = course_bar(COURSES[1], clock(), CUTOFF)
    assert mtx.ending_at(17950.0).fuzzy_end is None  # February 2019 is not over by then
    assert mtx.ending_at(17960.0) == mtx  # it had already stopped
    assert upa.ending_at(upa.x_start - 10).x_end == upa.x_start  # never before its start


def test_a_course_stops_where_its_latest_possible_stop_is_unless_it_runs_past_the_cutoff() -> None:
    assert course_stop_x(COURSES[1], clock(), CUTOFF) == 17955.0  # 2019-02-28
    assert course_stop_x(COURSES[6], clock(), CUTOFF) is None  # no stop
    late = replace(COURSES[1], stop=PartialDate.parse("2024-02"))
    assert course_stop_x(late, clock(), CUTOFF) is None  # stops after the cut-off: ongoing there


def test_a_step_series_holds_each_dose_until_the_next_then_changes() -> None:
    points = tuple(PointSpec(x, y, "") for x, y in ((0.0, 20.0), (90.0, 10.0), (180.0, 7.5)))
    step = SeriesSpec("prednisone_mg", "Prednisone", measure_style("prednisone_mg"), points, step=True)
    assert step.path() == ((0.0, 20.0), (90.0, 20.0), (90.0, 10.0), (180.0, 10.0), (180.0, 7.5))
    assert replace(step, step=False).path() == ((0.0, 20.0), (90.0, 10.0), (180.0, 7.5))
    assert replace(step, points=()).path() == ()
