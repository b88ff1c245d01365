"""Comparison captions: date, treatment phase, day from the index start and nearest CDASI activity (no Qt)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.domain.phases import Phase, PhaseKind, index_course, treatment_phases
from app.domain.records import Assessment, MedicationCourse, Photo

MINUS = "\u2212"  # a true minus sign, as in print


def phase_at(phases: Sequence[Phase], day: date) -> Phase | None:
    """The phase a day falls in; on a shared boundary day, the phase that starts there."""
    containing = [p for p in phases if p.contains(day)]
    return max(containing, key=lambda p: p.start) if containing else None


def phase_text(phase: Phase | None) -> str:
    if phase is None:
        return "before the treatment phases"
    if phase.kind is PhaseKind.PRIOR:
        return "prior immunosuppressants phase"
    if phase.kind is PhaseKind.AFTER:
        return phase.label[:1].lower() + phase.label[1:]
    return f"{phase.drug or phase.label} phase"


def day_text(days: int, drug: str) -> str:
    """'day −21 from upadacitinib', 'day 0 from …', 'day +637 from …'."""
    sign = MINUS if days < 0 else "+" if days > 0 else ""
    return f"day {sign}{abs(days)} from {drug}"


def nearest_activity(photo: Photo, assessments: Sequence[Assessment]) -> Assessment | None:
    """The photo's own assessment if it has a CDASI activity, else the nearest dated one (earlier on a tie)."""
    scored = [a for a in assessments if a.cdasi_activity is not None]
    linked = [a for a in scored if photo.assessment_id is not None and a.id == photo.assessment_id]
    if linked:
        return linked[0]
    taken = photo.taken_on
    if taken is None or not scored:
        return None
    return min(scored, key=lambda a: (abs((a.assessed_on - taken).days), a.assessed_on))


def photo_caption(
    photo: Photo,
    courses: Sequence[MedicationCourse],
    assessments: Sequence[Assessment],
    index_drug: str,
    cutoff: date,
) -> str:
    """'2020-08-24 · tofacitinib phase · day −21 from upadacitinib · CDASI activity 32 (2020-08-24)'."""
    parts = [photo.taken_on.isoformat() if photo.taken_on else "date not recorded"]
    if photo.taken_on is not None:
        parts.append(phase_text(phase_at(treatment_phases(courses, index_drug, cutoff), photo.taken_on)))
        index = index_course(courses, index_drug)
        if index is None:
            parts.append(f"no {index_drug} course")
        else:
            parts.append(day_text((photo.taken_on - index.start.earliest()).days, index.drug))
    nearest = nearest_activity(photo, assessments)
    if nearest is None:
        parts.append("no CDASI activity recorded")
    else:
        parts.append(f"CDASI activity {nearest.cdasi_activity} ({nearest.assessed_on.isoformat()})")
    return " · ".join(parts)
