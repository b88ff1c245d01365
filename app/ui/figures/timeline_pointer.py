"""The pointer over the timeline: tooltips (a photo's thumbnail in its own), the pointing hand over
what a click opens, and clicks, all answered by the plots' hit maps (``hits``) and, in the gutter, the
spec's rows (their tooltips). A photo's stored thumbnail is read once, for the strip and the tooltips alike."""

from __future__ import annotations

import base64
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QObject, QPointF, QRect, Qt
from PySide6.QtGui import QHelpEvent, QImage, QMouseEvent
from PySide6.QtWidgets import QToolTip

from ..plot_style import html_text
from .hits import Box, Hit, clicked_hit

if TYPE_CHECKING:
    from .timeline import TimelinePlot


def thumbnail_html(data: bytes | None) -> str:
    """A stored thumbnail as an inline image for a rich-text tooltip (at most 220 × 165 px); '' if none."""
    image = QImage.fromData(data) if data else QImage()
    if image.isNull():
        return ""
    if image.width() > 220 or image.height() > 165:
        image = image.scaled(
            220, 165, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    buffer_bytes = QByteArray()
    buffer = QBuffer(buffer_bytes)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    encoded = base64.b64encode(bytes(buffer_bytes.data())).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" width="{image.width()}" height="{image.height()}">'


class TimelinePointer(QObject):
    """Hover, cursor and clicks for ``timeline``; ``thumbnail(photo_id)`` gives stored thumbnail bytes."""

    def __init__(self, timeline: TimelinePlot) -> None:
        super().__init__(timeline)
        self._timeline = weakref.ref(timeline)  # no reference cycle; None once the timeline is going
        self.thumbnail: Callable[[int], bytes | None] | None = None
        self._thumbs: dict[int, str] = {}  # tooltip images, by photo id
        self._thumb_data: dict[int, bytes | None] = {}  # stored thumbnails as read, by photo id
        graphics = timeline.graphics
        graphics.scene().sigMouseClicked.connect(self._clicked)
        graphics.viewport().installEventFilter(self)
        graphics.viewport().setMouseTracking(True)

    @property
    def timeline(self) -> TimelinePlot:
        timeline = self._timeline()
        assert timeline is not None, "the timeline is being deleted"
        return timeline

    def use_thumbnails(self, thumbnail: Callable[[int], bytes | None] | None) -> bool:
        """Read thumbnails with ``thumbnail`` from now on; whether that is another source (caches emptied)."""
        if thumbnail == self.thumbnail:
            return False
        self.thumbnail, self._thumbs, self._thumb_data = thumbnail, {}, {}
        return True

    def thumbnail_data(self, photo_id: int) -> bytes | None:
        """A photo's stored thumbnail, read once (for the strip and the tooltips alike)."""
        if photo_id not in self._thumb_data and self.thumbnail is not None:
            try:
                self._thumb_data[photo_id] = self.thumbnail(photo_id)
            except Exception:  # a deleted or unreadable photo: named, not shown
                self._thumb_data[photo_id] = None
        return self._thumb_data.get(photo_id)

    def _photo_html(self, photo_id: int | None, text: str) -> str:
        if photo_id is not None and photo_id not in self._thumbs:
            self._thumbs[photo_id] = thumbnail_html(self.thumbnail_data(photo_id))
        image = self._thumbs.get(photo_id, "") if photo_id is not None else ""
        return f"{image}<br>{html_text(text)}" if image else html_text(text)

    # ------------------------------------------------------------ what is where
    def hit_at(self, scene_pos: QPointF) -> Hit | None:
        """What is under a scene position: a lane name, a thumbnail, a point, marker, bar, line or band."""
        timeline = self.timeline
        spec = timeline.spec
        if spec is None:
            return None
        axis = timeline.lane_axis
        if axis.isVisible() and axis.sceneBoundingRect().contains(scene_pos):
            y = timeline.lanes.plot.vb.mapSceneToView(scene_pos).y()
            at = next((at for at in timeline.placed if at.row.label and at.top <= y <= at.bottom), None)
            return Hit(at.row.tooltip) if at is not None else None
        for plot in [timeline.lanes, *timeline.tracks]:
            if not plot.plot.isVisible() or (plot is not timeline.lanes and plot.track is None):
                continue
            view = plot.plot.vb
            if view.sceneBoundingRect().contains(scene_pos):
                return plot.hits.find_in(
                    view, scene_pos, self._thumbnails() if plot is timeline.lanes else ()
                )
        return None

    def _thumbnails(self) -> list[Box]:
        """The strip's thumbnails where they were last painted (view coordinates); a tooltip stays over one."""
        strip = self.timeline.strip
        return [
            Box(
                rect.left(),
                rect.right(),
                rect.top(),
                rect.bottom(),
                Hit(photo.tooltip, "photo", photo.photo_id),
                area=True,
            )
            for photo, (_, rect) in zip(strip.spec.photos, strip.painted, strict=False)
        ]

    # ------------------------------------------------------------ events
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        timeline = self._timeline()
        if timeline is None:  # events while the timeline's widgets are deleted
            return False
        graphics = timeline.graphics
        if watched is graphics.viewport():
            kind = event.type()
            if kind == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
                self._show_tooltip(event)
                return True
            if kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent) and not event.buttons():
                hit = self.hit_at(graphics.mapToScene(event.position().toPoint()))
                opens = hit is not None and hit.opens
                graphics.viewport().setCursor(
                    Qt.CursorShape.PointingHandCursor if opens else Qt.CursorShape.ArrowCursor
                )
        return super().eventFilter(watched, event)

    def _show_tooltip(self, event: QHelpEvent) -> None:
        graphics = self.timeline.graphics
        hit = self.hit_at(graphics.mapToScene(event.pos()))
        if hit is None or not hit.text:
            QToolTip.hideText()
            return
        text = self._photo_html(hit.target, hit.text) if hit.kind == "photo" else hit.text
        rect = QRect() if hit.area is None else graphics.mapFromScene(hit.area).boundingRect()
        QToolTip.showText(event.globalPos(), text, graphics.viewport(), rect)

    def _clicked(self, event: object) -> None:
        hit = clicked_hit(event, self.hit_at)
        if hit is None or hit.target is None:
            return
        if hit.kind == "assessment":
            self.timeline.assessment_clicked.emit(int(hit.target))
        elif hit.kind == "photo":
            self.timeline.photo_clicked.emit(int(hit.target))
