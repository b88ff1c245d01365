"""Importing MyoCase's own identified export back (XLSX and CSV): the demo gives the same `stats --json
--identified` and record counts, the generated series (partial dates, missing values, every choice) comes back
record by record, importing again changes nothing, a file with bad rows is refused whole with a message per row
and the database untouched, and random cells are refused by row and column or stored as valid data."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from myocase.cli import main
from myocase.domain.fields import table
from myocase.domain.imports import CREATE, UNCHANGED, UPDATE
from myocase.domain.records import PatientRecord, SeriesSettings
from myocase.services import exports, importing
from myocase.services.importing import ImportFormat
from myocase.store.casebook import Casebook
from myocase.store.database import backup_database

from tests import export_series
from tests.factories import TODAY

FORMATS = (ImportFormat.XLSX, ImportFormat.CSV)
pytestmark = pytest.mark.sqlite_only("imports into database files by path")


@pytest.fixture
def series(book: Casebook) -> Casebook:
    export_series.store(book)
    return book


def export(book: Casebook, fmt: ImportFormat, folder: Path) -> list[Path]:
    written = exports.export_data(book, exports.ExportFormat(fmt.value), folder, identified=True).written
    return list(written)


def import_into(path: Path, fmt: ImportFormat, files: list[Path], **kw: Any) -> importing.ImportOutcome:
    return importing.import_files(path, fmt, files, today=lambda: TODAY, **kw)


def comparable(records: list[PatientRecord]) -> dict[str, Any]:
    """Everything an import brings back, without database numbers (photos never come in a data export)."""

    def bare(items: tuple[Any, ...]) -> list[Any]:
        return sorted((replace(i, id=None, patient_id=0) for i in items), key=repr)

    return {
        r.patient.study_id: (
            replace(r.patient, id=None),
            None if r.identifiers is None else replace(r.identifiers, patient_id=0),
            bare(r.courses),
            bare(r.assessments),
            bare(r.adverse_events),
        )
        for r in records
    }


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def stats_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["stats", "--db", str(path), "--json", "--identified"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


# ----------------------------------------------------------------- round trips


@pytest.mark.demo
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_demo_exported_and_imported_gives_the_same_stats_and_counts(
    book: Casebook, fmt: ImportFormat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = export(book, fmt, tmp_path / "export")
    target = tmp_path / "imported.sqlite"  # no database there: the export's series settings come with it
    outcome = import_into(target, fmt, files)
    assert outcome.written
    assert outcome.created
    imported = Casebook.open(target, today=lambda: TODAY)
    before, after = book.counts(), imported.counts()
    assert imported.settings() == replace(book.settings(), is_demo=False)
    imported.close()
    assert (after.patients, after.medication_courses, after.assessments, after.adverse_events) == (
        before.patients, before.medication_courses, before.assessments, before.adverse_events,
    )  # fmt: skip
    assert after.by_subtype == before.by_subtype
    for identified in ((), ("--identified",)):
        assert main(["stats", "--db", str(target), "--json", *identified]) == 0
        mine = capsys.readouterr().out
        assert main(["stats", "--db", str(book.path), "--json", *identified]) == 0
        assert json.loads(mine) == json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_generated_series_comes_back_record_by_record(
    series: Casebook, fmt: ImportFormat, tmp_path: Path
) -> None:
    files = export(series, fmt, tmp_path / "export")
    target = tmp_path / "new" / "imported.sqlite"
    target.parent.mkdir()
    outcome = import_into(target, fmt, files)  # no database there yet: a new series
    assert outcome.created
    assert outcome.plan.problems == ()
    imported = Casebook.open(target, today=lambda: TODAY)
    try:
        assert comparable(imported.patient_records()) == comparable(series.patient_records())
    finally:
        imported.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_importing_the_same_file_again_changes_nothing(
    series: Casebook, fmt: ImportFormat, tmp_path: Path
) -> None:
    files = export(series, fmt, tmp_path / "export")
    target = tmp_path / "imported.sqlite"
    first = import_into(target, fmt, files)
    counts = first.plan.counts()
    assert counts["assessments"][CREATE] == sum(len(r.assessments) for r in series.patient_records())
    before = dump(target)
    again = import_into(target, fmt, files)
    assert again.written
    assert {name: c[UNCHANGED] for name, c in again.plan.counts().items()} == {
        name: c[CREATE] for name, c in counts.items()
    }
    assert dump(target) == before


def test_a_changed_value_updates_the_matched_record_only(series: Casebook, tmp_path: Path) -> None:
    files = export(series, ImportFormat.CSV, tmp_path / "export")
    target = tmp_path / "imported.sqlite"
    import_into(target, ImportFormat.CSV, files)
    assessments = _file(files, "assessments")
    _edit(assessments, {2: {"haq": "2.25"}})
    outcome = import_into(target, ImportFormat.CSV, files)
    assert outcome.plan.counts()["assessments"][UPDATE] == 1
    assert outcome.plan.counts()["assessments"][CREATE] == 0
    book = Casebook.open(target, today=lambda: TODAY)
    first = sorted(book.patient_records()[0].assessments, key=lambda a: a.assessed_on)[0]
    (entry,) = [e for e in book.audit_trail() if e.action == "update" and e.field == "haq"]
    book.close()
    assert first.haq == 2.25
    assert (entry.old_value, entry.new_value) == ("1.5", "2.25")


def test_each_imported_record_names_its_file_and_row_in_the_audit_trail(
    series: Casebook, tmp_path: Path
) -> None:
    files = export(series, ImportFormat.CSV, tmp_path / "export")
    target = tmp_path / "imported.sqlite"
    plan = import_into(target, ImportFormat.CSV, files).plan
    book = Casebook.open(target, today=lambda: TODAY)
    sources = [e for e in book.audit_trail(limit=100_000) if e.action == "import"]
    book.close()
    identified = sum(p.identifiers_after is not None for p in plan.patients)
    assert len(sources) == plan.changes + identified  # a patient's identifiers are a record of their own
    assert {(e.entity, e.field) for e in sources} >= {("patient", "source"), ("assessment", "source")}
    patients = _file(files, "patients").name
    assert {e.new_value for e in sources if e.entity == "patient"} == {
        f"{patients} row {n}" for n in range(2, 2 + len(plan.patients))
    }


# ----------------------------------------------------------------- refusals


def _file(files: list[Path], name: str) -> Path:
    return next(f for f in files if f.stem.endswith(f"-{name}"))


def _edit(path: Path, cells: dict[int, dict[str, str]], add: list[dict[str, str]] | None = None) -> None:
    """Change cells (by row number as a spreadsheet shows it, header = 1) and add rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for number, values in cells.items():
        for name, text in values.items():
            rows[number - 1][header.index(name)] = text
    for values in add or []:
        rows.append([values.get(name, "") for name in header])
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_a_file_with_bad_rows_is_refused_whole_and_the_database_is_unchanged(
    series: Casebook, tmp_path: Path
) -> None:
    files = export(series, ImportFormat.CSV, tmp_path / "export")
    _edit(_file(files, "patients"), {3: {"subtype": "XYZ", "birth_year": "1850"}})
    _edit(_file(files, "medication_courses"), {2: {"start": "2019/03"}, 4: {"dose": "1,5"}})
    _edit(
        _file(files, "assessments"),
        {5: {"physician_global": "12"}},
        add=[{"study_id": "GEN-99", "assessed_on": "2021-01-01"}],
    )
    _edit(_file(files, "adverse_events"), {2: {"grade": "6", "onset": "2099-01-01"}})
    path = series.path or Path()
    before = dump(path)
    outcome = import_into(path, ImportFormat.CSV, files)
    assert not outcome.written
    assert dump(path) == before
    name = {
        t: _file(files, t).name for t in ("patients", "medication_courses", "assessments", "adverse_events")
    }
    assert [str(p) for p in outcome.plan.problems] == sorted([
        f"{name['adverse_events']}:2: grade: “6” is not one of the allowed values (1 = 1: Mild; 2 = 2: Moderate; "
        "3 = 3: Severe or hospitalisation; 4 = 4: Life-threatening; 5 = 5: Death)",
        f"{name['adverse_events']}:2: onset: Onset date (2099-01-01) is in the future: today is 2024-01-15.",
        f"{name['assessments']}:5: physician_global: Physician global activity must be between 0 and 10.",
        f"{name['assessments']}:32: study_id: no patient GEN-99 in the patients table or the series: add the patient first",
        f"{name['medication_courses']}:2: start: “2019/03” is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
        f"{name['medication_courses']}:4: dose: “1,5” is not a number: write decimals with a point (1.5)",
        f"{name['patients']}:3: subtype: “XYZ” is not one of the allowed values ({table('patients').field('subtype').allowed})",
        f"{name['patients']}:3: birth_year: Year of birth must be between 1900 and 2024.",
    ], key=lambda text: text.split(":")[0])  # fmt: skip


