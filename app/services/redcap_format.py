"""REDCap's files as MyoCase reads them: a CSV as REDCap (or Excel after it) writes it, and the data dictionary.

A REDCap CSV is UTF-8, often with a byte-order mark, comma-separated unless the export chose another
delimiter, with line breaks inside quoted cells. The dictionary is the 18-column CSV of Project Setup →
Data Dictionary (or the API's metadata CSV, whose header is in snake case); ``Dictionary`` is its fields in
order, each with its REDCap type, choices and validation, and knows the columns a records file has for them
(``field___code`` for each choice of a checkbox). ``iso_date`` reads a date in the format a mapping gives.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..domain.validation import Problem, ValidationError

DICTIONARY_HEADER: tuple[str, ...] = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
)  # fmt: skip
API_HEADER: tuple[str, ...] = (
    "field_name", "form_name", "section_header", "field_type", "field_label", "select_choices_or_calculations",
    "field_note", "text_validation_type_or_show_slider_number", "text_validation_min", "text_validation_max",
    "identifier", "branching_logic", "required_field", "custom_alignment", "question_number",
    "matrix_group_name", "matrix_ranking", "field_annotation",
)  # fmt: skip
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
NAME_MAX = 100
FIELD_TYPES = frozenset(
    [
        "text",
        "notes",
        "dropdown",
        "radio",
        "checkbox",
        "yesno",
        "truefalse",
        "calc",
        "slider",
        "file",
        "descriptive",
        "sql",
    ]
)
CHOICE_TYPES = frozenset({"dropdown", "radio", "checkbox", "sql"})
IMPLICIT_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "yesno": (("1", "Yes"), ("0", "No")),
    "truefalse": (("1", "True"), ("0", "False")),
}
NO_DATA = frozenset({"descriptive"})  # types with no column in a records file
# Columns REDCap adds to a records file, with their header in a "labels" export.
SPECIAL_COLUMNS: dict[str, str] = {
    "redcap_event_name": "Event Name",
    "redcap_repeat_instrument": "Repeat Instrument",
    "redcap_repeat_instance": "Repeat Instance",
    "redcap_data_access_group": "Data Access Group",
    "redcap_survey_identifier": "Survey Identifier",
}
COMPLETE_SUFFIX = "_complete"
COMPLETE_LABEL = "Complete?"
DEFAULT_DATE_FORMAT = "YYYY-MM-DD"  # what REDCap's exports write, whatever a field's display order
DATE_FORMATS = (
    "YYYY-MM-DD",
    "DD/MM/YYYY",
    "MM/DD/YYYY",
    "DD-MM-YYYY",
    "MM-DD-YYYY",
    "DD.MM.YYYY",
    "YYYY/MM/DD",
)
DELIMITERS = (",", ";", "\t", "|", "^")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


class RedcapError(ValidationError):
    """A REDCap file or a mapping MyoCase cannot use; the message says which, where and how to fix it (a
    ``ValidationError``: the command line reports it as refused input)."""

    def __init__(self, message: str) -> None:
        super().__init__([Problem("redcap", message)])


def plain(text: str) -> str:
    """A label as a person reads it: HTML tags removed, runs of white space made one space."""
    return _SPACE.sub(" ", _TAG.sub(" ", text)).strip()


def folded(text: str) -> str:
    """A label or header for comparing: plain, any case, quotes as REDCap's older exports wrote them."""
    return plain(text).replace("'", "").replace('"', "").casefold()


def checkbox_column(field: str, code: str) -> str:
    """The records column of one checkbox choice: ``field___code`` (``-1`` becomes ``_1``)."""
    return f"{field}___{re.sub(r'[^a-z0-9_]', '_', code.lower())}"


def parse_choices(text: str) -> tuple[tuple[str, str], ...]:
    """``1, Yes | 2, No`` as (code, label) pairs; a choice without a comma is its own label."""
    parts = text.split("|") if "|" in text else text.splitlines()
    choices = []
    for part in parts:
        code, comma, label = part.partition(",")
        if code.strip():
            choices.append((code.strip(), label.strip() if comma else code.strip()))
    return tuple(choices)


