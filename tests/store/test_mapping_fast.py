"""Rows and records both ways, as ``add_many`` and the reads use them: each kind's row values at once, and an
assessment read from its row set straight (no ``__init__``) yet the very record its ``__init__`` makes."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from myocase.domain.cdasi import CdasiGrid, Mmt8Scores
from myocase.domain.dates import PartialDate, Precision
from myocase.domain.records import AdverseEvent, Assessment, MedicationCourse
from myocase.domain.vocab import AeAction, DrugClass, StopReason
from myocase.store import mapping
from myocase.store.tables import AdverseEventRow, AssessmentRow, CourseRow

NUMBER = st.none() | st.integers(-1000, 1000) | st.floats(allow_nan=False)
_MEASURED = [
    f.name for f in fields(Assessment) if f.type in ("int | None", "float | None") and f.name != "id"
]
ASSESSMENTS = st.builds(
    Assessment,
    patient_id=st.integers(0, 9),
    assessed_on=st.dates(),
    notes=st.text(max_size=5),
    cdasi_grid=st.none() | st.just(CdasiGrid()),
    mmt8_groups=st.none() | st.just(Mmt8Scores()) | st.just(Mmt8Scores(left=(None,) * 7)),
    version=st.integers(0, 3),
    **{name: NUMBER for name in _MEASURED},
)


def test_an_assessment_has_what_setting_its_fields_straight_needs() -> None:
    assert not hasattr(Assessment, "__post_init__")
    assert not hasattr(Assessment, "__slots__")
    assert all(f.init for f in fields(Assessment))
    assert tuple(f.name for f in fields(Assessment)) == mapping._ASSESSMENT_FIELDS
    assert len(_MEASURED) == 22  # every score, result and limit is drawn


@settings(max_examples=200, deadline=None)
@given(ASSESSMENTS, st.integers(1, 10**6))
def test_an_assessment_read_from_its_row_is_the_record_its_init_makes(
    assessment: Assessment, new_id: int
) -> None:
    row = SimpleNamespace(**mapping.assessment_values(assessment), id=new_id, version=assessment.version)
    read = mapping.assessment_record(row)
    made = Assessment(**{f.name: getattr(read, f.name) for f in fields(Assessment)})
    assert read == made == replace(assessment, id=new_id, version=assessment.version or 1)
    assert list(vars(read).items()) == list(vars(made).items())  # the same fields, in the same order
    assert (repr(read), hash(read)) == (repr(made), hash(made))


@given(ASSESSMENTS)
def test_an_assessment_row_of_the_orm_holds_the_values_at_once(assessment: Assessment) -> None:
    row = AssessmentRow()
    mapping.fill_row(row, mapping.assessment_values(assessment))
    row.id, row.version = 5, 1
    assert mapping.assessment_record(row) == replace(assessment, id=5, version=1)


def _columns(row_type: type) -> set[str]:
    return {c.key for c in row_type.__table__.c} - {"id", "version"}  # type: ignore[attr-defined]


def test_each_kinds_row_values_fill_every_column_but_the_id_and_version() -> None:
    course = MedicationCourse(
        3,
        " prednisone ",
        DrugClass.GLUCOCORTICOID,
        PartialDate(date(2020, 1, 1), Precision.YEAR),
        stop=PartialDate(date(2021, 5, 1), Precision.MONTH),
        stop_reason=StopReason.INEFFICACY,
        dose=10,
        unit="mg",
    )
    event = AdverseEvent(
        3, " zoster ", 2, date(2021, 6, 1), action=AeAction.INTERRUPTED, suspected_drug=" upa "
    )
    assessment = Assessment(3, date(2021, 3, 1), cdasi_grid=CdasiGrid(), mmt8_groups=Mmt8Scores())
    assert set(mapping.course_values(course)) == _columns(CourseRow)
    assert set(mapping.adverse_event_values(event)) == _columns(AdverseEventRow)
    assert set(mapping.assessment_values(assessment)) == _columns(AssessmentRow)
    course_row, event_row = CourseRow(id=8, version=1), AdverseEventRow(id=9, version=1)
    mapping.fill_row(course_row, mapping.course_values(course))
    mapping.fill_row(event_row, mapping.adverse_event_values(event))
    assert mapping.course_record(course_row) == replace(course, drug="prednisone", id=8, version=1)
    assert mapping.adverse_event_record(event_row) == replace(
        event, term="zoster", suspected_drug="upa", id=9, version=1
    )
