"""Where the one-click report goes: folder, de-identified dated name, never an older file replaced."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from myocase.domain.records import Identifiers
from myocase.services import report, report_files
from myocase.store.casebook import Casebook

from tests.factories import make_patient


def _named_patient(book: Casebook) -> None:
    patient = book.save_patient(make_patient("MYO-01"))
    book.save_patient(patient, Identifiers(patient.id or 0, full_name="Jordan Quillfeather"))


def _data(book: Casebook, identified: bool = False):  # type: ignore[no-untyped-def]
    data = report.gather(book, report.load_options(book, identified=identified))
    return replace(data, generated_on=date(2024, 1, 15))


def test_name_has_the_series_and_the_date(book: Casebook) -> None:
    _named_patient(book)
    assert report_files.report_name(_data(book)) == "Test_series_report_2024-01-15.pdf"


def test_a_patient_name_in_the_series_name_never_reaches_the_file_name(book: Casebook) -> None:
    _named_patient(book)
    book.save_settings(replace(book.settings(), name="Quillfeather and others"))
    name = report_files.report_name(_data(book))
    assert "quillfeather" not in name.casefold()
    assert name == "removed_and_others_report_2024-01-15.pdf"


def test_an_identified_report_says_so_in_its_name(book: Casebook) -> None:
    _named_patient(book)
    book.save_settings(replace(book.settings(), name="Quillfeather and others"))
    assert report_files.report_name(_data(book, identified=True)) == (
        "Quillfeather_and_others_report_2024-01-15_IDENTIFIED.pdf"
    )


def test_a_name_without_letters_falls_back(book: Casebook) -> None:
    _named_patient(book)
    book.save_settings(replace(book.settings(), name="***"))
    assert report_files.report_name(_data(book)) == "case-series_report_2024-01-15.pdf"


def test_free_path_numbers_rather_than_replaces(tmp_path: Path) -> None:
    assert report_files.free_path(tmp_path, "r.pdf") == tmp_path / "r.pdf"
    (tmp_path / "r.pdf").write_bytes(b"first")
    assert report_files.free_path(tmp_path, "r.pdf") == tmp_path / "r_2.pdf"
    (tmp_path / "r_2.pdf").write_bytes(b"second")
    assert report_files.free_path(tmp_path, "r.pdf") == tmp_path / "r_3.pdf"


@pytest.mark.sqlite_only("the folder beside the database file")
def test_folder_defaults_beside_the_database_and_can_be_chosen(book: Casebook, tmp_path: Path) -> None:
    assert book.path is not None
    assert report_files.report_folder(book) == book.path.resolve().parent
    book.save_preference(report_files.FOLDER_KEY, str(tmp_path / "reports"))
    assert report_files.report_folder(book) == tmp_path / "reports"
    _named_patient(book)
    target = report_files.next_report_path(book, _data(book))
    assert target == tmp_path / "reports" / "Test_series_report_2024-01-15.pdf"
    assert (tmp_path / "reports").is_dir()  # made when first needed


def test_an_unusable_folder_is_named(book: Casebook, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    book.save_preference(report_files.FOLDER_KEY, str(blocker / "reports"))
    _named_patient(book)
    with pytest.raises(report_files.FolderUnusable, match="not-a-folder"):
        report_files.next_report_path(book, _data(book))
