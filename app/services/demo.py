"""The synthetic demonstration case series, shaped like the published upadacitinib series.

Ten invented patients (5 DM, 3 ADM, 2 ASyS); none of them is a real person. The shape
follows ../shared/reference/myositis.md section 1: a mean of 4 prior immunosuppressants,
3 with tofacitinib before upadacitinib, upadacitinib started 2020-09 to 2023-06, 9 of 10
still on it at the 2023-06-30 cut-off and 1 stopped for a grade 3 acneiform eruption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..domain.dates import PartialDate
from ..domain.records import (
    AdverseEvent,
    AntibodyResult,
    Assessment,
    Identifiers,
    MedicationCourse,
    Patient,
    PatientRecord,
    SeriesSettings,
)
from ..domain.vocab import (
    DRUGS_BY_NAME,
    AeAction,
    AeOutcome,
    AntibodyStatus,
    Sex,
    StopReason,
    Subtype,
    TriState,
    canonical_drug_name,
    drug_class_of,
)
from ..store.casebook import Casebook
from .demo_photos import write_demo_photos

CUTOFF = date(2023, 6, 30)
INDEX_DRUG = "upadacitinib"
SERIES_NAME = "SYNTHETIC DEMO: upadacitinib in refractory inflammatory myositis"
SYNTHETIC_NOTE = "Synthetic demonstration case: invented data, not a real patient."


# Invented identifiers for two demo patients, to show how exports leave them out.
_FAKE_NAMES = {1: "Jordan Quillfeather", 2: "Morgan Ashcombe"}


class DemoRefused(Exception):
    """The database already holds records; the demo is never mixed into real data."""


@dataclass(frozen=True)
class _Prior:
    drug: str
    start: str
    stop: str | None
    reason: StopReason | None = StopReason.INEFFICACY


@dataclass(frozen=True)
class _Visit:
    day: int  # days from the upadacitinib start
    cdasi: int
    damage: int
    mmt: int = 148
    ck: float = 95
    md_global: float = 3.0
    pt_global: float = 4.0
    extra_global: float = 3.0
    haq: float = 0.5
    pruritus: float = 5
    prednisone: float = 10


@dataclass(frozen=True)
class _Case:
    subtype: Subtype
    sex: Sex
    birth_year: int
    onset_age: int
    diagnosed: str
    antibodies: tuple[tuple[str, AntibodyStatus], ...]
    ild: TriState
    upa_start: date
    priors: tuple[_Prior, ...]
    visits: tuple[_Visit, ...]
    story: str
    upa_stop: date | None = None


POS, NEG = AntibodyStatus.POSITIVE, AntibodyStatus.NEGATIVE


def _v(day: int, cdasi: int, damage: int, severity: float, **kw: float) -> _Visit:
    """A visit whose global scores and itch follow the skin activity ``severity`` (0–1)."""
    values: dict[str, float] = {
        "md_global": round(1 + 6 * severity, 1),
        "pt_global": round(1.5 + 6 * severity, 1),
        "extra_global": round(1 + 6 * severity, 1),
        "haq": round(0.25 + 1.0 * severity, 3),
        "pruritus": round(1 + 7 * severity),
        "prednisone": 5 + round(15 * severity / 2.5) * 2.5,
    }
    values.update(kw)
    return _Visit(day, cdasi, damage, **values)  # type: ignore[arg-type]


CASES: tuple[_Case, ...] = (
    _Case(
        Subtype.DM, Sex.FEMALE, 1968, 49, "2017-03", (("TIF1-γ", POS), ("Mi-2", NEG), ("MDA5", NEG)),
        TriState.NO, date(2020, 9, 14),
        (
            _Prior("hydroxychloroquine", "2017-04", "2018-01"),
            _Prior("methotrexate", "2017-06", "2019-02", StopReason.ADVERSE_EVENT),
            _Prior("mycophenolate mofetil", "2019-02", "2019-06"),
            _Prior("IVIG", "2018-05", "2020-10", StopReason.OTHER),
            _Prior("tofacitinib", "2019-06-03", "2020-09-13"),
        ),
        (
            _v(-480, 40, 6, 0.9), _v(-21, 32, 6, 0.7), _v(84, 18, 6, 0.4),
            _v(273, 11, 5, 0.25), _v(637, 8, 5, 0.15), _v(973, 8, 5, 0.15),
        ),
        "Photosensitive rash and Gottron's papules; skin disease refractory to "
        "methotrexate, mycophenolate and IVIG; partial response to tofacitinib.",
    ),
    _Case(
        Subtype.DM, Sex.FEMALE, 1975, 44, "2019-01", (("NXP-2", POS), ("TIF1-γ", NEG)),
        TriState.NO, date(2020, 11, 2),
        (
            _Prior("hydroxychloroquine", "2019", "2019", StopReason.INEFFICACY),
            _Prior("methotrexate", "2019-02", "2020-03"),
            _Prior("mycophenolate mofetil", "2020-03", None, None),
            _Prior("IVIG", "2019-09", "2020-10", StopReason.PATIENT_CHOICE),
        ),
        (_v(-35, 28, 3, 0.7), _v(90, 17, 3, 0.4), _v(280, 12, 3, 0.3), _v(700, 10, 3, 0.2)),
        "Heliotrope rash, V-sign and calcinosis; mild proximal weakness at onset that "
        "recovered with treatment.",
    ),
    _Case(
        Subtype.DM, Sex.MALE, 1961, 57, "2018-05", (("TIF1-γ", POS),),
        TriState.NO, date(2021, 3, 15),
        (
            _Prior("hydroxychloroquine", "2018", "2018"),
            _Prior("methotrexate", "2018-06", "2019-10"),
            _Prior("azathioprine", "2019-10", "2020-04", StopReason.ADVERSE_EVENT),
            _Prior("rituximab", "2020-04", "2020-04"),
            _Prior("tofacitinib", "2020-06-01", "2021-03-14"),
        ),
        (
            _v(-300, 31, 4, 0.8), _v(-10, 24, 4, 0.6), _v(85, 13, 4, 0.3),
            _v(260, 8, 4, 0.2), _v(620, 5, 4, 0.1),
        ),
        "Cancer screening negative. Extensive truncal erythema and pruritus; switched "
        "from tofacitinib to upadacitinib for persistent skin activity.",
    ),
    _Case(
        Subtype.DM, Sex.FEMALE, 1982, 36, "2018-09", (("Mi-2", POS),),
        TriState.NO, date(2021, 8, 9),
        (
            _Prior("methotrexate", "2018-10", "2019-11"),
            _Prior("mycophenolate mofetil", "2019-11", "2021-07"),
            _Prior("IVIG", "2020-02", "2021-08"),
        ),
        (
            _v(-7, 26, 2, 0.6), _v(98, 16, 2, 0.35), _v(189, 11, 2, 0.25),
            _v(280, 14, 2, 0.3),
        ),
        "Good skin response to upadacitinib, stopped after 6 months because of severe "
        "facial acneiform eruption (CTCAE grade 3); skin activity returned off treatment.",
        upa_stop=date(2022, 2, 20),
    ),
    _Case(
        Subtype.DM, Sex.FEMALE, 1958, 62, "2020-02", (("SAE", POS),),
        TriState.NO, date(2022, 1, 10),
        (
            _Prior("hydroxychloroquine", "2020-03", "2020-09"),
            _Prior("methotrexate", "2020-03", "2021-04"),
            _Prior("IVIG", "2021-01", "2021-12"),
            _Prior("rituximab", "2021-05", "2021-05"),
        ),
        (_v(-60, 35, 3, 0.8), _v(91, 20, 3, 0.45), _v(273, 12, 3, 0.25), _v(500, 9, 3, 0.2)),
        "Severe generalised erythema with ulceration of the knuckles; no muscle weakness "
        "after the first year.",
    ),
    _Case(
        Subtype.ADM, Sex.FEMALE, 1979, 38, "2017-10", (("MDA5", NEG), ("TIF1-γ", NEG)),
        TriState.NO, date(2021, 5, 17),
        (
            _Prior("hydroxychloroquine", "2017-10", "2019-03"),
            _Prior("methotrexate", "2018-02", "2020-04"),
            _Prior("tofacitinib", "2020-05-04", "2021-05-16"),
        ),
        (
            _v(-400, 27, 2, 0.7, mmt=150, ck=80), _v(-14, 22, 2, 0.55, mmt=150, ck=80),
            _v(84, 12, 2, 0.3, mmt=150, ck=75), _v(365, 6, 2, 0.15, mmt=150, ck=70),
        ),
        "Clinically amyopathic disease: scalp erythema, pruritus and poikiloderma; never weak.",
    ),
    _Case(
        Subtype.ADM, Sex.FEMALE, 1986, 33, "2019-07", (("MDA5", POS),),
        TriState.YES, date(2022, 4, 4),
        (
            _Prior("hydroxychloroquine", "2019-08", "2020-02"),
            _Prior("quinacrine", "2020-02", "2020-09"),
            _Prior("methotrexate", "2020-01", "2021-02", StopReason.PATIENT_CHOICE),
            _Prior("mycophenolate mofetil", "2021-02", None, None),
        ),
        (
            _v(-28, 19, 1, 0.5, mmt=150, ck=60), _v(84, 10, 1, 0.3, mmt=150, ck=55),
            _v(182, 7, 1, 0.2, mmt=150, ck=60), _v(420, 5, 1, 0.1, mmt=150, ck=58),
        ),
        "Palmar papules and mild stable interstitial lung disease on mycophenolate.",
    ),
    _Case(
        Subtype.ADM, Sex.MALE, 1971, 49, "2020-06", (("TIF1-γ", NEG), ("NXP-2", NEG)),
        TriState.NO, date(2022, 9, 12),
        (
            _Prior("hydroxychloroquine", "2020-07", "2021-01"),
            _Prior("methotrexate", "2020-09", "2021-10"),
            _Prior("mycophenolate mofetil", "2021-10", "2022-08"),
        ),
        (
            _v(-45, 30, 4, 0.75, mmt=150, ck=110), _v(35, 22, 4, 0.5, mmt=150, ck=100),
            _v(112, 16, 4, 0.35, mmt=150, ck=105), _v(252, 13, 4, 0.3, mmt=150, ck=98),
        ),
        "Extensive photodistributed erythema; no weakness or enzyme rise at any visit.",
    ),
    _Case(
        Subtype.ASYS, Sex.FEMALE, 1965, 51, "2016-11", (("Jo-1", POS), ("Ro52", POS)),
        TriState.YES, date(2021, 11, 22),
        (
            _Prior("methotrexate", "2016", "2017"),
            _Prior("mycophenolate mofetil", "2017-03", None, None),
            _Prior("tacrolimus", "2018-05", "2020-01", StopReason.ADVERSE_EVENT),
            _Prior("rituximab", "2020-02", "2021-02"),
            _Prior("IVIG", "2021-03", "2021-10"),
        ),
        (
            _v(-30, 6, 1, 0.5, mmt=136, ck=420), _v(90, 4, 1, 0.3, mmt=142, ck=240),
            _v(270, 3, 1, 0.2, mmt=145, ck=190), _v(560, 2, 1, 0.15, mmt=146, ck=170),
        ),
        "Mechanic's hands, arthritis and interstitial lung disease; mild proximal weakness.",
    ),
    _Case(
        Subtype.ASYS, Sex.MALE, 1969, 50, "2019-04", (("PL-7", POS), ("Ro52", NEG)),
        TriState.YES, date(2023, 1, 16),
        (
            _Prior("azathioprine", "2019-05", "2020-02"),
            _Prior("mycophenolate mofetil", "2020-02", None, None),
            _Prior("tacrolimus", "2020-09", "2022-06"),
            _Prior("rituximab", "2022-07", "2022-07"),
        ),
        (
            _v(-42, 8, 2, 0.55, mmt=138, ck=360), _v(56, 6, 2, 0.4, mmt=140, ck=300),
            _v(112, 5, 2, 0.3, mmt=143, ck=220), _v(140, 4, 2, 0.25, mmt=144, ck=200),
        ),
        "Progressive interstitial lung disease and myositis; upadacitinib added to mycophenolate.",
    ),
)  # fmt: skip


def _course(patient_id: int, prior: _Prior) -> MedicationCourse:
    drug = DRUGS_BY_NAME[prior.drug.casefold()]
    stop = PartialDate.parse(prior.stop) if prior.stop else None
    return MedicationCourse(
        patient_id=patient_id,
        drug=canonical_drug_name(prior.drug),
        drug_class=drug_class_of(prior.drug),
        dose=drug.dose,
        unit=drug.unit,
        frequency=drug.frequency,
        start=PartialDate.parse(prior.start),
        stop=stop,
        stop_reason=prior.reason if stop else None,
    )


def _assessment(patient_id: int, case: _Case, visit: _Visit) -> Assessment:
    both_sides = case.subtype is not Subtype.ASYS or visit.mmt > 80
    return Assessment(
        patient_id=patient_id,
        assessed_on=case.upa_start + timedelta(days=visit.day),
        cdasi_activity=visit.cdasi,
        cdasi_damage=visit.damage,
        mmt8_total=visit.mmt,
        mmt8_max=150 if both_sides else 80,
        ck=visit.ck,
        ck_uln=170,
        physician_global=visit.md_global,
        patient_global=visit.pt_global,
        extramuscular_global=visit.extra_global,
        haq=visit.haq,
        pruritus=visit.pruritus,
        prednisone_mg=visit.prednisone,
        fvc_pct=78 if case.ild is TriState.YES else None,
        dlco_pct=64 if case.ild is TriState.YES else None,
        notes="Synthetic demonstration visit.",
    )


def case_record(number: int, case: _Case, study_id: str | None = None) -> PatientRecord:
    """Case ``number`` as a new patient's record (its records' ``patient_id`` 0), for ``Casebook.add_many``."""
    diagnosed = PartialDate.parse(case.diagnosed)
    patient = Patient(
        study_id=study_id or f"DEMO-{number:02d}",
        subtype=case.subtype,
        sex=case.sex,
        birth_year=case.birth_year,
        age_at_onset=case.onset_age,
        diagnosis_date=diagnosed,
        antibodies=tuple(
            AntibodyResult(name, status, diagnosed.latest()) for name, status in case.antibodies
        ),
        ild=case.ild,
        malignancy=TriState.NO,
        vignette=f"{SYNTHETIC_NOTE} {case.story}",
    )
    identifiers = (
        Identifiers(0, full_name=_FAKE_NAMES[number], mrn=f"SYN-{number:04d}")
        if number in _FAKE_NAMES
        else None
    )
    stop = (case.upa_stop.isoformat(), StopReason.ADVERSE_EVENT) if case.upa_stop else (None, None)
    first_visit = case.upa_start + timedelta(days=case.visits[0].day)
    courses = (
        *(_course(0, prior) for prior in case.priors),
        _course(0, _Prior(INDEX_DRUG, case.upa_start.isoformat(), *stop)),
        _course(0, _Prior("prednisone", first_visit.isoformat(), None, None)),
    )
    visits = tuple(_assessment(0, case, visit) for visit in case.visits)
    return PatientRecord(patient, identifiers, courses, visits, tuple(_events(0, number, case)))


def _events(patient_id: int, number: int, case: _Case) -> list[AdverseEvent]:
    events: list[AdverseEvent] = []
    if case.upa_stop:
        events.append(
            AdverseEvent(
                patient_id, "acneiform eruption", 3, case.upa_stop - timedelta(days=26),
                resolution=case.upa_stop + timedelta(days=49), serious=False, suspected_drug=INDEX_DRUG,
                action=AeAction.DISCONTINUED, outcome=AeOutcome.RESOLVED,
                notes="Severe facial acne; upadacitinib stopped. Synthetic.",
            )
        )  # fmt: skip
    others = {
        2: ("herpes zoster", 2, 150, AeAction.INTERRUPTED),
        5: ("upper respiratory tract infection", 1, 60, AeAction.NONE),
        7: ("acneiform eruption", 1, 40, AeAction.NONE),
        9: ("hyperlipidaemia", 1, 200, AeAction.NONE),
    }
    if number in others:
        term, grade, day, action = others[number]
        onset = case.upa_start + timedelta(days=day)
        events.append(
            AdverseEvent(
                patient_id, term, grade, onset, resolution=onset + timedelta(days=21),
                suspected_drug=INDEX_DRUG, action=action, outcome=AeOutcome.RESOLVED, notes="Synthetic.",
            )
        )  # fmt: skip
    return events


def write_demo(book: Casebook) -> None:
    """Write the synthetic series into an empty database, in one transaction."""
    if not book.is_empty():
        raise DemoRefused(
            f"{book.path or 'The database'} already holds patients: the demo is only written "
            "into a new, empty database. Choose another file."
        )
    with book.batch():
        book.save_settings(
            SeriesSettings(name=SERIES_NAME, cutoff=CUTOFF, index_drug=INDEX_DRUG, is_demo=True)
        )
        book.add_many([case_record(number, case) for number, case in enumerate(CASES, start=1)])
        write_demo_photos(book)
