"""`stats` at registry scale: the lean read gives byte-for-byte what the full records gave, in a fixed number
of statements, without loading a full record or an ORM row per patient; and its progress line on a terminal."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from myocase.cli import main
from myocase.domain.analysis import AnalysisSettings, FollowUp
from myocase.domain.clock import DateMode
from myocase.domain.dates import PartialDate
from myocase.domain.disclosure import FIELD_POLICY
from myocase.domain.measures import Policy
from myocase.domain.records import AdverseEvent, Assessment, Identifiers, MedicationCourse, Patient
from myocase.domain.stats import PairedTestKind
from myocase.domain.vocab import AeAction, DrugClass, StopReason, Subtype
from myocase.services import analysis_settings, stats
from myocase.services.disclosure import disclosure_for
from myocase.services.progress import ProgressLine
from myocase.store import analysis_reads, mapping
from myocase.store.casebook import Casebook
from myocase.store.tables import Base, SettingRow
from sqlalchemy import event

from bench.synthetic import write_series

SETTINGS_TRIED = [
    {},
    {"measure": "ck"},
    {"followup": FollowUp.W12, "test": PairedTestKind.TTEST},
    {"followup": FollowUp.W26, "subtypes": tuple(Subtype)},
    {"index_drug": "tofacitinib"},
    {"measure": "mmt8_total", "subtypes": tuple(Subtype)},
]


def full_records_path(book: Casebook, settings: AnalysisSettings, identified: bool) -> stats.SeriesStats:
    """The analysis as it was computed before the lean read: every full record, let out by the rule."""
    records = book.patient_records()
    mode = DateMode.ACTUAL if identified else DateMode.INDEX_DAYS
    disclosure = disclosure_for(
        book, records, identified=identified, mode=mode, index_drug=settings.index_drug
    )
    shown = [disclosure.record(r) for r in records]
    return stats.compute(shown, settings, book.settings().cutoff_or(book.today()), disclosure)


def outputs(result: stats.SeriesStats) -> tuple[str, str]:
    return json.dumps(stats.to_json(result), ensure_ascii=False, indent=2), stats.as_text(result)


def add_awkward_patients(book: Casebook) -> None:
    """Patients the demo lacks: one without any course (day 0 is their first record), an index start known
    only to the year and one to the month, a name typed into an adverse event that stopped the drug, an
    age at onset over 90."""
    bare = book.save_patient(
        Patient("EDGE-01", Subtype.DM, birth_year=1930, diagnosis_date=PartialDate.parse("2021"))
    )
    assert bare.id is not None
    book.save(AdverseEvent(bare.id, "headache", 1, date(2021, 3, 2)))
    book.save(Assessment(bare.id, date(2021, 5, 1), cdasi_activity=20))
    for n, start in ((2, "2021"), (3, "2021-06")):
        patient = book.save_patient(Patient(f"EDGE-0{n}", Subtype.ADM))
        assert patient.id is not None
        book.save(MedicationCourse(patient.id, "upadacitinib", DrugClass.JAK, PartialDate.parse(start)))
        for day, value in ((date(2021, 6, 20), 25), (date(2022, 1, 10), 9)):
            book.save(Assessment(patient.id, day, cdasi_activity=value, ck=300.0, ck_uln=200.0))
    named = book.save_patient(
        Patient("EDGE-04", Subtype.DM, age_at_onset=93),
        Identifiers(0, full_name="Zebedee Quortlebury", mrn="QX-882317"),
    )
    assert named.id is not None
    stop = PartialDate.parse("2022-02")
    book.save(
        MedicationCourse(
            named.id,
            "Upadacitinib ",
            DrugClass.JAK,
            PartialDate.parse("2021-01-04"),
            stop,
            StopReason.ADVERSE_EVENT,
        )
    )
    book.save(
        AdverseEvent(
            named.id,
            "rash Quortlebury noticed",
            3,
            date(2022, 1, 30),
            suspected_drug="upadacitinib",
            action=AeAction.DISCONTINUED,
        )
    )
    for day, value in ((date(2020, 12, 20), 30), (date(2021, 8, 1), 12)):
        book.save(Assessment(named.id, day, cdasi_activity=value, notes="seen by Dr Quortlebury"))  # fmt: skip


@pytest.mark.demo
@pytest.mark.parametrize("identified", [False, True])
def test_demo_output_is_what_the_full_records_gave(book: Casebook, identified: bool) -> None:
    add_awkward_patients(book)
    for overrides in SETTINGS_TRIED:
        settings = analysis_settings.load_settings(book, **overrides)
        lean, full = (
            stats.run(book, settings, identified=identified),
            full_records_path(book, settings, identified),
        )
        assert outputs(lean) == outputs(full), overrides
        assert (
            lean.disclosure.clocks == full.disclosure.clocks
        )  # day 0 of each patient, the one without a course too


@pytest.mark.demo
def test_the_read_given_the_index_drug_holds_less_and_gives_what_the_full_records_gave(
    book: Casebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_awkward_patients(book)
    read = Casebook.analysis_rows
    every = sum(len(r.record.courses) + len(r.record.adverse_events) for r in book.analysis_rows("ck"))
    for overrides in SETTINGS_TRIED:
        settings = analysis_settings.load_settings(book, **overrides)
        lean = list(read(book, settings.measure, settings.index_drug))
        assert sum(len(r.record.courses) + len(r.record.adverse_events) for r in lean) < every
        monkeypatch.setattr(
            book, "analysis_rows", lambda measure, drug=settings.index_drug: read(book, measure, drug)
        )
        for identified in (False, True):
            given, full = (
                stats.run(book, settings, identified=identified),
                full_records_path(book, settings, identified),
            )
            assert outputs(given) == outputs(full), overrides
            assert given.disclosure.clocks == full.disclosure.clocks


@pytest.mark.sqlite_only("the synthetic series is written to a file")
def test_synthetic_series_output_is_what_the_full_records_gave(tmp_path: Path) -> None:
    book = write_series(tmp_path / "synthetic.sqlite", 60)
    try:
        for identified in (False, True):
            settings = analysis_settings.load_settings(book)
            assert outputs(stats.run(book, settings, identified=identified)) == outputs(
                full_records_path(book, settings, identified)
            )
    finally:
        book.close()


@contextmanager
def statements(book: Casebook) -> Iterator[list[str]]:
    """Every SQL statement the book's engine runs inside the block."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(book.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(book.engine, "before_cursor_execute", count)


