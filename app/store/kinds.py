"""How each kind of patient-owned record (course, assessment, adverse event) is stored and checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from ..domain.records import AdverseEvent, Assessment, MedicationCourse
from ..domain.validation import Problem, validate_adverse_event, validate_assessment, validate_course
from . import mapping
from .tables import AdverseEventRow, AssessmentRow, CourseRow

R = TypeVar("R", bound=MedicationCourse | Assessment | AdverseEvent)


@dataclass(frozen=True)
class RecordKind:
    """Its audit name, ORM row, conversions both ways (a row's column values from a record, for an ORM row
    (``mapping.fill_row``) or a bulk insert), validation and listing order."""

    entity: str
    row: type[Any]
    to_record: Callable[[Any], Any]
    values: Callable[[Any], dict[str, Any]]
    validate: Callable[[Any, date], list[Problem]]
    order_by: str


KINDS: dict[type, RecordKind] = {
    MedicationCourse: RecordKind(
        "medication_course", CourseRow, mapping.course_record, mapping.course_values, validate_course,
        "start_date",
    ),
    Assessment: RecordKind(
        "assessment", AssessmentRow, mapping.assessment_record, mapping.assessment_values,
        validate_assessment, "assessed_on",
    ),
    AdverseEvent: RecordKind(
        "adverse_event", AdverseEventRow, mapping.adverse_event_record, mapping.adverse_event_values,
        validate_adverse_event, "onset_date",
    ),
}  # fmt: skip
