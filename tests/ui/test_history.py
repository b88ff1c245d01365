"""Patient → History: every change to the selected patient's records, read from the real table."""

from __future__ import annotations

import csv
import getpass
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from myocase.domain.records import Assessment, Identifiers, PhotoComparison
from myocase.store.imaging import prepare_image
from myocase.ui.figures import export
from myocase.ui.history import HistoryWindow
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from sqlalchemy import text

from tests.factories import make_assessment, make_patient
from tests.images import png_bytes, upright_pattern
from tests.ui.conftest import Answers

COLUMNS = ["When", "Who", "Record", "Change", "Field", "Before", "After"]


def open_history(window: MainWindow) -> HistoryWindow:
    """Patient → History…, as the menu offers it."""
    (patient_menu,) = [m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Patient"]
    (action,) = [a for a in patient_menu.actions() if a.text() == "&History…"]
    assert action.shortcut() == QKeySequence("Ctrl+H")
    action.trigger()
    history = window.findChild(HistoryWindow)
    assert history is not None
    assert history.isVisible()
    return history


def table_rows(history: HistoryWindow) -> list[dict[str, str]]:
    """The rows the table shows, top to bottom, by column title."""
    model = history.table.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == COLUMNS
    return [
        {titles[c]: model.index(r, c).data() for c in range(model.columnCount())}
        for r in range(model.rowCount())
    ]


@pytest.fixture
def edited(window: MainWindow) -> int:
    """A patient with an assessment created, edited, deleted and brought back by Undo."""
    controller = window.controller
    pid = controller.save_patient(make_patient("MYO-07"), None).id or 0
    controller.save_patient(controller.book.patient(pid), Identifiers(pid, full_name="Ana Ruiz"))
    stored = controller.save_record(make_assessment(pid, on="2022-03-14", cdasi_activity=20))
    controller.save_record(replace(stored, cdasi_activity=25))
    controller.delete_record(Assessment, stored.id or 0)
    controller.undo_stack.undo()  # the assessment is back
    assert [a.cdasi_activity for a in controller.book.assessments(pid)] == [25]
    return pid


def test_the_history_shows_each_change_newest_first(window: MainWindow, edited: int) -> None:
    rows = table_rows(open_history(window))
    me = getpass.getuser()
    assert {r["Who"] for r in rows} == {me}
    activity = [
        (r["Change"], r["Record"], r["Before"], r["After"]) for r in rows if r["Field"] == "CDASI activity"
    ]
    assert activity == [  # newest first: undone delete, delete, edit, creation
        ("Created", "Assessment of 2022-03-14", "", "25"),
        ("Deleted", "Assessment of 2022-03-14", "25", ""),
        ("Changed", "Assessment of 2022-03-14", "20", "25"),
        ("Created", "Assessment of 2022-03-14", "", "20"),
    ]
    assert {"Field": "Full name", "Change": "Created", "Before": "", "After": "Ana Ruiz"}.items() <= next(
        r for r in rows if r["Record"] == "Identifiers"
    ).items()
    subtype = next(r for r in rows if r["Field"] == "Diagnosis subtype")
    assert (subtype["Record"], subtype["After"]) == ("Patient MYO-07", "Dermatomyositis (DM)")
    assert rows[-1]["Record"] == "Patient MYO-07"  # the oldest change: the patient's creation


def test_a_deleted_record_is_named_from_the_trail(window: MainWindow, edited: int) -> None:
    (stored,) = window.controller.book.assessments(edited)
    window.controller.delete_record(Assessment, stored.id or 0)
    rows = table_rows(open_history(window))
    assert {r["Record"] for r in rows if r["Field"] == "Assessment date"} == {
        "Assessment of 2022-03-14 (deleted)"
    }


def test_the_time_is_local(window: MainWindow, edited: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "IST-5:30")  # POSIX: 5 h 30 min east of UTC, no summer time
    time.tzset()
    try:
        rows = table_rows(open_history(window))
    finally:
        monkeypatch.undo()
        time.tzset()
    stored = window.controller.book.history(edited)
    utc = datetime.fromisoformat(stored[0].at)
    assert rows[0]["When"] == (utc + timedelta(hours=5, minutes=30)).strftime("%Y-%m-%d %H:%M:%S")


def test_the_history_follows_saves_and_the_selection(qtbot, window: MainWindow, edited: int) -> None:  # type: ignore[no-untyped-def]
    history = open_history(window)
    before = len(table_rows(history))
    (stored,) = window.controller.book.assessments(edited)
    window.controller.save_record(replace(stored, haq=1.25))
    rows = table_rows(history)
    assert len(rows) == before + 1
    assert (rows[0]["Field"], rows[0]["Before"], rows[0]["After"]) == ("HAQ-DI", "", "1.25")
    window.controller.select_patient(None)
    assert not window.actions_["history"].isEnabled()
    assert table_rows(history) == []
    assert "Select a patient" in history.empty.text()
    assert history.stack.currentWidget() is history.empty


def test_the_text_filter_and_the_kind_narrow_the_rows(qtbot, window: MainWindow, edited: int) -> None:  # type: ignore[no-untyped-def]
    history = open_history(window)
    everything = table_rows(history)
    qtbot.keyClicks(history.search, "cdasi act")
    narrowed = table_rows(history)
    assert 0 < len(narrowed) < len(everything)
    assert {r["Field"] for r in narrowed} == {"CDASI activity"}
    assert history.count.text() == f"{len(narrowed)} of {len(everything)} changes"
    history.search.clear()
    history.kind.setCurrentIndex(history.kind.findText("Patient"))
    assert {r["Record"] for r in table_rows(history)} == {"Patient MYO-07"}
    qtbot.keyClicks(history.search, "no such words")
    assert table_rows(history) == []
    assert "No change matches the filter" in history.empty.text()
    assert not history.export_button.isEnabled()


def test_the_csv_holds_the_rows_shown_and_says_identified(
    qtbot, window: MainWindow, edited: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    history = open_history(window)
    qtbot.keyClicks(history.search, "2022-03-14")
    suggested: list[str] = []

    def ask(parent, title, start, filters, save=True):  # type: ignore[no-untyped-def]
        suggested.append(Path(start).name)
        return str(tmp_path / "history"), filters

    monkeypatch.setattr(export, "file_dialog", ask)
    qtbot.mouseClick(history.export_button, Qt.MouseButton.LeftButton)
    assert suggested == ["MYO-07-history-IDENTIFIED.csv"]
    assert "identifying information" in answers.questions[-1]
    with (tmp_path / "history.csv").open(encoding="utf-8", newline="") as handle:
        header, *lines = list(csv.reader(handle))
    assert header == COLUMNS
    assert lines == [list(r.values()) for r in table_rows(history)]
    assert len(lines) > 4
    assert {line[2] for line in lines} == {"Assessment of 2022-03-14"}
    assert "IDENTIFIED" in history.note.text()


def test_no_csv_without_the_identified_confirmation(
    qtbot, window: MainWindow, edited: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    history = open_history(window)
    monkeypatch.setattr(export, "file_dialog", lambda *a, **k: pytest.fail("no file dialog after No"))
    answers.reply = QMessageBox.StandardButton.No
    qtbot.mouseClick(history.export_button, Qt.MouseButton.LeftButton)
    assert "identifying information" in answers.questions[-1]
    assert list(tmp_path.glob("*.csv")) == []


def test_a_patient_without_recorded_changes_gets_the_empty_text(window: MainWindow) -> None:
    pid = window.controller.save_patient(make_patient("MYO-03"), None).id or 0
    with window.controller.book.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE patient_id = :pid"), {"pid": pid})
    history = open_history(window)
    assert table_rows(history) == []
    assert history.stack.currentWidget() is history.empty
    assert history.empty.text().startswith("No changes are recorded for MYO-03 yet.")


@pytest.mark.parametrize("keys", [(Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                                  (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)])  # fmt: skip
def test_escape_and_ctrl_w_close_it(qtbot, window: MainWindow, edited: int, keys) -> None:  # type: ignore[no-untyped-def]
    history = open_history(window)
    history.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is history)
    qtbot.keyClick(history.table, *keys)
    assert not history.isVisible()


def test_a_comparison_s_changes_are_named_in_words(window: MainWindow) -> None:
    controller = window.controller
    pid = controller.save_patient(make_patient("MYO-08"), None).id or 0
    book = controller.book
    ids = tuple(
        book.add_photo(pid, prepare_image(png_bytes(upright_pattern(w, h))), taken_on=date(2021, 5, n))[0].id
        or 0
        for n, (w, h) in enumerate([(120, 80), (90, 60)], start=1)
    )
    stored = controller.save_comparison(PhotoComparison(pid, "Before", ids))
    assert stored is not None
    controller.save_comparison(replace(stored, name="Before and after", photo_ids=ids[::-1]))
    controller.select_patient(pid)
    rows = [r for r in table_rows(open_history(window)) if r["Change"] == "Changed"]
    assert {(r["Field"], r["Before"], r["After"]) for r in rows} >= {("Name", "Before", "Before and after")}
    assert {r["Field"] for r in rows} == {"Name", "Photos compared"}  # no attribute names
