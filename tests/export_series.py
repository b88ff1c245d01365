"""A generated series for the export tests: every choice of every coded field, partial dates of each
precision, missing values, CDASI grids with every item level, MMT-8 groups on one side and both,
and text that starts like a spreadsheet formula. ``records()`` gives it in memory (ids numbered),
``store(book)`` writes it through the storage API."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from io import BytesIO

from myocase.domain.annotations import Crop, Shape, ShapeKind
from myocase.domain.cdasi import CDASI_SITE_ITEMS, CDASI_SITES, CdasiGrid, Mmt8Scores
from myocase.domain.dates import PartialDate, Precision
from myocase.domain.fields import Field, table
from myocase.domain.records import (
    AdverseEvent,
    AntibodyResult,
    Assessment,
    Consent,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    Photo,
    Provenance,
)
from myocase.domain.vocab import (
    ANTIBODIES,
    AeAction,
    AeOutcome,
    AntibodyStatus,
    DrugClass,
    Sex,
    StopReason,
    Subtype,
    TriState,
)
from myocase.store.casebook import Casebook
from myocase.store.imaging import prepare_image

from tests.images import upright_pattern

FORMULAS = ('=HYPERLINK("http://x","click")', "+44 20 7946 0000", "-5 mg taper", "@SUM(A1:A9)")
PRECISIONS = tuple(Precision)
NON_FATAL = (AeOutcome.RESOLVED, AeOutcome.RESOLVING, AeOutcome.NOT_RESOLVED, AeOutcome.SEQUELAE)
CLASS_DRUGS = {
    DrugClass.JAK: "baricitinib", DrugClass.CONVENTIONAL: "methotrexate", DrugClass.BIOLOGIC: "rituximab",
    DrugClass.IVIG: "IVIG", DrugClass.GLUCOCORTICOID: "prednisone", DrugClass.ANTIMALARIAL: "hydroxychloroquine",
    DrugClass.TOPICAL: "topical tacrolimus", DrugClass.OTHER: "dapsone",
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    patient: Patient
    identifiers: Identifiers | None
    courses: tuple[MedicationCourse, ...]
    assessments: tuple[Assessment, ...]
    events: tuple[AdverseEvent, ...]
    photos: tuple[Photo, ...]


def _partial(k: int, year: int) -> PartialDate:
    return PartialDate(date(year, 1 + k % 12, 1 + k), PRECISIONS[k % 3])


def _grid(k: int) -> CdasiGrid:
    sites = tuple(
        tuple((s + i + k) % (item.maximum + 1) for i, item in enumerate(CDASI_SITE_ITEMS))
        for s in range(len(CDASI_SITES))
    )
    return CdasiGrid(sites, k % 4, k % 2 == 0, k % 2, k % 3, k % 3, (k + 1) % 2)


def _groups(k: int) -> Mmt8Scores:
    right = tuple((10 - (n + k) % 4) for n in range(8))
    return Mmt8Scores(right, tuple(10 - (n + k) % 3 for n in range(7)) if k % 2 else None)


def _patient(k: int) -> tuple[Patient, Identifiers | None]:
    antibodies = (
        AntibodyResult(ANTIBODIES[k], tuple(AntibodyStatus)[k % 3], date(2019, 5, 1 + k) if k % 2 else None),
        AntibodyResult(ANTIBODIES[k + 1], tuple(AntibodyStatus)[(k + 1) % 3]),
    )
    patient = Patient(
        f"GEN-{k + 1:02d}", tuple(Subtype)[k], tuple(Sex)[k % 4],
        birth_year=None if k % 3 == 0 else 1950 + k, age_at_onset=95 if k == 1 else (None if k % 2 else 40 + k),
        diagnosis_date=None if k % 4 == 3 else _partial(k, 2015), antibodies=antibodies,
        ild=tuple(TriState)[k % 3], malignancy=tuple(TriState)[(k + 1) % 3],
        vignette=FORMULAS[k % 4] if k % 2 == 0 else "",
    )  # fmt: skip
    ids = None if k % 2 else Identifiers(0, f"Quentin Zarkovsky{chr(97 + k)}", f"R-{k}", date(1950 + k, 2, 3))
    return patient, ids


def _courses(k: int) -> tuple[MedicationCourse, ...]:
    drug_class = tuple(DrugClass)[k % len(DrugClass)]
    stop_reason = tuple(StopReason)[k % len(StopReason)]
    prior = MedicationCourse(
        0, CLASS_DRUGS[drug_class], drug_class, _partial(k, 2017), _partial(k + 1, 2019), stop_reason,
        dose=None if k % 3 == 0 else 10.5 + k, unit="" if k % 3 == 0 else "mg", frequency=FORMULAS[(k + 1) % 4],
        notes="" if k % 2 else f"prior course {k}",
    )  # fmt: skip
    if k == 8:  # never on the index drug
        return (prior,)
    start = PartialDate(date(2021, 3, 1), Precision.MONTH if k == 9 else Precision.DAY)
    stopped = k == 3
    index = MedicationCourse(
        0, "upadacitinib", DrugClass.JAK, start, PartialDate(date(2022, 1, 10)) if stopped else None,
        StopReason.ADVERSE_EVENT if stopped else None, 15, "mg", "once daily",
    )  # fmt: skip
    return (prior, index)


def _assessments(k: int) -> tuple[Assessment, ...]:
    grid, groups = _grid(k), _groups(k)
    baseline = Assessment(
        0, date(2021, 2, 20), cdasi_activity=30 - k, cdasi_damage=5, mmt8_total=60 + k, mmt8_max=80,
        ck=1500.0 + k, ck_uln=200.0, aldolase=10.0, aldolase_uln=7.6, alt=None if k % 2 else 50.0,
        alt_uln=None if k % 2 else 40.0, physician_global=8.0, patient_global=7.0, extramuscular_global=6.0,
        haq=1.5, pruritus=5.0, prednisone_mg=20.0, fvc_pct=80.0 if k % 2 else None, notes=FORMULAS[k % 4],
    )  # fmt: skip
    followup = Assessment(
        0, date(2021, 6, 1), cdasi_activity=grid.activity_score(True), cdasi_damage=grid.damage,
        mmt8_total=groups.total, mmt8_max=groups.maximum, ck=200.0, ck_uln=200.0, physician_global=4.0 + k % 3,
        patient_global=3.0, extramuscular_global=2.0, haq=0.5, cdasi_grid=grid, mmt8_groups=groups,
    )  # fmt: skip
    late = Assessment(0, date(2021, 12, 1), cdasi_activity=10 + 2 * k, dlco_pct=70.5, notes="")
    return (baseline, followup, late)


def _events(k: int) -> tuple[AdverseEvent, ...]:
    grade = k % 5 + 1
    first = AdverseEvent(
        0, "herpes zoster" if k % 2 else "=cmd|' /C calc'!A0", grade, date(2021, 7, 1),
        resolution=date(2021, 8, 1) if k % 2 else None, serious=grade >= 3,
        suspected_drug="" if k % 3 else "upadacitinib", action=tuple(AeAction)[k % 4],
        outcome=AeOutcome.FATAL if grade == 5 else NON_FATAL[k % 4],
    )  # fmt: skip
    second = AdverseEvent(0, "acneiform eruption", 1, date(2021, 9, 1), outcome=AeOutcome.UNKNOWN)
    return (first, second)


def _photos(k: int) -> tuple[Photo, ...]:
    shapes = (Shape(ShapeKind.ARROW, ((0.1, 0.1), (0.3, 0.3))),) * (k % 3)
    return (
        Photo(
            0, "", "image/png", 64, 48, taken_on=None if k % 4 == 1 else date(2021, 6, 1 + k), body_site="hand",
            caption=FORMULAS[(k + 2) % 4], consent=tuple(Consent)[k % 3], identifiable=k % 2 == 1,
            in_report=k % 3 == 0, annotations=shapes, crop=Crop(0.1, 0.1, 0.9, 0.9) if k % 2 else None,
        ),
    )  # fmt: skip


def cases() -> list[Case]:
    out = []
    for k in range(len(Subtype)):
        patient, ids = _patient(k)
        out.append(Case(patient, ids, _courses(k), _assessments(k), _events(k), _photos(k)))
    return out


def records() -> list[PatientRecord]:
    """The series in memory, every record numbered as the store would."""
    result, next_id = [], iter(range(1, 10_000))
    for pid, case in enumerate(cases(), start=1):

        def own(items: tuple, _pid: int = pid) -> tuple:  # type: ignore[type-arg]
            return tuple(replace(x, patient_id=_pid, id=next(next_id)) for x in items)

        ids = None if case.identifiers is None else replace(case.identifiers, patient_id=pid)
        owned = (own(case.courses), own(case.assessments), own(case.events), own(case.photos))
        result.append(PatientRecord(replace(case.patient, id=pid), ids, *owned))
    return result


def _png(shade: int) -> bytes:
    image = upright_pattern()
    # in the middle, so that each patient's picture stays its own inside any crop
    image.putpixel((image.width // 2, image.height // 2), (shade, shade, shade))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def store(book: Casebook) -> None:
    """Write the series through the storage API (one transaction)."""
    with book.batch():
        for n, case in enumerate(cases()):
            patient = book.save_patient(case.patient, case.identifiers)
            pid = patient.id or 0
            for item in (*case.courses, *case.assessments, *case.events):
                book.save(replace(item, patient_id=pid))
            for photo in case.photos:
                stored, _ = book.add_photo(
                    pid, prepare_image(_png(n)), taken_on=photo.taken_on, body_site=photo.body_site,
                    caption=photo.caption, consent=photo.consent, identifiable=photo.identifiable,
                    in_report=photo.in_report,
                )  # fmt: skip
                book.save_photo(replace(stored, annotations=photo.annotations, crop=photo.crop))


# ----------------------------------------------------------------- what an export must show


def expected(value: object) -> object:
    """A stored value as an export must show it, stated here independently of the exporter: codes for
    choices, 1/0 for yes/no, partial dates as written, empty text as missing."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, PartialDate):
        return str(value)
    return None if value == "" else value


