"""The patient list at 10,000 patients: the window opened with its list painted within 1.5× a floor list, and
a key typed in the list's filter in 50 ms or less, each beside its floor.

Run: .venv/bin/python bench/bench_list.py [--patients 10000] [--runs 5] [--keys SYN-01234]
The series is built once with `synthetic.write_large_series` and kept in /tmp/myocase-bench (named by the
schema revision and the builder's source, so a changed schema or builder builds a new one).
The floor is the same six columns read with one sqlite3 statement into a bare QTableView over a plain
QAbstractTableModel (rows in study-ID order from SQL), filtered by a QSortFilterProxyModel's fixed string;
before timing, its rows are checked to show the same text as MyoCase's list.
- Window open: from just before the process starts to the first paint of the list (fresh processes, the
  two alternating, a first round not counted; MyoCase started exactly as `myocase DB` starts it).
- A typed key: in one process, MyoCase's patient list (its panel on a controller) and the floor's list side
  by side; ``--keys`` typed one key at a time into each filter in turn (then cleared), each key timed from
  the key press to the list repainted; medians per key over the runs.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from bench_startup import WATCH_PAINT, _environment, _first_paint  # noqa: E402
from run_all import result  # noqa: E402

OPEN_RATIO_GOAL = 1.5
KEY_GOAL_MS = 50.0
CACHE = Path(tempfile.gettempdir()) / "myocase-bench"

# The patient list's six columns in one statement: study ID, subtype, positive antibodies, the drugs taken at
# the cut-off (JAK inhibitors first, then by start; a partial stop date lasts to the end of its period), the
# last assessment and the number of assessments.
SUMMARIES_SQL = """
WITH cut AS (SELECT json_extract(value, '$') AS day FROM setting WHERE key = 'cutoff'),
visits AS (SELECT patient_id, max(assessed_on) AS last, count(*) AS n FROM assessment GROUP BY patient_id)
SELECT p.study_id, p.subtype,
  coalesce((SELECT group_concat(antibody, ', ') FROM (SELECT antibody FROM antibody_result a
            WHERE a.patient_id = p.id AND a.status = 'positive' ORDER BY a.id)), ''),
  coalesce((SELECT group_concat(drug, ', ') FROM (
            SELECT drug, min((drug_class != 'JAK inhibitor') * 1e7 + julianday(start_date)) AS k
            FROM medication_course c, cut WHERE c.patient_id = p.id AND c.start_date <= cut.day
            AND (c.stop_date IS NULL OR CASE c.stop_precision
                 WHEN 'month' THEN date(c.stop_date, '+1 month', '-1 day')
                 WHEN 'year' THEN date(c.stop_date, '+1 year', '-1 day') ELSE c.stop_date END >= cut.day)
            GROUP BY drug ORDER BY k)), ''),
  coalesce(v.last, ''), coalesce(v.n, 0)
FROM patient p LEFT JOIN visits v ON v.patient_id = p.id ORDER BY p.study_id
"""

FLOOR_CODE = f'''
import sqlite3
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

SUMMARIES_SQL = """{SUMMARIES_SQL}"""
TITLES = ("Study ID", "Subtype", "Antibodies", "Current drugs", "Last assessment", "Visits")


class FloorModel(QAbstractTableModel):
    def __init__(self, rows):
        super().__init__()
        self.rows = rows

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(TITLES)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return TITLES[section]
        return None


def floor_list(path):
    """The floor's table, its filter proxy and its model, over the series at ``path``."""
    connection = sqlite3.connect(path)
    rows = [tuple(str(v) for v in row) for row in connection.execute(SUMMARIES_SQL)]
    connection.close()
    model = FloorModel(rows)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    table = QTableView()
    table.setModel(proxy)
    return table, proxy, model
