"""`report.cohort_figures` on varied series gives exactly the specs the full records gave: the lean read
(``Casebook.cohort_rows``) with its free texts let out by the rule, against every full record let out whole;
its progress reaches every patient and can stop the work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from myocase.domain.analysis import AnalysisSettings
from myocase.domain.cohort_plots import MedianRule, SpaghettiSpec
from myocase.domain.cohort_swimmer import SwimmerSpec
from myocase.domain.dates import PartialDate, Precision
from myocase.domain.records import (
    AdverseEvent,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    SeriesSettings,
)
from myocase.domain.vocab import AeAction, AeOutcome, DrugClass, StopReason, Subtype
from myocase.services import analysis_settings, report
from myocase.services.disclosure import disclosure_for
from myocase.store import cohort_reads
from myocase.store.casebook import Casebook

from tests.conftest import fresh_series
from tests.services.test_stats_lean import DRUGS, FIRST, SURNAMES

CUTOFF = date(2021, 9, 30)  # some records fall after it
SETTINGS_TRIED = [
    {},
    {"measure": "ck", "subtypes": tuple(Subtype)},
    {"measure": "mmt8_total", "index_drug": "tofacitinib"},
    {"measure": "physician_global", "subtypes": (Subtype.PM,)},
    {"index_drug": "Marsh JAK", "subtypes": (Subtype.DM, Subtype.IMNM)},
]

days = st.integers(0, 1100).map(lambda n: FIRST + timedelta(days=n))
starts = st.integers(0, 900).map(
    lambda n: FIRST + timedelta(days=n)
)  # a stop 600 days on is not in the future
partial_dates = st.builds(PartialDate, starts, st.sampled_from(list(Precision)))
doses = st.tuples(
    st.none() | st.sampled_from((7.5, 15.0, 1000.0)),
    st.sampled_from(("mg", "mg 2020-03-04")),
    st.sampled_from(("", "once daily", "as Zebedee says")),
)
courses = st.tuples(
    st.sampled_from(DRUGS), partial_dates, st.none() | st.integers(1, 600), st.sampled_from(list(Precision)),
    st.sampled_from(list(StopReason)), doses,
)  # fmt: skip
assessments = st.tuples(
    days, st.none() | st.integers(0, 100), st.none() | st.integers(20, 150),
    st.none() | st.floats(20, 5000).map(lambda v: round(v, 1)), st.none() | st.integers(0, 10),
)  # fmt: skip
events = st.tuples(
    st.sampled_from(("rash", "rash Quortlebury noticed", "zoster", "Marsh said nausea")),
    st.integers(1, 5), days, st.none() | st.integers(0, 90),
    st.sampled_from(("upadacitinib", "Upadacitinib", "tofacitinib", "methotrexate", "")),
    st.sampled_from(list(AeAction)), st.sampled_from([o for o in AeOutcome if o is not AeOutcome.FATAL]), st.booleans(),
)  # fmt: skip
patients = st.fixed_dictionaries(
    {
        "study_id": st.sampled_from(("P", "Marsh", "ZQ")),
        "subtype": st.sampled_from(list(Subtype)),
        "name": st.sampled_from(SURNAMES).map(lambda s: f"Ann {s}"),
        "courses": st.lists(courses, max_size=4),
        "assessments": st.lists(assessments, max_size=6),
        "events": st.lists(events, max_size=3),
    }
)
NUMBERS = count()  # study IDs and record numbers never used before in the module's series


def full_records_figures(book: Casebook, settings: AnalysisSettings) -> tuple[SpaghettiSpec, SwimmerSpec]:
    """The cohort figures as they were built before the lean read: every full record, let out whole by the rule."""
    everyone = book.patient_records()
    disclosure = disclosure_for(book, everyone, index_drug=settings.index_drug)
    shown = [disclosure.record(r) for r in everyone]
    return report.cohort_specs(shown, settings, book.settings().cutoff_or(book.today()))


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Casebook]:
    """One series for every example (each example's patients are deleted after it), on the test server too."""
    with fresh_series(
        tmp_path_factory.mktemp("cohort") / "series.sqlite",
        SeriesSettings(name="Cohort series", cutoff=CUTOFF),
    ) as book:
        yield book


def _write(book: Casebook, drawn: dict) -> int:  # type: ignore[type-arg]
    n = next(NUMBERS)
    patient = book.save_patient(
        Patient(f"{drawn['study_id']}-{n:02}", drawn["subtype"]),
        Identifiers(0, full_name=drawn["name"], mrn=f"MR{n:05}"),
    )
    pid = patient.id
    assert pid is not None
    for (drug, kind), start, length, precision, reason, (dose, unit, frequency) in drawn["courses"]:
        stop = None if length is None else PartialDate(start.latest() + timedelta(days=length), precision)
        book.save(
            MedicationCourse(
                pid, drug, kind, start, stop, reason if stop else None, dose, unit, frequency, "notes"
            )
        )
    for day, cdasi, mmt8, ck, global_ in drawn["assessments"]:
        book.save(
            Assessment(
                pid, day, cdasi_activity=cdasi, mmt8_total=mmt8, mmt8_max=None if mmt8 is None else 150, ck=ck,
                ck_uln=None if ck is None else 200.0, physician_global=global_, notes=f"seen by {drawn['name']}",
            )
        )  # fmt: skip
    for term, grade, onset, lasted, drug, action, outcome, serious in drawn["events"]:
        resolved = None if lasted is None else onset + timedelta(days=lasted)
        outcome = AeOutcome.FATAL if grade == 5 else outcome
        book.save(AdverseEvent(pid, term, grade, onset, resolved, serious, drug, action, outcome))
    return pid


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(patients, min_size=1, max_size=7), st.sampled_from(SETTINGS_TRIED))
def test_varied_series_give_the_figures_the_full_records_gave(
    series: Casebook,
    drawn: list,  # type: ignore[type-arg]
    overrides: dict,  # type: ignore[type-arg]
) -> None:
    written = [_write(series, patient) for patient in drawn]
    try:
        chosen = analysis_settings.load_settings(series, **overrides)
        assert report.cohort_figures(series, chosen) == full_records_figures(series, chosen)
    finally:
        for pid in written:
            series.delete_patient(pid)


