"""Case bundles: the demo's round trip keeps every statistic, centres pool with prefixed study IDs and their
provenance, a damaged or newer bundle is refused with nothing written, and nothing identifying leaves."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from myocase import cli, cli_parser
from myocase.cli import main
from myocase.domain.annotations import Crop, Shape, ShapeKind
from myocase.domain.dates import PartialDate
from myocase.domain.records import SeriesSettings
from myocase.domain.vocab import DrugClass, StopReason
from myocase.services import report
from myocase.services.bundle_format import MANIFEST, RECORDS, SUFFIX, moved_partial, sha256
from myocase.services.bundle_import import import_bundles
from myocase.services.bundles import BundleRefused, bundle_shift, export_bundle
from myocase.services.deid_check import pdf_texts
from myocase.services.disclosure import SECRET_KEY, deidentification_secret
from myocase.store.casebook import Casebook
from myocase.store.imaging import prepare_image
from PIL import Image

from tests import export_series
from tests.factories import TODAY, make_assessment, make_course, make_patient
from tests.images import png_bytes, upright_pattern
from tests.leaky import leaks_in, plant


@pytest.fixture(autouse=True)
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "log"
    monkeypatch.setattr(cli, "log_folder", lambda: folder)
    yield folder
    cli.stop_logging()


def _centre(tmp_path: Path, name: str, study_ids: tuple[str, ...], cutoff: date = date(2023, 6, 30)) -> Path:
    """A centre's own series with a patient per study ID, written as its bundle (centre code = name upper-cased)."""
    path = tmp_path / f"{name}.sqlite"
    with closing(Casebook.open(path, today=lambda: TODAY)) as source:
        source.save_settings(SeriesSettings(name=f"{name} series", cutoff=cutoff))
        for study_id in study_ids:
            pid = source.save_patient(make_patient(study_id)).id or 0
            source.save(make_course(pid, start="2021-03-01"))
            source.save(
                make_course(
                    pid, "methotrexate", start="2019-05", stop=PartialDate.parse("2020-11"),
                    drug_class=DrugClass.CONVENTIONAL, stop_reason=StopReason.INEFFICACY,
                )
            )  # fmt: skip
            source.save(make_assessment(pid, on="2021-02-20", cdasi_activity=24))
            source.save(make_assessment(pid, on="2021-09-01", cdasi_activity=10))
        bundle = tmp_path / f"{name}{SUFFIX}"
        export_bundle(source, bundle, name.upper())
    return bundle


