"""The case-series analysis as a use case: settings from the database, results as JSON or as text."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from ..domain.analysis import (
    AnalysisSettings,
    Exclusion,
    OutcomeAnalysis,
    OutcomeRow,
    Visit,
    analyse,
    patient_outcome,
    summarise,
    with_tis,
)
from ..domain.analysis_json import settings_to_json
from ..domain.clock import Clock, DateMode, time_zero
from ..domain.cohort import CohortFacts, cohort_facts, onset_age_text, prior_text
from ..domain.disclosure import OLDEST_SHOWN_AGE, Disclosure
from ..domain.numbers import plural
from ..domain.outcome_table import CellKind, OutcomeTable, outcome_table
from ..domain.phases import prior_jak_courses
from ..domain.records import AdverseEvent, MedicationCourse, PatientRecord
from ..domain.scrub import RememberingScrubber
from ..store.bulk_reads import collector_paused
from ..store.casebook import Casebook

Progress = Callable[[int, int], object]  # (patients done, patients in all)
GAP = "  "  # between the columns of a text table
TEXT_WIDTH = 100  # the terminal text wraps at this width or the table's, whichever is wider
_Item = TypeVar("_Item", MedicationCourse, AdverseEvent)


@dataclass(frozen=True)
class SeriesStats:
    cutoff: date
    analysis: OutcomeAnalysis
    facts: CohortFacts
    disclosure: Disclosure  # how dates (and texts) of these results may be shown


def compute(
    records: Sequence[PatientRecord], settings: AnalysisSettings, cutoff: date, disclosure: Disclosure
) -> SeriesStats:
    """The analysis of ``records`` as given (already let out by ``disclosure``, for an export)."""
    return SeriesStats(
        cutoff, analyse(records, settings, cutoff), cohort_facts(records, settings, cutoff), disclosure
    )


def run(
    book: Casebook, settings: AnalysisSettings, *, identified: bool = True, progress: Progress | None = None
) -> SeriesStats:
    """The analysis of the whole series: as recorded (the window), or de-identified (an export):
    texts cleaned and every date shown as days from each patient's day 0. Reads only what the analysis
    uses (``Casebook.analysis_rows``), one patient at a time, then what the TIS reads of each analysed
    patient's baseline and follow-up (``Casebook.tis_visits``); ``progress`` after each patient."""
    cutoff = book.settings().cutoff_or(book.today())
    mode = DateMode.ACTUAL if identified else DateMode.INDEX_DAYS
    clocks: dict[int, Clock] = {}
    study_ids: dict[int, str] = {}
    # The rule ``Disclosure.of`` builds from full records, built here from the lean read: every patient's
    # identifiers, and each one's clock and study ID as the read reaches them.
    scrubber = RememberingScrubber(book.series_identifiers())
    disclosure = Disclosure(
        identified=identified, mode=mode, index_drug=settings.index_drug, cutoff=cutoff, scrubber=scrubber,
        clocks=clocks, study_ids=study_ids,
    )  # fmt: skip
    # Every object built from here on is kept to the end: a collection pass would only walk them. The records
    # and visits read go with ``_computed``'s frame, before the collector is back: it walks only the results.
    with collector_paused():
        return _computed(book, settings, disclosure, clocks, study_ids, progress)


def _computed(
    book: Casebook,
    settings: AnalysisSettings,
    disclosure: Disclosure,
    clocks: dict[int, Clock],
    study_ids: dict[int, str],
    progress: Progress | None,
) -> SeriesStats:
    """The results of ``run``: every patient's outcome with its TIS, summarised, and the cohort facts."""
    outcomes, kept, visits = _each_patient(book, settings, disclosure, clocks, study_ids, progress)
    return SeriesStats(
        disclosure.cutoff,
        summarise(_scored(book, outcomes, settings), settings),
        cohort_facts(kept, settings, disclosure.cutoff, visits),
        disclosure,
    )


