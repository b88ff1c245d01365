"""The field registry: every column of every exported table, described once (codebook, exports, imports).

A ``Field`` (``field_defs.py``) is one column: its table, a variable name valid in REDCap, SPSS,
Stata and R, label, type, unit, range, choices (from the vocabularies), how de-identification
treats it (``Policy``, the same as ``disclosure.FIELD_POLICY`` for every stored attribute) and,
for a derived column, how it is derived. A ``TableDef`` is one tidy table of them, in ``TABLES``.
Assessment measures are views of ``measures.MEASURES``, never restated here. ``Field.source``
names the stored attribute a column holds (``None`` for derived columns); ``NOT_EXPORTED`` gives
the reason for every stored attribute without a column, so that a field added to a record
without a decision fails the tests.

Dates: a date column (a real date, or a partial date as written) leaves only in identified
exports; its ``…_day`` companion (days from the patient's day 0, the index drug's start) always,
and a partial date's ``…_precision`` says to what it is known.
"""

from __future__ import annotations

from typing import Any

from .assessment_fields import assessments_table
from .cdasi import CdasiGrid, Mmt8Scores
from .field_defs import (
    DAY_ZERO,
    EDIT_COUNT,
    GRADES,
    IDENTIFIED_FIELD,
    IDENTIFIED_NOTE,
    LABELLED_NAME_MAX,
    LINK,
    NAME_PATTERN,
    PRECISIONS,
    YES_NO,
    Choice,
    Field,
    FieldType,
    Source,
    TableBuilder,
    TableDef,
    choices_of,
)
from .measures import MEASURES, Measure, Policy
from .phases import PhaseKind
from .records import (
    ONSET_AGE_RULE,
    AdverseEvent,
    AntibodyResult,
    Assessment,
    Consent,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    Photo,
    PhotoComparison,
    Provenance,
    SeriesSettings,
)
from .series_fields import SERIES, series_table
from .validation import MAX_DOSE
from .vocab import AeAction, AeOutcome, AntibodyStatus, DrugClass, Sex, StopReason, Subtype, TriState

__all__ = [
    "DAY_ZERO", "GRADES", "IDENTIFIED_FIELD", "IDENTIFIED_NOTE", "LABELLED_NAME_MAX", "NAME_PATTERN", "NOT_EXPORTED", "PRECISIONS",
    "SERIES", "TABLES", "YES_NO", "Choice", "Field", "FieldType", "Source", "TableDef", "all_fields", "choices_of",
    "field", "fields_of", "measure_of", "table",
]  # fmt: skip

TXT, NOTES, INT, DEC, CHOICE = (
    FieldType.TEXT,
    FieldType.NOTES,
    FieldType.INTEGER,
    FieldType.DECIMAL,
    FieldType.CHOICE,
)
BOOL, YNU = FieldType.BOOLEAN, FieldType.YES_NO_UNKNOWN

INDEX_STATUS_CHOICES = (
    Choice("on", "On the index drug at the data cut-off", 1),
    Choice("stopped", "Stopped the index drug before the cut-off", 2),
    Choice("never", "Never on the index drug", 3),
)
CONSENT_CHOICES = (
    Choice(Consent.YES.value, "Consent to publish given", 1),
    Choice(Consent.NO.value, "Consent refused", 2),
    Choice(Consent.UNKNOWN.value, "Consent not recorded", 3),
)
PHASE_CHOICES = (
    Choice(PhaseKind.PRIOR.value, "Prior immunosuppressants", 1),
    Choice(PhaseKind.JAK.value, "Earlier JAK inhibitor", 2),
    Choice(PhaseKind.INDEX.value, "Index drug", 3),
    Choice(PhaseKind.AFTER.value, "After the index drug", 4),
)


