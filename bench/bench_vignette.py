"""Exporting the report of one patient whose vignette is very long: 1 MB within 10 s, linear in the text.

Run: .venv/bin/python bench/bench_vignette.py [--script latin|arabic|chinese] [--megabytes 1]
Exports a 250 KB and a 1 MB vignette (each in a fresh process, de-identified with its leak check, as the
GUI does) and prints each time, the ratio to the 10 s target, and the growth: time per MB of the larger
export over the smaller (1.0 = linear; a quadratic export gives about 4).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 10.0  # for 1 MB
SENTENCES = {
    "latin": "Gottron papules and heliotrope rash improved on upadacitinib 15 mg daily; CK 240 U/L, MMT-8 146/150.",
    "arabic": "تحسن الطفح الجلدي بعد بدء العلاج بـ upadacitinib 15 mg يوميا، وانخفض CDASI من 32 إلى 8.",
    "chinese": "开始使用乌帕替尼15毫克每日一次后，皮疹明显改善，肌酸激酶降至240 U/L。",
}


def vignette(script: str, megabytes: float) -> str:
    """About ``megabytes`` million characters of sentences, a line break now and then."""
    rng = random.Random(11)
    parts: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        sentence = SENTENCES[script] + ("\n" if rng.random() < 0.02 else " ")
        parts.append(sentence)
        size += len(sentence)
    return "".join(parts)


def _export(db: str, out: str) -> None:
    """In the child: export the series and print the seconds as JSON."""
    from myocase.services import report
    from myocase.store.casebook import Casebook

    book = Casebook.open(Path(db), create=False)
    start = time.perf_counter()
    report.export(book, Path(out), report.load_options(book))
    print(json.dumps({"seconds": time.perf_counter() - start}))


def _measure(folder: Path, script: str, megabytes: float) -> float:
    from myocase.store.casebook import Casebook

    from tests.factories import make_assessment, make_course, make_patient

    db = folder / f"{script}-{megabytes:g}.sqlite"
    book = Casebook.open(db)
    patient = book.save_patient(make_patient("LONG-01", vignette=vignette(script, megabytes)))
    book.save(make_course(patient.id or 0))
    book.save(make_assessment(patient.id or 0))
    book.close()
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(db), str(folder / f"{db.stem}.pdf")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"the export of the {megabytes:g} MB vignette failed:\n{result.stderr}")
    return float(json.loads(result.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", choices=sorted(SENTENCES), default="latin")
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        _export(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        sizes = (args.megabytes / 4, args.megabytes)
        seconds = [_measure(Path(folder), args.script, megabytes) for megabytes in sizes]
    for megabytes, spent in zip(sizes, seconds, strict=True):
        target = TARGET_S * megabytes
        print(
            f"{args.script} vignette of {megabytes:g} MB: {spent:.2f} s "
            f"(ratio {spent / target:.2f} to {target:g} s)"
        )
    growth = (seconds[1] / sizes[1]) / (seconds[0] / sizes[0])
    print(
        f"time per MB, {sizes[1]:g} MB over {sizes[0]:g} MB: {growth:.2f} (1.0 = linear, about 4 = quadratic)"
    )


if __name__ == "__main__":
    main()
