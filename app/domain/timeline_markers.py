"""The timeline's markers: an adverse event at its onset, a photo at the day it was taken, with their tooltips."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .clock import Clock
from .records import AdverseEvent, Photo
from .style import PHOTO_MARKER, MarkerStyle, ae_style
from .vocab import CTCAE_GRADES


@dataclass(frozen=True)
class EventMarkerSpec:
    x: float  # onset
    x_end: float | None  # resolution, if recorded (a renderer may draw a thin line to it)
    grade: int
    term: str
    event_id: int | None
    tooltip: str
    style: MarkerStyle


@dataclass(frozen=True)
class PhotoMarkerSpec:
    x: float
    photo_id: int | None  # the renderer loads the thumbnail shown on hover by this id
    caption: str
    tooltip: str
    style: MarkerStyle


def _event_tooltip(event: AdverseEvent, clock: Clock) -> str:
    drug = f"; suspected drug: {event.suspected_drug}" if event.suspected_drug else ""
    lines = (
        f"{event.term}: grade {event.grade} ({CTCAE_GRADES.get(event.grade, 'grade unknown')})",
        f"Onset {clock.when(event.onset)}",
        f"Resolved {clock.show(event.resolution)}" if event.resolution else "Resolution not recorded",
        ("Serious" if event.serious else "Not serious") + drug,
        f"Action: {event.action.label}; outcome: {event.outcome.label}",
    )
    return "\n".join(lines)


def event_marker(event: AdverseEvent, clock: Clock, cutoff: date) -> EventMarkerSpec:
    """An adverse event at its onset; its resolution, when recorded, no later than the cut-off."""
    resolved = min(event.resolution, cutoff) if event.resolution else None
    return EventMarkerSpec(
        clock.x(event.onset), clock.x(resolved) if resolved else None, event.grade, event.term,
        event.id, _event_tooltip(event, clock), ae_style(event.grade),
    )  # fmt: skip


def photo_marker(photo: Photo, taken_on: date, clock: Clock) -> PhotoMarkerSpec:
    """A photo at the day it was taken, named by its caption (else its body site)."""
    lines = (f"Photo, {clock.when(taken_on)}", photo.body_site, photo.caption)
    tooltip = "\n".join(line for line in lines if line)
    return PhotoMarkerSpec(
        clock.x(taken_on), photo.id, photo.caption or photo.body_site, tooltip, PHOTO_MARKER
    )
