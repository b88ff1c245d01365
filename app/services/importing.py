"""Importing data from spreadsheets and REDCap (``myocase import``, File → Import…): read the files, preview
what would change, and store all of it in one transaction only when every row is valid.

``read`` turns files into rows (``readers`` for CSV and XLSX, ``redcap.read_redcap`` for REDCap), ``preview``
plans them against the series (``domain.import_plan``: matched, built, validated as the forms do), ``commit``
plans again inside the transaction (the series may have changed since the preview) and writes every record
created or changed with an audit row naming its file and row. ``import_files`` is the command line's whole run:
a database path that does not exist becomes a new series, removed again if the import is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ..domain.analysis_json import settings_from_json, settings_to_json
from ..domain.import_plan import plan_import
from ..domain.import_series import CurrentSeries, SeriesFromFile
from ..domain.imports import (
    CREATE,
    TABLE_LABELS,
    UNCHANGED,
    UPDATE,
    ImportPlan,
    Planned,
    RowProblem,
    SourceRow,
)
from ..domain.numbers import plural
from ..domain.records import Patient, PatientRecord
from ..domain.validation import Problem, ValidationError
from ..store.casebook import Casebook
from .analysis_settings import load_settings, save_settings
from .readers import Progress, ReadCancelled, ReadResult, read_csv, read_xlsx

REDCAP_READER_MISSING = "REDCap import is not available in this version"


class ImportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    REDCAP = "redcap"

    @property
    def label(self) -> str:
        return {
            "csv": "CSV files exported by MyoCase (one per table)",
            "xlsx": "Excel workbook exported by MyoCase (one sheet per table)",
            "redcap": "REDCap records and data dictionary (CSV)",
        }[self.value]

    @property
    def patterns(self) -> str:
        """The file dialog's filter."""
        return {
            "csv": "CSV files (*.csv)",
            "xlsx": "Excel workbooks (*.xlsx)",
            "redcap": "REDCap CSV files (*.csv)",
        }[self.value]


class ImportCancelled(ReadCancelled):
    """The user stopped the preview; nothing was imported."""


class ImportUnavailable(Exception):
    """The format cannot be read by this version (the message says which)."""


class ImportRefused(ValidationError):
    """A row failed: nothing was written. ``plan`` holds every problem."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        count = plural(len(plan.problems), "problem")
        first = "; ".join(map(str, plan.problems[:3])) + (" …" if len(plan.problems) > 3 else "")
        super().__init__([Problem("import", f"Nothing was imported: {count} ({first})")])


def available(fmt: ImportFormat) -> bool:
    """Whether this version reads ``fmt`` (the REDCap reader may be missing)."""
    return fmt is not ImportFormat.REDCAP or find_spec(f"{__package__}.redcap") is not None


def mapping_editor_available() -> bool:
    return find_spec(f"{__package__.rpartition('.')[0]}.ui.mapping_editor") is not None


# ----------------------------------------------------------------- reading and planning


def read(
    fmt: ImportFormat, files: Sequence[Path], mapping: Path | None = None, progress: Progress | None = None
) -> ReadResult:
    """The rows the files hold, with every file, header or cell that cannot be read as a problem."""
    fmt = ImportFormat(fmt)
    if fmt is ImportFormat.CSV:
        return read_csv(files, progress)
    if fmt is ImportFormat.XLSX:
        return read_xlsx(files, progress)
    reader = _redcap_reader()
    try:
        return ReadResult(rows=list(reader(files, mapping)))
    except ValidationError as exc:  # a file, dictionary or mapping REDCap's reader cannot use
        return ReadResult(problems=[RowProblem(", ".join(Path(f).name for f in files), 0, "", str(exc))])


def _redcap_reader() -> Callable[[Sequence[Path], Path | None], list[SourceRow]]:
    try:
        from .redcap import read_redcap
    except ImportError:
        raise ImportUnavailable(REDCAP_READER_MISSING) from None
    return read_redcap


@dataclass(frozen=True)
class Preview:
    """The rows read from the files and what importing them would do (plain data: any thread may make it)."""

    files: tuple[str, ...]
    rows: tuple[SourceRow, ...]
    plan: ImportPlan
    reader_problems: tuple[RowProblem, ...] = ()
    reader_notes: tuple[str, ...] = ()


def preview(
    read_result: ReadResult, files: Sequence[Path], existing: Sequence[PatientRecord], today: date,
    progress: Progress | None = None, current: CurrentSeries | None = None,
) -> Preview:  # fmt: skip
    """Plan the rows against the series' records (``existing``) and settings (``current``: ``current_series``),
    both read beforehand; without ``current`` the preview cannot say how the files' series settings differ."""
    rows = tuple(read_result.rows)

    def planned(done: int, total: int) -> None:
        if progress is not None and not progress(done, total, f"Checking row {done} of {total}"):
            raise ImportCancelled("Import cancelled: nothing was imported.")

    plan = plan_import(rows, existing, today, planned, current).adding(
        read_result.problems, read_result.notes
    )
    names = tuple(Path(f).name for f in files)
    return Preview(names, rows, plan, tuple(read_result.problems), tuple(read_result.notes))


def prepare(
    book: Casebook, fmt: ImportFormat, files: Sequence[Path], mapping: Path | None = None,
    progress: Progress | None = None,
) -> Preview:  # fmt: skip
    """Read the files and plan them against ``book`` in one step (the command line)."""
    found = read(fmt, files, mapping, progress)
    return preview(found, files, book.patient_records(), book.today(), progress, current_series(book))


