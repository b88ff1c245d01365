"""REDCap both ways: the data dictionary (REDCap's 18 columns, types, validation and ranges from the registry,
identifiers flagged, valid names) and records files an import into REDCap accepts; the round trip of the demo
and of a generated series through REDCap's files into an empty database (same stats, counts and values); a
hand-written REDCap project in the shapes REDCap really exports, read through a YAML mapping with the rows
and per-row errors expected; and mapping files that cannot be used, refused with their line and key."""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from myocase.cli import main
from myocase.domain.fields import TABLES, table
from myocase.services import exports, importing
from myocase.services.analysis_settings import load_settings
from myocase.services.redcap import RedcapError, read_redcap
from myocase.services.redcap_format import iso_date
from myocase.services.redcap_own import all_own_fields
from myocase.store.casebook import Casebook
from myocase.store.database import backup_database

from tests import export_series
from tests.factories import TODAY

FILES = Path(__file__).parent / "redcap_files"
DICTIONARY, RECORDS, LABELS = (FILES / f for f in ("registry_dictionary.csv", "registry_records.csv",
                                                    "registry_records_labels.csv"))  # fmt: skip
MAPPING = FILES / "registry_mapping.yaml"
# REDCap's data dictionary header, as REDCap writes it (../shared/reference/redcap.md).
REDCAP_HEADER = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
]  # fmt: skip
REDCAP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
IMPORTED = ("patients", "antibodies", "medication_courses", "assessments", "adverse_events")
INTERNAL_IDS = ("course_id", "assessment_id", "event_id")  # database numbers: a new database gives new ones


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def _export(db: Path, out: Path, *identified: str) -> tuple[Path, Path, Path]:
    """The dictionary, records and instructions ``myocase export --format redcap`` writes."""
    assert main(["export", "--db", str(db), "--format", "redcap", "--out", str(out), *identified]) == 0
    kinds = ("dictionary.csv", "records.csv", "instructions.txt")
    dictionary, records, instructions = (next(out.glob(f"*-redcap_{kind}")) for kind in kinds)
    return dictionary, records, instructions


@pytest.fixture
def series_db(book: Casebook, db_path: Path) -> Path:
    export_series.store(book)
    return db_path


@pytest.fixture(params=[True, False], ids=["identified", "de-identified"])
def exported(
    request: pytest.FixtureRequest, series_db: Path, tmp_path: Path
) -> tuple[bool, Path, Path, Path]:
    identified = request.param
    return (identified, *_export(series_db, tmp_path / "out", *(["--identified"] if identified else [])))


# ----------------------------------------------------------------- the data dictionary


def test_dictionary_header_is_redcaps_and_every_exported_column_is_in_it(
    exported: tuple[bool, Path, Path, Path], series_db: Path, tmp_path: Path
) -> None:
    identified, dictionary, records, _ = exported
    assert _header(dictionary) == REDCAP_HEADER
    rows = _rows(dictionary)
    assert (rows[0]["Variable / Field Name"], rows[0]["Form Name"]) == ("study_id", "patients")
    assert [r["Form Name"] for r in rows] == sorted(
        (r["Form Name"] for r in rows), key=[t.name for t in TABLES].index
    )
    # the tidy CSV export of the same series: each of its columns is one dictionary field of its table
    csv_out = tmp_path / "csv"
    args = ["export", "--db", str(series_db), "--format", "csv", "--out", str(csv_out)]
    assert main(args + (["--identified"] if identified else [])) == 0
    for t in TABLES:
        header = _header(next(csv_out.glob(f"*-{t.name}.csv")))
        columns = [c for c in header if c != "study_id"]
        names = [
            r["Variable / Field Name"]
            for r in rows
            if r["Form Name"] == t.name and r["Variable / Field Name"] != "study_id"
        ]
        assert len(names) == len(columns), t.name
        assert all(n == c or n.endswith("_" + c) for n, c in zip(names, columns, strict=True)), t.name
    # and the records file has exactly the dictionary's fields, in its order, with a status after each form
    header = _header(records)
    expected = ["study_id", "redcap_repeat_instrument", "redcap_repeat_instance"]
    for form in dict.fromkeys(r["Form Name"] for r in rows):
        expected += [r["Variable / Field Name"] for r in rows[1:] if r["Form Name"] == form] + [
            f"{form}_complete"
        ]
    assert header == expected


