"""The cohort figures' lean read: the group's patients with what the figures read of their full records, in a
fixed number of statements and without an ORM row or a full record."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from myocase.domain.dates import PartialDate
from myocase.domain.records import Assessment, Patient, PatientRecord
from myocase.domain.vocab import AeAction, DrugClass, StopReason, Subtype
from myocase.store import mapping
from myocase.store.casebook import Casebook
from myocase.store.tables import Base
from sqlalchemy import event

from tests.factories import make_assessment, make_course, make_event, make_patient
from tests.services.test_stats_scale import statements

CUTOFF = date(2023, 6, 30)
DM_ADM = (Subtype.DM, Subtype.ADM)


def _add(book: Casebook, study_id: str, subtype: Subtype) -> int:
    """A patient with a stopped and an ongoing course (notes, doses, month-precise dates), CK values (limits
    of normal differing), one after the cut-off, a visit without CK, and two adverse events with notes."""
    pid = book.save_patient(make_patient(study_id, subtype)).id
    assert pid is not None
    book.save(make_course(pid, "tofacitinib", "2019-05", stop=PartialDate.parse("2020-11"),
                          stop_reason=StopReason.INEFFICACY, notes="switched"))  # fmt: skip
    book.save(
        make_course(pid, "upadacitinib", "2021-03-04", dose=None, unit="", frequency="", notes="MRN in notes")
    )
    book.save(make_course(pid, "prednisone", "2019", drug_class=DrugClass.GLUCOCORTICOID, dose=7.5))
    for on, ck, uln in (
        ("2021-02-01", 900.0, 200.0),
        ("2021-06-01", 320.5, 250.0),
        ("2023-07-01", 180.0, 200.0),
    ):
        book.save(make_assessment(pid, on, ck=ck, ck_uln=uln, notes="seen in clinic"))
    book.save(make_assessment(pid, "2022-01-01"))
    book.save(make_event(pid, notes="admitted", action=AeAction.DISCONTINUED, suspected_drug="tofacitinib"))
    book.save(make_event(pid, "rash", 1, "2020-01-02", resolution=date(2020, 2, 1), serious=True))
    return pid


def _expected(record: PatientRecord, measure: str, companions: tuple[str, ...]) -> tuple[object, ...]:
    """What the lean read should hold of a full record: the patient's id, study ID and subtype, every course and
    adverse event without notes, and the assessments with a value of ``measure`` by the cut-off."""
    p = record.patient
    visits = tuple(
        Assessment(a.patient_id, a.assessed_on, id=a.id, **{n: getattr(a, n) for n in (measure, *companions)})
        for a in sorted(record.assessments, key=lambda a: (a.assessed_on, a.id or 0))
        if getattr(a, measure) is not None and a.assessed_on <= CUTOFF
    )
    return (
        Patient(p.study_id, p.subtype, id=p.id),
        tuple(replace(c, notes="", version=0) for c in record.courses),
        visits,
        tuple(replace(e, notes="", version=0) for e in record.adverse_events),
    )


def test_the_group_gets_what_its_full_records_hold_that_the_figures_read(book: Casebook) -> None:
    for n, subtype in enumerate((Subtype.PM, Subtype.ADM, Subtype.DM, Subtype.DM)):
        _add(book, f"C-{4 - n}", subtype)
    read = book.cohort_rows("ck", DM_ADM, CUTOFF)
    full = sorted(
        (r for r in book.patient_records() if r.patient.subtype in DM_ADM), key=lambda r: r.patient.id or 0
    )
    assert [d.patient.study_id for d in read] == ["C-3", "C-2", "C-1"]  # id order, the PM patient left out
    assert [(d.patient, d.courses, d.assessments, d.events) for d in read] == [
        _expected(r, "ck", ("ck_uln",)) for r in full
    ]
    assert [a.ck for a in read[0].assessments] == [
        900.0,
        320.5,
    ]  # no visit without CK, none after the cut-off


def test_every_subtype_reads_every_patient_and_a_measure_its_companions(book: Casebook) -> None:
    for n, subtype in enumerate(Subtype):
        pid = _add(book, f"S-{n}", subtype)
        book.save(make_assessment(pid, "2021-04-01", cdasi_activity=None, mmt8_total=120, mmt8_max=150))
    read = book.cohort_rows("mmt8_total", tuple(Subtype), CUTOFF)
    assert len(read) == len(Subtype)
    assert [(a.mmt8_total, a.mmt8_max, a.cdasi_activity) for d in read for a in d.assessments] == [
        (120, 150, None)
    ] * len(Subtype)


def test_the_read_takes_four_statements_for_two_patients_or_twelve(book: Casebook) -> None:
    counted = []
    for size in (2, 12):
        while len(book.patients()) < size:
            _add(book, f"N-{len(book.patients()):02}", Subtype.DM)
        with statements(book) as seen:
            assert len(book.cohort_rows("cdasi_activity", DM_ADM, CUTOFF)) == size
        counted.append(len([s for s in seen if s.lstrip().upper().startswith("SELECT")]))
    assert counted == [4, 4]  # patients, courses, adverse events, assessments


def test_no_orm_row_and_no_full_record_is_built(book: Casebook, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(book, "R-1", Subtype.DM)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a full record was read")

    for name in ("patient_record", "course_record", "assessment_record", "adverse_event_record"):
        monkeypatch.setattr(mapping, name, refused)
    loaded: list[type] = []

    def on_load(target: object, context: object) -> None:
        loaded.append(type(target))

    event.listen(Base, "load", on_load, propagate=True)
    try:
        read = book.cohort_rows("ck", DM_ADM, CUTOFF)
    finally:
        event.remove(Base, "load", on_load)
    assert len(read[0].courses) == 3
    assert loaded == []
