"""`stats.run` on varied series gives byte for byte what the full records gave: what the results show let out
field by field by the rule, the phase changes read from the lean visits, and the TIS read by id afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from myocase.domain.dates import PartialDate, Precision
from myocase.domain.disclosure import FIELD_POLICY
from myocase.domain.measures import Policy
from myocase.domain.records import AdverseEvent, Assessment, Identifiers, MedicationCourse, Patient
from myocase.domain.vocab import AeAction, DrugClass, StopReason, Subtype
from myocase.services import analysis_settings, stats
from myocase.store.casebook import Casebook

from tests.services.test_stats_scale import SETTINGS_TRIED, full_records_path, outputs

SURNAMES = ("Quortlebury", "Zebedee", "Marsh")
# Drug names as typed: the index drug spelled twice, other JAK inhibitors, other treatment, and a patient's name.
DRUGS = (
    ("upadacitinib", DrugClass.JAK),
    ("Upadacitinib ", DrugClass.JAK),
    ("tofacitinib", DrugClass.JAK),
    ("baricitinib", DrugClass.JAK),
    ("methotrexate", DrugClass.CONVENTIONAL),
    ("prednisone", DrugClass.GLUCOCORTICOID),
    ("Quortlebury mix", DrugClass.OTHER),
    ("Marsh JAK", DrugClass.JAK),
)
FIRST = date(2019, 1, 1)

days = st.integers(0, 1000).map(lambda n: FIRST + timedelta(days=n))
partial_dates = st.builds(
    lambda day, precision: PartialDate(day, precision), days, st.sampled_from(list(Precision))
)
courses = st.tuples(st.sampled_from(DRUGS), partial_dates, st.none() | st.integers(1, 600), st.sampled_from(list(StopReason)))  # fmt: skip
assessments = st.tuples(days, st.integers(0, 100), st.none() | st.integers(20, 150), st.none() | st.floats(20, 5000).map(lambda v: round(v, 1)))  # fmt: skip
events = st.tuples(st.sampled_from(("rash", "rash Quortlebury noticed", "zoster", "Marsh said nausea")), days, st.sampled_from(("upadacitinib", "Upadacitinib", "methotrexate", "")), st.sampled_from(list(AeAction)))  # fmt: skip
patients = st.fixed_dictionaries(
    {
        "study_id": st.sampled_from(("P", "Marsh", "ZQ")),
        "subtype": st.sampled_from(list(Subtype)),
        "birth_year": st.none() | st.integers(1920, 2000),
        "age_at_onset": st.none() | st.integers(10, 97),
        "diagnosed": st.none() | partial_dates,
        "name": st.sampled_from(SURNAMES).map(lambda s: f"Ann {s}"),
        "courses": st.lists(courses, max_size=4),
        "assessments": st.lists(assessments, max_size=6),
        "events": st.lists(events, max_size=2),
    }
)


NUMBERS = count()  # study IDs and record numbers never used before in the module's series


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Casebook]:
    """One series file for every example (each example's patients are deleted after it)."""
    book = Casebook.open(tmp_path_factory.mktemp("lean") / "series.sqlite", today=lambda: date(2024, 1, 15))
    yield book
    book.close()


def _write(book: Casebook, drawn: dict) -> int:  # type: ignore[type-arg]
    n = next(NUMBERS)
    patient = book.save_patient(
        Patient(
            f"{drawn['study_id']}-{n:02}", drawn["subtype"], birth_year=drawn["birth_year"],
            age_at_onset=drawn["age_at_onset"], diagnosis_date=drawn["diagnosed"],
        ),
        Identifiers(0, full_name=drawn["name"], mrn=f"MR{n:05}"),
    )  # fmt: skip
    pid = patient.id
    assert pid is not None
    for (drug, kind), start, length, reason in drawn["courses"]:
        stop = None if length is None else PartialDate(start.latest() + timedelta(days=length), Precision.DAY)
        book.save(MedicationCourse(pid, drug, kind, start, stop, reason if stop else None))
    for day, cdasi, mmt8, ck in drawn["assessments"]:
        book.save(
            Assessment(
                pid,
                day,
                cdasi_activity=cdasi,
                mmt8_total=mmt8,
                mmt8_max=None if mmt8 is None else 150,
                ck=ck,
                ck_uln=None if ck is None else 200.0,
            )
        )
    for term, onset, drug, action in drawn["events"]:
        book.save(AdverseEvent(pid, term, 2, onset, suspected_drug=drug, action=action))
    return pid


@pytest.mark.sqlite_only("the series is a file")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(patients, min_size=1, max_size=6), st.sampled_from(SETTINGS_TRIED), st.booleans())
def test_varied_series_give_what_the_full_records_gave(
    series: Casebook,
    drawn: list,  # type: ignore[type-arg]
    overrides: dict,  # type: ignore[type-arg]
    identified: bool,
) -> None:
    written = [_write(series, patient) for patient in drawn]
    try:
        chosen = analysis_settings.load_settings(series, **overrides)
        assert outputs(stats.run(series, chosen, identified=identified)) == outputs(
            full_records_path(series, chosen, identified)
        )
    finally:
        for pid in written:
            series.delete_patient(pid)


def test_the_shown_texts_are_free_text_to_the_rule() -> None:
    assert FIELD_POLICY[MedicationCourse]["drug"] is Policy.TEXT
    assert {FIELD_POLICY[AdverseEvent][n] for n in ("term", "suspected_drug")} == {Policy.TEXT}
    course = MedicationCourse(1, "upadacitinib", DrugClass.JAK, PartialDate(FIRST, Precision.DAY))
    with pytest.raises(ValueError, match="drug_class is not free text"):
        stats.Disclosure.of([], index_drug="upadacitinib", cutoff=FIRST).texts(course, "drug_class")
