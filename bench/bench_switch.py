"""Selecting the next patient in the window: MyoCase within 1.2× a floor window showing the same parts.

Run: .venv/bin/python bench/bench_switch.py [--patients 3] [--switches 60] [--profile FILE] [--quick]
The series: ``--patients`` patients of 200 assessments, 30 courses, 20 adverse events and 6 photos each (the
patient of bench_timeline_spec.py), written through the storage API once and cached in /tmp/myocase-bench.
MyoCase is the real main window, shown offscreen (1400 × 900) with the Assessments tab in front. The floor
(``switch_floor.py``) is a plain PySide6 window with the same visible parts, filled from raw ``sqlite3`` queries
of the same file on one connection. Before each timed switch is counted, both are checked to show the same
patient, the same rows in each table, as many photos, and as many track plots, points, bars, adverse-event and
photo markers and strip thumbnails in the timeline; and both windows to have painted.
A switch is a Down (or Up) key pressed in the patient list, as a user does, then events processed until the
window is painted; the two windows take turns, alternating between patients, a first round not counted. The
figure is the median switch. MyoCase's pool is watched meanwhile (connections opened, PRAGMAs run, check-outs);
``--profile FILE`` then profiles MyoCase's switches (cProfile statistics to FILE, the top printed).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import argparse
import cProfile
import hashlib
import inspect
import io
import pstats
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from PySide6.QtCore import QEvent, QObject, Qt  # noqa: E402
from run_all import result  # noqa: E402
from switch_floor import PHOTOS, Floor  # noqa: E402

GOAL = 1.2
CACHE = Path(tempfile.gettempdir()) / "myocase-bench"
SIZE = (1400, 900)


# ------------------------------------------------------------------ the series


def _photo_bytes(seed: int) -> bytes:
    """A 640 × 480 JPEG of coloured noise (each seed another picture, so another stored photo)."""
    from PIL import Image

    pixels = random.Random(seed).randbytes(160 * 120 * 3)
    image = Image.frombytes("RGB", (160, 120), pixels).resize((640, 480))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def write_series(path: Path, patients: int) -> None:
    """``patients`` patients like bench_timeline_spec's, written through the storage API in one batch."""
    from bench_timeline_spec import ASSESSMENTS, COURSES, EVENTS, SETTINGS
    from myocase.domain.records import Patient
    from myocase.domain.vocab import Sex, StopReason, Subtype
    from myocase.store.casebook import Casebook
    from myocase.store.imaging import prepare_image

    book = Casebook.open(path)
    with book.batch():
        book.save_settings(replace(SETTINGS, name="Switch benchmark"))
        for n in range(patients):
            patient = book.save_patient(Patient(f"SW-{n + 1:02d}", Subtype.DM, Sex.FEMALE, 1970 + n))
            pid, shift = patient.id or 0, timedelta(days=7 * n)
            for course in COURSES:
                reason = StopReason.INEFFICACY if course.stop is not None else None
                book.save(
                    replace(
                        course,
                        id=None,
                        patient_id=pid,
                        version=0,
                        stop_reason=reason,
                        unit=course.unit or "mg",
                    )
                )
            for visit in ASSESSMENTS:
                book.save(
                    replace(visit, id=None, patient_id=pid, version=0, assessed_on=visit.assessed_on + shift)
                )
            for event in EVENTS:
                grade = min(event.grade, 4)  # a grade 5 event is fatal: these patients live on
                book.save(replace(event, id=None, patient_id=pid, version=0, grade=grade))
            for k in range(PHOTOS):
                taken = ASSESSMENTS[20 + 30 * k].assessed_on + shift
                book.add_photo(
                    pid, prepare_image(_photo_bytes(100 * n + k)), taken_on=taken, caption=f"photo {k}"
                )
    book.close()


def series(patients: int) -> Path:
    """The cached series of ``patients`` patients (built once per schema and builder)."""
    from myocase.store.series_file import head_revision

    builder = inspect.getsource(write_series) + inspect.getsource(_photo_bytes)
    source = hashlib.sha256(builder.encode()).hexdigest()[:10]
    path = CACHE / f"switch-{patients}-{head_revision()}-{source}.sqlite"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        for leftover in CACHE.glob(partial.name + "*"):
            leftover.unlink()
        start = time.perf_counter()
        write_series(partial, patients)
        partial.rename(path)
        print(f"built {path} in {time.perf_counter() - start:.1f} s")
    return path


# ------------------------------------------------------------------ MyoCase, the checks and the timing


def myocase_window(path: Path) -> Any:
    from myocase.store.casebook import Casebook
    from myocase.ui.controller import Controller
    from myocase.ui.main_window import MainWindow

    window = MainWindow(Controller(Casebook.open(path, create=False)))
    window.patient_view.tabs.setCurrentWidget(window.patient_view.assessments)
    return window


def _shown(proxy: Any) -> list[tuple[str, ...]]:
    columns = range(proxy.columnCount())
    return [tuple(str(proxy.index(r, c).data() or "") for c in columns) for r in range(proxy.rowCount())]