def test_a_deidentified_export_is_refused_with_the_way_to_a_round_trip(
    series: Casebook, tmp_path: Path
) -> None:
    folder = tmp_path / "deidentified"
    exports.export_data(series, exports.ExportFormat.CSV, folder)
    target = tmp_path / "imported.sqlite"
    outcome = import_into(target, ImportFormat.CSV, [folder])
    assert not target.exists()  # refused: the new series is not left behind
    assert outcome.plan.problems
    assert all(p.row == 1 and p.column.endswith("_day") for p in outcome.plan.problems)
    assert all(
        "export it with identifiers (myocase export --identified" in p.reason for p in outcome.plan.problems
    )


def test_csv_with_a_bom_quoted_line_breaks_and_neutralised_formulas_is_read_as_written(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "hand"
    folder.mkdir()
    text = 'study_id,subtype,vignette\r\nMYO-01,DM,"\'=HYPERLINK(""x"")\nsecond line, with a comma"\r\n'
    (folder / "patients.csv").write_bytes("\ufeff".encode() + text.encode("utf-8"))
    target = tmp_path / "imported.sqlite"
    assert import_into(target, ImportFormat.CSV, [folder]).written
    book = Casebook.open(target, today=lambda: TODAY)
    (patient,) = book.patients()
    book.close()
    assert patient.vignette == '=HYPERLINK("x")\nsecond line, with a comma'


def test_a_file_that_is_no_table_or_no_text_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "visits.csv").write_text("study_id\nMYO-01\n", encoding="utf-8")
    (tmp_path / "patients.csv").write_bytes(b"study_id,subtype\nMYO-01,\xff\n")
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    target = tmp_path / "imported.sqlite"
    csv_problems = import_into(target, ImportFormat.CSV, [tmp_path]).plan.problems
    assert [(p.source, p.row) for p in csv_problems] == [("patients.csv", 0), ("visits.csv", 0)]
    assert "is not UTF-8 text (byte 25): save it as “CSV UTF-8”" in csv_problems[0].reason
    assert csv_problems[1].reason.startswith("is not named after a table")
    (xlsx,) = import_into(target, ImportFormat.XLSX, [tmp_path / "broken.xlsx"]).plan.problems
    assert xlsx.reason.startswith("cannot be read as an Excel workbook (.xlsx)")
    assert not target.exists()


