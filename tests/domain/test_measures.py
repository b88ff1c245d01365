"""The measure registry: every older table is a view of it, it covers the record, and a new score
needs nothing but its entry (plus its record field, table column and migration)."""

from __future__ import annotations

import typing
from collections.abc import Iterable
from dataclasses import fields

import pytest
from myocase.domain.disclosure import FIELD_POLICY
from myocase.domain.measures import (
    GLOBAL_TRACK,
    MEASURES,
    AxisLimits,
    FormGroup,
    Look,
    Measure,
    Policy,
    TableColumn,
    Track,
    axis_limits,
    by_field,
    by_track,
    in_group,
    tabled,
)
from myocase.domain.plot_spec import GLOBAL_FIELDS, MEASURE_LIMITS, limits_of
from myocase.domain.records import Assessment
from myocase.domain.scales import ENZYME_FIELDS, SCALES, scales_of
from myocase.domain.scores import SeverityBands
from myocase.domain.style import (
    DEFAULT_MEASURE_STYLE,
    MEASURE_STYLES,
    SERIES_LOOKS,
    measure_style,
    measure_styles,
)
from myocase.domain.timeline_tracks import TRACKS, TrackDef, track_defs

# the view the GUI's assessment table is built from (Qt item models need only QtCore, no application)
from myocase.ui.models import assessment_columns

KEYS = {"id", "version", "patient_id"}  # numbers that are not measured

# What the app showed before the registry: still there, in this order (a new measure may join).
TODAYS_TRACKS = (
    TrackDef("prednisone_mg", "Prednisone", ("prednisone_mg",), True, "mg/day"),
    TrackDef("cdasi_activity", "CDASI activity", ("cdasi_activity",), False, ""),
    TrackDef("cdasi_damage", "CDASI damage", ("cdasi_damage",), False, ""),
    TrackDef("mmt8_total", "MMT-8", ("mmt8_total",), False, ""),
    TrackDef("ck", "CK", ("ck",), False, "U/L"),
    TrackDef("global", "Global activity", GLOBAL_FIELDS, False, "0–10"),
)
TODAYS_GROUPS = {
    FormGroup.SKIN: ("cdasi_activity", "cdasi_damage"),
    FormGroup.MUSCLE: ("mmt8_total",),
    FormGroup.ENZYMES: ENZYME_FIELDS,
    FormGroup.GLOBAL: ("physician_global", "patient_global", "extramuscular_global", "haq", "pruritus"),
    FormGroup.TREATMENT: ("prednisone_mg", "fvc_pct", "dlco_pct"),
}
TODAYS_COLUMNS = (
    "Date", "CDASI act.", "Severity", "CDASI dam.", "MMT-8", "CK",
    "MD global", "Pt global", "Extramusc.", "HAQ-DI", "Pred mg/d",
)  # fmt: skip


def in_order(part: Iterable[object], whole: Iterable[object]) -> bool:
    """Whether every item of ``part`` is in ``whole``, in the same order (others may come between)."""
    rest = iter(whole)
    return all(item in rest for item in part)


def _numeric_fields() -> list[str]:
    hints = typing.get_type_hints(Assessment)
    kinds = {
        f.name: set(typing.get_args(hints[f.name]) or (hints[f.name],)) - {type(None)}
        for f in fields(Assessment)
    }
    return [name for name, types in kinds.items() if name not in KEYS and types <= {int, float}]


def test_every_numeric_field_of_an_assessment_has_exactly_one_measure_and_each_measure_a_field() -> None:
    numeric = _numeric_fields()
    described = [m.field for m in MEASURES] + [c for m in MEASURES for c in m.companions]
    assert sorted(described) == sorted(numeric)  # once each: a field twice would show twice here
    assert len(by_field()) == len(MEASURES)
    assert "ck_uln" in numeric
    assert "mmt8_max" in numeric


def test_the_scales_are_the_registry_in_its_order() -> None:
    assert list(SCALES) == [m.field for m in MEASURES]
    for measure in MEASURES:
        assert SCALES[measure.field] is measure
    assert ENZYME_FIELDS == ("ck", "aldolase", "alt", "ast", "ldh")
    assert all(by_field()[name].uln for name in ENZYME_FIELDS)
    assert [m.field for m in MEASURES if m.uln] == list(ENZYME_FIELDS)


def test_the_axis_limits_are_the_registry() -> None:
    assert {m.field: m.axis for m in MEASURES} == MEASURE_LIMITS
    assert limits_of("cdasi_activity") == AxisLimits(30, 100)  # the severe band always shows
    assert limits_of("ck") == AxisLimits(0, None, log=True)
    assert limits_of("physician_global") == AxisLimits(10, 10)
    assert limits_of("prednisone_mg") == AxisLimits(10)
    assert limits_of("fvc_pct") == AxisLimits(0, 200)  # no limits given: the top of its scale
    assert limits_of("no such field") == AxisLimits(0, None)


