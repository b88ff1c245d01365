"""Photo batches, duplicates, storage of annotations, and `myocase photos add/export`."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
from myocase.cli import main
from myocase.domain.annotations import Crop, Shape, ShapeKind
from myocase.domain.records import Consent, PhotoComparison
from myocase.domain.validation import ValidationError
from myocase.services.photos import Outcome, PhotoDefaults, import_files
from myocase.store.casebook import Casebook
from myocase.store.imaging import ImageLimits
from PIL import Image
from sqlalchemy import event

from tests.factories import make_course, make_patient
from tests.images import (
    PRIVATE_MARKERS,
    jpeg_taken_on,
    jpeg_with_orientation,
    jpeg_with_private_metadata,
    png_bytes,
    upright_pattern,
)


@pytest.fixture
def patient_id(book: Casebook) -> int:
    pid = book.save_patient(make_patient("MYO-01")).id
    assert pid is not None
    return pid


def _files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "good.jpg": jpeg_with_private_metadata(),
        "notes.txt": b"just some notes, not a picture",
        "cut.jpg": jpeg_with_orientation(6)[:500],
        "good.png": png_bytes(upright_pattern(90, 60)),
        "huge.png": png_bytes(Image.frombytes("RGB", (300, 300), os.urandom(270_000))),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def test_batch_stores_good_files_and_names_each_refusal(
    book: Casebook, patient_id: int, tmp_path: Path
) -> None:
    paths = _files(tmp_path)
    results = import_files(
        book, patient_id, list(paths.values()), PhotoDefaults(limits=ImageLimits(max_bytes=100_000))
    )
    outcomes = {r.path.name: (r.outcome, r.reason) for r in results}
    assert outcomes["good.jpg"][0] is Outcome.STORED
    assert outcomes["good.png"][0] is Outcome.STORED
    assert outcomes["notes.txt"][0] is Outcome.REFUSED
    assert "not an image" in outcomes["notes.txt"][1]
    assert outcomes["cut.jpg"][0] is Outcome.REFUSED
    assert "damaged or incomplete" in outcomes["cut.jpg"][1]
    assert outcomes["huge.png"][0] is Outcome.REFUSED
    assert "over the 100 kB limit" in outcomes["huge.png"][1]
    assert len(book.photos(patient_id)) == 2
    assert book.counts().photos == 2  # nothing half-written for the refused files


def test_capture_date_is_offered_and_a_given_date_wins(
    book: Casebook, patient_id: int, tmp_path: Path
) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(jpeg_with_private_metadata())
    (result,) = import_files(book, patient_id, [path])
    assert result.photo is not None
    assert result.photo.taken_on == date(2021, 4, 18)
    other = tmp_path / "b.jpg"
    other.write_bytes(jpeg_with_orientation(3))
    (result,) = import_files(book, patient_id, [other], PhotoDefaults(taken_on=date(2022, 1, 2)))
    assert result.photo is not None
    assert result.photo.taken_on == date(2022, 1, 2)


@pytest.mark.sqlite_only("runs the command line on the file's path")
def test_an_implausible_camera_date_never_refuses_the_photo_but_is_left_to_confirm(
    book: Casebook, patient_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book.save(make_course(patient_id, start="2019-05-01"))  # the first record; the patient was born in 1970
    files = {}
    for name, when, shade in (
        ("future.jpg", "2099:01:03 10:00:00", 1), ("before_birth.jpg", "1965:06:01 10:00:00", 2),
        ("factory_reset.jpg", "2002:01:01 00:00:00", 3), ("plausible.jpg", "2020:02:11 09:30:00", 4),
    ):  # fmt: skip
        files[name] = tmp_path / name
        files[name].write_bytes(jpeg_taken_on(when, shade))
    results = {r.path.name: r for r in import_files(book, patient_id, list(files.values()))}
    assert all(r.outcome is Outcome.STORED for r in results.values())
    stored = {p.id: p.taken_on for p in book.photos(patient_id)}
    assert [stored[results[n].photo.id] for n in files] == [None, None, None, date(2020, 2, 11)]  # type: ignore[union-attr]
    assert "the camera's date 2099-01-03 is in the future" in results["future.jpg"].line
    assert "before the year of birth (1970)" in results["before_birth.jpg"].date_to_confirm
    assert "more than 2 years before the first record (2019-05-01)" in results["factory_reset.jpg"].line
    assert results["plausible.jpg"].date_to_confirm == ""
    again = tmp_path / "again.jpg"
    again.write_bytes(jpeg_taken_on("2099:01:03 10:00:00", 9))
    (given,) = import_files(book, patient_id, [again], PhotoDefaults(taken_on=date(2021, 3, 4)))
    assert given.photo is not None
    assert given.photo.taken_on == date(2021, 3, 4)
    assert not given.date_to_confirm
    db = book.path
    assert db is not None
    cli = tmp_path / "cli.jpg"
    cli.write_bytes(jpeg_taken_on("2099:01:03 10:00:00", 11))
    assert main(["photos", "add", "--db", str(db), "--patient", "MYO-01", str(cli)]) == 0
    assert "cli.jpg: stored without a date, to confirm (the camera's date 2099-01-03 is in the future)" in (
        capsys.readouterr().out
    )


def test_duplicates_are_recognised(book: Casebook, patient_id: int, tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png_bytes())
    copy = tmp_path / "copy-with-new-name.png"
    copy.write_bytes(png_bytes(pnginfo=None, optimize=True))  # other bytes, same picture
    results = import_files(book, patient_id, [path, path, copy])
    assert [r.outcome for r in results] == [Outcome.STORED, Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert "same picture as photo" in results[1].reason
    assert book.counts().photos == 1


def test_listing_photos_never_loads_their_bytes(book: Casebook, patient_id: int, tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png_bytes())
    import_files(book, patient_id, [path])
    statements: list[str] = []
    event.listen(book.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert len(book.photos(patient_id)) == 1
    assert len(book.patient_records()[0].photos) == 1
    assert statements
    assert not any("photo_data" in s for s in statements)


def test_annotations_and_crop_round_trip_unchanged(book: Casebook, patient_id: int, tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png_bytes())
    (result,) = import_files(book, patient_id, [path])
    assert result.photo is not None
    pixels_before = book.photo_image(result.photo.id or 0)
    shapes = (
        Shape(ShapeKind.ARROW, ((0.1, 0.2), (0.35, 0.4)), "yellow"),
        Shape(ShapeKind.ELLIPSE, ((0.5, 0.5), (0.8, 0.9)), "sky blue", width=0.01),
        Shape(ShapeKind.FREEHAND, ((0.1, 0.1), (0.2, 0.15), (0.25, 0.3)), "vermillion"),
        Shape(ShapeKind.TEXT, ((0.6, 0.1),), "white", text="Gottron's papules ≥ 3"),
    )
    edited = book.save_photo(
        result.photo.__class__(
            **{
                **result.photo.__dict__,
                "annotations": shapes,
                "crop": Crop(0.1, 0.0, 0.9, 0.75),
                "consent": Consent.YES,
            }
        )
    )
    stored = book.photo(result.photo.id or 0)
    assert stored == edited
    assert stored.annotations == shapes
    assert stored.crop == Crop(0.1, 0.0, 0.9, 0.75)
    assert book.photo_image(stored.id or 0) == pixels_before  # never burned into the pixels


def test_bad_annotation_is_refused(book: Casebook, patient_id: int, tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png_bytes())
    (result,) = import_files(book, patient_id, [path])
    assert result.photo is not None
    with pytest.raises(ValidationError, match="needs its text"):
        book.save_photo(
            result.photo.__class__(
                **{**result.photo.__dict__, "annotations": (Shape(ShapeKind.TEXT, ((0.1, 0.1),)),)}
            )
        )


def test_delete_and_restore_a_photo_and_comparisons(book: Casebook, patient_id: int, tmp_path: Path) -> None:
    paths = []
    for n in range(3):
        paths.append(tmp_path / f"{n}.png")
        paths[-1].write_bytes(png_bytes(upright_pattern(60 + n, 40)))
    ids = [r.photo.id for r in import_files(book, patient_id, paths) if r.photo]
    comparison = book.save_comparison(
        PhotoComparison(patient_id, "Before / after", tuple(i or 0 for i in ids))
    )
    assert book.comparisons(patient_id) == [comparison]
    photo, image, thumb = book.delete_photo(ids[1] or 0)
    assert book.comparisons(patient_id)[0].photo_ids == (ids[0], ids[2])
    book.restore_photo(photo, image, thumb)
    assert book.photo_image(ids[1] or 0) == image
    with pytest.raises(ValidationError, match="2 to 4 photos"):
        book.save_comparison(PhotoComparison(patient_id, "One", (ids[0] or 0,)))
    other = book.save_patient(make_patient("MYO-02")).id
    with pytest.raises(ValidationError, match="one patient only"):
        book.save_comparison(PhotoComparison(other or 0, "Mixed", (ids[0] or 0, ids[2] or 0)))


def test_cli_add_and_export_leave_no_private_metadata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.sqlite"
    book = Casebook.open(db)
    book.save_patient(make_patient("MYO-07"))
    book.close()
    paths = _files(tmp_path)
    args = [
        "photos",
        "add",
        "--db",
        str(db),
        "--patient",
        "MYO-07",
        str(paths["good.jpg"]),
        str(paths["notes.txt"]),
        str(paths["good.png"]),
    ]
    assert main(args) == 1  # one file refused
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "good.jpg: stored"
    assert lines[1].startswith("notes.txt: refused: it is not an image")
    assert lines[2] == "good.png: stored without a date, to confirm (the file has no capture date)"
    assert main(["photos", "add", "--db", str(db), "--patient", "MYO-07", str(paths["good.jpg"])]) == 0
    assert capsys.readouterr().out.startswith("good.jpg: already stored")

    out = tmp_path / "export"
    assert main(["photos", "export", "--db", str(db), "--out", str(out), "--patient", "MYO-07"]) == 0
    written = sorted(out.iterdir())
    assert [p.suffix for p in written] == [".jpg", ".png"]
    assert written[0].name == "MYO-07_day0_2.jpg"  # no course: day 0 is the first record, this photo
    identified = tmp_path / "identified"
    args = ["photos", "export", "--db", str(db), "--out", str(identified), "--identified"]
    assert main(args) == 0
    assert sorted(p.name for p in identified.iterdir())[0] == "MYO-07_2021-04-18_2.jpg"
    for path in written:
        data = path.read_bytes()
        assert not any(marker in data for marker in PRIVATE_MARKERS)
        image = Image.open(io.BytesIO(data))
        assert len(image.getexif()) == 0
        assert "comment" not in image.info


def test_cli_unknown_patient(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.sqlite"
    Casebook.open(db).close()
    photo = tmp_path / "p.png"
    photo.write_bytes(png_bytes())
    assert main(["photos", "add", "--db", str(db), "--patient", "NOPE", str(photo)]) == 1
    assert "No patient with study ID NOPE" in capsys.readouterr().err
