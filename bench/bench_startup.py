"""Start-up speed: `myocase --version`, `--help` and `info` under 0.3 s, and the first paint of the demo
series' window — its patient list and the first patient's timeline drawn — within 1.3× the first paint of a
bare PySide6 + pyqtgraph window with one plot.

Run: .venv/bin/python bench/bench_startup.py [--runs 7]
Every figure is the median over fresh processes, from just before the process starts to its end (the
commands) or to the first paint event of the plot that matters (both windows offscreen, same machine, same
Python): MyoCase is started exactly as `myocase DB` starts it, and the first row of its patient list is
selected as its window is built (as a click would), so what is timed is the window with that patient's
timeline drawn, not an empty shell; the bare window's one plot is timed the same way. Also printed: the
processor time each had used by then (less swayed by a busy machine), and for reference a window of the
same shape without MyoCase (a list and 7 plots), to tell the cost of what is shown from MyoCase's own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from run_all import result

ROOT = Path(__file__).resolve().parent.parent

COMMAND_GOALS = {("--version",): 0.3, ("--help",): 0.3, ("info", "--db", "{db}"): 0.3}
WINDOW_RATIO_GOAL = 1.3
PAINTED = "first paint at "
PROCESSOR = "processor time "

# In each child: the time of the first paint event of one widget (a filter on that widget alone, so the
# watch costs both windows the same), then quit. A window that never paints it fails the run.
WATCH_PAINT = f"""
import time

def watch_paint(widget):
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and not hasattr(self, "at"):
                self.at = time.time()
                print("{PAINTED}%.6f {PROCESSOR}%.6f" % (self.at, time.process_time()), flush=True)
                QTimer.singleShot(0, QApplication.instance().quit)
            return False

    widget.first_paint = FirstPaint(widget)
    widget.installEventFilter(widget.first_paint)
    QTimer.singleShot(60_000, QApplication.instance().quit)  # never painted: the parent reports it
"""

# MyoCase started exactly as the `myocase DB` command starts it (its entry point, which imports the window's
# modules when it needs them). Right after it imports its main window, the window is given the watch: as it
# is built, the first patient of the list is selected (what a click on the first row does), and the watch
# is put on that patient's timeline plot.
MYOCASE_WINDOW = f"""{WATCH_PAINT}
import importlib.abc, importlib.util, sys

def watched(application):
    class Watched(application.MainWindow):
        def __init__(self, *args):
            super().__init__(*args)
            self.patients.table.selectRow(0)
            view = self.patient_view
            spec = view.timeline_spec
            if self.patients.model.rowCount() == 0 or spec is None or not spec.tracks:
                sys.exit("the demo's first patient has no timeline to draw")
            watch_paint(view.timeline.graphics.viewport())

    application.MainWindow = Watched

class AfterImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "myocase.ui.application":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run_module = spec.loader.exec_module
        def exec_module(module):
            run_module(module)
            watched(module)
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, AfterImport())
from myocase.__main__ import main
sys.exit(main(sys.argv[1:]))
"""

# The floor: the least a PySide6 + pyqtgraph app does to show one plot.
BARE_WINDOW = f"""{WATCH_PAINT}
import sys
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
plot = pg.PlotWidget()
plot.plot([0, 1, 2, 3], [1, 3, 2, 4])
window.setCentralWidget(plot)
window.resize(1400, 860)
watch_paint(plot.viewport())
window.show()
sys.exit(app.exec())
"""

# For reference only (the goal is against the bare window): the same shape as MyoCase's first paint without
# MyoCase — a 10-row list beside 7 stacked pyqtgraph plots (the demo's first timeline has a lane plot and six
# tracks), each with a line and points, and no database. What MyoCase takes beyond this is its own work.
SHAPED_WINDOW = f"""{WATCH_PAINT}
import sys
import pyqtgraph as pg
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTableView

app = QApplication(sys.argv[:1])
window = QMainWindow()
model = QStandardItemModel(10, 5)
for row in range(10):
    for column in range(5):
        model.setItem(row, column, QStandardItem(f"MYO-{{row:02}} {{column}}"))
table = QTableView()
table.setModel(model)
plots = pg.GraphicsLayoutWidget()
for row in range(7):
    plot = plots.addPlot(row=row, col=0)
    plot.plot([0, 100, 200, 300], [row, row + 3, row + 2, row + 4], symbol="o")
