"""The measure registry: everything MyoCase knows about each score and result an assessment records.

One ``Measure`` per score or result of ``Assessment`` (a lab's upper limit of normal and the
MMT-8 maximum ride with theirs), in ``MEASURES`` order, the order every list, choice and check
shows them in. The older tables are views of it: ``scales.SCALES``, ``plot_spec.MEASURE_LIMITS``,
``timeline_tracks.TRACKS``, ``style.MEASURE_STYLES``, the assessment form's boxes,
``ui.models.assessment_columns`` and ``disclosure.FIELD_POLICY`` for assessments.

Adding a score: a ``Measure`` here, a field of ``records.Assessment``, a column of
``store/tables.py`` and a migration. Scales: ../shared/reference/myositis.md sections 2–4.
Meant to grow into the codebook of every field of every record: those would share the attributes
of a field (field, label, short label, help, form group, column, ``Policy``); a ``Measure`` is
the numeric kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .numbers import readable as readable  # re-exported: ``measures.readable`` and ``scales.readable``

ULN_SUFFIX = "_uln"


@dataclass(frozen=True)
class Scale:
    """What a number may be: the entry fields and the shared validation both read it."""

    field: str
    label: str
    low: float
    high: float
    unit: str = ""
    integer: bool = False
    help: str = ""
    decimals: int = 1

    @property
    def range_text(self) -> str:
        """ "0–100", "0–1,000,000 U/L"."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{readable(self.low)}–{readable(self.high)}{unit}"

    def problem(self, value: float, high: float | None = None) -> str | None:
        """What is wrong with ``value`` on this scale (``high`` overrides the top), in words; None if nothing.

        The entry fields and the shared validation both say it this way."""
        top = self.high if high is None else high
        unit = f" {self.unit}" if self.unit else ""
        if self.integer and value != int(value):
            return (
                f"{self.label} must be a whole number ({readable(self.low)}–{readable(top)}{unit}), "
                f"not {readable(value)}."
            )
        if not self.low <= value <= top:
            return f"{self.label} must be between {readable(self.low)} and {readable(top)}{unit}."
        return None


class Policy(StrEnum):
    """What de-identification does with a field (``disclosure.FIELD_POLICY`` applies it)."""

    KEEP = "kept"  # coded values, numbers, flags and internal ids: nothing identifying
    TEXT = "cleaned"  # free text: identifiers and calendar dates removed
    DATE = "through the clock"  # kept in the record, shown only as the patient's clock says
    IDENTIFIER = "left out"  # names, record numbers, dates of birth
    BIRTH_YEAR = "year of birth left out"  # the age at onset is shown instead
    AGE = "capped at 90"  # shown as "≥ 90" from 90 up
    RECORDS = "each record decided"  # nested records: each field decided by its own policy
    PIXELS = "left out of records"  # image bytes travel only through ``photo_allowed``


@dataclass(frozen=True)
class AxisLimits:
    """The top of a y axis is at least ``floor`` and at most ``cap``; the bottom is 0."""

    floor: float
    cap: float | None = None
    log: bool = False  # a log scale may be offered (values spanning decades, like CK)


@dataclass(frozen=True)
class Track:
    """A measure track of the timeline; measures on the same track share its y axis."""

    key: str
    label: str
    position: int  # tracks are drawn top to bottom in this order
    step: bool = False  # each value holds until the next one (a dose)
    unit: str | None = None  # None: the unit of its first measure


class Look(StrEnum):
    """How a measure's series is drawn: one of the house styles (``style.SERIES_LOOKS``). Measures
    sharing a track need looks that differ in marker and dash, so greyscale print tells them apart."""

    BLACK_CIRCLES = "black circles"
    BLACK_DIAMONDS = "black diamonds"
    PURPLE_CIRCLES = "purple circles"
    PURPLE_DOTTED_TRIANGLES = "purple dotted triangles"
    BLUE_DASHED_SQUARES = "blue dashed squares"
    VERMILLION_TRIANGLES = "vermillion triangles"
    ORANGE_THICK_LINE = "orange thick line"


class FormGroup(StrEnum):
    """The box of the assessment form a measure is typed in; the boxes come in this order."""

    SKIN = "skin"
    MUSCLE = "muscle"
    ENZYMES = "enzymes"
    GLOBAL = "global"
    TREATMENT = "treatment"

    @property
    def heading(self) -> str:
        return _GROUP_TEXT[self][0]

    @property
    def note(self) -> str:
        return _GROUP_TEXT[self][1]


