"""The patient list: search and filters (subtype, antibody, any drug ever, status at the cut-off), sorting, and
filtering that re-checks only the patients it must."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from myocase.domain.records import IndexStatus, Patient, PatientSummary
from myocase.domain.vocab import Sex, Subtype
from myocase.store.casebook import Casebook
from myocase.ui.controller import Controller
from myocase.ui.main_window import MainWindow
from myocase.ui.models import PatientFilters
from myocase.ui.patient_list import PatientListPanel
from PySide6.QtCore import QPoint, Qt


def _choose(combo, data) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


@pytest.mark.demo
def test_filters_narrow_the_patient_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.patients
    assert len(panel.visible_study_ids()) == 10
    qtbot.keyClicks(panel.search, "07")
    assert panel.visible_study_ids() == ["DEMO-07"]
    panel.search.clear()
    _choose(panel.subtype, "ASyS")
    assert panel.visible_study_ids() == ["DEMO-09", "DEMO-10"]
    panel.subtype.setCurrentIndex(0)
    _choose(panel.antibody, "TIF1-γ")
    assert panel.visible_study_ids() == ["DEMO-01", "DEMO-03"]
    panel.antibody.setCurrentIndex(0)
    assert panel.count.text() == "10 patients"


@pytest.mark.demo
def test_drug_filter_finds_any_drug_ever_received(window: MainWindow) -> None:
    panel = window.patients
    _choose(panel.drug, "tofacitinib")  # nobody is on it at the cut-off: all switched to upadacitinib
    book = window.controller.book
    expected = sorted(
        r.patient.study_id for r in book.patient_records() if any(c.drug == "tofacitinib" for c in r.courses)
    )
    assert panel.visible_study_ids() == expected
    assert len(expected) == 3
    assert not [s for s in book.patient_summaries() if "tofacitinib" in s.current_drugs]
    assert panel.count.text() == "3 of 10 patients"


@pytest.mark.demo
def test_status_at_the_cut_off(window: MainWindow) -> None:
    panel = window.patients
    labels = [panel.status.itemText(n) for n in range(panel.status.count())]
    assert labels == [
        "Any status at cut-off",
        "On upadacitinib",
        "Stopped upadacitinib",
        "Never on upadacitinib",
    ]
    _choose(panel.status, IndexStatus.STOPPED)
    assert panel.visible_study_ids() == ["DEMO-04"]  # stopped for acneiform eruption
    _choose(panel.status, IndexStatus.ON)
    assert len(panel.visible_study_ids()) == 9
    assert "DEMO-04" not in panel.visible_study_ids()


@pytest.mark.demo
def test_current_drugs_show_the_jak_inhibitor_first_with_the_whole_list_in_a_tooltip(
    window: MainWindow,
) -> None:
    panel = window.patients
    model, column = panel.model, [c.title for c in panel.model.columns].index("Current drugs")
    row = model.row_of(lambda s: s.study_id == "DEMO-01")
    assert row is not None
    text = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
    assert text.split(", ")[0] == "upadacitinib"
    assert len(text.split(", ")) >= 2
    tip = model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole)
    assert tip == f"On treatment at the data cut-off: {text}"
    study = model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert study == "DEMO-01"


def _visible_visits(panel) -> list[int]:  # type: ignore[no-untyped-def]
    column = [c.title for c in panel.model.columns].index("Visits")
    return [int(panel.proxy.index(r, column).data()) for r in range(panel.proxy.rowCount())]


def _click_header(qtbot, panel, title: str) -> None:  # type: ignore[no-untyped-def]
    header = panel.table.horizontalHeader()
    section = [c.title for c in panel.model.columns].index(title)
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


@pytest.mark.demo
def test_typing_on_checks_only_the_patients_still_shown(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    panel = window.patients
    checked: list[str] = []
    accepts = PatientFilters.accepts

    def counting(self, summary, key=None):  # type: ignore[no-untyped-def]
        checked.append(summary.study_id)
        return accepts(self, summary, key)

    monkeypatch.setattr(PatientFilters, "accepts", counting)
    qtbot.keyClicks(panel.search, "1")
    assert panel.visible_study_ids() == ["DEMO-01", "DEMO-10"]
    assert len(checked) == 10  # every patient was shown
    checked.clear()
    qtbot.keyClicks(panel.search, "0")
    assert panel.visible_study_ids() == ["DEMO-10"]
    assert sorted(checked) == ["DEMO-01", "DEMO-10"]  # only the two shown were checked again
    checked.clear()
    _choose(panel.subtype, "ASyS")  # a chosen subtype narrows too
    assert checked == ["DEMO-10"]
    assert panel.visible_study_ids() == ["DEMO-10"]
    checked.clear()
    qtbot.keyClick(panel.search, Qt.Key.Key_Backspace)  # "1": wider again, so every patient is checked
    assert len(checked) == 10
    assert panel.visible_study_ids() == ["DEMO-10"]  # DEMO-01 is not ASyS
    assert panel.count.text() == "1 of 10 patients"
    panel.search.clear()
    checked.clear()
    panel.subtype.setCurrentIndex(0)  # nothing chosen: every patient, none checked
    assert checked == []
    assert len(panel.visible_study_ids()) == 10


@pytest.mark.demo
def test_the_study_id_search_ignores_case_and_spaces(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.patients
    qtbot.keyClicks(panel.search, " demo-1")
    assert panel.visible_study_ids() == ["DEMO-10"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "MO-0")
    assert panel.visible_study_ids() == [f"DEMO-0{n}" for n in range(1, 10)]


@pytest.mark.demo
def test_a_sorted_list_keeps_its_order_and_selection_while_filtering(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel, book = window.patients, window.controller.book
    panel.table.selectRow(panel.visible_study_ids().index("DEMO-03"))
    selected = window.controller.patient_id
    _click_header(qtbot, panel, "Visits")  # ascending, then descending
    _click_header(qtbot, panel, "Visits")
    stored = book.patient_summaries()  # in study-ID order: equal visit counts stay in it
    by_visits = [s.study_id for s in sorted(stored, key=lambda s: s.assessments, reverse=True)]
    assert panel.visible_study_ids() == by_visits
    assert _visible_visits(panel) == sorted(_visible_visits(panel), reverse=True)
    rows = panel.table.selectionModel().selectedRows()
    assert [panel.visible_study_ids()[r.row()] for r in rows] == ["DEMO-03"]  # the selection followed
    assert window.controller.patient_id == selected
    qtbot.keyClicks(panel.search, "DEMO-0")
    assert panel.visible_study_ids() == [s for s in by_visits if s.startswith("DEMO-0")]
    qtbot.keyClick(panel.search, Qt.Key.Key_Backspace)
    qtbot.keyClick(panel.search, Qt.Key.Key_Backspace)
    assert panel.visible_study_ids() == by_visits  # widened again, still sorted


# ------------------------------------------------------------ a large series: read with a progress bar


@pytest.fixture
def gated_list(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every series counts as large (read in the thread pool); each chunk of the read waits for the gate."""
    monkeypatch.setattr(PatientListPanel, "background_from", 0)
    gate, real = threading.Event(), Casebook.patient_summaries

    def gated(book: Casebook, progress: Callable[[int, int], None] | None = None) -> list[PatientSummary]:
        if progress is None:
            return real(book)

        def step(done: int, total: int) -> None:
            while not gate.wait(0.01):
                progress(0, total)  # raises once cancelled, as a real read's next chunk would
            progress(done, total)

        return real(book, progress=step)

    monkeypatch.setattr(Casebook, "patient_summaries", gated)
    return gate


