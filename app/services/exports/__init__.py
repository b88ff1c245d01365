"""Data exports for analysis (CSV, XLSX, SPSS, Stata, R, REDCap): gather the tidy tables, write, check, move.

``gather`` reads the series once and builds the tables through the series' disclosure
(``domain/export_tables.py``); ``write`` lays them out in one format into a temporary folder
beside the destination, reads every written file back for identifiers when de-identified
(``deid_check``), and only then moves the files into place: a refused or cancelled export
leaves nothing behind. Every file of an identified export says so, in its name and inside.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ... import __version__
from ...domain.analysis import AnalysisSettings
from ...domain.clock import DateMode
from ...domain.disclosure import Disclosure
from ...domain.export_tables import ExportTable, about_lines, build_tables, codebook
from ...domain.records import PatientRecord, SeriesSettings
from ...domain.validation import Problem, ValidationError
from ...store.casebook import Casebook
from .. import deid_check
from ..analysis_settings import load_settings
from ..disclosure import disclosure_for, select_patients
from .naming import FileNames

Progress = Callable[[int, int, str], bool]  # (done, total, what) -> False to cancel


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    REDCAP = "redcap"
    SPSS = "spss"
    STATA = "stata"
    R = "r"

    @property
    def label(self) -> str:
        return {
            "csv": "CSV files (one per table, with the codebook)",
            "xlsx": "Excel workbook (one sheet per table, with the codebook)",
            "redcap": "REDCap data dictionary and records",
            "spss": "SPSS .sav files (variable and value labels)",
            "stata": "Stata .dta files (variable and value labels)",
            "r": "R: CSV files and read_myocase.R (factors with labels)",
        }[self.value]


REDCAP_UNAVAILABLE = "REDCap export is not available in this version"


class ExportCancelled(Exception):
    """The user stopped the export; nothing was written."""


class ExportUnavailable(Exception):
    """The format cannot be written by this version (the message says which)."""


class LeakFound(ValidationError):
    """The de-identified export's check of its own files found an identifier; nothing was written."""


@dataclass(frozen=True)
class ExportData:
    """Everything an export writes, read from the series once (plain data: a worker thread may write it)."""

    tables: tuple[ExportTable, ...]
    codebook: ExportTable
    about: tuple[str, ...]
    disclosure: Disclosure
    names: FileNames

    @property
    def identified(self) -> bool:
        return self.disclosure.identified


@dataclass(frozen=True)
class ExportResult:
    written: tuple[Path, ...]
    identified: bool
    rows: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"written": [str(p) for p in self.written], "identified": self.identified, "rows": self.rows}


@dataclass(frozen=True)
class ExportSource:
    """What an export is built from, read from the series in a few queries (then any thread may build it)."""

    records: tuple[PatientRecord, ...]  # the chosen patients
    disclosure: Disclosure  # built from every patient of the series
    settings: AnalysisSettings
    series: str
    series_settings: SeriesSettings | None = None  # name, cut-off and index drug (the series table)


def read(book: Casebook, *, identified: bool = False, study_ids: Sequence[str] | None = None) -> ExportSource:
    """The chosen patients (default: all) and the series' rule for what may leave."""
    everyone = book.patient_records()
    chosen = select_patients(everyone, study_ids)
    mode = DateMode.ACTUAL if identified else DateMode.INDEX_DAYS
    disclosure = disclosure_for(book, everyone, identified=identified, mode=mode)
    stored = book.settings()
    return ExportSource(tuple(chosen), disclosure, load_settings(book), stored.name, stored)


def build(source: ExportSource, progress: Progress | None = None) -> ExportData:
    """The tables, their codebook and the about note (``progress`` after each patient; False cancels)."""
    report = _progress(progress)
    tables = build_tables(
        source.records, source.disclosure, source.settings,
        lambda done, total: report(done, total, f"Preparing patient {done} of {total}"), source.series_settings,
    )  # fmt: skip
    disclosure = source.disclosure
    about = tuple(about_lines(tables, disclosure, source.series, __version__))
    return ExportData(tables, codebook(tables), about, disclosure, FileNames.of(disclosure, source.series))


def gather(book: Casebook, *, identified: bool = False, study_ids: Sequence[str] | None = None) -> ExportData:
    """Read and build in one step."""
    return build(read(book, identified=identified, study_ids=study_ids))


