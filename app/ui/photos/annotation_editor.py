"""The annotation editor: arrows, ellipses, outlines, labels and a crop over an untouched photo, with undo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import StrEnum
from functools import partial

from PySide6.QtCore import QLineF, QPointF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPixmap,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsView,
    QInputDialog,
    QLabel,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ...domain.annotations import ANNOTATION_COLOURS, DEFAULT_COLOUR, Crop, Shape, ShapeKind
from ...domain.style import SWATCH_EDGE
from .annotated_view import ShapeItem, colour_of, load_image
from .annotation_canvas import AnnotationScene, Canvas, Key


class Tool(StrEnum):
    SELECT = "select"
    ARROW = "arrow"
    ELLIPSE = "ellipse"
    FREEHAND = "freehand"
    TEXT = "text"
    CROP = "crop"


# label, key, what it does
TOOLS: dict[Tool, tuple[str, str, str]] = {
    Tool.SELECT: ("Select", "V", "click an annotation to select it, drag to move it (arrow keys nudge), "
                  "Delete removes it; drag the background to pan"),
    Tool.ARROW: ("Arrow", "A", "drag from the tail to the tip"),
    Tool.ELLIPSE: ("Ellipse", "E", "drag from one corner of the ellipse's box to the opposite corner"),
    Tool.FREEHAND: ("Outline", "F", "hold the button down and trace the outline"),
    Tool.TEXT: ("Text", "T", "click where the label's top-left corner goes, then type it; double-click a "
                "label to change it"),
    Tool.CROP: ("Crop", "C", "drag over the part to keep; the rest is hidden, never erased"),
}  # fmt: skip
SHAPE_OF_TOOL = {
    Tool.ARROW: ShapeKind.ARROW,
    Tool.ELLIPSE: ShapeKind.ELLIPSE,
    Tool.FREEHAND: ShapeKind.FREEHAND,
}
MIN_DRAG_PX = 4.0  # shorter drags are taken as slips, not shapes


def _swatch(key: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(SWATCH_EDGE))
    painter = QPainter(pixmap)
    painter.fillRect(1, 1, 12, 12, colour_of(key))
    painter.end()
    return QIcon(pixmap)


class AnnotationEditor(QWidget):
    """Draws vector annotations and a crop over a photo; the photo's pixels are never changed.

    ``set_photo`` loads a photo with its shapes and crop (clearing the undo history); ``shapes``
    and ``crop`` give the edited ones back. ``changed`` is emitted on every edit, undo and redo.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.scene = AnnotationScene(self.undo_stack, self)
        self.view = Canvas(self.scene)
        self._draft: list[QPointF] = []
        self._preview: ShapeItem | None = None
        self._tool = Tool.SELECT
        self._colour = DEFAULT_COLOUR
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        self._hint.setMargin(4)
        for widget in (self._toolbar(), self.view, self._hint):
            layout.addWidget(widget)
        self._connect()
        self._bind_keys()
        self.setFocusProxy(self.view)
        self.set_tool(Tool.SELECT)
        self._update_actions()

    # ------------------------------------------------------------ building
    def _toolbar(self) -> QToolBar:
        bar = QToolBar("Annotation tools", self)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        group = QActionGroup(self)
        self._tool_actions: dict[Tool, QAction] = {}
        for tool, (label, key, hint) in TOOLS.items():
            action = self._action(bar, label, f"{label} ({key}): {hint}", partial(self.set_tool, tool))
            action.setCheckable(True)
            group.addAction(action)
            self._tool_actions[tool] = action
        bar.addSeparator()
        bar.addWidget(self._colour_box())
        bar.addSeparator()
        self._delete = self._action(
            bar, "Delete", "Delete the selected annotations (Delete)", self.delete_selected
        )
        self._undo = self._action(bar, "Undo", "Undo (Ctrl+Z)", self.undo_stack.undo)
        self._redo = self._action(bar, "Redo", "Redo (Ctrl+Shift+Z)", self.undo_stack.redo)
        self._uncrop = self._action(
            bar, "Remove crop", "Show the whole photo again (undoable)", lambda: self.scene.set_crop(None)
        )
        self._zoom_actions(bar)
        return bar

    def _zoom_actions(self, bar: QToolBar) -> None:
        bar.addSeparator()
        zoom = self.view.zoom_by
        self._action(bar, "\u2212", "Zoom out (Ctrl+\u2212, or the mouse wheel)", lambda: zoom(0.8))
        self._action(bar, "+", "Zoom in (Ctrl++, or the mouse wheel)", lambda: zoom(1.25))
        self._action(bar, "Fit", "Fit the photo to the window (Ctrl+0)", self.view.fit)
        self._zoom_label = QLabel()
        self._zoom_label.setToolTip("Screen pixels per photo pixel")
        bar.addWidget(self._zoom_label)

    def _action(self, bar: QToolBar, text: str, tip: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        bar.addAction(action)
        bar.widgetForAction(action).setAccessibleName(tip.split(" (")[0].split(":")[0])
        return action

    def _colour_box(self) -> QComboBox:
        self._colours = QComboBox()
        for key in ANNOTATION_COLOURS:
            self._colours.addItem(_swatch(key), key, key)
        self._colours.setCurrentIndex(list(ANNOTATION_COLOURS).index(DEFAULT_COLOUR))
        self._colours.setToolTip("Colour of new annotations; choosing one recolours the selected ones")
        self._colours.setAccessibleName("Annotation colour")
        return self._colours

    def _connect(self) -> None:
        self.view.pressed.connect(self._on_pressed)
        self.view.dragged.connect(self._on_dragged)
        self.view.released.connect(self._on_released)
        self.view.select_released.connect(self.scene.commit_moves)
        self.view.double_clicked.connect(self._on_double_clicked)
        self.view.zoomed.connect(self._on_zoomed)
        self.scene.selectionChanged.connect(self._update_actions)
        self.undo_stack.indexChanged.connect(self._on_index_changed)
        self._colours.activated.connect(self._on_colour_activated)

    def _bind_keys(self) -> None:
        std, zoom = QKeySequence.StandardKey, self.view.zoom_by
        keys: list[tuple[Key, Callable[[], None]]] = [
            (std.Undo, self.undo_stack.undo), (std.Redo, self.undo_stack.redo),
            ("Ctrl+Shift+Z", self.undo_stack.redo), ("Ctrl+Y", self.undo_stack.redo),
            (std.Delete, self.delete_selected), ("Backspace", self.delete_selected),
            (std.SelectAll, self._select_all), ("Escape", self._cancel),
            (std.ZoomIn, lambda: zoom(1.25)), ("Ctrl+=", lambda: zoom(1.25)),
            (std.ZoomOut, lambda: zoom(0.8)), ("Ctrl+0", self.view.fit),
        ]  # fmt: skip
        keys += [(key, partial(self.set_tool, tool)) for tool, (_, key, _) in TOOLS.items()]
        for name, dx, dy in (("Left", -1, 0), ("Right", 1, 0), ("Up", 0, -1), ("Down", 0, 1)):
            keys.append((name, partial(self.scene.nudge, dx * 0.005, dy * 0.005)))
            keys.append((f"Shift+{name}", partial(self.scene.nudge, dx * 0.05, dy * 0.05)))
        self.view.keys = keys

    # ------------------------------------------------------------ public API
    def set_photo(self, image_bytes: bytes, shapes: Sequence[Shape] = (), crop: Crop | None = None) -> None:
        """Show a photo (built with QImage.fromData) with its annotations and crop; clears the undo history."""
        image = load_image(image_bytes)
        self._loading = True
        self._draft, self._preview = [], None
        self.scene.load(image, shapes, crop)
        self._loading = False
        self.view.fit()
        self._update_actions()

    def shapes(self) -> tuple[Shape, ...]:
        return self.scene.shapes()

    def crop(self) -> Crop | None:
        return self.scene.crop()

    def tool(self) -> Tool:
        return self._tool

    def set_tool(self, tool: Tool) -> None:
        self._cancel_draft()
        self._tool = tool
        self._tool_actions[tool].setChecked(True)
        self.view.drawing_tool = tool is not Tool.SELECT
        drag = QGraphicsView.DragMode.ScrollHandDrag if tool is Tool.SELECT else QGraphicsView.DragMode.NoDrag
        self.view.setDragMode(drag)
        if tool is not Tool.SELECT:
            self.view.viewport().setCursor(Qt.CursorShape.CrossCursor)
        label, key, hint = TOOLS[tool]
        self._hint.setText(
            f"{label} ({key}): {hint}. The wheel or Ctrl+\u00b1 zooms; the middle button pans."
        )

    def colour(self) -> str:
        return self._colour

    def set_colour(self, key: str) -> None:
        """Colour for new annotations; also recolours the selected ones (undoably)."""
        self._colours.setCurrentIndex(list(ANNOTATION_COLOURS).index(key))
        self._colour = key
        self.scene.recolour_selected(key)

    def delete_selected(self) -> None:
        self.scene.delete_selected()

    def ask_text(self, current: str = "") -> str | None:
        """The label's text from a modal prompt (tests replace this), or None if cancelled or blank."""
        text, ok = QInputDialog.getText(self, "Text label", "Label text:", text=current)
        return text.strip() if ok and text.strip() else None

    # ------------------------------------------------------------ drawing
    def _normalised(self, point: QPointF) -> tuple[float, float]:
        return point.x() / self.scene.size[0], point.y() / self.scene.size[1]

    def _clamped(self, point: QPointF) -> QPointF:
        w, h = self.scene.size
        return QPointF(min(max(point.x(), 0.0), w), min(max(point.y(), 0.0), h))

    def _draft_shape(self) -> Shape:
        points = self._draft if len(self._draft) > 1 else self._draft * 2
        return Shape(SHAPE_OF_TOOL[self._tool], tuple(self._normalised(p) for p in points), self._colour)

    def _draft_crop(self) -> Crop | None:
        a, b = self._normalised(self._draft[0]), self._normalised(self._draft[-1])
        crop = Crop(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
        return crop if crop.right - crop.left > 0.02 and crop.bottom - crop.top > 0.02 else None

    def _show_draft(self) -> None:
        if self._tool is Tool.CROP and self.scene.overlay is not None:
            self.scene.overlay.set_crop(self._draft_crop() or self.scene.crop())
        elif self._tool in SHAPE_OF_TOOL:
            if self._preview is None:
                self._preview = self.scene.new_item(self._draft_shape())
                self._preview.setZValue(9_000)
            self._preview.set_annotation(self._draft_shape())

    def _cancel_draft(self) -> None:
        if self._preview is not None:
            self.scene.removeItem(self._preview)
            self._preview = None
        if self.scene.overlay is not None:
            self.scene.overlay.set_crop(self.scene.crop())
        self._draft = []

    def _long_enough(self) -> bool:
        xs, ys = [p.x() for p in self._draft], [p.y() for p in self._draft]
        extent = QLineF(min(xs), min(ys), max(xs), max(ys)).length()
        return extent * self.view.scale_factor() >= MIN_DRAG_PX

    def _on_pressed(self, point: QPointF) -> None:
        if self.scene.overlay is None:  # no photo yet
            return
        self._draft = [self._clamped(point)]
        if self._tool is not Tool.TEXT:
            self._show_draft()

    def _on_dragged(self, point: QPointF) -> None:
        if not self._draft or self._tool is Tool.TEXT:
            return
        point = self._clamped(point)
        if self._tool is not Tool.FREEHAND:
            self._draft[1:] = [point]
        elif QLineF(self._draft[-1], point).length() >= max(self.scene.size) * 0.002:
            self._draft.append(point)
        self._show_draft()

    def _on_released(self, point: QPointF) -> None:
        if not self._draft:
            return
        self._on_dragged(point)
        if self._tool is Tool.FREEHAND and self._draft[-1] != self._clamped(point):
            self._draft.append(self._clamped(point))
        start, long_enough = self._draft[0], self._long_enough()
        shape = self._draft_shape() if self._tool in SHAPE_OF_TOOL else None
        crop = self._draft_crop() if self._tool is Tool.CROP else None
        self._cancel_draft()
        if self._tool is Tool.TEXT:
            self._place_label(start)
        elif crop is not None:
            self.scene.set_crop(crop)
        elif shape is not None and long_enough:
            self.scene.add_shape(shape)

    def _place_label(self, point: QPointF) -> None:
        text = self.ask_text()
        if text:
            self.scene.add_shape(Shape(ShapeKind.TEXT, (self._normalised(point),), self._colour, text))

    def _on_double_clicked(self, point: QPointF) -> None:
        items = self.scene.shape_items()
        labels = [i for i in items if i.annotation.kind is ShapeKind.TEXT and i.shape().contains(point)]
        if labels:
            old = labels[-1].annotation
            text = self.ask_text(old.text)
            if text:
                self.scene.replace_shapes("edit label", [(labels[-1], old, replace(old, text=text))])

    def _select_all(self) -> None:
        for item in self.scene.shape_items():
            item.setSelected(True)

    def _cancel(self) -> None:
        self._cancel_draft()
        self.scene.clearSelection()
        self.set_tool(Tool.SELECT)

    # ------------------------------------------------------------ slots
    def _on_colour_activated(self, index: int) -> None:
        self.set_colour(self._colours.itemData(index))
        self.view.setFocus()

    def _on_index_changed(self, _index: int) -> None:
        self._update_actions()
        if not self._loading:
            self.changed.emit()

    def _on_zoomed(self) -> None:
        self._zoom_label.setText(f" {self.view.scale_factor() * 100:.0f} % ")

    def _update_actions(self) -> None:
        stack = self.undo_stack
        self._delete.setEnabled(bool(self.scene.selected_shape_items()))
        self._undo.setEnabled(stack.canUndo())
        self._undo.setToolTip(f"Undo {stack.undoText()} (Ctrl+Z)" if stack.canUndo() else "Nothing to undo")
        self._redo.setEnabled(stack.canRedo())
        self._redo.setToolTip(
            f"Redo {stack.redoText()} (Ctrl+Shift+Z)" if stack.canRedo() else "Nothing to redo"
        )
        self._uncrop.setEnabled(self.scene.crop() is not None)
