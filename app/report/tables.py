"""The report's tables: patient characteristics, Table 2 laid out from its spec, adverse events, CARE."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain

from reportlab.platypus import Flowable, Paragraph, Table

from ..domain.analysis import SUMMARY_DIGITS, OutcomeAnalysis
from ..domain.clock import Clock
from ..domain.cohort import CohortFacts, onset_age_text, prior_text
from ..domain.numbers import plural, spread
from ..domain.outcome_table import CellKind, outcome_table
from ..domain.phases import index_course, prior_immunosuppressants, prior_jak_courses
from ..domain.records import MedicationCourse, PatientRecord
from ..domain.stats import result_text
from .model import ReportInput
from .streaming import Row, StreamedTable
from .styles import RULE, Styles, TableCommand, fitted_widths, para, table_style, text


def unbroken(text: str) -> str:
    """A date or "day +150" kept on one line in a narrow column (no-break spaces)."""
    return text.replace(" (", "\u00a0(").replace("day ", "day\u00a0")


def _table(rows: list[list[Paragraph]], width: float) -> Table:
    """A short report table (a patient's treatments, the checklist) whose columns fit ``width``."""
    widths = fitted_widths(rows, width)
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(table_style())
    return table


def _long_table(
    header: Row,
    rows: Callable[[], Iterable[Row]],
    width: float,
    commands: Sequence[TableCommand] = (),
    measured: Callable[[], Iterable[Row]] | None = None,
) -> StreamedTable:
    """A report table of any length (a row per patient or event): its columns fit ``width`` (measured on
    the header and the ``measured`` rows, by default all), and its rows are made twice, once to measure
    and once page by page as they are laid out, never all at once."""
    widths = fitted_widths(chain([header], (measured or rows)()), width)
    return StreamedTable(header, rows(), widths, commands)


def _header(labels: Sequence[str], styles: Styles) -> list[Paragraph]:
    return [para(label, styles.cell_bold) for label in labels]


def patient_characteristics(data: ReportInput, styles: Styles, width: float) -> StreamedTable:
    """Table 1: one row per patient (a pooled series names each patient's centre: the code of the bundle
    they came in, "local" for the series' own patients; the bundle's file name and import time never appear)."""
    calendar = data.disclosure.shows_calendar
    labels = ["Patient", "Subtype", "Sex", "Age at onset", "Positive antibodies", "ILD",
              "Prior immunosuppressants", "Prior JAK inhibitor",
              "Index drug start" if calendar else "Days on drug", "At cut-off"]  # fmt: skip
    pooled = any(r.patient.provenance for r in data.records)
    if pooled:
        labels.insert(1, "Centre")

    def rows() -> Iterator[Row]:
        for record in data.records:
            row = _characteristics_row(data, record, styles, calendar)
            if pooled:
                centre = record.patient.provenance.centre if record.patient.provenance else "local"
                row.insert(1, para(centre, styles.cell))
            yield row

    return _long_table(_header(labels, styles), rows, width)


def _characteristics_row(data: ReportInput, record: PatientRecord, styles: Styles, calendar: bool) -> Row:
    index_drug = data.analysis.settings.index_drug
    dates = data.disclosure.clock(record.patient.id)
    patient = record.patient
    course = index_course(record.courses, index_drug)
    priors = prior_immunosuppressants(record.courses, index_drug)
    jaks = ", ".join(c.drug for c in prior_jak_courses(record.courses, index_drug)) or "none"
    status = "–"
    if course is not None:
        status = (
            "on drug"
            if course.ongoing_at(data.cutoff)
            else f"stopped ({course.stop_reason or 'reason not recorded'})"
        )
    return [para(v, styles.cell) for v in (
        patient.study_id, patient.subtype.value, patient.sex.label,
        data.disclosure.age(patient.onset_age),
        ", ".join(patient.positive_antibodies) or "none", patient.ild.label,
        f"{len(priors)}: {', '.join(priors)}" if priors else "0", jaks,
        _index_time(course, dates, data, calendar), status,
    )]  # fmt: skip


def _index_time(course: MedicationCourse | None, dates: Clock, data: ReportInput, calendar: bool) -> str:
    """The index drug's start as a date, or (days only) the days on it up to its stop or the cut-off."""
    if course is None:
        return "–"
    if calendar:
        return unbroken(dates.partial(course.start))
    end = min(course.stop.latest(), data.cutoff) if course.stop else data.cutoff
    return str(max(0, (end - course.start.earliest()).days))


def outcome_section(data: ReportInput, styles: Styles, width: float) -> list[Flowable]:
    """Table 2 laid out from its spec: the heading, the table with its summary row, the caption, the notes."""
    spec = data.outcome or outcome_table(data.analysis, data.disclosure.clock)

    def rows() -> Iterator[Row]:
        for row in spec.rows:
            cells = zip(spec.columns, row.cells, strict=True)
            yield [para(unbroken(v) if c.kind is CellKind.DATE else v, styles.cell) for c, v in cells]

    def with_summary() -> Iterator[Row]:
        yield from rows()
        yield [para(v, styles.cell_bold) for v in spec.summary.cells]

    header = _header(spec.headers, styles)
    spans: list[TableCommand] = [
        ("SPAN", (first, -1), (last, -1)) for first, last in spec.spans if last > first
    ]
    commands = [*spans, ("LINEABOVE", (0, -1), (-1, -1), 0.5, RULE)]
    table = _long_table(header, with_summary, width, commands, measured=rows)  # summary row: not measured
    return [
        para(f"Table 2. {spec.title}", styles.h2),
        table,
        para(spec.caption, styles.caption),
        *(para(note, styles.small) for note in spec.notes),
    ]


def adverse_events(data: ReportInput, styles: Styles, width: float) -> StreamedTable | Paragraph:
    labels = ["Patient", "Event", "Grade", "Onset", "Resolved", "Serious", "Suspected drug", "Action",
              "Outcome"]  # fmt: skip
    if not any(record.adverse_events for record in data.records):
        return para("No adverse events were recorded.", styles.body)

    def rows() -> Iterator[Row]:
        for record in data.records:
            dates = data.disclosure.clock(record.patient.id)
            for event in record.adverse_events:
                yield [para(v, styles.cell) for v in (
                    record.patient.study_id, event.term, event.grade, unbroken(dates.show(event.onset)),
                    unbroken(dates.show(event.resolution)), "yes" if event.serious else "no",
                    event.suspected_drug or "–", event.action.label, event.outcome.label,
                )]  # fmt: skip

    return _long_table(_header(labels, styles), rows, width)


def treatment_history(record: PatientRecord, dates: Clock, styles: Styles, width: float) -> Table:
    rows = [_header(["Drug", "Class", "Dose", "Start", "Stop", "Reason stopped"], styles)]
    for course in record.courses:
        rows.append(
            [para(v, styles.cell) for v in (
                course.drug, course.drug_class.label, course.dose_text or "–", unbroken(dates.partial(course.start)),
                unbroken(dates.partial(course.stop)) if course.stop else "ongoing",
                course.stop_reason.label if course.stop_reason else "–",
            )]
        )  # fmt: skip
    return _table(rows, width)


def care_checklist(data: ReportInput, styles: Styles, width: float) -> Table:
    """Where the report meets each CARE item, or that MyoCase does not capture it."""
    photos = [p for r in data.records for p in r.photos]
    consented = sum(1 for p in photos if p.consent.value == "yes")
    missing = "Not captured by MyoCase: add it in the manuscript."
    items = [
        ("Title", "Title page."),
        ("Keywords", missing),
        ("Abstract", "Summary (written from the data)."),
        ("Introduction", missing),
        ("Patient information", "Table 1 and the patient sections: de-identified demographics, subtype, antibodies, prior treatments, vignette."),
        ("Clinical findings", "Patient sections: assessments on the timeline; Table 2."),
        ("Timeline", "A timeline figure per patient; swimmer plot of the cohort."),
        ("Diagnostic assessment", "Table 1 (subtype, antibodies, ILD); vignettes."),
        ("Therapeutic intervention", "Treatment history per patient: drug, dose, dates, reason stopped."),
        ("Follow-up and outcomes", "Table 2 (outcomes and test), adverse-event table, spaghetti plot."),
        ("Discussion", missing),
        ("Patient perspective", missing),
        ("Informed consent", f"Consent for publication recorded for {consented} of {len(photos)} photos; consent for the report itself is not captured."),
    ]  # fmt: skip
    rows = [_header(["CARE item", "Where it is met"], styles)]
    rows += [[para(item, styles.cell_bold), para(where, styles.cell)] for item, where in items]
    return _table(rows, width)


def summary_text(data: ReportInput) -> str:
    """The summary paragraph, written from the data (returned as escaped markup)."""
    facts: CohortFacts = data.facts
    analysis = data.analysis
    settings = analysis.settings
    drug = settings.index_drug
    subtypes = ", ".join(f"{n} {s}" for s, n in facts.by_subtype.items())
    parts = [
        f"{'This synthetic demonstration' if data.series.is_demo else 'This'} case series describes "
        f"{plural(facts.patients, 'patient')} ({subtypes}), {facts.with_index_drug} of whom received {drug}.",
    ]
    if facts.age_at_onset_median is not None:
        parts.append(f"Age at onset: {onset_age_text(facts, data.disclosure.age)} years.")
    if facts.prior_immunosuppressants:
        parts.append(
            f"Before {drug}, patients had received a {prior_text(facts, settings.count_summary, ' of ')} "
            f"immunosuppressants; {facts.prior_jak_inhibitor} had received another JAK inhibitor."
        )
    parts += _outcome_sentences(analysis)
    when = f" ({data.cutoff.isoformat()})" if data.disclosure.shows_real_dates else ""
    parts.append(
        f"At the data cut-off{when}, {facts.on_drug_at_cutoff} of {facts.with_index_drug} were still on {drug}."
    )
    if facts.discontinued:
        reasons = "; ".join(f"{d.study_id}, {d.reason[:1].lower()}{d.reason[1:]}" for d in facts.discontinued)
        parts.append(f"{len(facts.discontinued)} stopped: {reasons}.")
    if analysis.excluded:
        parts.append(
            f"{plural(len(analysis.excluded), 'patient')} {'was' if len(analysis.excluded) == 1 else 'were'} "
            "not in the outcome analysis (see the notes under Table 2)."
        )
    return text(" ".join(parts))


def _outcome_sentences(analysis: OutcomeAnalysis) -> list[str]:
    settings, summary = analysis.settings, analysis.summary
    group = " and ".join(s.value for s in settings.subtypes)
    if not summary.n:
        return [f"No {group} patient had both a baseline and a follow-up {settings.measure_label}."]
    parts = [
        f"In the {plural(summary.n, group + ' patient')} with a baseline and a follow-up "
        f"({settings.followup.label}), {settings.measure_label} went from a median of "
        f"{spread(summary.baseline_median, summary.baseline_iqr, SUMMARY_DIGITS, 'IQR')} to "
        f"{spread(summary.followup_median, summary.followup_iqr, SUMMARY_DIGITS, 'IQR')}; median change "
        f"{spread(summary.median_change, summary.change_iqr, SUMMARY_DIGITS, 'IQR')}.",
        result_text(summary.test) + ".",
    ]
    if summary.meaningful is not None:
        parts.append(
            f"{summary.meaningful} of {summary.n} reached a meaningful improvement ({settings.change_rule.label})."
        )
    return parts
