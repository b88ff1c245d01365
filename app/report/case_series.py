"""The case-series PDF: CARE-ordered sections, running header and footer, written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from app.domain.analysis import method_text
from app.domain.scores import PERCENT_RULE_TEXT
from app.report import figures, tables
from app.report.model import DateMode, DatePresenter, ReportInput
from app.report.photos import AnnotatedPhoto
from app.report.styles import ALERT, FONT, FONT_BOLD, MUTED, OK, PAGE_MARGIN, RULE, Styles, para, text

Progress = Callable[[int, int, str], bool]  # (done, total, what) -> False to cancel


class ReportCancelled(Exception):
    """The user cancelled the export; no file was written."""


class _Checkpoint(Flowable):  # type: ignore[misc]
    """Invisible: reports progress when laid out, and stops the build when cancelled."""

    def __init__(self, progress: Progress | None, done: int, total: int, what: str) -> None:
        super().__init__()
        self.progress, self.done, self.total, self.what = progress, done, total, what

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self.progress is not None and not self.progress(self.done, self.total, self.what):
            raise ReportCancelled
        self.progress = None  # report once, even if the layout is retried on a new page
        return 0, 0

    def draw(self) -> None:
        pass


def _page_decorations(data: ReportInput) -> Callable[[Canvas, int, int], None]:
    banner = "CONTAINS IDENTIFIERS" if data.options.identified else "De-identified"
    demo = "SYNTHETIC DEMO DATA · " if data.series.is_demo else ""

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(PAGE_MARGIN, height - 11 * mm, (demo + data.options.title)[:110])
        canvas.setFillColor(ALERT if data.options.identified else OK)
        canvas.setFont(FONT_BOLD, 7.5)
        canvas.drawRightString(width - PAGE_MARGIN, height - 11 * mm, banner)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(PAGE_MARGIN, height - 12.5 * mm, width - PAGE_MARGIN, height - 12.5 * mm)
        canvas.line(PAGE_MARGIN, 12.5 * mm, width - PAGE_MARGIN, 12.5 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            PAGE_MARGIN,
            9 * mm,
            f"{demo}Generated {data.generated_on.isoformat()} by MyoCase {data.app_version}",
        )
        canvas.drawRightString(width - PAGE_MARGIN, 9 * mm, f"Page {page} of {pages}")
        canvas.restoreState()

    return decorate


def _numbered_canvas(decorate: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    class NumberedCanvas(Canvas):  # type: ignore[misc]
        """Holds pages back until the end so each can say "page X of Y" (pitfall 4.5)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, len(self._pages))
                super().showPage()
            super().save()

    return NumberedCanvas


def _title_page(data: ReportInput, styles: Styles) -> list[Flowable]:
    options = data.options
    banner_text = (
        "CONTAINS IDENTIFIERS: names, record numbers and real dates. Handle as patient records."
        if options.identified
        else f"De-identified: no names, record numbers or dates of birth; {options.date_mode.label}."
    )
    banner = Table([[Paragraph(text(banner_text), styles.banner)]], colWidths=[A4[0] - 2 * PAGE_MARGIN])
    banner.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("BACKGROUND", (0, 0), (-1, -1), ALERT if options.identified else OK),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]
    )
    story: list[Flowable] = [Spacer(1, 30 * mm), para(options.title, styles.title)]
    if data.series.is_demo:
        story.append(
            para("SYNTHETIC DEMONSTRATION DATA: every patient in this report is invented.", styles.h2)
        )
    for line in (options.authors, options.institution):
        if line.strip():
            story.append(para(line, styles.subtitle))
    story += [
        Spacer(1, 8 * mm),
        para(f"Case series: {data.series.name}", styles.body),
        para(f"Data cut-off: {data.cutoff.isoformat()}", styles.body),
        para(f"Index drug: {data.analysis.settings.index_drug}", styles.body),
        para(f"Generated {data.generated_on.isoformat()} by MyoCase {data.app_version}", styles.body),
        Spacer(1, 10 * mm),
        banner,
        PageBreak(),
    ]
    return story


def _patient_section(data: ReportInput, index: int, styles: Styles, width: float) -> list[Flowable]:
    record = data.records[index]
    patient = record.patient
    index_drug = data.analysis.settings.index_drug
    dates = DatePresenter(record, data.options.date_mode, index_drug)
    title = f"{patient.study_id}: {patient.subtype.label}"
    story: list[Flowable] = [CondPageBreak(60 * mm), para(title, styles.h2)]
    if data.options.identified and record.identifiers and not record.identifiers.is_empty:
        ids = record.identifiers
        story.append(
            para(
                f"Identifiers: {ids.full_name or '–'}; record number {ids.mrn or '–'}; born {ids.date_of_birth or '–'}",
                styles.small,
            )
        )
    if patient.vignette.strip():
        story.append(para(patient.vignette, styles.body))
    story.append(tables.treatment_history(record, dates, styles, width))
    story.append(Spacer(1, 3 * mm))
    story += figures.patient_timeline(data, record, styles, width)
    story += _patient_photos(data, record, dates, styles, width)
    return story


