"""The patient view says where a patient pooled from another centre came from, and nothing for the series' own."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from myocase.domain.records import SeriesSettings
from myocase.services.bundle_format import SUFFIX
from myocase.services.bundle_import import import_bundles
from myocase.services.bundles import export_bundle
from myocase.store.casebook import Casebook
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import Qt

from tests.factories import TODAY, make_course, make_patient


@pytest.fixture
def pooled(book: Casebook, tmp_path: Path) -> Casebook:
    """The series with a patient of its own (MYO-01) and Lyon's MYO-01 pooled into it, before the window opens."""
    book.save_patient(make_patient("MYO-01"))
    with closing(Casebook.open(tmp_path / "lyon.sqlite", today=lambda: TODAY)) as lyon:
        lyon.save_settings(SeriesSettings(name="Upadacitinib in Lyon", cutoff=book.settings().cutoff))
        pid = lyon.save_patient(make_patient("MYO-01")).id or 0
        lyon.save(make_course(pid, start="2021-03-01"))
        export_bundle(lyon, tmp_path / f"lyon{SUFFIX}", "LYON")
    import_bundles(book, [tmp_path / f"lyon{SUFFIX}"])
    return book


def _click_patient(qtbot, window: MainWindow, study_id: str) -> None:  # type: ignore[no-untyped-def]
    table = window.patients.table
    (row,) = [r for r in range(table.model().rowCount()) if table.model().index(r, 0).data() == study_id]
    qtbot.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(table.model().index(row, 0)).center(),
    )


def test_a_pooled_patients_view_names_the_centre_series_bundle_and_time(
    qtbot, pooled: Casebook, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    view = window.patient_view
    _click_patient(qtbot, window, "LYON-MYO-01")
    qtbot.waitUntil(lambda: view.provenance.isVisible())
    text = view.provenance.text()
    assert text.startswith("Imported from centre LYON, series “Upadacitinib in Lyon”, study ID there MYO-01")
    assert f"bundle lyon{SUFFIX}" in text
    assert " UTC" in text
    stored = pooled.patient_by_study_id("LYON-MYO-01")
    assert stored is not None
    assert stored.provenance is not None
    assert stored.provenance.text == text

    _click_patient(qtbot, window, "MYO-01")  # the series' own patient
    qtbot.waitUntil(lambda: not view.provenance.isVisible())
    assert view.provenance.text() == ""


def test_deleting_a_pooled_patient_and_undoing_it_keeps_where_they_came_from(
    qtbot, pooled: Casebook, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    stored = pooled.patient_by_study_id("LYON-MYO-01")
    assert stored is not None
    assert stored.provenance is not None
    window.controller.delete_patient(stored.id or 0)
    assert pooled.patient_by_study_id("LYON-MYO-01") is None
    window.controller.undo_stack.undo()
    restored = pooled.patient_by_study_id("LYON-MYO-01")
    assert restored is not None
    assert restored.provenance == stored.provenance
