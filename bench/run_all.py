"""Runs every benchmark in bench/ and prints one table: work, floor, MyoCase, ratio, goal, met or not.

Run: .venv/bin/python bench/run_all.py [--quick] [--only list startup ...]
Each `bench/bench_*.py` runs in its own subprocess (offscreen), one after the other; its whole output goes
to /tmp/myocase-bench/logs/<name>.log. The machine (processor, cores, memory, system, Python, Qt) is printed
first. `--quick` runs smaller sizes (the `QUICK` arguments below, or `--quick` for a script whose --help
offers it) to check that everything runs, not to quote figures.

The convention every bench script follows (so that its rows reach the table): for each measured row, one
line on standard output that starts with ``RESULT `` followed by a JSON object:

    RESULT {"work": "what was measured", "floor_s": 0.84, "myocase_s": 1.02, "ratio": 1.21, "goal": 1.5}

- ``work``: the row's name, as a reader of README.md should read it (sizes included);
- ``floor_s`` / ``myocase_s``: seconds for the floor (null when the row has no floor) and for MyoCase;
  a memory row gives ``floor_mib`` / ``myocase_mib`` instead (MiB);
- ``ratio``: myocase / floor (null without a floor);
- ``goal``: the goal, null if none; ``goal_kind``: "ratio" (the goal bounds the ratio; the default when
  there is a ratio) or "absolute" (it bounds MyoCase's own figure, in the row's unit; the default without
  a ratio). The runner decides met / not met from these.
`result()` below prints such a line; a script run from bench/ can `from run_all import result`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LOGS = Path(tempfile.gettempdir()) / "myocase-bench" / "logs"
PREFIX = "RESULT "
TIMEOUT_S = 3 * 3600
# Smaller sizes for --quick, per script (a script not listed gets --quick if its --help offers it).
QUICK = {
    "bench_startup": ["--runs", "2"],
    "bench_report": ["--patients", "100", "--repeat", "1"],
    "bench_export": ["--patients", "100", "--formats", "csv,xlsx"],
    "bench_timeline_spec": ["--runs", "20"],
    "bench_timeline_draw": ["--runs", "10"],
    "bench_list": ["--patients", "2000", "--runs", "1"],
    "bench_scrub": ["--patients", "1000", "--megabytes", "0.25"],
    "bench_vignette": ["--megabytes", "0.25"],
    "bench_switch": ["--switches", "8"],
}


def result(
    work: str,
    myocase: float,
    floor: float | None = None,
    goal: float | None = None,
    goal_kind: str | None = None,
    unit: str = "s",
) -> None:
    """Print one ``RESULT`` line (see the module's docstring); ``unit`` is "s" or "mib"."""
    row: dict[str, Any] = {
        "work": work,
        f"floor_{unit}": floor,
        f"myocase_{unit}": myocase,
        "ratio": myocase / floor if floor else None,
        "goal": goal,
    }
    if goal_kind:
        row["goal_kind"] = goal_kind
    print(PREFIX + json.dumps(row), flush=True)


def _machine() -> list[str]:
    def first(path: str, key: str) -> str:
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            return "unknown"
        return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), "unknown")

    memory = first("/proc/meminfo", "MemTotal")
    gib = f"{int(memory.split()[0]) / 2**20:.1f} GiB" if memory[:1].isdigit() else memory
    names = ("PySide6_Essentials", "pyqtgraph", "SQLAlchemy", "reportlab")
    versions = ", ".join(f"{name.split('_')[0]} {_version(name)}" for name in names)
    return [
        f"Processor  {first('/proc/cpuinfo', 'model name') or platform.processor()}",
        f"Cores      {os.cpu_count()} (load average {', '.join(f'{n:.1f}' for n in os.getloadavg())} at the start)",
        f"Memory     {gib}",
        f"System     {platform.platform()}",
        f"Python     {platform.python_version()} ({platform.python_implementation()}); {versions}",
    ]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _arguments(script: Path, quick: bool, env: dict[str, str]) -> list[str]:
    if not quick:
        return []
    if script.stem in QUICK:
        return QUICK[script.stem]
    shown = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    return ["--quick"] if "--quick" in shown.stdout else []


def _run(script: Path, quick: bool, env: dict[str, str]) -> tuple[list[dict[str, Any]], str]:
    """The script's RESULT rows, and a note (exit status, time, log) for the table's footer."""
    argv = [sys.executable, str(script), *_arguments(script, quick, env)]
    log = LOGS / f"{script.stem}.log"
    start = time.perf_counter()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=TIMEOUT_S)
        out, err, status = done.stdout, done.stderr, str(done.returncode)
    except subprocess.TimeoutExpired as exc:
        out, err, status = str(exc.stdout or ""), str(exc.stderr or ""), f"timed out after {TIMEOUT_S} s"
    seconds = time.perf_counter() - start
    log.write_text(f"$ {' '.join(argv[1:])}\n{out}\n--- stderr ---\n{err}")
    rows = [json.loads(line.removeprefix(PREFIX)) for line in out.splitlines() if line.startswith(PREFIX)]
    note = f"{script.name}: {len(rows)} rows in {seconds:.0f} s"
    if status != "0":
        note += f", FAILED ({status}; see {log})"
    elif not rows:
        note += f" (it prints no RESULT line; output in {log})"
    return rows, note


def _figure(row: dict[str, Any], who: str) -> str:
    if row.get(f"{who}_mib") is not None:
        return f"{row[f'{who}_mib']:.0f} MiB"
    seconds = row.get(f"{who}_s")
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _goal(row: dict[str, Any]) -> tuple[str, str]:
    """(the goal as written, met / not met / —)."""
    goal, ratio = row.get("goal"), row.get("ratio")
    if goal is None:
        return "—", "—"
    kind = row.get("goal_kind") or ("ratio" if ratio is not None else "absolute")
    if kind == "ratio":
        return f"≤ {goal:g}×", "—" if ratio is None else ("met" if ratio <= goal else "NOT met")
    mine = row.get("myocase_mib", row.get("myocase_s"))
    shown = _figure({"myocase_mib": goal} if "myocase_mib" in row else {"myocase_s": goal}, "myocase")
    return f"≤ {shown}", "—" if mine is None else ("met" if mine <= goal else "NOT met")


def table(rows: list[dict[str, Any]]) -> list[str]:
    """The rows as a Markdown table (README.md can take it as it is)."""
    lines = ["| work | floor | MyoCase | ratio | goal | met |", "|---|---|---|---|---|---|"]
    for row in rows:
        ratio = f"{row['ratio']:.2f}×" if row.get("ratio") is not None else "—"
        goal, met = _goal(row)
        cells = (row["work"], _figure(row, "floor"), _figure(row, "myocase"), ratio, goal, met)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: checks that all runs")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these (e.g. list startup)")
    args = parser.parse_args()
    scripts = sorted(BENCH.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only or s.stem in args.only]
    LOGS.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYQTGRAPH_QT_LIB="PySide6")
    print("\n".join(_machine()))
    print(
        f"Started {time.strftime('%Y-%m-%d %H:%M %Z')}{' (--quick: sizes reduced)' if args.quick else ''}\n"
    )
    rows, notes = [], []
    for script in scripts:
        print(f"running {script.name} …", flush=True)
        found, note = _run(script, args.quick, env)
        rows += found
        notes.append(note)
    print("\n" + "\n".join(table(rows)) + "\n")
    print("\n".join(notes))
    return 0 if all("FAILED" not in n for n in notes) else 1


if __name__ == "__main__":
    sys.exit(main())