def _each_patient(
    book: Casebook,
    settings: AnalysisSettings,
    disclosure: Disclosure,
    clocks: dict[int, Clock],
    study_ids: dict[int, str],
    progress: Progress | None,
) -> tuple[list[OutcomeRow | Exclusion], list[PatientRecord], dict[int | None, Sequence[Visit]]]:
    """Every patient's outcome (its TIS left for ``_scored``), record as shown, and visits where the cohort
    facts read them; each patient's clock and study ID added to the rule's as the read reaches them."""
    outcomes: list[OutcomeRow | Exclusion] = []
    kept: list[PatientRecord] = []
    visits: dict[int | None, Sequence[Visit]] = {}
    total = book.patient_count() if progress is not None else 0
    cutoff, mode = disclosure.cutoff, disclosure.mode
    for done, read in enumerate(book.analysis_rows(settings.measure, settings.index_drug), 1):
        record = read.record
        pid = record.patient.id or 0
        others = [read.first_dated] if read.first_dated else []
        clocks[pid] = Clock(mode, time_zero(record.courses, settings.index_drug, others, fallback=cutoff))
        study_ids[pid] = record.patient.study_id
        shown = _shown(record, disclosure)
        outcomes.append(patient_outcome(shown, read.visits, settings, cutoff, tis=False))
        kept.append(shown)
        if prior_jak_courses(shown.courses, settings.index_drug):  # what the phase changes read
            visits[pid] = read.visits
        if progress is not None:
            progress(done, total)
    return outcomes, kept, visits


def _scored(
    book: Casebook, outcomes: list[OutcomeRow | Exclusion], settings: AnalysisSettings
) -> list[OutcomeRow | Exclusion]:
    """The outcomes with the TIS of each row's baseline and follow-up, read by id all at once."""
    rows = [o for o in outcomes if isinstance(o, OutcomeRow)]
    read = book.tis_visits(i for r in rows for i in (r.baseline_id, r.followup_id) if i is not None)
    return [
        with_tis(o, read[o.baseline_id], read[o.followup_id], settings)
        if isinstance(o, OutcomeRow) and o.baseline_id is not None and o.followup_id is not None
        else o
        for o in outcomes
    ]


def _shown(record: PatientRecord, disclosure: Disclosure) -> PatientRecord:
    """What the results show of a lean record, let out by the rule: the patient (study ID, age at onset) as
    ``Disclosure.record`` lets a patient out, and the free texts read of the courses (drug names: phase labels)
    and adverse events (terms and suspected drugs: discontinuations) as ``Disclosure.texts`` lets those out. The
    other fields are read by the computation only, and the visits only for their dates and values, which the
    rule keeps as they are (``test_stats_scale`` checks the policies); dates leave through the clocks."""
    if disclosure.identified:
        return record
    return PatientRecord(
        disclosure.patient(record.patient),
        courses=tuple(disclosure.texts(c, "drug") for c in record.courses),
        adverse_events=tuple(disclosure.texts(e, "term", "suspected_drug") for e in record.adverse_events),
    )


