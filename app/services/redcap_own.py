"""MyoCase's own REDCap project: the field registry as REDCap fields, and each cell both ways.

One instrument per registry table (form name = table name); the record ID is ``study_id`` (the patients
form comes first); every other table is a repeating instrument. REDCap field names are unique in a
project, so a field of a repeating table carries its table's prefix (``rx_start``, ``as_ck``, ``ae_grade``);
the patients form keeps the registry names. Choices are coded by their number (``Choice.number``), as
REDCap codes usually are; yes/no fields are REDCap's ``yesno``. REDCap has no partial dates: a partial
date is written as the first day of its period (a ``date_ymd`` field) and its ``…_precision`` dropdown
says to what it is known; the import puts the two back together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.dates import PartialDate, Precision
from ..domain.export_tables import Cell, unneutralised
from ..domain.field_defs import Field, FieldType
from ..domain.fields import SERIES, TABLES
from .exports.tabular import number_text, text_of
from .redcap_format import DICTIONARY_HEADER, DictField, Dictionary

RECORD_ID = "study_id"
FIRST_FORM = "patients"
PREFIXES: dict[str, str] = {
    "patients": "", "antibodies": "ab", "medication_courses": "rx", "assessments": "as",
    "adverse_events": "ae", "photos": "photo", "phases": "phase", "series": "series",
}  # fmt: skip
RADIO_MAX = 4  # choices shown as radio buttons up to this many, as a drop-down list above
FORM_STATUS = "1"  # {form}_complete of the records written: 1 = Unverified (entered elsewhere)
READ_ONLY = "@READONLY"
# Names REDCap keeps for itself (its own columns and words of its data entry pages).
RESERVED = frozenset(
    [
        "record",
        "event_id",
        "arm",
        "instance",
        "action",
        "submit",
        "hidden_edit_flag",
        "pid",
        "id",
        "event",
        "instrument",
        "page",
    ]
)


def redcap_name(table: str, name: str) -> str:
    """The REDCap field name of registry column ``table.name``."""
    prefix = PREFIXES[table]
    if not prefix or name == RECORD_ID or name.startswith(prefix + "_"):
        return name
    return f"{prefix}_{name}"


@dataclass(frozen=True)
class OwnField:
    """A registry column as a REDCap field: its REDCap name, its form (the table) and the column."""

    name: str
    form: str
    field: Field

    @property
    def record_id(self) -> bool:
        return self.name == RECORD_ID

    @property
    def redcap_type(self) -> str:
        f = self.field
        if f.type is FieldType.BOOLEAN:
            return "yesno"
        if f.choices:
            return "radio" if len(f.choices) <= RADIO_MAX else "dropdown"
        return "notes" if f.type is FieldType.NOTES else "text"

    @property
    def validation(self) -> str:
        f = self.field
        if f.choices or f.type.free_text or f.type is FieldType.BOOLEAN:
            return ""
        if f.type in (FieldType.DATE, FieldType.PARTIAL_DATE):
            return "date_ymd"
        if f.type is FieldType.INTEGER:
            return "integer"
        if f.derived and f.decimals in (1, 2):  # computed at that precision: always written with it
            return f"number_{f.decimals}dp"
        return "number"

    @property
    def choices_text(self) -> str:
        return (
            " | ".join(f"{c.number}, {c.label}" for c in self.field.choices)
            if self.redcap_type != "yesno"
            else ""
        )

    @property
    def note(self) -> str:
        f, parts = self.field, []
        if f.unit:
            parts.append(f"Unit: {f.unit}.")
        if f.type is FieldType.PARTIAL_DATE:
            precision = redcap_name(self.form, f"{f.name}_precision")
            parts.append(
                f"REDCap has no partial dates: the first day of the period known; {precision} says whether "
                "the date is known to the day, the month or the year."
            )
        if self.record_id:
            parts.append("The record ID: the patient's study ID.")
        elif f.derived and f.derivation and self.form != SERIES:
            parts.append(f"Computed by MyoCase: {f.derivation}")
        elif f.derived and f.derivation:
            parts.append(f.derivation)
        elif f.help:
            parts.append(f.help)
        return " ".join(parts)

    def dictionary_row(self) -> tuple[str, ...]:
        """The field's row of the data dictionary, in ``DICTIONARY_HEADER`` order."""
        f = self.field
        ranged = self.validation in ("integer", "number") and f.low is not None and f.high is not None
        low, high = (number_text(f.low), number_text(f.high)) if ranged else ("", "")  # type: ignore[arg-type]
        computed = (f.derived and self.form != SERIES) or f.meta
        annotation = READ_ONLY if computed and not self.record_id else ""
        row = (
            self.name, self.form, "", self.redcap_type, f.label, self.choices_text, self.note, self.validation,
            low, high, "y" if f.identifies else "", "", "", "", "", "", "", annotation,
        )  # fmt: skip
        assert len(row) == len(DICTIONARY_HEADER)
        return row

    # ------------------------------------------------------------- cells both ways

    def to_redcap(self, value: Cell) -> str:
        """A tidy table's cell as the REDCap records file holds it."""
        f = self.field
        if value is None:
            return ""
        if f.choices:
            choice = f.choice(str(value))
            return str(choice.number) if choice is not None else text_of(value)
        if f.type is FieldType.PARTIAL_DATE and isinstance(value, str):
            return PartialDate.parse(value).earliest().isoformat()
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.validation.endswith("dp"):
                return f"{float(value):.{f.decimals}f}"
            text = text_of(value)  # REDCap's number validation takes no exponent: 1e-05 as 0.00001
            return format(Decimal(text), "f") if "e" in text.lower() else text
        return text_of(value)

    def from_redcap(self, text: str) -> str:
        """A REDCap cell (raw code) as MyoCase's own CSV export writes it: codes for choices, text as typed."""
        f = self.field
        if f.choices:
            choice = next((c for c in f.choices if str(c.number) == text.strip()), None)
            return choice.code if choice is not None else text
        if f.type.free_text:
            return unneutralised(text)
        return text


def own_fields(tables: Iterable[tuple[str, Sequence[Field]]]) -> list[OwnField]:
    """The REDCap fields of these tables' columns, in dictionary order (the record ID first)."""
    result = []
    for table, columns in tables:
        for f in columns:
            if f.name == RECORD_ID and table != FIRST_FORM:
                continue
            result.append(OwnField(redcap_name(table, f.name), table, f))
    return result


def all_own_fields() -> list[OwnField]:
    """Every column of every registry table as a REDCap field (an identified export's dictionary)."""
    return own_fields((t.name, t.columns(True)) for t in TABLES)


def own_dictionary() -> Dictionary:
    """MyoCase's REDCap dictionary (identified), for a records file given without its dictionary."""
    fields = tuple(
        DictField(
            f.name,
            f.form,
            f.redcap_type,
            f.field.label,
            tuple((str(c.number), c.label) for c in f.field.choices),
            f.validation,
        )
        for f in all_own_fields()
    )
    return Dictionary("MyoCase's REDCap dictionary", fields)


def joined_partial(day: str, precision: str) -> str:
    """A partial date put back together from REDCap's first day and its precision (as MyoCase writes it:
    "2019", "2019-03", "2019-03-14"); the day as it was when the two do not make a date."""
    try:
        first = date.fromisoformat(day.strip())
        return str(PartialDate(first, Precision(precision.strip() or Precision.DAY.value)))
    except ValueError:
        return day
