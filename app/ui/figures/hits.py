"""What is under the pointer in a figure: the one ``Hit`` and the one hit test of every plot.

A figure registers its targets in view coordinates, in the order they are asked: spots (markers:
the nearest within reach, in pixels, so a small marker is as easy to hit as a large one), paths
(lines: the nearest within reach) and boxes (bars, lines across, bands: the first that holds the
pointer, with margins in pixels). The first layer with a hit answers; when none does, the backdrop
layers (phase bands, severity bands) answer together, their texts joined. The timeline, the
spaghetti and the swimmer plot answer hovers and clicks through it (pitfall 1.7: no hoverable
scatter items), so what a tooltip names is what a click opens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt

CLICKABLE = ("assessment", "photo", "patient")  # the kinds of hit a click opens


@dataclass(frozen=True)
class Hit:
    """What lies under the pointer: its tooltip and what a click opens (``kind`` and ``target`` id)."""

    text: str = ""
    kind: str = ""  # "assessment", "photo", "patient", "event" (named, not opened), "" for shapes
    target: int | None = None  # the assessment, photo, patient or event id
    line: int | None = None  # the spaghetti line under the pointer, to highlight it
    area: QRectF | None = None  # where the tooltip belongs (``find``: view, ``find_in``: scene coordinates)

    @property
    def opens(self) -> bool:
        """Whether a click on it opens something."""
        return self.kind in CLICKABLE and self.target is not None and self.target >= 0


@dataclass(frozen=True)
class Box:
    """A rectangle in view coordinates (an edge may be infinite: a band or a line across), with margins
    in pixels left, right, and above and below; ``area``: the tooltip belongs to the box."""

    x0: float
    x1: float
    y0: float
    y1: float
    hit: Hit
    margins: tuple[float, float, float] = (0.0, 0.0, 0.0)
    area: bool = False

    def holds(self, x: float, y: float, px_w: float, px_h: float) -> bool:
        left, right, vertical = self.margins
        return (
            self.x0 - left * px_w <= x <= self.x1 + right * px_w
            and self.y0 - vertical * px_h <= y <= self.y1 + vertical * px_h
        )


@dataclass
class _Spots:
    xs: np.ndarray
    ys: np.ndarray
    reach: np.ndarray  # px
    hits: list[Hit]
    join: bool  # markers drawn on the same place answer together


@dataclass
class _Paths:
    paths: list[tuple[np.ndarray, np.ndarray]]
    reach: float  # px
    hits: list[Hit]


@dataclass
class _Boxes:
    boxes: list[Box]
    every: bool  # all the boxes holding the pointer answer, else the first


Layer = _Spots | _Paths | _Boxes


@dataclass
class HitMap:
    """The targets of one plot, layer by layer; ``find`` answers for a point of the view."""

    layers: list[Layer] = field(default_factory=list)
    backdrop: list[_Boxes] = field(default_factory=list)

    def add_spots(
        self, spots: Sequence[tuple[float, float, Hit]], reach_px: float | Sequence[float], join: bool = False
    ) -> None:
        """Markers at view (x, y); each answers within ``reach_px`` pixels (one for all, or one each)."""
        reach = np.broadcast_to(np.asarray(reach_px, dtype=np.float64), (len(spots),))
        self.layers.append(
            _Spots(
                np.array([s[0] for s in spots], dtype=np.float64),
                np.array([s[1] for s in spots], dtype=np.float64),
                reach, [s[2] for s in spots], join,
            )
        )  # fmt: skip

    def add_paths(
        self, paths: Sequence[tuple[Sequence[float], Sequence[float], Hit]], reach_px: float
    ) -> None:
        """Polylines through view points; the nearest within ``reach_px`` pixels answers (the first on a tie)."""
        arrays = [(np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)) for xs, ys, _ in paths]
        self.layers.append(_Paths(arrays, reach_px, [p[2] for p in paths]))

    def add_boxes(self, boxes: Sequence[Box], backdrop: bool = False, every: bool = False) -> None:
        """Boxes asked in order; a ``backdrop`` layer answers only when no other layer does."""
        (self.backdrop if backdrop else self.layers).append(_Boxes(list(boxes), every))

    def find(self, x: float, y: float, px_w: float, px_h: float, before: Sequence[Box] = ()) -> Hit | None:
        """What is at view (x, y), a pixel being ``px_w`` by ``px_h`` view units; ``before``: boxes asked
        first. A hit's ``area`` (view coordinates) is a marker's reach around the point, or an ``area`` box."""
        px_w, px_h = abs(px_w) or 1.0, abs(px_h) or 1.0
        for layer in [_Boxes(list(before), False), *self.layers]:
            found = _ask(layer, x, y, px_w, px_h)
            if found:
                return found[0]
        texts = [hit.text for layer in self.backdrop for hit in _ask(layer, x, y, px_w, px_h) if hit.text]
        return Hit("\n".join(texts)) if texts else None

    def find_in(self, view: pg.ViewBox, scene_pos: QPointF, before: Sequence[Box] = ()) -> Hit | None:
        """What is at a scene position of ``view``, its ``area`` mapped to the scene."""
        at = view.mapSceneToView(scene_pos)
        px_w, px_h = view.viewPixelSize()
        found = self.find(at.x(), at.y(), px_w, px_h, before)
        if found is None or found.area is None:
            return found
        return replace(found, area=view.mapViewToScene(found.area).boundingRect())

    def located(self) -> list[tuple[QRectF, Hit]]:
        """Every target as a view rectangle (a marker's is empty, at its place) with its hit."""
        places: list[tuple[QRectF, Hit]] = []
        for layer in [*self.layers, *self.backdrop]:
            if isinstance(layer, _Spots):
                places += [
                    (QRectF(x, y, 0, 0), h) for x, y, h in zip(layer.xs, layer.ys, layer.hits, strict=True)
                ]
            elif isinstance(layer, _Paths):
                places += [(_bounds(xs, ys), h) for (xs, ys), h in zip(layer.paths, layer.hits, strict=True)]
            else:
                places += [(QRectF(QPointF(b.x0, b.y0), QPointF(b.x1, b.y1)), b.hit) for b in layer.boxes]
        return places


def _ask(layer: Layer, x: float, y: float, px_w: float, px_h: float) -> list[Hit]:
    if isinstance(layer, _Spots):
        return _spots(layer, x, y, px_w, px_h)
    if isinstance(layer, _Paths):
        return _paths(layer, x, y, px_w, px_h)
    held = [box for box in layer.boxes if box.holds(x, y, px_w, px_h)]
    hits = [
        replace(b.hit, area=QRectF(QPointF(b.x0, b.y0), QPointF(b.x1, b.y1))) if b.area else b.hit
        for b in held
    ]
    return hits if layer.every else hits[:1]


def _spots(layer: _Spots, x: float, y: float, px_w: float, px_h: float) -> list[Hit]:
    """The nearest marker within its reach (with those drawn on the same place, when joined)."""
    if not len(layer.xs):
        return []
    distance = np.hypot((layer.xs - x) / px_w, (layer.ys - y) / px_h)
    close = np.flatnonzero(distance <= layer.reach)  # NaN (a value a log axis cannot show) is never close
    if not len(close):
        return []
    first = int(close[np.argsort(distance[close], kind="stable")][0])
    hit = layer.hits[first]
    if layer.join:
        same = [int(i) for i in close if layer.xs[i] == layer.xs[first] and layer.ys[i] == layer.ys[first]]
        hit = replace(hit, text="\n\n".join(dict.fromkeys(layer.hits[i].text for i in same)))
    w, h = float(layer.reach[first]) * px_w, float(layer.reach[first]) * px_h
    return [replace(hit, area=QRectF(x - w, y - h, 2 * w, 2 * h))]


def _paths(layer: _Paths, x: float, y: float, px_w: float, px_h: float) -> list[Hit]:
    best: tuple[float, int] | None = None
    for n, (xs, ys) in enumerate(layer.paths):
        gap = segment_distance((xs - x) / px_w, (ys - y) / px_h)
        if gap <= layer.reach and (best is None or gap < best[0]):
            best = (gap, n)
    return [] if best is None else [layer.hits[best[1]]]


def segment_distance(px: np.ndarray, py: np.ndarray, mx: float = 0.0, my: float = 0.0) -> float:
    """The distance from (mx, my) to the polyline through the points (all in pixels); inf under two points."""
    if len(px) < 2:
        return float("inf")
    ax, ay, bx, by = px[:-1], py[:-1], px[1:], py[1:]
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length > 0, ((mx - ax) * dx + (my - ay) * dy) / length, 0.0)
    t = np.clip(t, 0.0, 1.0)
    return float(np.min(np.hypot(ax + t * dx - mx, ay + t * dy - my)))


def _bounds(xs: np.ndarray, ys: np.ndarray) -> QRectF:
    if not len(xs):
        return QRectF()
    return QRectF(QPointF(float(xs.min()), float(ys.min())), QPointF(float(xs.max()), float(ys.max())))


def clicked_hit(event: object, find: Callable[[QPointF], Hit | None]) -> Hit | None:
    """What a single left click of the scene (``sigMouseClicked``) opens, if anything."""
    button = getattr(event, "button", None)
    if button is None or button() != Qt.MouseButton.LeftButton or event.double():  # type: ignore[attr-defined]
        return None
    found = find(event.scenePos())  # type: ignore[attr-defined]
    return found if found is not None and found.opens else None
