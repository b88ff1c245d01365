"""One save helper (``figures.export``): every window that saves a file asks through its one dialog call,
with a suggested de-identified name, the file types and the last folder, and the file is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from myocase.domain.disclosure import file_safe
from myocase.services.deid_check import image_texts
from myocase.ui.figures import export
from myocase.ui.figures.export import PDF, PNG, SVG, ask_save_path
from myocase.ui.main_window import MainWindow
from myocase.ui.report_export import ReportSettingsForm
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from tests.leaky import leaks_in, plant


class Dialog:
    """Stands in for ``export.file_dialog``: records what was asked, answers with ``answer``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: Path | str, picked: str = "") -> None:
        self.answer, self.picked = str(answer), picked
        self.asked: list[tuple[str, str, str, bool]] = []  # title, start, filters, save
        monkeypatch.setattr(export, "file_dialog", self)

    def __call__(
        self, parent: object, title: str, start: str, filters: str, save: bool = True
    ) -> tuple[str, str]:
        self.asked.append((title, start, filters, save))
        return self.answer, self.picked

    @property
    def start(self) -> Path:
        return Path(self.asked[-1][1])


# ----------------------------------------------------------------- the helper


def test_the_dialog_starts_in_the_last_folder_with_the_name_and_the_types(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = Dialog(monkeypatch, tmp_path / "one" / "figure", "SVG drawing (*.svg)")
    first = ask_save_path(None, "Export", "DEMO-01-timeline.png", (PNG, SVG), default_folder=tmp_path)
    assert dialog.start == tmp_path / "DEMO-01-timeline.png"  # no folder yet: the default one
    assert dialog.asked[-1][2] == "PNG image (*.png);;SVG drawing (*.svg)"
    assert first == tmp_path / "one" / "figure.svg"  # no suffix typed: the type picked
    dialog.answer, dialog.picked = str(tmp_path / "two" / "figure.PNG"), "SVG drawing (*.svg)"
    assert ask_save_path(None, "Export", "next.png", (PNG, SVG)) == tmp_path / "two" / "figure.PNG"
    assert dialog.start == tmp_path / "one" / "next.png"  # the folder saved to last
    assert QSettings().value(export.FIGURE_FOLDER) == str(tmp_path / "two")


def test_a_foreign_suffix_is_refused_among_several_types_and_completed_for_one(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = Dialog(monkeypatch, tmp_path / "figure.jpg")
    assert (
        ask_save_path(None, "Export", "x.png", (PNG, SVG)) == tmp_path / "figure.jpg"
    )  # the writer says why
    assert ask_save_path(None, "Export", "x.pdf", (PDF,), "reports") == tmp_path / "figure.jpg.pdf"
    dialog.answer = ""
    assert ask_save_path(None, "Export", "x.pdf", (PDF,), "reports") is None  # cancelled


def test_a_file_name_keeps_no_removal_brackets() -> None:
    assert file_safe("[removed]-01") == "removed-01"
    assert file_safe("DEMO 04/b") == "DEMO_04_b"


# ----------------------------------------------------------------- every window saves through it


def test_the_timeline_export_suggests_a_de_identified_name_and_writes_the_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.controller.load_demo()
    patient = plant(window.controller.book)
    assert patient.id is not None
    window.controller.select_patient(patient.id)
    dialog = Dialog(monkeypatch, tmp_path / "timeline", "PNG image (*.png)")
    timeline = window.patient_view.timeline
    qtbot.mouseClick(timeline.toolbar.export_button, Qt.MouseButton.LeftButton)
    assert dialog.asked[-1][0] == "Export the timeline"
    assert dialog.start.name == "removed-01-timeline-deidentified.png"  # not the study ID on screen
    assert not leaks_in(dialog.start.name)
    written = tmp_path / "timeline.png"
    assert not QImage(str(written)).isNull()
    assert not [t for _, t in image_texts(written) if leaks_in(t)]


def test_the_cohort_window_export_writes_the_figure_shown(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.controller.load_demo()
    cohort = window.show_cohort()
    dialog = Dialog(monkeypatch, tmp_path / "swimmer")
    cohort.tabs.setCurrentWidget(cohort.swimmer)
    qtbot.mouseClick(cohort.export_button, Qt.MouseButton.LeftButton)
    assert dialog.start.name == "cohort-swimmer.png"
    assert dialog.asked[-1][2] == "PNG image (*.png)"
    image = QImage(str(tmp_path / "swimmer.png"))
    assert not image.isNull()
    assert image.width() >= cohort.swimmer.width() * 0.9
    assert "Figure saved to" in cohort.statusBar().currentMessage()


def test_export_report_as_writes_the_pdf_where_the_dialog_says(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.controller.load_demo()
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl", lambda url: True)
    dialog = Dialog(monkeypatch, tmp_path / "out" / "series")
    (tmp_path / "out").mkdir()
    with qtbot.waitSignal(window.exporter.finished, timeout=60_000) as blocker:
        window.actions_["export_as"].trigger()
    assert dialog.asked[-1][2] == "PDF (*.pdf)"
    assert Path(blocker.args[0]) == tmp_path / "out" / "series.pdf"
    assert (tmp_path / "out" / "series.pdf").stat().st_size > 0


@pytest.mark.sqlite_only("backs up the file")
def test_back_up_writes_the_copy_where_the_dialog_says(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.controller.load_demo()
    dialog = Dialog(monkeypatch, tmp_path / "copy")
    window.actions_["backup"].trigger()
    assert dialog.asked[-1][0] == "Back up the series to"
    assert dialog.asked[-1][3] is True  # a save dialog
    assert (tmp_path / "copy.sqlite").stat().st_size > 0


def test_the_report_folder_is_chosen_through_the_folder_dialog(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(
        export, "folder_dialog", lambda parent, title, start: asked.append(title) or str(tmp_path)
    )
    form = ReportSettingsForm(window.controller)
    qtbot.addWidget(form)
    qtbot.mouseClick(form.folder.choose_button, Qt.MouseButton.LeftButton)
    assert asked == ["Report folder"]
    assert form.folder.text() == str(tmp_path)
