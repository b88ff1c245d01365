"""Treatment phases, prior immunosuppressants and prior JAK inhibitors from a patient's courses."""

from __future__ import annotations

from datetime import date

import pytest
from myocase.domain.clock import time_zero
from myocase.domain.dates import PartialDate
from myocase.domain.phases import (
    ListedCourse,
    PhaseKind,
    analysed_courses,
    drugs_ever,
    drugs_on,
    index_course,
    index_status,
    prior_immunosuppressants,
    prior_jak_courses,
    treatment_phases,
)
from myocase.domain.records import MedicationCourse
from myocase.domain.vocab import DrugClass, StopReason

from tests.factories import make_course

CUTOFF = date(2023, 6, 30)


def _stopped(drug: str, start: str, stop: str, drug_class: DrugClass = DrugClass.CONVENTIONAL):  # type: ignore[no-untyped-def]
    return make_course(
        1, drug, start, drug_class=drug_class, stop=PartialDate.parse(stop), stop_reason=StopReason.INEFFICACY
    )


SWITCHER = [
    _stopped("hydroxychloroquine", "2017", "2018", DrugClass.ANTIMALARIAL),
    _stopped("methotrexate", "2017-06", "2019-02"),
    make_course(1, "prednisone", "2016-05-01", drug_class=DrugClass.GLUCOCORTICOID),
    _stopped("tofacitinib", "2019-06-03", "2020-09-20", DrugClass.JAK),  # overlaps the switch by a week
    make_course(1, "upadacitinib", "2020-09-14"),
]


def test_phases_of_a_tofacitinib_to_upadacitinib_switch() -> None:
    phases = treatment_phases(SWITCHER, "upadacitinib", CUTOFF)
    assert [(p.kind, p.label, p.start, p.end) for p in phases] == [
        (PhaseKind.PRIOR, "Prior immunosuppressants", date(2017, 1, 1), date(2019, 6, 3)),
        (PhaseKind.JAK, "tofacitinib", date(2019, 6, 3), date(2020, 9, 14)),  # clipped at the switch
        (PhaseKind.INDEX, "upadacitinib", date(2020, 9, 14), None),
    ]


def test_index_drug_stopped_before_cutoff_adds_an_after_phase() -> None:
    courses = [
        _stopped("methotrexate", "2018", "2019"),
        _stopped("upadacitinib", "2021-08-09", "2022-02-20", DrugClass.JAK),
    ]
    phases = treatment_phases(courses, "Upadacitinib", CUTOFF)
    assert [(p.kind, p.start, p.end) for p in phases] == [
        (PhaseKind.PRIOR, date(2018, 1, 1), date(2021, 8, 9)),
        (PhaseKind.INDEX, date(2021, 8, 9), date(2022, 2, 20)),
        (PhaseKind.AFTER, date(2022, 2, 20), CUTOFF),
    ]
    assert phases[1].contains(date(2022, 2, 20))
    assert not phases[1].contains(date(2022, 2, 21))


def test_stop_after_the_cutoff_is_ongoing_at_the_cutoff() -> None:
    courses = [_stopped("upadacitinib", "2021-01", "2023-09", DrugClass.JAK)]
    (phase,) = treatment_phases(courses, "upadacitinib", CUTOFF)
    assert phase.end is None
    assert phase.end_or(CUTOFF) == CUTOFF


def test_no_index_drug_means_no_phases() -> None:
    assert treatment_phases([_stopped("methotrexate", "2018", "2019")], "upadacitinib", CUTOFF) == ()


def test_prior_immunosuppressants_counts_distinct_systemic_drugs_before_the_index() -> None:
    courses = [
        *SWITCHER,
        _stopped("methotrexate", "2019-05", "2019-08"),
        make_course(1, "rituximab", "2021-01", drug_class=DrugClass.BIOLOGIC),
    ]
    assert prior_immunosuppressants(courses, "upadacitinib") == (
        "hydroxychloroquine",
        "methotrexate",
        "tofacitinib",
    )
    assert [c.drug for c in prior_jak_courses(courses, "upadacitinib")] == ["tofacitinib"]
    course = index_course(courses, "UPADACITINIB")
    assert course is not None
    assert course.start == PartialDate.parse("2020-09-14")


