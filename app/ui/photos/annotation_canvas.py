"""The editing surface: the annotation document (photo, shapes in order, crop, undo) and its zoomable view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPalette, QPixmap, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView, QWidget

from ...domain.annotations import Crop, Shape
from ...domain.numbers import plural
from .annotated_view import CropOverlay, ShapeItem
from .keyed_view import KeyedView

Key = QKeySequence.StandardKey | str
Change = tuple[ShapeItem, Shape, Shape]  # item, shape before, shape after


def _moved_within(shape: Shape, dx: float, dy: float) -> Shape:
    """The shape moved by (dx, dy), stopped at the photo's edges (a shape already outside may move inward)."""
    xs, ys = [x for x, _ in shape.points], [y for _, y in shape.points]
    dx = min(max(dx, min(0.0, -min(xs))), max(0.0, 1 - max(xs)))
    dy = min(max(dy, min(0.0, -min(ys))), max(0.0, 1 - max(ys)))
    return shape.moved(dx, dy)


class _Command(QUndoCommand):
    def __init__(self, text: str, redo: Callable[[], None], undo: Callable[[], None]) -> None:
        super().__init__(text)
        self._redo, self._undo = redo, undo

    def redo(self) -> None:
        self._redo()

    def undo(self) -> None:
        self._undo()


