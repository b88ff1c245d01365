"""The PDF lays the timeline out by the spec's rows: the labels it writes in the gutter, read back from
the page, are the spec's row labels in the spec's order, and what each row shows sits beside its label."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pypdfium2 as pdfium
import pytest
from myocase.domain.records import SeriesSettings
from myocase.domain.style import ORANGE
from myocase.domain.timeline import RowKind, TimelineSpec, build_timeline, record_timeline
from myocase.domain.vocab import DrugClass
from myocase.report.drawings import SpecDrawing, draw_timeline
from myocase.store.casebook import Casebook
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Rect, String

from tests.factories import make_assessment, make_course, make_patient
from tests.report.test_drawings import nodes

Run = tuple[str, tuple[float, float, float, float]]  # text, (left, bottom, right, top)


def text_runs(drawing: SpecDrawing) -> list[Run]:
    """Every run of text on the page the drawing prints to, as pdfium (the leak check's reader) reads it."""
    document = pdfium.PdfDocument(renderPDF.drawToString(drawing))
    try:
        page = document[0].get_textpage()
        rects = [page.get_rect(n) for n in range(page.count_rects())]
        return [(page.get_text_bounded(*r).strip(), r) for r in rects]
    finally:
        document.close()


def gutter_lines(drawing: SpecDrawing) -> list[str]:
    """The lines of text in the left gutter (where the row labels start), top to bottom."""
    assert drawing.x_scale is not None
    runs = [(box[3], words) for words, box in text_runs(drawing) if box[0] < drawing.x_scale.left / 2]
    return [words for _, words in sorted(runs, key=lambda run: -run[0])]


def joined(lines: list[str], labels: tuple[str, ...]) -> list[str]:
    """The gutter's lines taken as labels: a label wrapped over lines is its lines joined by spaces."""
    read, n = [], 0
    for label in labels:
        if n == len(lines):
            break
        got, n = lines[n], n + 1
        while got != label and n < len(lines) and label.startswith(f"{got} "):
            got, n = f"{got} {lines[n]}", n + 1
        read.append(got)
    return read + lines[n:]


def demo_specs(book: Casebook) -> Iterator[TimelineSpec]:
    settings = book.settings()
    for record in book.patient_records():
        for x_mode in ("date", "index_days"):
            yield record_timeline(record, settings, today=settings.cutoff, x_mode=x_mode)  # type: ignore[arg-type]


def test_the_pdf_gutter_reads_the_spec_row_labels_in_order(demo_book: Casebook) -> None:
    specs = list(demo_specs(demo_book))
    assert len(specs) == 20
    for spec in specs:
        drawing = draw_timeline(spec, 480)
        assert joined(gutter_lines(drawing), spec.row_labels) == list(spec.row_labels), spec.study_id
    assert specs[0].study_id == "DEMO-01"
    drawn = joined(gutter_lines(draw_timeline(specs[0], 480)), specs[0].row_labels)
    assert drawn[:3] == ["JAK inhibitor", "tofacitinib", "upadacitinib"]  # the class's header, then its lanes
    assert drawn.index("Photos") < drawn.index(
        "Prednisone (mg/day)"
    )  # the markers above the tracks, as on screen


def test_no_gutter_label_runs_into_the_plot_or_another_text(demo_book: Casebook) -> None:
    for spec in demo_specs(demo_book):
        drawing = draw_timeline(spec, 480)
        assert drawing.x_scale is not None
        runs = text_runs(drawing)
        gutter = [(words, box) for words, box in runs if box[0] < drawing.x_scale.left / 2]
        for words, (left, bottom, right, top) in gutter:
            assert right <= drawing.x_scale.left - 1, (spec.study_id, words)
            clashes = [
                other
                for other, (l2, b2, r2, t2) in runs
                if (other, (l2, b2, r2, t2)) != (words, (left, bottom, right, top))
                and left < r2
                and l2 < right
                and bottom < t2
                and b2 < top
            ]
            assert clashes == [], (spec.study_id, words)


def test_a_label_wider_than_the_gutter_wraps_or_shrinks_but_is_never_cut(book: Casebook) -> None:
    patient = book.save_patient(make_patient("LONG-NAMES"))
    pid = patient.id or 0
    book.save(make_course(pid, "upadacitinib", "2021-03-01"))
    book.save(make_course(pid, "methylprednisolone-pulse-therapy-regimen", "2021-01-01",
                          drug_class=DrugClass.GLUCOCORTICOID))  # fmt: skip
    book.save(
        make_course(pid, "intravenous immunoglobulin (high dose)", "2020-06-01", drug_class=DrugClass.IVIG)
    )
    book.save(make_assessment(pid, "2021-04-01", cdasi_activity=20))
    record = book.patient_record(pid)
    settings = SeriesSettings(cutoff=date(2023, 6, 30))
    spec = record_timeline(record, settings, today=date(2023, 6, 30))
    drawing = draw_timeline(spec, 480)
    assert joined(gutter_lines(drawing), spec.row_labels) == list(spec.row_labels)
    assert drawing.x_scale is not None
    assert drawing.x_scale.left <= 100  # the plot keeps its width
    long_word = next(n for n in nodes(drawing) if isinstance(n, String) and n.text.startswith("methylpred"))
    assert long_word.text == "methylprednisolone-pulse-therapy-regimen"  # whole, on one line
    assert long_word.fontSize < 6.2  # smaller instead


def _label_middle(drawing: SpecDrawing, label: str) -> float:
    found = [n for n in nodes(drawing) if isinstance(n, String) and n.text == label and n.x < 20]
    assert len(found) == 1, label
    return found[0].y + found[0].fontSize * 0.35


def test_each_lane_bar_sits_beside_its_label(demo_book: Casebook) -> None:
    spec = next(s for s in demo_specs(demo_book) if s.study_id == "DEMO-01")
    drawing = draw_timeline(spec, 480)
    sx = drawing.x_scale
    assert sx is not None
    rects = [n for n in nodes(drawing) if isinstance(n, Rect) and n.height < 20]  # not the phase bands
    for row in (r for r in spec.rows if r.kind is RowKind.LANE and r.lane is not None):
        middle = _label_middle(drawing, row.label)
        for bar in row.lane.bars:  # type: ignore[union-attr]
            core = next(s for s in bar.segments() if not s.fuzzy)
            drawn = [
                r
                for r in rects
                if abs(r.x - sx(core.x_start)) < 0.01
                and abs(r.width - (sx(core.x_end) - sx(core.x_start))) < 0.01
            ]
            assert drawn, row.label
            assert all(abs(r.y + r.height / 2 - middle) < 1.0 for r in drawn), row.label


def test_the_pdf_marks_each_prednisone_dose_as_the_screen_does() -> None:
    doses = [make_assessment(1, d, cdasi_activity=None, prednisone_mg=mg, id=n) for n, (d, mg) in enumerate(
        [("2021-01-04", 20.0), ("2021-04-05", 10.0), ("2021-07-05", 7.5)], start=1)]  # fmt: skip
    spec = build_timeline(
        make_patient("P-01", id=1), [make_course(1, "prednisone", "2021-01-01", drug_class=DrugClass.GLUCOCORTICOID)],
        doses, [], [], SeriesSettings(cutoff=date(2023, 6, 30)),
    )  # fmt: skip
    drawing = draw_timeline(spec, 480)
    axis_title = next(n for n in nodes(drawing) if isinstance(n, String) and n.text == spec.x_label)
    orange = [  # in the track, not the legend's swatch under the x axis
        n
        for n in nodes(drawing)
        if isinstance(n, Circle) and n.fillColor.hexval() == f"0x{ORANGE[1:].lower()}" and n.cy > axis_title.y
    ]
    assert len(orange) == 3
    sx = drawing.x_scale
    assert sx is not None
    assert sorted(round(c.cx, 3) for c in orange) == sorted(
        round(sx(p.x), 3) for p in spec.tracks[0].series[0].points
    )


@pytest.mark.parametrize("width", [360.0, 480.0])
def test_the_rows_fill_the_drawing_from_top_to_axis(width: float, demo_book: Casebook) -> None:
    spec = next(s for s in demo_specs(demo_book) if s.study_id == "DEMO-04")
    drawing = draw_timeline(spec, width)
    strings = [n for n in nodes(drawing) if isinstance(n, String)]
    assert all(0 <= s.y <= drawing.height for s in strings)  # nothing printed off the drawing
    assert max(s.y for s in strings) > drawing.height - 20  # the phase names at the top
