"""SPSS (.sav) and Stata (.dta) files of a data export: one per table plus the codebook, with variable
labels, value labels and a file label (pyreadstat with pandas, loaded only here).

Coded columns hold each choice's ``number`` with its label as the value label (Stata labels only
whole numbers); numbers are doubles, dates are dates (identified exports), partial dates and text
are strings. Stata caps labels at 80 characters: longer ones are cut with an ellipsis.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...domain.export_tables import ExportTable
from ...domain.field_defs import Field, FieldType

if TYPE_CHECKING:
    from . import ExportData, Progress

STATA_LABEL = 80
SPSS_LABEL = 255


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def numbers(f: Field, values: list[Any]) -> list[float]:
    """A coded or numeric column as doubles (NaN missing): a choice's code becomes its number."""
    if f.choices and f.type.coded:
        by_code = {c.code: c.number for c in f.choices}
        return [math.nan if v is None else float(by_code[str(v)]) for v in values]
    return [math.nan if v is None else float(v) for v in values]


def _column(f: Field, values: list[Any]) -> tuple[list[Any], type, bool]:
    """(values, dtype, whether a date) of one column."""
    if f.type.numeric or f.type.coded:
        return numbers(f, values), float, False
    if f.type is FieldType.DATE:
        if all(v is None for v in values):  # a column of dates all missing must still be numeric
            return [math.nan] * len(values), float, True
        return [math.nan if v is None else v for v in values], object, True
    return ["" if v is None else str(v) for v in values], object, False


def frame(table: ExportTable, label_limit: int, date_format: str) -> tuple[Any, dict[str, Any]]:
    """The table as a pandas data frame and the keyword arguments that label it."""
    import pandas as pd

    columns: dict[str, Any] = {}
    formats: dict[str, str] = {}
    value_labels: dict[str, dict[float, str]] = {}
    for n, f in enumerate(table.columns):
        values, dtype, is_date = _column(f, [row[n] for row in table.rows])
        columns[f.name] = pd.Series(values, dtype=dtype)
        if is_date:
            formats[f.name] = date_format
        if f.choices:
            value_labels[f.name] = {c.number: _short(c.label, 32_000) for c in f.choices}
    labels = [_short(f.label, label_limit) for f in table.columns]
    data = pd.DataFrame(columns, columns=list(table.header))
    return data, {"column_labels": labels, "variable_value_labels": value_labels, "variable_format": formats}


def _file_label(data: ExportData, table: ExportTable, limit: int) -> str:
    state = "IDENTIFIED" if data.identified else "de-identified"
    return _short(f"MyoCase {table.name} ({state})", limit)


def _write_all(
    data: ExportData, folder: Path, progress: Progress, suffix: str,
    write: Callable[[ExportTable, Path, str], None],
) -> list[Path]:  # fmt: skip
    from .tabular import write_about

    tables = (*data.tables, data.codebook)
    written = []
    for n, table in enumerate(tables):
        progress(n, len(tables) + 1, f"Writing {table.label.lower()}")
        path = folder / data.names.table(table.name, suffix)
        write(table, path, _file_label(data, table, STATA_LABEL))
        written.append(path)
    written.append(write_about(data, folder))
    progress(len(tables) + 1, len(tables) + 1, "Checking the files")
    return written


def write_sav(data: ExportData, folder: Path, progress: Progress) -> list[Path]:
    import pyreadstat

    def write(table: ExportTable, path: Path, label: str) -> None:
        frame_, labels = frame(table, SPSS_LABEL, "SDATE10")
        pyreadstat.write_sav(frame_, str(path), file_label=label, **labels)

    return _write_all(data, folder, progress, ".sav", write)


def write_dta(data: ExportData, folder: Path, progress: Progress) -> list[Path]:
    import pyreadstat

    def write(table: ExportTable, path: Path, label: str) -> None:
        frame_, labels = frame(table, STATA_LABEL, "%td")
        pyreadstat.write_dta(frame_, str(path), file_label=label, **labels)

    return _write_all(data, folder, progress, ".dta", write)
