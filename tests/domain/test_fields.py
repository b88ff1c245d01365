"""The field registry covers every stored field once, names every column validly, and agrees with the
de-identification rule and the measure registry."""

from __future__ import annotations

import dataclasses
import typing
from collections import defaultdict
from enum import StrEnum

import pytest
from myocase.domain import fields as registry
from myocase.domain.annotations import Crop, Shape
from myocase.domain.cdasi import CDASI_SITE_ITEMS, CDASI_SITES, MMT8_GROUPS, CdasiGrid, Mmt8Scores
from myocase.domain.dates import PartialDate
from myocase.domain.disclosure import FIELD_POLICY
from myocase.domain.fields import (
    IDENTIFIED_FIELD,
    LABELLED_NAME_MAX,
    NAME_PATTERN,
    NOT_EXPORTED,
    SERIES,
    TABLES,
    FieldType,
    Source,
    fields_of,
    measure_of,
)
from myocase.domain.measures import MEASURES, ULN_SUFFIX, Policy
from myocase.domain.records import Assessment, Photo

# Records reached only through attributes that are not exported (a photo's shapes and crop).
ONLY_INSIDE_UNEXPORTED = {Shape: (Photo, "annotations"), Crop: (Photo, "crop")}
# The tuple shape of attributes exported item by item.
ITEM_SHAPES: dict[tuple[type, str], set[tuple[int, ...]]] = {
    (CdasiGrid, "sites"): {(s, i) for s in range(len(CDASI_SITES)) for i in range(len(CDASI_SITE_ITEMS))},
    (Mmt8Scores, "right"): {(n,) for n in range(len(MMT8_GROUPS))},
    (Mmt8Scores, "left"): {(n,) for n in range(len(MMT8_GROUPS) - 1)},
}


def _sources() -> dict[tuple[type, str], list[Source]]:
    found: dict[tuple[type, str], list[Source]] = defaultdict(list)
    for f in registry.all_fields():
        if f.source is not None:
            found[(f.source.record, f.source.attribute)].append(f.source)
    return found


@pytest.mark.parametrize("record", list(NOT_EXPORTED), ids=lambda r: r.__name__)
def test_every_stored_field_has_one_column_or_a_reason(record: type) -> None:
    sources = _sources()
    for attribute in (f.name for f in dataclasses.fields(record)):
        columns = sources.get((record, attribute), [])
        reason = NOT_EXPORTED[record].get(attribute)
        assert bool(columns) != bool(reason), f"{record.__name__}.{attribute}: a column or a reason, not both"
        if reason:
            assert len(reason) > 10
            continue
        whole = [s for s in columns if not s.index and not s.part]
        items = {s.index for s in columns if s.index}
        if (record, attribute) in ITEM_SHAPES:
            assert not whole
            assert items == ITEM_SHAPES[(record, attribute)]
            assert len(items) == len(columns), f"{record.__name__}.{attribute}: an item twice"
        else:
            assert len(whole) == 1, f"{record.__name__}.{attribute}: {len(whole)} columns"
            parts = [s.part for s in columns if s.part]
            assert len(parts) == len(set(parts))


def test_every_record_class_of_the_rule_is_decided() -> None:
    assert set(FIELD_POLICY) - set(NOT_EXPORTED) == set(ONLY_INSIDE_UNEXPORTED)
    for owner, attribute in ONLY_INSIDE_UNEXPORTED.values():
        assert attribute in NOT_EXPORTED[owner]
    for record, reasons in NOT_EXPORTED.items():
        names = {f.name for f in dataclasses.fields(record)}
        assert set(reasons) <= names, f"{record.__name__}: reasons for fields it does not have"


def test_registry_agrees_with_field_policy() -> None:
    for f in registry.all_fields():
        if f.source is None:
            continue
        rule = FIELD_POLICY[f.source.record][f.source.attribute]
        if f.source.part == "precision":  # a date's precision says nothing of the date itself
            assert (rule, f.policy) == (Policy.DATE, Policy.KEEP), f.name
        else:
            assert f.policy is rule, f.name
    # and the derived columns follow the same rule: calendar dates through the clock, words cleaned
    for f in registry.all_fields():
        if f.derived and f.calendar:
            assert f.policy is Policy.DATE
        if f.derived and f.type.free_text and not f.meta and f.name != "study_id":
            assert f.policy is Policy.TEXT, f.name


def test_identifiers_and_dates_leave_only_identified_exports() -> None:
    for t in TABLES:
        hidden = {f.name for f in t.fields if not f.in_export(False)}
        shown = {f.name for f in t.fields if f.in_export(True)}
        assert shown == set(t.names)
        for f in t.fields:
            if f.policy in (Policy.IDENTIFIER, Policy.BIRTH_YEAR) or f.calendar or f.meta:
                assert f.name in hidden
            else:
                assert f.name not in hidden
    patients = registry.table("patients")
    assert {"full_name", "mrn", "date_of_birth", "birth_year", "diagnosis_date"} <= {
        f.name for f in patients.fields if not f.in_export(False)
    }
    assert all(patients.field(n).identifies for n in ("full_name", "mrn", "date_of_birth", "birth_year"))


