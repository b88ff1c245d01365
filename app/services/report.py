"""Exporting the case-series PDF: gather plain data from the database, de-identify, write atomically."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app import __version__
from app.domain.analysis import AnalysisSettings, OutcomeAnalysis
from app.domain.cohort_plots import PatientData, SpaghettiSpec, build_spaghetti
from app.domain.cohort_swimmer import SwimmerSpec, build_swimmer
from app.domain.deidentify import date_offset, deidentify
from app.domain.records import PatientRecord
from app.domain.validation import Problem, ValidationError
from app.domain.vocab import Subtype
from app.report.case_series import Progress, write_report
from app.report.model import DateMode, ReportInput, ReportOptions
from app.services import stats
from app.store.casebook import Casebook

PREFERENCE_KEY = "report"
SECRET_KEY = "deidentification_secret"


def load_options(book: Casebook, **overrides: Any) -> ReportOptions:
    """Report settings stored with the series (title, authors, institution, date mode), with overrides."""
    stored = book.preference(PREFERENCE_KEY) or {}
    series = book.settings()
    options = ReportOptions(
        title=str(
            stored.get("title")
            or f"{series.index_drug.capitalize()} in refractory inflammatory myositis: a case series"
        ),
        authors=str(stored.get("authors", "")),
        institution=str(stored.get("institution", "")),
        date_mode=DateMode(stored["date_mode"])
        if stored.get("date_mode") in set(DateMode)
        else DateMode.SHIFTED,
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


def deidentification_secret(book: Casebook) -> str:
    """The per-database secret behind the date shifts: created once, so shifts stay the same between exports."""
    secret = book.preference(SECRET_KEY)
    if not secret:
        secret = secrets.token_hex(16)
        book.save_preference(SECRET_KEY, secret)
    return str(secret)


def _select(records: list[PatientRecord], study_ids: Sequence[str] | None) -> list[PatientRecord]:
    if not study_ids:
        return records
    by_id = {r.patient.study_id.casefold(): r for r in records}
    missing = [s for s in study_ids if s.casefold() not in by_id]
    if missing:
        raise ValidationError(
            [Problem("patients", f"No patient with study ID {', '.join(missing)} in this series.")]
        )
    return [by_id[s.casefold()] for s in study_ids]


def _shift_analysis(analysis: OutcomeAnalysis, offsets: dict[int, int]) -> OutcomeAnalysis:
    rows = tuple(
        replace(
            row,
            baseline_date=row.baseline_date + timedelta(days=offsets.get(row.patient_id, 0)),
            followup_date=row.followup_date + timedelta(days=offsets.get(row.patient_id, 0)),
        )
        for row in analysis.rows
    )
    return replace(analysis, rows=rows)


def _photos_allowed(record: PatientRecord, identified: bool) -> tuple[PatientRecord, int]:
    """Leave out identifiable photos (unless cropped) from a de-identified report."""
    if identified:
        return record, 0
    kept = tuple(p for p in record.photos if not p.identifiable or p.crop is not None)
    comparisons = tuple(
        replace(c, photo_ids=tuple(i for i in c.photo_ids if i in {p.id for p in kept}))
        for c in record.comparisons
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
    """The cohort figures from the real dates: they show days from the index start only."""
    group = [PatientData.of(r) for r in records if r.patient.subtype in settings.subtypes]
    spaghetti = build_spaghetti(
        group, settings.measure, settings.index_drug, cutoff,
        group_label=group_label(settings.subtypes), severity=settings.severity,
    )  # fmt: skip

    return spaghetti, build_swimmer([PatientData.of(r) for r in records], settings.index_drug, cutoff)


def gather(book: Casebook, options: ReportOptions, study_ids: Sequence[str] | None = None) -> ReportInput:
    """Everything the report shows, read in a few short queries; the database is not touched again."""
    records = _select(book.patient_records(), study_ids)
    series = book.settings()
    cutoff = series.cutoff_or(book.today())
    result = stats.compute(records, stats.load_settings(book), cutoff)
    if options.identified:
        options = replace(
            options,
            date_mode=DateMode.INDEX_DAYS if options.date_mode is DateMode.INDEX_DAYS else DateMode.ACTUAL,
        )
        shown, offsets, analysis = records, {}, result.analysis
    else:
        if options.date_mode is DateMode.ACTUAL:
            options = replace(options, date_mode=DateMode.SHIFTED)
        secret = deidentification_secret(book)
        offsets = {r.patient.id or 0: date_offset(secret, r.patient.id or 0) for r in records}
        shown = [deidentify(r, secret) for r in records]
        analysis = _shift_analysis(result.analysis, offsets)
    excluded = 0
    allowed = []
    for record in shown:
        record, left_out = _photos_allowed(record, options.identified)
        allowed.append(record)
        excluded += left_out
    wanted = {i for r in allowed for c in r.comparisons for i in c.photo_ids} | {
        p.id or 0 for r in allowed for p in r.photos if p.in_report
    }
    images = {photo_id: book.photo_image(photo_id) for photo_id in sorted(wanted)}
    spaghetti, swimmer = cohort_specs(records, result.analysis.settings, cutoff)
    return ReportInput(
        options=options, series=series, records=tuple(allowed), analysis=analysis, facts=result.facts,
        cutoff=cutoff, generated_on=date.today(), app_version=__version__, date_offsets=offsets,
        photo_images=images, excluded_photos=excluded, spaghetti=spaghetti, swimmer=swimmer,
    )  # fmt: skip


def export(
    book: Casebook,
    target: Path,
    options: ReportOptions,
    study_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Path:
    return write_report(gather(book, options, study_ids), target, progress)
