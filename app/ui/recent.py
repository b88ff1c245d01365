"""The database files of the File menu: New, Open, Open recent (the last ten, kept in QSettings),
Back up, Restore and Backups (through the backup service, as the command line), and the automatic
backups: once a day when a series is opened, and when it is closed after changes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from ..domain.numbers import plural
from ..services import backup as backups
from ..store import SERIES_SUFFIXES
from ..store.database import StorageError, backup_database, check_case_series
from .controller import Controller
from .figures import export as saving

if TYPE_CHECKING:
    from .backups_dialog import BackupsDialog

log = logging.getLogger(__name__)

RECENT_KEY = "recent_databases"
MAX_RECENT = 10
PATTERN = f"MyoCase series ({' '.join('*' + s for s in SERIES_SUFFIXES)});;All files (*)"
BACKUP_FOLDER = "last_backup_folder"
DAILY_BACKUP_DELAY_MS = 2000  # the daily backup waits until the window is up


def with_database_suffix(path: Path) -> Path:
    """``path`` with ``.sqlite`` added unless it already ends in a series suffix (.myocase, .sqlite, .db)."""
    return path if path.suffix.lower() in SERIES_SUFFIXES else path.with_name(path.name + ".sqlite")


def recent_databases() -> list[Path]:
    """The databases opened last, the latest first."""
    value = QSettings().value(RECENT_KEY, [], type=list)
    return [Path(str(v)) for v in value if v] if isinstance(value, list) else []


def remember(path: Path) -> None:
    """Put ``path`` first in the recent list (the list keeps ``MAX_RECENT``)."""
    path = path.resolve()
    kept = [p for p in recent_databases() if p != path]
    QSettings().setValue(RECENT_KEY, [str(p) for p in [path, *kept][:MAX_RECENT]])


def forget(path: Path) -> None:
    QSettings().setValue(RECENT_KEY, [str(p) for p in recent_databases() if p != path])


def _choose(parent: QWidget, title: str, start: Path, save: bool) -> Path | None:
    name, _ = saving.file_dialog(parent, title, str(start), PATTERN, save=save)
    return Path(name) if name else None


class DatabaseFiles(QObject):
    """Carries out the File menu's database commands for ``window``; ``recent_menu`` lists the last ten."""

    def __init__(self, controller: Controller, window: QWidget) -> None:
        super().__init__(window)
        self.controller, self.window = controller, window
        self.recent_menu = QMenu("Open re&cent", window)
        self.recent_menu.setToolTipsVisible(True)
        self.busy: Callable[[], str | None] = lambda: None  # why the database cannot be replaced now
        self.changed = False  # changed since opened or last backed up: a backup is due on close
        self.dialog: BackupsDialog | None = None
        controller.changed.connect(self._on_changed)
        self.opened()

    # ------------------------------------------------------------ recent
    def opened(self) -> None:
        """Call after a database is opened: it goes first in the recent list; its daily backup is made soon."""
        if self.controller.book.path is not None:
            remember(self.controller.book.path)
        self.fill_recent_menu()
        self.changed = False
        QTimer.singleShot(DAILY_BACKUP_DELAY_MS, self, self.daily_backup)

    def fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        for n, path in enumerate(recent_databases(), start=1):
            action = menu.addAction(f"&{n % 10} {path.name}   ({path.parent})")
            action.setToolTip(str(path) if path.is_file() else f"{path} was not found")
            action.setEnabled(path.is_file())
            action.setData(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        menu.addSeparator()
        clear = menu.addAction("Clear the list")
        clear.setEnabled(len(menu.actions()) > 2)
        clear.triggered.connect(self.clear_recent)

    def recent_actions(self) -> list[QAction]:
        return [a for a in self.recent_menu.actions() if a.data()]

    def clear_recent(self) -> None:
        QSettings().remove(RECENT_KEY)
        self.opened()

    # ------------------------------------------------------------ opening
    @staticmethod
    def _folder(key: str = "last_database_folder") -> Path:
        return Path(str(QSettings().value(key, "") or Path.home()))

    @staticmethod
    def _chosen(path: Path | None, key: str = "last_database_folder") -> Path | None:
        if path is not None:
            QSettings().setValue(key, str(path.parent))
        return path

    def open_database(self) -> None:
        if (
            path := self._chosen(_choose(self.window, "Open database", self._folder(), save=False))
        ) is not None:
            self.open_path(path)

    def new_database(self) -> None:
        chosen = self._chosen(_choose(self.window, "New database", self._folder(), save=True))
        if chosen is None:
            return
        path = with_database_suffix(chosen)
        if path.exists():
            QMessageBox.warning(
                self.window, "New database", f"{path} already exists: choose a new name, or open it."
            )
            return
        self.open_path(path, create=True)

    def open_path(self, path: Path, create: bool = False) -> bool:
        if not create and not path.is_file():
            QMessageBox.warning(
                self.window, "Cannot open database", f"{path} was not found (moved, renamed or deleted?)."
            )
            forget(path)
            self.fill_recent_menu()
            return False
        self.closing()  # the series left behind gets its backup on close
        try:
            self.controller.open_database(path)
        except StorageError as exc:
            QMessageBox.critical(self.window, "Cannot open database", str(exc))
            return False
        self.opened()
        return True

    # ------------------------------------------------------------ automatic backups
    def _on_changed(self, _change: Any) -> None:
        self.changed = True

    def daily_backup(self) -> Path | None:
        """The backup made once a day when a series is opened (quietly: the Backups dialog lists it)."""
        return self._automatic("open")

    def closing(self) -> Path | None:
        """Call when the series is closed (the window, or another series opened): backed up if it changed."""
        return self._automatic("close")

    def _automatic(self, reason: str) -> Path | None:
        try:
            with _busy_cursor():
                made = backups.back_up_if(self.controller.book, reason, changed=self.changed)
        except StorageError as exc:
            log.warning("Automatic backup on %s failed: %s", reason, exc)
            QMessageBox.warning(
                self.window, "Automatic backup", f"The automatic backup was not written.\n\n{exc}"
            )
            return None
        if made is not None:
            log.info("Automatic backup written to %s", made)
            self.changed = False
        return made

    def show_backups(self) -> BackupsDialog:
        """Where the series' backups live, the automatic ones, how many are kept."""
        if self.dialog is not None:
            self.dialog.close()
        from .backups_dialog import BackupsDialog

        self.dialog = BackupsDialog(self.controller, self.window)
        self.dialog.show()
        return self.dialog

    # ------------------------------------------------------------ backup and restore
    def back_up(self) -> Path | None:
        """Write a checked copy of the open series where the user says (a series on a server: its portable
        archive, a series file of every table)."""
        book = self.controller.book
        stem = book.path.stem if book.path is not None else (book.engine.url.database or "series")
        name = f"{stem}-backup-{book.today().isoformat()}.sqlite"
        chosen = _choose(self.window, "Back up the series to", self._folder(BACKUP_FOLDER) / name, save=True)
        if chosen is None:
            return None
        target = with_database_suffix(chosen)
        if book.path is not None and target.resolve() == book.path.resolve():
            QMessageBox.warning(self.window, "Back up", "Choose another file than the open database itself.")
            return None
        if target != chosen and target.exists() and not self._confirm_replace(target):
            return None
        try:
            with _busy_cursor():
                written = backups.back_up(book, target)
        except StorageError as exc:
            QMessageBox.critical(self.window, "Back up", str(exc))
            return None
        self._chosen(target, BACKUP_FOLDER)
        self.controller.message.emit(f"Backup written to {target} (checked)")
        return written.path

    def _confirm_replace(self, target: Path) -> bool:
        answer = QMessageBox.question(
            self.window, "Back up", f"{target} already exists. Replace it with a new backup?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def restore(self) -> bool:
        """Replace the open series by a backup, after confirming; a safety copy of it is kept."""
        target = self.controller.book.path
        if target is None:
            return False
        if why := self.busy():
            QMessageBox.information(self.window, "Restore", why)
            return False
        source = _choose(
            self.window, "Restore the series from a backup", self._folder(BACKUP_FOLDER), save=False
        )
        if source is None or not self._confirm_restore(source, target):
            return False
        try:
            with _busy_cursor():
                restored = backups.restore(target, source)
        except StorageError as exc:
            QMessageBox.critical(self.window, "Restore", str(exc))
            return False
        if restored.safety is None or not self._reopen(target, restored.safety):
            return False
        self.controller.message.emit(
            f"Restored from {source.name}; the series as it was is kept in {restored.safety}"
        )
        return True

    def _confirm_restore(self, source: Path, target: Path) -> bool:
        try:
            check_case_series(source)
        except StorageError as exc:
            QMessageBox.critical(self.window, "Restore", str(exc))
            return False
        patients = plural(self.controller.book.counts().patients, "patient")
        answer = QMessageBox.question(
            self.window, "Restore from a backup?",
            f"Replace the open series ({patients}, in {target}) by the backup {source}?\n\n"
            "Everything entered since that backup was made is replaced; a safety copy of the series as it is "
            "now is kept beside it. Undo history is cleared.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def _reopen(self, target: Path, safety: Path) -> bool:
        try:
            self.controller.open_database(target)
        except StorageError as exc:  # e.g. a backup too damaged to migrate: put the series back as it was
            backup_database(safety, target, standalone=False)
            self.controller.open_database(target)
            QMessageBox.critical(self.window, "Restore", f"{exc}\n\nThe series was put back as it was.")
            return False
        self.opened()
        return True


@contextmanager
def _busy_cursor() -> Iterator[None]:
    """A busy cursor for the few seconds a copy of a large series takes."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()
