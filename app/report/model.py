"""What the report is made from: plain records and results, gathered by the export service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from app.domain.analysis import OutcomeAnalysis
from app.domain.cohort import CohortFacts
from app.domain.cohort_plots import SpaghettiSpec
from app.domain.cohort_swimmer import SwimmerSpec
from app.domain.dates import PartialDate, Precision
from app.domain.phases import index_course
from app.domain.records import PatientRecord, SeriesSettings


class DateMode(StrEnum):
    SHIFTED = "shifted"  # each patient's dates moved by one secret offset (de-identified)
    INDEX_DAYS = "index_days"  # days from the start of the index drug
    ACTUAL = "actual"  # real dates: identified reports only

    @property
    def label(self) -> str:
        return {
            "shifted": "dates shifted by a fixed random offset per patient",
            "index_days": "days from the start of the index drug",
            "actual": "actual dates",
        }[self.value]


@dataclass(frozen=True)
class ReportOptions:
    title: str = "Case series"
    authors: str = ""
    institution: str = ""
    identified: bool = False
    date_mode: DateMode = DateMode.SHIFTED


@dataclass(frozen=True)
class ReportInput:
    """Everything the PDF shows. Records are as they may appear (de-identified unless identified)."""

    options: ReportOptions
    series: SeriesSettings
    records: tuple[PatientRecord, ...]
    analysis: OutcomeAnalysis
    facts: CohortFacts
    cutoff: date
    generated_on: date
    app_version: str
    date_offsets: dict[int, int] = field(default_factory=dict)  # days each patient's dates were shifted
    photo_images: dict[int, bytes] = field(default_factory=dict)  # cleaned image bytes by photo id
    spaghetti: SpaghettiSpec | None = None  # cohort figures, built from the real dates (they show days only)
    swimmer: SwimmerSpec | None = None

    excluded_photos: int = 0  # identifiable photos left out of a de-identified report


class DatePresenter:
    """Shows one patient's dates as the chosen mode asks: as dates, or as days from the index start."""

    def __init__(self, record: PatientRecord, mode: DateMode, index_drug: str) -> None:
        self.mode = mode
        course = index_course(record.courses, index_drug)
        self.day0 = course.start.earliest() if course else None

    def __call__(self, value: date | None) -> str:
        if value is None:
            return "–"
        if self.mode is DateMode.INDEX_DAYS:
            if self.day0 is None:
                return "–"
            days = (value - self.day0).days
            return f"day {days:+d}" if days else "day 0"
        return value.isoformat()

    def partial(self, value: PartialDate | None) -> str:
        """A partial date, keeping its precision in date modes."""
        if value is None:
            return "–"
        if self.mode is DateMode.INDEX_DAYS:
            text = self(value.earliest())
            return text if value.precision is Precision.DAY else f"{text} ({value.precision.value})"
        return str(value)
