"""The PDF draws every element of the timeline and cohort specs (parity with the screen)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import pytest
from myocase.domain.cohort_plots import PatientData, SpaghettiSpec, build_spaghetti
from myocase.domain.cohort_swimmer import build_swimmer
from myocase.domain.plot_labels import Box, overlaps
from myocase.domain.records import SeriesSettings
from myocase.domain.style import MarkerStyle, visible_on_paper
from myocase.domain.timeline import TimelineSpec, build_timeline
from myocase.report import figures as report_figures
from myocase.report.drawings import (
    LABEL_FONT,
    SpecDrawing,
    draw_spaghetti,
    draw_swimmer,
    draw_timeline,
    fit_height,
)
from myocase.report.figure_parts import marker
from myocase.report.figures import Figure
from myocase.report.photos import StripThumbnail
from myocase.report.styles import Styles, para
from myocase.store.casebook import Casebook
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Group, Line, Polygon, Rect, Shape, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from tests.factories import make_assessment, make_course, make_patient


def spec_counts(spec: TimelineSpec) -> dict[str, int]:
    return {
        "phases": len(spec.phases),
        "bars": len(spec.bars),
        "points": sum(len(series.points) for track in spec.tracks for series in track.series),
        "tracks": len(spec.tracks),
        "events": len(spec.events),
        "photos": len(spec.photos),
        "thumbnails": len(spec.strip.photos),
        "leaders": sum(p.leader is not None for p in spec.strip.photos),
    }


def nodes(group: Group) -> Iterator[Shape]:
    """Every shape drawn, groups opened (the timeline drawing is not transformed inside)."""
    for node in group.contents:
        if isinstance(node, Group):
            yield from nodes(node)
        else:
            yield node


def made(group: Group) -> Iterator[Shape]:
    """Every shape as the renderer gets it: groups opened, and those made as drawn (``getContents``) made."""
    for node in group.getContents():
        if isinstance(node, Group):
            yield from made(node)
        else:
            yield node


def printed_thumbnails(drawing: SpecDrawing) -> list[tuple[int | None, float, float]]:
    """Each thumbnail the drawing holds: its photo id and its left and right edges on the x clock."""
    scale = drawing.x_scale
    assert scale is not None

    def clock(x: float) -> float:
        return scale.lo + (x - scale.left) / scale.width * (scale.hi - scale.lo)

    found = [n for n in nodes(drawing) if isinstance(n, StripThumbnail)]
    return [(n.photo_id, clock(n.x), clock(n.x + n.width)) for n in found]


def demo_spec(book: Casebook, study_id: str, **kw: object) -> TimelineSpec:
    record = book.patient_record(book.patient_by_study_id(study_id).id or 0)  # type: ignore[union-attr]
    settings = book.settings()
    return build_timeline(
        record.patient, record.courses, record.assessments, record.adverse_events, record.photos, settings,
        today=settings.cutoff, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.demo
def test_timeline_drawing_holds_every_spec_element(book: Casebook) -> None:
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
            assert drawing.width == 480
            assert drawing.height > 200
    demo_01 = spec_counts(build_timeline(*_parts(book, "DEMO-01"), settings, today=settings.cutoff))
    assert demo_01["phases"] == 3
    assert demo_01["photos"] == 3


def _parts(book: Casebook, study_id: str):  # type: ignore[no-untyped-def]
    record = book.patient_record(book.patient_by_study_id(study_id).id or 0)  # type: ignore[union-attr]
    return record.patient, record.courses, record.assessments, record.adverse_events, record.photos


@pytest.mark.demo
def test_cohort_drawings_hold_every_line_and_row(book: Casebook) -> None:
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
    assert drawing.height == 600
    assert drawing.width == pytest.approx(400 * 600 / 900)
    figure = Figure(drawing, para("Timeline of P-01.", Styles().caption))
    _, height = figure.wrap(480, 1000)
    assert figure.scale == 1
    assert height > 600
    _, height = figure.wrap(480, 500)
    assert 0.7 < figure.scale < 1
    assert height <= 500
    figure.wrap(480, 300)
    assert figure.scale == 1  # too little room: full size, on the next page


@pytest.mark.demo
def test_the_pdf_holds_the_strips_thumbnails_at_their_slots_with_their_pixels(book: Casebook) -> None:
    for x_mode in ("date", "index_days"):
        spec = demo_spec(book, "DEMO-01", x_mode=x_mode)
        images = {p.photo_id or 0: book.photo_image(p.photo_id or 0) for p in spec.strip.photos}
        drawing = draw_timeline(spec, 480, images)
        printed = printed_thumbnails(drawing)
        assert [photo_id for photo_id, _, _ in printed] == [p.photo_id for p in spec.strip.photos]
        for (_, left, right), slot in zip(printed, spec.strip.photos, strict=True):
            assert (left + right) / 2 == pytest.approx(slot.centre, abs=0.5)  # centred in its slot
            assert slot.slot[0] - 0.5 <= left
            assert right <= slot.slot[1] + 0.5
        assert drawing.counts["thumbnails"] == 3
        assert drawing.counts["leaders"] == 2
        pdf = renderPDF.drawToString(drawing)
        assert pdf.count(b"/Subtype /Image") == 3  # the photos' pixels, once each
    without = draw_timeline(demo_spec(book, "DEMO-01"), 480)  # no pixels given: empty frames, still placed
    assert len(printed_thumbnails(without)) == 3
    assert b"/Subtype /Image" not in renderPDF.drawToString(without)


def _label_boxes(drawing: SpecDrawing, texts: set[str]) -> list[Box]:
    boxes = []
    for node in nodes(drawing):
        if isinstance(node, String) and node.text in texts:
            width = stringWidth(node.text, node.fontName, node.fontSize)
            x0 = node.x - (
                width if node.textAnchor == "end" else width / 2 if node.textAnchor == "middle" else 0
            )
            boxes.append((x0, node.y - 0.25 * node.fontSize, x0 + width, node.y + 0.8 * node.fontSize))
    return boxes


def test_band_and_limit_labels_never_collide_with_ticks_or_each_other(book: Casebook) -> None:
    patient = book.save_patient(make_patient("CROWDED-CK"))
    pid = patient.id or 0
    book.save(make_course(pid, "upadacitinib", "2021-03-01"))
    for n, (day, uln) in enumerate((("2021-03-01", 190.0), ("2021-03-20", 195.0), ("2021-04-10", 170.0))):
        book.save(make_assessment(pid, day, ck=100.0 + n, ck_uln=uln, cdasi_activity=20 + n))
    record = book.patient_record(pid)
    spec = build_timeline(
        record.patient, record.courses, record.assessments, (), (), SeriesSettings(cutoff=date(2023, 6, 30)),
        today=date(2023, 6, 30),
    )  # fmt: skip
    drawing = draw_timeline(spec, 480)
    labels = {b.label for t in spec.tracks for b in t.bands} | {
        r.label for t in spec.tracks for r in t.references
    }
    shown = _label_boxes(drawing, labels)
    assert len(shown) >= 4  # the CDASI bands and at least one of the close ULN labels
    assert not any(overlaps(a, b) for n, a in enumerate(shown) for b in shown[n + 1 :])
    ticks = _label_boxes(drawing, {t.label for track in spec.tracks for t in track.y.ticks})
    assert not any(overlaps(a, b) for a in shown for b in ticks)
    marks = [n for n in nodes(drawing) if isinstance(n, Line) and n.x1 < n.x2 <= drawing.x_scale.left + 0.6]  # type: ignore[union-attr]
    assert marks
    assert all(box[0] > max(m.x2 for m in marks) for box in shown)
    assert all(box[3] - box[1] <= LABEL_FONT * 1.1 for box in shown)


@pytest.mark.demo
def test_every_legend_swatch_shows_on_white(book: Casebook) -> None:
    drawing = draw_timeline(demo_spec(book, "DEMO-01"), 480)
    swatches = [n for n in nodes(drawing) if isinstance(n, Rect) and (n.width, n.height) == (10, 6)]
    assert len(swatches) >= 8  # phases, bars, severity bands
    for swatch in swatches:
        fill = swatch.fillColor
        shown = visible_on_paper(fill.hexval().replace("0x", "#"), fill.alpha)
        assert shown or swatch.strokeColor is not None


@pytest.mark.demo
def test_the_legend_shows_an_ongoing_course_as_the_arrow_drawn_at_its_bar(book: Casebook) -> None:
    drawing = draw_timeline(demo_spec(book, "DEMO-01"), 480)
    label = next(
        n for n in nodes(drawing) if isinstance(n, String) and n.text == "Ongoing at the data cut-off"
    )
    swatch_y = label.y + 2
    heads = [
        n
        for n in nodes(drawing)
        if isinstance(n, Polygon) and len(n.points) == 6 and abs(n.points[3] - swatch_y) < 0.01
    ]
    assert len(heads) == 1  # an arrow head pointing right, its tip level with the swatch's line
    assert label.x - 13 <= heads[0].points[0] < heads[0].points[2] < label.x  # before the label


def test_the_report_sets_its_shapes_without_reportlabs_attribute_checks() -> None:
    """The checks cost about 8 % of a large report's time: off wherever the report is loaded (a fresh
    interpreter, so nothing imported before decides it)."""
    code = (
        "import myocase.report.figures\n"
        "from reportlab.graphics.shapes import Shape\n"
        "print('__setattr__' in vars(Shape))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


def test_a_lone_marker_is_one_shape_and_a_graded_one_keeps_its_grade() -> None:
    plain = marker(10, 10, MarkerStyle("o", "#336699", 6.0))
    assert isinstance(plain, Circle)  # not wrapped in a group: hundreds of thousands in a registry's report
    graded = marker(10, 10, MarkerStyle("s", "#cc3333", 8.0, text="3"))
    assert isinstance(graded, Group)
    assert [type(n).__name__ for n in graded.contents] == ["Rect", "String"]
    assert [n.text for n in nodes(graded) if isinstance(n, String)] == ["3"]


@pytest.mark.demo
def test_a_registrys_spaghetti_is_drawn_as_on_screen_without_markers_or_study_ids(book: Casebook) -> None:
    data = [PatientData.of(r) for r in book.patient_records()]
    cutoff = book.settings().cutoff
    assert cutoff is not None
    few = build_spaghetti(data, "cdasi_activity", "upadacitinib", cutoff)
    lines = tuple(replace(few.lines[n % len(few.lines)], study_id=f"SYN-{n:05d}") for n in range(2_400))
    registry = replace(few, lines=lines)

    def drawn(spec: SpaghettiSpec) -> tuple[SpecDrawing, list[str], int]:
        drawing = draw_spaghetti(spec, 480)
        shapes = list(made(drawing))
        ids = [n.text for n in shapes if isinstance(n, String) and n.text.startswith(("DEMO-", "SYN-"))]
        return drawing, ids, sum(isinstance(n, Circle) for n in shapes)

    small, small_ids, small_markers = drawn(few)
    large, large_ids, large_markers = drawn(registry)
    assert small.counts["lines"] == len(small_ids) == len(few.lines)  # each line named
    assert small_markers > len(few.lines)
    assert large.counts["lines"] == len(registry.drawn_lines) == 800  # one patient in 3, as on screen
    assert large_ids == []
    assert large_markers < small_markers - len(few.lines)  # the legend's only
    assert large.counts["median"] == len(registry.median) > 0
    (figure, *_) = report_figures.cohort_figures(
        SimpleNamespace(spaghetti=registry, swimmer=None), Styles(), 480
    )
    caption = figure._content[-1].text  # type: ignore[attr-defined]
    assert caption.endswith(
        "2,400 patients: the lines of 800 (one patient in 3) drawn without markers or study IDs, the median of "
        "them all."
    )