def _patients() -> TableDef:
    b = TableBuilder("patients", Patient)
    b.study_id()
    b.add("full_name", "Full name", TXT, policy=Policy.IDENTIFIER, source=Source(Identifiers, "full_name"))
    b.add("mrn", "Medical record number", TXT, policy=Policy.IDENTIFIER, source=Source(Identifiers, "mrn"))
    b.add(
        "date_of_birth", "Date of birth", FieldType.DATE, policy=Policy.IDENTIFIER,
        source=Source(Identifiers, "date_of_birth"),
    )  # fmt: skip
    b.add("subtype", "Diagnosis subtype", CHOICE, "subtype", choices=choices_of(Subtype))
    b.add("sex", "Sex", CHOICE, "sex", choices=choices_of(Sex))
    b.add("birth_year", "Year of birth", INT, "birth_year", low=1900, high=2100, policy=Policy.BIRTH_YEAR)
    b.add(
        "age_at_onset", "Age at onset", INT, "age_at_onset", unit="years", low=0, high=120, policy=Policy.AGE,
        derivation=ONSET_AGE_RULE,
    )  # fmt: skip
    b.date("diagnosis_date", "Diagnosis date", partial=True)
    b.add("ild", "Interstitial lung disease", YNU, "ild", choices=choices_of(TriState))
    b.add("malignancy", "Malignancy", YNU, "malignancy", choices=choices_of(TriState))
    b.add("vignette", "Clinical vignette", NOTES, "vignette", policy=Policy.TEXT)
    pooled = "Empty unless the patient came in a case bundle from another centre."
    for name, attribute, label in (
        ("centre", "centre", "Source centre"),
        ("source_series", "series_name", "Source series"),
        ("source_study_id", "source_study_id", "Study ID at the source centre"),
    ):
        b.add(name, label, TXT, policy=Policy.TEXT, source=Source(Provenance, attribute), help=pooled)
    b.add(
        "index_status", "Index drug at the cut-off", CHOICE, choices=INDEX_STATUS_CHOICES,
        derivation="Whether the patient was on the series' index drug at the data cut-off, had stopped it, or never had it.",
    )  # fmt: skip
    b.add(
        "prior_immunosuppressants", "Prior immunosuppressants", INT, low=0, high=100,
        derivation="Distinct systemic immunosuppressants started before the index drug (glucocorticoids and "
        "topicals do not count).",
    )  # fmt: skip
    return TableDef("patients", "Patients", Patient, False, ("study_id",), b.done(), "One row per patient.")


def _antibodies() -> TableDef:
    b = TableBuilder("antibodies", AntibodyResult)
    b.study_id()
    b.add("antibody", "Antibody", TXT, "antibody", key=True, policy=Policy.TEXT)
    b.add("status", "Result", CHOICE, "status", choices=choices_of(AntibodyStatus))
    b.date("tested_on", "Test date")
    return TableDef(
        "antibodies", "Antibodies", AntibodyResult, True, ("study_id", "antibody"), b.done(),
        "One row per patient and antibody recorded.",
    )  # fmt: skip


def _courses() -> TableDef:
    b = TableBuilder("medication_courses", MedicationCourse)
    b.study_id()
    b.add("course_id", "Course number", INT, "id", key=True, derivation="", help=LINK)
    b.add("drug", "Drug", TXT, "drug", policy=Policy.TEXT)
    b.add("drug_class", "Drug class", CHOICE, "drug_class", choices=choices_of(DrugClass))
    b.date("start", "Start", partial=True)
    b.date("stop", "Stop", partial=True)
    b.add("stop_reason", "Reason stopped", CHOICE, "stop_reason", choices=choices_of(StopReason))
    b.add("dose", "Dose", DEC, "dose", low=0, high=MAX_DOSE)
    b.add("unit", "Dose unit", TXT, "unit", policy=Policy.TEXT)
    b.add("frequency", "Frequency", TXT, "frequency", policy=Policy.TEXT)
    b.add("notes", "Notes", NOTES, "notes", policy=Policy.TEXT)
    b.add(
        "index_course", "Index drug course", BOOL, choices=YES_NO,
        derivation="1 for the patient's first course of the series' index drug (its start is day 0).",
    )  # fmt: skip
    return TableDef(
        "medication_courses", "Medication courses", MedicationCourse, True, ("study_id", "course_id"),
        b.done(), "One row per course of a drug.",
    )  # fmt: skip


