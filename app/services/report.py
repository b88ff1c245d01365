"""Exporting the case-series PDF: gather plain data from the database, de-identify, write atomically."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..domain.analysis import AnalysisSettings
from ..domain.clock import DateMode
from ..domain.cohort_plots import PatientData, SpaghettiSpec, build_spaghetti
from ..domain.cohort_swimmer import SwimmerSpec, build_swimmer
from ..domain.disclosure import Disclosure, free_text_fields
from ..domain.outcome_table import outcome_table
from ..domain.records import (
    AdverseEvent,
    Assessment,
    MedicationCourse,
    Patient,
    PatientRecord,
    SeriesSettings,
)
from ..domain.timeline import TimelineSpec, record_timeline
from ..domain.validation import Problem, ValidationError
from ..domain.vocab import Subtype
from ..report.model import ReportInput, ReportOptions
from ..store import cohort_reads
from ..store.bulk_reads import collector_paused
from ..store.casebook import Casebook
from . import stats
from .analysis_settings import load_settings
from .deid_check import pdf_texts
from .disclosure import disclosure_for, select_patients

if TYPE_CHECKING:
    from ..report.case_series import Progress

PREFERENCE_KEY = "report"
Step = Callable[[int, int], None]  # (patients done, patients in all): progress; it may raise to stop the work


def load_options(book: Casebook, **overrides: Any) -> ReportOptions:
    """Report settings stored with the series (title, authors, institution, date mode), with overrides.
    The title defaults to the series' name (Series settings), or names the index drug while the series is untitled."""
    stored = book.preference(PREFERENCE_KEY) or {}
    series = book.settings()
    untitled = not series.name.strip() or series.name == SeriesSettings().name
    options = ReportOptions(
        title=str(
            stored.get("title")
            or (
                f"{series.index_drug.capitalize()} in refractory inflammatory myositis: a case series"
                if untitled
                else series.name.strip()
            )
        ),
        authors=str(stored.get("authors", "")),
        institution=str(stored.get("institution", "")),
        date_mode=DateMode(stored["date_mode"])
        if stored.get("date_mode") in set(DateMode)
        else DateMode.INDEX_DAYS,
    )
    given = {k: v for k, v in overrides.items() if v is not None}
    return replace(options, **given) if given else options


def save_options(book: Casebook, options: ReportOptions) -> None:
    book.save_preference(
        PREFERENCE_KEY,
        {
            "title": options.title,
            "authors": options.authors,
            "institution": options.institution,
            "date_mode": options.date_mode.value,
        },
    )


def _photos_allowed(record: PatientRecord, disclosure: Disclosure) -> tuple[PatientRecord, int]:
    """Leave out the photos the disclosure keeps back (identifiable ones, unless cropped)."""
    kept = tuple(p for p in record.photos if disclosure.photo_allowed(p))
    ids = {p.id for p in kept}
    comparisons = tuple(
        replace(c, photo_ids=tuple(i for i in c.photo_ids if i in ids)) for c in record.comparisons
    )
    return replace(record, photos=kept, comparisons=comparisons), len(record.photos) - len(kept)


def group_label(subtypes: Sequence[Subtype]) -> str:
    """How the figures name the group: "DM + ADM patients", or "All patients"."""
    if set(subtypes) == set(Subtype):
        return "All patients"
    return " + ".join(s.value for s in subtypes) + " patients"


def cohort_specs(
    records: Sequence[PatientRecord], settings: AnalysisSettings, cutoff: date
) -> tuple[SpaghettiSpec, SwimmerSpec]:
    """The cohort figures of the group of ``records`` that ``settings.subtypes`` chooses (both figures
    follow it): they show days from each patient's index start only."""
    return _group_specs(
        [PatientData.of(r) for r in records if r.patient.subtype in settings.subtypes], settings, cutoff
    )


def _group_specs(
    group: Sequence[PatientData],
    settings: AnalysisSettings,
    cutoff: date,
    tick: Callable[[], object] | None = None,
) -> tuple[SpaghettiSpec, SwimmerSpec]:
    label = group_label(settings.subtypes)
    spaghetti = build_spaghetti(
        group, settings.measure, settings.index_drug, cutoff, group_label=label, severity=settings.severity,
        tick=tick,
    )  # fmt: skip
    return spaghetti, build_swimmer(group, settings.index_drug, cutoff, group_label=label, tick=tick)


