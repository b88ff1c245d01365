"""Where a one-click report goes: the series' report folder and a dated, de-identified, never-reused file name."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_documents_path

from ..store.casebook import Casebook

if TYPE_CHECKING:  # the report's modules load when a report is written, not when the window opens
    from ..report.model import ReportInput

FOLDER_KEY = "report_folder"
FALLBACK_NAME = "case-series"


class FolderUnusable(Exception):
    """The report folder cannot be created or written to; the message says which and what to do."""


def default_folder(database: Path | None) -> Path:
    """Beside the database file; a series on a server writes into the user's documents folder."""
    return database.resolve().parent if database is not None else user_documents_path()


def stored_folder(book: Casebook) -> Path | None:
    """The folder chosen in the report settings, or None for the default."""
    value = book.preference(FOLDER_KEY)
    return Path(value) if value else None


def report_folder(book: Casebook) -> Path:
    """Where the Export report button writes: the chosen folder, else beside the database."""
    return stored_folder(book) or default_folder(book.path)


def report_name(data: ReportInput) -> str:
    """``<series>_report_<date>.pdf``; the series name as the report may show it, ``_IDENTIFIED`` when it
    carries identifiers. The series name is cleaned by the export's own de-identification rule."""
    series = data.disclosure.file_part(data.series.name) or FALLBACK_NAME
    marker = "_IDENTIFIED" if data.options.identified else ""
    return f"{series}_report_{data.generated_on.isoformat()}{marker}.pdf"


def free_path(folder: Path, name: str) -> Path:
    """``folder/name``, or with ``_2``, ``_3``… before the extension: an earlier file is never replaced."""
    candidate = folder / name
    stem, suffix = candidate.stem, candidate.suffix
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}_{n}{suffix}"
    return candidate


def ready_folder(folder: Path) -> Path:
    """The folder, created if missing; ``FolderUnusable`` if that is not possible."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FolderUnusable(
            f"The report folder {folder} cannot be used ({exc.strerror or exc}). "
            "Choose another folder in File → Report settings, or use Export report as…"
        ) from exc
    if not folder.is_dir():
        raise FolderUnusable(
            f"The report folder {folder} is a file, not a folder. Choose another in Report settings."
        )
    return folder


def next_report_path(book: Casebook, data: ReportInput) -> Path:
    """The file the next one-click export writes: in the report folder, under a name not yet used."""
    return free_path(ready_folder(report_folder(book)), report_name(data))
