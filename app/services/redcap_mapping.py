"""Which REDCap field is which MyoCase field: the mapping file, checked against the project's dictionary.

A mapping file (YAML or JSON) reads::

    myocase_mapping: 1                 # the format's version
    record_id: record_id               # the REDCap field that names the record (default: the first field)
    date_format: YYYY-MM-DD            # how the records file writes dates (also DD/MM/YYYY, MM/DD/YYYY…)
    instruments:                       # REDCap form → MyoCase table its fields go to when `to` names no table
      visit: assessments
    events:                            # REDCap event → the MyoCase tables its rows may fill, or skip
      screening_arm_1: skip
    fields:                            # REDCap field (or one checkbox column, field___code) → MyoCase field
      dob: patients.date_of_birth
      sex: {to: patients.sex, choices: {"1": F, "2": M}}
      visit_dt: {to: assessments.assessed_on, date_format: DD/MM/YYYY}

It is read without YAML's implicit typing (``1`` and ``yes`` stay text) and checked whole: every key,
REDCap field, MyoCase field, choice and date format wrong in it is named with its line. A project built
from MyoCase's own dictionary needs no file (``own_mapping``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]

from ..domain.field_defs import Choice, Field, FieldType
from ..domain.fields import TABLES_BY_NAME
from ..domain.imports import IMPORTED_TABLES, read_only_field
from .redcap_format import DATE_FORMATS, DEFAULT_DATE_FORMAT, Dictionary, RedcapError, date_pattern, folded
from .redcap_own import FIRST_FORM, PREFIXES, RECORD_ID, all_own_fields

VERSION = "1"
SKIP = "skip"
TOP_KEYS = ("myocase_mapping", "record_id", "date_format", "instruments", "events", "fields")
FIELD_KEYS = ("to", "choices", "date_format")
CHECKED = (("1", "Checked"), ("0", "Unchecked"))  # the two values of one checkbox column
Where = tuple[str, ...]


@dataclass(frozen=True)
class FieldMap:
    """One REDCap column (a field, a whole checkbox field, or one box ``field___code``) → a MyoCase field."""

    column: str
    table: str
    field: str
    choices: dict[str, str | None] = dataclasses.field(
        default_factory=dict
    )  # REDCap code → MyoCase code (None: not recorded)
    date_format: str = DEFAULT_DATE_FORMAT

    @property
    def target(self) -> Field:
        return TABLES_BY_NAME[self.table].field(self.field)


@dataclass(frozen=True)
class Mapping:
    record_id: str
    fields: tuple[FieldMap, ...]
    events: dict[str, tuple[str, ...]] = dataclasses.field(
        default_factory=dict
    )  # event → tables it fills (empty: skip)
    own: bool = False  # a project built from MyoCase's own dictionary (its text was neutralised by MyoCase)
    source: str = ""
    date_format: str = DEFAULT_DATE_FORMAT  # the file's own (a field may have another)

    def tables_of(self, event: str) -> tuple[str, ...] | None:
        """The tables rows of ``event`` may fill (None: any). A labels export names events by their label
        ("Week 24", "Week 24 (Arm 1: Arm A)"): it matches the unique name REDCap made of it (week_24_arm_1)."""
        if event in self.events:
            return self.events[event]
        wanted = event_stem(event)
        return next((tables for name, tables in self.events.items() if event_stem(name) == wanted), None)


def event_stem(event: str) -> str:
    """An event's unique name or label without its arm, as REDCap makes unique names: "week_24"."""
    label = re.sub(r"\s*\(arm \d+[^)]*\)\s*$", "", event.strip(), flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")
    return re.sub(r"_arm_\d+$", "", slug)[:18]


# ----------------------------------------------------------------- what a REDCap field may become


def targets() -> list[Field]:
    """The MyoCase fields an import stores, table by table (what a REDCap field may be mapped to)."""
    return [
        f for name in IMPORTED_TABLES for f in TABLES_BY_NAME[name].fields
        if not read_only_field(f) and (name == FIRST_FORM or f.name != RECORD_ID)
    ]  # fmt: skip


def auto_choices(source: Sequence[tuple[str, str]], target: Field) -> dict[str, str | None]:
    """REDCap choices matched to MyoCase's by code or label (any case): those that match."""
    result: dict[str, str | None] = {}
    for code, label in source:
        match = _choice(target, code) or _choice(target, label)
        if match is not None:
            result[code] = match.code
    return result


def _choice(target: Field, text: str) -> Choice | None:
    wanted = folded(text)
    return next((c for c in target.choices if wanted in (folded(c.code), folded(c.label))), None)


def box_choices(target: Field) -> dict[str, str | None]:
    """One checkbox column into a yes/no field: ticked is yes, unticked is not recorded (not "no")."""
    yes = _choice(target, "1") if target.type is FieldType.BOOLEAN else _choice(target, "yes")
    return {"1": yes.code if yes else "1", "0": None}


def source_choices(dictionary: Dictionary, column: str) -> tuple[tuple[str, str], ...]:
    owner = dictionary.owner(column)
    if owner is None:
        return ()
    dfield, code = owner
    return CHECKED if code is not None else dfield.choices


# ----------------------------------------------------------------- MyoCase's own project


def is_own(dictionary: Dictionary) -> bool:
    """Whether the project was built from MyoCase's REDCap dictionary (record ID study_id, MyoCase's forms)."""
    first = dictionary.fields[0]
    return first.name == RECORD_ID and first.form == FIRST_FORM and set(dictionary.forms) <= set(PREFIXES)


def own_mapping(dictionary: Dictionary, columns: Iterable[str] = ()) -> Mapping:
    """The mapping of a project built from MyoCase's dictionary: every field of it by its own name."""
    present = {f.name for f in dictionary.fields} | set(columns)
    fields = tuple(
        FieldMap(f.name, f.form, f.field.name, {str(c.number): c.code for c in f.field.choices})
        for f in all_own_fields()
        if f.name in present and f.form in IMPORTED_TABLES and not (f.record_id and f.form != FIRST_FORM)
    )
    return Mapping(RECORD_ID, fields, own=True)


# ----------------------------------------------------------------- reading a mapping file


class _Document:
    """A mapping file as plain text values (no implicit typing), with the line of every key."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RedcapError(f"The mapping file {path.name} could not be read: {exc}.") from None
        if path.suffix.lower() == ".json":
            try:
                json.loads(text)
            except json.JSONDecodeError as exc:
                raise RedcapError(f"{path.name}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
        self.lines: dict[Where, int] = {}
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f", line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or exc
            raise RedcapError(f"{path.name}{line}: not a valid mapping file ({problem}).") from None
        self.data = self._plain(node, ()) if node is not None else {}

    def _plain(self, node: Any, where: Where) -> Any:
        self.lines.setdefault(where, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key, value in node.value:
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                self.lines[(*where, name)] = key.start_mark.line + 1
                result[name] = self._plain(value, (*where, name))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self._plain(item, (*where, str(n))) for n, item in enumerate(node.value)]
        return "" if node.tag.endswith(":null") else str(node.value)

    def where(self, keys: Where) -> str:
        line = next((self.lines[keys[:n]] for n in range(len(keys), -1, -1) if keys[:n] in self.lines), 1)
        key = ".".join(keys)
        return f"{self.name}, line {line}" + (f" ({key})" if key else "")


class _Checker:
    """Builds a ``Mapping`` from a document, collecting every problem with its line."""

    def __init__(self, doc: _Document, dictionary: Dictionary, columns: Sequence[str]) -> None:
        self.doc, self.dictionary, self.columns = doc, dictionary, set(columns)
        self.problems: list[str] = []

    def problem(self, keys: Where, message: str) -> None:
        self.problems.append(f"{self.doc.where(keys)}: {message}")

    def section(self, key: str) -> dict[str, Any]:
        value = self.doc.data.get(key, {})
        if isinstance(value, dict):
            return value
        self.problem((key,), f"{key} must be a list of “name: value” lines.")
        return {}

    def text(self, value: Any, keys: Where, what: str) -> str | None:
        if isinstance(value, str):
            return value.strip()
        self.problem(keys, f"{what} must be one value, not a list or a group.")
        return None

    def run(self) -> Mapping:
        data = self.doc.data
        if not isinstance(data, dict):
            raise RedcapError(
                f"{self.doc.name}: a mapping file is a list of “name: value” lines (see the README)."
            )
        for key in data:
            if key not in TOP_KEYS:
                self.problem((key,), f"unknown key {key}: a mapping has {', '.join(TOP_KEYS)}.")
        version = self.text(data.get("myocase_mapping", VERSION), ("myocase_mapping",), "myocase_mapping")
        if version not in (None, VERSION):
            self.problem(("myocase_mapping",), f"this MyoCase reads mapping files of version {VERSION}.")
        record_id = self.record_id()
        default_format = self.date_format(data.get("date_format", DEFAULT_DATE_FORMAT), ("date_format",))
        instruments = self.instruments()
        events = self.events()
        fields = tuple(self.fields(instruments, default_format))
        if not fields and not self.problems:
            self.problem(
                ("fields",), "the mapping maps no field: list the REDCap fields to import under fields."
            )
        if self.problems:
            raise RedcapError("The mapping file cannot be used:\n" + "\n".join(self.problems))
        return Mapping(record_id, fields, events, source=self.doc.name, date_format=default_format)

    def record_id(self) -> str:
        name = self.text(
            self.doc.data.get("record_id", self.dictionary.record_id), ("record_id",), "record_id"
        )
        if name is not None and self.dictionary.field(name) is None and name not in self.columns:
            self.problem(("record_id",), f"no field {name} in the dictionary {self.dictionary.source}.")
        return name or self.dictionary.record_id

    def date_format(self, value: Any, keys: Where) -> str:
        text = self.text(value, keys, "date_format")
        if text is None or date_pattern(text) is not None:
            return text or DEFAULT_DATE_FORMAT
        self.problem(keys, f"“{text}” is not a date format: write for example {', '.join(DATE_FORMATS[:3])}.")
        return DEFAULT_DATE_FORMAT

    def table_name(self, value: str, keys: Where) -> str | None:
        if value in IMPORTED_TABLES:
            return value
        self.problem(
            keys, f"“{value}” is not a MyoCase table that imports: use {', '.join(IMPORTED_TABLES)}."
        )
        return None

    def instruments(self) -> dict[str, str]:
        result = {}
        for form, value in self.section("instruments").items():
            keys = ("instruments", form)
            if form not in self.dictionary.forms:
                self.problem(keys, f"no instrument {form} in the dictionary {self.dictionary.source}.")
            name = self.text(value, keys, "an instrument's table")
            if name and name != SKIP and self.table_name(name, keys):
                result[form] = name
        return result

    def events(self) -> dict[str, tuple[str, ...]]:
        result: dict[str, tuple[str, ...]] = {}
        for event, value in self.section("events").items():
            keys = ("events", event)
            names = value if isinstance(value, list) else [value]
            if names == [SKIP]:
                result[event] = ()
                continue
            tables = [self.table_name(n, keys) for n in names if isinstance(n, str)]
            if len(tables) != len(names):
                self.problem(keys, "an event's tables must be table names (or skip).")
            result[event] = tuple(t for t in tables if t)
        return result

    def fields(self, instruments: dict[str, str], default_format: str) -> Iterable[FieldMap]:
        for column, spec in self.section("fields").items():
            keys = ("fields", column)
            if isinstance(spec, str):
                spec = {"to": spec}
            if not isinstance(spec, dict):
                self.problem(keys, "write “field: table.field” or a group with to, choices and date_format.")
                continue
            for key in spec:
                if key not in FIELD_KEYS:
                    self.problem((*keys, key), f"unknown key {key}: a field has {', '.join(FIELD_KEYS)}.")
            found = self.field_map(column, spec, keys, instruments, default_format)
            if found is not None:
                yield found

    def field_map(
        self, column: str, spec: dict[str, Any], keys: Where, instruments: dict[str, str], default_format: str
    ) -> FieldMap | None:
        owner = self.dictionary.owner(column)
        if owner is None and column not in self.columns:
            self.problem(
                keys, f"no field {column} in the dictionary {self.dictionary.source} or the records."
            )
            return None
        target = self.target(spec.get("to"), (*keys, "to"), instruments.get(owner[0].form) if owner else None)
        date_format = self.date_format(spec.get("date_format", default_format), (*keys, "date_format"))
        if target is None:
            return None
        choices = self.choices(spec.get("choices"), (*keys, "choices"), column, target)
        return FieldMap(column, target.table, target.name, choices, date_format)

    def target(self, value: Any, keys: Where, default_table: str | None) -> Field | None:
        text = self.text(value, keys, "to") if value is not None else None
        if not text:
            self.problem(keys, "say which MyoCase field it goes to: to: table.field")
            return None
        table_name, dot, name = text.rpartition(".")
        table_name = table_name if dot else (default_table or "")
        if not table_name:
            self.problem(keys, f"say which table {text} is in: write table.{text} (or map its instrument).")
            return None
        if self.table_name(table_name, keys) is None:
            return None
        found = next((f for f in targets() if f.table == table_name and f.name == name), None)
        if found is None:
            names = ", ".join(f.name for f in targets() if f.table == table_name)
            self.problem(keys, f"{table_name} has no field {name} that imports; its fields are {names}.")
        return found

    def choices(self, value: Any, keys: Where, column: str, target: Field) -> dict[str, str | None]:
        source = source_choices(self.dictionary, column)
        if value is None:
            return self.default_choices(column, source, target)
        if not isinstance(value, dict):
            self.problem(keys, "choices must be lines of “REDCap code: MyoCase value”.")
            return {}
        if not target.choices:
            self.problem(keys, f"{target.table}.{target.name} takes no choices ({target.type.value}).")
            return {}
        result: dict[str, str | None] = {}
        for code, wanted in value.items():
            if source and code not in {c for c, _ in source}:
                self.problem((*keys, code), f"{column} has no choice {code}: its codes are {_codes(source)}.")
            text = self.text(wanted, (*keys, code), "a choice's value")
            match = _choice(target, text) if text else None
            if text and match is None:
                allowed = ", ".join(c.code for c in target.choices)
                self.problem(
                    (*keys, code), f"“{text}” is not a value of {target.table}.{target.name}: use {allowed}."
                )
            result[code] = match.code if match else None
        return result

    def default_choices(
        self, column: str, source: tuple[tuple[str, str], ...], target: Field
    ) -> dict[str, str | None]:
        if source is CHECKED and target.choices:
            return box_choices(target)
        return auto_choices(source, target) if target.choices else {}


def _codes(choices: Sequence[tuple[str, str]]) -> str:
    return ", ".join(code for code, _ in choices)


def load_mapping(path: Path, dictionary: Dictionary, columns: Sequence[str] = ()) -> Mapping:
    """The mapping file at ``path``, checked against the dictionary (and the records' ``columns``)."""
    return _Checker(_Document(path), dictionary, columns).run()
