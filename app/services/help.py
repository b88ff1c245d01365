"""The in-app help (F1), written from the same rules the app applies so it cannot drift from them."""

from __future__ import annotations

import sys

from ..domain.analysis import AnalysisSettings, method_text
from ..domain.cdasi import CDASI_SITE_ITEMS
from ..domain.numbers import readable
from ..domain.records import ONSET_AGE_RULE
from ..domain.scales import SCALES
from ..domain.scores import (
    ADULT_CATEGORIES,
    JUVENILE_CATEGORIES,
    PERCENT_RULE_TEXT,
    TIS_MEASURES,
    Criterion,
)

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+N", "New patient"),
    ("Ctrl+E", "Edit the selected patient"),
    ("Ctrl+Shift+M", "New medication course"),
    ("Ctrl+Shift+A", "New assessment"),
    ("Ctrl+Shift+E", "New adverse event"),
    ("Ctrl+Shift+P", "Add photos to the selected patient"),
    ("Enter", "Edit the selected record"),
    ("Delete", "Delete the selected record (asks first; undo with Ctrl+Z)"),
    ("Ctrl+Z", "Undo the last saved change (from anywhere in the main window, the search box too)"),
    ("Ctrl+Shift+Z", "Redo"),
    *((("Ctrl+Y", "Redo"),) if sys.platform == "win32" else ()),
    ("Ctrl+F", "Find a patient"),
    (
        "F5",
        "Read the patient list again (after a cancelled read of a large series, or to see others' changes now)",
    ),
    ("Ctrl+S", "Save the open form"),
    ("Ctrl+Shift+S", "Case-series analysis"),
    ("Ctrl+Shift+C", "Cohort plots (spaghetti and swimmer)"),
    ("Ctrl+Shift+R", "Response criteria between two assessments"),
    ("Ctrl+0", "Reset the timeline's zoom"),
    ("Ctrl+Shift+T", "Larger timeline (again: the records get their height back)"),
    ("Ctrl+H", "The selected patient's history: every change, who made it and when"),
    ("Ctrl+,", "Series settings"),
    ("Ctrl+P", "Export the de-identified PDF report into the report folder"),
    ("Ctrl+O", "Open another database"),
    ("Esc", "Close the analysis, cohort, photo comparison or help window; in a form, Cancel"),
    ("Ctrl+W", "Close the analysis, cohort, photo comparison or help window"),
    ("Ctrl+Q", "Quit"),
    ("F1", "This help"),
)


def _tis_table() -> str:
    rows = ["| measure | band edges (% improvement) | points per band |", "|---|---|---|"]
    for measure in TIS_MEASURES:
        edges = ", ".join(readable(e) for e in measure.edges)
        points = " / ".join(readable(p) for p in measure.points)
        rows.append(f"| {measure.label} | {edges} | {points} |")
    return "\n".join(rows)


# Scales whose thresholds are settings: the help states the settings in force (below), not fixed numbers.
_FROM_SETTINGS = {
    "cdasi_activity": "CDASI v2 activity total, 0–100; its severity bands and meaningful change, as set for "
    "this series, are stated below."
}


def _scale_help(field: str) -> str:
    return _FROM_SETTINGS.get(field) or SCALES[field].help


