"""Timeline spec speed: building the spec of a patient with 200 assessments and 30 courses.

Issue 4's budget is 50 ms for building *and drawing* one timeline; this measures the build
(the pure spec, both x modes). The widget's drawing time is to be added beside it.

Run: .venv/bin/python bench/bench_timeline_spec.py [--runs 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from myocase.domain.dates import PartialDate, Precision
from myocase.domain.records import (
    AdverseEvent,
    Assessment,
    MedicationCourse,
    Patient,
    Photo,
    SeriesSettings,
)
from myocase.domain.timeline import TimelineSpec, XMode, build_timeline
from myocase.domain.vocab import DRUGS, AeAction, Subtype
from run_all import result

BUDGET_MS = 50.0
START = date(2012, 1, 2)
CUTOFF = date(2023, 6, 30)
SETTINGS = SeriesSettings("bench", CUTOFF, "upadacitinib")
_PRECISIONS = (Precision.DAY, Precision.MONTH, Precision.YEAR)


def _courses() -> list[MedicationCourse]:
    """28 earlier courses (cycling the catalogue, a third month- or year-precise), then tofacitinib
    and an ongoing upadacitinib."""
    others = [d for d in DRUGS if d.name not in ("upadacitinib", "tofacitinib")]
    courses = []
    for n in range(28):
        drug = others[n % len(others)]
        start = START + timedelta(days=120 * n)
        stop = None if n % 9 == 8 else start + timedelta(days=200)
        precision = _PRECISIONS[n % 3]
        courses.append(
            MedicationCourse(
                1, drug.name, drug.drug_class, PartialDate(start, precision),
                PartialDate(stop, precision) if stop else None, dose=drug.dose, unit=drug.unit,
                frequency=drug.frequency, id=n + 1,
            )
        )  # fmt: skip
    tofa = next(d for d in DRUGS if d.name == "tofacitinib")
    upa = next(d for d in DRUGS if d.name == "upadacitinib")
    courses.append(
        MedicationCourse(1, tofa.name, tofa.drug_class, PartialDate.of(date(2020, 6, 1)),
                         PartialDate.of(date(2021, 3, 14)), dose=5, unit="mg", id=29)
    )  # fmt: skip
    courses.append(
        MedicationCourse(1, upa.name, upa.drug_class, PartialDate.of(date(2021, 3, 15)), dose=15, id=30)
    )
    return courses


def _visit(n: int) -> Assessment:
    return Assessment(
        1, START + timedelta(days=21 * n), cdasi_activity=5 + n % 40, cdasi_damage=n % 12,
        mmt8_total=120 + n % 30, mmt8_max=150, ck=80.0 + 7 * (n % 50), ck_uln=170.0 + 30 * (n // 100),
        physician_global=(n % 11) * 0.9, patient_global=(n % 7) * 1.3, extramuscular_global=(n % 5) * 1.1,
        prednisone_mg=float(40 - n % 35), id=n + 1,
    )  # fmt: skip


def _assessments() -> list[Assessment]:
    """200 visits, every 3 weeks, with every tracked measure."""
    return [_visit(n) for n in range(200)]


def _events_and_photos() -> tuple[list[AdverseEvent], list[Photo]]:
    events = [
        AdverseEvent(1, f"event {n}", 1 + n % 5, START + timedelta(days=190 * n + 5),
                     resolution=START + timedelta(days=190 * n + 30), action=AeAction.NONE, id=n + 1)
        for n in range(20)
    ]  # fmt: skip
    photos = [
        Photo(
            1,
            f"{n:064x}",
            "image/jpeg",
            800,
            600,
            START + timedelta(days=200 * n),
            caption=f"photo {n}",
            id=n + 1,
        )
        for n in range(20)
    ]
    return events, photos


def build(x_mode: XMode) -> TimelineSpec:
    return build_timeline(PATIENT, COURSES, ASSESSMENTS, EVENTS, PHOTOS, SETTINGS, x_mode=x_mode)


PATIENT = Patient("BENCH-01", Subtype.DM, id=1)
COURSES, ASSESSMENTS = _courses(), _assessments()
EVENTS, PHOTOS = _events_and_photos()


def _time_ms(x_mode: XMode, runs: int) -> list[float]:
    build(x_mode)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build(x_mode)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    spec = build("date")
    points = sum(len(s.points) for t in spec.tracks for s in t.series)
    print(
        f"patient: {len(ASSESSMENTS)} assessments, {len(COURSES)} courses, {len(EVENTS)} events, "
        f"{len(PHOTOS)} photos → {len(spec.bars)} bars, {len(spec.tracks)} tracks, {points} points"
    )
    for x_mode in ("date", "index_days"):
        times = _time_ms(x_mode, args.runs)
        mean, median = statistics.mean(times), statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"build ({x_mode:<10}) over {args.runs} runs: mean {mean:.2f} ms, median {median:.2f} ms, "
            f"p95 {p95:.2f} ms; median is {median / BUDGET_MS:.1%} of the {BUDGET_MS:g} ms budget"
        )
        result(f"timeline spec of a 200-visit patient ({x_mode})", median / 1000, goal=BUDGET_MS / 1000)


if __name__ == "__main__":
    main()
