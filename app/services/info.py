"""What a database holds: schema version, series settings and record counts."""

from __future__ import annotations

from typing import Any

from ..store.casebook import Casebook


def describe(book: Casebook) -> dict[str, Any]:
    """A JSON-ready summary of the database, as `myocase info --json` prints it."""
    counts = book.counts()
    settings = book.settings()
    return {
        "database": book.location,
        "schema_version": book.schema_version(),
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
