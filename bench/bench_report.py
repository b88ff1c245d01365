"""Report export speed and memory: the demo (export, and the whole command with its imports); a large
synthetic series (5,000 patients by default: under 500 MiB, issue 16).

Run: .venv/bin/python bench/bench_report.py [--patients 5000]
Each export runs in a fresh process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run_all import result  # noqa: E402

DEMO_BUDGET_S = 3.0
LARGE_BUDGET_S = 123.0  # 2 x the raw-reportlab floor issue 16 measured at 5,000 patients (61.4 s)
LARGE_MEMORY_MB = 500.0  # issue 16: a 5,000-patient report under 500 MiB, flat in the number of patients


def _export(db: str, out: str) -> None:
    """In the child: export and print seconds and peak memory as JSON."""
    from myocase.services import report
    from myocase.store.casebook import Casebook

    book = Casebook.open(Path(db), create=False)
    start = time.perf_counter()
    report.export(book, Path(out), report.load_options(book))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "bytes": os.path.getsize(out)}))


def _measure(db: Path, out: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(db), str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"the export of {db.name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _command(db: Path, out: Path) -> float:
    """Seconds of the whole `myocase report` command in a fresh interpreter, imports included."""
    code = "import sys; from myocase.cli import main; sys.exit(main(sys.argv[1:]))"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, "--db", str(db), "report", "--out", str(out)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"`myocase report` on {db.name} failed:\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        _export(*args.child)
        return

    from myocase.services.demo import write_demo
    from myocase.store.casebook import Casebook
    from synthetic import write_large_series

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        book = Casebook.open(tmp / "demo.sqlite")
        write_demo(book)
        book.close()
        runs = [_measure(tmp / "demo.sqlite", tmp / "demo.pdf") for _ in range(args.repeat)]
        best = min(r["seconds"] for r in runs)
        print(
            f"demo series (10 patients, 6 photos): best of {args.repeat} {best:.2f} s "
            f"(budget {DEMO_BUDGET_S:.0f} s, ratio {best / DEMO_BUDGET_S:.2f}); "
            f"peak {runs[0]['peak_mb']:.0f} MB; PDF {runs[0]['bytes'] / 1e6:.2f} MB"
        )
        result("demo report, export (best)", best, goal=DEMO_BUDGET_S)
        command = min(_command(tmp / "demo.sqlite", tmp / "command.pdf") for _ in range(args.repeat))
        print(
            f"demo report, whole command (`myocase report`, imports included): best of {args.repeat} {command:.2f} s"
        )
        result("demo report, whole command (best)", command)

        start = time.perf_counter()
        write_large_series(tmp / "large.sqlite", args.patients)
        print(
            f"wrote {args.patients} synthetic patients in {time.perf_counter() - start:.1f} s (not timed below)"
        )
        large = _measure(tmp / "large.sqlite", tmp / "large.pdf")
        print(
            f"{args.patients} patients: {large['seconds']:.1f} s (budget {LARGE_BUDGET_S:.0f} s, ratio "
            f"{large['seconds'] / LARGE_BUDGET_S:.2f}); peak memory {large['peak_mb']:.0f} MB (budget "
            f"{LARGE_MEMORY_MB:.0f} MB, ratio {large['peak_mb'] / LARGE_MEMORY_MB:.2f}); PDF {large['bytes'] / 1e6:.1f} MB"
        )
        result(f"{args.patients:,}-patient report, export", large["seconds"], goal=LARGE_BUDGET_S)
        result(
            f"{args.patients:,}-patient report, peak memory",
            large["peak_mb"],
            goal=LARGE_MEMORY_MB,
            unit="mib",
        )


if __name__ == "__main__":
    main()