def test_field_names_are_valid_redcap_names_and_unique(exported: tuple[bool, Path, Path, Path]) -> None:
    rows = _rows(exported[1])
    names = [r["Variable / Field Name"] for r in rows]
    assert all(REDCAP_NAME.match(n) and len(n) <= 100 and "___" not in n for n in names)
    assert len(set(names)) == len(names)
    forms = {r["Form Name"] for r in rows}
    assert not {f"{form}_complete" for form in forms} & set(names)
    assert not [n for n in names if n.startswith("redcap_") or n in ("record", "event_id", "arm", "instance")]


def test_types_validation_and_ranges_come_from_the_registry(exported: tuple[bool, Path, Path, Path]) -> None:
    identified, dictionary, _, _ = exported
    rows = {r["Variable / Field Name"]: r for r in _rows(dictionary)}

    def row(name: str) -> tuple[str, ...]:
        r = rows[name]
        return (r["Field Type"], r["Text Validation Type OR Show Slider Number"], r["Text Validation Min"],
                r["Text Validation Max"])  # fmt: skip

    assert row("age_at_onset") == ("text", "integer", "0", "120")
    assert row("as_cdasi_activity") == ("text", "integer", "0", "100")
    assert row("as_haq") == ("text", "number", "0", "3")
    assert row("rx_dose") == ("text", "number", "0", "100000")
    assert row("as_ck_xuln") == ("text", "number_2dp", "", "")
    assert row("rx_start_day") == ("text", "integer", "", "")
    assert row("as_cdasi_gottron_papules") == ("yesno", "", "", "")
    assert row("vignette")[0] == "notes"
    assert rows["sex"]["Field Type"] == "radio"
    assert (
        rows["sex"]["Choices, Calculations, OR Slider Labels"]
        == "1, Female | 2, Male | 3, Other | 4, Not recorded"
    )
    assert rows["ae_grade"]["Field Type"] == "dropdown"
    assert rows["rx_start_precision"]["Choices, Calculations, OR Slider Labels"] == (
        "1, Known to the day | 2, Known to the month | 3, Known to the year"
    )
    assert "day 0" in rows["rx_start_day"]["Field Note"]
    assert rows["as_tis_total"]["Field Annotation"] == "@READONLY"
    if identified:
        assert row("rx_start") == ("text", "date_ymd", "", "")
        assert "rx_start_precision" in rows["rx_start"]["Field Note"]
        assert row("as_assessed_on") == ("text", "date_ymd", "", "")
    else:
        assert not {"rx_start", "as_assessed_on"} & set(rows)
    for f in (f for t in TABLES for f in t.fields if f.low is not None and not f.choices):
        name = next(
            (
                n
                for n in rows
                if rows[n]["Form Name"] == f.table and (n == f.name or n.endswith("_" + f.name))
            ),
            None,
        )
        if name is not None and rows[name]["Field Type"] == "text":
            limits = (rows[name]["Text Validation Min"], rows[name]["Text Validation Max"])
            assert tuple(map(float, limits)) == (f.low, f.high), name


def test_identifiers_are_flagged(exported: tuple[bool, Path, Path, Path]) -> None:
    identified, dictionary, _, instructions = exported
    flagged = sorted(r["Variable / Field Name"] for r in _rows(dictionary) if r["Identifier?"] == "y")
    assert flagged == (["birth_year", "date_of_birth", "full_name", "mrn"] if identified else [])
    assert ("IDENTIFIED" in dictionary.name) is identified
    text = instructions.read_text(encoding="utf-8")
    assert "antibodies, medication_courses, assessments, adverse_events, photos, phases" in text
    assert ("IDENTIFIED export" in text) is identified


