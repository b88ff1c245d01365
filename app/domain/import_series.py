"""The series row of an import: the settings an export carries (``series_fields``), read and checked, and what
importing them does: a new series (no patients yet) takes them; a series that holds patients keeps its own and
the preview says how the files' differ.

A difference never refuses the import: an identified export (the only kind an import reads) stores real dates,
so the cut-off and the index drug are how the series is analysed, not part of the records; the imported
patients are analysed with the series' own settings, and the note says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .field_defs import FieldType
from .fields import table
from .imports import CellError, RowProblem, SourceRow, column_problems, parse_cell, shown
from .numbers import readable
from .records import SeriesSettings
from .series_fields import SERIES, analysis_json
from .validation import validate_settings
from .vocab import Subtype

SETTINGS = ("name", "cutoff", "index_drug")
WORDS = {"name": "name", "cutoff": "data cut-off", "index_drug": "index drug"}


@dataclass(frozen=True)
class SeriesFromFile:
    """The series settings the files give: ``values`` by column (only the cells given), from ``source``."""

    source: str
    values: dict[str, Any] = field(default_factory=dict)

    def settings(self, current: SeriesSettings) -> SeriesSettings:
        """``current`` with the name, cut-off and index drug the files give (is_demo stays the series')."""
        return replace(current, **{k: v for k, v in self.values.items() if k in SETTINGS})

    def analysis(self, current: Mapping[str, object] | None) -> dict[str, object]:
        """The stored analysis settings (``settings_to_json``) with those the files give."""
        return {**(current or {}), **analysis_json(self.values)}


@dataclass(frozen=True)
class CurrentSeries:
    """The target series' settings: its name, cut-off, index drug and its analysis settings in effect
    (``settings_to_json``, defaults filled in)."""

    settings: SeriesSettings
    analysis: Mapping[str, object] | None = None


def read_series(rows: Sequence[SourceRow], today: date) -> tuple[SeriesFromFile | None, list[RowProblem]]:
    """The series rows read into one set of settings: every cell parsed and in range, rows that agree (a
    REDCap export repeats the row on every record), a cut-off not in the future."""
    if not rows:
        return None, []
    t = table(SERIES)
    problems: list[RowProblem] = []
    for source in dict.fromkeys(r.source for r in rows):
        mine = [r for r in rows if r.source == source]
        names = {n for r in mine for n in r.values if n != "study_id"}
        problems += column_problems(source, t, names, {k: v for r in mine for k, v in r.columns.items()})
    if problems:
        return None, problems
    values: dict[str, Any] = {}
    first: dict[str, SourceRow] = {}
    for row in rows:
        for name, text in row.values.items():
            f = t.field(name) if name != "study_id" else None
            if f is None or f.meta:
                continue
            try:
                value = _value(name, parse_cell(f, text), f.type, f.low, f.high)
            except CellError as exc:
                problems.append(RowProblem(row.source, row.row, row.column(name), str(exc)))
                continue
            if value is None:
                continue
            if name in values and values[name] != value:
                was = first[name]
                reason = (
                    f"{shown(str(text))} differs from {shown(str(values[name]))} in {was.source} row {was.row}: "
                    "a series has one setting of each; make them agree"
                )
                problems.append(RowProblem(row.source, row.row, row.column(name), reason))
                continue
            values[name], first[name] = value, first.get(name, row)
    problems += _settings_problems(values, first, today)
    return (None if problems else SeriesFromFile(rows[0].source, values)), problems


def _value(name: str, value: Any, kind: FieldType, low: float | None, high: float | None) -> Any:
    if value is None:
        return None
    if name == "subtypes":
        codes = {s.value.casefold(): s.value for s in Subtype}
        wrong = [c for c in str(value).split() if c.casefold() not in codes]
        if wrong:
            raise CellError(
                f"{shown(wrong[0])} is not a subtype: write codes separated by spaces ({' '.join(codes.values())})"
            )
        return " ".join(codes[c.casefold()] for c in str(value).split())
    if kind.numeric and low is not None and high is not None and not low <= value <= high:
        raise CellError(f"{readable(value)} is outside {readable(low)}–{readable(high)}")
    if name in ("name", "index_drug"):
        return str(value).strip() or None
    return value


def _settings_problems(values: dict[str, Any], first: dict[str, SourceRow], today: date) -> list[RowProblem]:
    probe = SeriesSettings(values.get("name", "-"), values.get("cutoff"), values.get("index_drug", "-"))
    found = []
    for p in validate_settings(probe, today):
        row = first.get(p.field)
        if row is not None:
            found.append(RowProblem(row.source, row.row, row.column(p.field), p.message))
    return found


def series_notes(found: SeriesFromFile | None, new_series: bool, current: CurrentSeries | None) -> list[str]:
    """What the preview says of the files' series settings: taken (a new series), or kept and how they differ."""
    if found is None:
        return []
    given = ", ".join(_shown_setting(k, v) for k, v in found.values.items() if k in SETTINGS)
    if new_series:
        return [f"Series settings from {found.source} are taken (the series holds no patients yet): {given}, and "
                "the analysis settings."]  # fmt: skip
    if current is None:
        return [f"{found.source} gives series settings ({given}): the series already holds patients, so it keeps "
                "its own settings."]  # fmt: skip
    differ = [
        f"{WORDS[k]} {_shown_value(getattr(current.settings, k))} (the files: {_shown_value(v)})"
        for k, v in found.values.items()
        if k in SETTINGS and getattr(current.settings, k) != v
    ]
    wanted = found.analysis(current.analysis)
    changed = sorted(
        k for k, v in wanted.items() if k in found.values if (current.analysis or {}).get(k) != v
    )
    if changed:
        differ.append("the analysis settings (" + ", ".join(changed) + ")")
    if not differ:
        return []
    drug = (
        f" The imported patients are analysed against the series' index drug, {current.settings.index_drug}."
        if "index_drug" in found.values and found.values["index_drug"] != current.settings.index_drug
        else ""
    )
    return [f"The series keeps its own settings, which differ from those of {found.source}: "
            f"{'; '.join(differ)}.{drug} Change them in the series settings if the files' are the right ones."]  # fmt: skip


def _shown_setting(key: str, value: Any) -> str:
    return f"{WORDS[key]} {_shown_value(value)}"


def _shown_value(value: Any) -> str:
    if value is None:
        return "not set (the day the analysis runs)"
    return value.isoformat() if isinstance(value, date) else f"“{value}”"