def test_a_formula_in_a_workbook_is_refused_by_row_and_column(tmp_path: Path) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "patients"
    sheet.append(["study_id", "subtype", "birth_year"])
    sheet.append(["MYO-01", "DM", "=1900+70"])
    workbook.save(tmp_path / "hand.xlsx")
    (problem,) = import_into(tmp_path / "x.sqlite", ImportFormat.XLSX, [tmp_path / "hand.xlsx"]).plan.problems
    assert str(problem).startswith("hand.xlsx[patients]:2: birth_year: holds a formula")


# ----------------------------------------------------------------- random cells


BASE = {
    "patients": {"study_id": "MYO-01", "subtype": "DM", "sex": "F", "birth_year": "1970", "full_name": "Ann Example",
                 "diagnosis_date": "2019-03", "vignette": "Gottron papules"},
    "antibodies": {"study_id": "MYO-01", "antibody": "Anti-MDA5", "status": "positive", "tested_on": "2019-04-02"},
    "medication_courses": {"study_id": "MYO-01", "drug": "upadacitinib", "drug_class": "JAK inhibitor",
                           "start": "2021-03", "dose": "15", "unit": "mg", "frequency": "once daily"},
    "assessments": {"study_id": "MYO-01", "assessed_on": "2021-03-01", "cdasi_activity": "20", "ck": "900",
                    "ck_uln": "200", "mmt8_total": "70", "mmt8_max": "80"},
    "adverse_events": {"study_id": "MYO-01", "term": "herpes zoster", "grade": "2", "onset": "2021-05-01",
                       "serious": "0", "action": "none", "outcome": "resolved"},
}  # fmt: skip
ODD = (
    "", " ", "\t", "\x00", "a\x00b", '=HYPERLINK("http://x","click")', "+44 20", "-5", "@SUM(A1:A9)", "'=1+1",
    "2019", "2019-13", "13/03/2019", "2019-02-30", "1e999", "nan", "-0", "1,5", "١٢", "0x10", "DM", "yes", "1",
)  # fmt: skip
cells = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=40),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(1_000, 40_000)),
)
columns = st.sampled_from([(t, f.name) for t in BASE for f in table(t).fields if not f.meta])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    book = Casebook.open(path, today=lambda: TODAY)
    book.save_settings(SeriesSettings(name="Random cells"))
    book.close()
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=columns, text=cells)
def test_a_random_cell_is_refused_by_row_and_column_or_stored_as_valid_data(
    template: Path, tmp_path: Path, where: tuple[str, str], text: str
) -> None:
    folder = tmp_path / "files"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, values in BASE.items():
        values = {**values, where[1]: text} if name == where[0] else values
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([list(values), list(values.values())])
    path = backup_database(template, tmp_path / "series.sqlite")
    try:
        outcome = import_into(path, ImportFormat.CSV, [folder])
        counts = _counts(path)
        if outcome.plan.ok:
            assert counts == (1, 1, 1, 1)
            again = import_into(path, ImportFormat.CSV, [folder])  # stored as the file gives it
            assert all(c[CREATE] == c[UPDATE] == 0 for c in again.plan.counts().values())
        else:
            assert counts == (0, 0, 0, 0)  # never half a batch
            assert all(p.row >= 1 and p.source.endswith(".csv") for p in outcome.plan.problems)
            assert any(p.column == where[1] or p.row == 2 for p in outcome.plan.problems)
    finally:
        for leftover in path.parent.glob("series.sqlite*"):
            leftover.unlink()


