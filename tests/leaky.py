"""A patient whose identifiers are typed into every free-text field, in every written form.

Used by the tests that prove a de-identified output carries none of them: the domain test
fills every text field the data model has (``fill_text``), the export tests plant the patient
in a real database through the storage API (``plant``).
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from datetime import date
from io import BytesIO
from typing import Any

from myocase.domain.annotations import Shape, ShapeKind
from myocase.domain.dates import PartialDate
from myocase.domain.disclosure import FIELD_POLICY, Policy
from myocase.domain.records import (
    AdverseEvent,
    Assessment,
    Consent,
    Identifiers,
    MedicationCourse,
    Patient,
    PhotoComparison,
)
from myocase.domain.vocab import DrugClass, Subtype
from myocase.store.casebook import Casebook
from myocase.store.imaging import prepare_image

from tests.images import upright_pattern

NAME, MRN, BORN = "John Smith", "MRN-0012-3456", date(1961, 4, 3)

VARIANTS = (
    # the name: whole, either order, any case, initials with and without dots
    "John Smith", "Smith John", "SMITH, JOHN", "john smith", "J. Smith", "Smith, J.", "J.S.", "JS", "s.j.",
    # the record number: with and without prefix, dashes or spaces, leading zeros
    "MRN-0012-3456", "MRN 0012 3456", "00123456", "0012-3456", "123456",
    # the date of birth
    "3 April 1961", "03-04-1961", "3.4.1961", "03/04/61", "1961/04/03", "3-Apr-1961", "April 3, 1961",
    "04/03/1961", "1961-04-03",
)  # fmt: skip
TYPED_DATES = ("since 12 March 2021", "seen 2021-03-12", "until 14/05/2022")
LEAKY_TEXT = "Seen with " + "; ".join(VARIANTS) + "; " + "; ".join(TYPED_DATES) + "."

# What must not be found in any de-identified output (case-insensitive for the letters).
FORBIDDEN = re.compile(
    r"smith|john|0012|3456|123456|1961|12 March 2021|2021-03-12|14/05/2022|\bJ\.S\.|\bJS\b|\bs\.j\.",
    re.IGNORECASE,
)


def leaks_in(text: str) -> list[str]:
    return [m.group(0) for m in FORBIDDEN.finditer(text)]


def fill_text(value: Any, text: str = LEAKY_TEXT) -> Any:
    """``value`` with every free-text field (as ``FIELD_POLICY`` marks them) set to ``text``, inside too."""
    if not is_dataclass(value) or isinstance(value, type):
        return value
    changes: dict[str, Any] = {}
    for name, rule in FIELD_POLICY[type(value)].items():
        current = getattr(value, name)
        if rule is Policy.TEXT:
            changes[name] = text
        elif rule is Policy.RECORDS:
            changes[name] = (
                tuple(fill_text(v, text) for v in current)
                if isinstance(current, tuple)
                else fill_text(current, text)
            )
    return replace(value, **changes)


def all_strings(value: Any) -> list[str]:
    """Every string anywhere in a record, whatever its field's policy (independent of ``FIELD_POLICY``)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in all_strings(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in all_strings(k) + all_strings(v)]
    if is_dataclass(value) and not isinstance(value, type):
        return [s for f in fields(value) for s in all_strings(getattr(value, f.name))]
    return []


def plant(book: Casebook, study_id: str = "SMITH-01", *, photos: bool = False) -> Patient:
    """Store the leaky patient through the storage API: identifiers, every text field, and (with
    ``photos``) two photos in the report, one annotated, saved as a comparison."""
    patient = book.save_patient(
        Patient(study_id, Subtype.DM, birth_year=1961, age_at_onset=93, vignette=LEAKY_TEXT),
        Identifiers(0, full_name=NAME, mrn=MRN, date_of_birth=BORN),
    )
    pid = patient.id or 0
    book.save(
        MedicationCourse(
            pid, "upadacitinib", DrugClass.JAK, PartialDate.parse("2021-03-15"), dose=15, unit="mg",
            frequency="once daily (J. Smith)", notes=LEAKY_TEXT,
        )
    )  # fmt: skip
    book.save(Assessment(pid, date(2021, 3, 10), cdasi_activity=30, notes=LEAKY_TEXT))
    book.save(Assessment(pid, date(2021, 9, 10), cdasi_activity=12, notes=LEAKY_TEXT))
    book.save(
        AdverseEvent(
            pid, "rash (J. Smith, MRN-0012-3456)", 1, date(2021, 5, 1), suspected_drug="upadacitinib",
            notes=LEAKY_TEXT,
        )
    )  # fmt: skip
    if photos:
        first, _ = book.add_photo(
            pid, prepare_image(_png(0)), taken_on=date(2021, 6, 1), body_site="hand of John Smith",
            caption=LEAKY_TEXT, consent=Consent.YES, in_report=True,
        )  # fmt: skip
        shape = Shape(ShapeKind.TEXT, ((0.1, 0.1),), text="J. Smith 03/04/1961")
        first = book.save_photo(replace(first, annotations=(shape,)))
        second, _ = book.add_photo(pid, prepare_image(_png(1)), taken_on=date(2021, 9, 1), body_site="hand")
        book.save_comparison(PhotoComparison(pid, "Smith John 03/04/1961", (first.id or 0, second.id or 0)))
    return patient


def _png(shade: int) -> bytes:
    image = upright_pattern()
    image.putpixel((0, 0), (shade, shade, shade))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
