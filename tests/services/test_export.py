"""Data exports read back: every column in the codebook and every codebook column in the files, values
as stored, labels in .sav and .dta, formulas neutralised, nothing identifying unless asked for, and
IDENTIFIED in every file of an identified export; a refused or cancelled export writes nothing."""

from __future__ import annotations

import csv
import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from myocase.domain.disclosure import Disclosure
from myocase.domain.export_tables import FORMULA_STARTS, ExportTable, unneutralised
from myocase.domain.field_defs import Field, FieldType
from myocase.domain.fields import IDENTIFIED_FIELD, TABLES, table
from myocase.services import deid_check, exports
from myocase.services.demo import write_demo
from myocase.services.exports import ExportFormat, tabular
from myocase.services.exports.naming import FileNames
from myocase.services.exports.r_script import script
from myocase.store.casebook import Casebook

from tests import export_series
from tests.leaky import NAME, leaks_in, plant

FILE_FORMATS = (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.SPSS, ExportFormat.STATA, ExportFormat.R)
TABLE_NAMES = [t.name for t in TABLES]
Tables = dict[str, tuple[list[str], list[list[Any]]]]


@pytest.fixture
def series(book: Casebook) -> Casebook:
    export_series.store(book)
    return book


@pytest.fixture
def leaky_book(tmp_path: Path) -> Any:
    book = Casebook.open(tmp_path / "leaky.sqlite")
    write_demo(book)
    plant(book, photos=True)
    yield book
    book.close()


# ----------------------------------------------------------------- reading an export back


def _table_of(path: Path) -> str:
    return next(name for name in (*TABLE_NAMES, "codebook") if path.stem.endswith(f"-{name}"))


def read_back(fmt: ExportFormat, paths: tuple[Path, ...]) -> Tables:
    """Each table's header and rows as the file holds them (plus "codebook")."""
    if fmt is ExportFormat.XLSX:
        book = openpyxl.load_workbook(paths[0])
        sheets = {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}
        return {
            name: ([str(h) for h in rows[0]], rows[1:]) for name, rows in sheets.items() if name != "about"
        }
    tables: Tables = {}
    for path in paths:
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            tables[_table_of(path)] = (rows[0], rows[1:])
        elif path.suffix in (".sav", ".dta"):
            frame, _ = (pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta)(str(path))
            tables[_table_of(path)] = (list(frame.columns), [list(r) for r in frame.itertuples(index=False)])
    return tables


