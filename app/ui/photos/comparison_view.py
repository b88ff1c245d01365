"""Two to four photos of one patient side by side, zoom and pan kept in step, saved under a name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette, QTransform
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsScene,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.records import Photo
from ..dialogs import close_with_keys
from .annotated_view import AnnotatedPhotoItem, load_image
from .keyed_view import KeyedView

MAX_ZOOM = 16.0
View = tuple[
    float, float, float
]  # zoom (1 = whole photo fits), centre x and y as fractions of the shown photo


@dataclass(frozen=True)
class ComparisonItem:
    """One photo to compare: its stored image bytes, its record and its caption (see captions.photo_caption)."""

    image: bytes
    photo: Photo
    caption: str


class PaneView(KeyedView):
    """One photo of the comparison, cropped and annotated. The wheel, a drag and the keyboard ask for
    a new view (``view_requested``); the comparison applies it to every pane with ``show_view``.
    """

    view_requested = Signal(float, float, float)

    def __init__(self, item: ComparisonItem) -> None:
        super().__init__()
        self.setScene(QGraphicsScene(self))
        photo = AnnotatedPhotoItem(load_image(item.image), item.photo.annotations, item.photo.crop)
        self.scene().addItem(photo)
        self.scene().setSceneRect(photo.boundingRect())
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Dark)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"Photo {item.photo.label}")
        self.setToolTip(
            "Wheel or Ctrl+± zooms, dragging or the arrow keys pan: all photos follow. Ctrl+0 fits."
        )
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        self.view: View = (1.0, 0.5, 0.5)
        self._drag_from: QPointF | None = None
        self.row_aspect = self.aspect()
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def aspect(self) -> float:
        """Height ÷ width of the shown (cropped) photo."""
        rect = self.sceneRect()
        return rect.height() / rect.width()

    def heightForWidth(self, width: int) -> int:
        """As tall as the tallest photo of the row at this width, so the captions line up under them."""
        return round(width * self.row_aspect)

    def sizeHint(self) -> QSize:
        return QSize(320, self.heightForWidth(320))

    def scale_factor(self) -> float:
        """Screen pixels per photo pixel at the current view."""
        rect, port = self.sceneRect(), self.viewport().rect()
        return min(port.width() / rect.width(), port.height() / rect.height()) * self.view[0]

    def show_view(self, zoom: float, x: float, y: float) -> None:
        self.view = (zoom, x, y)
        scale = self.scale_factor()
        self.setTransform(QTransform.fromScale(scale, scale))
        rect = self.sceneRect()
        self.centerOn(rect.left() + x * rect.width(), rect.top() + y * rect.height())

    def clamped(self, zoom: float, x: float, y: float) -> View:
        """The view kept on the photo: no panning past its edges, centred while it fits."""
        zoom = min(max(zoom, 1.0), MAX_ZOOM)
        rect, port = self.sceneRect(), self.viewport().rect()
        scale = min(port.width() / rect.width(), port.height() / rect.height()) * zoom
        half_x, half_y = port.width() / scale / rect.width() / 2, port.height() / scale / rect.height() / 2
        x = 0.5 if half_x >= 0.5 else min(max(x, half_x), 1 - half_x)
        y = 0.5 if half_y >= 0.5 else min(max(y, half_y), 1 - half_y)
        return zoom, x, y

    def _request(self, zoom: float, x: float, y: float) -> None:
        self.view_requested.emit(*self.clamped(zoom, x, y))

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the photo point under ``anchor`` (viewport pixels; the centre by default) in place."""
        zoom = self.view[0]
        new_zoom = min(max(zoom * factor, 1.0), MAX_ZOOM)
        port = self.viewport().rect()
        anchor = anchor if anchor is not None else QPointF(port.center())
        rect = self.sceneRect()
        under = self.mapToScene(anchor.toPoint())
        offset = (anchor - QPointF(port.center())) / (self.scale_factor() * new_zoom / zoom)
        centre = under - offset
        self._request(
            new_zoom, (centre.x() - rect.left()) / rect.width(), (centre.y() - rect.top()) / rect.height()
        )

    def pan_by(self, dx: float, dy: float) -> None:
        """Pan by a distance in viewport pixels."""
        zoom, x, y = self.view
        scale, rect = self.scale_factor(), self.sceneRect()
        self._request(zoom, x - dx / scale / rect.width(), y - dy / scale / rect.height())

    def wheelEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(1.25**steps, event.position())
        event.accept()

    def mousePressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            self._drag_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        self.setFocus()

    def mouseMoveEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if self._drag_from is not None:
            delta, self._drag_from = event.position() - self._drag_from, event.position()
            self.pan_by(delta.x(), delta.y())

    def mouseReleaseEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self._drag_from = None
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)

    def key_action(self, event: QKeyEvent) -> Callable[[], None] | None:
        std, step = QKeySequence.StandardKey, self.viewport().width() / 10
        if event.matches(std.ZoomIn) or QKeySequence(event.keyCombination()) == QKeySequence("Ctrl+="):
            return lambda: self.zoom_by(1.25)
        if event.matches(std.ZoomOut):
            return lambda: self.zoom_by(0.8)
        if QKeySequence(event.keyCombination()) == QKeySequence("Ctrl+0"):
            return lambda: self._request(1.0, 0.5, 0.5)
        moves = {
            Qt.Key.Key_Left: (step, 0),
            Qt.Key.Key_Right: (-step, 0),
            Qt.Key.Key_Up: (0, step),
            Qt.Key.Key_Down: (0, -step),
        }
        if event.modifiers() == Qt.KeyboardModifier.NoModifier and event.key() in moves:
            return lambda: self.pan_by(*moves[Qt.Key(event.key())])
        return None

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self.show_view(*self.clamped(*self.view))


