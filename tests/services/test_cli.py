"""The command line: info, demo, and one-line errors for bad databases."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.store.casebook import Casebook
from app.store.database import head_revision


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
        [sys.executable, "-m", "app", "info", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr


def test_db_accepts_a_file_or_a_server_url() -> None:
    from app.cli import _db_location

    assert _db_location("cases/series.sqlite") == Path("cases/series.sqlite")
    assert (
        _db_location("postgresql+psycopg://me@db.example/myocase")
        == "postgresql+psycopg://me@db.example/myocase"
    )