def _dump(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        return "\n".join(connection.iterdump())


def _counts(book: Casebook) -> dict[str, int]:
    counts = book.counts()
    photos = book.photos()
    return {
        "patients": counts.patients, "courses": counts.medication_courses, "assessments": counts.assessments,
        "events": counts.adverse_events, "photos": counts.photos, "comparisons": len(book.comparisons()),
        "annotations": sum(len(p.annotations) for p in photos),
    }  # fmt: skip


def _members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(bundle: Path, target: Path, **changed: bytes) -> Path:
    """A copy of ``bundle`` with some members replaced (checksums left as they were)."""
    members = {**_members(bundle), **changed}
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


# ------------------------------------------------------------ the round trip


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.demo
def test_the_demo_through_a_bundle_into_a_new_series_gives_the_same_statistics_and_records(
    book: Casebook, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle, pooled = tmp_path / f"demo{SUFFIX}", tmp_path / "pooled.sqlite"
    source_db = str(book.path)
    assert main(["bundle", "export", "--db", source_db, "--out", str(bundle), "--centre", "DEMO"]) == 0
    assert main(["bundle", "import", "--db", str(pooled), str(bundle)]) == 0
    assert "Started a new series" in capsys.readouterr().out
    assert main(["stats", "--db", source_db, "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["stats", "--db", str(pooled), "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert before["cohort"]["patients"] == 10
    assert before["patients"]
    assert after == before
    with closing(Casebook.open(pooled, create=False)) as result:
        assert _counts(result) == _counts(book)
        assert result.settings().is_demo  # a pool of synthetic bundles is synthetic
        assert {p.provenance.centre for p in result.patients() if p.provenance} == {"DEMO"}


@pytest.mark.demo
def test_every_date_moves_back_by_one_secret_shift_and_no_real_date_leaves(
    book: Casebook, tmp_path: Path
) -> None:
    bundle = tmp_path / f"demo{SUFFIX}"
    export_bundle(book, bundle, "DEMO")
    records = json.loads(_members(bundle)[RECORDS])
    shift = bundle_shift(deidentification_secret(book))
    assert 1 <= shift <= 364
    assert records["series"]["cutoff"] == str(date(2023, 6, 30) - timedelta(days=shift))
    source = {r.patient.study_id: r for r in book.patient_records()}
    text = _members(bundle)[RECORDS].decode()
    back = timedelta(days=shift)
    for entry in records["patients"]:  # each date is its own one moved back (so never as recorded)
        real = source[entry["patient"]["study_id"]]
        assert [a["assessed_on"] for a in entry["assessments"]] == [
            str(a.assessed_on - back) for a in real.assessments
        ]
        assert [e["onset"] for e in entry["adverse_events"]] == [
            str(e.onset - back) for e in real.adverse_events
        ]
        taken = sorted(str(p.taken_on - back) for p in real.photos if p.taken_on)
        assert sorted(p["taken_on"] for p in entry["photos"] if p["taken_on"]) == taken
        tested = [a["tested_on"] for a in entry["patient"]["antibodies"]]
        assert tested == [str(a.tested_on - back) for a in real.patient.antibodies if a.tested_on]
    assert "2023-06-30" not in text
    assert "2023-06-30" not in _members(bundle)[MANIFEST].decode()


def test_a_partial_date_keeps_its_precision_a_start_never_moves_later_and_a_stop_never_earlier() -> None:
    march = PartialDate.parse("2019-03")
    assert moved_partial(march, -10) == PartialDate.parse("2019-02")  # 1 March − 10 days falls in February
    assert moved_partial(march, -10, by_end=True) == march  # 31 March − 10 days is still March
    year = PartialDate.parse("2019")
    assert moved_partial(year, 40) == year
    assert moved_partial(year, 40, by_end=True) == PartialDate.parse("2020")
    day = PartialDate.parse("2019-03-20")
    assert moved_partial(day, -30) == moved_partial(day, -30, by_end=True) == PartialDate.parse("2019-02-18")
    for days in range(-400, 400, 7):  # a course started on a day and stopped "that month" stays valid
        assert moved_partial(march, days, by_end=True).latest() >= moved_partial(day, days).earliest()


# ------------------------------------------------------------ pooling centres


def test_two_centres_with_clashing_study_ids_pool_with_the_centre_prefixed_and_their_provenance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lyon = _centre(tmp_path, "lyon", ("MYO-01", "MYO-02"))
    paris = _centre(tmp_path, "paris", ("MYO-01", "PAR-07"), cutoff=date(2023, 3, 31))
    pooled = tmp_path / "pooled.sqlite"
    assert main(["bundle", "import", "--db", str(pooled), str(lyon), str(paris)]) == 0
    out = capsys.readouterr().out
    assert "MYO-01 stored as LYON-MYO-01: study ID MYO-01 was already used" in out
    assert "MYO-01 stored as PARIS-MYO-01" in out
    with closing(Casebook.open(pooled, create=False)) as result:
        patients = {p.study_id: p for p in result.patients()}
        assert sorted(patients) == ["LYON-MYO-01", "MYO-02", "PAR-07", "PARIS-MYO-01"]
        origin = patients["PARIS-MYO-01"].provenance
        assert origin is not None
        assert origin.imported_at is not None
        assert (origin.centre, origin.series_name, origin.source_study_id, origin.bundle_file) == (
            "PARIS", "paris series", "MYO-01", paris.name,
        )  # fmt: skip
        # a new series takes the latest of the bundles' (shifted) cut-offs
        cutoff = result.settings().cutoff
        shifted = [own - timedelta(days=bundle_shift(_secret(tmp_path / f"{name}.sqlite"))) for name, own in (
            ("lyon", date(2023, 6, 30)), ("paris", date(2023, 3, 31)),
        )]  # fmt: skip
        assert cutoff == max(shifted)
        # and each centre's patients sit as many days before it as they sat before their own cut-off
        for study_id, own_cutoff in (("LYON-MYO-01", date(2023, 6, 30)), ("PARIS-MYO-01", date(2023, 3, 31))):
            (first, _) = result.assessments(patients[study_id].id)
            assert (cutoff - first.assessed_on).days == (own_cutoff - date(2021, 2, 20)).days


def _secret(path: Path) -> str:
    with closing(Casebook.open(path, create=False)) as source:
        return deidentification_secret(source)


@pytest.mark.sqlite_only("compares the file's rows before and after")
def test_a_bundle_imported_into_a_series_with_the_same_study_id_is_prefixed_and_not_imported_twice(
    book: Casebook, tmp_path: Path
) -> None:
    book.save_patient(make_patient("MYO-01"))
    lyon = _centre(tmp_path, "lyon", ("MYO-01",))
    result = import_bundles(book, [lyon])
    assert [(p.renamed_from, p.record.patient.study_id) for p in result.patients] == [
        ("MYO-01", "LYON-MYO-01")
    ]
    assert book.settings().cutoff == date(2023, 6, 30)  # the series keeps its own cut-off
    before = _dump(book.path or Path())
    with pytest.raises(
        BundleRefused, match=r"lyon\.myocase-bundle: MYO-01 of centre LYON is already in this series"
    ):
        import_bundles(book, [lyon])
    assert _dump(book.path or Path()) == before


def test_a_pooled_patients_provenance_is_audited_and_survives_an_edit_that_does_not_carry_it(
    book: Casebook, tmp_path: Path
) -> None:
    import_bundles(book, [_centre(tmp_path, "lyon", ("MYO-01",))])
    stored = book.patient_by_study_id("MYO-01")
    assert stored is not None
    assert stored.provenance is not None
    (created,) = [e for e in book.audit_trail(stored.id) if e.field == "provenance"]
    assert created.action == "create"
    assert f"lyon{SUFFIX}" in (created.new_value or "")
    edited = book.save_patient(
        replace(stored, provenance=None, vignette="Seen again.")
    )  # as the form saves it
    assert (edited.provenance, edited.vignette) == (stored.provenance, "Seen again.")


def test_photos_come_linked_to_their_own_visit_with_its_new_id(book: Casebook, tmp_path: Path) -> None:
    with closing(Casebook.open(tmp_path / "lyon.sqlite", today=lambda: TODAY)) as source:
        source.save_settings(SeriesSettings(name="lyon series", cutoff=date(2023, 6, 30)))
        for k, study_id in enumerate(("MYO-01", "MYO-02")):
            pid = source.save_patient(make_patient(study_id)).id or 0
            source.save(make_course(pid, start="2021-03-01"))
            first = source.save(make_assessment(pid, on="2021-02-20", cdasi_activity=24))
            second = source.save(make_assessment(pid, on="2021-09-01", cdasi_activity=10))
            for n, (visit, site) in enumerate(((second, "face"), (first, "hands"), (None, "scalp"))):
                image = prepare_image(png_bytes(Image.new("RGB", (64, 48), (n * 60, k * 90, 120))))
                source.add_photo(pid, image, assessment_id=visit and visit.id, body_site=site)
        export_bundle(source, tmp_path / f"lyon{SUFFIX}", "LYON")
        sent = _linked_photos(source)
    book.save_patient(make_patient("LOCAL-1"))  # the pooled ids differ from the centre's
    import_bundles(book, [tmp_path / f"lyon{SUFFIX}"])
    assert _linked_photos(book) == sent
    assert [day for *_, day in sent] == [193, 0, None, 193, 0, None]  # face, hands, scalp of each patient


def _linked_photos(book: Casebook) -> list[tuple[str, str, int | None]]:
    """(study ID, photo body site, days from the patient's first visit to the visit it is linked to) per photo."""
    found = []
    for record in book.patient_records():
        visits = {a.id: a.assessed_on for a in record.assessments}
        first = min(visits.values(), default=None)
        for photo in record.photos:
            day = visits[photo.assessment_id] if photo.assessment_id is not None else None
            found.append(
                (record.patient.study_id[-2:], photo.body_site, None if day is None else (day - first).days)
            )
    return sorted(found, key=repr)


def test_a_series_without_a_cut_off_or_with_another_index_drug_is_refused(
    book: Casebook, tmp_path: Path
) -> None:
    book.save_patient(make_patient("LOCAL-01"))
    lyon = _centre(tmp_path, "lyon", ("MYO-01",))
    book.save_settings(SeriesSettings(name="Here", cutoff=None))
    with pytest.raises(BundleRefused, match="no data cut-off"):
        import_bundles(book, [lyon])
    book.save_settings(SeriesSettings(name="Here", cutoff=date(2023, 6, 30), index_drug="tofacitinib"))
    with pytest.raises(BundleRefused, match="judged against upadacitinib, this one against tofacitinib"):
        import_bundles(book, [lyon])
    assert [p.study_id for p in book.patients()] == ["LOCAL-01"]


# ------------------------------------------------------------ damaged bundles


def _damaged(bundle: Path, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of damage: the file and what the refusal must say."""
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo(RECORDS)
    flipped = bytearray(data)
    flipped[info.header_offset + 30 + len(RECORDS) + 10] ^= 0xFF  # a byte inside records.json's data
    (tmp_path / "flipped.myocase-bundle").write_bytes(flipped)
    (tmp_path / "truncated.myocase-bundle").write_bytes(data[: len(data) // 2])
    manifest = json.loads(_members(bundle)[MANIFEST])
    newer = json.dumps({**manifest, "schema_version": "9999"}).encode()
    body = b"{not json"
    badjson = json.dumps({**manifest, "members": {**manifest["members"], RECORDS: sha256(body)}}).encode()
    return {
        "flipped": (tmp_path / "flipped.myocase-bundle", "damaged"),
        "truncated": (tmp_path / "truncated.myocase-bundle", "damaged or incomplete zip"),
        "newer": (_rezip(bundle, tmp_path / "newer.myocase-bundle", **{MANIFEST: newer}), "newer MyoCase"),
        "bad json": (
            _rezip(bundle, tmp_path / "badjson.myocase-bundle", **{MANIFEST: badjson, RECORDS: body}),
            "records.json is not valid JSON",
        ),
        "checksum": (
            _rezip(bundle, tmp_path / "sum.myocase-bundle", **{RECORDS: _members(bundle)[RECORDS] + b" "}),
            "does not match its checksum",
        ),
    }


@pytest.mark.sqlite_only("compares the file's rows before and after")
@pytest.mark.parametrize("damage", ["flipped", "truncated", "newer", "bad json", "checksum"])
def test_a_damaged_or_newer_bundle_is_refused_by_name_and_nothing_is_written(
    book: Casebook, tmp_path: Path, damage: str
) -> None:
    good = _centre(tmp_path, "lyon", ("MYO-01",))
    bad, reason = _damaged(_centre(tmp_path, "paris", ("PAR-01",)), tmp_path)[damage]
    before = _dump(book.path or Path())
    with pytest.raises(BundleRefused) as refused:
        import_bundles(book, [good, bad])  # the good one is not imported either
    assert bad.name in str(refused.value)
    assert reason in str(refused.value)
    assert _dump(book.path or Path()) == before
    new = tmp_path / "new.sqlite"
    assert main(["bundle", "import", "--db", str(new), str(good), str(bad)]) == 1
    assert not new.exists()  # nothing written: not even the new series' file


def test_a_bundle_whose_records_do_not_fit_is_refused_with_the_field_named(
    book: Casebook, tmp_path: Path
) -> None:
    bundle = _centre(tmp_path, "lyon", ("MYO-01",))
    manifest, records = (json.loads(_members(bundle)[n]) for n in (MANIFEST, RECORDS))
    records["patients"][0]["assessments"][0]["cdasi_activity"] = "twenty"
    body = json.dumps(records).encode()
    manifest["members"][RECORDS] = sha256(body)
    broken = _rezip(
        bundle, tmp_path / f"broken{SUFFIX}", **{MANIFEST: json.dumps(manifest).encode(), RECORDS: body}
    )
    with pytest.raises(
        BundleRefused, match=r"broken\.myocase-bundle: .*assessment cdasi_activity: expected int"
    ):
        import_bundles(book, [broken])
    assert book.patients() == []


# ------------------------------------------------------------ what leaves


def test_no_identifier_leaves_in_any_member_and_identifiable_photos_leave_only_cropped(
    book: Casebook, tmp_path: Path
) -> None:
    book.save_preference(SECRET_KEY, "fixed for this test")
    assert bundle_shift("fixed for this test") not in {3, 50, 81, 173, 182}  # no date lands on a planted one
    patient = plant(book, "PT-01", photos=True)
    pid = patient.id or 0
    cropped, _ = book.add_photo(pid, prepare_image(png_bytes(upright_pattern(120, 80))), identifiable=True)
    arrow = Shape(ShapeKind.ARROW, ((0.5, 0.5), (0.6, 0.6)))
    cropped = book.save_photo(replace(cropped, crop=Crop(0.25, 0.25, 0.75, 0.75), annotations=(arrow,)))
    book.add_photo(
        pid, prepare_image(png_bytes(upright_pattern(90, 60))), identifiable=True
    )  # no crop: stays
    bundle = tmp_path / f"smith{SUFFIX}"
    result = export_bundle(book, bundle, "LYON")
    assert result.left_out == ("PT-01 photo 2: marked identifiable and not cropped",)  # undated photos first
    assert result.photos == 3
    members = _members(bundle)
    for name, data in members.items():
        if name.endswith(".json"):
            assert not leaks_in(data.decode()), name
    entry = json.loads(members[RECORDS])["patients"][0]
    assert entry["patient"]["birth_year"] is None
    assert entry["patient"]["age_at_onset"] == 90
    assert "identifiers" not in entry
    assert "full_name" not in members[RECORDS].decode()
    (leaving,) = [p for p in entry["photos"] if p["identifiable"]]
    assert (leaving["width"], leaving["height"], leaving["crop"]) == (
        60,
        40,
        {"left": 0.0, "top": 0.0, "right": 1.0, "bottom": 1.0},
    )
    assert leaving["annotations"][0]["points"] == [[0.5, 0.5], [0.7, 0.7]]


def test_a_study_id_that_would_leave_cleaned_refuses_the_export(book: Casebook, tmp_path: Path) -> None:
    plant(book)  # SMITH-01: the patient's own name in the study ID
    with pytest.raises(BundleRefused, match="Study ID SMITH-01 would leave as “\\[removed\\]-01”"):
        export_bundle(book, tmp_path / f"x{SUFFIX}", "LYON")
    assert list(tmp_path.glob("x*")) == []


def test_an_export_is_refused_for_a_bad_centre_code_a_series_file_name_an_unknown_patient_or_no_cut_off(
    book: Casebook, tmp_path: Path
) -> None:
    book.save_patient(make_patient("MYO-01"))
    with pytest.raises(BundleRefused, match="Centre code “LY ON” is not usable"):
        export_bundle(book, tmp_path / f"x{SUFFIX}", "LY ON")
    with pytest.raises(BundleRefused, match=r"\.myocase names a case-series database"):
        export_bundle(book, tmp_path / "x.myocase", "LYON")
    with pytest.raises(Exception, match="No patient with study ID MYO-99"):
        export_bundle(book, tmp_path / f"x{SUFFIX}", "LYON", ["MYO-99"])
    book.save_settings(SeriesSettings(name="Judged today", cutoff=None))
    with pytest.raises(BundleRefused, match="Set the series' data cut-off first"):
        export_bundle(book, tmp_path / f"x{SUFFIX}", "LYON")
    assert list(tmp_path.glob("x*")) == []


def test_the_command_line_names_the_bundle_extension_the_format_uses() -> None:
    assert cli_parser.BUNDLE_SUFFIX == SUFFIX
    assert not re.fullmatch(r"\.myocase", SUFFIX)


def test_table_1_of_a_pooled_series_names_each_patients_centre_but_never_the_bundle_file(
    book: Casebook, tmp_path: Path
) -> None:
    local = book.save_patient(make_patient("LOCAL-01")).id or 0
    book.save(make_course(local, start="2021-04-01"))
    lyon = _centre(tmp_path, "lyon", ("MYO-01",))
    import_bundles(book, [lyon])
    pdf = report.export(book, tmp_path / "pooled.pdf", report.load_options(book))  # de-identified
    text = "\n".join(content for _, content in pdf_texts(pdf))
    start = text.index("Table 1. Patient characteristics")
    table = text[start : text.index("Table 2", start)]
    assert re.search(r"Patient\s+Centre\s+Subtype", table)
    assert re.search(r"LOCAL-01\s+local\s+DM", table)
    assert re.search(r"MYO-01\s+LYON\s+DM", table)
    assert "lyon" not in text.replace("LYON", "")  # the bundle's file name stays in the series
    assert "Pooled series: patients of LYON came in de-identified case bundles" in " ".join(text.split())


@pytest.mark.sqlite_only("runs the command line on the file's path")
def test_a_generated_series_with_partial_dates_and_every_choice_comes_through_a_bundle(
    book: Casebook, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export_series.store(book)
    bundle, pooled = tmp_path / f"generated{SUFFIX}", tmp_path / "pooled.sqlite"
    assert main(["bundle", "export", "--db", str(book.path), "--out", str(bundle), "--centre", "GEN"]) == 0
    assert main(["bundle", "import", "--db", str(pooled), str(bundle)]) == 0
    capsys.readouterr()
    assert main(["stats", "--db", str(book.path), "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["stats", "--db", str(pooled), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == before
    with closing(Casebook.open(pooled, create=False)) as result:
        assert _counts(result) == _counts(book)
        came = {r.patient.study_id: r for r in result.patient_records()}
        for sent in book.patient_records():
            got = came[sent.patient.study_id]
            assert [c.start.precision for c in got.courses] == [c.start.precision for c in sent.courses]
            assert [(c.drug, c.stop_reason, c.dose) for c in got.courses] == [
                (c.drug, c.stop_reason, c.dose) for c in sent.courses
            ]
            assert [a.cdasi_grid for a in got.assessments] == [a.cdasi_grid for a in sent.assessments]
            assert [(e.grade, e.action, e.outcome) for e in got.adverse_events] == [
                (e.grade, e.action, e.outcome) for e in sent.adverse_events
            ]
