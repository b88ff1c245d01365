"""The demo case series matches the published series' shape, number for number."""

from __future__ import annotations

from datetime import date
from statistics import mean

import pytest
from myocase.domain.records import MedicationCourse
from myocase.domain.vocab import AeAction, Subtype
from myocase.services.demo import CUTOFF, DemoRefused, write_demo
from myocase.store.casebook import Casebook

from tests.factories import make_patient


@pytest.fixture
def demo(book: Casebook) -> Casebook:
    write_demo(book)
    return book


def _index_course(courses: list[MedicationCourse]) -> MedicationCourse:
    (upa,) = [c for c in courses if c.drug == "upadacitinib"]
    return upa


def test_ten_patients_five_dm_three_adm_two_asys(demo: Casebook) -> None:
    assert demo.counts().by_subtype == {"DM": 5, "ADM": 3, "ASyS": 2}
    assert demo.counts().patients == 10


def test_settings_say_synthetic_with_cutoff_and_index_drug(demo: Casebook) -> None:
    settings = demo.settings()
    assert settings.is_demo
    assert "SYNTHETIC" in settings.name
    assert settings.cutoff == date(2023, 6, 30) == CUTOFF
    assert settings.index_drug == "upadacitinib"
    assert all("Synthetic demonstration case" in p.vignette for p in demo.patients())


def test_mean_of_four_prior_immunosuppressants(demo: Casebook) -> None:
    priors = []
    for patient in demo.patients():
        courses = demo.courses(patient.id)
        start = _index_course(courses).start.earliest()
        drugs = {
            c.drug
            for c in courses
            if c.drug != "upadacitinib" and c.drug_class.is_immunosuppressant and c.start.earliest() < start
        }
        priors.append(len(drugs))
    assert mean(priors) == 4


def test_three_had_tofacitinib_before_upadacitinib(demo: Casebook) -> None:
    with_tofa = 0
    for patient in demo.patients():
        courses = demo.courses(patient.id)
        start = _index_course(courses).start.earliest()
        if any(c.drug == "tofacitinib" and c.start.earliest() < start for c in courses):
            with_tofa += 1
    assert with_tofa == 3


def test_upadacitinib_starts_and_retention_at_cutoff(demo: Casebook) -> None:
    starts, on_at_cutoff, stopped = [], 0, []
    for patient in demo.patients():
        upa = _index_course(demo.courses(patient.id))
        starts.append(upa.start.earliest())
        if upa.ongoing_at(CUTOFF):
            on_at_cutoff += 1
        else:
            stopped.append((patient, upa))
    assert min(starts) >= date(2020, 9, 1)
    assert max(starts) <= date(2023, 6, 30)
    assert on_at_cutoff == 9
    ((patient, upa),) = stopped
    (event,) = [e for e in demo.adverse_events(patient.id) if e.action is AeAction.DISCONTINUED]
    assert event.term == "acneiform eruption"
    assert event.grade == 3
    assert event.suspected_drug == "upadacitinib"
    assert upa.stop is not None
    assert event.onset <= upa.stop.earliest()


def test_assessments_show_falling_skin_activity_and_little_muscle_disease(demo: Casebook) -> None:
    for patient in demo.patients():
        assessments = demo.assessments(patient.id)
        assert len(assessments) >= 4
        assert all(
            a.mmt8_total is not None and a.mmt8_max and a.mmt8_total / a.mmt8_max >= 0.9 for a in assessments
        )
        if patient.subtype in (Subtype.DM, Subtype.ADM):
            upa = _index_course(demo.courses(patient.id))
            start = upa.start.earliest()
            before = [a for a in assessments if a.assessed_on <= start]
            on_drug = [a for a in assessments if a.assessed_on > start and upa.is_on(a.assessed_on)]
            assert before
            assert on_drug
            assert on_drug[-1].cdasi_activity < before[-1].cdasi_activity  # type: ignore[operator]


def test_demo_refuses_a_database_with_records(book: Casebook) -> None:
    book.save_patient(make_patient("REAL-01"))
    with pytest.raises(DemoRefused, match="already holds patients"):
        write_demo(book)
    assert [p.study_id for p in book.patients()] == ["REAL-01"]
    assert not book.settings().is_demo


def test_demo_photos_are_synthetic_annotated_and_compared(demo: Casebook) -> None:
    with_photos = {p.patient_id for p in demo.photos()}
    assert len(with_photos) >= 3
    first = demo.patient_by_study_id("DEMO-01")
    assert first is not None
    (comparison,) = demo.comparisons(first.id)
    assert comparison.name == "Before tofacitinib / after tofacitinib / after upadacitinib"
    photos = [demo.photo(i) for i in comparison.photo_ids]
    assert [p.taken_on for p in photos] == sorted(p.taken_on for p in photos if p.taken_on)
    courses = demo.courses(first.id)
    tofa = next(c for c in courses if c.drug == "tofacitinib")
    upa = next(c for c in courses if c.drug == "upadacitinib")
    before, after_tofa, after_upa = (p.taken_on for p in photos)
    assert before
    assert after_tofa
    assert after_upa
    assert before < tofa.start.earliest() <= after_tofa <= upa.start.earliest() < after_upa
    assert all(p.annotations for p in photos)
    assert all("synthetic" in p.caption.lower() and p.consent.value == "yes" for p in demo.photos())