def _counts(path: Path) -> tuple[int, int, int, int]:
    book = Casebook.open(path, today=lambda: TODAY)
    c = book.counts()
    book.close()
    return (c.patients, c.medication_courses, c.assessments, c.adverse_events)


def test_an_existing_series_keeps_its_settings_and_the_summary_says_how_the_files_differ(
    series: Casebook, tmp_path: Path
) -> None:
    files = export(series, ImportFormat.CSV, tmp_path / "export")
    target = tmp_path / "imported.sqlite"
    assert import_into(target, ImportFormat.CSV, files).written  # a new series: takes the settings
    book = Casebook.open(target, today=lambda: TODAY)
    taken = book.settings()
    assert (taken.name, taken.cutoff, taken.index_drug) == (
        series.settings().name, series.settings().cutoff, series.settings().index_drug,
    )  # fmt: skip
    book.save_settings(replace(taken, name="Renamed here"))
    book.close()
    again = import_into(target, ImportFormat.CSV, files)
    assert again.written
    (note,) = [n for n in importing.summary(again) if "keeps its own settings" in n]
    assert f"name “Renamed here” (the files: “{taken.name}”)" in note
    book = Casebook.open(target, today=lambda: TODAY)
    assert book.settings().name == "Renamed here"
    book.close()


def test_the_series_table_leaves_de_identified_without_its_cutoff(series: Casebook, tmp_path: Path) -> None:
    plain = exports.export_data(series, exports.ExportFormat.CSV, tmp_path / "plain").written
    (settings,) = [p for p in plain if p.name.endswith("-series.csv")]
    with settings.open(encoding="utf-8") as handle:
        (only,) = list(csv.DictReader(handle))
    assert "cutoff" not in only
    assert only["index_drug"] == series.settings().index_drug


@pytest.mark.parametrize("text", ["0 ", " Ana Ruiz  "])
def test_an_identifying_field_with_spaces_around_it_is_unchanged_on_importing_the_file_again(
    template: Path, tmp_path: Path, text: str
) -> None:
    # Found by the random-cell test: the name is stored without its spaces, so the file read again must
    # compare equal to it, not plan an update of the patient.
    test_a_random_cell_is_refused_by_row_and_column_or_stored_as_valid_data.hypothesis.inner_test(  # type: ignore[attr-defined]
        template, tmp_path, ("patients", "full_name"), text
    )
