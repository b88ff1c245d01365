"""Progress on the command line (issue 16, item 6): a line on a terminal for work that takes more than a
second (statistics, the report, data exports), cleared at the end; nothing when standard error is a pipe."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from myocase.cli import main

from tests.services.test_stats_scale import on_a_slow_terminal

COMMANDS = {
    "report": (["report", "--out", "{out}.pdf"], "Writing the report"),
    "export": (["export", "--format", "csv", "--out", "{out}", "--json"], "Exporting"),
}


def _run(name: str, db: Path, out: Path) -> int:
    words, _ = COMMANDS[name]
    return main([words[0], "--db", str(db), *(w.format(out=out) for w in words[1:])])


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_slow_command_shows_its_progress_on_a_terminal_then_clears_it(
    name: str, demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = demo_file
    terminal = on_a_slow_terminal(monkeypatch)
    assert _run(name, db, tmp_path / "out") == 0
    progress, _, after = terminal.getvalue().rpartition("\r")  # what follows the line: the summary, if any
    assert "\r" not in after
    *drawn, cleared = progress.split("\r")[1:]
    assert cleared.strip() == ""  # cleared at the end: what the command prints next starts on a clean line
    assert len(drawn) > 3, drawn  # redrawn as the work goes on: "Exporting (patients): 3 of 12"
    assert [line for line in drawn if not (line.startswith(COMMANDS[name][1]) and " of " in line)] == []


@pytest.mark.sqlite_only("runs the command line on the file's path")
def test_no_progress_when_standard_error_is_not_a_terminal(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo_file
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    assert _run("export", db, tmp_path / "out") == 0
    assert "\r" not in piped.getvalue()
    assert json.loads(capsys.readouterr().out)["rows"]["patients"] == 10  # standard output as always