def _items(table_name: str, r: PatientRecord) -> list[tuple[dict[str, object], object]]:
    sid = {"study_id": r.patient.study_id}
    return {
        "patients": [(sid, r.patient)],
        "antibodies": [({**sid, "antibody": a.antibody}, a) for a in r.patient.antibodies],
        "medication_courses": [({**sid, "course_id": c.id}, c) for c in r.courses],
        "assessments": [({**sid, "assessment_id": a.id}, a) for a in r.assessments],
        "adverse_events": [({**sid, "event_id": e.id}, e) for e in r.adverse_events],
        "photos": [({**sid, "photo_id": p.id}, p) for p in r.photos],
    }.get(table_name, [])


def _owner(kind: type, item: object, r: PatientRecord) -> object:
    if kind is Identifiers:
        return r.identifiers
    if kind is CdasiGrid:
        return getattr(item, "cdasi_grid", None)
    if kind is Mmt8Scores:
        return getattr(item, "mmt8_groups", None)
    if kind is Provenance:
        return r.patient.provenance
    return r.patient if kind is Patient else item


def _stored(f: Field, item: object, r: PatientRecord) -> object:
    assert f.source is not None
    owner = _owner(f.source.record, item, r)
    value = None if owner is None else getattr(owner, f.source.attribute)
    for i in f.source.index:
        value = None if value is None or i >= len(value) else value[i]  # type: ignore[arg-type,index]
    if f.source.part == "precision":
        return None if value is None else value.precision.value  # type: ignore[attr-defined]
    return expected(value)


def expected_rows(
    records: list[PatientRecord], table_name: str, header: tuple[str, ...]
) -> list[tuple[dict[str, object], dict[str, object]]]:
    """(key of a row, {column: the value it must hold}) for the stored columns of one table (identified)."""
    t = table(table_name)
    columns = [t.field(n) for n in header if t.field(n).source is not None and n != "age_at_onset"]
    return [
        (key, {f.name: _stored(f, item, r) for f in columns})
        for r in records
        for key, item in _items(table_name, r)
    ]