def check_same(window: Any, floor: Floor) -> None:
    """Both windows show the same patient, the same rows in each table and as much drawn in the timeline."""
    view = window.patient_view
    tabs = {"Treatments": view.courses, "Assessments": view.assessments, "Adverse events": view.events}
    for name, tab in tabs.items():
        mine, floors = _shown(tab.table.model()), floor.models[name].rows
        if sorted(mine) != sorted(floors):
            differ = sorted(set(mine) ^ set(floors))[:4]
            raise SystemExit(
                f"{name}: the floor shows other rows than MyoCase ({len(floors)} vs {len(mine)}): {differ}"
            )
    if view.photos.list.count() != floor.photos.count():
        raise SystemExit(
            f"photos: MyoCase shows {view.photos.list.count()}, the floor {floor.photos.count()}"
        )
    drawn = view.timeline.counts()
    if {key: drawn.get(key, 0) for key in floor.drawn} != floor.drawn:
        raise SystemExit(f"the timeline: MyoCase drew {drawn}, the floor {floor.drawn}")
    if view.patient is None or view.patient.study_id not in floor.title.text():
        raise SystemExit("the two windows show different patients")


class Paints(QObject):
    """Counts the paint events of the widgets it watches."""

    def __init__(self, *widgets: Any) -> None:
        super().__init__()
        self.count = 0
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, _watched: Any, event: Any) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _switch(app: Any, table: Any, key: Any) -> float:
    """Seconds from the key press in the patient list to the window painted."""
    from PySide6.QtTest import QTest

    start = time.perf_counter()
    QTest.keyClick(table, key)
    app.processEvents()
    app.processEvents()
    return time.perf_counter() - start


def _keys(patients: int, switches: int) -> list[Any]:
    """Down to the last patient and Up to the first, again and again: each press selects another patient."""
    cycle = [Qt.Key.Key_Down] * (patients - 1) + [Qt.Key.Key_Up] * (patients - 1)
    return [cycle[n % len(cycle)] for n in range(switches)]


class Pool:
    """What the pool of a book's engine did: connections opened, check-outs, PRAGMAs run (traced by sqlite3)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.opened = self.checkouts = self.pragmas = 0
        event.listen(engine, "connect", self._connected, insert=True)  # before the set-up's PRAGMAs
        event.listen(engine, "checkout", self._checked_out)

    def _trace(self, statement: str) -> None:
        self.pragmas += statement.lstrip().upper().startswith("PRAGMA")

    def _connected(self, dbapi_connection: Any, _record: Any) -> None:
        self.opened += 1
        dbapi_connection.set_trace_callback(self._trace)

    def _checked_out(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        self.checkouts += 1
        dbapi_connection.set_trace_callback(self._trace)


def _fail(kind: type[BaseException], error: BaseException, trace: Any) -> None:
    sys.__excepthook__(kind, error, trace)
    os._exit(1)


def measure(path: Path, patients: int, switches: int, profile: Path | None) -> tuple[float, float]:
    """Median seconds per switch: (floor, MyoCase), taking turns."""
    from myocase.ui.application import make_application

    app = make_application()
    sys.excepthook = _fail  # an error in a slot (Qt only prints it) ends the run
    window, floor = myocase_window(path), Floor(path)
    for shown in (window, floor.window):
        shown.resize(*SIZE)
        shown.show()
    mine, floors = window.patients.table, floor.list
    for table in (mine, floors):
        table.selectRow(0)
    app.processEvents()
    paints = {"MyoCase": Paints(window.patient_view.timeline.graphics.viewport(),
                                window.patient_view.assessments.table.viewport()),
              "floor": Paints(floor.graphics.viewport(), floor.tables["Assessments"].viewport())}  # fmt: skip
    pool = Pool(window.controller.book.engine)
    times: dict[str, list[float]] = {"floor": [], "MyoCase": []}
    keys = _keys(patients, switches)
    for n, key in enumerate([*keys[: 2 * (patients - 1)], *keys]):  # a first round (both ways) not counted
        before = {name: p.count for name, p in paints.items()}
        floor_s, mine_s = _switch(app, floors, key), _switch(app, mine, key)
        check_same(window, floor)
        if any(p.count == before[name] for name, p in paints.items()):
            raise SystemExit(f"switch {n}: a window was not painted ({before} → {paints})")
        if n >= 2 * (patients - 1):
            times["floor"].append(floor_s)
            times["MyoCase"].append(mine_s)
    print(f"MyoCase's pool over {n + 1} switches: {pool.opened} connections opened, {pool.pragmas} PRAGMAs "
          f"run, {pool.checkouts} check-outs (the window also looks for others' writes every 2 s)")  # fmt: skip
    if profile is not None:
        profiler = cProfile.Profile()
        profiler.enable()
        for key in keys:
            _switch(app, mine, key)
        profiler.disable()
        profiler.dump_stats(profile)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    window.close()
    return statistics.median(times["floor"]), statistics.median(times["MyoCase"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=3)
    parser.add_argument("--switches", type=int, default=60, help="switches timed in each window")
    parser.add_argument("--profile", type=Path, help="write cProfile statistics of MyoCase's switches here")
    parser.add_argument("--quick", action="store_true", help="a few switches: checks that it runs")
    args = parser.parse_args()
    switches = 8 if args.quick else args.switches
    path = series(args.patients)
    floor, mine = measure(path, args.patients, switches, args.profile)
    print(f"Selecting the next patient (200 assessments, 30 courses, {PHOTOS} photos), median of {switches}:")
    print(
        f"  floor {floor * 1000:7.1f} ms   MyoCase {mine * 1000:7.1f} ms   {mine / floor:5.2f}× (goal ≤ {GOAL:g}×)"
    )
    result("select the next patient (200 assessments, 30 courses)", mine, floor, GOAL)


if __name__ == "__main__":
    main()