def test_records_are_in_redcaps_flat_format(exported: tuple[bool, Path, Path, Path]) -> None:
    identified, dictionary, records, _ = exported
    fields = {r["Variable / Field Name"]: r for r in _rows(dictionary)}
    rows = _rows(records)
    forms = {r["Form Name"] for r in fields.values()}
    instances: Counter[tuple[str, str]] = Counter()
    for r in rows:
        form = r["redcap_repeat_instrument"] or "patients"
        assert r["redcap_repeat_instrument"] in ("", *forms - {"patients"})
        filled = {n for n, v in r.items() if v and n in fields and n != "study_id"}
        own = {form} if r["redcap_repeat_instrument"] else {"patients", "series"}  # the non-repeating forms
        assert {fields[n]["Form Name"] for n in filled} <= own, "a row holds only its own instrument's fields"
        if not r["redcap_repeat_instrument"]:
            assert r["series_complete"] == "1"
            assert r["series_index_drug"] == "upadacitinib", "every record carries the series' settings"
        assert r[f"{form}_complete"] == "1"
        if r["redcap_repeat_instrument"]:
            instances[(r["study_id"], form)] += 1
            assert r["redcap_repeat_instance"] == str(instances[(r["study_id"], form)])
        for n in filled:
            choices = fields[n]["Choices, Calculations, OR Slider Labels"]
            if fields[n]["Field Type"] in ("radio", "dropdown"):
                assert r[n] in [c.split(",")[0].strip() for c in choices.split("|")], n
            if fields[n]["Field Type"] == "yesno":
                assert r[n] in ("0", "1")
            if fields[n]["Text Validation Type OR Show Slider Number"] == "date_ymd":
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[n]), (n, r[n])
            if fields[n]["Text Validation Type OR Show Slider Number"] == "number_2dp":
                assert re.fullmatch(r"-?\d+\.\d\d", r[n]), (n, r[n])
    assert sum(1 for r in rows if not r["redcap_repeat_instrument"]) == 10
    if identified:  # partial dates: the first day, the precision beside it (diagnoses "2015-02" and "2015")
        patients = {r["study_id"]: r for r in rows if not r["redcap_repeat_instrument"]}
        written = [
            (patients[s]["diagnosis_date"], patients[s]["diagnosis_date_precision"])
            for s in ("GEN-02", "GEN-03")
        ]
        assert written == [("2015-02-01", "2"), ("2015-01-01", "3")]


# ----------------------------------------------------------------- round trips


