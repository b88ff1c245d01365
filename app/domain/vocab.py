"""Coded vocabularies: subtypes, antibodies, drug classes and the drug catalogue.

Source: ../shared/reference/myositis.md sections 6–8. Each enum's ``label`` is what the
user reads; its value is what the database stores and the command line prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Subtype(StrEnum):
    DM = "DM"
    ADM = "ADM"
    HDM = "HDM"
    ASYS = "ASyS"
    PM = "PM"
    IMNM = "IMNM"
    IBM = "IBM"
    JDM = "JDM"
    OVERLAP = "overlap"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _SUBTYPE_LABELS[self]


_SUBTYPE_LABELS = {
    Subtype.DM: "Dermatomyositis (DM)",
    Subtype.ADM: "Clinically amyopathic DM (ADM)",
    Subtype.HDM: "Hypomyopathic DM",
    Subtype.ASYS: "Antisynthetase syndrome (ASyS)",
    Subtype.PM: "Polymyositis (PM)",
    Subtype.IMNM: "Immune-mediated necrotising myopathy (IMNM)",
    Subtype.IBM: "Inclusion body myositis (IBM)",
    Subtype.JDM: "Juvenile DM (JDM)",
    Subtype.OVERLAP: "Overlap myositis",
    Subtype.OTHER: "Other",
}


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"
    UNKNOWN = "U"

    @property
    def label(self) -> str:
        return {"F": "Female", "M": "Male", "X": "Other", "U": "Not recorded"}[self.value]


class TriState(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "no": "No", "unknown": "Unknown"}[self.value]


class AntibodyStatus(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NOT_TESTED = "not tested"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# Myositis-specific antibodies, then myositis-associated ones (reference section 6).
ANTIBODIES: tuple[str, ...] = (
    "Jo-1", "PL-7", "PL-12", "EJ", "OJ",
    "Mi-2", "TIF1-γ", "NXP-2", "SAE", "MDA5",
    "SRP", "HMGCR", "cN-1A",
    "Ro52", "PM-Scl", "Ku", "U1-RNP",
)  # fmt: skip


class DrugClass(StrEnum):
    JAK = "JAK inhibitor"
    CONVENTIONAL = "conventional immunosuppressant"
    BIOLOGIC = "biologic"
    IVIG = "IVIG"
    GLUCOCORTICOID = "glucocorticoid"
    ANTIMALARIAL = "antimalarial"
    TOPICAL = "topical"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value[0].upper() + self.value[1:]

    @property
    def is_immunosuppressant(self) -> bool:
        """Counts as a (failed) systemic immunosuppressant before the index drug.

        Glucocorticoids, topicals and unclassified drugs do not; antimalarials do, as
        case series of refractory dermatomyositis count hydroxychloroquine among the
        treatments tried.
        """
        return self not in (DrugClass.GLUCOCORTICOID, DrugClass.TOPICAL, DrugClass.OTHER)


class StopReason(StrEnum):
    INEFFICACY = "inefficacy"
    ADVERSE_EVENT = "adverse event"
    PATIENT_CHOICE = "patient choice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class Drug:
    name: str
    drug_class: DrugClass
    dose: float | None = None
    unit: str = "mg"
    frequency: str = ""


# The catalogue offered in the drug picker; any other name may be typed.
DRUGS: tuple[Drug, ...] = (
    Drug("upadacitinib", DrugClass.JAK, 15, "mg", "once daily"),
    Drug("tofacitinib", DrugClass.JAK, 5, "mg", "twice daily"),
    Drug("baricitinib", DrugClass.JAK, 4, "mg", "once daily"),
    Drug("ruxolitinib", DrugClass.JAK, 10, "mg", "twice daily"),
    Drug("methotrexate", DrugClass.CONVENTIONAL, 20, "mg", "weekly"),
    Drug("mycophenolate mofetil", DrugClass.CONVENTIONAL, 1500, "mg", "twice daily"),
    Drug("azathioprine", DrugClass.CONVENTIONAL, 150, "mg", "once daily"),
    Drug("tacrolimus", DrugClass.CONVENTIONAL, 2, "mg", "twice daily"),
    Drug("cyclosporine", DrugClass.CONVENTIONAL, 100, "mg", "twice daily"),
    Drug("cyclophosphamide", DrugClass.CONVENTIONAL, 750, "mg/m²", "monthly"),
    Drug("leflunomide", DrugClass.CONVENTIONAL, 20, "mg", "once daily"),
    Drug("rituximab", DrugClass.BIOLOGIC, 1000, "mg", "two doses 2 weeks apart"),
    Drug("abatacept", DrugClass.BIOLOGIC, 125, "mg", "weekly"),
    Drug("IVIG", DrugClass.IVIG, 2, "g/kg", "monthly"),
    Drug("prednisone", DrugClass.GLUCOCORTICOID, 20, "mg", "once daily"),
    Drug("methylprednisolone", DrugClass.GLUCOCORTICOID, 1000, "mg", "once daily"),
    Drug("hydroxychloroquine", DrugClass.ANTIMALARIAL, 400, "mg", "once daily"),
    Drug("quinacrine", DrugClass.ANTIMALARIAL, 100, "mg", "once daily"),
    Drug("topical tacrolimus", DrugClass.TOPICAL, None, "", "twice daily"),
    Drug("topical corticosteroid", DrugClass.TOPICAL, None, "", "twice daily"),
)

DRUGS_BY_NAME: dict[str, Drug] = {d.name.casefold(): d for d in DRUGS}

UNITS: tuple[str, ...] = ("mg", "g", "mg/kg", "g/kg", "mg/m²", "µg", "units", "")
FREQUENCIES: tuple[str, ...] = (
    "once daily", "twice daily", "three times daily", "weekly", "every 2 weeks",
    "every 4 weeks", "monthly", "every 6 months", "single dose", "as needed",
)  # fmt: skip


def drug_class_of(name: str) -> DrugClass:
    """The class of a catalogue drug, or ``OTHER`` for a name the catalogue lacks."""
    drug = DRUGS_BY_NAME.get(name.strip().casefold())
    return drug.drug_class if drug else DrugClass.OTHER


def canonical_drug_name(name: str) -> str:
    """The catalogue's spelling of a drug name, or the name as typed."""
    drug = DRUGS_BY_NAME.get(name.strip().casefold())
    return drug.name if drug else name.strip()


class AeAction(StrEnum):
    NONE = "none"
    INTERRUPTED = "interrupted"
    DOSE_REDUCED = "dose reduced"
    DISCONTINUED = "discontinued"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AeOutcome(StrEnum):
    RESOLVED = "resolved"
    RESOLVING = "resolving"
    NOT_RESOLVED = "not resolved"
    SEQUELAE = "resolved with sequelae"
    FATAL = "fatal"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


CTCAE_GRADES: dict[int, str] = {
    1: "Mild",
    2: "Moderate",
    3: "Severe or hospitalisation",
    4: "Life-threatening",
    5: "Death",
}

# JAK inhibitor events of interest (reference section 8), offered as type-ahead terms.
AE_TERMS: tuple[str, ...] = (
    "acneiform eruption", "herpes zoster", "herpes simplex", "serious infection",
    "upper respiratory tract infection", "urinary tract infection", "hyperlipidaemia",
    "CPK elevation", "transaminase elevation", "neutropenia", "lymphopenia", "anaemia",
    "venous thromboembolism", "major adverse cardiovascular event", "malignancy",
)  # fmt: skip
