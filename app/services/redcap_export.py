"""The REDCap export: a data dictionary, the records in REDCap's flat format and how to build the project.

Written from the tidy tables (``domain/export_tables.py``) so that it leaves through the same
de-identification as every other export: the dictionary has exactly the columns the tables have.
The records file has the record ID, ``redcap_repeat_instrument`` and ``redcap_repeat_instance``,
then every field in dictionary order with ``{form}_complete`` after each form; a patient's row comes
first, then one row per instance of each repeating instrument.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..domain.export_tables import ExportTable
from ..domain.fields import IDENTIFIED_FIELD, SERIES, table
from .exports.naming import FALLBACK, MARK, FileNames
from .redcap_format import COMPLETE_SUFFIX, DICTIONARY_HEADER
from .redcap_own import FIRST_FORM, FORM_STATUS, PREFIXES, RECORD_ID, OwnField, own_fields

REPEAT_COLUMNS = ("redcap_repeat_instrument", "redcap_repeat_instance")
Progress = Callable[[int, int, str], object]


def identified(tables: Sequence[ExportTable]) -> bool:
    return any(IDENTIFIED_FIELD in t.header for t in tables)


def fields_of(tables: Sequence[ExportTable]) -> list[OwnField]:
    """The REDCap fields of exactly the columns these tables have."""
    return own_fields((t.name, t.columns) for t in tables)


def dictionary_rows(tables: Sequence[ExportTable]) -> list[tuple[str, ...]]:
    """The data dictionary: REDCap's header, then one row per field."""
    return [DICTIONARY_HEADER, *(f.dictionary_row() for f in fields_of(tables))]


def records_header(fields: Sequence[OwnField]) -> list[str]:
    header = [RECORD_ID, *REPEAT_COLUMNS]
    for form in dict.fromkeys(f.form for f in fields):
        header += [f.name for f in fields if f.form == form and not f.record_id]
        header.append(form + COMPLETE_SUFFIX)
    return header


def records_rows(tables: Sequence[ExportTable]) -> list[list[str]]:
    """The records file: its header, then each patient's row followed by their repeating instances. The series
    instrument (one row in MyoCase, no such form in REDCap) is filled in on every patient's row."""
    fields = fields_of(tables)
    header = records_header(fields)
    at = {name: n for n, name in enumerate(header)}
    by_patient: dict[str, list[list[str]]] = {}
    for t in tables:
        if t.name == SERIES:
            continue
        own = [f for f in fields if f.form == t.name and not f.record_id]
        where = [t.header.index(f.field.name) for f in own]
        sid = t.header.index(RECORD_ID)
        instances: dict[str, int] = {}
        for row in t.rows:
            study_id = str(row[sid])
            cells = [""] * len(header)
            cells[0] = study_id
            if t.name != FIRST_FORM:
                instances[study_id] = instance = instances.get(study_id, 0) + 1
                cells[1:3] = [t.name, str(instance)]
            for f, n in zip(own, where, strict=True):
                cells[at[f.name]] = f.to_redcap(row[n])
            cells[at[t.name + COMPLETE_SUFFIX]] = FORM_STATUS
            by_patient.setdefault(study_id, []).append(cells)
    _series_on_every_record(tables, fields, at, by_patient)
    return [header, *(row for rows in by_patient.values() for row in rows)]


def _series_on_every_record(
    tables: Sequence[ExportTable], fields: Sequence[OwnField], at: dict[str, int],
    by_patient: dict[str, list[list[str]]],
) -> None:  # fmt: skip
    """The series row's cells on each record's first (non-repeating) row."""
    series = next((t for t in tables if t.name == SERIES and t.rows), None)
    if series is None:
        return
    own = [f for f in fields if f.form == SERIES]
    cells = [(at[f.name], f.to_redcap(series.rows[0][series.header.index(f.field.name)])) for f in own]
    for rows in by_patient.values():
        first = rows[0]
        for n, text in cells:
            first[n] = text
        first[at[SERIES + COMPLETE_SUFFIX]] = FORM_STATUS


