"""Backups a clinic can rely on, for the command line and the window alike: a verified copy of a series file
(or the portable archive of a series on a server), restoring one (verified first, the series as it was kept),
and the rotating automatic backups of a series file in the ``backups`` folder beside it."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ..store.casebook import Casebook
from ..store.database import (
    StorageError,
    backup_database,
    backup_path_for,
    check_case_series,
    restore_database,
    upgrade,
    verify_copy,
    write_backup,
)

FOLDER = "backups"
KEEP_KEY = "automatic_backups"  # series preference: {"keep": N}
DEFAULT_KEEP = 10
DAILY = timedelta(hours=24)
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackedUp:
    """A backup written: of which series (``location``, without a password), where, at which schema."""

    location: str
    path: Path
    schema: str

    def as_json(self) -> dict[str, str]:
        return {"database": self.location, "backup": str(self.path), "schema_version": self.schema}


@dataclass(frozen=True)
class Restored:
    """What a restore did: the series it replaced (``location``), from which copy, and where the series as
    it was just before is kept (None: there was none)."""

    location: str
    source: Path
    safety: Path | None

    def as_json(self) -> dict[str, str | None]:
        safety = str(self.safety) if self.safety else None
        return {"database": self.location, "restored_from": str(self.source), "previous_copy": safety}


# ------------------------------------------------------------ by hand: myocase backup / restore, File menu


def back_up(series: Path | str | Casebook, out: Path) -> BackedUp:
    """Write a verified copy of a series (a file, a server URL, or one open) to ``out``: for a file, SQLite's
    backup (the file as it is, whatever its schema); for a server, the portable archive (a series file of
    every table)."""
    if isinstance(series, Casebook) and series.path is not None:
        series = series.path
    if isinstance(series, Path):
        check_case_series(series)
        if out.resolve() == series.resolve():
            raise StorageError("Choose another file than the series itself to back it up to.")
        written = write_backup(series, out)
        return BackedUp(str(series), written, verify_copy(written))
    if isinstance(series, str):
        with closing(Casebook.connect(series)) as book:
            return back_up(book, out)
    from ..store.archive import write_archive

    written = write_archive(series.engine, out)
    return BackedUp(series.location, written, verify_copy(written))


def restore(location: Path | str, source: Path, when: datetime | None = None) -> Restored:
    """Replace the series at ``location`` by the copy at ``source``, after checking it (integrity, a schema
    this MyoCase knows: a newer one is refused); the series as it was is kept first. A file is replaced in
    one write of SQLite's backup API; a server's series in one transaction. Either way, on failure the
    series is left as it was."""
    verify_copy(source)
    if isinstance(location, Path):
        return Restored(str(location), source, _restore_file(location, source))
    return _restore_server(location, source, when)


def _restore_file(path: Path, source: Path) -> Path | None:
    if not path.exists():  # nothing to keep: the copy becomes the series
        write_backup(source, path)
        return None
    check_case_series(path)
    return restore_database(source, path)


def _restore_server(url: str, source: Path, when: datetime | None) -> Restored:
    from ..store.archive import load_archive, write_archive

    with closing(Casebook.connect(url)) as book:
        name = book.engine.url.database or "series"
        safety = write_archive(
            book.engine, backup_path_for(source.parent / f"{name}.sqlite", when, label="before-restore")
        )
        with tempfile.TemporaryDirectory(prefix="myocase-restore-") as folder:
            staged = backup_database(source, Path(folder) / "staged.sqlite")
            upgrade(staged)  # an older copy is brought to the current schema, on a copy of its own
            load_archive(staged, book.engine)
        return Restored(book.location, source, safety)


# ------------------------------------------------------------ automatic: on close and daily, the last N kept


def backup_folder(series: Path) -> Path:
    """Where a series file's automatic backups live: ``backups`` beside it."""
    return series.resolve().parent / FOLDER


def _automatic_name(series: Path) -> re.Pattern[str]:
    suffix = series.suffix or ".sqlite"
    return re.compile(rf"{re.escape(series.stem)}\.auto-(\d{{8}}-\d{{6}})(?:-\d+)?{re.escape(suffix)}")


def automatic_backups(series: Path) -> list[tuple[datetime, Path]]:
    """The automatic backups of ``series`` (``NAME.auto-YYYYMMDD-HHMMSS.sqlite``), the newest first."""
    folder, name = backup_folder(series), _automatic_name(series)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if match := name.fullmatch(path.name):
            found.append((datetime.strptime(match[1], _STAMP), path))
    return sorted(found, key=lambda item: (item[0], item[1].stat().st_mtime), reverse=True)


def keep_setting(book: Casebook) -> int:
    """How many automatic backups the series keeps (its setting, else ``DEFAULT_KEEP``)."""
    stored = book.preference(KEEP_KEY) or {}
    keep = stored.get("keep") if isinstance(stored, dict) else None
    return keep if isinstance(keep, int) and keep >= 1 else DEFAULT_KEEP


def keep_value(keep: int) -> dict[str, int]:
    """The setting's stored value (``Casebook.save_preference(KEEP_KEY, …)``)."""
    return {"keep": max(1, int(keep))}


def automatic_backup(series: Path, keep: int = DEFAULT_KEEP, when: datetime | None = None) -> Path:
    """Write a verified backup of the series file into its backups folder, then remove the oldest automatic
    ones beyond ``keep`` (other files there are never touched). Returns the backup."""
    folder = backup_folder(series)
    folder.mkdir(exist_ok=True)
    made = write_backup(series, backup_path_for(folder / series.name, when, label="auto"))
    for _, old in automatic_backups(series)[keep:]:
        old.unlink(missing_ok=True)
    return made


def due(series: Path, now: datetime | None = None) -> bool:
    """Whether a day has passed since the newest automatic backup (or there is none)."""
    newest = next(iter(automatic_backups(series)), None)
    return newest is None or (now or datetime.now()) - newest[0] >= DAILY


def backs_up(book: Casebook) -> bool:
    """Whether the series gets automatic backups: a file that can be written (a read-only one cannot change;
    a series on a server is backed up by the server)."""
    return book.path is not None and not book.read_only


def back_up_if(
    book: Casebook, reason: str, changed: bool = False, clock: Callable[[], datetime] = datetime.now
) -> Path | None:
    """The automatic backup for ``reason``: "open" once a day; "close" when the series ``changed`` in this
    session or none was made today. None when none was due (or the series gets none)."""
    if not backs_up(book) or book.path is None:
        return None
    now = clock()
    if not (due(book.path, now) or (reason == "close" and changed)):
        return None
    return automatic_backup(book.path, keep_setting(book), now)
