"""bench/run_all.py: the RESULT lines of the bench scripts become one table, with each goal judged."""

from __future__ import annotations

import json

from bench.run_all import PREFIX, result, table


def _rows(capsys) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    out = capsys.readouterr().out.splitlines()
    assert all(line.startswith(PREFIX) for line in out)
    return [json.loads(line.removeprefix(PREFIX)) for line in out]


def test_each_row_says_whether_its_goal_is_met(capsys) -> None:  # type: ignore[no-untyped-def]
    result("window open", 3.0, floor=1.0, goal=1.5)  # a ratio goal: 3× against ≤ 1.5×
    result("typed key", 0.030, floor=0.040, goal=0.050, goal_kind="absolute")  # 30 ms against ≤ 50 ms
    result("--version", 0.2, goal=0.3)  # no floor: the goal bounds MyoCase's own time
    result("report memory", 1200.0, goal=1024.0, unit="mib")
    result("export", 0.9)  # no goal
    lines = table(_rows(capsys))
    assert lines[0] == "| work | floor | MyoCase | ratio | goal | met |"
    assert lines[2:] == [
        "| window open | 1.00 s | 3.00 s | 3.00× | ≤ 1.5× | NOT met |",
        "| typed key | 40.0 ms | 30.0 ms | 0.75× | ≤ 50.0 ms | met |",
        "| --version | — | 200.0 ms | — | ≤ 300.0 ms | met |",
        "| report memory | — | 1200 MiB | — | ≤ 1024 MiB | NOT met |",
        "| export | — | 900.0 ms | — | — | — |",
    ]


def test_a_row_written_by_hand_with_the_documented_keys_is_read(capsys) -> None:  # type: ignore[no-untyped-def]
    row = {"work": "stats on 10k", "floor_s": 1.4, "myocase_s": 2.1, "ratio": 1.5, "goal": 2}
    print(PREFIX + json.dumps(row))
    assert table(_rows(capsys))[2] == "| stats on 10k | 1.40 s | 2.10 s | 1.50× | ≤ 2× | met |"
