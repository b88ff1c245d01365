"""The database files of the File menu: New, Open, Open recent (the last ten, kept in QSettings),
Back up and Restore."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from ..domain.numbers import plural
from ..store import SERIES_SUFFIXES
from ..store.database import (
    StorageError,
    backup_database,
    check_case_series,
    restore_database,
    write_backup,
)
from .controller import Controller

RECENT_KEY = "recent_databases"
MAX_RECENT = 10
PATTERN = f"MyoCase series ({' '.join('*' + s for s in SERIES_SUFFIXES)});;All files (*)"
BACKUP_FOLDER = "last_backup_folder"


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
    options = QFileDialog.Option.DontUseNativeDialog
    ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    name, _ = ask(parent, title, str(start), PATTERN, options=options)
    return Path(name) if name else None


class DatabaseFiles(QObject):
    """Carries out the File menu's database commands for ``window``; ``recent_menu`` lists the last ten."""

    def __init__(self, controller: Controller, window: QWidget) -> None:
        super().__init__(window)
        self.controller, self.window = controller, window
        self.recent_menu = QMenu("Open re&cent", window)
        self.recent_menu.setToolTipsVisible(True)
        self.busy: Callable[[], str | None] = lambda: None  # why the database cannot be replaced now
        self.opened()

    # ------------------------------------------------------------ recent
    def opened(self) -> None:
        """Call after a database is opened: it goes first in the recent list."""
        if self.controller.book.path is not None:
            remember(self.controller.book.path)
        self.fill_recent_menu()

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
        try:
            self.controller.open_database(path)
        except StorageError as exc:
            QMessageBox.critical(self.window, "Cannot open database", str(exc))
            return False
        self.opened()
        return True

    # ------------------------------------------------------------ backup and restore
    def back_up(self) -> Path | None:
        """Write a consistent copy of the open database where the user says."""
        source = self.controller.book.path
        if source is None:
            return None
        name = f"{source.stem}-backup-{self.controller.book.today().isoformat()}.sqlite"
        chosen = _choose(self.window, "Back up the series to", self._folder(BACKUP_FOLDER) / name, save=True)
        if chosen is None:
            return None
        target = with_database_suffix(chosen)
        if target.resolve() == source.resolve():
            QMessageBox.warning(self.window, "Back up", "Choose another file than the open database itself.")
            return None
        if target != chosen and target.exists() and not self._confirm_replace(target):
            return None
        try:
            with _busy_cursor():
                write_backup(source, target)
        except StorageError as exc:
            QMessageBox.critical(self.window, "Back up", str(exc))
            return None
        self._chosen(target, BACKUP_FOLDER)
        self.controller.message.emit(f"Backup written to {target}")
        return target

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
                safety = restore_database(source, target)
        except StorageError as exc:
            QMessageBox.critical(self.window, "Restore", str(exc))
            return False
        if not self._reopen(target, safety):
            return False
        self.controller.message.emit(f"Restored from {source.name}; the series as it was is kept in {safety}")
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
            backup_database(safety, target)
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