def test_the_read_takes_the_same_statements_for_ten_patients_or_forty(book: Casebook) -> None:
    def patients(n: int) -> None:
        for _ in range(n):
            patient = book.save_patient(Patient(f"P-{len(book.patients()) + 1:03d}", Subtype.DM))
            assert patient.id is not None
            book.save(
                MedicationCourse(patient.id, "upadacitinib", DrugClass.JAK, PartialDate.parse("2022-01-10"))
            )
            for day in (date(2022, 1, 3), date(2022, 6, 1), date(2023, 1, 5)):
                book.save(Assessment(patient.id, day, cdasi_activity=20 - day.month))

    counted = []
    for size in (10, 40):
        patients(size - len(book.patients()))
        settings = analysis_settings.load_settings(book)
        with statements(book) as seen:
            assert len(list(book.analysis_rows(settings.measure))) == size
        with statements(book) as whole:
            result = stats.run(book, settings, identified=False)
        assert result.analysis.summary.n == size
        counted.append((len([s for s in seen if s.lstrip().upper().startswith("SELECT")]), len(whole)))
    assert counted[0] == counted[1]
    assert counted[0][0] == 6  # patients, courses, adverse events, first assessment, first photo, assessments


@pytest.mark.demo
def test_no_full_record_and_no_orm_row_per_patient_is_built(
    book: Casebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a full record was read")

    for name in (
        "patient_record",
        "course_record",
        "assessment_record",
        "adverse_event_record",
        "photo_record",
    ):
        monkeypatch.setattr(mapping, name, refused)
    monkeypatch.setattr(Casebook, "patient_records", refused)
    monkeypatch.setattr(Casebook, "patient_record", refused)
    loaded: list[type] = []

    def on_load(target: object, context: object) -> None:
        loaded.append(type(target))

    event.listen(Base, "load", on_load, propagate=True)
    try:
        result = stats.run(book, analysis_settings.load_settings(book), identified=False)
    finally:
        event.remove(Base, "load", on_load)
    assert result.analysis.summary.n == 8
    assert set(loaded) <= {SettingRow}  # the series' settings only: no patient, record or identifier row


def test_the_visit_rows_carry_only_fields_the_rule_keeps_as_they_are() -> None:
    policies = FIELD_POLICY[Assessment]
    assert {policies[name] for name in analysis_reads.VISIT_FIELDS} <= {Policy.KEEP, Policy.DATE}


# ---------------------------------------------------------------- progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_is_reported_after_each_patient(demo_book: Casebook) -> None:
    seen: list[tuple[int, int]] = []
    stats.run(
        demo_book,
        analysis_settings.load_settings(demo_book),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(n, 10) for n in range(1, 11)]


def test_progress_line_shows_on_a_terminal_only_after_a_second_and_is_cleared() -> None:
    terminal, clock = Terminal(), Clock()
    line = ProgressLine(terminal, "Computing statistics", unit="patient", clock=clock)
    line(1, 10_000)
    clock.now += 0.5
    line(2, 10_000)
    assert terminal.getvalue() == ""  # quick work shows nothing
    clock.now += 0.6
    line(4_200, 10_000)
    assert terminal.getvalue() == "\rComputing statistics: 4200 of 10000 patients"
    clock.now += 0.01
    line(4_201, 10_000)  # redrawn at most ten times a second
    line(10_000, 10_000)  # but the last one always
    line.close()
    assert terminal.getvalue().endswith(
        "\rComputing statistics: 10000 of 10000 patients\r"
        + " " * len("Computing statistics: 10000 of 10000 patients")
        + "\r"
    )


def test_progress_line_is_quiet_when_not_a_terminal() -> None:
    stream, clock = io.StringIO(), Clock()
    line = ProgressLine(stream, "Computing statistics", unit="patient", clock=clock)
    clock.now += 60
    line(5, 10)
    line.close()
    assert stream.getvalue() == ""


@pytest.mark.sqlite_only("the command reads a series file")
def test_stats_command_prints_the_same_json_and_no_progress_when_piped(
    demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo_file
    assert main(["stats", "--db", str(db), "--json"]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    book = Casebook.open(db)
    try:
        expected = full_records_path(book, analysis_settings.load_settings(book), identified=False)
    finally:
        book.close()
    assert printed.out == outputs(expected)[0] + "\n"


@pytest.mark.sqlite_only("the command reads a series file")
def test_stats_command_shows_progress_on_a_slow_terminal(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo_file
    terminal = on_a_slow_terminal(monkeypatch)
    assert main(["stats", "--db", str(db)]) == 0
    assert "\rComputing statistics: 10 of 10 patients" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r")  # cleared: the table on stdout is not mixed with it
    assert capsys.readouterr().out.startswith("Cohort at the data cut-off")


def on_a_slow_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Standard error is a terminal, and every look at the clock half a second later: past a second soon."""
    terminal, clock = Terminal(), Clock()

    def slow_clock() -> float:
        clock.now += 0.5
        return clock.now

    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(ProgressLine, "__init__", _with_clock(ProgressLine.__init__, slow_clock))
    return terminal


def _with_clock(init, clock):  # type: ignore[no-untyped-def]
    def patched(self, stream, what, **kwargs):  # type: ignore[no-untyped-def]
        init(self, stream, what, **{**kwargs, "clock": clock})

    return patched