_GROUP_TEXT: dict[FormGroup, tuple[str, str]] = {
    FormGroup.SKIN: ("Skin: CDASI v2", "Type the totals from the chart, or score the full grid."),
    FormGroup.MUSCLE: ("Muscle: MMT-8", "The response score needs the maximum that applies (80 or 150)."),
    FormGroup.ENZYMES: ("Muscle enzymes (with the lab's upper limit of normal)", ""),
    FormGroup.GLOBAL: ("Global activity and function", "Visual analogue scales 0–10 cm."),
    FormGroup.TREATMENT: ("Treatment and lungs", ""),
}


@dataclass(frozen=True)
class TableColumn:
    """A measure's column in the assessment table, headed by its short label. The cell shows the
    value, "/ maximum" when the measure has one, and its multiple of the upper limit of normal."""

    tip: str = ""  # the header's tooltip; empty: the label and the range
    severity: bool = False  # followed by a column of its severity band (CDASI activity)


@dataclass(frozen=True, kw_only=True)
class Measure(Scale):
    """One score or result of an assessment (its ``Scale`` plus where the app shows it)."""

    group: FormGroup
    short_label: str = ""  # table headers; empty: the label
    limits: AxisLimits | None = None  # of its y axis; None: 0 to the top of its scale
    track: Track | None = None  # None: not drawn on the timeline
    look: Look = Look.BLACK_CIRCLES
    column: TableColumn | None = None  # None: not in the assessment table
    uln: bool = False  # recorded with the lab's upper limit of normal, in ``field + ULN_SUFFIX``
    maximum: str | None = None  # the field holding the maximum that applies ("mmt8_max")
    policy: Policy = Policy.KEEP

    @property
    def short(self) -> str:
        return self.short_label or self.label

    @property
    def axis(self) -> AxisLimits:
        return self.limits or AxisLimits(0, self.high)

    @property
    def identifies(self) -> bool:
        """Whether the value itself points to a person (none of an assessment's measures do)."""
        return self.policy in (Policy.IDENTIFIER, Policy.BIRTH_YEAR)

    @property
    def companions(self) -> tuple[str, ...]:
        """The record's other fields that only make sense with this one."""
        uln = (self.field + ULN_SUFFIX,) if self.uln else ()
        return uln + ((self.maximum,) if self.maximum else ())


PREDNISONE_TRACK = Track("prednisone_mg", "Prednisone", 0, step=True)
ACTIVITY_TRACK = Track("cdasi_activity", "CDASI activity", 1)
DAMAGE_TRACK = Track("cdasi_damage", "CDASI damage", 2)
MMT8_TRACK = Track("mmt8_total", "MMT-8", 3)
CK_TRACK = Track("ck", "CK", 4)
GLOBAL_TRACK = Track("global", "Global activity", 5, unit="0–10")

_ENZYME_AXIS = AxisLimits(0, None, log=True)
_TEN = AxisLimits(10, 10)
_GLOBAL = "0 = no activity, 10 = extremely active (10 cm visual analogue scale)."