def canonical(f: Field, value: Any, fmt: ExportFormat | None) -> str:
    """One form for a value from any file or from the records: "" missing, numbers as floats, ISO dates."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return ""
    if fmt in (ExportFormat.SPSS, ExportFormat.STATA) and f.type.coded and f.type is not FieldType.BOOLEAN:
        value = next(c.code for c in f.choices if c.number == value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if f.type.numeric or f.type is FieldType.BOOLEAN:
        return repr(float(value))
    return (
        unneutralised(str(value))
        if fmt in (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.R)
        else str(value)
    )


def _export(book: Casebook, fmt: ExportFormat, out: Path, **kw: Any) -> exports.ExportResult:
    return exports.export_data(book, fmt, out, **kw)


# ----------------------------------------------------------------- the codebook, both ways


@pytest.mark.parametrize("identified", [False, True], ids=["deidentified", "identified"])
@pytest.mark.parametrize("fmt", FILE_FORMATS, ids=lambda f: f.value)
def test_every_column_is_in_the_codebook_and_back(
    series: Casebook, tmp_path: Path, fmt: ExportFormat, identified: bool
) -> None:
    result = _export(series, fmt, tmp_path / "out", identified=identified)
    tables = read_back(fmt, result.written)
    assert set(tables) == {*TABLE_NAMES, "codebook"}
    header, rows = tables.pop("codebook")
    listed = [(str(r[0]), str(r[1])) for r in rows]
    in_files = [(name, column) for name, (columns, _) in tables.items() for column in columns]
    assert sorted(listed) == sorted(in_files)
    assert header == ["table", "field", "label", "type", "unit", "allowed_values", "derivation",
                      "deidentification", "description"]  # fmt: skip
    assert (IDENTIFIED_FIELD in tables["patients"][0]) is identified
    assert ("full_name" in tables["patients"][0]) is identified


@pytest.mark.parametrize("fmt", FILE_FORMATS, ids=lambda f: f.value)
def test_values_read_back_equal_the_records(series: Casebook, tmp_path: Path, fmt: ExportFormat) -> None:
    result = _export(series, fmt, tmp_path / "out", identified=True)
    tables = read_back(fmt, result.written)
    records = series.patient_records()
    checked = 0
    for name in TABLE_NAMES:
        header, rows = tables[name]
        t = table(name)
        by_key = {tuple(canonical(t.field(k), r[header.index(k)], fmt) for k in t.key): r for r in rows}
        for key, values in export_series.expected_rows(records, name, tuple(header)):
            found = by_key[tuple(canonical(t.field(k), v, None) for k, v in key.items())]
            for column, value in values.items():
                f = t.field(column)
                assert canonical(f, found[header.index(column)], fmt) == canonical(f, value, None), (
                    name,
                    column,
                )
                checked += 1
    assert checked > 2000


def test_partial_dates_and_days_in_a_csv(series: Casebook, tmp_path: Path) -> None:
    result = _export(series, ExportFormat.CSV, tmp_path / "out", identified=True)
    header, rows = read_back(ExportFormat.CSV, result.written)["patients"]
    diagnosis = {
        r[0]: (r[header.index("diagnosis_date")], r[header.index("diagnosis_date_precision")]) for r in rows
    }
    assert diagnosis["GEN-02"] == ("2015-02", "month")
    assert diagnosis["GEN-03"] == ("2015", "year")
    assert diagnosis["GEN-04"] == ("", "")  # missing: empty
    header, rows = read_back(ExportFormat.CSV, result.written)["assessments"]
    first = next(r for r in rows if r[0] == "GEN-01")
    assert (first[header.index("assessed_on")], first[header.index("assessed_on_day")]) == (
        "2021-02-20",
        "-9",
    )


@pytest.mark.parametrize("fmt", [ExportFormat.SPSS, ExportFormat.STATA], ids=lambda f: f.value)
def test_sav_and_dta_carry_variable_and_value_labels(
    series: Casebook, tmp_path: Path, fmt: ExportFormat
) -> None:
    result = _export(series, fmt, tmp_path / "out", identified=True)
    limit = 80 if fmt is ExportFormat.STATA else 255
    for path in (p for p in result.written if p.suffix in (".sav", ".dta")):
        name = _table_of(path)
        _, meta = (pyreadstat.read_sav if fmt is ExportFormat.SPSS else pyreadstat.read_dta)(str(path))
        assert "IDENTIFIED" in meta.file_label
        if name == "codebook":
            continue
        t = table(name)
        for column, label in zip(meta.column_names, meta.column_labels, strict=True):
            f = t.field(column)
            assert label == (f.label if len(f.label) <= limit else f.label[: limit - 1] + "…")
            if f.choices:
                assert meta.variable_value_labels[column] == {c.number: c.label for c in f.choices}
    subtype = table("patients").field("subtype")
    assert len(subtype.choices) == 10


# ----------------------------------------------------------------- formulas


def test_formula_cells_are_neutralised_in_csv_and_xlsx(series: Casebook, tmp_path: Path) -> None:
    for fmt in (ExportFormat.CSV, ExportFormat.XLSX):
        result = _export(series, fmt, tmp_path / fmt.value, identified=True)
        tables = read_back(fmt, result.written)
        tables.pop("codebook")
        texts = [
            row[n] for name, (header, rows) in tables.items() for n, column in enumerate(header)
            if not table(name).field(column).type.numeric for row in rows if isinstance(row[n], str)
        ]  # fmt: skip
        assert not [v for v in texts if v.startswith(FORMULA_STARTS)]
        assert '\'=HYPERLINK("http://x","click")' in texts
        assert "'-5 mg taper" in texts
    workbook = openpyxl.load_workbook(result.written[0])
    assert not [c for s in workbook.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"]


_one_table = (Field("t", "text", "Text", FieldType.TEXT), Field("t", "number", "Number", FieldType.DECIMAL))


def _data(text: str, number: float) -> exports.ExportData:
    t = ExportTable("patients", "T", _one_table, ((text, number),))
    empty = ExportTable("codebook", "Codebook", (), ())
    disclosure = Disclosure.of([], index_drug="upadacitinib", cutoff=date(2024, 1, 1))
    return exports.ExportData((t,), empty, (), disclosure, FileNames("t", False))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=30), number=st.floats(-1e300, 1e300))  # Excel holds up to ~1e308
def test_random_text_never_comes_back_as_a_formula(tmp_path: Path, text: str, number: float) -> None:
    data = _data(text, number)
    for path in tabular.write_csv(data, tmp_path, lambda *_: True)[:1]:
        with path.open(encoding="utf-8", newline="") as handle:
            back = list(csv.reader(handle))[1]
        assert not back[0].startswith(FORMULA_STARTS[:4])
        assert float(back[1]) == number
        if "\r" not in text:  # csv reads a lone carriage return as a line end
            assert unneutralised(back[0]) == text
    sheet = openpyxl.load_workbook(tabular.write_xlsx(data, tmp_path, lambda *_: True)[0])["patients"]
    cell, value = sheet["A2"], sheet["B2"]
    assert cell.data_type == "s"
    assert not cell.value.startswith(FORMULA_STARTS)
    controls = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text)
    shown = re.sub(r"\r\n?", "\n", controls)  # XML reads any line end as \n
    assert cell.value in (shown, "'" + shown)
    assert value.data_type == "n"
    assert math.isclose(value.value, number, rel_tol=1e-15)


def test_an_excel_cell_too_long_is_cut_and_says_so() -> None:
    text = tabular.excel_text("x" * 40_000)
    assert len(text) == tabular.EXCEL_CELL_LIMIT
    assert text.endswith("the CSV export holds all of it]")
    assert tabular.excel_text("a\x00b") == "a\ufffdb"


# ----------------------------------------------------------------- identifiers


def _all_text(fmt: ExportFormat, paths: tuple[Path, ...]) -> str:
    """Every text a file holds, read independently of the exporter's own check."""
    texts = [p.name for p in paths]
    for path in paths:
        if path.suffix in (".csv", ".txt", ".R"):
            texts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            texts += [book.properties.title or ""] + [s.title for s in book.worksheets]
            texts += [str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row]
        elif path.suffix in (".sav", ".dta"):
            frame, meta = (pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta)(str(path))
            texts += [meta.file_label or "", *meta.column_labels, *map(str, frame.to_numpy().ravel())]
            texts += [v for labels in meta.variable_value_labels.values() for v in labels.values()]
    return "\n".join(texts)


