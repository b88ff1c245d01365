"""The timeline's rows, top to bottom, as every renderer lays them out: what each row shows and says.

``timeline_rows`` decides the layout once, for the screen and the PDF alike:

- the phase names (no gutter label);
- per drug class (``DrugClass`` order) a bold header, then one row per medication lane, indented
  under it; a class whose only lane is named as the class (IVIG) is that one lane, bold, without
  a header. A thin rule runs above each class and below the last one;
- the adverse events' row, then the photos' row, then the photo strip when it has photos;
- one row per measure track, in ``timeline_tracks.TRACKS`` order.

Heights are in lane rows (a medication lane is 1): fixed for the phase names, headers, lanes
and markers; a track's is its share (on screen the tracks divide what the lanes leave in proportion
to it; on paper it is the track's height); the strip's is 0, measured by the renderer from
its thumbnails at the width it draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .timeline_lanes import LaneGroupSpec, LaneSpec
from .timeline_markers import EventMarkerSpec, PhotoMarkerSpec
from .timeline_photos import PhotoStripSpec
from .timeline_tracks import MeasureTrackSpec


class RowKind(StrEnum):
    PHASES = "phases"  # the phase names above the first lane
    HEADER = "header"  # a drug class's name
    LANE = "lane"  # one medication lane: its bars
    EVENTS = "events"  # the adverse events' markers
    PHOTOS = "photos"  # the photos' markers
    STRIP = "strip"  # the photo strip: thumbnails, leader lines, captions
    TRACK = "track"  # a measure track with its own y axis


PHASE_ROWS = 1.15
HEADER_ROWS = 0.85  # a header is a little lower than a lane
LANE_ROWS = 1.0
EVENTS_ROWS = 1.1
PHOTOS_ROWS = 0.9
TRACK_ROWS = 4.8

EVENTS_LABEL = "Adverse events"
PHOTOS_LABEL = "Photos"


@dataclass(frozen=True)
class TimelineRow:
    """One row: the gutter ``label`` (bold, indented by ``level``), the text shown on hovering it,
    its height in lane rows, whether a rule runs above it, and what it shows (by ``kind``:
    ``lane``, ``events``, ``photos``, ``strip`` or ``track``; ``group`` for headers and lanes)."""

    kind: RowKind
    label: str  # "" for the phase names, which have none
    tooltip: str
    height: float
    bold: bool = False
    level: int = 0  # 1: a lane under its class's header
    rule_above: bool = False
    group: LaneGroupSpec | None = None
    lane: LaneSpec | None = None
    events: tuple[EventMarkerSpec, ...] = ()
    photos: tuple[PhotoMarkerSpec, ...] = ()
    strip: PhotoStripSpec | None = None
    track: MeasureTrackSpec | None = None


def track_title(track: MeasureTrackSpec) -> str:
    """A track's name with its unit, as its row is labelled: "CK (U/L)"."""
    return f"{track.label} ({track.unit})" if track.unit else track.label


def _group_rows(group: LaneGroupSpec) -> list[TimelineRow]:
    lanes = group.lanes
    if len(lanes) == 1 and lanes[0].label.casefold() == group.label.casefold():
        only = lanes[0]
        return [TimelineRow(RowKind.LANE, only.label, group.label, LANE_ROWS, True, 0, True, group, only)]
    header = TimelineRow(RowKind.HEADER, group.label, group.label, HEADER_ROWS, True, 0, True, group)
    return [header] + [
        TimelineRow(RowKind.LANE, lane.label, f"{lane.label} ({group.label})", LANE_ROWS, False, 1,
                    False, group, lane)
        for lane in lanes
    ]  # fmt: skip


def timeline_rows(
    groups: Sequence[LaneGroupSpec],
    events: Sequence[EventMarkerSpec],
    photos: Sequence[PhotoMarkerSpec],
    strip: PhotoStripSpec,
    tracks: Sequence[MeasureTrackSpec],
) -> tuple[TimelineRow, ...]:
    """The rows, top to bottom (see the module docstring)."""
    rows = [TimelineRow(RowKind.PHASES, "", "", PHASE_ROWS)]
    for group in groups:
        rows += _group_rows(group)
    rows += [
        TimelineRow(RowKind.EVENTS, EVENTS_LABEL, f"{EVENTS_LABEL} (the number is the CTCAE grade)",
                    EVENTS_ROWS, rule_above=bool(groups), events=tuple(events)),
        TimelineRow(RowKind.PHOTOS, PHOTOS_LABEL, PHOTOS_LABEL, PHOTOS_ROWS, photos=tuple(photos)),
    ]  # fmt: skip
    if strip.photos:
        tooltip = f"{strip.title}: {strip.note}" if strip.note else strip.title
        rows.append(TimelineRow(RowKind.STRIP, strip.title, tooltip, 0.0, strip=strip))
    rows += [
        TimelineRow(RowKind.TRACK, track_title(t), track_title(t), TRACK_ROWS, bold=True, track=t)
        for t in tracks
    ]
    return tuple(rows)