MEASURES: tuple[Measure, ...] = (
    Measure(
        "cdasi_activity", "CDASI activity", 0, 100, integer=True,
        help="CDASI v2 activity total, 0–100. ≤ 14 is usually called mild; what counts as a "
        "meaningful change is the rule chosen in the analysis settings (named in Help).",
        group=FormGroup.SKIN, short_label="CDASI act.", track=ACTIVITY_TRACK, look=Look.PURPLE_CIRCLES,
        limits=AxisLimits(30, 100),  # so the severe band (> 26) always shows
        column=TableColumn(severity=True),
    ),
    Measure(
        "cdasi_damage", "CDASI damage", 0, 32, integer=True,
        help="CDASI v2 damage total, 0–32 (poikiloderma, calcinosis, Gottron's damage).",
        group=FormGroup.SKIN, short_label="CDASI dam.", limits=AxisLimits(10, 32), track=DAMAGE_TRACK,
        look=Look.BLUE_DASHED_SQUARES, column=TableColumn(),
    ),
    Measure(
        "mmt8_total", "MMT-8 total", 0, 150, integer=True,
        help="Manual muscle testing of 8 groups, Kendall 0–10 each: 0–80 for one "
        "side, 0–150 for both sides (neck flexors once). Higher is stronger.",
        group=FormGroup.MUSCLE, short_label="MMT-8", limits=AxisLimits(80, 150), track=MMT8_TRACK,
        look=Look.BLACK_DIAMONDS, column=TableColumn("MMT-8 total / maximum"), maximum="mmt8_max",
    ),
    Measure(
        "ck", "CK", 0, 1_000_000, "U/L", help="Creatine kinase.",
        group=FormGroup.ENZYMES, limits=_ENZYME_AXIS, track=CK_TRACK, look=Look.VERMILLION_TRIANGLES,
        column=TableColumn("Creatine kinase, U/L (multiple of the upper limit of normal)"), uln=True,
    ),
    Measure("aldolase", "Aldolase", 0, 10_000, "U/L", group=FormGroup.ENZYMES, limits=_ENZYME_AXIS, uln=True),
    Measure("alt", "ALT", 0, 100_000, "U/L", group=FormGroup.ENZYMES, limits=_ENZYME_AXIS, uln=True),
    Measure("ast", "AST", 0, 100_000, "U/L", group=FormGroup.ENZYMES, limits=_ENZYME_AXIS, uln=True),
    Measure("ldh", "LDH", 0, 100_000, "U/L", group=FormGroup.ENZYMES, limits=_ENZYME_AXIS, uln=True),
    Measure(
        "physician_global", "Physician global activity", 0, 10, help=_GLOBAL,
        group=FormGroup.GLOBAL, short_label="MD global", limits=_TEN, track=GLOBAL_TRACK,
        column=TableColumn(),
    ),
    Measure(
        "patient_global", "Patient global activity", 0, 10, help=_GLOBAL,
        group=FormGroup.GLOBAL, short_label="Pt global", limits=_TEN, track=GLOBAL_TRACK,
        look=Look.BLUE_DASHED_SQUARES, column=TableColumn(),
    ),
    Measure(
        "extramuscular_global", "Extramuscular global activity", 0, 10,
        help="From the MDAAT: activity outside muscle. " + _GLOBAL,
        group=FormGroup.GLOBAL, short_label="Extramusc.", limits=_TEN, track=GLOBAL_TRACK,
        look=Look.PURPLE_DOTTED_TRIANGLES, column=TableColumn(),
    ),
    Measure(
        "haq", "HAQ-DI", 0, 3, decimals=3,
        help="Health Assessment Questionnaire disability index, 0 (no disability) to 3.",
        group=FormGroup.GLOBAL, limits=AxisLimits(3, 3), column=TableColumn(),
    ),
    Measure(
        "pruritus", "Pruritus NRS", 0, 10, help="Itch, numeric rating 0–10.",
        group=FormGroup.GLOBAL, limits=_TEN,
    ),
    Measure(
        "prednisone_mg", "Prednisone", 0, 2000, "mg/day", help="Daily prednisone-equivalent dose.",
        group=FormGroup.TREATMENT, short_label="Pred mg/d", limits=AxisLimits(10), track=PREDNISONE_TRACK,
        look=Look.ORANGE_THICK_LINE, column=TableColumn(),
    ),
    Measure(
        "fvc_pct", "FVC", 0, 200, "% predicted", help="Forced vital capacity, % predicted.",
        group=FormGroup.TREATMENT,
    ),
    Measure(
        "dlco_pct", "DLCO", 0, 200, "% predicted", help="Diffusing capacity, % predicted.",
        group=FormGroup.TREATMENT,
    ),
)  # fmt: skip


def by_field(measures: Iterable[Measure] = MEASURES) -> dict[str, Measure]:
    return {m.field: m for m in measures}


def in_group(group: FormGroup, measures: Iterable[Measure] = MEASURES) -> tuple[Measure, ...]:
    """The measures typed in one box of the form, in registry order."""
    return tuple(m for m in measures if m.group is group)


def axis_limits(measures: Iterable[Measure] = MEASURES) -> dict[str, AxisLimits]:
    return {m.field: m.axis for m in measures}


def by_track(measures: Iterable[Measure] = MEASURES) -> tuple[tuple[Track, tuple[Measure, ...]], ...]:
    """Each track with a measure on it, top to bottom, with its measures in registry order."""
    on_tracks = [m for m in measures if m.track is not None]
    order = sorted({m.track for m in on_tracks if m.track is not None}, key=lambda t: t.position)
    return tuple((t, tuple(m for m in on_tracks if m.track == t)) for t in order)


def tabled(measures: Iterable[Measure] = MEASURES) -> tuple[tuple[Measure, TableColumn], ...]:
    """The measures with a column in the assessment table, with it, in registry (and column) order."""
    return tuple((m, m.column) for m in measures if m.column is not None)
