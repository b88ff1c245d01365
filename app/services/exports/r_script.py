"""The R export: the CSV files plus ``read_myocase.R``, a script generated from the registry that reads
them into a list ``myocase`` with each column typed: choices as factors with their labels, booleans
as logicals, dates as ``Date``, numbers as numbers, and each column's label as its "label" attribute."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...domain.export_tables import ExportTable
from ...domain.field_defs import Field, FieldType
from .tabular import write_csv

if TYPE_CHECKING:
    from . import ExportData, Progress

PRELUDE = r"""
if (!exists("myocase_dir")) myocase_dir <- "."
myocase_read <- function(file) {
  utils::read.csv(file.path(myocase_dir, file), na.strings = "", colClasses = "character",
                  fileEncoding = "UTF-8", check.names = FALSE)
}
# Text cells that started with = + - or @ were written with a leading apostrophe (formula injection).
myocase_text <- function(x) sub("^'(?=[-=+@\\t\\r])", "", x, perl = TRUE)
myocase <- list()
"""


def r_string(text: str) -> str:
    """An R string literal of ``text``, ASCII only (anything else as \\u escapes)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif 32 <= code < 127:
            out.append(ch)
        else:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _vector(items: list[str]) -> str:
    return "c(" + ", ".join(r_string(i) for i in items) + ")"


def conversion(f: Field) -> str | None:
    """The R expression that types column ``x`` of field ``f`` (None: text kept as read)."""
    x = f"d[[{r_string(f.name)}]]"
    if f.type in (FieldType.CHOICE, FieldType.YES_NO_UNKNOWN):
        levels, labels = [c.code for c in f.choices], [c.label for c in f.choices]
        return f"factor({x}, levels = {_vector(levels)}, labels = {_vector(labels)})"
    if f.type is FieldType.BOOLEAN:
        return f"as.logical(as.integer({x}))"
    if f.type is FieldType.INTEGER:
        return f"as.integer({x})"
    if f.type is FieldType.DECIMAL:
        return f"as.numeric({x})"
    if f.type is FieldType.DATE:
        return f'as.Date({x}, format = "%Y-%m-%d")'
    return f"myocase_text({x})"


def table_code(table: ExportTable, file: str) -> list[str]:
    lines = [f"# {table.label}: {table.description}", f"d <- myocase_read({r_string(file)})"]
    for f in table.columns:
        x = f"d[[{r_string(f.name)}]]"
        converted = conversion(f)
        if converted is not None:
            lines.append(f"{x} <- {converted}")
        lines.append(f'attr({x}, "label") <- {r_string(f.label)}')
    lines.append(f"myocase[[{r_string(table.name)}]] <- d")
    return lines


def script(data: ExportData) -> str:
    """The whole script: a header of comments saying what the export is, then one block per table."""
    head = [f"# {data.names.script()}: reads this MyoCase data export into the list `myocase`."]
    head += [f"# {line}" for line in data.about]
    head += [
        f'# Use: source("{data.names.script()}") in this folder, or set myocase_dir to the folder first.'
    ]
    body = PRELUDE
    for table in (*data.tables, data.codebook):
        body += "\n" + "\n".join(table_code(table, data.names.table(table.name, ".csv"))) + "\n"
    return "\n".join(head) + "\n" + body


def write_r(data: ExportData, folder: Path, progress: Progress) -> list[Path]:
    written = write_csv(data, folder, progress)
    path = folder / data.names.script()
    path.write_text(script(data), encoding="utf-8")
    return [*written, path]
