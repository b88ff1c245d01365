"""The main window itself: keys that work wherever the focus is, closing windows, the database files of
the File menu (New, Open, Recent, Back up, Restore), the toolbar at small sizes, closing with a form open,
`myocase PATH` opening that series, and Help → About."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from myocase import __version__, cli
from myocase.domain.records import Identifiers
from myocase.store.casebook import Casebook
from myocase.store.database import StorageError, head_revision
from myocase.ui import application, recent
from myocase.ui.application import make_application, open_start_database
from myocase.ui.controller import Controller
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QWidget,
)

from tests.factories import make_patient
from tests.ui.conftest import Answers


def press(qtbot, widget: QWidget, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    top = widget.window()
    top.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is top)
    qtbot.keyClick(widget, key, modifiers)


def file_dialog(monkeypatch: pytest.MonkeyPatch, name: str, answer: Path) -> list[str]:
    """Answer QFileDialog.<name> with ``answer``; the filters offered are recorded."""
    offered: list[str] = []

    def ask(parent, title, start, pattern="", *a, **k):  # type: ignore[no-untyped-def]
        offered.append(pattern)
        return str(answer), ""

    monkeypatch.setattr(QFileDialog, name, ask)
    return offered


def add_patient(window: MainWindow, study_id: str = "MYO-01", name: str = "Ana Ruiz") -> int:
    patient = window.controller.save_patient(make_patient(study_id), None)
    pid = patient.id or 0
    window.controller.save_patient(patient, Identifiers(pid, full_name=name))
    return pid


# ------------------------------------------------------------ keys


def test_ctrl_z_in_the_search_box_undoes_the_last_save(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    window.controller.save_patient(make_patient("MYO-01"), None)
    window.actions_["find"].trigger()
    search = window.patients.search
    qtbot.keyClicks(search, "MY")
    press(qtbot, search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert book.counts().patients == 0  # the save is undone …
    assert search.text() == "MY"  # … not the typing
    press(
        qtbot, search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert [p.study_id for p in book.patients()] == ["MYO-01"]


def _comparison(window: MainWindow) -> QWidget:
    window.controller.load_demo()
    by_patient: dict[int, list[int]] = {}
    for photo in window.controller.book.photos():
        by_patient.setdefault(photo.patient_id, []).append(photo.id or 0)
    pid, ids = next((p, i) for p, i in by_patient.items() if len(i) >= 2)
    window.controller.select_patient(pid)
    view = window.patient_view.photos.compare(ids[:2])
    assert view is not None
    return view


WINDOWS: dict[str, Callable[[MainWindow], QWidget]] = {
    "analysis": MainWindow.show_analysis,
    "cohort": MainWindow.show_cohort,
    "comparison": _comparison,
    "help": MainWindow.show_help,
}


@pytest.mark.parametrize("which", sorted(WINDOWS))
@pytest.mark.parametrize("key", ["Escape", "Ctrl+W"])
def test_escape_and_ctrl_w_close_the_secondary_windows(
    qtbot, window: MainWindow, which: str, key: str
) -> None:  # type: ignore[no-untyped-def]
    shown = WINDOWS[which](window)
    qtbot.waitExposed(shown)
    assert shown.isVisible()
    focus = shown.focusWidget() or shown
    if key == "Escape":
        press(qtbot, focus, Qt.Key.Key_Escape)
    else:
        press(qtbot, focus, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not shown.isVisible()
    assert window.isVisible()


# ------------------------------------------------------------ databases


def test_new_database_adds_the_extension_and_open_lists_it(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    file_dialog(monkeypatch, "getSaveFileName", tmp_path / "second series")
    window.actions_["new_db"].trigger()
    assert window.controller.book.path == tmp_path / "second series.sqlite"
    assert (tmp_path / "second series.sqlite").is_file()
    offered = file_dialog(monkeypatch, "getOpenFileName", tmp_path / "second series.sqlite")
    window.actions_["open"].trigger()
    assert "*.sqlite" in offered[0].split(";;")[0]


def test_recent_lists_the_last_ten_and_survives_a_restart(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    paths = [tmp_path / f"series {n:02}.sqlite" for n in range(12)]
    for path in paths:
        file_dialog(monkeypatch, "getSaveFileName", path)
        window.actions_["new_db"].trigger()
    newest_first = [str(p) for p in reversed(paths)][:10]
    assert [a.data() for a in window.files.recent_actions()] == newest_first
    window.files.recent_actions()[3].trigger()
    assert window.controller.book.path == paths[8]
    window.close()

    # a restart: a new window lists the same ten, and the app opens the last database without a path
    book, note = open_start_database(None, tmp_path / "default.sqlite")
    assert book.path == paths[8]
    assert note == ""
    again = MainWindow(Controller(book))
    qtbot.addWidget(again)
    assert [a.data() for a in again.files.recent_actions()][:2] == [str(paths[8]), str(paths[11])]
    assert len(again.files.recent_actions()) == 10
    again.controller.close()


def test_start_says_so_when_the_last_database_is_gone(qtbot, qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_application()
    recent.remember(tmp_path / "moved away.sqlite")
    book, note = open_start_database(None, tmp_path / "default.sqlite")
    assert book.path == tmp_path / "default.sqlite"
    assert "could not be opened" in note
    assert "moved away.sqlite" in note
    book.close()
    book, note = open_start_database(tmp_path / "given.sqlite", tmp_path / "default.sqlite")
    assert book.path == tmp_path / "given.sqlite"
    assert note == ""
    book.close()


def test_a_recent_database_that_is_gone_is_taken_off_the_list(
    qtbot, window: MainWindow, tmp_path: Path, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    gone = tmp_path / "gone.sqlite"
    Casebook.open(gone).close()
    recent.remember(gone)
    window.files.fill_recent_menu()
    gone.unlink()
    assert window.files.open_path(gone) is False
    assert "was not found" in answers.questions[-1]
    assert str(gone) not in [a.data() for a in window.files.recent_actions()]


@pytest.mark.sqlite_only("backs up and restores the file")
def test_back_up_then_restore_brings_back_a_deleted_patient(
    qtbot, window: MainWindow, tmp_path: Path, answers: Answers, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    pid = add_patient(window)
    copy = tmp_path / "copies" / "before deleting"
    copy.parent.mkdir()
    file_dialog(monkeypatch, "getSaveFileName", copy)
    window.actions_["backup"].trigger()
    assert (tmp_path / "copies" / "before deleting.sqlite").is_file()

    window.controller.delete_patient(pid)
    assert window.controller.book.counts().patients == 0
    file_dialog(monkeypatch, "getOpenFileName", tmp_path / "copies" / "before deleting.sqlite")
    window.actions_["restore"].trigger()
    assert "Replace the open series (0 patients, in" in answers.questions[-1]
    book = window.controller.book
    assert book.path == tmp_path / "series.sqlite"
    assert [p.study_id for p in book.patients()] == ["MYO-01"]
    assert book.identifiers(pid).full_name == "Ana Ruiz"  # type: ignore[union-attr]
    assert not window.actions_["undo"].isEnabled()  # the undo history belonged to the replaced series
    (safety,) = tmp_path.glob("series.before-restore-*.sqlite")
    kept = Casebook.open(safety, create=False)
    assert kept.counts().patients == 0  # the series as it was just before the restore
    kept.close()


@pytest.mark.sqlite_only("restores the file")
def test_restore_refuses_a_file_that_is_not_a_myocase_database(
    qtbot, window: MainWindow, tmp_path: Path, answers: Answers, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    add_patient(window)
    notes = tmp_path / "notes.sqlite"
    notes.write_text("not a database")
    file_dialog(monkeypatch, "getOpenFileName", notes)
    window.actions_["restore"].trigger()
    assert "not a MyoCase database" in answers.questions[-1]
    assert not any("Replace the open series" in q for q in answers.questions)
    assert window.controller.book.counts().patients == 1
    assert list(tmp_path.glob("*.before-restore-*")) == []


@pytest.mark.sqlite_only("restores the file")
def test_restore_refuses_a_database_of_a_newer_myocase(
    qtbot, window: MainWindow, tmp_path: Path, answers: Answers, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    newer = tmp_path / "newer.sqlite"
    Casebook.open(newer).close()
    raw = sqlite3.connect(newer)
    raw.execute("UPDATE alembic_version SET version_num = 'ffff'")
    raw.commit()
    raw.close()
    add_patient(window)
    file_dialog(monkeypatch, "getOpenFileName", newer)
    window.actions_["restore"].trigger()
    assert "newer version of MyoCase" in answers.questions[-1]
    assert window.controller.book.counts().patients == 1
    assert list(tmp_path.glob("*.before-restore-*")) == []


@pytest.mark.sqlite_only("restores the file")
def test_a_restore_that_cannot_be_reopened_puts_the_series_back(
    qtbot, window: MainWindow, tmp_path: Path, answers: Answers, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    empty_copy = tmp_path / "empty copy.sqlite"
    Casebook.open(empty_copy).close()
    add_patient(window)
    controller = window.controller
    real_open = controller.open_database
    calls: list[Path] = []

    def failing_once(path: Path) -> None:
        calls.append(path)
        if len(calls) == 1:
            raise StorageError("simulated: the restored copy cannot be opened")
        real_open(path)

    monkeypatch.setattr(controller, "open_database", failing_once)
    file_dialog(monkeypatch, "getOpenFileName", empty_copy)
    window.actions_["restore"].trigger()
    assert "The series was put back as it was" in answers.questions[-1]
    assert [p.study_id for p in controller.book.patients()] == ["MYO-01"]


def test_restore_asks_and_cancel_changes_nothing(
    qtbot, window: MainWindow, tmp_path: Path, answers: Answers, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other.sqlite"
    Casebook.open(other).close()
    add_patient(window)
    file_dialog(monkeypatch, "getOpenFileName", other)
    answers.reply = QMessageBox.StandardButton.Cancel
    window.actions_["restore"].trigger()
    assert window.controller.book.counts().patients == 1
    assert list(tmp_path.glob("*.before-restore-*")) == []


# ------------------------------------------------------------ toolbar and closing


@pytest.mark.demo
@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_the_toolbar_keeps_undo_and_redo_visible(qtbot, window: MainWindow, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    add_patient(window, "A-VERY-LONG-STUDY-IDENTIFIER-01")
    window.resize(*size)
    QCoreApplication.processEvents()
    toolbar = window.toolbar
    for name in ("undo", "redo", "export", "new_patient"):
        button = toolbar.widgetForAction(window.actions_[name])
        assert button.isVisible(), name
        assert toolbar.rect().contains(button.geometry()), name
    undo = window.actions_["undo"]
    assert toolbar.widgetForAction(undo).text() == "Undo"
    assert "A-VERY-LONG-STUDY-IDENTIFIER-01" in undo.toolTip()
    assert "Ctrl+Z" in undo.toolTip()


def test_closing_the_window_with_an_unsaved_form_asks(qtbot, window: MainWindow, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    window.actions_["new_patient"].trigger()
    form = window.active_form
    assert form is not None
    qtbot.keyClicks(form.widgets.study_id, "MYO-09")
    answers.reply = QMessageBox.StandardButton.Cancel
    assert not window.close()
    assert window.isVisible()
    assert form.isVisible()
    assert form.widgets.study_id.text() == "MYO-09"
    assert answers.questions[-1].startswith("This form has changes")
    answers.reply = QMessageBox.StandardButton.Discard
    assert window.close()
    assert not window.isVisible()


# ------------------------------------------------------------ starting with a file, and About


def test_myocase_path_opens_that_series_in_the_window(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    series = tmp_path / "ward 3.myocase"
    book = Casebook.open(series)
    book.save_patient(make_patient("MYO-42"))
    book.close()
    opened: list[MainWindow] = []

    def tracked(controller: Controller) -> MainWindow:  # the window the app opens, closed once shown
        window = MainWindow(controller)
        qtbot.addWidget(window)
        opened.append(window)
        QTimer.singleShot(0, lambda: opened.append(window) if window.isVisible() and window.close() else None)
        return window

    monkeypatch.setattr(application, "MainWindow", tracked)
    assert cli.main([str(series)]) == 0  # as `myocase PATH`, the desktop entry's `myocase %f`
    window = opened[0]
    assert len(opened) == 2  # it was shown, then closed
    assert window.controller.book.path == series
    assert [p.study_id for p in window.controller.book.patients()] == ["MYO-42"]
    assert "ward 3.myocase" in window.windowTitle()
    assert recent.recent_databases()[0] == series.resolve()
    assert QGuiApplication.desktopFileName() == "myocase"  # the dock shows the app's own icon


def test_open_offers_myocase_and_sqlite_files(qtbot, window: MainWindow, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other.myocase"
    Casebook.open(other).close()
    offered = file_dialog(monkeypatch, "getOpenFileName", other)
    window.actions_["open"].trigger()
    series_filter = offered[0].split(";;")[0]
    assert "*.myocase" in series_filter
    assert "*.sqlite" in series_filter
    assert window.controller.book.path == other
    assert recent.with_database_suffix(tmp_path / "copy.myocase") == tmp_path / "copy.myocase"


def test_about_names_the_version_the_database_its_schema_and_the_licences(
    qtbot, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window.actions_["about"].trigger()
    dialog = window.findChild(QDialog, "AboutDialog")
    assert dialog is not None
    assert dialog.isVisible()
    text = dialog.findChild(QTextBrowser).toPlainText()
    book = window.controller.book
    assert f"MyoCase {__version__}" in text
    assert f"Database: {book.location}" in text
    assert f"Schema version: {head_revision()}" in text
    assert book.schema_version() == head_revision()
    for component, licence in [
        ("SQLAlchemy", "MIT"),
        ("PySide6", "LGPL-3.0"),
        ("DejaVu fonts", "Bitstream-Vera"),
    ]:
        lines = text.splitlines()  # the table reads name, version, licence, one cell a line
        assert any(line.startswith(component) and licence in lines[n + 2] for n, line in enumerate(lines)), (
            component
        )
    shown: list[object] = []
    monkeypatch.setattr(QMessageBox, "aboutQt", lambda parent, title="": shown.append(parent))
    about_qt = next(b for b in dialog.findChildren(QPushButton) if "About" in b.text())
    qtbot.mouseClick(about_qt, Qt.MouseButton.LeftButton)
    assert shown == [dialog]