splitter = QSplitter()
splitter.addWidget(table)
splitter.addWidget(plots)
window.setCentralWidget(splitter)
window.resize(1400, 860)
watch_paint(plots.viewport())
window.show()
sys.exit(app.exec())
"""


def _environment(home: Path) -> dict[str, str]:
    """Offscreen; the app's settings, data and log folders in a scratch folder (not the user's); compiled
    bytecode cached there too, as an installed copy has it (PYTHONDONTWRITEBYTECODE would time the compiler)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYQTGRAPH_QT_LIB="PySide6")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(home / name.lower())
    return env


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from just before the process starts to its end, and what it printed."""
    start = time.time()
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=120)
    seconds = time.time() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return seconds, result.stdout


def _first_paint(code: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from just before the process starts to its plot's first paint event, and the processor
    seconds the process had used by then (less swayed by what else the machine runs)."""
    start = time.time()
    _, out = _run([sys.executable, "-c", code, *args], env)
    painted = [line for line in out.splitlines() if line.startswith(PAINTED)]
    if not painted:
        raise SystemExit(f"the plot never painted:\n{out}")
    at, processor = painted[0].removeprefix(PAINTED).split(f" {PROCESSOR}")
    return float(at) - start, float(processor)


def _median(measure: Callable[[], float], runs: int) -> float:
    measure()  # a first run warms the file cache (and writes the bytecode cache); it is not counted
    return statistics.median(measure() for _ in range(runs))


def _windows(db: Path, env: dict[str, str], runs: int) -> dict[str, tuple[float, float]]:
    """Median first paint (seconds, processor seconds) of MyoCase on ``db``, of the bare window and of the
    same-shape window, measured in turn so that the machine's load at any moment weighs on all alike."""
    windows = {
        "myocase": (MYOCASE_WINDOW, [str(db)]),
        "bare": (BARE_WINDOW, []),
        "shaped": (SHAPED_WINDOW, []),
    }
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in windows}
    for n in range(runs + 1):
        for name, (code, args) in windows.items():
            found[name].append(_first_paint(code, args, env))
        if n == 0:  # the first round warms the caches; it is not counted
            for pairs in found.values():
                pairs.clear()
    return {
        name: (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs))
        for name, pairs in found.items()
    }


def _line(label: str, seconds: float, goal: str) -> str:
    return f"  {label:<34}{seconds:7.3f}{goal}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per figure (median)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        env = _environment(home)
        db = home / "demo.sqlite"
        myocase = [sys.executable, "-m", "myocase"]
        _run([*myocase, "demo", "--db", str(db)], env)
        print(f"MyoCase start-up, median of {runs} fresh processes")
        for words, goal in COMMAND_GOALS.items():
            argv = [*myocase, *(w.format(db=db) for w in words)]
            seconds = _median(lambda argv=argv: _run(argv, env)[0], runs)
            label = "myocase " + " ".join(words).format(db=db.name)
            print(_line(label, seconds, f" s   {seconds / goal:5.2f}× the {goal} s goal"))
            result(label.replace(db.name, "demo"), seconds, goal=goal)
        painted = _windows(db, env, runs)
        (app, app_cpu), (bare, bare_cpu), (shaped, shaped_cpu) = painted.values()
        ratio = app / bare
        print(_line("first paint, demo timeline", app, f" s   ({app_cpu:.3f} s of processor time)"))
        print(_line("first paint, bare pyqtgraph window", bare, f" s   ({bare_cpu:.3f} s of processor time)"))
        print(_line("ratio", ratio, f"×   {ratio / WINDOW_RATIO_GOAL:5.2f}× the {WINDOW_RATIO_GOAL}× goal"))
        result("start to first paint of the demo's timeline", app, bare, WINDOW_RATIO_GOAL)
        print(_line("ratio of processor times", app_cpu / bare_cpu, "×"))
        print(_line("for reference: list + 7 plots", shaped, f" s   ({shaped_cpu:.3f} s of processor time)"))
        print(_line("ratio to it", app / shaped, "×"))
        print("  (where MyoCase's start goes: `myocase --debug DB` logs each step)")


if __name__ == "__main__":
    main()