def _num(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _when(clock: Clock, day: date | None) -> dict[str, Any]:
    """A date as days from day 0, and as a date only where dates may be shown."""
    return {
        "day": None if day is None else clock.day(day),
        "date": clock.moment(day).isoformat() if day is not None and clock.shows_dates else None,
    }


def _dated(prefix: str, clock: Clock, day: date | None) -> dict[str, Any]:
    when = _when(clock, day)
    return {f"{prefix}_day": when["day"], f"{prefix}_date": when["date"]}


def to_json(result: SeriesStats) -> dict[str, Any]:
    """One JSON object: cohort, outcome and one entry per analysed patient. Dates appear as
    ``…_day`` (days from the patient's day 0) and, unless only days may be shown, ``…_date``."""
    with collector_paused():  # its many small dicts are all kept: a collection meanwhile would only walk them
        return _json(result)


def _json(result: SeriesStats) -> dict[str, Any]:
    facts, analysis, disclosure = result.facts, result.analysis, result.disclosure
    summary, settings = analysis.summary, analysis.settings
    prior_range, age_range = facts.prior_immunosuppressants_range, facts.age_at_onset_range
    clock = disclosure.clock
    return {
        "data_cutoff": result.cutoff.isoformat() if disclosure.shows_real_dates else None,
        "dates": disclosure.mode.value,
        "identified": disclosure.identified,
        "settings": {"index_drug": settings.index_drug, **settings_to_json(settings)},
        "cohort": {
            "patients": facts.patients,
            "by_subtype": facts.by_subtype,
            "with_index_drug": facts.with_index_drug,
            "prior_immunosuppressants_mean": _num(facts.prior_immunosuppressants_mean),
            "prior_immunosuppressants_median": _num(facts.prior_immunosuppressants_median),
            "prior_immunosuppressants_range": list(prior_range) if prior_range else None,
            "prior_immunosuppressants_summary": settings.count_summary.value,
            "age_at_onset_median": _num(facts.age_at_onset_median, 1),
            "age_at_onset_range": list(age_range) if age_range else None,
            "ages_capped_at": None if disclosure.identified else OLDEST_SHOWN_AGE,
            "prior_jak_inhibitor": facts.prior_jak_inhibitor,
            "on_drug_at_cutoff": facts.on_drug_at_cutoff,
            "discontinued": [
                {
                    "patient": d.study_id, "reason": d.reason,
                    "stopped_day": clock(d.patient_id).day(d.stopped.earliest()),
                    "stopped_date": clock(d.patient_id).partial(d.stopped) if disclosure.shows_calendar else None,
                }
                for d in facts.discontinued
            ],
            "median_followup_days": _num(facts.median_followup_days, 1),
            "phase_changes": [
                {
                    "patient": c.study_id, "phase": c.phase,
                    **_dated("start", clock(c.patient_id), c.start_date), "start_value": c.start_value,
                    **_dated("end", clock(c.patient_id), c.end_date), "end_value": c.end_value,
                    "change": c.change,
                }
                for c in facts.phase_changes
            ],
        },
        "outcome": {
            "measure": settings.measure,
            "followup": settings.followup.value,
            "n": summary.n,
            "baseline_median": _num(summary.baseline_median),
            "baseline_iqr": list(summary.baseline_iqr) if summary.baseline_iqr else None,
            "followup_median": _num(summary.followup_median),
            "followup_iqr": list(summary.followup_iqr) if summary.followup_iqr else None,
            "median_change": _num(summary.median_change),
            "change_iqr": list(summary.change_iqr) if summary.change_iqr else None,
            "test": summary.test.name,
            "statistic": _num(summary.test.statistic, 4),
            "p_value": _num(summary.test.p_value, 6),
            "test_note": summary.test.note,
            "test_pairs": summary.test.pairs,
            "smallest_p": _num(summary.test.smallest_p, 6),
            "meaningful_change": summary.meaningful,
            "meaningful_rule": settings.change_rule.kind.value if summary.meaningful is not None else None,
            "meaningful_criteria": {c.value: n for c, n in summary.criteria.items()} if summary.criteria else None,
            "excluded": [{"patient": e.study_id, "reason": e.reason} for e in analysis.excluded],
        },
        "patients": [_patient_json(r, clock(r.patient_id), result.cutoff, disclosure.shows_calendar) for r in analysis.rows],
    }  # fmt: skip


def _patient_json(r: OutcomeRow, clock: Clock, cutoff: date, calendar: bool) -> dict[str, Any]:
    """One analysed patient's entry of ``to_json``, its dates on its own ``clock``."""
    return {
        "patient": r.study_id, "subtype": r.subtype.value,
        "index_start": clock.partial(r.index_start) if calendar else None,
        **_dated("baseline", clock, r.baseline_date), "baseline": r.baseline,
        **_dated("followup", clock, r.followup_date), "followup": r.followup,
        "cutoff_day": clock.day(cutoff),
        "change": r.change, "percent_change": r.percent_change, "meaningful_change": r.meaningful,
        "meaningful_criteria": [c.value for c in r.criteria],
        "tis_total": r.tis_total, "tis_category": r.tis_category, "tis_missing": list(r.tis_missing),
        "note": r.note,
    }  # fmt: skip


def cohort_items(result: SeriesStats) -> list[tuple[str, str]]:
    """The cohort facts as (label, value) pairs, worded once for the terminal and the analysis window."""
    facts, settings = result.facts, result.analysis.settings
    clock = result.disclosure.clock
    subtypes = ", ".join(f"{k} {v}" for k, v in facts.by_subtype.items())
    median_days = facts.median_followup_days
    items = [
        ("Patients", f"{facts.patients} ({subtypes})" if subtypes else str(facts.patients)),
        ("Age at onset", onset_age_text(facts, result.disclosure.age)),
        ("Prior immunosuppressants", prior_text(facts, settings.count_summary)),
        ("Prior JAK inhibitor", f"{facts.prior_jak_inhibitor} of {facts.with_index_drug}"),
        (f"On {settings.index_drug} at the cut-off", f"{facts.on_drug_at_cutoff} of {facts.with_index_drug}"),
        ("Median time on the drug", "–" if median_days is None else plural(round(median_days), "day")),
    ]
    return items + [
        ("Stopped", f"{d.study_id} ({clock(d.patient_id).partial(d.stopped)}): {d.reason}")
        for d in facts.discontinued
    ]


def _columns(items: Sequence[tuple[str, str]]) -> list[str]:
    return [f"  {label:<29} {value}" for label, value in items]


def _cell_lines(cells: Sequence[tuple[str, int, bool]]) -> list[str]:
    """One table row as lines: each (text, width, right-aligned) cell wrapped at its words to its width."""
    wrapped = [
        (textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""], width, right)
        for text, width, right in cells
    ]
    lines = []
    for n in range(max(len(parts) for parts, _, _ in wrapped)):
        pieces = [parts[n] if n < len(parts) else "" for parts, _, _ in wrapped]
        line = GAP.join(
            piece.rjust(width) if right else piece.ljust(width)
            for piece, (_, width, right) in zip(pieces, wrapped, strict=True)
        )
        lines.append(f"  {line}".rstrip())
    return lines


