"""The command line: info, demo, one-line errors for bad databases, Ctrl+C, the log of unexpected errors, and
the parsing its help promises (global options anywhere, a series path alone, --help, --json, exit statuses)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from myocase import cli
from myocase.__main__ import main as entry_point
from myocase.cli import main
from myocase.domain.records import Identifiers
from myocase.services import exports, info
from myocase.store import imaging
from myocase.store.casebook import Casebook
from myocase.store.database import head_revision
from PIL import Image

from tests.factories import make_patient
from tests.images import png_bytes


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
    assert info["medication_courses"] > 0
    assert info["assessments"] >= 40
    assert info["adverse_events"] >= 1
    assert info["photos"] == 6

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
    assert len(err) == 1
    assert "already holds patients" in err[0]


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
    assert len(lines) == 1
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_db_accepts_a_file_or_a_server_url() -> None:
    from myocase.cli_parser import _db_location

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
    assert len(err) == 1
    assert "division by zero in the counts" in err[0]
    assert str(log_dir) in err[0]
    logged = (log_dir / "myocase.log").read_text(encoding="utf-8")
    assert "ERROR myocase: Unexpected error in info" in logged
    assert "Traceback" in logged
    assert "in broken" in logged


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
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 2
    assert "cannot be written" in err
    assert "division by zero in the counts" in err


# ------------------------------------------------------------ the command line follows its own help


def test_global_options_work_before_and_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "default" / "myocase.sqlite"
    monkeypatch.setattr(cli, "default_db_path", lambda: default)
    db = tmp_path / "chosen.sqlite"
    assert main(["--db", str(db), "demo"]) == 0
    assert db.is_file()
    assert not default.parent.exists()
    capsys.readouterr()
    assert main(["--db", str(db), "info", "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["info", "--json", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out) == before
    assert before["patients"] == 10
    assert main(["--db", str(db), "photos", "export", "--out", str(tmp_path / "out")]) == 0  # nested command
    assert len(list((tmp_path / "out").iterdir())) == 6


@pytest.mark.parametrize(
    ("words", "db", "debug"),
    [
        (["--debug", "info", "--db", "a.sqlite"], Path("a.sqlite"), True),
        (["info", "--db", "a.sqlite", "--debug"], Path("a.sqlite"), True),
        (["--db", "a.sqlite", "--debug", "stats"], Path("a.sqlite"), True),
        (["--db", "a.sqlite", "info", "--db", "b.sqlite"], Path("b.sqlite"), False),  # the later one wins
        (["photos", "--db", "a.sqlite", "add", "--patient", "P", "x.jpg"], Path("a.sqlite"), False),
    ],
)
def test_db_and_debug_are_read_wherever_they_stand(words: list[str], db: Path, debug: bool) -> None:
    args = cli.parse_args(words)
    assert (args.db, args.debug) == (db, debug)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["series.myocase"], Path("series.myocase")),
        (["--debug", "series.sqlite"], Path("series.sqlite")),
        (["cases/series"], Path("cases/series")),
        (["file:///srv/cases/my%20series.myocase"], Path("/srv/cases/my series.myocase")),
        (["postgresql+psycopg://me@db.example/myocase"], "postgresql+psycopg://me@db.example/myocase"),
        (["--", "-odd.sqlite"], Path("-odd.sqlite")),
    ],
)
def test_a_series_named_alone_is_opened_in_the_app(words: list[str], expected: Path | str) -> None:
    args = cli.parse_args(words)
    assert args.command is None
    assert args.handler is cli._cmd_gui
    assert args.db == expected


def test_an_existing_file_without_a_series_suffix_is_opened_too_but_a_command_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "series").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    opened: list[Path | str | None] = []
    monkeypatch.setattr(cli, "_run_gui", lambda location: opened.append(location) or 0)
    assert main(["series"]) == 0
    assert opened == [Path("series")]
    (tmp_path / "info").write_bytes(b"")  # a file named like a command: the command wins
    assert cli.parse_args(["info", "--db", "series"]).command == "info"


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["info"], "myocase info: error: the following arguments are required: --db"),
        (["photos", "add", "--patient", "P", "x.jpg"], "myocase photos add: error: the following arguments are required"),
        (["photos", "--db", "x.sqlite"], "the following arguments are required: ACTION"),
        (["nosuch"], "invalid choice: 'nosuch'"),
        (["x.sqlite", "info"], "a command takes its database with --db"),
        (["--db", "a.sqlite", "b.sqlite"], "name the series once: as PATH or with --db"),
        (["info", "--db", "x.sqlite", "--bogus"], "unrecognized arguments: --bogus"),
        (["stats", "--db", "x.sqlite", "--measure", "height"], "argument --measure: invalid choice"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_the_message_on_stderr(
    words: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(words)
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("usage: myocase")
    assert message in err


def test_a_usage_error_ends_the_process_with_status_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "myocase", "info"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "the following arguments are required: --db" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["demo"],
        ["info"],
        ["stats"],
        ["photos"],
        ["photos", "add"],
        ["photos", "export"],
        ["report"],
        ["deid-check"],
    ],
    ids=lambda c: " ".join(c) or "myocase",
)
def test_every_command_has_help_naming_the_exit_statuses(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {' '.join(['myocase', *command])}")
    assert "--db PATH" in out
    assert "--debug" in out
    for status in ("0    done", "1    refused", "2    usage error", "130  interrupted"):
        assert status in out


def test_json_outputs_parse_and_say_what_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.sqlite"

    def run(*words: str) -> tuple[int, Any]:
        status = main([*words, "--json"])
        return status, json.loads(capsys.readouterr().out)  # stdout holds exactly one JSON document

    status, demo = run("demo", "--db", str(db))
    assert status == 0
    assert demo["patients"] == 10
    assert demo["synthetic_demo"] is True
    pdf = tmp_path / "report.pdf"
    status, written = run("report", "--db", str(db), "--out", str(pdf), "--patients", "DEMO-01,DEMO-02")
    assert status == 0
    assert pdf.is_file()
    assert written == {
        "report": str(pdf), "identified": False, "dates": "index_days",
        "patients": ["DEMO-01", "DEMO-02"], "photos_left_out": 0,
    }  # fmt: skip
    status, exported = run("photos", "export", "--db", str(db), "--out", str(tmp_path / "photos"))
    assert status == 0
    assert exported["identified"] is False
    assert exported["left_out"] == []
    assert sorted(exported["written"]) == sorted(str(p) for p in (tmp_path / "photos").iterdir())
    new = tmp_path / "new.png"
    new.write_bytes(png_bytes())
    status, added = run(
        "photos", "add", "--db", str(db), "--patient", "DEMO-03", str(new), str(new), "nothing.jpg"
    )
    assert status == 1  # a file was refused
    assert [a["outcome"] for a in added] == ["stored", "duplicate", "refused"]
    assert isinstance(added[0]["photo_id"], int)
    assert "cannot be read" in added[2]["reason"]
    status, check = run("deid-check", "--db", str(db), str(pdf))
    assert status == 0
    assert check == {"findings": [], "checked": [str(pdf)], "skipped": []}


def test_deid_check_json_names_the_patient_of_each_hit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "series.sqlite"
    book = Casebook.open(db)
    patient = book.save_patient(make_patient("MYO-01"))
    book.save_patient(patient, Identifiers(patient.id or 0, full_name="Ana Ruiz"))
    book.close()
    notes = tmp_path / "notes.txt"
    notes.write_text("Seen today.\nAna Ruiz is better.\n", encoding="utf-8")
    assert main(["deid-check", "--db", str(db), str(notes), "--json"]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert {"file": str(notes), "where": "line 2", "kind": "name", "patient": "MYO-01"}.items() <= found[
        0
    ].items()


def test_deid_check_reads_heic_metadata_only_with_the_heic_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    photo = tmp_path / "phone.heic"
    pillow_heif.from_pillow(Image.new("RGB", (32, 32), "white")).save(photo)
    db = tmp_path / "series.sqlite"
    Casebook.open(db).close()
    imaging.heif_available.cache_clear()
    assert main(["deid-check", "--db", str(db), str(photo), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["checked"] == [str(photo)]
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # as without the heic extra
    imaging.heif_available.cache_clear()
    try:
        assert main(["deid-check", "--db", str(db), str(photo), "--json"]) == 0
    finally:
        imaging.heif_available.cache_clear()
    (skipped,) = json.loads(capsys.readouterr().out)["skipped"]
    assert skipped["file"] == str(photo)
    assert "pip install 'myocase[heic]'" in skipped["reason"]


# ------------------------------------------------------------ export


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.demo
def test_export_writes_the_tables_and_says_what_it_wrote(
    book: Casebook, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "csv"
    assert main(["export", "--db", str(db_path), "--format", "csv", "--out", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["identified"] is False
    assert result["rows"]["patients"] == 10
    assert sorted(Path(p).name for p in result["written"]) == sorted(p.name for p in out.iterdir())
    assert "10 files written" in captured.err  # 8 tables (with the series), the codebook, the about
    assert "(de-identified)" in captured.err
    assert not [p for p in out.iterdir() if "IDENTIFIED" in p.name]


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.demo
def test_export_identified_for_chosen_patients(
    book: Casebook, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "series.xlsx"
    words = [
        "export",
        "--format",
        "xlsx",
        "--out",
        str(target),
        "--identified",
        "--patients",
        "DEMO-01,demo-02",
    ]
    assert main([*words, "--db", str(db_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(tmp_path / "series-IDENTIFIED.xlsx")
    assert "IDENTIFIED" in captured.err
    assert "patients 2," in captured.err


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.demo
def test_export_refusals_and_usage_errors(
    book: Casebook, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["export", "--db", str(db_path), "--out", str(tmp_path / "out")]
    assert main([*base, "--format", "csv", "--patients", "DEMO-99"]) == 1
    assert "No patient with study ID DEMO-99 in this series." in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main([*base, "--format", "pdf"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'pdf'" in capsys.readouterr().err
    if not exports.available(exports.ExportFormat.REDCAP):
        assert main([*base, "--format", "redcap"]) == 2
        assert "REDCap export is not available in this version" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_export_has_help_naming_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert "--format {csv,xlsx,redcap,spss,stata,r}" in out
    assert "--identified" in out
    assert "2    usage error" in out


# ----------------------------------------------------------------- import


def _identified_export(db: Path, fmt: str, out: Path, capsys: pytest.CaptureFixture[str]) -> list[Path]:
    assert main(["export", "--db", str(db), "--format", fmt, "--identified", "--out", str(out)]) == 0
    capsys.readouterr()
    return sorted(out.iterdir())


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.demo
def test_import_prints_the_preview_then_stores_into_a_new_series(
    book: Casebook, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _identified_export(db_path, "xlsx", tmp_path / "out", capsys)
    target = tmp_path / "new.sqlite"
    assert main(["import", "--db", str(target), "--format", "xlsx", "--dry-run", *map(str, files)]) == 0
    preview = capsys.readouterr().out.splitlines()
    assert preview[:5] == [
        "Preview (nothing written):",
        "  patients: 10 to create, 0 to update, 0 unchanged",
        "  medication courses: 60 to create, 0 to update, 0 unchanged",
        "  assessments: 43 to create, 0 to update, 0 unchanged",
        "  adverse events: 5 to create, 0 to update, 0 unchanged",
    ]
    assert not target.exists()  # a dry run creates nothing
    assert main(["import", "--db", str(target), "--format", "xlsx", *map(str, files)]) == 0
    assert capsys.readouterr().out.startswith(
        f"Imported into {target} (a new series):\n  patients: 10 to create"
    )
    assert main(["info", "--db", str(target), "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert (stored["patients"], stored["assessments"], stored["adverse_events"]) == (10, 43, 5)
    assert main(["import", "--db", str(target), "--format", "xlsx", "--json", *map(str, files)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["counts"]["patients"] == {"create": 0, "update": 0, "unchanged": 10}


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.demo
def test_import_of_bad_rows_exits_1_listing_each_and_writes_nothing(
    book: Casebook, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _identified_export(db_path, "csv", tmp_path / "out", capsys)
    assessments = next(f for f in files if f.name.endswith("-assessments.csv"))
    lines = assessments.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("assessed_on")] = "14.03.2021"
    lines[2] = ",".join(cells)
    assessments.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "new.sqlite"
    assert main(["import", "--db", str(target), "--format", "csv", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert f"{assessments.name}:3: assessed_on: “14.03.2021” is not a date: write YYYY-MM-DD" in captured.out
    assert captured.out.startswith("Refused: nothing was written:")
    assert "myocase: refused: 1 problem; nothing was written" in captured.err
    assert not target.exists()


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.demo
def test_import_of_a_redcap_export_gives_the_same_records(
    book: Casebook, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from myocase.services import importing

    if not importing.available(importing.ImportFormat.REDCAP):
        pytest.skip("the REDCap reader (services/redcap.py) is not in this version yet")
    files = [f for f in _identified_export(db_path, "redcap", tmp_path / "out", capsys) if f.suffix == ".csv"]
    target = tmp_path / "new.sqlite"
    assert main(["import", "--db", str(target), "--format", "redcap", *map(str, files)]) == 0
    capsys.readouterr()
    imported = Casebook.open(target)
    before, after = book.counts(), imported.counts()
    imported.close()
    assert (after.patients, after.medication_courses, after.assessments, after.adverse_events) == (
        before.patients, before.medication_courses, before.assessments, before.adverse_events,
    )  # fmt: skip


def test_import_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["import", "--db", str(tmp_path / "x.sqlite")]
    for words in (
        [*base, "--format", "csv", "--mapping", "m.yaml", "a.csv"],
        [*base, "--format", "ods", "a.ods"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(words)
        assert exit_info.value.code == 2
    assert "--mapping is for --format redcap" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert "--format {csv,xlsx,redcap}" in out
    assert "import: a row failed (nothing was written)" in out
    assert not (tmp_path / "x.sqlite").exists()
