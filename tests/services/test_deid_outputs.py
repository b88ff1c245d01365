"""Every output besides the PDF goes through the same rule: photo files, `stats --json`, and the
leak check that the user can run on anything about to leave."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from myocase.cli import main
from myocase.domain.annotations import Crop
from myocase.services import report
from myocase.store.casebook import Casebook
from myocase.store.database import backup_database
from PIL import Image

from tests.leaky import leaks_in, plant
from tests.services.test_photos import PRIVATE_MARKERS


@pytest.fixture
def leaky_db(demo_path: Path, tmp_path: Path) -> Path:
    path = backup_database(demo_path, tmp_path / "series.sqlite")
    book = Casebook.open(path)
    patient = plant(book, photos=True)
    face = book.photos(patient.id)[0]
    book.save_photo(replace(face, identifiable=True))
    # a second identifiable photo, cropped to the lesion: it may leave, cut to its crop
    other = next(p for p in book.photos() if p.patient_id != patient.id)
    book.save_photo(replace(other, identifiable=True, crop=Crop(0.25, 0.25, 0.75, 0.75)))
    book.close()
    return path


def test_photo_files_and_their_names_carry_no_identifier_or_date(
    leaky_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "photos"
    assert main(["photos", "export", "--db", str(leaky_db), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "left out: SMITH-01 photo 1: marked identifiable and not cropped" in err
    names = sorted(p.name for p in out.iterdir())
    assert names
    assert not [n for n in names if leaks_in(n) or re.search(r"\d{4}-\d{2}", n)]
    assert "[removed]" not in " ".join(names)  # file names carry no brackets either
    assert "removed-01_day+170_hand_2.png" in names
    for path in out.iterdir():
        data = path.read_bytes()
        assert not any(marker in data for marker in PRIVATE_MARKERS)
        with Image.open(io.BytesIO(data)) as image:
            assert len(image.getexif()) == 0
            assert "comment" not in image.info
            assert not [v for v in image.info.values() if isinstance(v, (str, bytes)) and leaks_in(str(v))]
    book = Casebook.open(leaky_db)
    cropped = next(p for p in book.photos() if p.crop is not None)
    book.close()
    sizes = []
    for path in out.iterdir():
        with Image.open(path) as image:
            sizes.append(image.size)
    assert (cropped.width // 2, cropped.height // 2) in sizes  # the identifiable photo left only as its crop


def test_stats_json_carries_no_identifier(leaky_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", str(leaky_db), "--json", "--subtypes", "DM,ADM,ASyS"]) == 0
    text = capsys.readouterr().out
    data = json.loads(text)
    assert not leaks_in(text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert "[removed]-01" in [p["patient"] for p in data["patients"]]


def test_deid_check_passes_a_clean_report_and_finds_planted_identifiers(
    leaky_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Casebook.open(leaky_db)
    clean = report.export(book, tmp_path / "clean.pdf", report.load_options(book))
    leaky = report.export(book, tmp_path / "leaky.pdf", report.load_options(book, identified=True))
    book.close()
    assert main(["deid-check", "--db", str(leaky_db), str(clean)]) == 0
    assert "1 file checked: nothing found." in capsys.readouterr().err

    assert main(["deid-check", "--db", str(leaky_db), str(leaky)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"leaky\.pdf: page \d+: name of SMITH-01: “John Smith”", out)
    assert re.search(r"leaky\.pdf: page \d+: record number of SMITH-01: “MRN-0012-3456”", out)
    assert re.search(r"leaky\.pdf: page \d+: date of birth of SMITH-01: “1961-04-03”", out)

    table = tmp_path / "export" / "patients.csv"
    table.parent.mkdir()
    table.write_text("patient,notes\nDEMO-01,seen 03/04/61 with js\nDEMO-02,fine\n", encoding="utf-8")
    (tmp_path / "export" / "J_Smith.txt").write_text("nothing here\n", encoding="utf-8")
    assert main(["deid-check", "--db", str(leaky_db), str(tmp_path / "export")]) == 1
    out = capsys.readouterr().out
    assert "patients.csv: line 2: date of birth of SMITH-01: “03/04/61”" in out
    assert "J_Smith.txt: file name: name of SMITH-01: “Smith”" in out
    assert "line 3" not in out


def test_deid_check_reports_dates_only_when_asked(
    leaky_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("visit 2021-03-12\n", encoding="utf-8")
    assert main(["deid-check", "--db", str(leaky_db), str(notes)]) == 0
    assert main(["deid-check", "--db", str(leaky_db), "--dates", str(notes)]) == 1
    assert "notes.txt: line 1: calendar date: “2021-03-12”" in capsys.readouterr().out
