"""Photo captions: the treatment phase a photo falls in, the nearest CDASI activity, the words for both.

One set of rules for the comparison view, the photo list and the timeline's photo strip; every
date is written by a ``Clock`` (real dates when none is given, for the identified screen).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .clock import MINUS, Clock, DateMode, TimeZero
from .numbers import plural
from .phases import Phase, PhaseKind, index_course, treatment_phases
from .records import Assessment, MedicationCourse, Photo


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


def short_phase_text(phases: Sequence[Phase], day: date) -> str:
    """The phase of a day in a few words, for a caption under a thumbnail: "before tofacitinib" (the
    prior immunosuppressants phase, named by the JAK inhibitor that followed), "on tofacitinib",
    "after upadacitinib", "before treatment"."""
    phase = phase_at(phases, day)
    if phase is None:
        return "before treatment"
    if phase.kind is PhaseKind.PRIOR:
        following = phases[phases.index(phase) + 1] if phases.index(phase) + 1 < len(phases) else None
        return f"before {following.drug or following.label}" if following else "prior immunosuppressants"
    if phase.kind is PhaseKind.AFTER:
        return phase.label[:1].lower() + phase.label[1:]
    return f"on {phase.drug or phase.label}"


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


def activity_words(taken_on: date, nearest: Assessment | None) -> str:
    """The nearest CDASI activity in a few words: "CDASI 32" the same day, else "CDASI 32, 3 days before"."""
    if nearest is None or nearest.cdasi_activity is None:
        return "no CDASI recorded"
    days = (nearest.assessed_on - taken_on).days
    when = f", {plural(abs(days), 'day')} {'before' if days < 0 else 'after'}" if days else ""
    return f"CDASI {nearest.cdasi_activity}{when}"


def real_dates(cutoff: date) -> Clock:
    """The identified screen's clock: real dates, nothing shifted."""
    return Clock(DateMode.ACTUAL, TimeZero(cutoff, "the data cut-off"))


def photo_caption(
    photo: Photo,
    courses: Sequence[MedicationCourse],
    assessments: Sequence[Assessment],
    index_drug: str,
    cutoff: date,
    clock: Clock | None = None,
) -> str:
    """'2020-08-24 · tofacitinib phase · day −21 from upadacitinib · CDASI activity 32 (2020-08-24)';
    dates as ``clock`` shows them (real dates without one)."""
    clock = clock or real_dates(cutoff)
    parts = [clock.show(photo.taken_on) if photo.taken_on else "date not recorded"]
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
        parts.append(f"CDASI activity {nearest.cdasi_activity} ({clock.show(nearest.assessed_on)})")
    return " · ".join(parts)
