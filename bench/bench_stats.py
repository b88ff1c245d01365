"""`myocase stats` on a large series: the whole command within 2× a floor in time and in peak memory.

Run: .venv/bin/python bench/bench_stats.py [--patients 10000] [--runs 3] [--db FILE] [--quick]
The series is `synthetic.write_large_series` (built once and cached, as bench_list.py caches it).
MyoCase is the command itself, `myocase stats --db FILE --json` (de-identified, the default settings). The
floor is the simplest direct use of the same libraries for the same analysis: sqlite3 reads the settings,
each DM or ADM patient's first index-drug course and every assessment's date and CDASI activity; numpy picks
each patient's baseline and follow-up (masks over the sorted rows) and gives the medians and quartiles, and
SciPy's Wilcoxon the test. It leaves out what only MyoCase does (the cohort facts, the TIS, the
de-identification rule), so it is a lower bound. Before timing, its rows and summary are checked against
MyoCase's JSON: the same patients, days, values, changes, medians, quartiles, statistic and p-value.
Each run starts a fresh process for each (alternating which goes first, one round not counted); time is
from start to exit, memory the process's peak resident set (``wait4``). Figures are medians over the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from bench_list import large_series  # noqa: E402
from run_all import result  # noqa: E402

TIME_GOAL = 2.0
MEMORY_GOAL = 2.0

# The floor, run as `python -c FLOOR DB`: prints {"rows": [...], "summary": {...}} as JSON.
FLOOR = r'''
import json, sqlite3, sys
import numpy as np
from scipy import stats

connection = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
setting = {k: json.loads(v) for k, v in connection.execute("SELECT key, value FROM setting")}
# Each DM or ADM patient's first course of the index drug: its earliest and latest start and latest stop.
LAST_DAY = "CASE {p} WHEN 'month' THEN date({d}, '+1 month', '-1 day') WHEN 'year' THEN date({d}, '+1 year', '-1 day') ELSE {d} END"
courses = connection.execute(f"""
    SELECT p.id, julianday(c.start_date), julianday({LAST_DAY.format(p="c.start_precision", d="c.start_date")}),
           coalesce(julianday({LAST_DAY.format(p="c.stop_precision", d="c.stop_date")}), 1e9), c.start_precision
    FROM medication_course c JOIN patient p ON p.id = c.patient_id
    WHERE lower(trim(c.drug)) = lower(trim(?)) AND p.subtype IN ('DM', 'ADM')
    ORDER BY p.id, c.start_date DESC, c.id DESC""", (setting["index_drug"],)).fetchall()
size = connection.execute("SELECT max(id) + 1 FROM patient").fetchone()[0]
s0, s1, e1 = np.zeros(size), np.zeros(size), np.zeros(size)
ok = np.zeros(size, dtype=bool)
for pid, start, start_last, stop_last, precision in courses:  # the last one written per patient is the first
    s0[pid], s1[pid], e1[pid], ok[pid] = start, start_last, stop_last, precision != "year"
visits = connection.execute(
    "SELECT patient_id, julianday(assessed_on), cdasi_activity FROM assessment "
    "WHERE cdasi_activity IS NOT NULL ORDER BY patient_id, assessed_on, id").fetchall()
pid, day, value = (np.array(column) for column in zip(*visits))
pid = pid.astype(int)


def last_per_patient(mask):
    """Each patient's last row where ``mask`` holds: {patient: row}."""
    rows = np.flatnonzero(mask)
    last = rows[np.r_[pid[rows][1:] != pid[rows][:-1], True]] if rows.size else rows
    return dict(zip(pid[last].tolist(), last.tolist()))


base = last_per_patient(ok[pid] & (day >= s0[pid] - 90) & (day <= s1[pid] + 7))
base_day = np.full(size, np.inf)
for p, row in base.items():
    base_day[p] = day[row]
