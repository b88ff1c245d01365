"""REDCap both ways: the export (data dictionary, records, instructions) and reading REDCap's files for import.

``export_redcap`` is the data export's REDCap writer (``services/exports`` calls it); ``read_redcap`` is what
``myocase import --format redcap`` and File → Import… read REDCap files with: the records exported from
REDCap plus the project's data dictionary, mapped by a mapping file or, for a project built from
MyoCase's own dictionary, by itself. The pieces: ``redcap_format`` (REDCap's files), ``redcap_own``
(MyoCase's REDCap project), ``redcap_export``, ``redcap_mapping`` and ``redcap_import``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ..domain.fields import SERIES
from ..domain.imports import SourceRow
from .redcap_export import export_redcap
from .redcap_format import Dictionary, RedcapError, is_dictionary, parse_dictionary, read_csv, read_dictionary
from .redcap_import import RowReader, records_file
from .redcap_mapping import FieldMap, Mapping, is_own, load_mapping, own_mapping
from .redcap_own import RECORD_ID, all_own_fields, own_dictionary

__all__ = ["RedcapError", "export_redcap", "read_dictionary", "read_redcap"]


def read_redcap(files: Sequence[Path], mapping: Path | None) -> list[SourceRow]:
    """The rows of REDCap records files (``files`` also holds the project's data dictionary), mapped by the
    mapping file, or by themselves when the project was built from MyoCase's dictionary. A file, dictionary
    or mapping that cannot be used raises ``RedcapError`` saying what and how to fix it."""
    dictionaries: list[tuple[Path, list[list[str]]]] = []
    records: list[tuple[Path, list[list[str]]]] = []
    for path in files:
        rows = read_csv(path)
        (dictionaries if is_dictionary(rows[0]) else records).append((path, rows))
    if len(dictionaries) > 1:
        names = " and ".join(p.name for p, _ in dictionaries)
        raise RedcapError(
            f"{names} are both data dictionaries: give the one of the project the records came from."
        )
    if not records:
        raise RedcapError(
            "No REDCap records file was given, only the data dictionary: add the records exported from REDCap "
            "(Data Exports → CSV, raw or labels)."
        )
    dictionary = _dictionary(dictionaries, records)
    files_read = [records_file(p.name, rows, dictionary) for p, rows in records]
    columns = [c for f in files_read for c in f.header]
    chosen = _mapping(mapping, dictionary, columns)
    return [row for f in files_read for row in RowReader(f, dictionary, chosen).rows()]


def _dictionary(
    dictionaries: list[tuple[Path, list[list[str]]]], records: list[tuple[Path, list[list[str]]]]
) -> Dictionary:
    if dictionaries:
        path, rows = dictionaries[0]
        return parse_dictionary(path.name, rows)
    if all(rows[0] and rows[0][0].strip() == RECORD_ID for _, rows in records):
        return own_dictionary()  # records of MyoCase's own project, given without their dictionary
    raise RedcapError(
        "The project's data dictionary is needed beside the records: download it from REDCap (Project Setup → "
        "Data Dictionary → Download the current Data Dictionary) and give both files."
    )


def _mapping(path: Path | None, dictionary: Dictionary, columns: Sequence[str]) -> Mapping:
    if path is not None:
        return load_mapping(path, dictionary, columns)
    if is_own(dictionary):
        own = own_mapping(dictionary, columns)
        return replace(own, fields=own.fields + series_maps(dictionary, columns))
    raise RedcapError(
        f"The REDCap project of {dictionary.source} was not built from MyoCase's dictionary (its record ID is "
        f"{dictionary.record_id}, its instruments {', '.join(dictionary.forms)}), so MyoCase needs to be told "
        "which field is which: build a mapping file in File → Import… (REDCap), or write one (see the README), "
        "and give it with --mapping FILE."
    )


def series_maps(dictionary: Dictionary, columns: Iterable[str] = ()) -> tuple[FieldMap, ...]:
    """The fields of the series instrument a project built from MyoCase's dictionary has, by their own names
    (``own_mapping`` maps its other instruments)."""
    present = {f.name for f in dictionary.fields} | set(columns)
    return tuple(
        FieldMap(f.name, f.form, f.field.name, {str(c.number): c.code for c in f.field.choices})
        for f in all_own_fields()
        if f.name in present and f.form == SERIES and not f.field.meta
    )
