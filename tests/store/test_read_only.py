"""Read-only and network files: a series that cannot be written opens read-only (reads work, every write is
refused, not a byte is written), and one on a network share is opened without the write-ahead log."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from myocase import cli
from myocase.cli import main
from myocase.services import info
from myocase.services.demo import write_demo
from myocase.store import database, file_system
from myocase.store.casebook import Casebook

from tests.factories import TODAY, make_assessment, make_patient

pytestmark = pytest.mark.sqlite_only("read-only and network files")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in folder.iterdir()}


@pytest.fixture
def locked_copy(demo_path: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the demo in a folder of its own, the file and the folder marked read-only."""
    folder = tmp_path / "archive"
    folder.mkdir()
    copy = database.backup_database(demo_path, folder / "demo.sqlite", standalone=False)  # as the app left it
    copy.chmod(0o444)
    folder.chmod(0o555)
    yield copy
    folder.chmod(0o755)
    copy.chmod(0o644)


def test_a_read_only_file_in_a_read_only_folder_opens_for_reading_and_refuses_every_write(
    locked_copy: Path,
) -> None:
    before = _listing(locked_copy.parent)
    book = Casebook.open(locked_copy, today=lambda: TODAY)
    assert book.read_only == "the file is marked read-only"
    patients = book.patients()
    assert len(patients) == 10
    record = book.patient_record(patients[0].id or 0)
    assert record.assessments
    with pytest.raises(
        database.ReadOnlyError, match="Opened read-only: the file is marked read-only — changes"
    ):
        book.save_patient(make_patient("NEW-01"))
    with pytest.raises(database.ReadOnlyError):
        book.save(make_assessment(patients[0].id or 0))
    with pytest.raises(database.ReadOnlyError):
        book.delete_patient(patients[0].id or 0)
    assert book.counts().patients == 10
    book.close()
    assert _listing(locked_copy.parent) == before  # not a byte written, no -wal or -shm made


