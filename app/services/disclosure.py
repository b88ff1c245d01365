"""The de-identification rule of one series: built from the database for each export."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence

from ..domain.clock import DateMode
from ..domain.disclosure import Disclosure
from ..domain.records import Identifiers, PatientRecord
from ..domain.validation import Problem, ValidationError
from ..store.casebook import Casebook

SECRET_KEY = "deidentification_secret"


def deidentification_secret(book: Casebook) -> str:
    """The per-database secret behind shifted dates: created once, so shifts stay the same between exports."""
    secret = book.preference(SECRET_KEY)
    if not secret:
        secret = secrets.token_hex(16)
        book.save_preference(SECRET_KEY, secret)
    return str(secret)


def disclosure_for(
    book: Casebook,
    records: Sequence[PatientRecord] | None = None,
    *,
    identified: bool = False,
    mode: DateMode = DateMode.INDEX_DAYS,
    index_drug: str | None = None,
    identifiers: Iterable[Identifiers] | None = None,
    remember: bool = False,
) -> Disclosure:
    """The rule for one export. ``records`` must be every patient of the series (default: read
    them), or only those exported with every patient's ``identifiers``, so that each one's identifiers are
    removed from every other's text too. ``remember``: each distinct text cleaned once (``Disclosure.of``)."""
    series = book.settings()
    if not identified and mode is DateMode.ACTUAL:
        mode = DateMode.INDEX_DAYS
    return Disclosure.of(
        book.patient_records() if records is None else records,
        identified=identified,
        mode=mode,
        index_drug=index_drug or series.index_drug,
        cutoff=series.cutoff_or(book.today()),
        secret=deidentification_secret(book) if mode is DateMode.SHIFTED else "",
        identifiers=identifiers,
        remember=remember,
    )


def select_patients(records: Sequence[PatientRecord], study_ids: Sequence[str] | None) -> list[PatientRecord]:
    """The patients named by study ID (any case), in the order given; all when none are named."""
    if not study_ids:
        return list(records)
    by_id = {r.patient.study_id.casefold(): r for r in records}
    missing = [s for s in study_ids if s.casefold() not in by_id]
    if missing:
        raise ValidationError(
            [Problem("patients", f"No patient with study ID {', '.join(missing)} in this series.")]
        )
    return [by_id[s.casefold()] for s in dict.fromkeys(study_ids)]
