"""Plot images leave through the same de-identification rule as the report."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from myocase.domain.records import AdverseEvent
from myocase.services.deid_check import image_texts
from myocase.ui.main_window import MainWindow
from PIL import Image

from tests.leaky import leaks_in, plant

CALENDAR = re.compile(r"\d{4}-\d{2}|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")


def _leaky(window: MainWindow) -> int:
    patient = plant(window.controller.book, photos=True)
    assert patient.id is not None
    window.controller.select_patient(patient.id)
    return patient.id


@pytest.mark.demo
def test_an_exported_timeline_is_de_identified_unless_asked(window: MainWindow, tmp_path: Path) -> None:
    _leaky(window)
    timeline = window.patient_view.timeline
    assert timeline.counts()["bars"] >= 1  # the screen shows the real record (dates, as recorded)
    svg = tmp_path / "timeline.svg"
    timeline.export_as(svg)
    text = svg.read_text(encoding="utf-8")
    drawn = " ".join(re.findall(r">([^<>]+)<", text))
    assert "upadacitinib" in drawn
    assert "Time from the upadacitinib start" in drawn
    assert not leaks_in(text)
    assert not CALENDAR.search(drawn)
    assert "[removed]-01" in text  # the title names the cleaned study ID
    png = tmp_path / "timeline.png"
    timeline.export_as(png)
    with Image.open(png) as image:
        assert image.size[0] > 300
    assert not [t for _, t in image_texts(png) if leaks_in(t)]
    identified = tmp_path / "identified.svg"
    timeline.export_as(identified, identified=True)
    assert "SMITH-01" in identified.read_text(encoding="utf-8")
    assert "2021" in identified.read_text(encoding="utf-8")


@pytest.mark.demo
def test_the_cohort_plots_draw_and_export_only_de_identified_specs(
    window: MainWindow, tmp_path: Path
) -> None:
    _leaky(window)
    view = window.show_cohort()
    ids = [line.study_id for line in view.spaghetti.spec.lines] + [r.study_id for r in view.swimmer.spec.rows]
    assert "[removed]-01" in ids
    assert not [i for i in ids if leaks_in(i)]
    notes = " ".join((*view.spaghetti.spec.notes, *view.swimmer.spec.notes))
    assert not CALENDAR.search(notes)
    target = tmp_path / "cohort.png"
    view.spaghetti.export_image(target)
    assert not [t for _, t in image_texts(target) if leaks_in(t)]


@pytest.mark.demo
def test_an_exported_timeline_removes_another_patients_name_typed_in_this_one(window: MainWindow) -> None:
    book = window.controller.book
    other = next(i for i in book.series_identifiers() if i.full_name)  # a demo patient's (invented) name
    patient = next(p for p in book.patients() if p.id != other.patient_id)
    assert patient.id is not None
    book.save(AdverseEvent(patient.id, f"rash, as in {other.full_name}", 1, date(2021, 5, 1)))
    window.controller.select_patient(patient.id)
    spec = window.patient_view._exported_timeline(identified=False)  # what the image export draws
    text = repr(spec)  # every text the spec holds: titles, labels, tooltips, notes
    assert "rash, as in" in text  # the event is there, its text cleaned
    assert other.full_name.split()[-1] not in text
