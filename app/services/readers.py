"""Spreadsheet readers for the import: MyoCase's own data export as CSV files (one per table) or an XLSX workbook
(one sheet per table), turned into ``imports.SourceRow``s, with a problem for whatever cannot be read.

A file or sheet is named after its table ("patients.csv", "Demo-IDENTIFIED-patients.csv", sheet "patients");
row 1 holds the field names (any case). CSV: UTF-8 with or without a byte-order mark, quoted line breaks.
XLSX (openpyxl, read-only): numbers, dates and yes/no cells as they are typed; a formula is refused (its value
may differ from what the sheet shows). Text cells an export neutralised against formula injection ("'=…") are
read back as written. Rows with no value at all are skipped; row numbers stay those of the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..domain.export_tables import unneutralised
from ..domain.fields import TABLES
from ..domain.imports import NOT_IMPORTED, RowProblem, SourceRow
from .exports.tabular import number_text

Progress = Callable[[int, int, str], bool]  # (done, total, what) -> False to stop
CSV_FIELD_LIMIT = 2**31 - 1  # a free-text cell of any length (the csv module stops at 128 KiB by default)
KNOWN = {t.name for t in TABLES} | set(NOT_IMPORTED)


class ReadCancelled(Exception):
    """The user stopped the reading; nothing was imported."""


@dataclass
class ReadResult:
    """What the files hold: rows in file order, problems of files, headers or cells, and notes."""

    rows: list[SourceRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def extend(self, other: ReadResult) -> None:
        self.rows += other.rows
        self.problems += other.problems
        self.notes += other.notes


def table_of(stem: str) -> str | None:
    """The table a file is named after: "patients", "Demo_series-IDENTIFIED-patients" → "patients"."""
    for name in (stem, stem.rsplit("-", 1)[-1]):
        if name.strip().casefold() in KNOWN:
            return name.strip().casefold()
    return None


def expand(paths: Iterable[Path], suffix: str) -> list[Path]:
    """The files named, a folder standing for the files in it with ``suffix``."""
    out: list[Path] = []
    for path in paths:
        out += sorted(p for p in path.iterdir() if p.suffix.casefold() == suffix) if path.is_dir() else [path]
    return out


def _checked(progress: Progress | None, done: int, total: int, what: str) -> None:
    if progress is not None and not progress(done, total, what):
        raise ReadCancelled("Import cancelled: nothing was imported.")


# ----------------------------------------------------------------- one table: a header and rows of text


def table_rows(source: str, table: str, rows: Iterator[tuple[int, list[str | None]]]) -> ReadResult:
    """``(row number, cells)`` pairs, the first being the header, as ``SourceRow``s of ``table``."""
    result = ReadResult()
    first = next(rows, None)
    if first is None:
        result.notes.append(f"{source}: empty, nothing to read.")
        return result
    header = [(cell or "").strip() for cell in first[1]]
    names = [h.casefold() for h in header]
    duplicated = sorted({h for h, n in zip(header, names, strict=True) if n and names.count(n) > 1})
    if duplicated:
        result.problems += [
            RowProblem(source, 1, h, "appears twice in the header: keep one") for h in duplicated
        ]
        return result
    columns = {n: h for n, h in zip(names, header, strict=True) if n}
    for number, cells in rows:
        _row(result, source, table, number, cells, names, columns)
    return result


def _row(
    result: ReadResult, source: str, table: str, number: int, cells: list[str | None], names: list[str],
    columns: dict[str, str],
) -> None:  # fmt: skip
    if all(cell is None or not cell.strip() for cell in cells):
        return
    extra = [n for n, cell in enumerate(cells) if (n >= len(names) or not names[n]) and cell and cell.strip()]
    if extra:
        where = f"column {extra[0] + 1} has a value but no name in the header"
        result.problems.append(RowProblem(source, number, "", f"{where}: name the column or empty it"))
        return
    values = {name: (cells[n] if n < len(cells) else None) for n, name in enumerate(names) if name}
    result.rows.append(SourceRow(source, number, table, values, columns))


# ----------------------------------------------------------------- CSV


def read_csv(paths: Sequence[Path], progress: Progress | None = None) -> ReadResult:
    """Each CSV file as the table its name says (folders: every .csv in them)."""
    files = expand(paths, ".csv")
    result = ReadResult()
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    for n, path in enumerate(files):
        _checked(progress, n, len(files), f"Reading {path.name}")
        result.extend(_csv_file(path))
    _checked(progress, len(files), len(files), "Read")
    return result


def _csv_file(path: Path) -> ReadResult:
    name = path.name
    table = table_of(path.stem)
    if path.suffix.casefold() != ".csv":
        return ReadResult(notes=[f"{name}: not read: not a CSV file."])
    if table is None:
        return _not_a_table(name)
    if table in ("codebook", "about"):
        return ReadResult(notes=[f"{name}: not read: {NOT_IMPORTED[table]}."])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"is not UTF-8 text (byte {exc.start + 1}): save it as “CSV UTF-8” and import it again"
        return ReadResult(problems=[RowProblem(name, 0, "", reason)])
    try:
        numbered = list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    except csv.Error as exc:
        return ReadResult(problems=[RowProblem(name, 0, "", f"is not a readable CSV file ({exc})")])
    return table_rows(name, table, _csv_rows(numbered))


def _csv_rows(numbered: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str | None]]]:
    for n, cells in numbered:
        yield n, [unneutralised(cell) for cell in cells]


def _not_a_table(name: str) -> ReadResult:
    tables = ", ".join(t.name for t in TABLES if t.name not in NOT_IMPORTED)
    reason = f"is not named after a table: name it TABLE.csv or …-TABLE.csv, TABLE being one of {tables}"
    return ReadResult(problems=[RowProblem(name, 0, "", reason)])


# ----------------------------------------------------------------- XLSX


def read_xlsx(paths: Sequence[Path], progress: Progress | None = None) -> ReadResult:
    """Every sheet of each workbook named after a table (folders: every .xlsx in them)."""
    files = expand(paths, ".xlsx")
    result = ReadResult()
    for n, path in enumerate(files):
        _checked(progress, n, len(files), f"Reading {path.name}")
        result.extend(_workbook(path, progress))
    _checked(progress, len(files), len(files), "Read")
    return result


def _workbook(path: Path, progress: Progress | None) -> ReadResult:
    from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (
        Exception
    ) as exc:  # openpyxl raises zip, XML and key errors of every kind for a file it cannot read
        reason = f"cannot be read as an Excel workbook (.xlsx): {exc or type(exc).__name__}"
        return ReadResult(problems=[RowProblem(path.name, 0, "", reason)])
    result = ReadResult()
    try:
        for sheet in book.worksheets:
            _checked(progress, 0, 1, f"Reading {path.name}, sheet {sheet.title}")
            result.extend(_sheet(path.name, sheet))
    finally:
        book.close()
    return result


def _sheet(file: str, sheet: Any) -> ReadResult:
    source = f"{file}[{sheet.title}]"
    table = table_of(sheet.title)
    if table is None:
        return ReadResult(notes=[f"{source}: not read: the sheet is not named after a table."])
    if table in NOT_IMPORTED:
        return ReadResult(notes=[f"{source}: not read: {NOT_IMPORTED[table]}."])
    formulas: list[RowProblem] = []
    result = table_rows(source, table, _sheet_rows(source, sheet, formulas))
    result.problems = formulas + result.problems
    return result


def _sheet_rows(
    source: str, sheet: Any, formulas: list[RowProblem]
) -> Iterator[tuple[int, list[str | None]]]:
    header: list[str] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values: list[str | None] = []
        for n, cell in enumerate(cells):
            if getattr(cell, "data_type", None) == "f":
                column = header[n] if n < len(header) else f"column {n + 1}"
                reason = "holds a formula: MyoCase imports values; replace it by its value (Paste special → Values)"
                formulas.append(RowProblem(source, number, column, reason))
                values.append(None)
            else:
                values.append(cell_text(cell.value))
        if number == 1:
            header = [v or "" for v in values]
        yield number, values


def cell_text(value: Any) -> str | None:
    """A typed cell as the text the import parses: numbers as written, dates ISO, yes/no as 1/0."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return unneutralised(str(value))
