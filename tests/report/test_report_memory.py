"""The case-series PDF's memory does not grow with the number of patients (issue 16): sections, figures and
long tables are made as the layout reaches them, Figure 1 is drawn a patient at a time, and each page goes
to the file when it ends ("page X of Y" added at the end)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from myocase.report.pdf_pages import numbered_canvas
from myocase.report.streaming import StreamedTable
from myocase.report.styles import Styles, fitted_widths, para, table_style
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate, Table

from bench import synthetic
from bench.synthetic import write_large_series

pytestmark = pytest.mark.sqlite_only("builds its synthetic series files with plain sqlite3")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 synthetic patients with the demo's visits only (not four more per visit): every part of a
    patient's section is there (table rows, timeline, swimmer row, a line and label in Figure 1), drawn
    in about a quarter of the time."""
    path = tmp_path_factory.mktemp("registry") / "series.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(synthetic, "EXTRA_VISITS", 0)
        write_large_series(path, 1000)
    return path


# Run in a fresh interpreter: what earlier tests left in this process (caches, frozen or uncollected objects)
# must not count, nor differ between the two sizes.
PEAK_PROBE = """
import sys, tracemalloc
from pathlib import Path
from myocase.report.case_series import write_report
from myocase.report.styles import Styles
from myocase.services import report
from myocase.store.casebook import Casebook

series, patients, target = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
book = Casebook.open(series, create=False)
try:
    wanted = [f"SYN-{n:05d}" for n in range(1, patients + 1)]
    data = report.gather(book, report.load_options(book), wanted)
finally:
    book.close()
assert len(data.records) == patients
assert data.spaghetti is not None  # Figure 1 is drawn, with a line for most patients
assert len(data.spaghetti.lines) > patients / 2
Styles()  # the fonts are registered once per process, whichever report comes first
tracemalloc.start()
write_report(data, target)
print(tracemalloc.get_traced_memory()[1])
"""


def _peak_bytes(series: Path, patients: int, target: Path) -> int:
    """The tracemalloc peak of writing the report of the first ``patients`` of ``series``; the data is
    gathered first, so the peak is what building the PDF itself holds at its worst."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE, str(series), str(patients), str(target)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def _page_count(path: Path) -> int:
    document = pdfium.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def _page_texts(story: list[Flowable], path: Path) -> list[str]:
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    document = pdfium.PdfDocument(path)
    try:
        return [document[n].get_textpage().get_text_range() for n in range(len(document))]
    finally:
        document.close()


def test_a_streamed_table_has_the_pages_of_one_long_table(tmp_path: Path) -> None:
    styles = Styles()
    header = [para(label, styles.cell_bold) for label in ("Patient", "Note")]

    def rows() -> list[list[Flowable]]:
        return [
            [para(f"SYN-{n:04d}", styles.cell), para("word " * (n % 40), styles.cell)] for n in range(300)
        ]

    widths = fitted_widths([header, *rows()], 400)
    whole = Table([header, *rows()], colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    whole.setStyle(table_style())
    lead = para("A paragraph before the table, so that it starts part-way down the page.", styles.body)
    expected = _page_texts([lead, whole], tmp_path / "whole.pdf")
    streamed = _page_texts([lead, StreamedTable(header, iter(rows()), widths)], tmp_path / "streamed.pdf")
    assert len(expected) > 5
    assert streamed == expected


@pytest.mark.slow
def test_report_peak_memory_is_the_same_for_100_and_1000_patients(registry: Path, tmp_path: Path) -> None:
    """Issue 16: the peak at 1,000 patients within 20 % of the peak at 100 (before streaming pages to the
    file and drawing Figure 1 a patient at a time: some 48 KiB more a patient)."""
    peaks = {n: _peak_bytes(registry, n, tmp_path / f"report-{n}.pdf") for n in (100, 1000)}
    pages = {n: _page_count(tmp_path / f"report-{n}.pdf") for n in peaks}
    assert pages[1000] > 5 * pages[100]
    assert peaks[1000] <= 1.2 * peaks[100], (
        f"peak {peaks[100] / 2**20:.2f} MiB at 100 patients, {peaks[1000] / 2**20:.2f} MiB at 1,000"
    )


class _Lines(Flowable):
    """Many labelled lines on one page; every ``spill_every`` lines (0: never) the page's drawing so far
    leaves memory. Remembers the most drawing operations the canvas held at once."""

    def __init__(self, count: int, spill_every: int) -> None:
        super().__init__()
        self.count, self.spill_every, self.most_held = count, spill_every, 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 400, 600

    def draw(self) -> None:
        for n in range(self.count):
            self.canv.setStrokeColorRGB(n / self.count, 0.2, 0.5)
            self.canv.line(0, n * 2, 300, 600 - n * 2)
            self.canv.drawString(310, n * 2, f"line {n}")
            self.most_held = max(self.most_held, len(self.canv._code))  # type: ignore[attr-defined]
            if self.spill_every and n % self.spill_every == self.spill_every - 1:
                self.canv.spill()  # type: ignore[attr-defined]


def _numbered_pdf(path: Path, lines: _Lines) -> tuple[list[str], list[bytes]]:
    """Build a page of ``lines`` and a page of text with the report's canvas: each page's text and pixels."""
    story = [lines, PageBreak(), para("The second page.", Styles().body)]
    canvas = numbered_canvas(lambda canvas, page, pages: canvas.drawString(40, 20, f"Page {page} of {pages}"))
    SimpleDocTemplate(str(path), pagesize=A4).build(story, canvasmaker=canvas)
    document = pdfium.PdfDocument(path)
    try:
        pages = [document[n] for n in range(len(document))]
        texts = [page.get_textpage().get_text_range() for page in pages]
        return texts, [page.render(scale=1).to_pil().tobytes() for page in pages]
    finally:
        document.close()


def test_a_page_whose_drawing_left_memory_part_way_is_the_page_drawn_whole(tmp_path: Path) -> None:
    whole, parts = _Lines(300, 0), _Lines(300, 7)
    expected = _numbered_pdf(tmp_path / "whole.pdf", whole)
    assert _numbered_pdf(tmp_path / "parts.pdf", parts) == expected
    assert expected[0][1].strip() == "The second page.\r\nPage 2 of 2"
    assert parts.most_held <= 7 * 4  # a few operations a line: no more than 7 lines held at once
    assert whole.most_held >= 300 * 3