def cohort_figures(
    book: Casebook, settings: AnalysisSettings, step: Step | None = None
) -> tuple[SpaghettiSpec, SwimmerSpec]:
    """The cohort figures as they may leave MyoCase (de-identified): what the window shows and exports.

    Reads only what the figures use (``Casebook.cohort_rows``: the group's patients, courses, adverse events
    and values of the measure) and lets its free texts out as the rule lets a full record's out, each distinct
    text cleaned once. ``step(done, total)`` reports the patients done (about a hundred times in all, and at
    the end); it may raise to stop the work."""
    cutoff = book.settings().cutoff_or(book.today())
    disclosure = disclosure_for(
        book, [], index_drug=settings.index_drug, identifiers=book.series_identifiers(), remember=True
    )
    shown = _LeanTexts(disclosure, settings.measure)
    with collector_paused():  # every object built is kept to the end: a collection pass would only walk them
        group = book.cohort_rows(settings.measure, settings.subtypes, cutoff)
        tick = None if step is None else _ticker(step, len(group), passes=3)  # let out, spaghetti, swimmer
        for at, data in enumerate(group):
            group[at] = shown.data(data)
            if tick is not None:
                tick()
        return _group_specs(group, settings, cutoff, tick)


def _ticker(step: Step, total: int, passes: int) -> Callable[[], None]:
    """A tick for each patient in each of ``passes`` passes over ``total`` patients: ``step(done, total)`` about
    a hundred times, and at the end, counting a patient done as each pass goes by."""
    ticks, every, last = count(1), max(1, total * passes // 100), total * passes

    def tick() -> None:
        n = next(ticks)
        if n % every == 0 or n == last:
            step(n // passes, total)

    return tick


class _LeanTexts:
    """The cohort read's lean records with their free texts as the rule lets them out (``Disclosure.texts``);
    the other fields read are kept or dates (the figures show dates as days from day 0), which the rule leaves
    as they are (``free_text_fields`` refuses a read that carries any other)."""

    def __init__(self, disclosure: Disclosure, measure: str) -> None:
        self.disclosure = disclosure
        self.patient = free_text_fields(Patient, cohort_reads.PATIENT_FIELDS)
        self.course = free_text_fields(MedicationCourse, cohort_reads.COURSE_FIELDS)
        self.event = free_text_fields(AdverseEvent, cohort_reads.EVENT_FIELDS)
        self.assessment = free_text_fields(Assessment, cohort_reads.assessment_fields(measure))

    def data(self, data: PatientData) -> PatientData:
        texts = self.disclosure.texts
        return PatientData(
            texts(data.patient, *self.patient),
            tuple(texts(c, *self.course) for c in data.courses),
            tuple(texts(a, *self.assessment) for a in data.assessments),
            tuple(texts(e, *self.event) for e in data.events),
        )


def exported_timeline(book: Casebook, patient_id: int, *, identified: bool = False) -> TimelineSpec:
    """One patient's timeline as an exported image may show it: de-identified (days from day 0,
    texts cleaned) unless ``identified`` (real dates, as on screen)."""
    read = book.patient_record(patient_id)  # with every patient's identifiers: none of them may show
    settings = load_settings(book)
    mode = DateMode.ACTUAL if identified else DateMode.INDEX_DAYS
    disclosure = disclosure_for(
        book, [read], identified=identified, mode=mode, index_drug=settings.index_drug,
        identifiers=book.series_identifiers(),
    )  # fmt: skip
    record, _ = _photos_allowed(disclosure.record(read), disclosure)
    series = replace(book.settings(), index_drug=settings.index_drug)
    return record_timeline(
        record, series, severity=settings.severity, today=book.today(), clock=disclosure.clock(patient_id),
        photo_choice="report_or_all",  # as the screen shows it
    )  # fmt: skip


def gather(book: Casebook, options: ReportOptions, study_ids: Sequence[str] | None = None) -> ReportInput:
    """Everything the report shows, read in a few short queries; the database is not touched again.

    Tables, analysis and figures are all made from the records the disclosure lets out (text
    cleaned, identifiers left out; dates kept for the arithmetic and shown only through each
    patient's clock), so nothing in the report can come from a record that was not cleaned.
    """
    everyone = book.patient_records()
    settings = load_settings(book)
    if options.identified:  # real names and numbers go with real dates
        options = replace(options, date_mode=DateMode.ACTUAL)
    elif options.date_mode is DateMode.ACTUAL:
        options = replace(options, date_mode=DateMode.INDEX_DAYS)
    series = book.settings()
    disclosure = disclosure_for(
        book, everyone, identified=options.identified, mode=options.date_mode, index_drug=settings.index_drug
    )
    typed = {"report title": options.title, "report authors": options.authors}
    typed |= {"report institution": options.institution, "series name": series.name}
    disclosure = replace(disclosure, typed=tuple(typed.items()) + disclosure.typed)
    options = replace(
        options,
        title=disclosure.text(options.title),
        authors=disclosure.text(options.authors),
        institution=disclosure.text(options.institution),
    )
    series = replace(series, name=disclosure.text(series.name))
    cutoff = series.cutoff_or(book.today())
    shown, excluded = select_patients(everyone, study_ids), 0
    del everyone  # each stored record goes as its cleaned copy takes its place: one copy of a long series
    for at, record in enumerate(shown):
        shown[at], left_out = _photos_allowed(disclosure.record(record), disclosure)
        excluded += left_out
    result = stats.compute(shown, settings, cutoff, disclosure)
    wanted = {i for r in shown for c in r.comparisons for i in c.photo_ids} | {
        p.id or 0 for r in shown for p in r.photos if p.in_report
    }
    images = {photo_id: book.photo_image(photo_id) for photo_id in sorted(wanted)}
    spaghetti, swimmer = cohort_specs(shown, settings, cutoff)
    return ReportInput(
        options=options, series=series, records=tuple(shown), analysis=result.analysis, facts=result.facts,
        cutoff=cutoff, generated_on=date.today(), app_version=__version__, disclosure=disclosure,
        photo_images=images, excluded_photos=excluded, spaghetti=spaghetti, swimmer=swimmer,
        outcome=outcome_table(result.analysis, disclosure.clock),
    )  # fmt: skip


class LeakFound(ValidationError):
    """The report's check of its own output found an identifier (or, days only, a date); nothing was written."""


def check_output(data: ReportInput) -> Callable[[Path], None] | None:
    """The check a de-identified report must pass before it is moved into place (none if identified)."""
    if data.options.identified:
        return None

    def check(path: Path) -> None:
        findings = [(where, hit) for where, text in pdf_texts(path) for hit in data.disclosure.leaks(text)]
        if findings:
            named = "; ".join(f"{where}: {data.disclosure.describe(hit)}" for where, hit in findings[:5])
            more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
            raise LeakFound(
                [
                    Problem(
                        "report",
                        "The de-identified report was not written: its check of the finished file found "
                        f"{named}{more}. Correct the field named, or export with identifiers.",
                    )
                ]
            )

    return check


def write(data: ReportInput, target: Path, progress: Progress | None = None) -> Path:
    """Write the PDF (atomically), refused if a de-identified one fails its own leak check."""
    from ..report.case_series import write_report  # reportlab loads with the first report, not at start

    return write_report(data, target, progress, check_output(data))


def summary(data: ReportInput, written: Path) -> dict[str, Any]:
    """What `myocase report --json` prints: the file, whether it names patients, and what it holds."""
    return {
        "report": str(written),
        "identified": data.options.identified,
        "dates": DateMode.ACTUAL.value if data.options.identified else data.options.date_mode.value,
        "patients": [record.patient.study_id for record in data.records],
        "photos_left_out": data.excluded_photos,
    }


def export(
    book: Casebook,
    target: Path,
    options: ReportOptions,
    study_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Path:
    return write(gather(book, options, study_ids), target, progress)
