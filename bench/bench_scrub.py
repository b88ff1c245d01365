"""Cleaning free text of identifiers: a 1 MB vignette against a 10,000-patient series.

Run: .venv/bin/python bench/bench_scrub.py [--patients 10000] [--megabytes 1]
Prints the time to build the scrubber, to clean the text, and each ratio to its target.
The time must grow linearly with the text (no quadratic step): a 4 MB text is timed too.
Then 10,000 short texts against 2,000 record numbers with letters after the digits ("RX-000042-A"), the
floor being the same texts against 2,000 all-digit numbers: a number with letters must cost about the same
(one RESULT row, see run_all.py; --record-numbers and --texts change the sizes).
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from myocase.domain.records import Identifiers
from myocase.domain.scrub import Scrubber
from run_all import result

BUILD_TARGET_S = 1.0
RECORD_GOAL = 1.5  # lettered record numbers may cost at most this much more than all-digit ones
CLEAN_TARGET_S_PER_MB = 2.0
WORDS = [
    "Gottron",
    "papules",
    "heliotrope",
    "rash",
    "improved",
    "on",
    "upadacitinib",
    "15",
    "mg",
    "daily",
    "after",
    "tofacitinib;",
    "CK",
    "240",
    "U/L,",
    "MMT-8",
    "146/150,",
    "CDASI",
    "activity",
    "fell",
    "from",
    "32",
    "to",
    "8;",
    "seen",
    "in",
    "May",
    "with",
    "her",
    "sister;",
    "methotrexate",
    "stopped.",
]


def _patients(count: int, rng: random.Random) -> list[Identifiers]:
    def name() -> str:
        return rng.choice(string.ascii_uppercase) + "".join(
            rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))
        )

    return [
        Identifiers(
            n, f"{name()} {name()}", f"MRN-{rng.randint(0, 99_999_999):08d}",
            date(1930, 1, 1) + timedelta(days=rng.randint(0, 25_000)),
        )
        for n in range(1, count + 1)
    ]  # fmt: skip


def _text(megabytes: float, patients: list[Identifiers], rng: random.Random) -> str:
    parts: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        word = rng.choice(WORDS)
        if rng.random() < 0.01:
            who = rng.choice(patients)
            word = rng.choice(
                [who.full_name, who.mrn, who.date_of_birth.strftime("%d/%m/%Y") if who.date_of_birth else ""]
            )
        parts.append(word)
        size += len(word) + 1
    return " ".join(parts)


def _record_rows(numbers: int, texts: int, rng: random.Random) -> None:
    """Clean ``texts`` short texts against ``numbers`` lettered record numbers, floor: all-digit ones."""
    lettered = [Identifiers(n, mrn=f"RX-{n:06d}-A") for n in range(1, numbers + 1)]
    digits = [Identifiers(n, mrn=f"{n:05d}{n % 97:04d}") for n in range(1, numbers + 1)]
    texts_and_whose = [(" ".join(rng.choices(WORDS, k=30)), rng.randrange(numbers)) for _ in range(texts)]
    seconds = {}
    for name, patients in (("floor", digits), ("myocase", lettered)):
        scrubber = Scrubber(patients)
        sample = [  # one text in ten names a record number
            text + (f" ({patients[whose].mrn})" if n % 10 == 0 else "")
            for n, (text, whose) in enumerate(texts_and_whose)
        ]
        start = time.perf_counter()
        removed = sum(scrubber.clean(text).count("[removed]") for text in sample)
        seconds[name] = time.perf_counter() - start
        print(
            f"clean {texts:,} texts, {numbers:,} {name} record numbers: {seconds[name]:.2f} s, {removed} removed"
        )
    work = f"clean {texts:,} texts against {numbers:,} record numbers with letters"
    result(work, seconds["myocase"], seconds["floor"], RECORD_GOAL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--record-numbers", type=int, default=2_000)
    parser.add_argument("--texts", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(7)
    patients = _patients(args.patients, rng)
    start = time.perf_counter()
    scrubber = Scrubber(patients)
    build = time.perf_counter() - start
    print(
        f"build the scrubber for {args.patients} patients: {build:.2f} s (ratio {build / BUILD_TARGET_S:.2f} to {BUILD_TARGET_S} s)"
    )
    timings = []
    for megabytes in (args.megabytes, 4 * args.megabytes):
        text = _text(megabytes, patients, rng)
        start = time.perf_counter()
        cleaned = scrubber.clean(text)
        seconds = time.perf_counter() - start
        timings.append(seconds / megabytes)
        target = CLEAN_TARGET_S_PER_MB * megabytes
        print(
            f"clean {megabytes:g} MB: {seconds:.2f} s (ratio {seconds / target:.2f} to {target:g} s), "
            f"{cleaned.count('[removed]')} identifiers removed"
        )
    print(f"time per MB, 4 × larger text / smaller: {timings[1] / timings[0]:.2f} (1.0 = linear)")
    _record_rows(args.record_numbers, args.texts, rng)


if __name__ == "__main__":
    main()
