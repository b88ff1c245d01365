"""What a database holds: schema version, series settings and record counts."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.records import Counts, SeriesSettings
from ..store.glance import glance

if TYPE_CHECKING:
    from ..store.casebook import Casebook


def describe(source: Casebook | Path | str) -> dict[str, Any]:
    """A JSON-ready summary of the database, as `myocase info --json` prints it.

    ``source`` is an open series, or where one is: a current database file is read through the store's
    read-only fast path (no SQLAlchemy); a file to migrate and a server URL are opened as a series.
    """
    if isinstance(source, Path):
        found = glance(source)
        if found is not None:
            return _summary(str(source), found.schema_version, found.settings, found.counts)
    if isinstance(source, Path | str):
        from ..store.casebook import Casebook  # loads SQLAlchemy: only when the fast path cannot serve

        with closing(
            Casebook.connect(source) if isinstance(source, str) else Casebook.open(source, create=False)
        ) as book:
            return describe(book)
    return _summary(source.location, source.schema_version(), source.settings(), source.counts())


def _summary(location: str, schema: str | None, settings: SeriesSettings, counts: Counts) -> dict[str, Any]:
    return {
        "database": location,
        "schema_version": schema,
        "series": settings.name,
        "synthetic_demo": settings.is_demo,
        "data_cutoff": settings.cutoff.isoformat() if settings.cutoff else None,
        "index_drug": settings.index_drug,
        "patients": counts.patients,
        "medication_courses": counts.medication_courses,
        "assessments": counts.assessments,
        "adverse_events": counts.adverse_events,
        "photos": counts.photos,
        "by_subtype": counts.by_subtype,
    }


def as_text(info: dict[str, Any]) -> str:
    """The same summary for a terminal."""
    lines = [
        f"Database        {info['database']}",
        f"Schema version  {info['schema_version']}",
        f"Series          {info['series']}" + ("  [SYNTHETIC DEMO DATA]" if info["synthetic_demo"] else ""),
        f"Data cut-off    {info['data_cutoff'] or 'not set'}",
        f"Index drug      {info['index_drug']}",
        "",
    ]
    for key in ("patients", "medication_courses", "assessments", "adverse_events", "photos"):
        lines.append(f"{key.replace('_', ' ').capitalize():<20}{info[key]:>6}")
    if info["by_subtype"]:
        lines.append("By subtype          " + ", ".join(f"{k} {v}" for k, v in info["by_subtype"].items()))
    return "\n".join(lines)
