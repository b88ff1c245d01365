"""The timeline's photo strip: which photos, where each thumbnail sits, its leader line and its caption.

Decided once here; the screen and the PDF draw the ``PhotoStripSpec`` as it is:

- which photos: those chosen for the report (``Photo.in_report``); where the choice is
  ``"report_or_all"`` (the screen), every dated photo while none is chosen. A note says which;
- each thumbnail has a slot, an x range ``slot_width`` wide, as close to its photo's date as the
  others allow (least squares). The width is a share of the timeline's x range, so slots keep
  their places at any drawing width; it shrinks, down to ``MIN_SHARE``, when photos crowd.
  Slots never overlap, keep their photos' date order, and never cover a boundary line (a phase
  start or end, day 0, the cut-off): each slot lies between two of them, between its own date's
  two where they leave room for a fair-sized thumbnail (``strip_layout``). Photos that still do
  not fit are left out, with a note;
- a thumbnail moved off its date gets a leader line from its date to its slot's centre;
- its caption: the date as the patient's clock shows it, the treatment phase, the nearest CDASI;
  it may be wider than the slot where the neighbours and the boundary lines leave room (``room``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Literal

from .annotations import Crop, Shape, shape_in_crop
from .clock import Clock
from .numbers import plural
from .phases import Phase, treatment_phases
from .photo_captions import (
    activity_words,
    nearest_activity,
    photo_caption,
    short_phase_text,
)
from .records import Assessment, MedicationCourse, Photo

StripChoice = Literal["report", "report_or_all"]

PREFERRED_SHARE = 0.14  # a slot's width as a share of the x range, when the photos leave room
HOME_SHARE = 0.11  # slots shrink to this, not further, to keep thumbnails between their own date's lines
MIN_SHARE = 0.08  # the narrowest slot before photos are left out
GAP_SHARE = 0.012  # between two slots
MARGIN_SHARE = 0.006  # between a slot and a boundary line
LEADER_SHARE = 0.004  # a thumbnail this far off its date or more gets a leader line
MAX_SHIFT_SHARE = 0.2  # how far from its date a thumbnail may move before the slots shrink instead
SHRINK = 0.9


@dataclass(frozen=True)
class StripPhotoSpec:
    """One thumbnail: drawn centred in its slot, as large as the slot's width and the strip's
    height allow with its aspect kept; annotations drawn over it."""

    photo_id: int | None
    x: float  # the day it was taken, on the timeline's x clock
    slot: tuple[float, float]  # the x range of its slot
    leader: tuple[float, float] | None  # (x of the date, x of the slot's centre), when moved aside
    caption: tuple[str, ...]  # lines under the thumbnail: date, phase, nearest CDASI
    tooltip: str
    aspect: float  # height ÷ width of the shown (cropped) photo
    crop: Crop | None
    annotations: tuple[Shape, ...]  # in the shown photo's coordinates (``shape_in_crop``)
    room: tuple[float, float] = (0.0, 0.0)  # the x range its caption may take (the slot, or wider)

    @property
    def centre(self) -> float:
        return (self.slot[0] + self.slot[1]) / 2


@dataclass(frozen=True)
class PhotoStripSpec:
    photos: tuple[StripPhotoSpec, ...] = ()
    slot_width: float = 0.0
    boundaries: tuple[float, ...] = ()  # the lines no slot covers
    title: str = ""  # names the strip in the left gutter
    note: str = ""


# ----------------------------------------------------------------- where the slots go

Interval = tuple[float, float]


def _intervals(lo: float, hi: float, boundaries: Sequence[float], margin: float) -> list[Interval]:
    """The stretches of [lo, hi] between boundary lines, each kept ``margin`` clear of its lines."""
    cuts = sorted({b for b in boundaries if lo < b < hi})
    edges = [lo, *cuts, hi]
    return [
        (a + (margin if n else 0.0), b - (margin if n + 1 < len(edges) - 1 else 0.0))
        for n, (a, b) in enumerate(pairwise(edges))
    ]


def _capacity(interval: Interval, width: float, gap: float) -> int:
    room = interval[1] - interval[0]
    return 0 if room < width else math.floor((room + gap) / (width + gap) + 1e-9)


def _isotonic(values: Sequence[float]) -> list[float]:
    """The non-decreasing sequence nearest ``values`` in least squares (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, count]
    for value in values:
        blocks.append([value, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m2, n2), (m1, n1) = blocks.pop(), blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    return [mean for mean, count in blocks for _ in range(int(count))]


def _placed(xs: Sequence[float], interval: Interval, width: float, gap: float) -> list[float]:
    """Slot centres for ``xs`` (in order) inside ``interval``, one slot and gap apart, nearest the xs."""
    step = width + gap
    fit = _isotonic([x - n * step for n, x in enumerate(xs)])
    low, high = interval[0] + width / 2, interval[1] - width / 2 - (len(xs) - 1) * step
    return [min(max(v, low), high) + n * step for n, v in enumerate(fit)]


def _cost(xs: Sequence[float], centres: Sequence[float]) -> float:
    return sum((c - x) ** 2 for x, c in zip(xs, centres, strict=True))


def slot_centres(
    xs: Sequence[float], intervals: Sequence[Interval], width: float, gap: float, *, may_skip: bool = False
) -> list[float | None] | None:
    """Each x's slot centre (None: left out, only when ``may_skip``), or None when they cannot all fit.

    Dynamic programming over (photos placed, intervals used): the photos keep their order, each
    interval takes a run of them up to its capacity, the total squared distance is least; a left-out
    photo costs more than any distance, so as few as possible are left out."""
    n, k = len(xs), len(intervals)
    skip = 1e6 * (1 + max((b - a for a, b in intervals), default=1.0)) ** 2 * max(n, 1)
    best: dict[tuple[int, int], tuple[float, tuple[float | None, ...]]] = {(0, 0): (0.0, ())}
    for j in range(k + 1):
        for i in range(n + 1):
            if (i, j) not in best:
                continue
            cost, chosen = best[(i, j)]
            moves: list[tuple[int, int, float, tuple[float | None, ...]]] = []
            if may_skip and i < n:
                moves.append((i + 1, j, skip, (None,)))
            if j < k:
                moves.append((i, j + 1, 0.0, ()))
                for size in range(1, min(_capacity(intervals[j], width, gap), n - i) + 1):
                    centres = _placed(xs[i : i + size], intervals[j], width, gap)
                    moves.append((i + size, j + 1, _cost(xs[i : i + size], centres), tuple(centres)))
            for i2, j2, extra, more in moves:
                if (i2, j2) not in best or cost + extra < best[(i2, j2)][0]:
                    best[(i2, j2)] = (cost + extra, chosen + more)
    found = best.get((n, k))
    return list(found[1]) if found is not None else None


def _at_home(
    xs: Sequence[float],
    centres: Sequence[float | None],
    intervals: Sequence[Interval],
    least: float,
    margin: float,
) -> bool:
    """Whether each thumbnail is in its own date's stretch (between the same boundary lines; a date on
    a line has the stretches either side), where that stretch can hold a thumbnail ``least`` wide."""
    for x, centre in zip(xs, centres, strict=True):
        homes = [
            (a, b) for a, b in intervals if a - margin - 1e-9 <= x <= b + margin + 1e-9 and b - a >= least
        ]
        if homes and centre is not None and not any(a <= centre <= b for a, b in homes):
            return False
    return True


def strip_layout(
    xs: Sequence[float], x_range: tuple[float, float], boundaries: Sequence[float]
) -> tuple[float, list[float | None]]:
    """The slot width and each x's slot centre (None: left out). The widest slots, down to ``HOME_SHARE``
    of the range, that keep every thumbnail between its own date's boundary lines; failing that, the
    widest, down to ``MIN_SHARE``, that keep each within ``MAX_SHIFT_SHARE`` of its date; failing that,
    as many as fit at ``MIN_SHARE``."""
    lo, hi = x_range
    span = hi - lo
    margin, gap, least = MARGIN_SHARE * span, GAP_SHARE * span, MIN_SHARE * span
    intervals = _intervals(lo, hi, boundaries, margin)
    share = min(PREFERRED_SHARE, 0.96 / max(len(xs), 1) - GAP_SHARE)
    shares = [share * SHRINK**n for n in range(40) if share * SHRINK**n > MIN_SHARE] + [MIN_SHARE]
    close: tuple[float, list[float | None]] | None = None
    for width in (s * span for s in shares):
        found = slot_centres(xs, intervals, width, gap)
        if found is None:
            continue
        if width >= HOME_SHARE * span - 1e-9 and _at_home(xs, found, intervals, HOME_SHARE * span, margin):
            return width, found
        shift = max(abs(c - x) for x, c in zip(xs, found, strict=True) if c is not None)
        if close is None and shift <= MAX_SHIFT_SHARE * span:
            close = width, found
    if close is not None:
        return close
    return least, slot_centres(xs, intervals, least, gap, may_skip=True) or [None] * len(xs)


# ----------------------------------------------------------------- captions

CAPTION_LINES = 4  # the most lines a caption takes under its thumbnail


def wrapped(lines: Sequence[str], fits: Callable[[str], bool], budget: int = CAPTION_LINES) -> list[str]:
    """Caption lines as a renderer shows them under a thumbnail: each wrapped at spaces to what
    ``fits`` (the renderer's measure of the slot's width), at most ``budget`` lines in all; a word
    or a last line too long for the room ends in "…"."""
    shown: list[str] = []
    for line in lines:
        words = line.split()
        while words and len(shown) < budget:
            count = next((n for n in range(len(words), 0, -1) if fits(" ".join(words[:n]))), 1)
            text, words = " ".join(words[:count]), words[count:]
            if words and len(shown) == budget - 1:
                text, words = " ".join([text, *words]), []
            shown.append(text if fits(text) else _elided(text, fits))
    return shown


def _elided(text: str, fits: Callable[[str], bool]) -> str:
    return next(
        (text[:n].rstrip() + "…" for n in range(len(text) - 1, 0, -1) if fits(text[:n].rstrip() + "…")), "…"
    )


# ----------------------------------------------------------------- the strip


def _shown_aspect(photo: Photo) -> float:
    crop = photo.crop or Crop(0, 0, 1, 1)
    width, height = photo.width * (crop.right - crop.left), photo.height * (crop.bottom - crop.top)
    return height / width if width > 0 and height > 0 else 0.75


def _chosen(
    photos: Sequence[tuple[date, Photo]], choice: StripChoice
) -> tuple[list[tuple[date, Photo]], str]:
    chosen = [(d, p) for d, p in photos if p.in_report]
    if chosen:
        return chosen, "chosen for the report"
    if choice == "report_or_all" and photos:
        return list(photos), "all"
    return [], ""


def _note(which: str, left_out: int) -> str:
    if which == "all":
        text = (
            "Photo strip: every photo, as none is chosen for the report yet "
            "(the report shows only the photos chosen for it)."
        )
    else:
        text = "Photo strip: the photos chosen for the report."
    text += " Captions: date, treatment phase, nearest CDASI activity; a line leads to a photo moved aside."
    if left_out:
        text += f" {plural(left_out, 'photo')} left out: no more fit beside each other."
    return text


def _rooms(centres: Sequence[float], width: float, intervals: Sequence[Interval]) -> list[Interval]:
    """Each caption's room: its slot widened by up to half a slot each side, as far as the stretch
    between its boundary lines and half-way to the next slots allow."""
    rooms = []
    for n, centre in enumerate(centres):
        a, b = next(((a, b) for a, b in intervals if a - 1e-6 <= centre <= b + 1e-6), (centre, centre))
        left = max(a, centre - width, (centres[n - 1] + centre) / 2 if n else a)
        right = min(b, centre + width, (centres[n + 1] + centre) / 2 if n + 1 < len(centres) else b)
        rooms.append((min(left, centre - width / 2), max(right, centre + width / 2)))
    return rooms


_Record = tuple[
    Sequence[MedicationCourse], Sequence[Assessment], Sequence[Phase], str, date, Clock
]  # what a caption is made from


def _strip_photo(
    day: date, photo: Photo, record: _Record, x: float, slot: Interval, room: Interval, leader: bool
) -> StripPhotoSpec:
    courses, assessments, phases, index_drug, cutoff, clock = record
    caption = (
        clock.show(day),
        short_phase_text(phases, day),
        activity_words(day, nearest_activity(photo, assessments)),
    )
    lines = (
        photo_caption(photo, courses, assessments, index_drug, cutoff, clock),
        photo.body_site,
        photo.caption,
    )
    centre = (slot[0] + slot[1]) / 2
    return StripPhotoSpec(
        photo.id, x, slot, (x, centre) if leader else None, caption, "\n".join(line for line in lines if line),
        _shown_aspect(photo), photo.crop, tuple(shape_in_crop(s, photo.crop) for s in photo.annotations), room,
    )  # fmt: skip


def photo_strip(
    photos: Sequence[tuple[date, Photo]],
    courses: Sequence[MedicationCourse],
    assessments: Sequence[Assessment],
    index_drug: str,
    cutoff: date,
    clock: Clock,
    x_range: tuple[float, float],
    boundaries: Sequence[float],
    choice: StripChoice = "report",
) -> PhotoStripSpec:
    """The strip of ``photos`` (dated, up to the cut-off, in date order); see the module docstring."""
    chosen, which = _chosen(photos, choice)
    if not chosen:
        return PhotoStripSpec()
    record = (courses, assessments, treatment_phases(courses, index_drug, cutoff), index_drug, cutoff, clock)
    xs = [clock.x(day) for day, _ in chosen]
    width, centres = strip_layout(xs, x_range, boundaries)
    lo, hi = x_range
    placed = [
        (day, photo, x, c) for (day, photo), x, c in zip(chosen, xs, centres, strict=True) if c is not None
    ]
    rooms = _rooms([c for *_, c in placed], width, _intervals(lo, hi, boundaries, MARGIN_SHARE * (hi - lo)))
    shown = tuple(
        _strip_photo(
            day,
            photo,
            record,
            x,
            (c - width / 2, c + width / 2),
            room,
            abs(c - x) >= LEADER_SHARE * (hi - lo),
        )
        for (day, photo, x, c), room in zip(placed, rooms, strict=True)
    )
    title = "Photos for the report" if which != "all" else "All photos (none chosen)"
    inside = tuple(sorted({b for b in boundaries if lo < b < hi}))
    return PhotoStripSpec(shown, width, inside, title, _note(which, len(chosen) - len(shown)))