@pytest.mark.parametrize("t", TABLES, ids=lambda t: t.name)
def test_names_are_valid_variable_names_and_unique(t: registry.TableDef) -> None:
    names = t.names
    assert len(names) == len(set(names))
    assert not [n for n in names if not NAME_PATTERN.match(n) or len(n) > 31]
    assert not [f.name for f in t.fields if f.choices and len(f.name) > LABELLED_NAME_MAX]
    assert set(t.key) <= set(names)
    assert all(t.field(k).key for k in t.key)
    assert names[0] == ("name" if t.name == SERIES else "study_id")  # the series row belongs to no patient
    assert names[-1] == IDENTIFIED_FIELD
    assert all(f.table == t.name for f in t.fields)


def test_every_date_has_its_day_and_every_partial_date_its_precision() -> None:
    for t in TABLES:
        for f in t.fields:
            if (
                f.calendar and f.policy is Policy.DATE and t.name != SERIES
            ):  # a patient's day: no series-wide one
                day = t.field(f"{f.name}_day")
                assert day.type is FieldType.INTEGER
                assert day.unit == "days"
                assert day.in_export(False)
            if f.type is FieldType.PARTIAL_DATE:
                assert t.field(f"{f.name}_precision").choices == registry.PRECISIONS


def test_derived_columns_say_how_and_stored_ones_come_from_a_record() -> None:
    for f in registry.all_fields():
        assert f.label
        if f.derived:
            assert f.derivation, f"{f.table}.{f.name} is derived but says not how"
        assert (f.low is None) == (f.high is None)
        if f.type.coded:
            assert f.choices, f.name


def test_measures_are_views_of_the_measure_registry() -> None:
    assessments = registry.table("assessments")
    for m in MEASURES:
        f = assessments.field(m.field)
        assert measure_of(f) is m
        assert (f.label, f.unit, f.low, f.high) == (m.label, m.unit, m.low, m.high)
        assert f.type is (FieldType.INTEGER if m.integer else FieldType.DECIMAL)
        for companion in m.companions:
            assert assessments.field(companion).source == Source(Assessment, companion)
        if m.uln:
            assert assessments.field(m.field + ULN_SUFFIX).unit == m.unit
            assert assessments.field(f"{m.field}_xuln").derived


def _hints(record: type) -> dict[str, object]:
    return typing.get_type_hints(record)


def test_choices_come_from_the_vocabularies() -> None:
    checked = 0
    for f in registry.all_fields():
        if f.source is None or f.source.index or f.source.part:
            continue
        hint = _hints(f.source.record)[f.source.attribute]
        kinds = [a for a in (*typing.get_args(hint), hint) if isinstance(a, type) and issubclass(a, StrEnum)]
        if not kinds:
            continue
        kind = kinds[0]
        assert f.type in (FieldType.CHOICE, FieldType.YES_NO_UNKNOWN)
        assert [c.code for c in f.choices] == [m.value for m in kind], f.name
        numbers = [c.number for c in f.choices]
        assert len(set(numbers)) == len(numbers)
        checked += 1
    assert checked >= 10


def test_booleans_and_dates_have_the_types_of_their_attributes() -> None:
    for f in registry.all_fields():
        if f.source is None or f.source.index:
            continue
        hint = _hints(f.source.record)[f.source.attribute]
        args = set(typing.get_args(hint)) | {hint}
        if bool in args:
            assert f.type is FieldType.BOOLEAN
            assert [c.code for c in f.choices] == ["1", "0"]
        if PartialDate in args and not f.source.part:
            assert f.type is FieldType.PARTIAL_DATE


def test_codebook_text_of_a_field() -> None:
    sex = registry.field("patients", "sex")
    assert sex.allowed == "F = Female; M = Male; X = Other; U = Not recorded"
    assert registry.field("assessments", "cdasi_activity").allowed == "0–100"
    assert registry.field("assessments", "haq").range_text == "0–3"
    assert registry.field("medication_courses", "start").allowed == "YYYY, YYYY-MM or YYYY-MM-DD"
    assert "left out" in registry.field("patients", "mrn").deidentification
    assert "capped at 90" in registry.field("patients", "age_at_onset").deidentification
    with pytest.raises(KeyError, match="the tables are patients"):
        registry.table("nope")
    assert {f.name for f in fields_of(CdasiGrid)} >= {"cdasi_scalp_erythema", "cdasi_gottron_papules"}


def test_the_series_table_is_one_row_of_the_settings_and_the_cutoff_leaves_only_identified() -> None:
    series = registry.table(SERIES)
    assert (series.repeating, series.key) == (False, ())
    assert not series.field("cutoff").in_export(False)
    assert series.field("cutoff").in_export(True)
    assert {"name", "index_drug", "window_before", "measure", "aldolase_factor"} <= {
        f.name for f in series.columns(False)
    }
    # the analysis settings' columns are the keys they are stored under
    from myocase.domain.analysis import AnalysisSettings
    from myocase.domain.analysis_json import settings_to_json

    assert set(settings_to_json(AnalysisSettings())) <= set(series.names)