def current_series(book: Casebook) -> CurrentSeries:
    """The series' settings and its analysis settings in effect, to compare with those an import gives."""
    return CurrentSeries(book.settings(), settings_to_json(load_settings(book)))


# ----------------------------------------------------------------- writing


def commit(book: Casebook, shown: Preview) -> ImportPlan:
    """Plan the previewed rows again against the series as it is now and store everything in one
    transaction; ``ImportRefused`` (nothing written) if any row fails."""
    with book.batch():
        plan = plan_import(shown.rows, book.patient_records(), book.today(), current=current_series(book))
        plan = plan.adding(shown.reader_problems, shown.reader_notes)
        if not plan.ok:
            raise ImportRefused(plan)
        _write(book, plan)
        if plan.takes_series and plan.series is not None:
            _take_series(book, plan.series)
    return plan


def _take_series(book: Casebook, found: SeriesFromFile) -> None:
    """A new series takes the files' name, cut-off, index drug and analysis settings."""
    settings = found.settings(book.settings())
    book.save_settings(settings)
    current = settings_to_json(load_settings(book))
    save_settings(book, settings_from_json(found.analysis(current), settings.index_drug))


def _write(book: Casebook, plan: ImportPlan) -> None:
    """Changed records saved one by one, new ones added together (``add_many``: one insert per table), each
    with an audit row naming its file and row."""
    ids = {_key(p.study_id): p.before.id for p in plan.patients if p.before is not None}
    owned = (*plan.courses, *plan.assessments, *plan.events)
    for p in (*plan.patients, *owned):
        if p.action == UPDATE:
            with book.batch(source=p.origin):
                if isinstance(p.after, Patient):
                    book.save_patient(p.after, p.identifiers_after)
                else:
                    book.save(p.after)
    new = [p for p in plan.patients if p.action == CREATE]
    added = book.add_many(
        [PatientRecord(p.after, p.identifiers_after) for p in new], sources=[p.origin for p in new]
    )
    stored = zip(new, added, strict=True)
    ids.update((_key(p.study_id), r.patient.id) for p, r in stored if isinstance(r, PatientRecord))
    new = [p for p in owned if p.action == CREATE]
    records = [replace(p.after, patient_id=p.after.patient_id or ids[_key(p.study_id)]) for p in new]
    book.add_many(records, sources=[p.origin for p in new])


def _key(study_id: str) -> str:
    return study_id.strip().casefold()


# ----------------------------------------------------------------- the command line's run and its words


@dataclass(frozen=True)
class ImportOutcome:
    location: str
    created: bool
    written: bool
    plan: ImportPlan


def import_files(
    location: Path | str, fmt: ImportFormat, files: Sequence[Path], *, mapping: Path | None = None,
    dry_run: bool = False, today: Callable[[], date] = date.today,
) -> ImportOutcome:  # fmt: skip
    """Preview the files against the series at ``location`` and, unless ``dry_run`` or refused, store them;
    a file that does not exist yet becomes a new series (and is removed again if nothing was stored)."""
    fmt = ImportFormat(fmt)
    if not available(fmt):
        raise ImportUnavailable(REDCAP_READER_MISSING)
    read_result = read(fmt, files, mapping)  # a file that cannot be read creates no database
    created = isinstance(location, Path) and not location.exists()
    book = (
        Casebook.connect(location, today=today)
        if isinstance(location, str)
        else Casebook.open(location, today=today)
    )
    written = False
    try:
        shown = preview(
            read_result, files, book.patient_records(), book.today(), current=current_series(book)
        )
        plan = shown.plan
        if plan.ok and not dry_run:
            plan = commit(book, shown)
            written = True
        return ImportOutcome(book.location, created, written, plan)
    finally:
        book.close()
        if created and not written and isinstance(location, Path):
            for leftover in (location, *(location.with_name(location.name + s) for s in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)


def count_lines(plan: ImportPlan) -> list[str]:
    """One line per table: "patients: 3 to create, 1 to update, 6 unchanged"."""
    out = []
    for name, counts in plan.counts().items():
        create, update, same = counts[CREATE], counts["update"], counts[UNCHANGED]
        out.append(f"{TABLE_LABELS[name]}: {create} to create, {update} to update, {same} unchanged")
    return out


def summary(outcome: ImportOutcome) -> list[str]:
    """What the command prints: the counts, the notes, every problem as ``file:row: column: reason``."""
    plan = outcome.plan
    if outcome.written:
        head = f"Imported into {outcome.location}" + (" (a new series)" if outcome.created else "") + ":"
        head = (
            head
            if plan.changes
            else f"Nothing to change in {outcome.location}: every record in the files is stored as they give it."
        )
    else:
        head = "Preview (nothing written):" if plan.ok else "Refused: nothing was written:"
    lines = [head, *(f"  {line}" for line in count_lines(plan)), *plan.notes]
    if plan.problems:
        lines.append(f"{plural(len(plan.problems), 'problem')}:")
        lines += [str(p) for p in plan.problems]
    return lines


def as_json(outcome: ImportOutcome) -> dict[str, Any]:
    plan = outcome.plan
    return {
        "database": outcome.location,
        "created": outcome.created,
        "written": outcome.written,
        "counts": plan.counts(),
        "notes": list(plan.notes),
        "problems": [
            {"file": p.source, "row": p.row, "column": p.column, "reason": p.reason} for p in plan.problems
        ],
    }


__all__ = [
    "ImportCancelled", "ImportFormat", "ImportOutcome", "ImportRefused", "ImportUnavailable", "Planned",
    "Preview", "as_json", "available", "commit", "count_lines", "current_series", "import_files", "prepare", "preview", "read",
    "summary",
]  # fmt: skip
