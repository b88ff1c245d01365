"""How much text each stored field may hold: the one table the database's column sizes and the shared
validation both read, so SQLite and PostgreSQL accept and refuse the same values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .dates import Precision
from .records import (
    AdverseEvent,
    AntibodyResult,
    AuditEntry,
    Consent,
    Identifiers,
    MedicationCourse,
    Patient,
    Photo,
    PhotoComparison,
    Provenance,
)
from .vocab import AeAction, AeOutcome, AntibodyStatus, DrugClass, Sex, StopReason, Subtype, TriState


@dataclass(frozen=True)
class Limit:
    """At most ``length`` characters; ``label`` names the field as the form shows it."""

    length: int
    label: str


# Text a user, an importer or a bundle writes, checked before anything is stored (``text_problems``).
TEXT_LIMITS: dict[type, dict[str, Limit]] = {
    Patient: {"study_id": Limit(32, "Study ID")},
    AntibodyResult: {"antibody": Limit(32, "Antibody")},
    Provenance: {
        "centre": Limit(16, "Source centre"),
        "series_name": Limit(200, "Source series name"),
        "source_study_id": Limit(32, "Source study ID"),
        "bundle_file": Limit(255, "Bundle file name"),
    },
    Identifiers: {"full_name": Limit(200, "Full name"), "mrn": Limit(64, "Medical record number")},
    MedicationCourse: {
        "drug": Limit(80, "Drug"),
        "unit": Limit(16, "Unit"),
        "frequency": Limit(64, "Frequency"),
    },
    AdverseEvent: {"term": Limit(120, "Event"), "suspected_drug": Limit(80, "Suspected drug")},
    Photo: {
        "sha256": Limit(64, "Photo checksum"),
        "media_type": Limit(32, "Image type"),
        "body_site": Limit(80, "Body site"),
    },
    PhotoComparison: {"name": Limit(200, "Comparison name")},
    # written by the store itself, with every change
    AuditEntry: {
        "os_user": Limit(64, "User"),
        "action": Limit(8, "Action"),
        "entity": Limit(32, "Record kind"),
    },
}

# Coded values: each vocabulary's column is as wide as this (its longest value must fit; a test checks).
CODE_WIDTHS: dict[type[StrEnum], int] = {
    Sex: 1,
    Subtype: 16,
    TriState: 8,
    Precision: 8,
    AntibodyStatus: 16,
    DrugClass: 40,
    StopReason: 32,
    AeAction: 16,
    AeOutcome: 32,
    Consent: 8,
}

SETTING_KEY_LENGTH = 64  # the name a series setting is stored under (the store's own words)


def text_limit(record: type, name: str) -> int:
    """How many characters ``record.name`` may hold."""
    return TEXT_LIMITS[record][name].length