def help_markdown(settings: AnalysisSettings | None = None) -> str:
    """The help page as Markdown, with the current analysis settings' numbers."""
    settings = settings or AnalysisSettings()
    adult = ", ".join(f"≥ {readable(t)} {name}" for t, name in reversed(ADULT_CATEGORIES))
    juvenile = ", ".join(f"≥ {readable(t)} {name}" for t, name in reversed(JUVENILE_CATEGORIES))
    items = ", ".join(f"{i.label.lower()} 0–{i.maximum}" for i in CDASI_SITE_ITEMS)
    scales = "\n".join(
        f"- **{s.label}** ({s.range_text}): {_scale_help(s.field)}" for s in SCALES.values() if s.help
    )
    shortcuts = "\n".join(f"| {keys} | {action} |" for keys, action in SHORTCUTS)
    band = settings.severity
    rule = settings.change_rule
    return f"""# MyoCase help

## Keyboard
| keys | action |
|---|---|
{shortcuts}

## Scores
{scales}

**CDASI v2 grid.** 15 sites, each with {items}; Gottron's papules on the hands (erythema 0–3,
doubled when papules are present; ulceration 0–1; damage 0–2); periungual 0–2; alopecia 0–1.
Activity 0–100, damage 0–32. Totals typed from a chart are recorded as "totals"; totals from
the grid as "grid".

**Severity** of CDASI activity: mild ≤ {band.mild_max}, moderate {band.mild_max + 1}–{band.moderate_max},
severe > {band.moderate_max}.
**Meaningful change** in CDASI activity. Two published criteria: the {rule.criterion_text(Criterion.POINTS)}
and the {rule.criterion_text(Criterion.PERCENT)}. MyoCase says which of them each change meets, and
counts a change as meaningful by the rule chosen in the case-series analysis: either criterion,
points only, {readable(rule.percent)} % only, or points up to a baseline of {readable(rule.percent_above)} and {readable(rule.percent)} % above.
In force now: {rule.description}

## Response criteria
**2016 ACR/EULAR Total Improvement Score.** {PERCENT_RULE_TEXT}

{_tis_table()}

Categories (adult): {adult}; juvenile DM: {juvenile}. When a core measure is missing at
baseline or follow-up, MyoCase names it and does not compute a total.

**IMACS definition of improvement (2004):** at least 3 of the 6 core measures improved by
≥ 20 % (relative to baseline), and no more than 2 worse by ≥ 25 %, MMT-8 not among the worse.
MMT-8 totals out of different maxima (80 at one visit, 150 at the other) are not compared: MMT-8
then counts as missing, for the IMACS definition as for the Total Improvement Score.

**Age at onset.** {ONSET_AGE_RULE}

## Case-series analysis
{method_text(settings)}

## Unverified facts: settings, with these defaults
The clinical reference marks these as not verified, so MyoCase keeps them configurable
(Analysis → Case-series analysis, then "Use these settings for reports and statistics"):
- CDASI activity bands above "mild" (moderate {band.mild_max + 1}–{band.moderate_max}, severe > {band.moderate_max});
- the meaningful-change rule ({rule.label}) and its numbers: {readable(rule.points)} points (the source gives
  4–5), {readable(rule.percent)} % from a baseline above {readable(rule.percent_above)};
- aldolase in the TIS: change ÷ (ULN × {readable(settings.aldolase_factor)}), treated like AST;
- Gottron's erythema without papules counts {"once (not doubled)" if settings.gottron_undoubled_counts else "not at all"} in the CDASI grid.


## De-identification
Everything that leaves MyoCase (the PDF report, exported photos and their file names,
`myocase stats`, timeline and cohort images) is de-identified unless you ask for identifiers,
by one rule:
- names, record numbers and dates of birth are left out, and removed from every free text
  (vignettes, notes, adverse-event terms, photo sites and captions, annotation labels,
  comparison names, series and report titles) in every common written form: any part of a
  name in any case, initials with or without dots, record numbers with or without prefix,
  dashes, spaces or leading zeros, dates of birth written with numbers or month names. Every
  patient's identifiers are removed from every text, since a note may mention a relative who
  is also a patient. Bare two-letter initials are not removed where they spell a clinical
  abbreviation (DM, CK…), and a name that is also a common word ("Rose") only where it is
  capitalised; dates typed in free text ("since 12 March 2021") are removed too;
- time is shown as days from each patient's day 0, the start of the index drug (or, without
  it, the first recorded treatment), so no calendar date appears; figures count in months.
  The alternative, shifted dates, moves all of a patient's dates and the data cut-off by one
  secret offset of 1–364 days (never 0) (the same in every export of this database);
- the year of birth is never shown, and ages of 90 or more are shown as "≥ 90";
- photos marked identifiable are left out unless cropped (only the crop leaves).

Before a de-identified report is moved into place, MyoCase reads it back and refuses to write
it if any identifier (or, in days mode, any calendar date) is found, naming the field it came
from. `myocase deid-check --db SERIES FILE…` runs the same check on any PDF, CSV, text file,
image or folder before you send it.

## Working on one series with others
Another window or user may save the same record while you have it open. Your save is then not
written: a dialog shows each field that differs, what is stored now (with who saved it and when)
beside what you typed. **Keep mine** saves what you typed over it; **Take theirs** closes the form
and keeps what is stored; **Back to the form** changes nothing. If the record was deleted meanwhile,
**Re-create it as new** stores what you typed as a new record. Deleting a record someone changed
since you looked shows the same comparison and asks again. Undo and redo put a record back only
while it is still as your own command left it; otherwise they say who changed it.
"""
