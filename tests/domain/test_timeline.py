"""The timeline spec: phases, lanes, tracks, markers, ticks, tooltips and the style table."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from myocase.domain.dates import PartialDate
from myocase.domain.phases import PhaseKind
from myocase.domain.plot_spec import date_ticks, day_ticks, log_scale, value_text
from myocase.domain.records import Assessment, MedicationCourse, Photo, SeriesSettings
from myocase.domain.scores import SeverityBands
from myocase.domain.style import (
    AE_COLOURS,
    BLUISH_GREEN,
    CLASS_COLOURS,
    MARKERS,
    MEASURE_STYLES,
    PHASE_ALPHA,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
    FillStyle,
    LineStyle,
    MarkerStyle,
    SeriesStyle,
    ae_style,
    lane_style,
    phase_style,
)
from myocase.domain.timeline import TimelineSpec, build_timeline
from myocase.domain.vocab import AeAction, DrugClass, StopReason

from tests.factories import make_assessment, make_course, make_event, make_patient

CUTOFF = date(2023, 6, 30)
SETTINGS = SeriesSettings(cutoff=CUTOFF, index_drug="upadacitinib")
PATIENT = make_patient("MYO-07", id=1)


def course(drug: str, start: str, stop: str | None, drug_class: DrugClass, cid: int) -> MedicationCourse:
    return make_course(
        1, drug, start, drug_class=drug_class, id=cid,
        stop=PartialDate.parse(stop) if stop else None,
        stop_reason=StopReason.INEFFICACY if stop else None,
    )  # fmt: skip


COURSES = [
    course("hydroxychloroquine", "2017", "2018", DrugClass.ANTIMALARIAL, 1),
    course("methotrexate", "2017-06", "2019-02", DrugClass.CONVENTIONAL, 2),
    course("methotrexate", "2021-01-10", None, DrugClass.CONVENTIONAL, 3),  # a restart: same lane
    course("prednisone", "2019-01-01", None, DrugClass.GLUCOCORTICOID, 4),
    course("prednisone", "2020-01-01", "2020-03-01", DrugClass.GLUCOCORTICOID, 5),  # overlaps: own lane
    course("tofacitinib", "2019-06-03", "2020-09-20", DrugClass.JAK, 6),  # overlaps the switch
    course("upadacitinib", "2020-09-14", None, DrugClass.JAK, 7),
]


def photo(pid: int, taken_on: date | None, **kw: object) -> Photo:
    return Photo(1, f"{pid:064x}", "image/png", 10, 10, taken_on=taken_on, id=pid, **kw)  # type: ignore[arg-type]


def timeline(assessments=(), events=(), photos=(), courses=COURSES, **kw) -> TimelineSpec:  # type: ignore[no-untyped-def]
    return build_timeline(PATIENT, courses, assessments, events, photos, SETTINGS, **kw)


# ----------------------------------------------------------------- phases and lanes


def test_phase_bands_from_overlapping_open_ended_and_partial_courses() -> None:
    spec = timeline()
    assert [(p.kind, p.label, p.x_start, p.x_end, p.open_ended) for p in spec.phases] == [
        (PhaseKind.PRIOR, "Prior immunosuppressants", 17167.0, 18050.0, False),  # 2017-01-01 → 2019-06-03
        (PhaseKind.JAK, "tofacitinib", 18050.0, 18519.0, False),  # clipped at the switch, 2020-09-14
        (PhaseKind.INDEX, "upadacitinib", 18519.0, 19538.0, True),  # to the cut-off 2023-06-30
    ]
    assert spec.phases[1].style == FillStyle(SKY_BLUE, PHASE_ALPHA[PhaseKind.JAK])
    assert spec.phases[2].style.colour == BLUISH_GREEN
    assert spec.phases[1].tooltip == "tofacitinib: 2019-06-03 → 2020-09-14 (469 days)"
    assert spec.phases[2].tooltip == (
        "upadacitinib: 2020-09-14 → ongoing at the data cut-off (2023-06-30) (1019 days)"
    )
    assert spec.cutoff_x == 19538.0
    assert spec.day_zero_x == 18519.0


def test_lanes_grouped_by_class_one_bar_per_course() -> None:
    spec = timeline()
    layout = [
        (g.label, [(lane.label, [b.course_id for b in lane.bars]) for lane in g.lanes])
        for g in spec.lane_groups
    ]
    assert layout == [
        ("JAK inhibitor", [("tofacitinib", [6]), ("upadacitinib", [7])]),
        ("Conventional immunosuppressant", [("methotrexate", [2, 3])]),
        ("Glucocorticoid", [("prednisone", [4]), ("prednisone", [5])]),
        ("Antimalarial", [("hydroxychloroquine", [1])]),
    ]
    assert len(spec.bars) == len(COURSES)


def test_partial_dates_carry_their_whole_period_as_fuzzy_ranges() -> None:
    bars = {b.course_id: b for b in timeline().bars}
    hcq = bars[1]  # 2017 → 2018, known to the year
    assert (hcq.x_start, hcq.x_end) == (17167.0, 17896.0)  # 2017-01-01 → 2018-12-31
    assert hcq.fuzzy_start == (17167.0, 17531.0)
    assert hcq.fuzzy_end == (17532.0, 17896.0)
    mtx = bars[2]  # 2017-06 → 2019-02, known to the month
    assert mtx.fuzzy_start == (17318.0, 17347.0)
    assert mtx.fuzzy_end == (17928.0, 17955.0)
    assert "2017-06 → 2019-02" in mtx.tooltip
    assert "Start known only to the month; stop known only to the month" in mtx.tooltip
    assert "Stop reason: Inefficacy" in mtx.tooltip
    tofa = bars[6]  # day-precise: no fuzzy part; the bar keeps its recorded stop
    assert (tofa.x_start, tofa.x_end, tofa.fuzzy_start, tofa.fuzzy_end) == (18050.0, 18525.0, None, None)


def test_open_ended_courses_run_to_the_cutoff_with_an_arrow() -> None:
    bars = {b.course_id: b for b in timeline().bars}
    upa = bars[7]
    assert upa.open_ended
    assert upa.x_end == 19538.0
    assert upa.label == "upadacitinib 15 mg once daily"
    assert "2020-09-14 → ongoing at the data cut-off (2023-06-30)" in upa.tooltip
    assert not bars[6].open_ended
    late_stop = course("azathioprine", "2022-01-01", "2024-02-01", DrugClass.CONVENTIONAL, 9)
    bar = next(b for b in timeline(courses=[late_stop]).bars)
    assert bar.open_ended
    assert bar.x_end == 19538.0
    assert "(after the data cut-off, 2023-06-30)" in bar.tooltip


# ----------------------------------------------------------------- days from the index start


def test_days_from_index_conversion() -> None:
    events = [make_event(1, onset="2021-06-01", id=31)]
    photos = [photo(41, date(2020, 12, 7))]
    spec = timeline(
        [make_assessment(1, "2020-12-07", cdasi_activity=18, id=21)], events, photos, x_mode="index_days"
    )
    assert spec.x_mode == "index_days"
    assert spec.x_label == "Time from the upadacitinib start (day 0)"
    bars = {b.course_id: b for b in spec.bars}
    assert (bars[6].x_start, bars[6].x_end) == (-469.0, 6.0)
    assert bars[1].fuzzy_start == (-1352.0, -988.0)
    assert (bars[7].x_start, bars[7].x_end) == (0.0, 1019.0)
    assert [(p.x_start, p.x_end) for p in spec.phases] == [(-1352.0, -469.0), (-469.0, 0.0), (0.0, 1019.0)]
    assert spec.track("cdasi_activity").series[0].points[0].x == 84.0  # type: ignore[union-attr]
    assert (spec.events[0].x, spec.photos[0].x) == (260.0, 84.0)
    assert spec.day_zero_x == 0.0
    assert spec.cutoff_x == 1019.0
    assert "0" in [t.label for t in spec.ticks]


def test_without_the_index_drug_days_count_from_the_first_treatment() -> None:
    spec = timeline(courses=COURSES[:2], x_mode="index_days")
    first = min(COURSES[:2], key=lambda c: c.start)
    assert spec.x_mode == "index_days"
    assert spec.x_label.startswith("Time from the start of the first recorded treatment")
    assert spec.notes == (
        f"No upadacitinib course: day 0 is the start of the first recorded treatment ({first.drug}).",
    )
    assert spec.day_zero_x is None
    assert min(b.x_start for b in spec.bars) == 0.0
    assert not [p for p in spec.phases if p.kind is PhaseKind.INDEX]


def test_index_start_known_to_the_month_counts_from_its_first_day() -> None:
    courses = [course("upadacitinib", "2021-03", None, DrugClass.JAK, 1)]
    spec = timeline([make_assessment(1, "2021-03-31", id=2)], courses=courses, x_mode="index_days")
    assert spec.bars[0].fuzzy_start == (0.0, 30.0)
    assert spec.tracks[0].series[0].points[0].x == 30.0
    assert spec.notes == (
        "The upadacitinib start is known only to the month: day 0 is the first day of that month.",
    )


# ----------------------------------------------------------------- tracks


def test_tracks_without_data_are_left_out() -> None:
    spec = timeline([make_assessment(1, "2021-01-04", cdasi_activity=20, id=1)])
    assert [t.key for t in spec.tracks] == ["cdasi_activity"]
    assert spec.events == ()
    assert spec.photos == ()
    labels = [e.label for e in spec.legend]
    assert "CDASI activity" in labels
    assert "CK" not in labels
    assert "Photo" not in labels
    assert not any(label.startswith("Adverse event") for label in labels)
    assert [t.key for t in timeline().tracks] == []


def test_measure_tracks_in_order_with_exact_values_in_tooltips() -> None:
    a = make_assessment(
        1, "2020-12-07", id=21, cdasi_activity=18, cdasi_damage=3, mmt8_total=136, mmt8_max=150,
        ck=420.0, ck_uln=170.0, physician_global=3.45, patient_global=4.0, prednisone_mg=12.5,
    )  # fmt: skip
    spec = timeline([a])
    assert [t.key for t in spec.tracks] == [
        "prednisone_mg",
        "cdasi_activity",
        "cdasi_damage",
        "mmt8_total",
        "ck",
        "global",
    ]
    tips = {s.key: s.points[0].tooltip for t in spec.tracks for s in t.series}
    when = "2020-12-07 (day +84 from the upadacitinib start)"
    assert tips["cdasi_activity"] == f"CDASI activity: 18 (moderate)\n{when}"
    assert tips["ck"] == f"CK: 420 U/L (2.47 × ULN 170 U/L)\n{when}"
    assert tips["mmt8_total"].startswith("MMT-8 total: 136 / 150\n")
    assert tips["physician_global"].startswith("Physician global activity: 3.45 / 10\n")
    assert tips["prednisone_mg"].startswith("Prednisone: 12.5 mg/day\n")
    point = spec.track("ck").series[0].points[0]  # type: ignore[union-attr]
    assert (point.x, point.y, point.assessment_id) == (18603.0, 420.0, 21)
    assert spec.track("mmt8_total").y.range == (0.0, 150.0)  # type: ignore[union-attr]


def test_ck_track_has_its_uln_and_a_log_scale() -> None:
    visits = [
        make_assessment(1, "2021-01-04", ck=900.0, ck_uln=170.0, id=1),
        make_assessment(1, "2021-04-05", ck=300.0, ck_uln=170.0, id=2),
        make_assessment(1, "2021-07-05", ck=150.0, ck_uln=200.0, id=3),  # another laboratory
    ]
    spec = timeline(visits)
    ck = spec.track("ck")
    assert ck is not None
    assert ck.y.log_available
    assert ck.y.log_range == (100.0, 1000.0)
    assert [t.label for t in ck.y.log_ticks] == ["100", "1000"]
    assert ck.y.range == (0.0, 1000.0)  # 900 × 1.1 rounded up
    pieces = [(r.y, r.x_start, r.x_end) for r in ck.references]
    assert pieces == [(170.0, spec.x_range[0], 18813.0), (200.0, 18813.0, spec.x_range[1])]  # 2021-07-05
    assert ck.references[1].tooltip == "CK upper limit of normal: 200 U/L (from 2021-07-05)"


def test_severity_bands_take_their_thresholds_as_a_parameter() -> None:
    visits = [make_assessment(1, "2021-01-04", cdasi_activity=44, id=1)]
    default = timeline(visits).track("cdasi_activity")
    assert default is not None
    assert default.y.range == (0.0, 50.0)
    assert [(b.y_low, b.y_high, b.label) for b in default.bands] == [
        (0.0, 14.5, "Mild ≤ 14"), (14.5, 26.5, "Moderate 15–26"), (26.5, 50.0, "Severe > 26"),
    ]  # fmt: skip
    assert "not verified" in default.note
    upenn = timeline(visits, severity=SeverityBands(18, 30)).track("cdasi_activity")
    assert upenn is not None
    assert [(b.y_high, b.label) for b in upenn.bands] == [
        (18.5, "Mild ≤ 18"),
        (30.5, "Moderate 19–30"),
        (50.0, "Severe > 30"),
    ]
    assert upenn.series[0].points[0].tooltip.startswith("CDASI activity: 44 (severe)")


def test_prednisone_is_a_step_line_of_recorded_doses() -> None:
    visits = [make_assessment(1, d, cdasi_activity=None, prednisone_mg=mg, id=n) for n, (d, mg) in enumerate(
        [("2021-01-04", 20.0), ("2021-04-05", 10.0), ("2021-07-05", 7.5)], start=1)]  # fmt: skip
    track = timeline(visits).track("prednisone_mg")
    assert track is not None
    assert track.unit == "mg/day"
    series = track.series[0]
    assert series.step
    assert [(p.x, p.y) for p in series.points] == [
        (18631.0, 20.0),
        (18722.0, 10.0),
        (18813.0, 7.5),
    ]
    assert track.y.range == (0.0, 25.0)


# ----------------------------------------------------------------- events, photos, cut-off


def test_events_and_photos_are_placed_at_their_dates() -> None:
    events = [
        make_event(1, "herpes zoster", 2, "2021-06-01", id=31, resolution=date(2021, 6, 22),
                   suspected_drug="upadacitinib", action=AeAction.INTERRUPTED),
        make_event(1, "acneiform eruption", 3, "2022-01-25", id=32),
    ]  # fmt: skip
    photos = [photo(41, date(2020, 12, 7), body_site="face", caption="Before"), photo(42, None)]
    spec = timeline(events=events, photos=photos)
    zoster = spec.events[0]
    assert (zoster.x, zoster.x_end, zoster.grade, zoster.event_id) == (18779.0, 18800.0, 2, 31)
    assert zoster.style == ae_style(2)
    assert zoster.style.text == "2"
    assert zoster.tooltip.splitlines() == [
        "herpes zoster: grade 2 (Moderate)",
        "Onset 2021-06-01 (day +260 from the upadacitinib start)",
        "Resolved 2021-06-22",
        "Not serious; suspected drug: upadacitinib",
        "Action: Interrupted; outcome: Unknown",
    ]
    assert spec.events[1].style.colour == VERMILLION
    assert spec.events[1].x_end is None
    assert [(p.x, p.photo_id, p.caption) for p in spec.photos] == [(18603.0, 41, "Before")]
    assert spec.photos[0].tooltip == "Photo, 2020-12-07 (day +84 from the upadacitinib start)\nface\nBefore"
    assert spec.notes == ("1 undated photo not shown.",)
    labels = [e.label for e in spec.legend]
    assert "Adverse event, grade 2 (moderate)" in labels
    assert "Photo" in labels


def test_records_after_the_cutoff_are_left_out_with_a_note() -> None:
    spec = timeline(
        [make_assessment(1, "2023-06-30", id=1), make_assessment(1, "2023-07-01", id=2)],
        [make_event(1, onset="2023-08-01")],
        courses=[*COURSES, course("baricitinib", "2023-09", None, DrugClass.JAK, 8)],
    )
    assert [p.assessment_id for p in spec.tracks[0].series[0].points] == [1]
    assert spec.events == ()
    assert 8 not in [b.course_id for b in spec.bars]
    assert spec.notes == ("3 records dated after the data cut-off not shown.",)
    assert spec.x_range[1] > spec.cutoff_x


# ----------------------------------------------------------------- ticks and legend


def test_date_ticks_fall_on_month_starts_with_labels() -> None:
    ticks = date_ticks(18642.0, 18981.0)  # 2021-01-15 → 2021-12-20
    assert [t.label for t in ticks] == ["Mar 2021", "May 2021", "Jul 2021", "Sep 2021", "Nov 2021"]
    assert ticks[0].x == 18687.0  # 2021-03-01
    years = timeline().ticks
    assert [t.label for t in years] == ["2017", "2018", "2019", "2020", "2021", "2022", "2023"]
    assert years[0].x == 17167.0  # 2017-01-01


def test_day_ticks_are_months_over_a_long_range_and_weeks_over_a_short_one() -> None:
    assert [t.label for t in day_ticks(-100, 400)] == ["−3 mo", "0", "3 mo", "6 mo", "9 mo", "12 mo"]
    assert [t.x for t in day_ticks(-100, 400)] == [-91.31, 0.0, 91.31, 182.62, 273.94, 365.25]
    assert [t.label for t in day_ticks(-400, 2000)] == [
        "−12 mo",
        "0",
        "12 mo",
        "24 mo",
        "36 mo",
        "48 mo",
        "60 mo",
    ]
    assert [t.label for t in day_ticks(-800, 4000)] == ["−2 y", "0", "2 y", "4 y", "6 y", "8 y", "10 y"]
    assert [t.x for t in day_ticks(-10, 50)] == [0.0, 14.0, 28.0, 42.0]
    assert [t.label for t in day_ticks(-10, 45)] == [
        "−7 d",
        "0",
        "7 d",
        "14 d",
        "21 d",
        "28 d",
        "35 d",
        "42 d",
    ]
    spec = timeline(x_mode="index_days")
    assert [t.label for t in spec.ticks] == ["−36 mo", "−24 mo", "−12 mo", "0", "12 mo", "24 mo"]


def test_a_zoomed_view_gets_finer_ticks_by_the_same_rule() -> None:
    dated, days = timeline(), timeline(x_mode="index_days")
    assert dated.ticks_for(*dated.x_range) == dated.ticks
    assert days.ticks_for(*days.x_range) == days.ticks
    assert dated.ticks_for(18642.0, 18981.0)[0].label == "Mar 2021"
    assert [t.label for t in days.ticks_for(-10, 50)] == ["0", "14 d", "28 d", "42 d"]


def test_legend_names_each_colour_once() -> None:
    spec = timeline([make_assessment(1, "2021-01-04", id=1)])
    labels = [e.label for e in spec.legend]
    assert labels[:5] == [
        "Phase: Prior immunosuppressants", "Phase: tofacitinib", "Phase: upadacitinib", "tofacitinib", "upadacitinib",
    ]  # fmt: skip
    assert len(labels) == len(set(labels))
    assert "Date known only to the month or year" in labels
    assert "Ongoing at the data cut-off" in labels
    assert labels[-1] == "Data cut-off"


def test_tooltips_and_ticks_write_numbers_as_the_tables_do() -> None:
    """As recorded, grouped from 10,000 on, no trailing zeros (``numbers.readable`` and ``shown``)."""
    ck = Assessment(1, date(2021, 3, 1), ck=12000.0, ck_uln=170.0)
    assert value_text("ck", ck, SeverityBands()) == "CK: 12,000 U/L (70.59 × ULN 170 U/L)"
    half = Assessment(1, date(2021, 3, 1), ck=425.0, ck_uln=170.0)
    assert value_text("ck", half, SeverityBands()) == "CK: 425 U/L (2.5 × ULN 170 U/L)"  # not "2.50"
    haq = Assessment(1, date(2021, 3, 1), haq=0.125)
    assert value_text("haq", haq, SeverityBands()) == "HAQ-DI: 0.125"
    decades = log_scale([40.0, 12000.0])
    assert decades is not None
    assert [t.label for t in decades[1]] == ["10", "100", "1000", "10,000", "100,000"]


# ----------------------------------------------------------------- renderer independence and style


def _leaves(value: object) -> list[object]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [leaf for f in dataclasses.fields(value) for leaf in _leaves(getattr(value, f.name))]
    if isinstance(value, tuple):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def test_the_spec_holds_only_plain_values_and_no_records() -> None:
    a = make_assessment(
        1, "2021-01-04", id=1, ck=300.0, ck_uln=170.0, prednisone_mg=5.0, physician_global=2.0
    )
    spec = timeline([a], [make_event(1)], [photo(41, date(2021, 1, 4))])
    allowed = (str, float, int, bool, type(None), date)
    assert all(isinstance(leaf, allowed) for leaf in _leaves(spec))


def test_style_table_covers_every_class_phase_and_grade() -> None:
    assert set(CLASS_COLOURS) == set(DrugClass)
    assert set(PHASE_ALPHA) == set(PhaseKind)
    for kind in PhaseKind:
        assert 0 < phase_style(kind, "upadacitinib").alpha < 0.5  # light bands
    assert phase_style(PhaseKind.JAK, "tofacitinib").colour == SKY_BLUE
    assert phase_style(PhaseKind.INDEX, "upadacitinib").colour == BLUISH_GREEN
    assert lane_style("Upadacitinib ", DrugClass.JAK).colour == BLUISH_GREEN
    greys = [
        CLASS_COLOURS[c]
        for c in (DrugClass.CONVENTIONAL, DrugClass.BIOLOGIC, DrugClass.IVIG, DrugClass.ANTIMALARIAL)
    ]
    assert all(g[1:3] == g[3:5] == g[5:7] for g in greys)
    assert len(set(greys)) == 4
    assert set(AE_COLOURS) == {1, 2, 3, 4, 5}
    assert (ae_style(1).colour, ae_style(3).colour, ae_style(5).colour) == (YELLOW, VERMILLION, VERMILLION)
    assert [ae_style(g).text for g in range(1, 6)] == ["1", "2", "3", "4", "5"]


def test_styles_are_renderer_neutral_and_measures_differ_beyond_colour() -> None:
    hex_colour = re.compile(r"^#[0-9A-F]{6}$")
    styles = [
        *MEASURE_STYLES.values(),
        *(lane_style("x", c) for c in DrugClass),
        *(ae_style(g) for g in range(1, 6)),
    ]
    for style in styles:
        assert all(isinstance(leaf, (str, float, int)) for leaf in _leaves(style))
        parts: list[LineStyle | FillStyle | MarkerStyle] = (
            [style.line, style.marker] if isinstance(style, SeriesStyle) else [style]
        )
        for part in parts:
            assert hex_colour.match(part.colour)
            if isinstance(part, MarkerStyle):
                assert part.shape in MARKERS
    for track in (
        ("cdasi_activity", "cdasi_damage"),
        ("physician_global", "patient_global", "extramuscular_global"),
    ):
        looks = [(MEASURE_STYLES[k].marker.shape, MEASURE_STYLES[k].line.dash) for k in track]
        assert len({shape for shape, _ in looks}) == len(track)  # distinct in greyscale print
        assert len(set(looks)) == len(track)