class PhotoPane:
    """One column of the comparison: the photo, its caption and its description (widgets in the grid)."""

    def __init__(self, item: ComparisonItem) -> None:
        self.item = item
        self.view = PaneView(item)
        parts = [escape(p).replace(" ", "&nbsp;") for p in item.caption.split(" · ")]  # wrap between parts
        self.caption = QLabel(f"<b>{parts[0]}</b>" + "".join(f"&nbsp;· {p}" for p in parts[1:]))
        photo = item.photo
        self.details = QLabel(
            escape(" · ".join(t for t in (photo.body_site, photo.caption) if t) or "No description")
        )
        for label in (self.caption, self.details):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def widgets(self) -> tuple[QWidget, QWidget, QWidget]:
        return self.view, self.caption, self.details


class ComparisonView(QWidget):
    """Photos side by side; zooming or panning one moves them all. ``save_requested(name, photo_ids)``
    asks the caller to store the comparison under its name.
    """

    save_requested = Signal(str, object)  # name, tuple of photo ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        close_with_keys(self)
        self._panes: list[PhotoPane] = []
        self._view: View = (1.0, 0.5, 0.5)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(12)
        layout = QVBoxLayout(self)
        layout.addLayout(self._top_bar())
        layout.addLayout(self._grid)
        layout.addSpacing(8)
        hint = QLabel(
            "Zooming (wheel, Ctrl+\u00b1) or panning (drag, arrow keys) one photo moves them all; "
            "Ctrl+0 shows each whole."
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addStretch(1)

    def _top_bar(self) -> QHBoxLayout:
        self.name_field = QLineEdit()
        self.name_field.setPlaceholderText("e.g. Before tofacitinib / after tofacitinib / after upadacitinib")
        self.name_field.setAccessibleName("Comparison name")
        self.name_field.setToolTip("The name the report shows above these photos")
        self.name_field.textChanged.connect(self._on_name_changed)
        self.name_field.returnPressed.connect(self._on_save_clicked)
        self.save_button = QPushButton("Save comparison")
        self.save_button.setToolTip(
            "Keep these photos together under this name so the report can include them"
        )
        self.save_button.clicked.connect(self._on_save_clicked)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Name:"))
        bar.addWidget(self.name_field, 1)
        bar.addWidget(self.save_button)
        bar.addSpacing(16)
        for text, tip, slot in (
            ("\u2212", "Zoom out on all photos (Ctrl+\u2212)", lambda: self.zoom_by(0.8)),
            ("+", "Zoom in on all photos (Ctrl++)", lambda: self.zoom_by(1.25)),
            ("Fit", "Show each photo whole (Ctrl+0)", lambda: self.set_view(1.0, 0.5, 0.5)),
        ):
            bar.addWidget(self._tool_button(text, tip, slot))
        return bar

    @staticmethod
    def _tool_button(text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # ------------------------------------------------------------ public API
    def set_photos(self, items: Sequence[ComparisonItem], name: str = "") -> None:
        """Show the photos (at most four) side by side, whole, with the comparison's name if it has one."""
        if len(items) > 4:
            raise ValueError("A comparison shows two to four photos.")
        for pane in self._panes:
            for widget in pane.widgets():
                self._grid.removeWidget(widget)
                widget.deleteLater()
        for column in range(self._grid.columnCount()):
            self._grid.setColumnStretch(column, 0)
        self._panes = [PhotoPane(item) for item in items]
        tallest = max((pane.view.aspect() for pane in self._panes), default=1.0)
        for column, pane in enumerate(self._panes):
            for row, widget in enumerate(pane.widgets()):
                self._grid.addWidget(widget, row, column)
            self._grid.setColumnStretch(column, 1)
            pane.view.row_aspect = tallest
            pane.view.view_requested.connect(self._on_view_requested)
        self.name_field.setText(name)
        self._on_name_changed(name)
        self.set_view(1.0, 0.5, 0.5)

    def panes(self) -> tuple[PhotoPane, ...]:
        return tuple(self._panes)

    def photo_ids(self) -> tuple[int, ...]:
        return tuple(pane.item.photo.id or 0 for pane in self._panes)

    def view_state(self) -> View:
        """The shared view: zoom (1 = each photo fits its pane) and the centre as fractions of each photo."""
        return self._view

    def set_view(self, zoom: float, x: float, y: float) -> None:
        self._view = (min(max(zoom, 1.0), MAX_ZOOM), x, y)
        for pane in self._panes:
            pane.view.show_view(*self._view)

    def zoom_by(self, factor: float) -> None:
        if self._panes:
            self._panes[0].view.zoom_by(factor)

    # ------------------------------------------------------------ slots
    def _on_view_requested(self, zoom: float, x: float, y: float) -> None:
        self.set_view(zoom, x, y)

    def _on_name_changed(self, text: str) -> None:
        ok = bool(text.strip()) and 2 <= len(self._panes) <= 4
        self.save_button.setEnabled(ok)

    def _on_save_clicked(self) -> None:
        if self.save_button.isEnabled():
            self.save_requested.emit(self.name_field.text().strip(), self.photo_ids())