def _patients_on_the_index_drug(book: Casebook, n: int) -> None:
    for k in range(n):
        pid = book.save_patient(
            Patient(f"Zebedee-{k}", Subtype.DM), Identifiers(0, full_name="Ann Zebedee")
        ).id
        assert pid is not None
        book.save(MedicationCourse(pid, "upadacitinib", DrugClass.JAK, PartialDate.parse("2021-03-01")))
        for day, value in ((date(2021, 3, 1), 30), (date(2021, 6, 1), 20)):
            book.save(Assessment(pid, day, cdasi_activity=value))
        book.save(
            AdverseEvent(pid, "zoster, Zebedee noticed", 2, date(2021, 5, 1), suspected_drug="upadacitinib")
        )


def test_a_name_typed_anywhere_leaves_no_figure(book: Casebook) -> None:
    _patients_on_the_index_drug(book, 2)
    spaghetti, swimmer = report.cohort_figures(book, analysis_settings.load_settings(book))
    assert len(spaghetti.lines) == len(swimmer.rows) == 2
    assert [row.events[0].term for row in swimmer.rows] == ["zoster, [removed] noticed"] * 2
    assert "Zebedee" not in repr((spaghetti, swimmer))


def test_progress_reaches_every_patient_and_can_stop_the_work(book: Casebook) -> None:
    _patients_on_the_index_drug(book, 5)
    settings = analysis_settings.load_settings(book)
    steps: list[tuple[int, int]] = []
    figures = report.cohort_figures(book, settings, step=lambda done, total: steps.append((done, total)))
    assert figures == report.cohort_figures(book, settings)
    assert steps == [(n // 3, 5) for n in range(1, 16)]  # letting out, then each figure, patient by patient

    class Stopped(Exception):
        pass

    def stop_while_drawing_the_spaghetti(done: int, total: int) -> None:
        if len(steps) == 20:
            raise Stopped
        steps.append((done, total))

    with pytest.raises(Stopped):
        report.cohort_figures(book, settings, step=stop_while_drawing_the_spaghetti)
    assert len(steps) == 20


def test_a_field_the_rule_would_change_is_refused_not_read(
    book: Casebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    _patients_on_the_index_drug(book, 1)
    monkeypatch.setattr(cohort_reads, "PATIENT_FIELDS", (*cohort_reads.PATIENT_FIELDS, "birth_year"))
    with pytest.raises(ValueError, match="Patient: birth_year would be changed by the rule"):
        report.cohort_figures(book, analysis_settings.load_settings(book))


@given(
    st.lists(st.tuples(st.integers(-200, 2000), st.integers(0, 100).map(float), st.booleans()), max_size=40),
    st.sampled_from((MedianRule(), MedianRule(bin_days=85), MedianRule(bin_days=28, baseline_after=0))),
)
def test_the_median_picks_every_bin_at_once_as_bin_by_bin(
    drawn: list[tuple[int, float, bool]], rule: MedianRule
) -> None:
    values = sorted(drawn, key=lambda v: v[0])  # in date order, as a patient's values are
    last = max((d for d, _, _ in values), default=0) // rule.bin_days + 2
    one_by_one = {k: v for k in range(-2, last + 2) if (v := rule.pick(values, k)) is not None}
    assert rule.picks(values) == one_by_one
