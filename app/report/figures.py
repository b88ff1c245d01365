"""Figures of the report, drawn as vector graphics from the domain's timeline and cohort specs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial

from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable, KeepTogether, Paragraph

from ..domain.cohort_swimmer import SwimmerSpec
from ..domain.records import PatientRecord
from ..domain.timeline import TimelineSpec, record_timeline
from .drawings import draw_spaghetti, draw_swimmer, swimmer_slices
from .figure_parts import fit_height
from .model import ReportInput
from .streaming import Deferred
from .styles import Styles, para
from .timeline_drawing import draw_timeline

FIGURE_HEIGHT = 640.0  # points: a figure and its caption fit the page's frame


def cohort_figures(data: ReportInput, styles: Styles, width: float) -> list[Flowable]:
    """Figure 1, the spaghetti plot, and Figure 2, the swimmer plot."""
    story: list[Flowable] = []
    if data.spaghetti is not None:
        spec = data.spaghetti
        caption = (
            f"Figure 1. {spec.measure_label} of {spec.group_label}, aligned to day 0 = start of {spec.index_drug}; "
            f"grey: each patient (dashed after stopping), black: the median. {spec.median_rule}"
        )
        notes = [f"Not shown: {e.study_id}: {e.reason}." for e in spec.excluded]
        if spec.together:
            caption += f" {spec.together_note()}."
        heading = para("Cohort figures", styles.h2)  # on the page of Figure 1, never alone above it
        story.append(KeepTogether([heading, draw_spaghetti(spec, width), para(caption, styles.caption)]))
        story += [para(note, styles.small) for note in notes]
    if data.swimmer is not None and data.swimmer.rows:
        swimmer = data.swimmer
        caption = (
            f"Figure 2. Time on {swimmer.index_drug} per patient, {swimmer.group_label} (day 0 = its start); bars "
            "before day 0: an earlier JAK inhibitor; arrow: still on treatment at the data cut-off; ×: stopped; "
            "triangles: adverse events with their CTCAE grade."
        )
        parts = swimmer_slices(swimmer, width, FIGURE_HEIGHT)
        for n, rows in enumerate(parts, start=1):
            label = f" (part {n} of {len(parts)})" if len(parts) > 1 else ""
            text = (
                caption.replace("Figure 2.", f"Figure 2{label}.", 1)
                if n == len(parts)
                else f"Figure 2{label}."
            )
            story.append(Deferred(partial(_swimmer_part, swimmer, width, rows, para(text, styles.caption))))
    return story


def _swimmer_part(swimmer: SwimmerSpec, width: float, rows: slice, caption: Paragraph) -> list[Flowable]:
    """One part of Figure 2, drawn when the layout reaches it."""
    return [KeepTogether([draw_swimmer(swimmer, width, rows), caption])]


def patient_timeline(
    data: ReportInput, record: PatientRecord, styles: Styles, width: float
) -> list[Flowable]:
    """The patient's timeline from the same spec the screen draws, on the patient's clock."""
    settings = replace(data.series, cutoff=data.cutoff, index_drug=data.analysis.settings.index_drug)
    clock = data.disclosure.clock(record.patient.id)
    spec = record_timeline(record, settings, severity=data.analysis.settings.severity, clock=clock)
    caption = f"Timeline of {record.patient.study_id}. " + " ".join(spec.notes)
    drawing = partial(_timeline_drawing, spec, width, data.photo_images)
    return [Figure(drawing, para(caption.strip(), styles.caption))]


def _timeline_drawing(spec: TimelineSpec, width: float, images: Mapping[int, bytes]) -> Drawing:
    return fit_height(draw_timeline(spec, width, images), FIGURE_HEIGHT)


class Figure(Flowable):
    """A drawing with its caption below, kept together. Where the page has less room left than
    the drawing needs, but at least ``min_scale`` of it, the drawing shrinks (aspect kept) to
    fill the page instead of leaving it half empty; with less room it moves to the next page.

    Given a function that makes the drawing, the drawing is made when the figure is laid out and
    dropped once it is drawn, so a long report holds one figure at a time."""

    def __init__(
        self, drawing: Drawing | Callable[[], Drawing], caption: Paragraph, min_scale: float = 0.7
    ) -> None:
        super().__init__()
        self.make = drawing if not isinstance(drawing, Drawing) else None
        self.made: Drawing | None = drawing if isinstance(drawing, Drawing) else None
        self.caption, self.min_scale = caption, min_scale
        self.scale, self.caption_height = 1.0, 0.0

    @property
    def drawing(self) -> Drawing:
        if self.made is None:
            assert self.make is not None
            self.made = self.make()
        return self.made

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.caption_height = self.caption.wrap(avail_width, avail_height)[1] + 4
        room = avail_height - self.caption_height
        full = self.drawing.height
        self.scale = 1.0 if full <= room or room < self.min_scale * full else room / full
        self.width = avail_width
        self.height = full * self.scale + self.caption_height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.translate(0, self.caption_height)
        canvas.scale(self.scale, self.scale)
        self.drawing.drawOn(canvas, 0, 0)
        canvas.restoreState()
        self.caption.drawOn(canvas, 0, 0)
        if self.make is not None:
            self.made = None  # made again should the figure be drawn again