def _events() -> TableDef:
    b = TableBuilder("adverse_events", AdverseEvent)
    b.study_id()
    b.add("event_id", "Event number", INT, "id", key=True, help=LINK)
    b.add("term", "Event", TXT, "term", policy=Policy.TEXT)
    b.add("grade", "CTCAE grade", INT, "grade", low=1, high=5, choices=GRADES)
    b.date("onset", "Onset")
    b.date("resolution", "Resolution")
    b.add("serious", "Serious", BOOL, "serious", choices=YES_NO)
    b.add("suspected_drug", "Suspected drug", TXT, "suspected_drug", policy=Policy.TEXT)
    b.add("action", "Action taken", CHOICE, "action", choices=choices_of(AeAction))
    b.add("outcome", "Outcome", CHOICE, "outcome", choices=choices_of(AeOutcome))
    b.add("notes", "Notes", NOTES, "notes", policy=Policy.TEXT)
    return TableDef(
        "adverse_events", "Adverse events", AdverseEvent, True, ("study_id", "event_id"), b.done(),
        "One row per adverse event.",
    )  # fmt: skip


def _photos() -> TableDef:
    b = TableBuilder("photos", Photo)
    b.study_id()
    b.add("photo_id", "Photo number", INT, "id", key=True, help=LINK)
    b.add("media_type", "Image type", TXT, "media_type")
    b.add("width", "Width", INT, "width", unit="pixels", low=1, high=100_000)
    b.add("height", "Height", INT, "height", unit="pixels", low=1, high=100_000)
    b.date("taken_on", "Date taken")
    b.add(
        "assessment_id",
        "Assessment number",
        INT,
        "assessment_id",
        help="The assessment the photo belongs to.",
    )
    b.add("body_site", "Body site", TXT, "body_site", policy=Policy.TEXT)
    b.add("caption", "Caption", NOTES, "caption", policy=Policy.TEXT)
    b.add("consent", "Consent to publish", CHOICE, "consent", choices=CONSENT_CHOICES)
    b.add("identifiable", "Identifiable (face, tattoo…)", BOOL, "identifiable", choices=YES_NO)
    b.add("in_report", "Chosen for the report", BOOL, "in_report", choices=YES_NO)
    b.add(
        "annotation_count",
        "Annotations",
        INT,
        low=0,
        high=10_000,
        derivation="Number of shapes drawn over it.",
    )
    b.add(
        "cropped",
        "Cropped",
        BOOL,
        choices=YES_NO,
        derivation="1 when a crop is set (only the crop is shown).",
    )
    return TableDef(
        "photos", "Photos", Photo, True, ("study_id", "photo_id"), b.done(),
        "One row per photo: what is recorded about it, never its pixels.",
    )  # fmt: skip


def _phases() -> TableDef:
    b = TableBuilder("phases", None)
    b.study_id()
    b.add("phase_no", "Phase number", INT, key=True, low=1, high=100, derivation="1, 2, … in time order.")
    b.add("kind", "Phase", CHOICE, choices=PHASE_CHOICES, derivation=PHASE_RULE)
    b.add("label", "Phase name", TXT, policy=Policy.TEXT, derivation="The phase as the timeline names it.")
    b.add("drug", "Drug", TXT, policy=Policy.TEXT, derivation="The JAK inhibitor of the phase (empty for prior "
          "immunosuppressants and after the index drug).")  # fmt: skip
    b.date(None, "Phase start", name="start", derivation="The earliest possible start of the phase.")
    b.date(
        None,
        "Phase stop",
        name="stop",
        derivation="The end of the phase; empty when still running at the cut-off.",
    )
    b.add(
        "ongoing",
        "Ongoing at the cut-off",
        BOOL,
        choices=YES_NO,
        derivation="1 when the phase runs past the cut-off.",
    )
    return TableDef(
        "phases", "Treatment phases", None, True, ("study_id", "phase_no"), b.done(),
        "One row per patient and treatment phase; start and stop in days from the index drug start.",
    )  # fmt: skip