def test_a_file_in_a_read_only_folder_is_read_only_too(demo_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    copy = database.backup_database(demo_path, folder / "demo.sqlite", standalone=False)
    folder.chmod(0o555)
    try:
        before = _listing(folder)
        book = Casebook.open(copy)
        assert book.read_only == f"its folder {folder} is read-only"
        assert book.counts().patients == 10
        with pytest.raises(database.ReadOnlyError):
            book.save_settings(book.settings())
        book.close()
        assert _listing(folder) == before
    finally:
        folder.chmod(0o755)


def test_a_read_only_file_of_an_older_myocase_is_refused_with_the_way_out(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    database.upgrade(old, "0001")
    old.chmod(0o444)
    before = _digest(old)
    with pytest.raises(database.StorageError, match="Copy it to a folder you can write to") as refused:
        Casebook.open(old)
    assert "damaged" not in str(refused.value)
    assert _digest(old) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.sqlite"]  # no backup either


def test_no_new_series_is_made_in_a_read_only_folder(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(database.StorageError, match="A new series cannot be made"):
            Casebook.open(tmp_path / "new.sqlite")
        assert list(tmp_path.iterdir()) == []
    finally:
        tmp_path.chmod(0o755)


def test_info_reads_a_read_only_series(locked_copy: Path) -> None:
    before = _listing(locked_copy.parent)
    assert info.describe(locked_copy)["patients"] == 10
    assert _listing(locked_copy.parent) == before


def test_a_read_only_series_is_analysed_and_reported(
    locked_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _listing(locked_copy.parent)
    out = tmp_path / "report.pdf"
    try:
        assert main(["stats", "--db", str(locked_copy), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["patients"]  # analysed
        assert main(["report", "--db", str(locked_copy), "--out", str(out)]) == 0
    finally:
        cli.stop_logging()
    assert out.stat().st_size > 0
    assert _listing(locked_copy.parent) == before


def test_a_zero_byte_file_is_refused_by_info_and_stays_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with pytest.raises(database.StorageError, match="empty file"):
        info.describe(empty)
    assert empty.stat().st_size == 0
    empty.chmod(0o444)
    with pytest.raises(database.StorageError, match="empty file"):
        Casebook.open(empty, create=False)
    assert empty.stat().st_size == 0


def test_write_protection_is_read_from_the_permission_bits_even_for_the_administrator(tmp_path: Path) -> None:
    series = tmp_path / "s.sqlite"
    series.write_bytes(b"")
    assert file_system.write_protection(series) == ("", False)
    series.chmod(stat.S_IRUSR | stat.S_IRGRP)
    assert file_system.write_protection(series) == ("the file is marked read-only", True)
    if os.geteuid() != 0:  # a file others may write, but not this user
        series.chmod(0o464)
        assert file_system.write_protection(series)[0] == "you do not have permission to change the file"


# ------------------------------------------------------------ network shares

PROC_MOUNTS = r"""/dev/sda1 / ext4 rw,relatime 0 0
//fileserver/clinic /mnt/clinic cifs rw,vers=3.1.1,username=dr 0 0
nas:/export/research /mnt/research nfs4 rw,relatime,vers=4.2 0 0
/dev/sdb1 /mnt/clinic/local\040disk ext4 rw 0 0
tmpfs /run tmpfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/mnt/clinic/myositis/series.sqlite", "cifs"),
        ("/mnt/research/series.myocase", "nfs4"),
        ("/mnt/clinic/local disk/series.sqlite", ""),  # a local disk mounted inside the share
        ("/home/dr/series.sqlite", ""),
        ("/mnt/clinical/series.sqlite", ""),  # a neighbour's name, not inside the share
    ],
)
def test_the_network_share_is_found_in_proc_mounts(path: str, kind: str) -> None:
    assert file_system.share_type(Path(path), file_system.linux_mounts(PROC_MOUNTS)) == kind


def test_the_network_share_is_found_in_the_mount_list_of_macos() -> None:
    listing = (
        "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
        "//dr@fileserver/clinic on /Volumes/clinic (smbfs, nodev, nosuid, mounted by dr)\n"
        "nas:/export on /Volumes/research (nfs, asynchronous)\n"
    )
    mounts = file_system.darwin_mounts(listing)
    assert file_system.share_type(Path("/Volumes/clinic/s.sqlite"), mounts) == "smbfs"
    assert file_system.share_type(Path("/Volumes/research/s.sqlite"), mounts) == "nfs"
    assert file_system.share_type(Path("/Users/dr/s.sqlite"), mounts) == ""


def test_a_mapped_network_drive_or_a_unc_path_is_a_share_on_windows() -> None:
    def drive_type(root: str) -> int:
        return file_system.DRIVE_REMOTE if root.upper().startswith("Z") else 3  # 3: a fixed disk

    assert file_system.windows_share(Path("Z:/clinic/s.sqlite"), drive_type) == "smb"
    assert file_system.windows_share(Path("//server/share/s.sqlite"), drive_type) == "smb"
    assert file_system.windows_share(Path("C:/Users/dr/s.sqlite"), drive_type) == ""


@pytest.fixture
def on_a_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every path is on an SMB share (as /proc/mounts would say for a mounted share)."""
    monkeypatch.setattr(file_system, "network_share", lambda path: "cifs")
    monkeypatch.setattr(database, "network_share", lambda path: "cifs")


def test_a_series_on_a_network_share_is_opened_without_the_write_ahead_log(
    on_a_share: None, db_path: Path
) -> None:
    book = Casebook.open(db_path, today=lambda: TODAY)
    assert book.network == "cifs"
    book.save_patient(make_patient())
    with book.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    assert not db_path.with_name(db_path.name + "-wal").exists()
    book.close()


def test_an_older_series_on_a_share_is_updated_without_the_log_too(
    on_a_share: None, demo_path: Path, tmp_path: Path
) -> None:
    copy = database.backup_database(demo_path, tmp_path / "demo.sqlite", standalone=False)  # in WAL mode
    book = Casebook.open(copy)
    with book.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    book.close()


def test_a_series_open_elsewhere_with_the_log_is_refused_on_a_share(on_a_share: None, db_path: Path) -> None:
    Casebook.open(db_path).close()
    with closing(sqlite3.connect(db_path)) as elsewhere:  # another computer's MyoCase, from before the rule
        elsewhere.execute("PRAGMA journal_mode=WAL")
        elsewhere.execute("SELECT count(*) FROM patient").fetchall()
        with pytest.raises(database.StorageError, match="open in MyoCase on another computer"):
            Casebook.open(db_path)


def test_the_demo_can_be_written_on_a_share(on_a_share: None, db_path: Path) -> None:
    book = Casebook.open(db_path, today=lambda: TODAY)
    write_demo(book)
    assert book.counts().patients == 10
    book.close()
