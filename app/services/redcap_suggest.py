"""What the REDCap mapping editor shows and saves: a dictionary's fields as rows to map, the MyoCase field
each obviously is (same name or label, a compatible type), its choices matched, and the mapping file written.

A checkbox field is offered box by box (``field___code``: each box can become a yes/no field); calculated,
file and descriptive fields hold nothing to import and are not offered, nor is the record ID (its own
choice). Suggestions are cautious: a near-identical label or name and a type that fits, one REDCap field
per MyoCase field, none where two MyoCase fields fit equally well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]

from ..domain.field_defs import Field, FieldType
from .redcap_format import DictField, Dictionary, checkbox_column, plain
from .redcap_mapping import CHECKED, SKIP, VERSION, Mapping, auto_choices, box_choices, targets

NOT_OFFERED = frozenset({"descriptive", "file", "sql"})
OBVIOUS = 0.86  # similarity of names or labels above which a match is suggested
SAME_TABLE = 0.6  # similarity of an instrument's name to a table's that settles a tie
HEADER = (
    "# MyoCase mapping of a REDCap project: which REDCap field is which MyoCase field.\n"
    "# Made with File → Import… → Mapping…; give it to `myocase import --format redcap --mapping FILE`.\n"
)


@dataclass(frozen=True)
class Entry:
    """One REDCap field (or one box of a checkbox field) to map."""

    column: str
    form: str
    label: str
    kind: str  # "radio", "text (date_ymd)", "checkbox box"…
    choices: tuple[tuple[str, str], ...]
    field: DictField

    @property
    def validation(self) -> str:
        return self.field.validation


def entries(dictionary: Dictionary) -> list[Entry]:
    """The fields of ``dictionary`` to map, in its order."""
    result = []
    for f in dictionary.fields[1:]:
        if f.type in NOT_OFFERED or not f.columns:
            continue
        label = plain(f.label)
        if f.checkbox:
            result += [
                Entry(checkbox_column(f.name, code), f.form, f"{label}: {text}", "checkbox box", CHECKED, f)
                for code, text in f.choices
            ]
            continue
        kind = f"{f.type} ({f.validation})" if f.validation else f.type
        result.append(Entry(f.name, f.form, label, kind, f.choices, f))
    return result


def compatible(entry: Entry, target: Field) -> bool:
    """Whether a REDCap field of this kind can fill ``target`` sensibly (for suggestions)."""
    validation = entry.validation
    if target.type in (FieldType.DATE, FieldType.PARTIAL_DATE):
        return validation.startswith(("date", "datetime"))
    if target.choices:
        return bool(entry.choices)
    if target.type.numeric:
        return validation.startswith(("integer", "number")) or entry.field.type in ("calc", "slider")
    return entry.field.type in ("text", "notes") and not validation and not entry.choices


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", plain(text).casefold()))


def _similarity(entry: Entry, target: Field) -> tuple[float, float]:
    """(how alike the names or labels are, how alike the instrument and the table are), each 0–1."""
    names = [entry.column, entry.column.partition("_")[2]]
    by_name = max(SequenceMatcher(None, _words(n), _words(target.name)).ratio() for n in names if n)
    label = entry.label.rpartition(": ")[2] if entry.kind == "checkbox box" else entry.label
    by_label = SequenceMatcher(None, _words(label), _words(target.label)).ratio()
    return max(by_name, by_label), SequenceMatcher(None, _words(entry.form), _words(target.table)).ratio()


def suggest(items: Sequence[Entry]) -> dict[str, Field]:
    """The MyoCase field each REDCap field obviously is (column → field): best matches first, each MyoCase
    field taken once, none when two fields match equally well."""
    scored = []
    for entry in items:
        ranked = sorted(
            ((_similarity(entry, t), t) for t in targets() if compatible(entry, t)),
            key=lambda p: p[0],
            reverse=True,
        )
        if not ranked or ranked[0][0][0] < OBVIOUS:
            continue
        (best, table), target = ranked[0]
        if len(ranked) > 1 and round(ranked[1][0][0], 6) == round(best, 6) and table < SAME_TABLE:
            continue  # two MyoCase fields fit as well, and the instrument does not say which table
        scored.append((best, entry.column, target))
    chosen: dict[str, Field] = {}
    taken: set[tuple[str, str]] = set()
    for _, column, target in sorted(scored, key=lambda s: -s[0]):
        if (target.table, target.name) not in taken:
            chosen[column] = target
            taken.add((target.table, target.name))
    return chosen


def suggested_choices(entry: Entry, target: Field) -> dict[str, str | None]:
    """REDCap code → MyoCase code for ``entry`` into ``target``, where they match (a box: ticked is yes)."""
    if not target.choices:
        return {}
    return box_choices(target) if entry.choices is CHECKED else auto_choices(entry.choices, target)


# ----------------------------------------------------------------- the mapping file


@dataclass(frozen=True)
class Chosen:
    """What the user chose for one REDCap field (``date_format``: its own, when not the file's)."""

    column: str
    target: Field
    choices: dict[str, str | None]
    date_format: str = ""


def document(
    record_id: str,
    date_format: str,
    chosen: Sequence[Chosen],
    events: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """The mapping file's content (``redcap_mapping`` reads it back); ``events`` as a mapping file gave them."""
    fields: dict[str, Any] = {}
    for c in chosen:
        spec: dict[str, Any] = {"to": f"{c.target.table}.{c.target.name}"}
        if c.choices:
            spec["choices"] = {k: v or "" for k, v in c.choices.items()}
        if c.date_format and c.date_format != date_format:
            spec["date_format"] = c.date_format
        fields[c.column] = spec if len(spec) > 1 else spec["to"]
    content: dict[str, Any] = {
        "myocase_mapping": int(VERSION),
        "record_id": record_id,
        "date_format": date_format,
    }
    if events:
        content["events"] = {name: list(tables) if tables else SKIP for name, tables in events.items()}
    return {**content, "fields": fields}


def save_mapping(path: Path, content: dict[str, Any]) -> None:
    """Write the mapping file (YAML) whole, or not at all."""
    text = HEADER + yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=110)
    partial = path.with_name(path.name + ".part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def chosen_of(mapping: Mapping) -> dict[str, Chosen]:
    """A mapping read back as the editor's choices (column → what was chosen)."""
    own = {m.column: m.date_format if m.date_format != mapping.date_format else "" for m in mapping.fields}
    return {m.column: Chosen(m.column, m.target, dict(m.choices), own[m.column]) for m in mapping.fields}