@dataclass(frozen=True)
class DictField:
    """One row of a data dictionary."""

    name: str
    form: str
    type: str
    label: str  # as written (it may hold HTML)
    choices: tuple[tuple[str, str], ...] = ()
    validation: str = ""
    low: str = ""
    high: str = ""
    identifier: bool = False
    note: str = ""
    row: int = 0  # the dictionary's row, header = 1

    @property
    def checkbox(self) -> bool:
        return self.type == "checkbox"

    @property
    def columns(self) -> tuple[str, ...]:
        """This field's columns in a records file."""
        if self.type in NO_DATA:
            return ()
        if self.checkbox:
            return tuple(checkbox_column(self.name, code) for code, _ in self.choices)
        return (self.name,)

    def column_labels(self) -> tuple[str, ...]:
        """The same columns' headers in a "labels" export."""
        if self.checkbox:
            return tuple(f"{plain(self.label)} (choice={label})" for _, label in self.choices)
        return (plain(self.label),) if self.type not in NO_DATA else ()

    def code_of(self, text: str) -> str | None:
        """The choice code a cell means: the code itself (raw export) or its label (labels export)."""
        value = text.strip()
        for code, _ in self.choices:
            if code == value:
                return code
        wanted = folded(value)
        return next((code for code, label in self.choices if folded(label) == wanted), None)


@dataclass(frozen=True)
class Dictionary:
    source: str  # the file's name
    fields: tuple[DictField, ...]

    @property
    def record_id(self) -> str:
        """The record ID field: the first field of the first form."""
        return self.fields[0].name

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.form for f in self.fields))

    def field(self, name: str) -> DictField | None:
        return next((f for f in self.fields if f.name == name), None)

    def owner(self, column: str) -> tuple[DictField, str | None] | None:
        """The field a records column belongs to and, for a checkbox column, the choice's code."""
        field = self.field(column)
        if field is not None:
            return field, None
        name, sep, _ = column.partition("___")
        field = self.field(name) if sep else None
        if field is None or not field.checkbox:
            return None
        return next(
            ((field, code) for code, _ in field.choices if checkbox_column(name, code) == column), None
        )

    def expected_columns(self) -> list[tuple[str, str]]:
        """(name, header in a labels export) of every column a records file may have, in REDCap's order."""
        first = self.fields[0]
        columns = [(first.name, plain(first.label))]
        columns += list(SPECIAL_COLUMNS.items())
        for form in self.forms:
            for f in self.fields:
                if f.form == form and f is not first:
                    columns += list(zip(f.columns, f.column_labels(), strict=True))
            columns.append((form + COMPLETE_SUFFIX, COMPLETE_LABEL))
        return columns


# ----------------------------------------------------------------- reading a CSV


def read_csv(path: Path) -> list[list[str]]:
    """Every row of a REDCap CSV (the header first), as text; a file that is not one is refused."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RedcapError(f"{path.name} could not be read: {exc.strerror or exc}.") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RedcapError(
            f"{path.name}, line {line}: the file is not UTF-8 text, which is what REDCap exports. If it was "
            "opened and saved in Excel, save it again as “CSV UTF-8”."
        ) from None
    if not text.strip():
        raise RedcapError(f"{path.name} is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        raise RedcapError(f"{path.name}, row {len(rows) + 1}: the CSV cannot be read ({exc}).") from None
    return rows


def _delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate found most often outside quotes (comma on a tie)."""
    header = re.sub(r'"[^"]*"', "", text.split("\n", 1)[0])
    return max(DELIMITERS, key=lambda d: (header.count(d), d == ","))


def blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


# ----------------------------------------------------------------- the data dictionary


def dictionary_among(files: list[Path]) -> Path | None:
    """The first of ``files`` whose header is a data dictionary's (only the header line is read)."""
    for path in files:
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle), [])
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
        if is_dictionary(header):
            return path
    return None


def is_dictionary(header: list[str]) -> bool:
    first = folded(header[0]) if header else ""
    return first in (folded(DICTIONARY_HEADER[0]), API_HEADER[0])


def read_dictionary(path: Path) -> Dictionary:
    """A REDCap data dictionary (the 18-column CSV, or the API's metadata CSV)."""
    return parse_dictionary(path.name, read_csv(path))