def _write(path: Path, rows: Iterable[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def export_redcap(
    tables: Sequence[ExportTable], folder: Path, *, names: FileNames | None = None,
    about: Sequence[str] = (), progress: Progress | None = None,
) -> list[Path]:  # fmt: skip
    """Write the data dictionary, the records and the instructions into ``folder``; the paths written."""
    marked = identified(tables)
    names = names or FileNames(f"{FALLBACK}-{MARK}" if marked else FALLBACK, marked)
    dictionary = folder / names.table("redcap_dictionary", ".csv")
    records = folder / names.table("redcap_records", ".csv")
    instructions = folder / names.table("redcap_instructions", ".txt")
    steps = (
        (dictionary, "the data dictionary"),
        (records, "the records"),
        (instructions, "the instructions"),
    )
    for n, (path, what) in enumerate(steps):
        if progress is not None:
            progress(n, len(steps) + 1, f"Writing {what}")
        if path is dictionary:
            _write(path, dictionary_rows(tables))
        elif path is records:
            _write(path, records_rows(tables))
        else:
            text = instructions_text(tables, dictionary.name, records.name, about)
            path.write_text(text, encoding="utf-8")
    if progress is not None:
        progress(len(steps), len(steps) + 1, "Checking the files")
    return [dictionary, records, instructions]


def instructions_text(
    tables: Sequence[ExportTable], dictionary: str, records: str, about: Sequence[str]
) -> str:
    """How to build the REDCap project from the dictionary and load the records, and what is where."""
    repeating = [t.name for t in tables if table(t.name).repeating]
    prefixes = ", ".join(f"{PREFIXES[name]}_ = {name}" for name in repeating)
    state = (
        "IDENTIFIED export: it holds names, record numbers, dates of birth and real dates. Keep it, and the "
        "REDCap project built from it, as the patient record itself."
        if identified(tables)
        else "De-identified export: names, record numbers and dates of birth left out, free text cleaned, "
        "time as days from each patient's day 0 (the …_day fields). Real dates are not in it."
    )
    lines = [
        "MyoCase REDCap export: a data dictionary and the records that import into a project built from it.",
        state,
        *about[:1],
        "",
        "FILES",
        f"  {dictionary}: the data dictionary (REDCap's 18 columns), one instrument per table.",
        f"  {records}: the records in REDCap's flat format (raw codes, dates as YYYY-MM-DD).",
        "",
        "BUILDING THE PROJECT",
        "  1. REDCap → New Project: a classic project (not longitudinal), started empty.",
        f"  2. Project Setup → Data Dictionary: upload {dictionary} and commit the changes.",
        "  3. Project Setup → Enable optional modules and customizations → Repeating instruments and events:",
        f"     enable it and tick these instruments as repeating: {', '.join(repeating)}.",
        f"  4. Data Import Tool: upload {records} (CSV, records in rows, date format YYYY-MM-DD, comma-separated).",
        "",
        "WHAT IS WHERE",
        f"  The record ID is {RECORD_ID}, the patient's study ID. The patients instrument comes first; the fields",
        f"  of the repeating instruments carry their instrument's prefix ({prefixes}).",
        "  Coded fields hold numbers; the dictionary lists each number's label. Yes/no fields hold 1 or 0.",
        "  REDCap has no partial dates: a date known only to the month or the year is written as the first",
        "  day of that period, and its …_precision field says whether it is known to the day, month or year.",
        "  Fields computed by MyoCase (derived scores, days from day 0) are marked @READONLY.",
        f"  The {SERIES} instrument holds the series' settings (name, cut-off, index drug, analysis settings):",
        "  REDCap has no one-per-project form, so every record carries the same values; MyoCase reads them back.",
        f"  Every form is marked Unverified ({{form}}_complete = {FORM_STATUS}): the data were entered in MyoCase.",
        "",
        "BACK INTO MYOCASE",
        "  Export the records from REDCap as CSV (raw or labels) together with the data dictionary, then",
        "  File → Import… or: myocase import --format redcap DICTIONARY.csv RECORDS.csv",
        "  A project built from this dictionary maps by itself; any other project needs a mapping file.",
    ]
    return "\n".join(lines) + "\n"
