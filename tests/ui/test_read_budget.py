"""The read budget: what selecting a patient and saving an assessment cost in SQL statements.

The statements are counted where they reach the database (SQLAlchemy's ``before_cursor_execute`` on the
book's engine, BEGIN included), in the real main window on the demo series.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pytest
from myocase.domain.records import PhotoComparison
from myocase.store.casebook import Casebook
from myocase.store.imaging import prepare_image
from myocase.ui.main_window import MainWindow
from myocase.ui.record_tab import RecordTab
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from sqlalchemy import event

from tests.images import png_bytes, upright_pattern
from tests.ui.test_records_gui import save, type_into

SELECT_BUDGET = 10
SAVE_BUDGET = 12
# Opening a form or the response criteria reads nothing: it shows the selected patient's records as the
# controller read them on selection and the settings the controller keeps; only its Save writes.
OPEN_BUDGET = 0


@contextmanager
def counted(book: Casebook) -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block."""
    statements: list[str] = []

    def note(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(book.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(book.engine, "before_cursor_execute", note)


def _with_photos(book: Casebook, study_id: str) -> int:
    """The demo patient, given two photos and a comparison (their thumbnails come with the one read)."""
    patient = book.patient_by_study_id(study_id)
    assert patient is not None
    assert patient.id is not None
    ids = [
        book.add_photo(
            patient.id, prepare_image(png_bytes(upright_pattern(w, h))), taken_on=date(2021, 5, n)
        )[0].id
        for n, (w, h) in enumerate([(120, 80), (90, 60)], start=1)
    ]
    book.save_comparison(PhotoComparison(patient.id, "Before and after", tuple(i or 0 for i in ids)))
    return patient.id


def _click_patient(qtbot, window: MainWindow, study_id: str) -> None:  # type: ignore[no-untyped-def]
    table = window.patients.table
    (row,) = [r for r in range(table.model().rowCount()) if table.model().index(r, 0).data() == study_id]
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.mark.sqlite_only("counts SQLite's explicit BEGIN")
@pytest.mark.demo
def test_selecting_a_patient_is_one_read_for_every_tab(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    pid = _with_photos(book, "DEMO-02")
    with counted(book) as statements:
        _click_patient(qtbot, window, "DEMO-02")
    assert window.controller.patient_id == pid
    assert len(statements) <= SELECT_BUDGET, "\n".join(statements)
    assert statements.count("BEGIN") == 1, "\n".join(statements)  # one transaction
    assert not [s for s in statements if "FROM setting" in s]  # the settings are kept by the controller
    view = window.patient_view
    record = book.patient_record(pid)
    by_id = lambda records: sorted(records, key=lambda r: r.id)  # noqa: E731 - each table in its sort order
    assert by_id(view.courses.model.rows) == by_id(record.courses)  # every tab shows the one read
    assert by_id(view.assessments.model.rows) == by_id(record.assessments)
    assert by_id(view.events.model.rows) == by_id(record.adverse_events)
    assert view.photos.list.count() == 2
    assert view.photos.comparisons.findText("Before and after") >= 0
    assert view.timeline_spec is not None
    assert len(view.timeline_spec.strip.photos) == 2


@dataclass
class Pool:
    """What a book's connection pool did: connections opened, check-outs, and every statement its connections
    ran, the PRAGMAs a new connection's set-up runs included (traced by sqlite3 itself)."""

    opened: int = 0
    checkouts: int = 0
    statements: list[str] = field(default_factory=list)

    def pragmas(self) -> list[str]:
        return [s for s in self.statements if s.upper().startswith("PRAGMA")]


@contextmanager
def pooled(book: Casebook) -> Iterator[Pool]:
    pool, traced = Pool(), []

    def trace(dbapi_connection: sqlite3.Connection) -> None:
        dbapi_connection.set_trace_callback(pool.statements.append)
        traced.append(dbapi_connection)

    def connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        pool.opened += 1
        trace(dbapi_connection)  # before the engine's own set-up: its PRAGMAs are traced too

    def checkout(dbapi_connection: sqlite3.Connection, _record: object, _proxy: object) -> None:
        pool.checkouts += 1
        trace(dbapi_connection)

    event.listen(book.engine, "connect", connect, insert=True)
    event.listen(book.engine, "checkout", checkout)
    try:
        yield pool
    finally:
        event.remove(book.engine, "connect", connect)
        event.remove(book.engine, "checkout", checkout)
        for dbapi_connection in traced:
            with suppress(sqlite3.ProgrammingError):  # closed meanwhile (a pool that does not keep it)
                dbapi_connection.set_trace_callback(None)


@pytest.mark.sqlite_only("counts the SQLite pool's connections and PRAGMAs")
@pytest.mark.demo
def test_switching_patients_reuses_the_windows_connection(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Back and forth between patients: no connection opened, no PRAGMA run, one read (one check-out of the
    pool, one transaction) per change of patient."""
    book = window.controller.book
    window.controller.follower.stop()  # its look for others' writes every 2 s would be a read of its own
    _click_patient(qtbot, window, "DEMO-01")  # the first selection may still open the pool's connection
    order = ["DEMO-02", "DEMO-03", "DEMO-01", "DEMO-03", "DEMO-02"]
    with pooled(book) as pool, counted(book) as statements:
        for study_id in order:
            _click_patient(qtbot, window, study_id)
            assert window.patient_view.patient is not None
            assert window.patient_view.patient.study_id == study_id
    assert (pool.opened, pool.pragmas()) == (0, [])
    assert pool.checkouts == len(order)
    assert statements.count("BEGIN") == len(order), "\n".join(statements)
    assert [s for s in pool.statements if s.startswith("SELECT")]  # the trace saw the reads


@pytest.mark.demo
def test_the_photos_thumbnails_are_decoded_when_their_tab_is_shown(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _with_photos(window.controller.book, "DEMO-02")
    _click_patient(qtbot, window, "DEMO-02")
    photos = window.patient_view.photos
    items = [photos.list.item(n) for n in range(photos.list.count())]
    assert len(items) == 2
    assert all(item.icon().isNull() for item in items)  # the Overview is in front: nothing decoded
    with counted(window.controller.book) as statements:
        window.patient_view.tabs.setCurrentWidget(photos)
    assert statements == []  # the thumbnails came with the one read
    assert all(item.icon().availableSizes() for item in items)
    first, second = (photos.list.visualItemRect(item) for item in items)
    assert not first.intersects(second)  # each laid out as large as its thumbnail
    assert first.width() >= 120  # the first photo's thumbnail is 120 px wide
    _click_patient(qtbot, window, "DEMO-01")
    _click_patient(qtbot, window, "DEMO-02")  # the tab in front: decoded as the patient is shown
    assert all(photos.list.item(n).icon().availableSizes() for n in range(photos.list.count()))


def _save_new_assessment(qtbot, window: MainWindow) -> list[str]:  # type: ignore[no-untyped-def]
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    assert form is not None
    type_into(qtbot, form.widgets.assessed_on, "2023-06-01")
    type_into(qtbot, form.widgets.cdasi.activity, "9")
    for name, value in (("ck", "180"), ("ck_uln", "170"), ("haq", "0.75")):  # audited in one statement
        type_into(qtbot, form.widgets.measures[name], value)
    with counted(window.controller.book) as statements:
        save(qtbot, form)
    return statements


@pytest.mark.demo
def test_saving_an_assessment_through_the_form_stays_in_budget(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    _click_patient(qtbot, window, "DEMO-02")
    pid = window.controller.patient_id
    listed = window.patients.model
    counted_before = listed.record_at(listed.row_of(lambda p: p.id == pid) or 0).assessments
    statements = _save_new_assessment(qtbot, window)
    assert len(statements) <= SAVE_BUDGET, "\n".join(statements)
    assert not [s for s in statements if "FROM setting" in s]
    stored = [a for a in book.assessments(pid) if a.assessed_on == date(2023, 6, 1)]
    assert [a.cdasi_activity for a in stored] == [9]
    assert window.patient_view.assessments.model.row_of(lambda a: a.id == stored[0].id) is not None
    row = listed.record_at(listed.row_of(lambda p: p.id == pid) or 0)  # the list's row follows the one read
    assert (row.assessments, row.last_assessment) == (counted_before + 1, date(2023, 6, 1))


@pytest.mark.demo
def test_a_hidden_analysis_window_waits_until_it_is_shown(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _click_patient(qtbot, window, "DEMO-02")
    analysis = window.show_analysis()
    shown = analysis.result
    analysis.hide()
    statements = _save_new_assessment(qtbot, window)
    assert len(statements) <= SAVE_BUDGET, "\n".join(statements)
    assert analysis.result is shown  # nothing recomputed while hidden
    window.show_analysis()
    assert analysis.result is not shown  # brought up to date when shown again


@pytest.mark.demo
def test_editing_an_assessment_through_the_form_stays_in_budget(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    book = window.controller.book
    _click_patient(qtbot, window, "DEMO-02")
    window.show_analysis().hide()
    tab = window.patient_view.assessments
    tab.select(lambda a: True)
    tab.edit_button.click()
    form = window.active_form
    assert form is not None
    type_into(qtbot, form.widgets.measures["haq"], "1.25")
    with counted(book) as statements:
        save(qtbot, form)
    assert len(statements) <= SAVE_BUDGET, "\n".join(statements)
    assert 1.25 in [a.haq for a in book.assessments(window.controller.patient_id)]


@pytest.mark.demo
def test_a_settings_change_redraws_the_patient_without_reading_their_records(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    _click_patient(qtbot, window, "DEMO-02")
    controller = window.controller
    assert "Upadacitinib\nstarted" in window.patient_view.overview.toPlainText()  # the index drug's row
    with counted(controller.book) as statements:
        controller.save_settings(replace(controller.settings(), index_drug="baricitinib"))
    # the patient list reads every row again (statuses follow the index drug); the patient's records are not
    assert not [
        s
        for s in statements
        if "WHERE assessment.patient_id = " in s or "WHERE medication_course.patient_id = " in s
    ]  # (the list reads them for every patient, a chunk of ids at a time: "patient_id BETWEEN")
    assert (
        "Upadacitinib\nstarted" not in window.patient_view.overview.toPlainText()
    )  # redrawn: not the index drug
    assert "index drug baricitinib" in window.db_label.text()


@pytest.mark.demo
def test_typing_cdasi_totals_in_an_open_assessment_form_reads_nothing(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _click_patient(qtbot, window, "DEMO-02")
    window.actions_["new_assessment"].trigger()
    form = window.active_form
    assert form is not None
    type_into(qtbot, form.widgets.assessed_on, "2023-06-01")
    with counted(window.controller.book) as statements:
        type_into(qtbot, form.widgets.cdasi.activity, "12")
        type_into(qtbot, form.widgets.cdasi.damage, "3")
    assert statements == []
    stored = window.controller.book.assessments(window.controller.patient_id)
    previous = [a for a in stored if a.cdasi_activity is not None and a.assessed_on < date(2023, 6, 1)][-1]
    assert f"Since {previous.assessed_on} ({previous.cdasi_activity}):" in form.derived.text()


def _edit_first(tab: RecordTab) -> None:
    """The tab's first record in its form, as the Edit… button opens it."""
    tab.select(lambda _record: True)
    tab.edit_button.click()


def _photo_details(window: MainWindow) -> None:
    photos = window.patient_view.photos
    photos.list.setCurrentRow(0)
    photos.buttons["details"].click()


OPENERS: dict[str, Callable[[MainWindow], object]] = {
    "new patient": lambda w: w.actions_["new_patient"].trigger(),
    "patient": lambda w: w.actions_["edit_patient"].trigger(),
    "new course": lambda w: w.actions_["new_course"].trigger(),
    "course": lambda w: _edit_first(w.patient_view.courses),
    "new assessment": lambda w: w.actions_["new_assessment"].trigger(),
    "assessment": lambda w: _edit_first(w.patient_view.assessments),
    "new adverse event": lambda w: w.actions_["new_event"].trigger(),
    "adverse event": lambda w: _edit_first(w.patient_view.events),
    "photo details": _photo_details,
    "photo import": lambda w: w.patient_view.photos.import_paths([Path("scan.png")]),
    "series settings": lambda w: w.actions_["settings"].trigger(),
}


@pytest.mark.demo
def test_opening_each_form_reads_nothing(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _with_photos(window.controller.book, "DEMO-02")
    _click_patient(qtbot, window, "DEMO-02")
    costs, opened = {}, {}
    for name, open_form in OPENERS.items():
        before = window.active_form
        with counted(window.controller.book) as statements:
            open_form(window)
        form = window.active_form
        assert form is not None, name
        assert form is not before, name
        assert form.isVisible(), name
        costs[name], opened[name] = len(statements), form.windowTitle()
        form.reject()  # nothing typed: closes without asking
    assert costs == dict.fromkeys(OPENERS, OPEN_BUDGET)
    assert opened["assessment"].startswith("Assessment of ")  # each edit form shows a stored record
    assert opened["photo details"] == "Photo details"


@pytest.mark.demo
def test_the_response_criteria_open_from_the_one_read(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _click_patient(qtbot, window, "DEMO-02")
    pid = window.controller.patient_id
    with counted(window.controller.book) as statements:
        window.actions_["response"].trigger()
    assert len(statements) <= OPEN_BUDGET, "\n".join(statements)
    view = window.patient_view.response_view
    assert view is not None
    assert view.isVisible()
    dates = [a.assessed_on.isoformat() for a in window.controller.book.assessments(pid)]
    assert [view.base.itemText(i) for i in range(view.base.count())] == dates
    assert f"{dates[0]} → {dates[-1]}" in view.text.toPlainText()  # first against last, as stored


def _items(combo: QComboBox) -> list[object]:
    return [combo.itemData(i) for i in range(combo.count())]


@pytest.mark.demo
def test_forms_offer_the_patients_records_as_stored(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """The records a form offers come from the one read: the same as the database holds."""
    book = window.controller.book
    pid = _with_photos(book, "DEMO-02")
    _click_patient(qtbot, window, "DEMO-02")
    window.actions_["new_event"].trigger()
    event_form = window.active_form
    assert event_form is not None
    drugs = event_form.widgets.suspected_drug
    assert [drugs.itemText(i) for i in range(drugs.count())] == sorted({c.drug for c in book.courses(pid)})
    event_form.reject()
    _photo_details(window)
    photo_form = window.active_form
    assert photo_form is not None
    assert _items(photo_form.widgets.assessment_id) == [None] + [a.id for a in book.assessments(pid)]
