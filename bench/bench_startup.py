"""Start-up speed: `myocase --version` and `--help` under 0.3 s, `myocase info` under 1 s, and the window's
first paint of the demo series within 1.3× that of a bare PySide6 + pyqtgraph window with one plot.

Run: .venv/bin/python bench/bench_startup.py [--runs 7]
Every figure is the median over fresh processes, from just before the process starts to its end (the
commands) or to the window's first paint event (both windows offscreen, same machine, same Python).
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

ROOT = Path(__file__).resolve().parent.parent

COMMAND_GOALS = {("--version",): 0.3, ("--help",): 0.3, ("info", "--db", "{db}"): 1.0}
WINDOW_RATIO_GOAL = 1.3
PAINTED = "first paint at "

# In each child: the time of the first paint event any widget receives (an application-wide event filter).
WATCH_PAINT = f"""
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not hasattr(self, "at"):
            self.at = time.time()
            print("{PAINTED}%.6f" % self.at, flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)
        return False

def watch_paint(app):
    app.first_paint = FirstPaint(app)
    app.installEventFilter(app.first_paint)
"""

# MyoCase started exactly as `myocase DB` starts it; the watch is installed with its main window.
MYOCASE_WINDOW = f"""{WATCH_PAINT}
import sys
from myocase import cli
from myocase.ui import application

class Watched(application.MainWindow):
    def __init__(self, *args):
        watch_paint(QApplication.instance())
        super().__init__(*args)

application.MainWindow = Watched
sys.exit(cli.main(sys.argv[1:]))
"""

# The reference: the least a PySide6 + pyqtgraph app does to show one plot.
BARE_WINDOW = f"""{WATCH_PAINT}
import sys
import pyqtgraph as pg
from PySide6.QtWidgets import QMainWindow

app = QApplication(sys.argv[:1])
watch_paint(app)
window = QMainWindow()
plot = pg.PlotWidget()
plot.plot([0, 1, 2, 3], [1, 3, 2, 4])
window.setCentralWidget(plot)
window.resize(1400, 860)
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


def _first_paint(code: str, args: list[str], env: dict[str, str]) -> float:
    """Seconds from just before the process starts to its window's first paint event."""
    start = time.time()
    _, out = _run([sys.executable, "-c", code, *args], env)
    painted = [line for line in out.splitlines() if line.startswith(PAINTED)]
    if not painted:
        raise SystemExit(f"the window never painted:\n{out}")
    return float(painted[0].removeprefix(PAINTED)) - start


def _median(measure: Callable[[], float], runs: int) -> float:
    measure()  # a first run warms the file cache (and writes the bytecode cache); it is not counted
    return statistics.median(measure() for _ in range(runs))


def _windows(db: Path, env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median first paint of MyoCase on ``db`` and of the bare window, measured in turn so that the
    machine's load at any moment weighs on both alike."""
    app: list[float] = []
    bare: list[float] = []
    for n in range(runs + 1):
        app.append(_first_paint(MYOCASE_WINDOW, [str(db)], env))
        bare.append(_first_paint(BARE_WINDOW, [], env))
        if n == 0:  # the first pair warms the caches; it is not counted
            app.clear()
            bare.clear()
    return statistics.median(app), statistics.median(bare)


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
        app, bare = _windows(db, env, runs)
        ratio = app / bare
        print(_line("first paint, demo series", app, " s"))
        print(_line("first paint, bare pyqtgraph window", bare, " s"))
        print(_line("ratio", ratio, f"×   {ratio / WINDOW_RATIO_GOAL:5.2f}× the {WINDOW_RATIO_GOAL}× goal"))


if __name__ == "__main__":
    main()
