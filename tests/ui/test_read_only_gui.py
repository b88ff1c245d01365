"""A read-only series in the window: the banner says so, every write action and button is off (and stays off
whatever is selected), a save or delete is refused with the reason, nothing is written; a series on a network
share is named in the status bar."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from myocase.store import database, file_system
from myocase.store.casebook import Casebook
from myocase.ui.controller import Controller
from myocase.ui.main_window import MainWindow
from myocase.ui.read_only import WRITE_ACTIONS
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.factories import TODAY
from tests.ui.conftest import Answers
from tests.ui.test_records_gui import save, type_into


def _listing(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture
def locked(demo_path: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the demo as the app leaves it, the file and its folder marked read-only."""
    folder = tmp_path / "archive"
    folder.mkdir()
    copy = database.backup_database(demo_path, folder / "demo.sqlite", standalone=False)
    copy.chmod(0o444)
    folder.chmod(0o555)
    yield copy
    folder.chmod(0o755)
    copy.chmod(0o644)


def _window(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    book = Casebook.open(path, today=lambda: TODAY)
    window = MainWindow(Controller(book))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _close(window: MainWindow) -> None:
    window.close()
    window.controller.close()


@pytest.mark.sqlite_only("a read-only file")
def test_a_read_only_series_opens_with_a_banner_and_every_write_action_off(
    qtbot, qapp: QApplication, locked: Path, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    before = _listing(locked.parent)
    window = _window(qtbot, locked)
    banner = window.read_only.banner
    assert banner.isVisible()
    assert banner.text().startswith(
        "Opened read-only: the file is marked read-only — changes cannot be saved"
    )
    assert "Cannot open" not in " ".join(answers.questions)  # not refused, not "damaged"
    assert window.controller.has_patients()
    window.controller.select_patient(window.controller.book.patients()[0].id)
    view = window.patient_view
    assert window.right.currentWidget() is view
    assert view.assessments.model.rowCount() > 0  # browsing works
    assert [name for name in WRITE_ACTIONS if window.actions_[name].isEnabled()] == []
    for name in ("backup", "backups", "export", "export_as", "analysis", "cohort", "open", "new_db"):
        assert window.actions_[name].isEnabled(), name
    view.assessments.table.selectRow(0)  # a selection enables Edit and Delete in a writable series…
    buttons = [view.assessments.edit_button, view.assessments.delete_button, view.assessments.add_button,
               view.edit_patient_button, view.delete_patient_button, view.photos.buttons["add"]]  # fmt: skip
    assert [b.text() for b in buttons if b.isEnabled()] == []  # …not here
    _close(window)
    assert _listing(locked.parent) == before  # not a byte written, no backup made


@pytest.mark.sqlite_only("a read-only file")
def test_a_save_on_a_read_only_series_is_refused_with_the_reason(
    qtbot, qapp: QApplication, locked: Path, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    before = _listing(locked.parent)
    window = _window(qtbot, locked)
    window.controller.select_patient(window.controller.book.patients()[0].id)
    window.patient_view.tabs.setCurrentWidget(window.patient_view.courses)
    table = window.patient_view.courses.table
    qtbot.waitExposed(table)
    where = table.visualRect(table.model().index(0, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a double click's first press
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    form = window.active_form
    assert form is not None
    type_into(qtbot, form.widgets.notes, " seen again")
    save(qtbot, form)
    assert any(
        q.startswith("critical: Opened read-only: the file is marked read-only — changes cannot be saved")
        for q in answers.questions
    ), answers.questions
    assert form.isVisible()  # the typed entries are still there
    qtbot.keyClick(table, Qt.Key.Key_Delete)  # the keyboard's Delete, not a button: refused too
    assert answers.questions[-1].startswith("warning: Opened read-only")
    assert window.controller.book.counts().medication_courses > 0
    form.reject()
    _close(window)
    assert _listing(locked.parent) == before


def test_a_writable_series_shows_no_banner_and_its_buttons_follow_their_own_rules(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    assert not window.read_only.banner.isVisible()
    window.controller.load_demo()
    window.controller.select_patient(window.controller.book.patients()[0].id)
    tab = window.patient_view.assessments
    assert not tab.delete_button.isEnabled()  # nothing selected
    tab.table.selectRow(0)
    assert tab.delete_button.isEnabled()
    assert window.actions_["new_patient"].isEnabled()


@pytest.mark.sqlite_only("a file on a share")
def test_a_series_on_a_network_share_is_named_in_the_status_bar(
    qtbot, qapp: QApplication, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(file_system, "network_share", lambda path: "nfs4")
    monkeypatch.setattr(database, "network_share", lambda path: "nfs4")
    window = _window(qtbot, db_path)
    assert "on a network share (nfs4): saved without the write-ahead log" in window.db_label.text()
    assert not window.read_only.banner.isVisible()
    _close(window)


@pytest.mark.sqlite_only("a read-only file")
def test_export_report_from_a_read_only_series_asks_where_instead_of_writing_beside_it(
    qtbot, qapp: QApplication, locked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    before = _listing(locked.parent)
    window = _window(qtbot, locked)
    asked: list[str] = []

    def ask(parent, title, start, *a, **k):  # type: ignore[no-untyped-def]
        asked.append(title)
        return str(tmp_path / "out.pdf"), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    with qtbot.waitSignal(window.exporter.finished, timeout=60_000) as blocker:
        qtbot.mouseClick(window.toolbar.widgetForAction(window.actions_["export"]), Qt.MouseButton.LeftButton)
    assert asked
    assert Path(blocker.args[0]) == tmp_path / "out.pdf"
    assert (tmp_path / "out.pdf").stat().st_size > 0
    _close(window)
    assert _listing(locked.parent) == before