def _widths(spec: OutcomeTable) -> list[int]:
    """Each column as wide as its widest cell and its header's longest word; a summary cell's longest
    word widens the last column it spans if it does not fit."""
    widths = [
        max([len(word) for word in column.header.split()] + [len(row.cells[n]) for row in spec.rows])
        for n, column in enumerate(spec.columns)
    ]
    for first, last in spec.spans:
        longest = max((len(word) for word in spec.summary.cells[first].split()), default=0)
        room = sum(widths[first : last + 1]) + len(GAP) * (last - first)
        widths[last] += max(0, longest - room)
    return widths


def text_table(spec: OutcomeTable) -> list[str]:
    """Table 2 as plain-text columns: headers wrapped at their words, numbers to the right, a dashed rule
    under each column, and the summary row's cells wrapped inside the columns they span."""
    widths = _widths(spec)
    numeric = [column.kind is CellKind.NUMBER for column in spec.columns]
    rule = "  " + GAP.join("-" * width for width in widths)
    lines = [*_cell_lines(list(zip(spec.headers, widths, numeric, strict=True))), rule]
    for row in spec.rows:
        lines += _cell_lines(list(zip(row.cells, widths, numeric, strict=True)))
    summary = [
        (spec.summary.cells[first], sum(widths[first : last + 1]) + len(GAP) * (last - first), False)
        for first, last in spec.spans
    ]
    return [*lines, rule, *_cell_lines(summary)]


def as_text(result: SeriesStats) -> str:
    """The cohort facts and Table 2 as readable text for the terminal."""
    cutoff = f" {result.cutoff}" if result.disclosure.shows_real_dates else ""
    lines = [f"Cohort at the data cut-off{cutoff}", *_columns(cohort_items(result))]
    spec = outcome_table(result.analysis, result.disclosure.clock)
    table = text_table(spec)
    width = max(TEXT_WIDTH, *(len(line) for line in table))
    lines += ["", spec.title, *table, ""]
    lines += textwrap.wrap(spec.caption, width, initial_indent="  ", subsequent_indent="  ")
    lines += [f"  {note}" for note in spec.notes]
    return "\n".join(lines + (["", *_columns(spec.items)] if spec.items else []))
