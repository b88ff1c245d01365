"""The command line: info, demo, one-line errors for bad databases, Ctrl+C, and the log of unexpected errors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from myocase import cli
from myocase.__main__ import main as entry_point
from myocase.cli import main
from myocase.services import info
from myocase.store.casebook import Casebook
from myocase.store.database import head_revision


@pytest.fixture(autouse=True)
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Commands log into this test's folder, never the user's."""
    folder = tmp_path / "log"
    monkeypatch.setattr(cli, "log_folder", lambda: folder)
    yield folder
    cli.stop_logging()


def test_info_json_after_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(db)]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    assert main(["info", "--db", str(db), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["schema_version"] == head_revision()
    assert info["patients"] == 10
    assert info["by_subtype"] == {"DM": 5, "ADM": 3, "ASyS": 2}
    assert info["medication_courses"] > 0 and info["assessments"] >= 40
    assert info["adverse_events"] >= 1 and info["photos"] == 6

    assert info["synthetic_demo"] is True


def test_info_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.sqlite"
    Casebook.open(db).close()
    assert main(["info", "--db", str(db)]) == 0
    assert "Patients" in capsys.readouterr().out


def test_demo_refuses_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(db)]) == 0
    assert main(["demo", "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already holds patients" in err[0]


def _newer(tmp_path: Path) -> Path:
    db = tmp_path / "newer.sqlite"
    Casebook.open(db).close()
    raw = sqlite3.connect(db)
    raw.execute("UPDATE alembic_version SET version_num = 'ffff'")
    raw.commit()
    raw.close()
    return db


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.sqlite", "No database at"),
        (
            lambda p: (p / "junk.sqlite").write_bytes(b"\x00garbage" * 100) and p / "junk.sqlite",
            "not a MyoCase database",
        ),
        (_newer, "newer version of MyoCase"),
    ],
    ids=["missing", "corrupt", "newer"],
)
def test_bad_databases_give_one_line_and_nonzero_exit(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    db = make(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "myocase", "info", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr


def test_db_accepts_a_file_or_a_server_url() -> None:
    from myocase.cli import _db_location

    assert _db_location("cases/series.sqlite") == Path("cases/series.sqlite")
    assert (
        _db_location("postgresql+psycopg://me@db.example/myocase")
        == "postgresql+psycopg://me@db.example/myocase"
    )


def _series(tmp_path: Path) -> Path:
    db = tmp_path / "series.sqlite"
    Casebook.open(db).close()
    return db


def test_ctrl_c_ends_any_command_with_one_line_and_status_130(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(book: Casebook) -> dict[str, object]:
        raise KeyboardInterrupt

    monkeypatch.setattr(info, "describe", interrupted)
    db = _series(tmp_path)
    assert main(["info", "--db", str(db)]) == 130
    assert capsys.readouterr() == ("", "myocase: interrupted\n")
    assert entry_point(["info", "--db", str(db)]) == 130  # the `myocase` command itself
    assert capsys.readouterr() == ("", "myocase: interrupted\n")


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_log(
    tmp_path: Path, log_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(book: Casebook) -> dict[str, object]:
        raise ZeroDivisionError("division by zero in the counts")

    monkeypatch.setattr(info, "describe", broken)
    assert main(["info", "--db", str(_series(tmp_path))]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "division by zero in the counts" in err[0] and str(log_dir) in err[0]
    logged = (log_dir / "myocase.log").read_text(encoding="utf-8")
    assert "ERROR myocase: Unexpected error in info" in logged
    assert "Traceback" in logged and "in broken" in logged


def test_debug_also_logs_to_the_terminal(
    tmp_path: Path, log_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(book: Casebook) -> dict[str, object]:
        raise ZeroDivisionError("division by zero in the counts")

    monkeypatch.setattr(info, "describe", broken)
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "info", "--db", str(_series(tmp_path))])
    assert "ERROR myocase: Unexpected error in info" in capsys.readouterr().err
    assert "ZeroDivisionError" in (log_dir / "myocase.log").read_text(encoding="utf-8")


def test_nothing_is_written_to_the_log_folder_without_something_to_log(tmp_path: Path, log_dir: Path) -> None:
    assert main(["info", "--db", str(_series(tmp_path))]) == 0
    assert not log_dir.exists()


def test_a_log_folder_that_cannot_be_made_costs_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setattr(cli, "log_folder", lambda: blocker / "log")

    def broken(book: Casebook) -> dict[str, object]:
        raise ZeroDivisionError("division by zero in the counts")

    monkeypatch.setattr(info, "describe", broken)
    assert main(["info", "--db", str(_series(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2
    assert "cannot be written" in err and "division by zero in the counts" in err
