"""Data export speed and memory: each format for 1,000 synthetic patients, de-identified (with the read-back
leak check) and identified.

Run: .venv/bin/python bench/bench_export.py [--patients 1000] [--formats csv,xlsx,spss,stata,r]
Prints, per format, the seconds spent reading and building the tables (database reads, disclosure,
derived scores) and writing them (files, the read-back leak check, the move into place), and the peak
memory Python allocated meanwhile (tracemalloc, in a second run; C buffers of readstat are not counted).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run_all import result  # noqa: E402


def _run(book: object, fmt: str, out: Path, identified: bool) -> tuple[float, float, list[Path]]:
    """(seconds reading and building the tables, seconds writing and checking the files, the files)."""
    from myocase.services import exports

    start = time.perf_counter()
    data = exports.build(exports.read(book, identified=identified))  # type: ignore[arg-type]
    built = time.perf_counter()
    result = exports.write(data, exports.ExportFormat(fmt), out)
    return built - start, time.perf_counter() - built, list(result.written)


def _measure(book: object, fmt: str, out: Path, identified: bool) -> dict[str, float]:
    """Timed once as is, then once more under tracemalloc for the peak (tracemalloc slows Python down)."""
    build_s, write_s, files = _run(book, fmt, out / "timed", identified)
    tracemalloc.start()
    _run(book, fmt, out / "traced", identified)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = sum(p.stat().st_size for p in files)
    return {
        "build_s": build_s,
        "write_s": write_s,
        "peak_mb": peak / 2**20,
        "files": len(files),
        "mb": size / 2**20,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--formats", default="csv,xlsx,spss,stata,r")
    args = parser.parse_args()
    from synthetic import write_series

    with tempfile.TemporaryDirectory() as folder:
        made = time.perf_counter()
        book = write_series(Path(folder) / "bench.sqlite", args.patients)
        print(f"{args.patients} synthetic patients written in {time.perf_counter() - made:.1f} s")
        print(
            f"{'format':8} {'mode':14} {'build s':>9} {'write s':>9} {'peak MB':>9} {'files':>6} {'size MB':>8}"
        )
        for fmt in args.formats.split(","):
            for identified in (False, True):
                out = Path(folder) / f"{fmt}-{identified}"
                m = _measure(book, fmt, out, identified)
                mode = "identified" if identified else "de-identified"
                print(
                    f"{fmt:8} {mode:14} {m['build_s']:9.2f} {m['write_s']:9.2f} {m['peak_mb']:9.1f} "
                    f"{m['files']:6.0f} {m['mb']:8.1f}"
                )
                result(f"{fmt} export, {mode}, {args.patients:,} patients", m["build_s"] + m["write_s"])
        book.close()  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
