"""Report speed and memory against raw reportlab: the demo, and a large synthetic series (issue 16 item 3).

Run: .venv/bin/python bench/bench_report.py [--patients 5000] [--repeat 3]   (--patients 0: the demo only)

Every side is a whole command in a fresh process, timed from start to exit, peak RSS from ``os.wait4``, the
sides run alternately. MyoCase is ``myocase report``. The floor (this file with ``--floor``) is the simplest
direct use of the same libraries for the same pages: it reads the same series with sqlite3 (every table the
report reads, photos included) and draws with reportlab's canvas every text run in the same font, size and
place, every path, every photo decoded and scaled to the pixel size MyoCase embedded, "page N of M"
included. Where each of those goes is read beforehand (untimed) from MyoCase's own PDF with pypdfium2, so
the floor does no layout and no analysis: a strict floor. A second floor also runs SciPy's Wilcoxon test
(the p-value the report prints, which MyoCase gets from SciPy too: importing scipy.stats is most of a
second). Each floor PDF is checked to have MyoCase's page count and, page by page, the same words
(pdftotext) before any figure prints.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from run_all import result  # noqa: E402

DEMO_GOAL = 1.5  # issue 16: the demo report <= 1.5x raw reportlab
LARGE_GOAL = 2.0  # a large report <= 2x its floor
LARGE_MEMORY_MIB = 500.0  # ... and under 500 MiB
EXACT_MAX_N = 25  # MyoCase's Wilcoxon is exact up to this many pairs (myocase.domain.stats)
MYOCASE = "import sys; from myocase.cli import main; sys.exit(main(sys.argv[1:]))"


# --- the layout, read from MyoCase's PDF (untimed) -------------------------------------------------------


def _text(obj: Any, textpage: Any) -> str:
    import pypdfium2.raw as raw

    size = raw.FPDFTextObj_GetText(obj, textpage, None, 0)
    buffer = ctypes.create_string_buffer(size)
    raw.FPDFTextObj_GetText(obj, textpage, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)), size)
    return buffer.raw[: max(0, size - 2)].decode("utf-16-le")


def _font(obj: Any) -> tuple[str, float]:
    import pypdfium2.raw as raw

    font = raw.FPDFTextObj_GetFont(obj)
    size = raw.FPDFFont_GetBaseFontName(font, None, 0)
    buffer = ctypes.create_string_buffer(size)
    raw.FPDFFont_GetBaseFontName(font, buffer, size)
    points = ctypes.c_float()
    raw.FPDFTextObj_GetFontSize(obj, ctypes.byref(points))
    return buffer.value.decode().split("+")[-1], points.value


def _colour(getter: Any, obj: Any) -> list[float]:
    parts = [ctypes.c_uint() for _ in range(4)]
    getter(obj, *(ctypes.byref(p) for p in parts))
    return [p.value / 255 for p in parts]


def _path(obj: Any) -> dict[str, Any]:
    import pypdfium2.raw as raw

    segments = []
    for n in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, n)
        x, y = ctypes.c_float(), ctypes.c_float()
        raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        kind = raw.FPDFPathSegment_GetType(segment)
        segments.append(
            [kind, round(x.value, 2), round(y.value, 2), bool(raw.FPDFPathSegment_GetClose(segment))]
        )
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke))
    width = ctypes.c_float()
    raw.FPDFPageObj_GetStrokeWidth(obj, ctypes.byref(width))
    return {
        "segments": segments,
        "fill": _colour(raw.FPDFPageObj_GetFillColor, obj) if fill_mode.value else None,
        "stroke": _colour(raw.FPDFPageObj_GetStrokeColor, obj) if stroke.value else None,
        "width": width.value,
    }


def _page_ops(page: Any) -> list[list[Any]]:
    """One page's drawing operations, in order: text runs, paths and images with their matrices."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    ops: list[list[Any]] = []
    for obj in page.get_objects():
        matrix = [round(v, 3) for v in obj.get_matrix().get()]
        if obj.type == raw.FPDF_PAGEOBJ_TEXT:
            font, size = _font(obj.raw)
            colour = _colour(raw.FPDFPageObj_GetFillColor, obj.raw)
            ops.append(["t", matrix, font, size, colour, _text(obj.raw, textpage.raw)])
        elif obj.type == raw.FPDF_PAGEOBJ_PATH:
            ops.append(["p", matrix, _path(obj.raw)])
        elif obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            width, height = ctypes.c_uint(), ctypes.c_uint()
            raw.FPDFImageObj_GetImagePixelSize(obj.raw, ctypes.byref(width), ctypes.byref(height))
            ops.append(["i", matrix, width.value, height.value])
    textpage.close()
    return ops