def _photo_block(
    data: ReportInput,
    photo_ids: tuple[int, ...],
    dates: DatePresenter,
    styles: Styles,
    width: float,
    record: Any,
) -> list[Flowable]:
    photos = {p.id: p for p in record.photos}
    shown = [photos[i] for i in photo_ids if i in photos and i in data.photo_images]
    if not shown:
        return []
    cell = (width - 4 * mm * (len(shown) - 1)) / len(shown)
    images = [
        AnnotatedPhoto(data.photo_images[p.id or 0], p.annotations, p.crop, cell, 70 * mm) for p in shown
    ]
    captions = [
        para(f"{dates(p.taken_on)} · {p.body_site or 'site not recorded'}\n{p.caption}", styles.caption)
        for p in shown
    ]
    grid = Table(
        [images, captions],
        colWidths=[cell + (4 * mm if n < len(shown) - 1 else 0) for n in range(len(shown))],
        hAlign="LEFT",
    )
    grid.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return [grid]


def _patient_photos(
    data: ReportInput, record: Any, dates: DatePresenter, styles: Styles, width: float
) -> list[Flowable]:
    story: list[Flowable] = []
    in_comparison: set[int] = set()
    for comparison in record.comparisons:
        block = _photo_block(data, comparison.photo_ids, dates, styles, width, record)
        if block:
            story.append(KeepTogether([para(f"Photo comparison: {comparison.name}", styles.small), *block]))
            in_comparison.update(comparison.photo_ids)
    singles = tuple(p.id or 0 for p in record.photos if p.in_report and p.id not in in_comparison)
    for start in range(0, len(singles), 3):
        block = _photo_block(data, singles[start : start + 3], dates, styles, width, record)
        if block:
            story.append(KeepTogether([para("Photos", styles.small), *block]))
    return story


def _methods(data: ReportInput, styles: Styles, width: float) -> list[Flowable]:
    settings = data.analysis.settings
    notes = [
        method_text(settings),
        f"TIS percent-change rule (2016 ACR/EULAR response criteria): {PERCENT_RULE_TEXT}",
        "CDASI activity meaningful change: a fall of at least "
        f"{settings.change_rule.points:g} points when the baseline is {settings.change_rule.percent_above:g} or less, "
        f"or of at least {settings.change_rule.percent:g} % when it is higher (Anyanwu 2015; Ahmed 2020).",
        "Prior immunosuppressants: distinct systemic immunosuppressants (conventional, biologic, IVIG, antimalarial, "
        "JAK inhibitors) started before the index drug; glucocorticoids and topical treatments are not counted.",
        "De-identification: " + (
            "this report contains identifiers at the user's request."
            if data.options.identified
            else "names, record numbers and dates of birth are left out and removed from free text; "
            f"{data.options.date_mode.label}; photos marked identifiable are left out unless cropped"
            + (f" ({data.excluded_photos} left out)." if data.excluded_photos else ".")
        ),
    ]  # fmt: skip
    story: list[Flowable] = [PageBreak(), para("Methods", styles.h1)]
    story += [para(note, styles.body) for note in notes]
    story += [para("CARE checklist", styles.h1), tables.care_checklist(data, styles, width)]
    return story


def build_story(data: ReportInput, progress: Progress | None = None) -> list[Flowable]:
    styles = Styles()
    width = A4[0] - 2 * PAGE_MARGIN
    total = len(data.records) + 3
    story = _title_page(data, styles)
    story += [
        para("Summary", styles.h1),
        Paragraph(tables.summary_text(data), styles.body),
        para("Table 1. Patient characteristics", styles.h2),
        tables.patient_characteristics(data, styles, width),
        para(f"Table 2. {data.analysis.settings.measure_label}: baseline and follow-up", styles.h2),
        tables.outcomes(data, styles, width),
    ]
    story.append(para(tables.test_line(data.analysis), styles.caption))
    story += [para(f"Not analysed: {e.study_id}: {e.reason}.", styles.small) for e in data.analysis.excluded]
    story += [para("Table 3. Adverse events", styles.h2), tables.adverse_events(data, styles, width)]
    story += [_Checkpoint(progress, 1, total, "tables"), *figures.cohort_figures(data, styles, width)]
    story += [_Checkpoint(progress, 2, total, "cohort figures"), PageBreak(), para("Patients", styles.h1)]
    for index, record in enumerate(data.records):
        story.append(_Checkpoint(progress, 3 + index, total, record.patient.study_id))
        story += _patient_section(data, index, styles, width)
    story += _methods(data, styles, width)
    story.append(_Checkpoint(progress, total, total, "finishing"))
    return story


def write_report(data: ReportInput, target: Path, progress: Progress | None = None) -> Path:
    """Build the PDF into a temporary file beside ``target`` and move it into place only when complete.

    A failure or a cancel leaves ``target`` as it was (absent, or the previous report).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".pdf.part", dir=target.parent)
    os.close(handle)
    try:
        decorate = _page_decorations(data)
        document = BaseDocTemplate(
            temporary, pagesize=A4, title=data.options.title, author=data.options.authors or "MyoCase",
            subject="Case-series report" + (" (contains identifiers)" if data.options.identified else " (de-identified)"),
            creator=f"MyoCase {data.app_version}", leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN,
            topMargin=PAGE_MARGIN, bottomMargin=PAGE_MARGIN, initialFontName=FONT,
        )  # fmt: skip

        frame = Frame(PAGE_MARGIN, PAGE_MARGIN, A4[0] - 2 * PAGE_MARGIN, A4[1] - 2 * PAGE_MARGIN, id="body")
        document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        document.build(build_story(data, progress), canvasmaker=_numbered_canvas(decorate))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)

    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


__all__ = ["DateMode", "ReportCancelled", "write_report"]
