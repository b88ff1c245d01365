"""The one style table of every plot: colours, markers, dashes and fills, as renderer-neutral data.

Colours are the Okabe–Ito set (safe for colour-blind readers), chosen so that greyscale
print still separates what shares a track: every measure has its own marker shape and dash,
adverse events carry their grade number, phase bands and lanes carry their names.

Conventions a renderer follows:
- colours are ``#RRGGBB`` strings; ``alpha`` is the fill's opacity, 0–1;
- a dash is a tuple of on/off lengths in points, ``()`` for a solid line;
- widths and marker sizes are in points (1/72 inch; the screen may scale them);
- marker shapes are ``MARKERS``: circle ``o``, square ``s``, triangle ``t``, diamond ``d``,
  ``star`` and cross ``x``; a marker's ``text`` is drawn in or beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .measures import MEASURES, Look, Measure
from .palette import BLACK as BLACK
from .palette import BLUE as BLUE
from .palette import BLUISH_GREEN as BLUISH_GREEN
from .palette import ORANGE as ORANGE
from .palette import REDDISH_PURPLE as REDDISH_PURPLE
from .palette import SKY_BLUE as SKY_BLUE
from .palette import VERMILLION as VERMILLION
from .palette import WHITE as WHITE
from .palette import YELLOW as YELLOW
from .phases import PhaseKind
from .scores import Severity
from .vocab import DrugClass

MARKERS: tuple[str, ...] = ("o", "s", "t", "d", "star", "x")
SOLID: tuple[float, ...] = ()
DASHED: tuple[float, ...] = (6.0, 3.0)
DOTTED: tuple[float, ...] = (1.5, 2.0)


@dataclass(frozen=True)
class LineStyle:
    colour: str
    width: float = 1.5
    dash: tuple[float, ...] = SOLID


@dataclass(frozen=True)
class FillStyle:
    colour: str
    alpha: float = 1.0
    edge: str | None = None  # outline colour, None for no outline
    edge_dash: tuple[float, ...] = SOLID


@dataclass(frozen=True)
class MarkerStyle:
    shape: str
    colour: str  # fill
    size: float = 7.0
    edge: str = BLACK
    text: str = ""  # drawn in or beside the marker (an adverse event's grade)


@dataclass(frozen=True)
class SeriesStyle:
    line: LineStyle
    marker: MarkerStyle


PAPER = WHITE  # every figure is drawn on white, on screen as in print
INK = "#1A1A1A"  # a figure's text, axes and ticks
MUTED = "#555555"  # secondary marks: leader lines, an adverse event's line to its resolution
GRID = "#E3E3E3"  # the grid behind the data, at the x ticks
RULE = "#C8C8C8"  # the rules between drug classes
EMPTY_FRAME = "#D9D9D9"  # a thumbnail whose pixels are not at hand
SWATCH_EDGE = "#7F7F7F"

# Marks only the screen draws: its cohort figures and the photo editor.
COHORT_GRID = "#D4D4D4"  # the cohort figures' grid on screen (the PDF draws GRID)
BAND_LABEL_INK = "#444444"  # a severity band's name at the spaghetti plot's right edge
STRAND_LABEL_INK = "#3A3A3A"  # a patient's study ID at the end of their spaghetti strand
HOVERED_STRAND = "#303030"  # the strand under the mouse, drawn thicker in this grey

# The report's document around its figures: text, tables and the page's header and footer.
TEXT_MUTED = "#5A5A5A"  # subtitles, captions, small print, the page header and footer
PAGE_RULE = "#9A9A9A"  # the rules under the page header and over the footer; a table's total row
TABLE_HEADER_FILL = "#E8EEF2"
TABLE_STRIPE_FILL = "#F6F8FA"  # every other body row, the rows between on paper
ALERT = VERMILLION  # "CONTAINS IDENTIFIERS" on every page of an identified report
OK = BLUISH_GREEN  # "De-identified" on every page
LEAST_SWATCH_CONTRAST = 0.2  # a swatch this close to the paper (0–1, per channel) gets an outline


def on_paper(colour: str, alpha: float = 1.0, paper: str = PAPER) -> tuple[float, float, float]:
    """A fill's colour as it shows over the paper (0–1 per channel)."""
    fill = [int(colour[n : n + 2], 16) / 255 for n in (1, 3, 5)]
    under = [int(paper[n : n + 2], 16) / 255 for n in (1, 3, 5)]
    red, green, blue = (alpha * f + (1 - alpha) * u for f, u in zip(fill, under, strict=True))
    return red, green, blue


