"""What the report is made from: plain records and results, gathered by the export service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..domain.analysis import OutcomeAnalysis
from ..domain.clock import DateMode
from ..domain.cohort import CohortFacts
from ..domain.cohort_plots import SpaghettiSpec
from ..domain.cohort_swimmer import SwimmerSpec
from ..domain.disclosure import Disclosure
from ..domain.outcome_table import OutcomeTable
from ..domain.records import PatientRecord, SeriesSettings


@dataclass(frozen=True)
class ReportOptions:
    title: str = "Case series"
    authors: str = ""
    institution: str = ""
    identified: bool = False
    date_mode: DateMode = DateMode.INDEX_DAYS


@dataclass(frozen=True)
class ReportInput:
    """Everything the PDF shows, already as it may appear: records, analysis and figures are made
    from the records ``disclosure`` let out, and every date is shown through its clocks."""

    options: ReportOptions
    series: SeriesSettings
    records: tuple[PatientRecord, ...]
    analysis: OutcomeAnalysis
    facts: CohortFacts
    cutoff: date
    generated_on: date
    app_version: str
    disclosure: Disclosure
    photo_images: dict[int, bytes] = field(default_factory=dict)  # cleaned image bytes by photo id
    spaghetti: SpaghettiSpec | None = None  # cohort figures (they show days from day 0 only)
    swimmer: SwimmerSpec | None = None
    outcome: OutcomeTable | None = None  # Table 2 as laid out from the analysis (made from it when None)

    excluded_photos: int = 0  # identifiable photos left out of a de-identified report