@pytest.mark.parametrize("fmt", FILE_FORMATS, ids=lambda f: f.value)
def test_a_deidentified_export_holds_no_identifier(
    leaky_book: Casebook, tmp_path: Path, fmt: ExportFormat
) -> None:
    result = _export(leaky_book, fmt, tmp_path / "out")
    text = _all_text(fmt, result.written)
    assert not leaks_in(text)
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text)  # no calendar date at all
    assert "[removed]-01" in text
    assert "IDENTIFIED" not in text


@pytest.mark.parametrize("fmt", FILE_FORMATS, ids=lambda f: f.value)
def test_an_identified_export_says_so_in_every_file(
    leaky_book: Casebook, tmp_path: Path, fmt: ExportFormat
) -> None:
    result = _export(leaky_book, fmt, tmp_path / "out", identified=True)
    for path in result.written:
        assert "IDENTIFIED" in path.name
        assert "IDENTIFIED" in _all_text(fmt, (path,)).replace(path.name, "")
    assert NAME in _all_text(fmt, result.written)


def test_a_leak_found_in_the_written_files_refuses_the_export(
    leaky_book: Casebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    data = exports.gather(leaky_book)
    leaked = exports.ExportData(data.tables, data.codebook, (*data.about, f"Prepared for {NAME}"), data.disclosure,
                                data.names)  # fmt: skip
    with pytest.raises(exports.LeakFound, match=r"about\.txt, line 7: name of SMITH-01"):
        exports.write(leaked, ExportFormat.CSV, out)
    assert list(out.iterdir()) == []  # nothing written, no staging folder left


def test_a_cancelled_export_writes_nothing(series: Casebook, tmp_path: Path) -> None:
    out = tmp_path / "out"
    seen: list[str] = []

    def progress(done: int, total: int, what: str) -> bool:
        seen.append(what)
        return not what.startswith("Writing photos")  # stopped half way through the workbook

    with pytest.raises(exports.ExportCancelled):
        exports.export_data(series, ExportFormat.XLSX, out, progress=progress)
    assert list(out.iterdir()) == []  # no file, no staging folder
    assert seen[0] == "Preparing patient 1 of 10"
    assert seen[-2:] == ["Writing adverse events", "Writing photos"]
    with pytest.raises(exports.ExportCancelled):  # stopped while the tables are built: no folder made
        exports.export_data(series, ExportFormat.CSV, tmp_path / "early", progress=lambda *_: False)
    assert not (tmp_path / "early").exists()


# ----------------------------------------------------------------- names, patients, formats


def test_xlsx_to_a_file_name_and_identified_names(series: Casebook, tmp_path: Path) -> None:
    plain = _export(series, ExportFormat.XLSX, tmp_path / "mine.xlsx")
    assert plain.written == (tmp_path / "mine.xlsx",)
    marked = _export(series, ExportFormat.XLSX, tmp_path / "mine.xlsx", identified=True)
    assert marked.written == (tmp_path / "mine-IDENTIFIED.xlsx",)
    folder = _export(series, ExportFormat.XLSX, tmp_path / "folder")
    assert [p.name for p in folder.written] == ["Test_series-data.xlsx"]
    assert openpyxl.load_workbook(folder.written[0]).sheetnames == ["about", *TABLE_NAMES, "codebook"]
    sheet = openpyxl.load_workbook(folder.written[0])["assessments"]
    assert sheet.freeze_panes == "A2"


def test_only_the_chosen_patients(series: Casebook, tmp_path: Path) -> None:
    result = _export(series, ExportFormat.CSV, tmp_path / "out", study_ids=["gen-02", "GEN-05"])
    tables = read_back(ExportFormat.CSV, result.written)
    assert [r[0] for r in tables["patients"][1]] == ["GEN-02", "GEN-05"]
    assert {r[0] for r in tables["assessments"][1]} == {"GEN-02", "GEN-05"}
    with pytest.raises(exports.ValidationError, match="No patient with study ID GEN-77"):
        _export(series, ExportFormat.CSV, tmp_path / "none", study_ids=["GEN-77"])
    assert not (tmp_path / "none").exists()


def test_the_r_script_reads_every_csv_with_the_codebook_factors(series: Casebook, tmp_path: Path) -> None:
    result = _export(series, ExportFormat.R, tmp_path / "out")
    text = next(p for p in result.written if p.suffix == ".R").read_text(encoding="utf-8")
    code = [line for line in text.splitlines() if not line.startswith("#")]
    assert all(line.isascii() for line in code)  # labels escaped: R reads the script in any locale
    for path in (p for p in result.written if p.suffix == ".csv"):
        assert f'myocase_read("{path.name}")' in text
    data = exports.gather(series)
    assert script(data) == text
    sex = table("patients").field("sex")
    assert ('d[["sex"]] <- factor(d[["sex"]], levels = c("F", "M", "X", "U"), '
            'labels = c("Female", "Male", "Other", "Not recorded"))') in text  # fmt: skip
    assert sex.choices[0].label == "Female"
    assert 'd[["serious"]] <- as.logical(as.integer(d[["serious"]]))' in text
    assert "\\u2013" in text  # "0–100" and other labels with non-ASCII characters are escaped


def test_redcap_is_wired_or_refused_cleanly(leaky_book: Casebook, tmp_path: Path) -> None:
    if not exports.available(ExportFormat.REDCAP):
        with pytest.raises(exports.ExportUnavailable, match="REDCap export is not available in this version"):
            _export(leaky_book, ExportFormat.REDCAP, tmp_path / "out")
        assert not (tmp_path / "out").exists()
        return
    result = _export(leaky_book, ExportFormat.REDCAP, tmp_path / "out")  # checked like every export
    assert result.written
    assert all(p.exists() and p.parent == tmp_path / "out" for p in result.written)
    assert not leaks_in(_all_text(ExportFormat.REDCAP, result.written))
    marked = _export(leaky_book, ExportFormat.REDCAP, tmp_path / "marked", identified=True)
    assert all("IDENTIFIED" in p.name for p in marked.written)


@pytest.mark.parametrize(
    "fmt", [ExportFormat.XLSX, ExportFormat.SPSS, ExportFormat.STATA], ids=lambda f: f.value
)
def test_the_leak_check_reads_workbooks_and_statistical_files(
    leaky_book: Casebook, tmp_path: Path, fmt: ExportFormat
) -> None:
    result = _export(leaky_book, fmt, tmp_path / "out", identified=True)
    scrubber = exports.gather(leaky_book).disclosure.scrubber
    scan = deid_check.scan(result.written, scrubber.find)
    assert not scan.skipped
    found = {f.path for f in scan.findings if f.hit.text == NAME}
    tables = [p for p in result.written if not p.stem.endswith(("codebook", "about"))]
    assert found >= (
        {tables[0]} if fmt is ExportFormat.XLSX else {p for p in tables if p.stem.endswith("patients")}
    )
    clean = _export(leaky_book, fmt, tmp_path / "clean")
    assert not deid_check.scan(clean.written, scrubber.find).findings