def write_layout(pdf: Path, layout: Path) -> int:
    """MyoCase's PDF as one JSON line per page (what the floor draws); returns the page count."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        with layout.open("w") as out:
            for n in range(len(document)):
                page = document[n]
                out.write(json.dumps([page.get_width(), page.get_height(), _page_ops(page)]) + "\n")
                page.close()
        return len(document)
    finally:
        document.close()


# --- the floor (a fresh process) -------------------------------------------------------------------------


def _read_series(db: Path) -> tuple[dict[str, list[tuple[Any, ...]]], list[bytes]]:
    """Every table the report reads, with sqlite3; the photos' bytes in the order they are stored."""
    import sqlite3

    tables = ("patient", "patient_identifier", "assessment", "medication_course", "adverse_event")
    tables += ("antibody_result", "patient_provenance", "photo", "photo_comparison", "setting")
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = {name: connection.execute(f"SELECT * FROM {name}").fetchall() for name in tables}
        photos = [blob for (blob,) in connection.execute("SELECT image FROM photo_data ORDER BY photo_id")]
    finally:
        connection.close()
    return rows, photos


def _wilcoxon(assessments: list[tuple[Any, ...]]) -> float:
    """SciPy's Wilcoxon on each patient's first and last CDASI activity (the test the report prints)."""
    from scipy import stats

    first: dict[Any, float] = {}
    last: dict[Any, float] = {}
    for _, patient, _, activity, *_ in sorted(assessments, key=lambda r: (r[1], str(r[2]))):
        if activity is not None:
            first.setdefault(patient, float(activity))
            last[patient] = float(activity)
    differences = [last[p] - first[p] for p in first if last[p] != first[p]]
    if len(differences) < 2:
        return 1.0
    method = "exact" if len(differences) <= EXACT_MAX_N else "approx"  # as MyoCase calls it
    return float(stats.wilcoxon(differences, zero_method="wilcox", method=method).pvalue)


def _draw_path(canvas: Any, path: dict[str, Any]) -> None:
    drawn, curve = canvas.beginPath(), []
    for kind, x, y, close in path["segments"]:  # pdfium's kinds: 0 line to, 1 Bézier point, 2 move to
        if kind == 1:
            curve += [x, y]
            if len(curve) == 6:
                drawn.curveTo(*curve)
                curve = []
        else:
            (drawn.moveTo if kind == 2 else drawn.lineTo)(x, y)
        if close:
            drawn.close()
    if path["stroke"]:
        canvas.setStrokeColorRGB(*path["stroke"][:3])
        canvas.setLineWidth(path["width"])
    if path["fill"]:
        canvas.setFillColorRGB(*path["fill"][:3])
    canvas.drawPath(drawn, stroke=int(bool(path["stroke"])), fill=int(bool(path["fill"])))


def _photo(photos: list[bytes], at: int, size: tuple[int, int]) -> Any:
    """A stored photo decoded and scaled to ``size`` (pixels), as MyoCase embeds it."""
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader

    image = Image.open(io.BytesIO(photos[at % len(photos)])) if photos else Image.new("RGB", size, "grey")
    scaled = io.BytesIO()
    image.convert("RGB").resize(size).save(scaled, "JPEG", quality=85)  # embedded as JPEG, as MyoCase does
    return ImageReader(scaled)


def run_floor(db: Path, layout: Path, fonts: Path, out: Path, *, wilcoxon: bool = False) -> None:
    """The floor: read the series, run the Wilcoxon test if asked, draw every page with reportlab's canvas."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    rows, photos = _read_series(db)
    if wilcoxon:
        _wilcoxon(rows["assessment"])
    known = set()
    for name in ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique"):
        pdfmetrics.registerFont(TTFont(name, str(fonts / f"{name}.ttf")))
        known.add(name)
    rl_config.useA85 = 0  # binary streams, as MyoCase writes them
    canvas = Canvas(str(out), invariant=1, initialFontName="DejaVuSans")
    placed = 0
    with layout.open() as pages:
        for line in pages:
            width, height, ops = json.loads(line)
            canvas.setPageSize((width, height))
            for op in ops:
                moved = op[1] != [1, 0, 0, 1, 0, 0]
                if moved and op[0] != "t":  # text is placed by its matrix's offset, as it is drawn
                    canvas.saveState()
                    canvas.transform(*op[1])
                if op[0] == "t":
                    _draw_text(canvas, op, known)
                elif op[0] == "p":
                    _draw_path(canvas, op[2])
                else:
                    canvas.drawImage(_photo(photos, placed, (op[2], op[3])), 0, 0, 1, 1)
                    placed += 1
                if moved and op[0] != "t":
                    canvas.restoreState()
            canvas.showPage()
    canvas.save()


def _draw_text(canvas: Any, op: list[Any], known: set[str]) -> None:
    """A run of text; upright text at its place, turned text (an axis title) with its matrix."""
    _, matrix, font, size, colour, words = op
    canvas.setFont(font if font in known else "DejaVuSans", size)
    canvas.setFillColorRGB(*colour[:3])
    if matrix[:4] == [1, 0, 0, 1]:
        canvas.drawString(matrix[4], matrix[5], words)
        return
    canvas.saveState()
    canvas.transform(*matrix)
    canvas.drawString(0, 0, words)
    canvas.restoreState()


# --- the parent: alternate fresh processes ---------------------------------------------------------------


def _run(command: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of ``command`` in a fresh process; stops the bench if it fails."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    output, errors = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])}… failed:\n{errors.decode()}{output.decode()}")
    return seconds, usage.ru_maxrss / 1024


def _pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(sorted(page.split())) for page in text.split("\f")]  # the words, whatever their order


def _same_output(myocase_pdf: Path, floor_pdf: Path) -> None:
    if shutil.which("pdftotext") is None:
        raise SystemExit("pdftotext (poppler-utils) is needed to check that the floor made the same pages")
    mine, floor = _pages_text(myocase_pdf), _pages_text(floor_pdf)
    if len(mine) != len(floor):
        raise SystemExit(f"the floor made {len(floor) - 1} pages, MyoCase {len(mine) - 1}")
    differ = [n + 1 for n, (a, b) in enumerate(zip(mine, floor, strict=True)) if a != b]
    if differ:
        raise SystemExit(f"the floor's text differs from MyoCase's on pages {differ[:10]}")


def _best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The best time and the highest peak memory of some runs."""
    return min(s for s, _ in runs), max(m for _, m in runs)