def parse_dictionary(name: str, rows: list[list[str]]) -> Dictionary:
    """A dictionary from the rows of its file (``read_csv``)."""
    at = _dictionary_columns(name, rows[0])
    fields: list[DictField] = []
    for n, row in enumerate(rows[1:], start=2):
        if blank(row):
            continue
        fields.append(_dictionary_field(name, n, row + [""] * (len(rows[0]) - len(row)), at))
    if not fields:
        raise RedcapError(f"{name} holds no fields: export the data dictionary again from REDCap.")
    seen: dict[str, int] = {}
    for f in fields:
        if f.name in seen:
            raise RedcapError(f"{name}, row {f.row}: the field {f.name} is also on row {seen[f.name]}.")
        seen[f.name] = f.row
    return Dictionary(name, tuple(fields))


def _dictionary_columns(name: str, header: list[str]) -> dict[str, int]:
    """Where each of the 18 columns is (by REDCap's header text or the API's names)."""
    found = [folded(h) for h in header]
    at: dict[str, int] = {}
    for title, api in zip(DICTIONARY_HEADER, API_HEADER, strict=True):
        for name in (folded(title), api):
            if name in found:
                at[api] = found.index(name)
    missing = [t for t, a in zip(DICTIONARY_HEADER, API_HEADER, strict=True) if a not in at][:4]
    if any(a not in at for a in API_HEADER[:5]):
        raise RedcapError(
            f"{name} is not a REDCap data dictionary: its header lacks "
            f"{', '.join(f'“{m}”' for m in missing)}. Download it from REDCap: Project Setup → Data Dictionary."
        )
    return at


def _dictionary_field(source: str, n: int, row: list[str], at: dict[str, int]) -> DictField:
    def cell(name: str) -> str:
        return row[at[name]].strip() if name in at else ""

    name, kind = cell("field_name"), cell("field_type").lower()
    where = f"{source}, row {n}"
    if not NAME_PATTERN.match(name) or len(name) > NAME_MAX:
        raise RedcapError(
            f"{where}: “{name}” is not a REDCap field name (lower-case letters, digits and underscores, "
            f"starting with a letter, at most {NAME_MAX} characters)."
        )
    if kind not in FIELD_TYPES:
        raise RedcapError(f"{where}: the field {name} has the unknown type “{kind}”.")
    choices = IMPLICIT_CHOICES.get(kind, ())
    if kind in CHOICE_TYPES and kind != "sql":
        choices = parse_choices(cell("select_choices_or_calculations"))
        if not choices:
            raise RedcapError(f"{where}: the {kind} field {name} lists no choices.")
    return DictField(
        name, cell("form_name"), kind, cell("field_label"), choices,
        cell("text_validation_type_or_show_slider_number"), cell("text_validation_min"),
        cell("text_validation_max"), cell("identifier").lower() == "y", cell("field_note"), n,
    )  # fmt: skip


# ----------------------------------------------------------------- dates


def date_pattern(fmt: str) -> re.Pattern[str] | None:
    """A regular expression reading dates written as ``fmt`` (YYYY, MM and DD with - / or . between)."""
    tokens = re.fullmatch(r"(YYYY|MM|DD)([-/.])(YYYY|MM|DD)\2(YYYY|MM|DD)", fmt.strip().upper())
    if tokens is None or sorted(tokens.group(1, 3, 4)) != ["DD", "MM", "YYYY"]:
        return None
    parts = {"YYYY": r"(?P<y>\d{4})", "MM": r"(?P<m>\d{1,2})", "DD": r"(?P<d>\d{1,2})"}
    sep = re.escape(tokens.group(2))
    body = sep.join(parts[t] for t in tokens.group(1, 3, 4))
    return re.compile(rf"^\s*{body}(?:[ T]\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?\s*$")


def iso_date(text: str, fmt: str) -> str:
    """A date written as ``fmt`` as YYYY-MM-DD; the text as it is when it is not one (the import says why)."""
    pattern = date_pattern(fmt)
    match = pattern.match(text) if pattern else None
    if match is None:
        return text
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
    except ValueError:
        return text  # 31/02/2021: quoted as written in the import's message