'''

FLOOR_WINDOW = f"""{WATCH_PAINT}
{FLOOR_CODE}
import sys
app = QApplication(sys.argv[:1])
window = QMainWindow()
table, proxy, model = floor_list(sys.argv[1])
window.setCentralWidget(table)
window.resize(1400, 860)
watch_paint(table.viewport())
window.show()
sys.exit(app.exec())
"""

# MyoCase as `myocase DB` starts it, the watch put on its patient list as the window is built, or, when a
# large series is read in the background, once its rows are in (the list painted empty does not count).
MYOCASE_WINDOW = f"""{WATCH_PAINT}
import sys
from myocase.ui import application

class Watched(application.MainWindow):
    def __init__(self, *args):
        super().__init__(*args)
        panel = self.patients
        if panel.busy.running:
            panel.busy.finished.connect(lambda _: watch_paint(panel.table.viewport()))
        else:
            watch_paint(panel.table.viewport())

application.MainWindow = Watched
from myocase.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def large_series(patients: int) -> Path:
    """The cached synthetic series of ``patients`` patients (built once)."""
    from myocase.store.series_file import head_revision
    from synthetic import write_large_series

    source = hashlib.sha256((BENCH / "synthetic.py").read_bytes()).hexdigest()[:10]
    path = CACHE / f"series-{patients}-{head_revision()}-{source}.sqlite"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        start = time.perf_counter()
        write_large_series(partial, patients)
        partial.rename(path)
        print(f"built {path} in {time.perf_counter() - start:.1f} s")
    return path


def window_open(db: Path, runs: int) -> tuple[float, float]:
    """Median seconds to the first paint of the list: (floor, MyoCase), in alternating fresh processes."""
    found: dict[str, list[float]] = {"floor": [], "myocase": []}
    with tempfile.TemporaryDirectory() as scratch:
        env = _environment(Path(scratch))
        for n in range(runs + 1):
            floor = _first_paint(FLOOR_WINDOW, [str(db)], env)[0]
            app = _first_paint(MYOCASE_WINDOW, [str(db)], env)[0]
            if n:  # the first round warms the caches (and takes the day's automatic backup)
                found["floor"].append(floor)
                found["myocase"].append(app)
    return statistics.median(found["floor"]), statistics.median(found["myocase"])


def _rows_shown(model: Any) -> list[tuple[str, ...]]:
    columns = range(model.columnCount())
    return [tuple(str(model.index(r, c).data()) for c in columns) for r in range(model.rowCount())]


def _type(app: Any, edit: Any, table: Any, keys: str) -> list[float]:
    """Milliseconds from each key press to the list repainted: ``keys`` typed, then erased with Backspace."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    times = []
    for press in [*keys, *[Qt.Key.Key_Backspace] * len(keys)]:
        start = time.perf_counter()
        if isinstance(press, str):
            QTest.keyClicks(edit, press)
        else:
            QTest.keyClick(edit, press)
        app.processEvents()
        table.viewport().repaint()
        times.append((time.perf_counter() - start) * 1000)
    if edit.text():
        raise SystemExit(f"the filter was not erased: {edit.text()!r}")
    return times


def _labels(keys: str) -> list[str]:
    """What each timed key press leaves in the filter."""
    typed = [repr(keys[: n + 1]) for n in range(len(keys))]
    return typed + [f"⌫ {keys[:n]!r}" for n in range(len(keys) - 1, -1, -1)]


def typed_keys(db: Path, keys: str, runs: int) -> dict[str, tuple[float, float]]:
    """Median milliseconds per key (floor, MyoCase), the two lists typed into in turn, a first round uncounted."""
    from myocase.store.casebook import Casebook
    from myocase.ui.application import make_application
    from myocase.ui.controller import Controller
    from myocase.ui.patient_list import PatientListPanel
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    app = make_application()
    book = Casebook.open(db, create=False)
    panel = PatientListPanel(Controller(book))
    floor = QWidget()
    namespace: dict[str, Any] = {}
    exec(FLOOR_CODE, namespace)  # the floor's list, as its window builds it
    table, proxy, model = namespace["floor_list"](str(db))
    search = QLineEdit()
    search.textChanged.connect(proxy.setFilterFixedString)
    layout = QVBoxLayout(floor)
    layout.addWidget(search)
    layout.addWidget(table)
    for widget in (panel, floor):
        widget.resize(700, 860)
        widget.show()
    app.processEvents()
    while panel.busy.running:  # a large series is read in the background: the rows come when read
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
    differ = set(_rows_shown(panel.model)) ^ set(_rows_shown(model))
    if differ:
        raise SystemExit(f"the floor's rows differ from MyoCase's list: {sorted(differ)[:4]}")
    found: dict[str, list[tuple[float, float]]] = {}
    for n in range(runs + 1):
        floor_ms = _type(app, search, table, keys)
        app_ms = _type(app, panel.search, panel.table, keys)
        if n:
            for label, pair in zip(_labels(keys), zip(floor_ms, app_ms, strict=True), strict=True):
                found.setdefault(label, []).append(pair)
    book.close()
    return {
        typed: (statistics.median(f for f, _ in pairs), statistics.median(a for _, a in pairs))
        for typed, pairs in found.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="rounds per figure (median)")
    parser.add_argument("--keys", default="SYN-01234", help="typed one key at a time into each filter")
    args = parser.parse_args()
    db = large_series(args.patients)
    keys = typed_keys(db, args.keys, args.runs)
    floor, app = window_open(db, args.runs)
    print(f"The patient list on {args.patients} patients, median of {args.runs} rounds")
    print(f"  window open, list painted   floor {floor:7.3f} s   MyoCase {app:7.3f} s   {app / floor:5.2f}×")
    result(f"window open on {args.patients:,} patients, list painted", app, floor, OPEN_RATIO_GOAL)
    print(f"  key typed in the filter ({args.keys!r}, then erased), ms from key press to list repainted:")
    for key, (floor_ms, app_ms) in keys.items():
        print(f"    {key:<14} floor {floor_ms:7.1f}   MyoCase {app_ms:7.1f}")
    floor_key = statistics.median(f for f, _ in keys.values()) / 1000
    app_key = statistics.median(a for _, a in keys.values()) / 1000
    worst = max(a for _, a in keys.values())  # each key is a median over the runs
    print(
        f"  median key: floor {floor_key * 1000:.1f} ms, MyoCase {app_key * 1000:.1f} ms "
        f"(slowest key {worst:.1f} ms; goal ≤ {KEY_GOAL_MS:g} ms)"
    )
    work = f"key typed in the {args.patients:,}-patient list's filter"
    result(f"{work} (median key)", app_key, floor_key, KEY_GOAL_MS / 1000, "absolute")
    floor_worst = max(f for f, _ in keys.values()) / 1000
    result(f"{work} (slowest key)", worst / 1000, floor_worst, KEY_GOAL_MS / 1000, "absolute")


if __name__ == "__main__":
    main()