class Canvas(KeyedView):
    """The photo view: wheel zoom, middle-button pan, drawing presses reported in scene (image pixel) coordinates.

    Its ``keys`` take precedence over the window's shortcuts while it has the focus, so Ctrl+Z
    undoes the last annotation rather than the last record edit.
    """

    pressed = Signal(QPointF)
    dragged = Signal(QPointF)
    released = Signal(QPointF)
    select_released = Signal()
    double_clicked = Signal(QPointF)
    zoomed = Signal()

    def __init__(self, scene: QGraphicsScene) -> None:
        super().__init__(scene)
        self.drawing_tool = False
        self.auto_fit = True
        self.keys: list[tuple[Key, Callable[[], None]]] = []
        self._pan_from: QPointF | None = None
        self._drawing = False
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Dark)  # follows light and dark themes
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Photo with annotations")

    def key_action(self, event: QKeyEvent) -> Callable[[], None] | None:
        for key, handler in self.keys:
            if isinstance(key, QKeySequence.StandardKey):
                if event.matches(key):
                    return handler
            elif QKeySequence(event.keyCombination()) == QKeySequence(key):
                return handler
        return None

    def mousePressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
        elif self.drawing_tool and event.button() == Qt.MouseButton.LeftButton:
            self._drawing = True
            self.pressed.emit(self.mapToScene(event.position().toPoint()))
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if self._pan_from is not None:
            delta, self._pan_from = event.position() - self._pan_from, event.position()
            for bar, step in ((self.horizontalScrollBar(), delta.x()), (self.verticalScrollBar(), delta.y())):
                bar.setValue(bar.value() - round(step))
        elif self._drawing:
            self.dragged.emit(self.mapToScene(event.position().toPoint()))
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = None
        elif self._drawing and event.button() == Qt.MouseButton.LeftButton:
            self._drawing = False
            self.released.emit(self.mapToScene(event.position().toPoint()))
        else:
            super().mouseReleaseEvent(event)
            if event.button() == Qt.MouseButton.LeftButton:
                self.select_released.emit()

    def mouseDoubleClickEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if self.drawing_tool:
            self.mousePressEvent(event)
            return
        self.double_clicked.emit(self.mapToScene(event.position().toPoint()))

    def wheelEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(1.25**steps)
        event.accept()

    def scale_factor(self) -> float:
        """Screen pixels per image pixel."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        rect, port = self.sceneRect(), self.viewport().rect()
        fit = min(port.width() / rect.width(), port.height() / rect.height()) if not rect.isEmpty() else 1.0
        current = self.scale_factor()
        target = min(max(current * factor, min(fit, 1.0) * 0.5), 32.0)
        self.auto_fit = False
        self.scale(target / current, target / current)
        self.zoomed.emit()

    def fit(self) -> None:
        self.auto_fit = True
        if not self.sceneRect().isEmpty():
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomed.emit()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()


class AnnotationScene(QGraphicsScene):
    """The editor's document: the photo at the origin in image pixels, its annotation items in
    drawing order and its crop. Every change after ``load`` goes through ``undo_stack``.
    """

    def __init__(self, undo_stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = undo_stack
        self.size = (1.0, 1.0)
        self.overlay: CropOverlay | None = None
        self._items: list[ShapeItem] = []
        self._crop: Crop | None = None

    def load(self, image: QImage, shapes: Sequence[Shape], crop: Crop | None) -> None:
        """Show a photo with its shapes and crop, clearing the undo history."""
        self.undo_stack.clear()
        self.clear()
        self._items = []
        self.size = (float(image.width()), float(image.height()))
        photo = self.addPixmap(QPixmap.fromImage(image))
        photo.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.setSceneRect(QRectF(0, 0, *self.size))
        self.overlay = CropOverlay(*self.size)
        self.addItem(self.overlay)
        self._apply_crop(crop)
        for shape in shapes:
            self._insert(self.new_item(shape), len(self._items))
        self.undo_stack.setClean()

    def shapes(self) -> tuple[Shape, ...]:
        return tuple(item.annotation for item in self._items)

    def crop(self) -> Crop | None:
        return self._crop

    def shape_items(self) -> list[ShapeItem]:
        return list(self._items)

    def selected_shape_items(self) -> list[ShapeItem]:
        return [item for item in self._items if item.isSelected()]

    def new_item(self, shape: Shape) -> ShapeItem:
        item = ShapeItem(shape, *self.size)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.addItem(item)
        return item

    # ------------------------------------------------------------ undoable edits
    def add_shape(self, shape: Shape) -> None:
        item = self.new_item(shape)
        item.hide()
        index = len(self._items)
        self._push(f"add {shape.kind.value}", lambda: self._insert(item, index), lambda: self._take(item))

    def delete_selected(self) -> None:
        chosen = sorted(((self._items.index(i), i) for i in self.selected_shape_items()), key=lambda p: p[0])

        def redo() -> None:
            for _, item in chosen:
                self._take(item)

        def undo() -> None:
            for index, item in chosen:
                self._insert(item, index)

        if chosen:
            self._push(f"delete {plural(len(chosen), 'annotation')}", redo, undo)

    def replace_shapes(self, text: str, changes: Sequence[Change]) -> None:
        """Give items new shapes (move, recolour, relabel) in one undoable step; unchanged ones are skipped."""
        changes = [c for c in changes if c[1] != c[2] or not c[0].pos().isNull()]

        def apply(new: bool) -> None:
            for item, old, fresh in changes:
                item.set_annotation(fresh if new else old)
                item.setPos(0, 0)

        if changes:
            self._push(text, lambda: apply(True), lambda: apply(False))

    def nudge(self, dx: float, dy: float) -> None:
        """Move the selected annotations by fractions of the photo's width and height."""
        items = self.selected_shape_items()
        self.replace_shapes("move", [(i, i.annotation, _moved_within(i.annotation, dx, dy)) for i in items])

    def commit_moves(self) -> None:
        """Turn items dragged by the mouse into moved shapes (one undoable step)."""
        w, h = self.size
        moved = [i for i in self._items if not i.pos().isNull()]
        changes = [
            (i, i.annotation, _moved_within(i.annotation, i.pos().x() / w, i.pos().y() / h)) for i in moved
        ]
        self.replace_shapes("move", changes)

    def recolour_selected(self, colour: str) -> None:
        items = self.selected_shape_items()
        self.replace_shapes(
            "recolour", [(i, i.annotation, replace(i.annotation, colour=colour)) for i in items]
        )

    def set_crop(self, crop: Crop | None) -> None:
        old = self._crop
        if crop != old:
            text = "crop" if crop else "remove crop"
            self._push(text, lambda: self._apply_crop(crop), lambda: self._apply_crop(old))

    # ------------------------------------------------------------ internals
    def _push(self, text: str, redo: Callable[[], None], undo: Callable[[], None]) -> None:
        self.undo_stack.push(_Command(text, redo, undo))

    def _insert(self, item: ShapeItem, index: int) -> None:
        self._items.insert(index, item)
        item.show()
        self._restack()

    def _take(self, item: ShapeItem) -> None:
        item.setSelected(False)
        item.hide()  # kept in the scene, hidden, so undo can bring it back
        self._items.remove(item)
        self._restack()

    def _restack(self) -> None:
        for n, item in enumerate(self._items):
            item.setZValue(1 + n)

    def _apply_crop(self, crop: Crop | None) -> None:
        self._crop = crop
        if self.overlay is not None:
            self.overlay.set_crop(crop)