def visible_on_paper(colour: str, alpha: float = 1.0, paper: str = PAPER) -> bool:
    shown, under = on_paper(colour, alpha, paper), on_paper(paper)
    return max(abs(a - b) for a, b in zip(shown, under, strict=True)) >= LEAST_SWATCH_CONTRAST


def swatch_style(style: FillStyle) -> FillStyle:
    """A fill as its legend swatch shows it: itself, outlined in grey when it has no outline and is
    too pale to see on the paper (phase bands and severity bands are light on purpose)."""
    if style.edge is not None or visible_on_paper(style.colour, style.alpha):
        return style
    return FillStyle(style.colour, style.alpha, SWATCH_EDGE)


# ----------------------------------------------------------------- medication lanes and phases

# Drugs named here keep their colour wherever they appear (lane, phase band, swimmer bar).
DRUG_COLOURS: dict[str, str] = {"tofacitinib": SKY_BLUE, "upadacitinib": BLUISH_GREEN}
OTHER_JAK_COLOUR = BLUE

# Prior immunosuppressants in neutral greys; glucocorticoids share the prednisone line's orange.
CLASS_COLOURS: dict[DrugClass, str] = {
    DrugClass.JAK: OTHER_JAK_COLOUR,
    DrugClass.CONVENTIONAL: "#4D4D4D",
    DrugClass.BIOLOGIC: "#6E6E6E",
    DrugClass.IVIG: "#8C8C8C",
    DrugClass.GLUCOCORTICOID: ORANGE,
    DrugClass.ANTIMALARIAL: "#A8A8A8",
    DrugClass.TOPICAL: "#C4C4C4",
    DrugClass.OTHER: "#B0B0B0",
}

PHASE_ALPHA: dict[PhaseKind, float] = {
    PhaseKind.PRIOR: 0.16,
    PhaseKind.JAK: 0.20,
    PhaseKind.INDEX: 0.24,
    PhaseKind.AFTER: 0.16,
}
PRIOR_PHASE_COLOUR = "#999999"
AFTER_PHASE_COLOUR = "#D9D9D9"

FUZZY_ALPHA = 0.35  # the part of a bar where a month- or year-precise date may fall
ONGOING_ARROW = LineStyle(BLACK, 1.2)  # the arrow head at an open-ended bar's right end


def drug_colour(drug: str, drug_class: DrugClass) -> str:
    named = DRUG_COLOURS.get(drug.strip().casefold())
    return named if named is not None else CLASS_COLOURS[drug_class]


def lane_style(drug: str, drug_class: DrugClass) -> FillStyle:
    """A course's bar: solid, outlined; a dashed outline for unclassified drugs."""
    dash = DASHED if drug_class is DrugClass.OTHER else SOLID
    return FillStyle(drug_colour(drug, drug_class), 1.0, BLACK, dash)


def fuzzy_style(drug: str, drug_class: DrugClass) -> FillStyle:
    """The imprecise ends of a bar: the same colour, faint, with a dotted outline."""
    return FillStyle(drug_colour(drug, drug_class), FUZZY_ALPHA, BLACK, DOTTED)


def phase_style(kind: PhaseKind, drug: str | None = None) -> FillStyle:
    """A phase band across every track: light, so the tracks stay readable."""
    if kind is PhaseKind.PRIOR:
        colour = PRIOR_PHASE_COLOUR
    elif kind is PhaseKind.AFTER:
        return FillStyle(AFTER_PHASE_COLOUR, PHASE_ALPHA[kind], "#7F7F7F", DASHED)
    else:
        colour = drug_colour(drug or "", DrugClass.JAK)
    return FillStyle(colour, PHASE_ALPHA[kind])


