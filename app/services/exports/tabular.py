"""CSV files and the XLSX workbook of a data export.

CSV: UTF-8, a header row of field names, one file per table plus the codebook and an about
note; missing values empty, dates ISO 8601, partial dates as written. XLSX (openpyxl, loaded
only here): an "about" sheet, one sheet per table named as the table, then the codebook; row 1
holds the field names and is frozen; numbers are numbers and dates are dates. In both, text
cells pass through ``export_tables.neutralised`` (formula injection).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...domain.export_tables import Cell, ExportTable, neutralised
from ...domain.numbers import readable

if TYPE_CHECKING:
    from . import ExportData, Progress

EXCEL_CELL_LIMIT = 32_767  # characters an Excel cell can hold
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML cannot carry


def number_text(value: float) -> str:
    """A number as CSV writes it: 12, 0.65 (shortest exact form)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def text_of(value: Cell) -> str:
    """A cell as CSV text: empty when missing, ISO dates, numbers as numbers, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return neutralised(value)


def _tables(data: ExportData) -> tuple[ExportTable, ...]:
    return (*data.tables, data.codebook)


def write_table_csv(table: ExportTable, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.header)
        writer.writerows([text_of(v) for v in row] for row in table.rows)
    return path


def write_about(data: ExportData, folder: Path) -> Path:
    path = folder / data.names.table("about", ".txt")
    path.write_text("\n".join(data.about) + "\n", encoding="utf-8")
    return path


def write_csv(data: ExportData, folder: Path, progress: Progress) -> list[Path]:
    """One CSV per table, the codebook, and the about note."""
    tables = _tables(data)
    written = []
    for n, table in enumerate(tables):
        progress(n, len(tables) + 1, f"Writing {table.label.lower()}")
        written.append(write_table_csv(table, folder / data.names.table(table.name, ".csv")))
    written.append(write_about(data, folder))
    progress(len(tables) + 1, len(tables) + 1, "Checking the files")
    return written


# ----------------------------------------------------------------- XLSX


def excel_text(text: str) -> str:
    """Text as a cell may hold it: neutralised, control characters shown as U+FFFD, and cut (saying
    so) at Excel's limit."""
    clean = _ILLEGAL.sub("\ufffd", neutralised(text))
    if len(clean) <= EXCEL_CELL_LIMIT:
        return clean
    note = (
        f" … [cut at {readable(EXCEL_CELL_LIMIT)} characters, Excel's limit: the CSV export holds all of it]"
    )
    return clean[: EXCEL_CELL_LIMIT - len(note)] + note


def _cells(sheet: Any, row: Iterable[Cell]) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for value in row:
        if isinstance(value, str):
            cells.append(excel_text(value))
        elif isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def _sheet(book: Any, table: ExportTable) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(table.name)
    sheet.freeze_panes = "A2"
    for n, name in enumerate(table.header, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = min(max(len(name) + 2, 10), 40)
    header = []
    for name in table.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append(_cells(sheet, row))


def write_xlsx(data: ExportData, folder: Path, progress: Progress) -> list[Path]:
    """One workbook: about, a sheet per table, the codebook."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.title = "MyoCase data export" + (" (IDENTIFIED)" if data.identified else "")
    book.properties.creator = "MyoCase"
    try:
        about = book.create_sheet("about")
        about.column_dimensions["A"].width = 120
        about.append(["about"])
        for line in data.about:
            about.append([excel_text(line)])
        tables = _tables(data)
        for n, table in enumerate(tables):
            progress(n, len(tables) + 1, f"Writing {table.label.lower()}")
            _sheet(book, table)
        path = folder / data.names.single(".xlsx")
        progress(len(tables), len(tables) + 1, "Saving the workbook")
        book.save(path)
    except BaseException:
        _abandon(book)
        raise
    progress(len(tables) + 1, len(tables) + 1, "Checking the files")
    return [path]


def _abandon(book: Any) -> None:
    """Close the sheets of a workbook that will not be saved and remove their temporary files."""
    for sheet in book.worksheets:
        with suppress(Exception):
            if not sheet.closed:
                sheet.close()
            sheet._writer.cleanup()  # openpyxl keeps each write-only sheet in a temporary file
