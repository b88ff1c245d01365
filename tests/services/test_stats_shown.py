"""The patient as the statistics show it (``Disclosure.patient``) is exactly what ``Disclosure.record`` lets out."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from myocase.domain.dates import PartialDate, Precision
from myocase.domain.disclosure import Disclosure
from myocase.domain.records import AntibodyResult, Identifiers, Patient, PatientRecord, Provenance
from myocase.domain.vocab import AntibodyStatus, Sex, Subtype
from myocase.services import stats

IDENTIFIERS = [
    Identifiers(1, "José O'Brien", "MRN-0012-3456", date(1961, 3, 12)),
    Identifiers(2, "Mei Lin", "SYN-0002", None),
    Identifiers(3, "Ann Marsh", "77881234", date(1990, 1, 5)),
]
TEXTS = st.sampled_from(
    (
        "",
        "SYN-0002",
        "P-07",
        "Jose OBrien",
        "MRN 0012 3456",
        "seen 12/03/1961",
        "Marsh",
        "marsh",
        "ZQ-1",
        "12 March 2021",
    )
)
patients = st.builds(
    Patient,
    study_id=TEXTS,
    subtype=st.sampled_from(list(Subtype)),
    sex=st.sampled_from(list(Sex)),
    birth_year=st.none() | st.integers(1900, 2010),
    age_at_onset=st.none() | st.integers(0, 110),
    diagnosis_date=st.none()
    | st.builds(
        PartialDate,
        st.dates(date(1950, 1, 1), date(2024, 1, 1)).map(lambda d: d.replace(day=1)),
        st.just(Precision.MONTH),
    ),
    antibodies=st.lists(
        st.builds(
            AntibodyResult,
            st.sampled_from(("anti-MDA5", "Marsh antibody")),
            st.sampled_from(list(AntibodyStatus)),
        ),
        max_size=2,
    ).map(tuple),
    vignette=TEXTS,
    id=st.integers(1, 3),
    provenance=st.none() | st.builds(Provenance, TEXTS, TEXTS, TEXTS),
)


def _rule(identified: bool) -> Disclosure:
    return Disclosure.of(
        [], identified=identified, index_drug="upadacitinib", cutoff=date(2024, 1, 1), identifiers=IDENTIFIERS
    )


@settings(max_examples=400, deadline=None)
@given(patients)
def test_the_patient_alone_is_let_out_as_in_the_whole_record(patient: Patient) -> None:
    for identified in (False, True):
        rule = _rule(identified)
        assert rule.patient(patient) == rule.record(PatientRecord(patient)).patient


@settings(max_examples=100, deadline=None)
@given(patients)
def test_a_lean_patient_is_let_out_by_the_rule_through_shown(patient: Patient) -> None:
    for identified in (False, True):
        rule = _rule(identified)
        shown = stats._shown(PatientRecord(patient), rule)
        assert shown.patient == rule.record(PatientRecord(patient)).patient


def test_what_the_rule_removes_is_removed() -> None:
    rule = _rule(identified=False)
    diagnosed = PartialDate(date(2024, 1, 1), Precision.DAY)
    old = Patient("SYN-0002", Subtype.DM, birth_year=1930, diagnosis_date=diagnosed, id=2)
    shown = rule.patient(old)
    assert (shown.study_id, shown.birth_year, shown.age_at_onset) == ("[removed]", None, 90)