def _stats(db: Path, capsys: pytest.CaptureFixture[str], *options: str) -> Any:
    capsys.readouterr()
    assert main(["stats", "--db", str(db), "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)


def _counts(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    capsys.readouterr()
    assert main(["info", "--db", str(db), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    return {k: info[k] for k in ("patients", "medication_courses", "assessments", "adverse_events")}


def _values(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every imported table of an identified export, without the database's own numbers."""
    book = Casebook.open(db, today=lambda: TODAY)
    try:
        data = exports.gather(book, identified=True)
    finally:
        book.close()
    result = {}
    for t in data.tables:
        if t.name in IMPORTED:
            keep = [n for n, name in enumerate(t.header) if name not in INTERNAL_IDS]
            result[t.name] = sorted(tuple(str(row[n]) for n in keep) for row in t.rows)
    return result


def _round_trip(source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    dictionary, records, _ = _export(source, tmp_path / "redcap", "--identified")
    target = tmp_path / "imported.sqlite"  # no database there: the series settings come in the records
    assert main(["import", "--db", str(target), "--format", "redcap", str(records), str(dictionary)]) == 0
    for options in ((), ("--identified",)):
        assert _stats(target, capsys, *options) == _stats(source, capsys, *options)
    assert _counts(target, capsys) == _counts(source, capsys)
    assert _values(target) == _values(source)
    assert _settings(target) == _settings(source)
    return target


def _settings(db: Path) -> tuple[Any, ...]:
    """The series' settings and analysis settings, without the demo flag (a property of the database)."""
    book = Casebook.open(db, today=lambda: TODAY)
    try:
        return replace(book.settings(), is_demo=False), load_settings(book)
    finally:
        book.close()


def test_the_demo_survives_the_round_trip_through_redcap(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = backup_database(demo_path, tmp_path / "demo.sqlite")
    _round_trip(source, tmp_path, capsys)
    capsys.readouterr()
    assert main(["info", "--db", str(source), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["patients"] == 10


def test_a_generated_series_survives_the_round_trip_with_partial_dates_and_every_choice(
    series_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = _round_trip(series_db, tmp_path, capsys)
    courses = _values(target)["medication_courses"]
    header = table("medication_courses").columns(True)
    at = [f.name for f in header if f.name not in INTERNAL_IDS].index("start")
    assert {len(c[at]) for c in courses} == {4, 7, 10}  # "2017", "2017-02", "2017-02-02" kept as written


def test_a_de_identified_export_cannot_be_imported(series_db: Path, tmp_path: Path) -> None:
    dictionary, records, _ = _export(series_db, tmp_path / "out")
    outcome = importing.import_files(
        tmp_path / "new.sqlite", importing.ImportFormat.REDCAP, [dictionary, records]
    )
    assert (outcome.written, (tmp_path / "new.sqlite").exists()) == (False, False)
    assert any("de-identified export" in p.reason for p in outcome.plan.problems)


def test_records_of_myocase_own_project_read_the_same_without_their_dictionary(
    series_db: Path, tmp_path: Path
) -> None:
    dictionary, records, _ = _export(series_db, tmp_path / "out", "--identified")
    alone, beside = read_redcap([records], None), read_redcap([dictionary, records], None)
    assert [(r.row, r.table, r.values) for r in alone] == [(r.row, r.table, r.values) for r in beside]
    assert Counter(r.table for r in alone) == Counter(
        {
            "patients": 10,
            "antibodies": 20,
            "medication_courses": 19,
            "assessments": 30,
            "adverse_events": 20,
            "series": 10,
        }  # the series settings, carried by every record
    )


# ----------------------------------------------------------------- a REDCap project in the shapes REDCap exports

EXPECTED = [  # (row, table, values) as read through the mapping; rows as a spreadsheet shows the file
    (2, "patients", {"study_id": "101", "sex": "F", "date_of_birth": "1970-05-02", "subtype": "DM", "ild": "yes",
                     "malignancy": "no", "vignette": "Heliotrope rash and Gottron's papules.\nDysphagia, resolved."}),
    (9, "patients", {"study_id": "102", "sex": "M", "date_of_birth": "1958-11-30", "subtype": "ASyS",
                     "malignancy": "no"}),
    (3, "assessments", {"study_id": "101", "assessed_on": "2021-01-10", "cdasi_activity": "24", "cdasi_damage": "3",
                        "ck": "1250", "ck_uln": "200", "physician_global": "6.5"}),
    (4, "medication_courses", {"study_id": "101", "drug": "upadacitinib", "drug_class": "JAK inhibitor",
                               "start": "2021-01-15", "dose": "15", "unit": "mg"}),
    (5, "medication_courses", {"study_id": "101", "drug": "methotrexate", "drug_class": "conventional immunosuppressant",
                               "start": "2019-06-01", "stop": "2020-12-01", "stop_reason": "inefficacy", "dose": "20",
                               "unit": "mg"}),
    (7, "assessments", {"study_id": "101", "assessed_on": "2021-07-12", "cdasi_activity": "250", "cdasi_damage": "2",
                        "ck": "180", "ck_uln": "200", "physician_global": "2"}),
    (8, "adverse_events", {"study_id": "101", "term": "herpes zoster", "grade": "2", "onset": "2021-05-03",
                           "serious": "0", "action": "interrupted"}),
    (10, "assessments", {"study_id": "102", "assessed_on": "2022-02-01", "cdasi_activity": "5", "ck": "12O0",
                         "ck_uln": "170", "physician_global": "4"}),
    (11, "medication_courses", {"study_id": "102", "drug": "baricitinib", "drug_class": "JAK inhibitor",
                                "start": "2022-02-05", "dose": "4", "unit": "mg"}),
    (12, "assessments", {"study_id": "102", "assessed_on": "2022-08-01", "cdasi_activity": "3",
                         "physician_global": "11"}),
]  # fmt: skip


def _filled(rows: list[Any]) -> list[tuple[int, str, dict[str, str]]]:
    return [(r.row, r.table, {k: v for k, v in r.values.items() if v is not None}) for r in rows]


def test_a_hand_written_longitudinal_export_reads_through_a_mapping() -> None:
    rows = read_redcap([RECORDS, DICTIONARY], MAPPING)
    assert (
        _filled(rows) == EXPECTED
    )  # empty repeat rows (6, 13) and unmapped fields (dysphagia, LDH) give nothing
    patient = rows[0]
    assert dict(patient.columns) == {
        "study_id": "record_id", "sex": "dem_sex", "date_of_birth": "dem_dob", "subtype": "dem_dx",
        "ild": "dem_organs___1", "malignancy": "dem_organs___2", "vignette": "dem_notes",
    }  # fmt: skip
    assert {r.source for r in rows} == {"registry_records.csv"}


def test_the_hand_written_export_imports_with_its_per_row_errors(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    outcome = importing.import_files(
        db, importing.ImportFormat.REDCAP, [DICTIONARY, RECORDS], mapping=MAPPING
    )
    assert (outcome.written, db.exists()) == (False, False)
    problems = [(p.source, p.row, p.column) for p in outcome.plan.problems]
    assert problems == [
        ("registry_records.csv", 7, "visit_cdasi_a"),  # 250: CDASI activity is 0–100
        ("registry_records.csv", 10, "visit_ck"),  # “12O0”: a letter O
        ("registry_records.csv", 12, "visit_pga"),  # 11 on a 0–10 scale
    ]
    reasons = [p.reason for p in outcome.plan.problems]
    assert [
        words in reason
        for words, reason in zip(
            ("between 0 and 100", "not a number", "between 0 and 10"), reasons, strict=True
        )
    ] == [True] * 3


def test_the_hand_written_export_once_corrected_is_stored(tmp_path: Path) -> None:
    fixed = tmp_path / "registry_records.csv"
    text = RECORDS.read_text(encoding="utf-8-sig")
    fixed.write_text(
        text.replace(",250,", ",25,").replace(",12O0,", ",1200,").replace(",11,,", ",1,,"), encoding="utf-8"
    )
    db = tmp_path / "new.sqlite"
    outcome = importing.import_files(db, importing.ImportFormat.REDCAP, [DICTIONARY, fixed], mapping=MAPPING)
    assert outcome.written, [str(p) for p in outcome.plan.problems]
    book = Casebook.open(db)
    try:
        first, second = sorted(book.patient_records(), key=lambda r: r.patient.study_id)
    finally:
        book.close()
    assert (first.patient.subtype.value, first.patient.ild.value, first.patient.malignancy.value) == (
        "DM",
        "yes",
        "no",
    )
    assert first.patient.vignette == "Heliotrope rash and Gottron's papules.\nDysphagia, resolved."
    assert first.identifiers is not None
    assert first.identifiers.date_of_birth == date(1970, 5, 2)
    assert [a.cdasi_activity for a in first.assessments] == [24, 25]
    assert sorted(c.drug for c in first.courses) == ["methotrexate", "upadacitinib"]
    assert [(e.term, e.grade, e.serious) for e in first.adverse_events] == [("herpes zoster", 2, False)]
    assert second.patient.ild.value == "unknown"  # an unticked box is not "no" unless the mapping says so
    assert [a.ck for a in second.assessments] == [1200.0, None]


def test_a_labels_export_reads_as_the_raw_one() -> None:
    rows = read_redcap([DICTIONARY, LABELS], MAPPING)
    assert _filled(rows) == [
        (2, "patients", {"study_id": "201", "sex": "F", "date_of_birth": "1981-09-14", "subtype": "ADM", "ild": "yes",
                         "malignancy": "no", "vignette": "Anti-MDA5 positive;\nrapidly progressive ILD."}),
        (3, "assessments", {"study_id": "201", "assessed_on": "2023-03-02", "cdasi_activity": "31", "cdasi_damage": "4",
                            "physician_global": "7"}),
        (4, "medication_courses", {"study_id": "201", "drug": "tofacitinib", "drug_class": "JAK inhibitor",
                                   "start": "2022-05-01", "stop": "2023-02-01", "stop_reason": "inefficacy",
                                   "dose": "10", "unit": "mg"}),
        (5, "adverse_events", {"study_id": "201", "term": "acneiform eruption", "grade": "1", "onset": "2023-04-10",
                               "serious": "0", "action": "none"}),
    ]  # fmt: skip
    assert rows[1].columns["cdasi_activity"] == "CDASI activity"  # the column as the file names it


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cell=st.one_of(
        st.text(max_size=60), st.sampled_from(['=HYPERLINK("x")', "2021-13-45", "1e999", "-", "x" * 5000])
    )
)
def test_any_cell_is_read_as_data_or_refused_with_its_row_and_column(tmp_path: Path, cell: str) -> None:
    rows = list(csv.reader(RECORDS.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    at = rows[0].index("visit_pga")
    rows[2][at] = cell  # the first baseline visit (row 3; the header is row 1)
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    with (folder / "records.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    outcome = importing.import_files(
        folder / "new.sqlite", importing.ImportFormat.REDCAP, [DICTIONARY, folder / "records.csv"], mapping=MAPPING,
        dry_run=True,
    )  # fmt: skip
    on_row = [p for p in outcome.plan.problems if p.row == 3]
    assert all(p.column == "visit_pga" for p in on_row)
    assert {(p.row, p.column) for p in outcome.plan.problems} - {(3, "visit_pga")} == {
        (7, "visit_cdasi_a"), (10, "visit_ck"), (12, "visit_pga"),
    }  # fmt: skip
    shutil.rmtree(folder)


# ----------------------------------------------------------------- what is refused, and how


def _mapping(tmp_path: Path, text: str, suffix: str = ".yaml") -> Path:
    path = tmp_path / f"mapping{suffix}"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fields:\n  dem_sex: patients.sex\nfeilds: {}\n", "line 3 (feilds): unknown key feilds"),
        ("fields:\n  dem_sex: patients.sex\n  dem_height: patients.height\n",
         "line 3 (fields.dem_height): no field dem_height in the dictionary"),
        ("fields:\n  dem_sex: patients.gender\n", "line 2 (fields.dem_sex.to): patients has no field gender"),
        ("fields:\n  dem_sex: visits.sex\n", "“visits” is not a MyoCase table that imports"),
        ("fields:\n  dem_sex:\n    to: patients.sex\n    choices: {1: F, 2: Male, 3: X}\n",
         "line 4 (fields.dem_sex.choices.3): dem_sex has no choice 3"),
        ("fields:\n  dem_dx:\n    to: patients.subtype\n    choices: {1: dermato}\n",
         "line 4 (fields.dem_dx.choices.1): “dermato” is not a value of patients.subtype"),
        ("date_format: 31/12/2021\nfields:\n  dem_dob: patients.date_of_birth\n",
         "line 1 (date_format): “31/12/2021” is not a date format"),
        ("fields:\n  med_name: drug\n", "say which table drug is in"),
        ("fields:\n  dem_notes: patients.vignette\n    to: x\n", "line 3: not a valid mapping file"),
        ("fields: {}\n", "the mapping maps no field"),
        ("events:\n  week_24_arm_1: [assessments, photos]\nfields:\n  dem_sex: patients.sex\n",
         "line 2 (events.week_24_arm_1): “photos” is not a MyoCase table that imports"),
    ],
)  # fmt: skip
def test_a_bad_mapping_is_refused_naming_its_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(RedcapError) as refused:
        read_redcap([DICTIONARY, RECORDS], _mapping(tmp_path, text))
    assert expected in str(refused.value)
    assert "mapping.yaml" in str(refused.value)


def test_every_problem_of_a_mapping_is_named_at_once(tmp_path: Path) -> None:
    text = "fields:\n  dem_sex: patients.gender\n  dem_size: patients.height\n"
    with pytest.raises(RedcapError) as refused:
        read_redcap([DICTIONARY, RECORDS], _mapping(tmp_path, text))
    lines = re.findall(r"mapping\.yaml, line (\d+)", str(refused.value))
    assert lines == ["2", "3"]


def test_a_json_mapping_reads_like_yaml_and_bad_json_is_refused_with_its_line(tmp_path: Path) -> None:
    good = '{"fields": {"dem_sex": {"to": "patients.sex", "choices": {"1": "F", "2": "M"}}}}'
    rows = read_redcap([DICTIONARY, RECORDS], _mapping(tmp_path, good, ".json"))
    assert [r.values["sex"] for r in rows] == ["F", "M"]
    with pytest.raises(RedcapError, match=r"mapping\.json, line 2: not valid JSON"):
        read_redcap([DICTIONARY, RECORDS], _mapping(tmp_path, '{"fields":\n {"dem_sex": }}', ".json"))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["registry_records.csv"], "data dictionary is needed"),
        (["registry_dictionary.csv"], "No REDCap records file"),
        (["registry_dictionary.csv", "registry_records.csv"], "was not built from MyoCase's dictionary"),
    ],
)
def test_missing_files_and_a_missing_mapping_are_explained(files: list[str], expected: str) -> None:
    with pytest.raises(RedcapError, match=expected):
        read_redcap([FILES / f for f in files], None)


def test_a_file_that_is_not_utf8_or_not_a_dictionary_is_refused(tmp_path: Path) -> None:
    latin = tmp_path / "records.csv"
    latin.write_bytes(RECORDS.read_bytes().replace(b"Gottron's", "Gottron\xe9s".encode("latin-1")))
    with pytest.raises(RedcapError, match=r"records\.csv, line 2: the file is not UTF-8.*CSV UTF-8"):
        read_redcap([DICTIONARY, latin], MAPPING)
    broken = tmp_path / "dictionary.csv"
    broken.write_text("Variable / Field Name,Form Name\nrecord_id,demographics\n", encoding="utf-8")
    with pytest.raises(
        RedcapError, match="is not a REDCap data dictionary: its header lacks “Section Header”"
    ):
        read_redcap([broken, RECORDS], MAPPING)


def test_the_command_line_refuses_a_bad_mapping_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = _mapping(tmp_path, "fields:\n  dem_sex: patients.gender\n")
    args = ["import", "--db", str(tmp_path / "new.sqlite"), "--format", "redcap", "--mapping", str(mapping)]
    assert main([*args, str(DICTIONARY), str(RECORDS)]) == 1
    shown = capsys.readouterr()
    assert "mapping.yaml, line 2 (fields.dem_sex.to): patients has no field gender" in shown.out
    assert "nothing was written" in shown.err
    assert not (tmp_path / "new.sqlite").exists()


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [("2021-03-04", "YYYY-MM-DD", "2021-03-04"), ("4/3/2021", "DD/MM/YYYY", "2021-03-04"),
     ("3/4/2021 10:15", "MM/DD/YYYY", "2021-03-04"), ("04.03.2021", "DD.MM.YYYY", "2021-03-04"),
     ("2021", "YYYY-MM-DD", "2021"), ("31/02/2021", "DD/MM/YYYY", "31/02/2021")],
)  # fmt: skip
def test_dates_are_read_in_the_mapping_format_and_left_as_written_otherwise(
    text: str, fmt: str, expected: str
) -> None:
    assert iso_date(text, fmt) == expected


def test_a_whole_checkbox_field_gives_the_value_of_each_ticked_box_it_maps(tmp_path: Path) -> None:
    one = "fields:\n  dem_organs: {to: patients.ild, choices: {1: yes}}\n  dem_sex: patients.sex\n"
    assert [r.values["ild"] for r in read_redcap([DICTIONARY, RECORDS], _mapping(tmp_path, one))] == [
        "yes",
        None,
    ]
    two = "fields:\n  dem_organs: {to: patients.ild, choices: {1: yes, 3: no}}\n"
    assert [r.values["ild"] for r in read_redcap([DICTIONARY, RECORDS], _mapping(tmp_path, two))] == [
        "yes; no"
    ]


def test_numbers_are_written_as_redcaps_number_validation_reads_them() -> None:
    dose = next(f for f in all_own_fields() if f.name == "rx_dose")
    ratio = next(f for f in all_own_fields() if f.name == "as_ck_xuln")
    assert [dose.to_redcap(v) for v in (0.00001, 400.0, 12.5)] == ["0.00001", "400", "12.5"]
    assert [ratio.to_redcap(v) for v in (7.5, 1.0)] == ["7.50", "1.00"]