cutoff = connection.execute("SELECT julianday(?)", (setting["cutoff"],)).fetchone()[0]
follow = last_per_patient((day > base_day[pid]) & (day > s0[pid]) & (day <= cutoff) & (day <= e1[pid]))
names = dict(connection.execute("SELECT id, study_id FROM patient"))
chosen = sorted((names[p], base[p], follow[p]) for p in follow)
baseline = np.array([value[b] for _, b, _ in chosen])
followup = np.array([value[f] for _, _, f in chosen])
change = followup - baseline
changed = int(np.count_nonzero(change))
test = stats.wilcoxon(change, zero_method="wilcox", method="exact" if changed <= 25 else "approx")
summary = {
    "n": len(chosen),
    **{f"{name}_quartiles": np.percentile(values, [25, 50, 75]).tolist()
       for name, values in (("baseline", baseline), ("followup", followup), ("change", change))},
    "statistic": float(test.statistic), "p_value": float(test.pvalue),
}
days, values, starts = day.tolist(), value.tolist(), s0[pid].tolist()
out = [
    [sid, round(days[b] - starts[b]), values[b], round(days[f] - starts[f]), values[f], values[f] - values[b],
     round((values[f] - values[b]) / values[b] * 100, 1) if values[b] else None]
    for sid, b, f in chosen
]
print(json.dumps({"rows": out, "summary": summary}))
'''


def _run(command: list[str], out: Path) -> tuple[float, float]:
    """Seconds from start to exit, and the peak resident set in MiB, of one fresh process."""
    with out.open("wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(
            f"{command[-1 if command[1] == '-c' else 2 :]} failed ({process.returncode}): {process.stderr.read().decode()[-2000:]}"
        )
    return elapsed, usage.ru_maxrss / 1024


def _commands(db: Path) -> dict[str, list[str]]:
    return {
        "floor": [sys.executable, "-c", FLOOR, str(db)],
        "myocase": [sys.executable, "-m", "myocase", "stats", "--db", str(db), "--json"],
    }


def _rounded(values: list[float] | None, digits: int = 2) -> list[float] | None:
    return None if values is None else [round(v, digits) for v in values]


def check_same(floor: dict[str, Any], myocase: dict[str, Any]) -> int:
    """Stop unless the floor's rows and summary are MyoCase's; the number of rows compared."""
    ours = [
        [p["patient"], p["baseline_day"], p["baseline"], p["followup_day"], p["followup"], p["change"],
         p["percent_change"]]
        for p in myocase["patients"]
    ]  # fmt: skip
    # A study ID the de-identification rule removed (it looks like a patient's record number) is matched by
    # the rest of its row; every other row by its study ID, in the same order.
    theirs = floor["rows"]
    labels = {r[0] for r in theirs}
    named, removed = [r for r in ours if r[0] in labels], sorted(r[1:] for r in ours if r[0] not in labels)
    named_ids = {r[0] for r in named}
    left = sorted(r[1:] for r in theirs if r[0] not in named_ids)
    if named != [r for r in theirs if r[0] in named_ids] or removed != left:
        sys.exit(f"the floor's rows differ from MyoCase's ({len(theirs)} rows vs {len(ours)})")
    outcome, summary = myocase["outcome"], floor["summary"]
    expected = {
        "n": outcome["n"],
        "baseline": [outcome["baseline_iqr"][0], outcome["baseline_median"], outcome["baseline_iqr"][1]],
        "followup": [outcome["followup_iqr"][0], outcome["followup_median"], outcome["followup_iqr"][1]],
        "change": [outcome["change_iqr"][0], outcome["median_change"], outcome["change_iqr"][1]],
        "statistic": outcome["statistic"],
        "p_value": outcome["p_value"],
    }
    found = {
        "n": summary["n"],
        **{k: _rounded(summary[f"{k}_quartiles"]) for k in ("baseline", "followup", "change")},
        "statistic": round(summary["statistic"], 4),
        "p_value": round(summary["p_value"], 6),
    }
    if found != expected:
        sys.exit(f"the floor's summary differs from MyoCase's:\n floor   {found}\n myocase {expected}")
    return len(ours)


def measure(db: Path, runs: int) -> dict[str, dict[str, list[float]]]:
    """Paired, interleaved fresh processes (a first round not counted); checks the outputs first."""
    commands = _commands(db)
    figures: dict[str, dict[str, list[float]]] = {n: {"s": [], "mib": []} for n in commands}
    with tempfile.TemporaryDirectory() as scratch:
        outputs = {name: Path(scratch) / f"{name}.json" for name in commands}
        for round_ in range(runs + 1):
            order = list(commands) if round_ % 2 == 0 else list(reversed(commands))
            for name in order:
                seconds, mib = _run(commands[name], outputs[name])
                if round_:
                    figures[name]["s"].append(seconds)
                    figures[name]["mib"].append(mib)
            if round_ == 0:
                rows = check_same(*(json.loads(outputs[n].read_text()) for n in ("floor", "myocase")))
                print(f"checked: the floor's {rows} rows and summary are MyoCase's")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="an existing series instead of the synthetic one")
    parser.add_argument(
        "--quick", action="store_true", help="1,000 patients, one run: that it runs, not figures"
    )
    args = parser.parse_args()
    if args.quick:
        args.patients, args.runs = 1_000, 1
    db = args.db or large_series(args.patients)
    label = f"{args.patients:,} patients" if args.db is None else db.name
    figures = measure(db, args.runs)
    floor_s, ours_s = (statistics.median(figures[n]["s"]) for n in ("floor", "myocase"))
    floor_mib, ours_mib = (statistics.median(figures[n]["mib"]) for n in ("floor", "myocase"))
    print(f"stats on {label}, median of {args.runs} paired runs (fresh processes):")
    print(
        f"  time    floor {floor_s:6.2f} s    MyoCase {ours_s:6.2f} s    ×{ours_s / floor_s:.2f} (goal ≤ {TIME_GOAL})"
    )
    print(
        f"  memory  floor {floor_mib:6.0f} MiB  MyoCase {ours_mib:6.0f} MiB  ×{ours_mib / floor_mib:.2f} "
        f"(goal ≤ {MEMORY_GOAL})"
    )
    result(f"stats --json on {label}: time", ours_s, floor_s, TIME_GOAL)
    result(f"stats --json on {label}: peak memory", ours_mib, floor_mib, MEMORY_GOAL, unit="mib")
    return 0


if __name__ == "__main__":
    sys.exit(main())