PHASE_RULE = (
    "Prior immunosuppressants (from the first systemic immunosuppressant to the first JAK inhibitor), each "
    "earlier JAK inhibitor, the index drug, and after it when it stopped before the cut-off."
)

TABLES: tuple[TableDef, ...] = (
    _patients(), _antibodies(), _courses(), assessments_table(), _events(), _photos(), _phases(), series_table(),
)  # fmt: skip
TABLES_BY_NAME: dict[str, TableDef] = {t.name: t for t in TABLES}


def table(name: str) -> TableDef:
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"No table {name!r}: the tables are {', '.join(TABLES_BY_NAME)}") from None


def field(table_name: str, name: str) -> Field:
    return table(table_name).field(name)


def all_fields() -> tuple[Field, ...]:
    return tuple(f for t in TABLES for f in t.fields)


def fields_of(record: type[Any]) -> tuple[Field, ...]:
    """The columns holding a stored attribute of ``record``, in table order."""
    return tuple(f for f in all_fields() if f.source is not None and f.source.record is record)


def measure_of(f: Field) -> Measure | None:
    """The registry measure an assessment column shows, if any."""
    if f.source is None or f.source.record is not Assessment:
        return None
    return next((m for m in MEASURES if m.field == f.source.attribute), None)


# Stored attributes without a column of their own, with the reason.
NOT_EXPORTED: dict[type[Any], dict[str, str]] = {
    PatientRecord: {
        "patient": "exported as the patients table",
        "identifiers": "exported in the patients table (identified exports only)",
        "courses": "exported as the medication_courses table",
        "assessments": "exported as the assessments table",
        "adverse_events": "exported as the adverse_events table",
        "photos": "exported as the photos table (metadata only)",
        "comparisons": "report layout (which photos sit side by side), not data",
        "photo_data": "pixels never leave in a data export",
    },
    Patient: {
        "id": LINK,
        "version": EDIT_COUNT,
        "antibodies": "exported as the antibodies table",
        "provenance": "exported as the centre, source_series and source_study_id columns",
    },
    Provenance: {
        "bundle_file": "bookkeeping of the import (the audit trail keeps it), not data",
        "imported_at": "bookkeeping of the import (the audit trail keeps it), not data",
    },
    Identifiers: {"patient_id": LINK},
    AntibodyResult: {},
    MedicationCourse: {"patient_id": LINK, "version": EDIT_COUNT},
    Assessment: {
        "patient_id": LINK,
        "version": EDIT_COUNT,
        "cdasi_grid": "exported item by item (cdasi_… columns) when the grid was scored",
        "mmt8_groups": "exported group by group (mmt8_… columns) when the groups were graded",
    },
    CdasiGrid: {},
    Mmt8Scores: {},
    AdverseEvent: {"patient_id": LINK, "version": EDIT_COUNT},
    Photo: {
        "patient_id": LINK,
        "version": EDIT_COUNT,
        "sha256": "a fingerprint of the pixels: it would let anyone holding the picture say whose it is",
        "annotations": "vector shapes drawn over the picture: counted in annotation_count",
        "crop": "the crop's rectangle is a display choice: cropped says whether there is one",
    },
    PhotoComparison: {
        name: "report layout, not data" for name in ("patient_id", "name", "photo_ids", "id", "version")
    },
    SeriesSettings: {"is_demo": "a property of the database, not of the data"},
}
