"""Automatic backups from the window (daily on open, on close after changes) and File → Backups…: where they
live, the list, how many are kept, Back up now."""

from __future__ import annotations

from pathlib import Path

import pytest
from myocase.services import backup
from myocase.store.casebook import Casebook
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import Qt

from tests.factories import make_patient

pytestmark = pytest.mark.sqlite_only("automatic backups are of series files")


def _backups(tmp_path: Path) -> list[Path]:
    return [path for _, path in backup.automatic_backups(tmp_path / "series.sqlite")]


def _patients(path: Path) -> list[str]:
    book = Casebook.open(path, create=False)
    try:
        return [p.study_id for p in book.patients()]
    finally:
        book.close()


def test_the_series_is_backed_up_daily_on_open_and_on_close_after_changes(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    files = window.files
    first = files.daily_backup()
    assert first is not None
    assert first.parent == tmp_path / "backups"
    assert files.daily_backup() is None  # once a day
    assert files.closing() is None  # nothing changed since
    window.controller.save_patient(make_patient("MYO-07"), None)
    window.close()
    (last, earlier) = _backups(tmp_path)
    assert earlier == first
    assert _patients(last) == ["MYO-07"]


def test_opening_another_series_backs_up_the_one_left_after_changes(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    files = window.files
    files.daily_backup()
    window.controller.save_patient(make_patient("MYO-08"), None)
    other = tmp_path / "other" / "clinic.sqlite"
    Casebook.open(other).close()
    assert files.open_path(other)
    (left, _) = _backups(tmp_path)
    assert _patients(left) == ["MYO-08"]
    assert window.controller.book.path == other


def test_the_backups_dialog_shows_where_they_live_and_keeps_the_number_chosen(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window.actions_["backups"].trigger()
    dialog = window.files.dialog
    assert dialog is not None
    assert str(tmp_path / "backups") in dialog.where.text()
    assert dialog.list.topLevelItemCount() == 0
    qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
    assert dialog.list.topLevelItemCount() == 2
    assert dialog.list.topLevelItem(0).text(1).startswith("series.auto-")
    dialog.keep.clear()
    qtbot.keyClicks(dialog.keep, "1")
    qtbot.keyClick(dialog.keep, Qt.Key.Key_Return)
    assert backup.keep_setting(window.controller.book) == 1  # a setting of the series
    qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
    assert dialog.list.topLevelItemCount() == 1
    assert len(_backups(tmp_path)) == 1
