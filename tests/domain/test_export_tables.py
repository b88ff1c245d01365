"""The tidy tables of a data export: every column in the codebook and back, values as recorded, time as
days from the index drug start, nothing identifying unless asked for, formulas neutralised."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from myocase.domain.analysis import AnalysisSettings
from myocase.domain.clock import DateMode
from myocase.domain.disclosure import Disclosure
from myocase.domain.export_tables import (
    CODEBOOK_HEADER,
    FORMULA_STARTS,
    ExportTable,
    build_tables,
    cell,
    codebook,
    neutralised,
    unneutralised,
)
from myocase.domain.fields import IDENTIFIED_FIELD, IDENTIFIED_NOTE, TABLES, FieldType, table
from myocase.domain.records import Identifiers, PatientRecord

from tests import export_series
from tests.leaky import BORN, MRN, NAME, fill_text, leaks_in

CUTOFF = date(2023, 6, 30)


def _tables(records: list[PatientRecord], identified: bool) -> dict[str, ExportTable]:
    disclosure = Disclosure.of(
        records, identified=identified, mode=DateMode.ACTUAL if identified else DateMode.INDEX_DAYS,
        index_drug="upadacitinib", cutoff=CUTOFF,
    )  # fmt: skip
    return {t.name: t for t in build_tables(records, disclosure, AnalysisSettings())}


@pytest.fixture(scope="module")
def series() -> list[PatientRecord]:
    return export_series.records()


@pytest.fixture(scope="module")
def deidentified(series: list[PatientRecord]) -> dict[str, ExportTable]:
    return _tables(series, False)


@pytest.fixture(scope="module")
def identified(series: list[PatientRecord]) -> dict[str, ExportTable]:
    return _tables(series, True)


def _row(t: ExportTable, **key: Any) -> dict[str, Any]:
    rows = [r for r in t.dicts() if all(r[k] == v for k, v in key.items())]
    assert len(rows) == 1, key
    return rows[0]


@pytest.mark.parametrize("mode", ["deidentified", "identified"])
def test_the_codebook_lists_every_column_and_only_those(mode: str, request: pytest.FixtureRequest) -> None:
    tables: dict[str, ExportTable] = request.getfixturevalue(mode)
    book = codebook(list(tables.values()))
    assert book.header == CODEBOOK_HEADER
    listed = [(r[0], r[1]) for r in book.rows]
    columns = [(t.name, name) for t in tables.values() for name in t.header]
    assert listed == columns
    assert len(set(listed)) == len(listed)
    for row in book.rows:
        f = table(row[0]).field(row[1])
        assert row[2:6] == (f.label, f.type.value, f.unit, f.allowed)


def test_deidentified_tables_have_no_identifying_or_calendar_column(
    deidentified: dict[str, ExportTable],
) -> None:
    for t in deidentified.values():
        assert not [f.name for f in t.columns if f.identifies or f.calendar or f.meta]
        assert all(len(row) == len(t.columns) for row in t.rows)
        for row in t.rows:
            assert not [v for v in row if isinstance(v, date)]
    assert "full_name" not in deidentified["patients"].header
    assert "assessed_on_day" in deidentified["assessments"].header


def test_identified_tables_say_so_in_every_row(identified: dict[str, ExportTable]) -> None:
    for t in identified.values():
        assert t.header[-1] == IDENTIFIED_FIELD
        assert set(t.values(IDENTIFIED_FIELD)) == {IDENTIFIED_NOTE}
    patients = identified["patients"]
    assert _row(patients, study_id="GEN-01")["full_name"] == "Quentin Zarkovskya"
    assert _row(patients, study_id="GEN-01")["date_of_birth"] == date(1950, 2, 3)


def test_time_is_days_from_the_index_drug_start(deidentified: dict[str, ExportTable]) -> None:
    visits = [r for r in deidentified["assessments"].dicts() if r["study_id"] == "GEN-01"]
    assert [r["assessed_on_day"] for r in visits] == [-9, 92, 275]  # from 2021-03-01
    courses = [r for r in deidentified["medication_courses"].dicts() if r["study_id"] == "GEN-10"]
    index = next(r for r in courses if r["index_course"] == 1)
    assert (index["start_day"], index["start_precision"]) == (0, "month")  # 2021-03: from its first day
    phases = [r for r in deidentified["phases"].dicts() if r["study_id"] == "GEN-04"]
    assert [(r["kind"], r["start_day"], r["stop_day"], r["ongoing"]) for r in phases][-2:] == [
        ("index", 0, 315, 0),
        ("after", 315, 851, 0),  # stopped 2022-01-10; the cut-off is 2023-06-30
    ]


def test_partial_dates_are_kept_as_written_when_identified(identified: dict[str, ExportTable]) -> None:
    patients = identified["patients"]
    assert [_row(patients, study_id=f"GEN-0{n}")["diagnosis_date"] for n in (1, 2, 3, 4)] == [
        "2015-01-01", "2015-02", "2015", None,
    ]  # fmt: skip
    assert _row(patients, study_id="GEN-02")["diagnosis_date_precision"] == "month"
    visit = _row(identified["assessments"], study_id="GEN-01", assessed_on_day=-9)
    assert visit["assessed_on"] == date(2021, 2, 20)


def test_ages_are_capped_only_when_deidentified(
    deidentified: dict[str, ExportTable], identified: dict[str, ExportTable]
) -> None:
    assert _row(deidentified["patients"], study_id="GEN-02")["age_at_onset"] == 90
    assert _row(identified["patients"], study_id="GEN-02")["age_at_onset"] == 95
    # no age recorded: derived from the years (diagnosis 2015, born 1953)
    assert _row(identified["patients"], study_id="GEN-04")["age_at_onset"] is None  # no diagnosis date
    assert _row(identified["patients"], study_id="GEN-06")["age_at_onset"] == 2015 - 1955


def test_every_stored_value_comes_out_as_recorded(
    series: list[PatientRecord], identified: dict[str, ExportTable]
) -> None:
    checked = 0
    for t in identified.values():
        for key, values in export_series.expected_rows(series, t.name, t.header):
            row = _row(t, **key)
            assert {k: row[k] for k in values} == values, (t.name, key)
            checked += len(values)
    assert checked > 2000


def test_every_choice_of_every_stored_coded_field_occurs(identified: dict[str, ExportTable]) -> None:
    for t in identified.values():
        for f in t.columns:
            if f.choices and f.source is not None:
                seen = {str(v) for v in t.values(f.name) if v is not None}
                assert seen == {c.code for c in f.choices}, (t.name, f.name)


def test_scores_derived_by_hand(deidentified: dict[str, ExportTable]) -> None:
    visits = {
        r["assessed_on_day"]: r for r in deidentified["assessments"].dicts() if r["study_id"] == "GEN-01"
    }
    base, follow, late = visits[-9], visits[92], visits[275]
    assert (base["is_baseline"], base["cdasi_severity"], base["ck_xuln"], base["tis_total"]) == (
        1,
        "severe",
        7.5,
        None,
    )
    assert (base["cdasi_source"], base["mmt8_source"]) == ("totals", "total")
    assert (follow["cdasi_source"], follow["mmt8_source"], follow["mmt8_total"]) == ("grid", "groups", 68)
    # physician 8→4: 40 % (an edge: lower band) 17.5; patient 7→3: 7.5; extramuscular 6→2: 15;
    # HAQ 1.5→0.5: 33 % 7.5; MMT-8 60→68 of 80: 10 % (edge) 10; CK 1500→200, ULN 200: 43 % 7.5
    points = [
        follow[f"tis_{k}_points"] for k in ("physician_global", "patient_global", "extramuscular_global")
    ]
    points += [follow[f"tis_{k}_points"] for k in ("haq", "mmt", "enzyme")]
    assert points == [17.5, 7.5, 15, 7.5, 10, 7.5]
    assert (follow["tis_total"], follow["tis_category"], follow["imacs_improved"]) == (65, "major", 1)
    assert late["tis_total"] is None
    assert late["cdasi_severity"] == "mild"
    never = [r for r in deidentified["assessments"].dicts() if r["study_id"] == "GEN-09"]
    assert {r["is_baseline"] for r in never} == {0}
    assert {r["tis_total"] for r in never} == {None}
    statuses = {r["study_id"]: r["index_status"] for r in deidentified["patients"].dicts()}
    assert (statuses["GEN-01"], statuses["GEN-04"], statuses["GEN-09"]) == ("on", "stopped", "never")


def test_photos_leave_as_metadata(deidentified: dict[str, ExportTable]) -> None:
    photos = deidentified["photos"]
    assert "sha256" not in photos.header
    rows = {r["study_id"]: r for r in photos.dicts()}
    assert (rows["GEN-03"]["annotation_count"], rows["GEN-03"]["cropped"]) == (2, 0)
    assert (rows["GEN-02"]["annotation_count"], rows["GEN-02"]["cropped"]) == (1, 1)


def _leaky_series() -> list[PatientRecord]:
    records = export_series.records()
    first = records[0]
    leaky = replace(
        fill_text(first),
        identifiers=Identifiers(first.patient.id or 0, full_name=NAME, mrn=MRN, date_of_birth=BORN),
    )
    return [leaky, *records[1:]]


def test_no_identifier_leaves_a_deidentified_table() -> None:
    tables = _tables(_leaky_series(), False)
    texts = [str(v) for t in tables.values() for row in t.rows for v in row if v is not None]
    texts += [v for row in codebook(list(tables.values())).rows for v in row]
    assert not leaks_in("\n".join(texts))
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", "\n".join(texts))
    assert "[removed]" in tables["patients"].dicts()[0]["vignette"]  # the leaky patient, cleaned
    identified = _tables(_leaky_series(), True)
    assert NAME in {v for row in identified["patients"].rows for v in row}


@given(st.text(max_size=40))
@example("'=")  # typed with an apostrophe before a formula sign: read back as typed
def test_text_cells_never_start_like_a_formula(text: str) -> None:
    safe = neutralised(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert unneutralised(safe) == text
    assert safe == text or safe == "'" + text


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_are_untouched(number: float) -> None:
    decimal = table("assessments").field("ck")
    integer = table("assessments").field("cdasi_activity")
    assert cell(decimal, number) == float(number)
    if isinstance(number, int):
        assert cell(integer, number) == number
        assert isinstance(cell(integer, number), int)


def test_every_table_of_the_registry_is_built(deidentified: dict[str, ExportTable]) -> None:
    assert list(deidentified) == [t.name for t in TABLES]
    decimals = [f for t in TABLES for f in t.fields if f.type is FieldType.DECIMAL]
    assert decimals
    assert all(f.unit or f.derived or f.source for f in decimals)
