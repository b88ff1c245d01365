"""The import's pure half: each cell read by its registry field's type (numbers, dates and partial dates,
choices by code or label, yes/no, empty = not recorded), the columns a file may have, and the plan: records
built and validated as the forms validate them, matched to what is stored, every problem by row and column."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from myocase.domain.dates import PartialDate, Precision
from myocase.domain.fields import field, table
from myocase.domain.import_plan import plan_import
from myocase.domain.import_series import CurrentSeries
from myocase.domain.imports import CREATE, UNCHANGED, UPDATE, CellError, RowProblem, SourceRow, parse_cell
from myocase.domain.records import AntibodyResult, Identifiers, PatientRecord, SeriesSettings
from myocase.domain.vocab import AeAction, AntibodyStatus, Sex, Subtype, TriState

from tests.factories import TODAY, make_assessment, make_course, make_patient


def cell(table: str, name: str, text: str | None) -> object:
    return parse_cell(field(table, name), text)


def refusal(table: str, name: str, text: str) -> str:
    with pytest.raises(CellError) as caught:
        parse_cell(field(table, name), text)
    return str(caught.value)


# ----------------------------------------------------------------- cells


@pytest.mark.parametrize("text", [None, "", "   ", "\t\n"])
@pytest.mark.parametrize(
    ("table", "name"),
    [
        ("patients", "vignette"), ("patients", "birth_year"), ("assessments", "ck"), ("assessments", "assessed_on"),
        ("medication_courses", "start"), ("patients", "subtype"), ("patients", "ild"), ("adverse_events", "serious"),
    ],
)  # fmt: skip
def test_an_empty_or_blank_cell_is_not_recorded_whatever_the_type(
    table: str, name: str, text: str | None
) -> None:
    assert cell(table, name, text) is None


def test_whole_numbers_are_read_as_written_and_never_rounded() -> None:
    assert cell("patients", "birth_year", "1970") == 1970
    assert cell("patients", "birth_year", " 1970 ") == 1970
    assert cell("patients", "birth_year", "1970.0") == 1970  # as a spreadsheet writes a whole number
    assert "not a whole number: write it without decimals" in refusal("patients", "birth_year", "1970.5")
    assert refusal("patients", "birth_year", "nineteen") == "“nineteen” is not a whole number"
    assert "not a whole number" in refusal("patients", "birth_year", "9" * 5000)  # no int() of 5000 digits


def test_decimals_accept_a_point_and_an_exponent_and_name_a_comma() -> None:
    assert cell("assessments", "ck", "1500.5") == 1500.5
    assert cell("assessments", "ck", "-2") == -2.0  # the range is the validation's to judge
    assert cell("assessments", "ck", "1.2E3") == 1200.0
    assert refusal("assessments", "ck", "1,5") == "“1,5” is not a number: write decimals with a point (1.5)"
    for bad in ("nan", "inf", "1e999", "12 U/L", "=SUM(A1)"):
        assert refusal("assessments", "ck", bad).endswith("is not a number")


def test_a_full_date_must_be_iso_and_have_its_day() -> None:
    assert cell("assessments", "assessed_on", "2021-03-04") == date(2021, 3, 4)
    assert (
        refusal("assessments", "assessed_on", "03/04/2021") == "“03/04/2021” is not a date: write YYYY-MM-DD"
    )
    assert refusal("assessments", "assessed_on", "2021-03") == "“2021-03” needs a day: write YYYY-MM-DD"
    assert "not a real date" in refusal("assessments", "assessed_on", "2021-02-30")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", PartialDate(date(2019, 1, 1), Precision.YEAR)),
        ("2019-03", PartialDate(date(2019, 3, 1), Precision.MONTH)),
        ("2019-03-14", PartialDate(date(2019, 3, 14), Precision.DAY)),
    ],
)
def test_partial_dates_keep_the_precision_they_are_written_to(text: str, expected: PartialDate) -> None:
    assert cell("medication_courses", "start", text) == expected


def test_a_partial_date_in_another_form_is_refused_naming_the_forms_allowed() -> None:
    assert refusal("medication_courses", "start", "March 2019") == (
        "“March 2019” is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
    )


def test_choices_are_read_by_code_or_by_label_in_any_case() -> None:
    assert cell("patients", "subtype", "DM") == "DM"
    assert cell("patients", "subtype", "dm") == "DM"
    assert cell("patients", "subtype", "clinically amyopathic dm (adm)") == "ADM"
    assert cell("patients", "sex", "Not recorded") == "U"
    assert cell("adverse_events", "grade", "3") == 3
    assert cell("adverse_events", "grade", "3: severe or hospitalisation") == 3
    assert refusal("adverse_events", "grade", "7").startswith(
        "“7” is not one of the allowed values (1 = 1: Mild;"
    )


def test_yes_no_unknown_and_yes_no_fields() -> None:
    assert cell("patients", "ild", "Yes") == "yes"
    assert cell("patients", "ild", "unknown") == "unknown"
    assert "is not one of the allowed values (yes = Yes; no = No; unknown = Unknown)" in refusal(
        "patients", "ild", "maybe"
    )
    assert cell("adverse_events", "serious", "1") is True
    assert cell("adverse_events", "serious", "No") is False
    assert cell("adverse_events", "serious", "TRUE") is True
    assert refusal("adverse_events", "serious", "2") == "“2” is not 1 (yes) or 0 (no)"


def test_text_is_kept_as_written_but_control_characters_are_refused() -> None:
    assert cell("patients", "vignette", '  =HYPERLINK("x")\nline two\t') == '  =HYPERLINK("x")\nline two\t'
    assert (
        refusal("patients", "vignette", "a\x00b")
        == "holds the control character U+0000, which is not text: remove it"
    )


def test_a_refused_cell_is_quoted_short() -> None:
    reason = refusal("assessments", "ck", "x" * 10_000)
    assert reason.startswith("“" + "x" * 40 + "… (10,000 characters)”")


# ----------------------------------------------------------------- plans


def row(table: str, number: int, source: str = "f.csv", **values: str | None) -> SourceRow:
    return SourceRow(source, number, table, values, {})


PATIENT = {"study_id": "MYO-01", "subtype": "DM", "sex": "F", "birth_year": "1970"}
COURSE = {"study_id": "MYO-01", "drug": "upadacitinib", "drug_class": "JAK inhibitor", "start": "2021-03"}
ASSESSMENT = {"study_id": "MYO-01", "assessed_on": "2021-03-01", "cdasi_activity": "20"}
EVENT = {
    "study_id": "MYO-01",
    "term": "zoster",
    "grade": "2",
    "onset": "2021-05-01",
    "serious": "0",
    "action": "none",
}


def plan(*rows: SourceRow, existing: list[PatientRecord] | None = None):  # type: ignore[no-untyped-def]
    return plan_import(rows, existing or [], TODAY)


def reasons(*rows: SourceRow, existing: list[PatientRecord] | None = None) -> list[str]:
    return [str(p) for p in plan(*rows, existing=existing).problems]


def test_a_new_patient_with_a_course_assessment_and_event_is_planned_for_creation() -> None:
    result = plan(
        row("patients", 2, **PATIENT), row("medication_courses", 2, **COURSE),
        row("assessments", 2, **ASSESSMENT), row("adverse_events", 2, **EVENT),
    )  # fmt: skip
    assert result.problems == ()
    assert result.counts()["patients"] == {CREATE: 1, UPDATE: 0, UNCHANGED: 0}
    (patient,) = result.patients
    assert patient.after == make_patient(antibodies=(), id=None)
    assert result.courses[0].after.start == PartialDate(date(2021, 3, 1), Precision.MONTH)
    assert result.events[0].after.action is AeAction.NONE


def test_every_failing_cell_and_rule_is_listed_by_row_and_column() -> None:
    found = reasons(
        row("patients", 2, **{**PATIENT, "birth_year": "1870"}),
        row("patients", 3, **{**PATIENT, "study_id": "MYO 02", "subtype": ""}),
        row("assessments", 2, **{**ASSESSMENT, "physician_global": "11"}),
        row("adverse_events", 2, **{**EVENT, "serious": "", "action": ""}),
    )  # fmt: skip
    assert found == [
        f"f.csv:2: birth_year: Year of birth must be between 1900 and {TODAY.year}.",
        "f.csv:2: physician_global: Physician global activity must be between 0 and 10.",
        "f.csv:2: action: Choose the action taken with the drug (None if it went on unchanged).",
        "f.csv:2: serious: Serious is required: write 1 (yes) or 0 (no)",
        "f.csv:3: study_id: Study ID may hold letters, digits, '.', '_' and '-' only (at most 32), and must start "
        "with a letter or digit: it identifies the case, not the person.",
        "f.csv:3: subtype: Choose the diagnosis subtype (Other if none fits).",
    ]


def test_an_empty_cell_stores_not_recorded_and_never_a_guess() -> None:
    result = plan(row("patients", 2, study_id="MYO-01", subtype="PM", sex="", ild="", birth_year=""))
    (patient,) = result.patients
    assert patient.after.sex is Sex.UNKNOWN
    assert patient.after.ild is TriState.UNKNOWN
    assert patient.after.birth_year is None


def test_a_required_date_left_empty_is_named_once() -> None:
    assert reasons(
        row("patients", 2, **PATIENT), row("assessments", 4, **{**ASSESSMENT, "assessed_on": ""})
    ) == ["f.csv:4: assessed_on: Assessment date is required (YYYY-MM-DD)"]


def test_a_precision_column_must_agree_with_its_date() -> None:
    found = reasons(
        row("patients", 2, **PATIENT), row("medication_courses", 2, **COURSE, start_precision="year"),
        row("medication_courses", 3, **{**COURSE, "drug": "methotrexate"}, start_precision="month"),
    )  # fmt: skip
    assert found == [
        "f.csv:2: start_precision: says the date is known to the year, but start 2021-03 is written to the "
        "month: correct one of them (or empty this column)"
    ]


def test_rows_of_an_unknown_patient_and_duplicate_rows_are_refused() -> None:
    found = reasons(
        row("patients", 2, **PATIENT), row("patients", 3, **PATIENT),
        row("assessments", 2, **ASSESSMENT), row("assessments", 3, **ASSESSMENT),
        row("adverse_events", 2, **{**EVENT, "study_id": "MYO-99"}),
    )  # fmt: skip
    assert found == [
        "f.csv:2: study_id: no patient MYO-99 in the patients table or the series: add the patient first",
        "f.csv:3: the same study ID as row 2 (matched by study ID): keep one of them",
        "f.csv:3: the same record as row 2 (matched by study ID and date): keep one of them",
    ]


def test_unknown_columns_and_a_deidentified_export_are_refused_at_the_header() -> None:
    assert reasons(row("patients", 2, **PATIENT, comments="x")) == [
        "f.csv:1: comments: is not a column of the patients table: rename it to one of the codebook's fields, or "
        "remove it (its data would not be imported)"
    ]
    deidentified = {k: v for k, v in ASSESSMENT.items() if k != "assessed_on"}
    (problem,) = plan(row("assessments", 2, **deidentified, assessed_on_day="12")).problems
    assert (problem.row, problem.column) == (1, "assessed_on_day")
    assert problem.reason.startswith("a de-identified export: its dates are days from each patient's day 0")
    assert "--identified" in problem.reason


def test_tables_not_imported_are_noted_and_unknown_ones_refused() -> None:
    result = plan(row("photos", 2, "p.csv", study_id="MYO-01"), row("visits", 2, "v.csv", study_id="MYO-01"))
    assert result.notes == ("p.csv: not read: photos are not imported from a data export (it holds no pixels): "
                            "add them in the Photos tab.",)  # fmt: skip
    assert result.problems == (
        RowProblem("v.csv", 0, "", "visits is not a table MyoCase imports (patients, antibodies, "
                   "medication_courses, assessments, adverse_events)"),
    )  # fmt: skip


def _stored() -> PatientRecord:
    patient = make_patient(id=7, antibodies=(AntibodyResult("Anti-MDA5", AntibodyStatus.POSITIVE),))
    course = make_course(7, start="2021-03", id=11)
    assessment = make_assessment(7, "2021-03-01", id=12)
    return PatientRecord(patient, Identifiers(7, "Ann Example", "R1"), (course,), (assessment,))


def test_stored_records_are_matched_and_only_what_differs_is_updated() -> None:
    result = plan(
        row("patients", 2, study_id="myo-01", subtype="DM", sex="F", birth_year="1970", full_name="Ann Example"),
        row("medication_courses", 2, **{**COURSE, "drug": "UPADACITINIB", "dose": "30"}),
        row("assessments", 2, **ASSESSMENT),
        row("antibodies", 2, study_id="MYO-01", antibody="Anti-MDA5", status="negative"),
        existing=[_stored()],
    )  # fmt: skip
    assert result.problems == ()
    (patient,) = result.patients
    assert patient.action == UPDATE  # the antibody result changed
    assert patient.after.study_id == "MYO-01"  # the stored spelling stays
    assert patient.after.antibodies == (AntibodyResult("Anti-MDA5", AntibodyStatus.NEGATIVE),)
    assert patient.identifiers_after == Identifiers(7, "Ann Example", "R1")  # mrn kept: no column for it
    (course,) = result.courses
    assert (course.action, course.after.id, course.after.dose) == (UPDATE, 11, 30.0)
    assert course.after.drug == "UPADACITINIB"  # matched in any case; the file's spelling is its data
    assert result.assessments[0].action == UNCHANGED


def test_a_file_row_matching_two_stored_records_is_refused() -> None:
    stored = _stored()
    twice = replace(stored, assessments=(*stored.assessments, make_assessment(7, "2021-03-01", id=13)))
    assert reasons(row("assessments", 5, **ASSESSMENT), existing=[twice]) == [
        "f.csv:5: matches 2 stored records of this patient: correct them in MyoCase first"
    ]


def test_an_age_at_onset_an_export_derived_stays_derived() -> None:
    derived = {**PATIENT, "diagnosis_date": "2015", "age_at_onset": "45"}  # 2015 - 1970
    (patient,) = plan(row("patients", 2, **derived)).patients
    assert patient.after.age_at_onset is None
    assert patient.after.onset_age == 45
    (typed,) = plan(row("patients", 2, **{**derived, "age_at_onset": "44"})).patients
    assert typed.after.age_at_onset == 44


def test_a_validation_problem_of_an_antibody_is_shown_on_its_row() -> None:
    found = reasons(
        row("patients", 2, **PATIENT),
        row("antibodies", 2, study_id="MYO-01", antibody="Anti-Jo-1", status="positive", tested_on="2030-01-01"),
    )  # fmt: skip
    assert found == [
        f"f.csv:2: antibodies: Anti-Jo-1 test date (2030-01-01) is in the future: today is {TODAY}."
    ]


def test_a_subtype_is_typed_as_its_vocabulary() -> None:
    (patient,) = plan(row("patients", 2, **{**PATIENT, "subtype": "Inclusion body myositis (IBM)"})).patients
    assert patient.after.subtype is Subtype.IBM


# ----------------------------------------------------------------- random cells, without a database

RANDOM_CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        ("", " ", "\x00", '=HYPERLINK("x")', "2019", "2019-02-30", "31/12/2019", "1e999", "nan", "Yes")
    ),
    st.text(max_size=30),
    st.integers(-(10**40), 10**40).map(str),
    st.floats().map(str),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(100, 20_000)),
)
IMPORTED = {
    "patients": PATIENT,
    "medication_courses": COURSE,
    "assessments": ASSESSMENT,
    "adverse_events": EVENT,
}


@settings(max_examples=300, deadline=None)
@given(
    changes=st.lists(st.tuples(st.sampled_from(sorted(IMPORTED)), st.data()), min_size=1, max_size=4),
)
def test_random_cells_give_a_plan_or_row_and_column_problems_never_an_exception(changes: list) -> None:  # type: ignore[type-arg]
    rows = {name: dict(values) for name, values in IMPORTED.items()}
    for name, data in changes:
        column = data.draw(st.sampled_from([f.name for f in table(name).fields if not f.meta]))
        rows[name][column] = data.draw(RANDOM_CELLS)
    result = plan(*(row(name, 2, **values) for name, values in rows.items()))
    for problem in result.problems:
        assert problem.row in (1, 2)
        assert problem.reason
    if result.ok:
        assert len(result.patients) == 1
        assert result.changes == 4


# ----------------------------------------------------------------- the series row

SERIES_ROW = {
    "name": "JAK series",
    "cutoff": "2023-12-31",
    "index_drug": "tofacitinib",
    "window_before": "60",
}


def test_a_new_series_takes_the_files_settings_and_says_so() -> None:
    result = plan(row("patients", 2, **PATIENT), row("series", 2, "series.csv", **SERIES_ROW))
    assert result.problems == ()
    assert result.takes_series
    assert result.series is not None
    taken = result.series.settings(SeriesSettings())
    assert (taken.name, taken.cutoff, taken.index_drug) == ("JAK series", date(2023, 12, 31), "tofacitinib")
    assert result.series.analysis({"window_before": 90, "tolerance": 28}) == {
        "window_before": 60,
        "tolerance": 28,
    }
    assert any("are taken" in note and "“tofacitinib”" in note for note in result.notes)


def test_an_existing_series_keeps_its_settings_and_the_note_names_each_difference() -> None:
    stored = PatientRecord(make_patient())
    current = CurrentSeries(SeriesSettings("Ours", date(2023, 12, 31), "upadacitinib"), {"window_before": 90})
    result = plan_import(
        [row("patients", 2, **PATIENT), row("series", 2, "series.csv", **SERIES_ROW)], [stored], TODAY,
        current=current,
    )  # fmt: skip
    assert result.problems == ()
    assert not result.takes_series
    (note,) = [n for n in result.notes if "keeps its own settings" in n]
    assert "name “Ours” (the files: “JAK series”)" in note
    assert "index drug “upadacitinib” (the files: “tofacitinib”)" in note
    assert "analysed against the series' index drug, upadacitinib" in note
    assert "window_before" in note
    assert "cut-off" not in note  # the same in both
    same = CurrentSeries(
        SeriesSettings("JAK series", date(2023, 12, 31), "tofacitinib"), {"window_before": 60}
    )
    again = plan_import([row("series", 2, **SERIES_ROW)], [stored], TODAY, current=same)
    assert not [n for n in again.notes if "settings" in n]


def test_series_rows_must_agree_and_hold_valid_settings() -> None:
    found = reasons(
        row("series", 2, "r.csv", **SERIES_ROW),
        row("series", 3, "r.csv", **{**SERIES_ROW, "index_drug": "baricitinib"}),
    )
    assert found == ["r.csv:3: index_drug: “baricitinib” differs from “tofacitinib” in r.csv row 2: a series has "
                     "one setting of each; make them agree"]  # fmt: skip
    bad = reasons(
        row(
            "series", 2, **{**SERIES_ROW, "window_before": "900", "subtypes": "DM XX", "cutoff": "2999-01-01"}
        )
    )
    assert any("window_before: 900 is outside 0–365" in r for r in bad)
    assert any("subtypes: “XX” is not a subtype" in r for r in bad)
    assert any(r.startswith("f.csv:2: cutoff:") for r in bad)
    assert reasons(row("series", 2, shoe_size="44")) == [
        "f.csv:1: shoe_size: is not a column of the series table: rename it to one of the codebook's fields, "
        "or remove it (its data would not be imported)"
    ]
