"""The report's tables: patient characteristics, outcomes with the summary row, adverse events, CARE."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Paragraph, Table

from ..domain.analysis import SUMMARY_DIGITS, OutcomeAnalysis, meaningful_text
from ..domain.clock import Clock
from ..domain.cohort import CohortFacts, onset_age_text, prior_text
from ..domain.numbers import plural, shown, spread
from ..domain.phases import index_course, prior_immunosuppressants, prior_jak_courses
from ..domain.records import MedicationCourse, PatientRecord
from ..domain.scores import Criterion
from ..domain.stats import result_text
from .model import ReportInput
from .styles import RULE, Styles, fitted_widths, para, table_style, text

fmt = shown


def unbroken(text: str) -> str:
    """A date or "day +150" kept on one line in a narrow column (no-break spaces)."""
    return text.replace(" (", "\u00a0(").replace("day ", "day\u00a0")


def _table(rows: list[list[Paragraph]], width: float, fit_rows: int | None = None) -> Table:
    """A report table whose columns fit ``width`` (measured on the first ``fit_rows`` rows)."""
    widths = fitted_widths(rows[:fit_rows], width)
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(table_style())
    return table


def _header(labels: Sequence[str], styles: Styles) -> list[Paragraph]:
    return [para(label, styles.cell_bold) for label in labels]


def patient_characteristics(data: ReportInput, styles: Styles, width: float) -> Table:
    """Table 1: one row per patient."""
    index_drug = data.analysis.settings.index_drug
    calendar = data.disclosure.shows_calendar
    rows = [
        _header(
            ["Patient", "Subtype", "Sex", "Age at onset", "Positive antibodies", "ILD",
             "Prior immunosuppressants", "Prior JAK inhibitor",
             "Index drug start" if calendar else "Days on drug", "At cut-off"],
            styles,
        )
    ]  # fmt: skip
    for record in data.records:
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
        rows.append(
            [para(v, styles.cell) for v in (
                patient.study_id, patient.subtype.value, patient.sex.label,
                data.disclosure.age(patient.onset_age),
                ", ".join(patient.positive_antibodies) or "none", patient.ild.label,
                f"{len(priors)}: {', '.join(priors)}" if priors else "0", jaks,
                _index_time(course, dates, data, calendar), status,
            )]
        )  # fmt: skip
    return _table(rows, width)


def _index_time(course: MedicationCourse | None, dates: Clock, data: ReportInput, calendar: bool) -> str:
    """The index drug's start as a date, or (days only) the days on it up to its stop or the cut-off."""
    if course is None:
        return "–"
    if calendar:
        return unbroken(dates.partial(course.start))
    end = min(course.stop.latest(), data.cutoff) if course.stop else data.cutoff
    return str(max(0, (end - course.start.earliest()).days))


def outcomes(data: ReportInput, styles: Styles, width: float) -> Table:
    """Table 2: baseline against follow-up per patient, then the summary row."""
    analysis: OutcomeAnalysis = data.analysis
    records = {r.patient.id: r for r in data.records}
    rows = [
        _header(
            ["Patient", "Subtype", "Baseline visit", "Baseline", "Follow-up visit", "Follow-up", "Change",
             "Change %", "Meaningful change", "TIS", "TIS response"],
            styles,
        )
    ]  # fmt: skip
    for row in analysis.rows:
        shown = data.disclosure.clock(records[row.patient_id].patient.id)
        meaningful = meaningful_text(row, analysis.settings.change_rule)
        tis = (fmt(row.tis_total), row.tis_category) if row.tis_category else ("–", "not computable")
        rows.append(
            [para(v, styles.cell) for v in (
                row.study_id, row.subtype.value, unbroken(shown.show(row.baseline_date)), fmt(row.baseline, 2),
                unbroken(shown.show(row.followup_date)), fmt(row.followup, 2), fmt(row.change, 2), fmt(row.percent_change),
                meaningful, *tis,
            )]
        )  # fmt: skip
    summary = analysis.summary
    rows.append(
        [para(v, styles.cell_bold) for v in (
            f"Median (IQR), {plural(summary.n, 'patient')}", "",
            spread(summary.baseline_median, summary.baseline_iqr, SUMMARY_DIGITS), "",
            spread(summary.followup_median, summary.followup_iqr, SUMMARY_DIGITS), "",
            spread(summary.median_change, summary.change_iqr, SUMMARY_DIGITS), "",
            "–" if summary.meaningful is None else f"{summary.meaningful} of {summary.n}", "", "",
        )]
    )  # fmt: skip
    table = _table(rows, width, fit_rows=-1)
    spans = [
        ((0, -1), (1, -1)),
        ((2, -1), (3, -1)),
        ((4, -1), (5, -1)),
        ((6, -1), (7, -1)),
        ((9, -1), (10, -1)),
    ]
    table.setStyle([("SPAN", a, b) for a, b in spans] + [("LINEABOVE", (0, -1), (-1, -1), 0.5, RULE)])
    return table


def test_line(analysis: OutcomeAnalysis) -> str:
    """The paired test's result in words, under Table 2, and what the meaningful-change column says."""
    line = result_text(analysis.summary.test) + "."
    if analysis.summary.meaningful is None:
        return line
    rule = analysis.settings.change_rule
    criteria = " ".join(f"{c.value.capitalize()}: {rule.criterion_detail(c)}." for c in Criterion)
    return (
        f"{line} Meaningful change by the rule “{rule.label}”; in brackets, the published criteria each "
        f"improvement meets. {criteria}"
    )


def adverse_events(data: ReportInput, styles: Styles, width: float) -> Table | Paragraph:
    rows = [
        _header(
            [
                "Patient",
                "Event",
                "Grade",
                "Onset",
                "Resolved",
                "Serious",
                "Suspected drug",
                "Action",
                "Outcome",
            ],
            styles,
        )
    ]
    for record in data.records:
        dates = data.disclosure.clock(record.patient.id)
        for event in record.adverse_events:
            rows.append(
                [para(v, styles.cell) for v in (
                    record.patient.study_id, event.term, event.grade, unbroken(dates.show(event.onset)), unbroken(dates.show(event.resolution)),
                    "yes" if event.serious else "no", event.suspected_drug or "–", event.action.label,
                    event.outcome.label,
                )]
            )  # fmt: skip
    if len(rows) == 1:
        return para("No adverse events were recorded.", styles.body)
    return _table(rows, width)


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
