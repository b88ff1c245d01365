"""Figures of the report, drawn as vector graphics from the domain's timeline and cohort specs."""

from __future__ import annotations

from reportlab.platypus import Flowable

from app.domain.records import PatientRecord
from app.report.model import ReportInput
from app.report.styles import Styles


def cohort_figures(data: ReportInput, styles: Styles, width: float) -> list[Flowable]:
    return []  # FIXME(issue 4/6): spaghetti and swimmer plots once the cohort specs exist


def patient_timeline(
    data: ReportInput, record: PatientRecord, styles: Styles, width: float
) -> list[Flowable]:
    return []  # FIXME(issue 4/6): the timeline drawing once the timeline spec exists
