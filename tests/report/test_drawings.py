"""The PDF draws every element of the timeline and cohort specs (parity with the screen)."""

from __future__ import annotations

import pytest

from app.domain.cohort_plots import PatientData, build_spaghetti
from app.domain.cohort_swimmer import build_swimmer
from app.domain.timeline import TimelineSpec, build_timeline
from app.report.drawings import SpecDrawing, draw_spaghetti, draw_swimmer, draw_timeline, fit_height
from app.report.figures import Figure
from app.report.styles import Styles, para
from app.services.demo import write_demo
from app.store.casebook import Casebook


def spec_counts(spec: TimelineSpec) -> dict[str, int]:
    return {
        "phases": len(spec.phases),
        "bars": len(spec.bars),
        "points": sum(len(series.points) for track in spec.tracks for series in track.series),
        "tracks": len(spec.tracks),
        "events": len(spec.events),
        "photos": len(spec.photos),
    }


def test_timeline_drawing_holds_every_spec_element(book: Casebook) -> None:
    write_demo(book)
    settings = book.settings()
    for study_id in ("DEMO-01", "DEMO-04", "DEMO-09"):
        record = book.patient_record(book.patient_by_study_id(study_id).id or 0)  # type: ignore[union-attr]
        for x_mode in ("date", "index_days"):
            spec = build_timeline(
                record.patient, record.courses, record.assessments, record.adverse_events, record.photos,
                settings, x_mode=x_mode, today=settings.cutoff,
            )  # fmt: skip
            drawing = draw_timeline(spec, 480)
            assert dict(drawing.counts) == {k: v for k, v in spec_counts(spec).items() if v}, study_id
            assert drawing.width == 480 and drawing.height > 200
    demo_01 = spec_counts(build_timeline(*_parts(book, "DEMO-01"), settings, today=settings.cutoff))
    assert demo_01["phases"] == 3 and demo_01["photos"] == 3  # prior, tofacitinib, upadacitinib


def _parts(book: Casebook, study_id: str):  # type: ignore[no-untyped-def]
    record = book.patient_record(book.patient_by_study_id(study_id).id or 0)  # type: ignore[union-attr]
    return record.patient, record.courses, record.assessments, record.adverse_events, record.photos


def test_cohort_drawings_hold_every_line_and_row(book: Casebook) -> None:
    write_demo(book)
    data = [PatientData.of(r) for r in book.patient_records()]
    cutoff = book.settings().cutoff
    assert cutoff is not None
    dm_adm = [d for d in data if d.patient.subtype.value in ("DM", "ADM")]
    spaghetti = build_spaghetti(dm_adm, "cdasi_activity", "upadacitinib", cutoff)
    drawn = draw_spaghetti(spaghetti, 480)
    assert drawn.counts["lines"] == len(spaghetti.lines) == 8
    assert drawn.counts["median"] == len(spaghetti.median) > 0
    swimmer = build_swimmer(data, "upadacitinib", cutoff)
    drawn = draw_swimmer(swimmer, 480)
    assert drawn.counts["rows"] == len(swimmer.rows) == 10
    assert drawn.counts["discontinuations"] == 1
    assert drawn.counts["events"] == sum(len(r.events) for r in swimmer.rows)


def test_a_figure_shrinks_to_finish_a_page_but_not_below_its_minimum() -> None:
    drawing = fit_height(SpecDrawing(400, 900), 600)
    assert drawing.height == 600 and drawing.width == pytest.approx(400 * 600 / 900)  # scaled as a whole
    figure = Figure(drawing, para("Timeline of P-01.", Styles().caption))
    _, height = figure.wrap(480, 1000)
    assert figure.scale == 1 and height > 600  # room enough: full size
    _, height = figure.wrap(480, 500)
    assert 0.7 < figure.scale < 1 and height <= 500  # most of it fits: shrinks to the room left
    figure.wrap(480, 300)
    assert figure.scale == 1  # too little room: full size, on the next page