REDCAP_MODULES = ("redcap_export", "redcap")  # where the REDCap writer lives (``export_redcap``)


def _redcap_module() -> str | None:
    from importlib.util import find_spec

    package = __package__.rpartition(".")[0]
    return next((f"{package}.{m}" for m in REDCAP_MODULES if find_spec(f"{package}.{m}") is not None), None)


def available(fmt: ExportFormat) -> bool:
    """Whether this version can write ``fmt`` (the REDCap writer may be missing)."""
    return fmt is not ExportFormat.REDCAP or _redcap_module() is not None


def _writer(fmt: ExportFormat) -> Callable[[ExportData, Path, Progress], list[Path]]:
    if fmt is ExportFormat.CSV:
        from .tabular import write_csv

        return write_csv
    if fmt is ExportFormat.XLSX:
        from .tabular import write_xlsx

        return write_xlsx
    if fmt in (ExportFormat.SPSS, ExportFormat.STATA):
        from .statistical import write_dta, write_sav

        return write_sav if fmt is ExportFormat.SPSS else write_dta
    if fmt is ExportFormat.R:
        from .r_script import write_r

        return write_r
    return _redcap_writer()


def _redcap_writer() -> Callable[[ExportData, Path, Progress], list[Path]]:
    from importlib import import_module

    module = _redcap_module()
    export_redcap = getattr(import_module(module), "export_redcap", None) if module else None
    if export_redcap is None:
        raise ExportUnavailable(REDCAP_UNAVAILABLE)

    def write(data: ExportData, folder: Path, progress: Progress) -> list[Path]:
        written = export_redcap(data.tables, folder, names=data.names, about=data.about, progress=progress)
        return list(written)

    return write


def _checked(data: ExportData, files: list[Path]) -> None:
    """Read every written file back; a de-identified export with an identifier in it is refused."""
    if data.identified:
        return
    result = deid_check.scan(files, data.disclosure.leaks)
    unread = [f"{path.name}: {why}" for path, why in result.skipped]
    if result.findings or unread:
        found = [f"{f.path.name}, {f.where}: {data.disclosure.describe(f.hit)}" for f in result.findings[:5]]
        more = f" and {len(result.findings) - 5} more" if len(result.findings) > 5 else ""
        raise LeakFound(
            [
                Problem(
                    "export",
                    "The de-identified export was not written: its check of the finished files found "
                    f"{'; '.join(found + unread)}{more}. Correct the field named, or export with identifiers.",
                )
            ]
        )


def destination(fmt: ExportFormat, out: Path, names: FileNames) -> tuple[Path, Path | None]:
    """(folder to write into, the one file's path for a single-file format given as a file name)."""
    if fmt is ExportFormat.XLSX and out.suffix.lower() == ".xlsx":
        return out.parent, out.with_name(names.marked(out.name))
    return out, None


def write(data: ExportData, fmt: ExportFormat, out: Path, progress: Progress | None = None) -> ExportResult:
    """Write ``data`` in ``fmt`` to ``out`` (a folder; for XLSX also a file name); checked, then moved in."""
    writer = _writer(ExportFormat(fmt))
    folder, single = destination(fmt, out, data.names)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".myocase-export-", dir=folder))
    try:
        files = writer(data, staging, _progress(progress))
        _checked(data, files)
        if single is not None and len(files) == 1:
            os.replace(files[0], single)
            placed = [single]
        else:
            placed = [folder / f.name for f in files]
            for source, target in zip(files, placed, strict=True):
                os.replace(source, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportResult(tuple(placed), data.identified, {t.name: len(t.rows) for t in data.tables})


def _progress(progress: Progress | None) -> Progress:
    def report(done: int, total: int, what: str) -> bool:
        if progress is not None and not progress(done, total, what):
            raise ExportCancelled("Export cancelled: nothing was written.")
        return True

    return report


def export_data(
    book: Casebook, fmt: ExportFormat, out: Path, *, identified: bool = False,
    study_ids: Sequence[str] | None = None, progress: Progress | None = None,
) -> ExportResult:  # fmt: skip
    """Read, build and write in one step (the command line)."""
    ExportFormat(fmt)
    if not available(fmt):
        raise ExportUnavailable(REDCAP_UNAVAILABLE)
    source = read(book, identified=identified, study_ids=study_ids)
    return write(build(source, progress), fmt, out, progress)