# ----------------------------------------------------------------- adverse events

AE_COLOURS: dict[int, str] = {1: YELLOW, 2: ORANGE, 3: VERMILLION, 4: VERMILLION, 5: VERMILLION}


def ae_style(grade: int) -> MarkerStyle:
    """A triangle coloured by CTCAE grade, with the grade number so colour is never the only cue."""
    colour = AE_COLOURS.get(grade, VERMILLION if grade > 3 else YELLOW)
    return MarkerStyle("t", colour, 8.0 + min(max(grade, 1), 5), BLACK, str(grade))


# ----------------------------------------------------------------- measures

# Each measure names its look in the registry (``measures.Measure.look``).
SERIES_LOOKS: dict[Look, SeriesStyle] = {
    Look.BLACK_CIRCLES: SeriesStyle(LineStyle(BLACK), MarkerStyle("o", BLACK)),
    Look.BLACK_DIAMONDS: SeriesStyle(LineStyle(BLACK), MarkerStyle("d", BLACK)),
    Look.PURPLE_CIRCLES: SeriesStyle(LineStyle(REDDISH_PURPLE), MarkerStyle("o", REDDISH_PURPLE)),
    Look.PURPLE_DOTTED_TRIANGLES: SeriesStyle(
        LineStyle(REDDISH_PURPLE, 1.5, DOTTED), MarkerStyle("t", REDDISH_PURPLE)
    ),
    Look.BLUE_DASHED_SQUARES: SeriesStyle(LineStyle(BLUE, 1.5, DASHED), MarkerStyle("s", BLUE)),
    Look.VERMILLION_TRIANGLES: SeriesStyle(LineStyle(VERMILLION), MarkerStyle("t", VERMILLION)),
    Look.ORANGE_THICK_LINE: SeriesStyle(LineStyle(ORANGE, 2.0), MarkerStyle("o", ORANGE, 4.0)),
}
DEFAULT_MEASURE_STYLE = SERIES_LOOKS[Look.BLACK_CIRCLES]


def measure_styles(measures: Iterable[Measure] = MEASURES) -> dict[str, SeriesStyle]:
    return {m.field: SERIES_LOOKS[m.look] for m in measures}


MEASURE_STYLES: dict[str, SeriesStyle] = measure_styles()


def measure_style(key: str) -> SeriesStyle:
    return MEASURE_STYLES.get(key, DEFAULT_MEASURE_STYLE)


# Severity bands of CDASI activity: greys that darken with severity (labelled on the plot).
SEVERITY_STYLES: dict[Severity, FillStyle] = {
    Severity.MILD: FillStyle("#F2F2F2", 0.5),
    Severity.MODERATE: FillStyle("#D9D9D9", 0.5),
    Severity.SEVERE: FillStyle("#BFBFBF", 0.5),
}

ULN_LINE = LineStyle(BLACK, 1.0, (4.0, 3.0))
CUTOFF_LINE = LineStyle(BLACK, 1.0, DOTTED)
DAY_ZERO_LINE = LineStyle("#555555", 1.0, DASHED)

# ----------------------------------------------------------------- photos and cohort plots

PHOTO_MARKER = MarkerStyle("s", WHITE, 8.0, BLACK)  # a hollow square, like a camera frame
SPAGHETTI_LINE = SeriesStyle(LineStyle("#8C8C8C", 1.0), MarkerStyle("o", "#8C8C8C", 4.0, "#8C8C8C"))
MEDIAN_LINE = SeriesStyle(LineStyle(BLACK, 3.0), MarkerStyle("d", BLACK, 8.0))
DISCONTINUATION_MARKER = MarkerStyle("x", BLACK, 9.0, BLACK)

# The photo editor (screen only).
CROP_SHADE = FillStyle(BLACK, 150 / 255)  # the photo outside a crop, dimmed while the crop is edited
CROP_FRAME = WHITE  # the crop's frame, under a dashed line in CROP_DASH
CROP_DASH = BLACK
SELECTION_HALO = WHITE  # under a selected annotation's dashed frame in the highlight colour