def test_the_timeline_tracks_are_the_registry_in_their_order() -> None:
    assert in_order(TODAYS_TRACKS, TRACKS)
    for definition in TRACKS:
        for name in definition.fields:
            track = by_field()[name].track
            assert track is not None
            assert (track.key, track.label, track.step) == (definition.key, definition.label, definition.step)
    on_tracks = {name for d in TRACKS for name in d.fields}
    assert on_tracks == {m.field for m in MEASURES if m.track is not None}


def test_the_series_styles_are_the_registry() -> None:
    assert {m.field: SERIES_LOOKS[m.look] for m in MEASURES} == MEASURE_STYLES
    assert set(SERIES_LOOKS) == set(Look)  # every look the registry may name is drawn
    assert measure_style("ck") == SERIES_LOOKS[Look.VERMILLION_TRIANGLES]
    assert measure_style("patient_global") == measure_style("cdasi_damage")  # different tracks
    assert measure_style("aldolase") == measure_style("no such field") == DEFAULT_MEASURE_STYLE


def test_every_measure_is_in_one_named_form_group() -> None:
    assert [g.heading for g in FormGroup] == [
        "Skin: CDASI v2",
        "Muscle: MMT-8",
        "Muscle enzymes (with the lab's upper limit of normal)",
        "Global activity and function",
        "Treatment and lungs",
    ]
    grouped = [m.field for g in FormGroup for m in in_group(g)]
    assert sorted(grouped) == sorted(m.field for m in MEASURES)
    for group, fields_then in TODAYS_GROUPS.items():
        assert in_order(fields_then, [m.field for m in in_group(group)]), group


def test_the_assessment_table_columns_are_the_registry() -> None:
    columns = assessment_columns(SeverityBands())
    measured = [c.title for c in columns if c.title not in ("Date", "Severity")]
    assert measured == [m.short for m, _ in tabled()]
    assert in_order(TODAYS_COLUMNS, [c.title for c in columns])
    tips = {c.title: c.tip for c in columns}
    assert tips["HAQ-DI"] == "HAQ-DI, 0–3"
    assert tips["CK"] == "Creatine kinase, U/L (multiple of the upper limit of normal)"


def test_the_disclosure_rule_reads_each_measures_policy() -> None:
    policy = FIELD_POLICY[Assessment]
    for measure in MEASURES:
        assert policy[measure.field] is measure.policy
        assert not measure.identifies  # no score or result of an assessment points to a person
        for companion in measure.companions:
            assert policy[companion] is measure.policy
    assert Measure("x", "X", 0, 1, group=FormGroup.GLOBAL, policy=Policy.IDENTIFIER).identifies


FATIGUE = Measure(
    "fatigue_nrs", "Fatigue NRS", 0, 10, help="Fatigue, numeric rating 0–10.",
    group=FormGroup.GLOBAL, short_label="Fatigue", limits=AxisLimits(10, 10),
    track=Track("fatigue", "Fatigue", 6), look=Look.BLUE_DASHED_SQUARES, column=TableColumn(),
)  # fmt: skip


@pytest.fixture
def extended() -> tuple[Measure, ...]:
    """A copy of the registry with one more score, as a new entry in ``MEASURES`` would make it."""
    return (*MEASURES, FATIGUE)


def test_a_new_measure_reaches_every_view_from_its_registry_entry(extended: tuple[Measure, ...]) -> None:
    assert "fatigue_nrs" not in SCALES, "a real fatigue_nrs exists: give this example another name"
    fatigue = scales_of(extended)["fatigue_nrs"]
    assert fatigue.problem(11) == "Fatigue NRS must be between 0 and 10."
    assert fatigue.range_text == "0–10"
    assert axis_limits(extended)["fatigue_nrs"] == AxisLimits(10, 10)
    assert track_defs(extended)[-1] == TrackDef("fatigue", "Fatigue", ("fatigue_nrs",), False, "")
    assert track_defs(extended)[:-1] == TRACKS  # the others keep their order
    assert measure_styles(extended)["fatigue_nrs"] == SERIES_LOOKS[Look.BLUE_DASHED_SQUARES]
    assert in_group(FormGroup.GLOBAL, extended)[-1] is FATIGUE
    last = assessment_columns(SeverityBands(), extended)[-1]
    assert (last.title, last.tip, last.numeric) == ("Fatigue", "Fatigue NRS, 0–10", True)
    assert "fatigue_nrs" not in scales_of()  # the registry itself is untouched


def test_a_new_measure_on_an_existing_track_joins_it() -> None:
    on_global = Measure("fatigue_global", "Fatigue global", 0, 10, group=FormGroup.GLOBAL, track=GLOBAL_TRACK)
    measures = dict(by_track((*MEASURES, on_global)))[GLOBAL_TRACK]
    assert [m.field for m in measures] == [*GLOBAL_FIELDS, "fatigue_global"]