def compare(db: Path, scratch: Path, repeat: int) -> dict[str, Any]:
    """Alternate ``myocase report``, the floor, and the floor with SciPy's Wilcoxon on ``db``."""
    from myocase import assets

    mine_pdf, floor_pdf, layout = scratch / "myocase.pdf", scratch / "floor.pdf", scratch / "layout.jsonl"
    mine_cmd = [sys.executable, "-c", MYOCASE, "--db", str(db), "report", "--out", str(mine_pdf)]
    floor_cmd = [sys.executable, __file__, "--floor", str(db), str(layout), str(assets.fonts_dir())]
    floor_cmd.append(str(floor_pdf))
    runs: dict[str, list[tuple[float, float]]] = {"myocase": [_run(mine_cmd)]}  # its PDF: the floor's pages
    pages = write_layout(mine_pdf, layout)
    commands = {"floor": floor_cmd, "floor_stats": [*floor_cmd, "--wilcoxon"], "myocase": mine_cmd}
    for n in range(repeat):
        for side, command in commands.items():
            if side != "myocase" or n:
                runs.setdefault(side, []).append(_run(command))
        if not n:
            _same_output(mine_pdf, floor_pdf)
    return {"pages": pages} | {side: _best(found) for side, found in runs.items()}


def _print(label: str, found: dict[str, Any], goal: float, memory_goal: float | None) -> None:
    (mine_s, mine_mib), (floor_s, floor_mib) = found["myocase"], found["floor"]
    stats_s, stats_mib = found["floor_stats"]
    print(
        f"{label} ({found['pages']} pages): MyoCase {mine_s:.2f} s, {mine_mib:.0f} MiB; raw reportlab "
        f"{floor_s:.2f} s, {floor_mib:.0f} MiB: ratio {mine_s / floor_s:.2f} (goal <= {goal}), memory "
        f"{mine_mib / floor_mib:.2f}x" + (f" (goal < {memory_goal:.0f} MiB)" if memory_goal else "") + "; "
        f"raw reportlab + SciPy's Wilcoxon (the p-value the report prints) {stats_s:.2f} s, {stats_mib:.0f} MiB: "
        f"ratio {mine_s / stats_s:.2f}",
        flush=True,
    )
    result(f"{label}, whole command", mine_s, floor=floor_s, goal=goal)
    result(f"{label}, whole command, floor with SciPy's Wilcoxon", mine_s, floor=stats_s)
    memory_kind = "absolute" if memory_goal else None
    result(
        f"{label}, peak memory",
        mine_mib,
        floor=floor_mib,
        goal=memory_goal,
        goal_kind=memory_kind,
        unit="mib",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=5000, help="the large series (0: the demo only)")
    parser.add_argument("--repeat", type=int, default=3, help="alternate runs of each side on the demo")
    parser.add_argument("--floor", nargs=4, metavar=("DB", "LAYOUT", "FONTS", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--wilcoxon", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        run_floor(*(Path(a) for a in args.floor), wilcoxon=args.wilcoxon)
        return

    from bench_list import large_series
    from myocase.services.demo import write_demo
    from myocase.store.casebook import Casebook

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        book = Casebook.open(scratch / "demo.sqlite")
        write_demo(book)
        book.close()
        demo = compare(scratch / "demo.sqlite", scratch, args.repeat)
        _print("demo report (10 patients, 6 photos)", demo, DEMO_GOAL, None)
        if args.patients:
            large = compare(large_series(args.patients), scratch, 1)
            _print(f"{args.patients:,}-patient report", large, LARGE_GOAL, LARGE_MEMORY_MIB)


if __name__ == "__main__":
    main()
