"""Timeline drawing speed: building the spec and drawing it in the on-screen widget.

Issue 4's budget is 50 ms for building *and drawing* one patient's timeline (200 assessments,
30 courses, 20 adverse events, 20 photos: the patient of ``bench_timeline_spec.py``). This
measures, offscreen, ``build_timeline`` + ``TimelinePlot.set_spec`` (what switching to a patient
costs; the widget reuses its plots), and separately the first paint that follows.

Run: .venv/bin/python bench/bench_timeline_draw.py [--runs 100]
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_timeline_spec import ASSESSMENTS, COURSES, EVENTS, PHOTOS, build
from myocase.domain.timeline import XMode
from myocase.ui.application import make_application
from myocase.ui.figures.timeline import TimelinePlot
from run_all import result

BUDGET_MS = 50.0


def _quantiles(times: list[float]) -> tuple[float, float, float]:
    return statistics.mean(times), statistics.median(times), statistics.quantiles(times, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    app = make_application()
    widget = TimelinePlot()
    widget.resize(1200, 800)
    widget.show()
    app.processEvents()
    modes: tuple[XMode, XMode] = ("date", "index_days")

    start = time.perf_counter()
    widget.set_spec(build("date"))
    first = (time.perf_counter() - start) * 1000
    app.processEvents()
    drawn = widget.counts()
    print(
        f"patient: {len(ASSESSMENTS)} assessments, {len(COURSES)} courses, {len(EVENTS)} events, "
        f"{len(PHOTOS)} photos → drawn {drawn}"
    )
    print(f"first set_spec in a new widget (creates the plots): {first:.1f} ms")

    total, paint = [], []
    for n in range(args.runs):
        # alternate the x mode so every run really redraws (as switching patients does)
        start = time.perf_counter()
        widget.set_spec(build(modes[n % 2]))
        middle = time.perf_counter()
        widget.graphics.viewport().repaint()
        end = time.perf_counter()
        total.append((middle - start) * 1000)
        paint.append((end - middle) * 1000)
    mean, median, p95 = _quantiles(total)
    print(
        f"build + set_spec over {args.runs} runs: mean {mean:.2f} ms, median {median:.2f} ms, "
        f"p95 {p95:.2f} ms; median is {median / BUDGET_MS:.1%} of the {BUDGET_MS:g} ms budget "
        f"(ratio {median / BUDGET_MS:.2f})"
    )
    mean, median_paint, p95 = _quantiles(paint)
    both = median + median_paint
    print(
        f"then painting the plots: median {median_paint:.2f} ms (p95 {p95:.2f} ms); build + draw + paint "
        f"median {both:.2f} ms = {both / BUDGET_MS:.1%} of the budget (ratio {both / BUDGET_MS:.2f})"
    )
    result("timeline of a 200-visit patient: build, draw and paint", both / 1000, goal=BUDGET_MS / 1000)
    widget.close()


if __name__ == "__main__":
    main()