def _shown_rows(panel: PatientListPanel) -> list[tuple[str, ...]]:
    model, columns = panel.proxy, range(panel.proxy.columnCount())
    return [tuple(str(model.index(r, c).data()) for c in columns) for r in range(model.rowCount())]


def _window(qtbot, controller: Controller) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(controller)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.mark.demo
def test_a_large_series_is_listed_with_progress_as_a_small_one_is_at_once(
    qtbot, controller: Controller, gated_list: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    panel = _window(qtbot, controller).patients
    qtbot.waitUntil(lambda: panel.busy.isVisible() and panel.busy.running)
    assert panel.model.rowCount() == 0  # the window is up before the rows are read
    assert panel.count.text() == "Reading the patient list…"
    assert panel.busy.cancel_button.isEnabled()
    gated_list.set()
    qtbot.waitUntil(lambda: not panel.busy.isVisible(), timeout=20_000)
    assert panel.busy.progress.value() == panel.busy.progress.maximum() == 10  # every patient counted
    assert panel.count.text() == "10 patients"
    in_background = _shown_rows(panel)
    monkeypatch.setattr(PatientListPanel, "background_from", 10**9)  # the same series read at once
    at_once = PatientListPanel(controller)
    qtbot.addWidget(at_once)
    assert not at_once.busy.running
    assert _shown_rows(at_once) == in_background
    assert [row[0] for row in in_background] == [f"DEMO-{n:02}" for n in range(1, 11)]


@pytest.mark.demo
def test_cancel_leaves_the_list_empty_and_says_so_and_f5_reads_it_again(
    qtbot, controller: Controller, gated_list: threading.Event
) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, controller)
    panel = window.patients
    qtbot.waitUntil(lambda: panel.busy.running)
    qtbot.mouseClick(panel.busy.cancel_button, Qt.MouseButton.LeftButton)
    gated_list.set()
    qtbot.waitUntil(lambda: not panel.busy.running and not panel.busy.isVisible(), timeout=20_000)
    assert panel.model.rowCount() == 0  # nothing half-read is shown
    assert panel.count.text() == "Patient list not read: reading it was cancelled. Press F5 to read it."
    window.activateWindow()
    qtbot.keyClick(panel.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 10 and not panel.busy.running, timeout=20_000)
    assert panel.count.text() == "10 patients"


@pytest.mark.demo
def test_a_series_opened_while_the_last_one_is_read_lists_its_own_patients_only(
    qtbot,
    controller: Controller,
    gated_list: threading.Event,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    panel = _window(qtbot, controller).patients
    qtbot.waitUntil(lambda: panel.busy.running)
    other = Casebook.open(tmp_path / "other.sqlite")
    other.save_patient(Patient("OTHER-1", Subtype.ASYS, Sex.FEMALE))
    other.close()
    demo, idle_at_close = controller.book, []
    real_close = demo.close
    monkeypatch.setattr(demo, "close", lambda: idle_at_close.append(panel.busy.runner.idle) or real_close())
    controller.open_database(tmp_path / "other.sqlite")
    assert idle_at_close == [True]  # the demo's read had stopped before its series was closed
    gated_list.set()
    qtbot.waitUntil(lambda: not panel.busy.running and panel.model.rowCount() == 1, timeout=20_000)
    qtbot.wait(50)  # anything the stopped read might still deliver
    assert [row[0] for row in _shown_rows(panel)] == ["OTHER-1"]
    assert panel.count.text() == "1 patient"