def test_status_with_the_index_drug_and_drugs_taken_at_the_cut_off() -> None:
    from datetime import date

    from myocase.domain.dates import PartialDate
    from myocase.domain.phases import drugs_ever, drugs_on, index_status
    from myocase.domain.records import IndexStatus
    from myocase.domain.vocab import DrugClass

    from tests.factories import make_course

    mtx = make_course(1, "methotrexate", "2019-01-01", drug_class=DrugClass.CONVENTIONAL)
    tofa = make_course(1, "tofacitinib", "2020-01-01", stop=PartialDate.parse("2021-02"))
    upa = make_course(1, "upadacitinib", "2021-03-01")
    cutoff = date(2023, 6, 30)
    assert drugs_on([mtx, tofa, upa], cutoff) == ("upadacitinib", "methotrexate")  # the JAK inhibitor first
    assert drugs_ever([upa, mtx, tofa]) == ("methotrexate", "tofacitinib", "upadacitinib")
    assert index_status([mtx, tofa, upa], "upadacitinib", cutoff) is IndexStatus.ON
    assert index_status([mtx, tofa], "tofacitinib", cutoff) is IndexStatus.STOPPED
    assert index_status([mtx], "upadacitinib", cutoff) is IndexStatus.NEVER
    assert index_status([upa], "upadacitinib", date(2021, 1, 1)) is IndexStatus.NEVER  # not started by then


def _listed(course: MedicationCourse) -> ListedCourse:
    return ListedCourse(
        course.drug, course.drug_class, course.start, course.stop.latest() if course.stop else None
    )


# Courses with every kind of start and stop the list judges: partial stops (a month, a year) that end in the
# month of the day judged, a stop on that very day, a start that day, ties of start and class kept in order.
LISTED = [
    _stopped("methotrexate", "2019-01-01", "2023-06"),  # to the end of June: on at 30 June
    _stopped("azathioprine", "2018", "2023"),  # to the end of 2023
    _stopped("IVIG", "2019-01-01", "2023-06-29", DrugClass.IVIG),  # the day before
    _stopped("tofacitinib", "2020-01", "2023-06-30", DrugClass.JAK),  # that very day
    make_course(1, "upadacitinib", "2023-06-30"),  # starts that day
    make_course(1, "Upadacitinib ", "2023-07-01"),  # the index drug again, not started by then
    make_course(1, "prednisone", "2019-01-01", drug_class=DrugClass.GLUCOCORTICOID),  # the same start as MTX
    make_course(1, "hydroxychloroquine", "2019-01", drug_class=DrugClass.ANTIMALARIAL),
]


@pytest.mark.parametrize("day", [date(2023, 6, 29), date(2023, 6, 30), date(2023, 7, 1), date(2024, 1, 1)])
@pytest.mark.parametrize("index_drug", ["upadacitinib", "tofacitinib", "IVIG", "rituximab"])
def test_the_list_judges_lean_courses_as_it_judges_the_courses(day: date, index_drug: str) -> None:
    for courses in (LISTED, LISTED[::-1], LISTED[2:5]):
        lean = [_listed(c) for c in courses]
        assert [c.is_on(day) for c in lean] == [c.is_on(day) for c in courses]
        assert drugs_on(lean, day) == drugs_on(courses, day)
        assert drugs_ever(lean) == drugs_ever(courses)
        assert index_status(lean, index_drug, day) is index_status(courses, index_drug, day)
    assert drugs_on(LISTED, date(2023, 6, 30)) == (
        "tofacitinib", "upadacitinib", "azathioprine", "methotrexate", "prednisone", "hydroxychloroquine",
    )  # fmt: skip  # JAK inhibitors first, then by start (a day before its month), ties in their order


@pytest.mark.parametrize("index_drug", ["upadacitinib", "tofacitinib", "methotrexate", "rituximab"])
def test_the_analysed_courses_give_what_every_course_gives(index_drug: str) -> None:
    for courses in (SWITCHER, LISTED, LISTED[::-1], LISTED[5:], []):
        kept = analysed_courses(courses, index_drug)
        assert set(kept) <= set(courses)
        assert [c for c in courses if c in kept] == list(kept)  # in their order
        index = index_course(courses, index_drug)
        assert index_course(kept, index_drug) is index
        assert len(prior_immunosuppressants(kept, index_drug)) == len(
            prior_immunosuppressants(courses, index_drug)
        )
        if index is not None:  # without an index course nothing but day 0 is read of them
            assert prior_jak_courses(kept, index_drug, index) == prior_jak_courses(courses, index_drug)
            assert treatment_phases(kept, index_drug, CUTOFF) == treatment_phases(courses, index_drug, CUTOFF)
        zero = time_zero(courses, index_drug, fallback=CUTOFF)
        assert time_zero(kept, index_drug, fallback=CUTOFF) == zero
    assert [c.drug for c in analysed_courses(SWITCHER, "upadacitinib")] == [
        "hydroxychloroquine", "methotrexate", "tofacitinib", "upadacitinib",
    ]  # fmt: skip  # not prednisone (a glucocorticoid)
    assert [c.drug for c in analysed_courses(LISTED, "rituximab")] == ["azathioprine"]  # the first: day 0
