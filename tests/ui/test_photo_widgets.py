"""The photo widgets: drawing, editing and undoing annotations; side-by-side comparison; captions."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from myocase.domain.annotations import Crop, Shape, ShapeKind
from myocase.domain.records import Photo
from myocase.services.demo import write_demo
from myocase.services.demo_photos import COMPARISON_NAME
from myocase.store.casebook import Casebook
from myocase.store.imaging import prepare_image
from myocase.ui.photos.annotated_view import render_annotated
from myocase.ui.photos.annotation_editor import AnnotationEditor, Tool
from myocase.ui.photos.captions import photo_caption
from myocase.ui.photos.comparison_view import ComparisonItem, ComparisonView
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QImage, QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsPixmapItem, QVBoxLayout, QWidget

from tests.factories import make_assessment, make_course, make_patient

WIDTH, HEIGHT = 480, 360


def _png(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    image = Image.new("RGB", (width, height), (200, 160, 140))
    image.paste((90, 30, 60), (width // 4, height // 4, width // 2, height // 2))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def stored_photo(book: Casebook) -> Photo:
    patient = book.save_patient(make_patient())
    photo, _ = book.add_photo(patient.id or 0, prepare_image(_png()), taken_on=date(2021, 5, 1))
    return photo


@pytest.fixture
def editor(qtbot) -> AnnotationEditor:  # type: ignore[no-untyped-def]
    widget = AnnotationEditor()
    qtbot.addWidget(widget)
    widget.set_photo(_png())
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.view.setFocus()
    return widget


def _at(editor: AnnotationEditor, x: float, y: float) -> QPoint:
    """The viewport pixel showing the photo point (x, y), in fractions of the photo."""
    return editor.view.mapFromScene(QPointF(x * WIDTH, y * HEIGHT))


def _fraction(editor: AnnotationEditor, point: QPoint) -> tuple[float, float]:
    """Where a viewport pixel lies on the photo, in fractions: what a drag there must store."""
    scene = editor.view.mapToScene(point)
    return scene.x() / WIDTH, scene.y() / HEIGHT


def _drag(qtbot, editor: AnnotationEditor, *points: QPoint) -> None:  # type: ignore[no-untyped-def]
    viewport = editor.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(viewport, pos=point)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=points[-1])


def _points_match(
    actual: tuple[tuple[float, float], ...], expected: list[tuple[float, float]], tolerance: float = 1e-9
) -> bool:
    return len(actual) == len(expected) and all(
        a == pytest.approx(e, abs=tolerance) for a, e in zip(actual, expected, strict=True)
    )


# ---------------------------------------------------------------- the annotation editor


def test_arrow_drawn_with_the_mouse_is_saved_and_undo_removes_it(qtbot, book, stored_photo, editor) -> None:  # type: ignore[no-untyped-def]
    photo_id = stored_photo.id or 0
    editor.set_photo(book.photo_image(photo_id), stored_photo.annotations, stored_photo.crop)
    editor.set_tool(Tool.ARROW)
    tail, middle, tip = _at(editor, 0.2, 0.3), _at(editor, 0.4, 0.5), _at(editor, 0.6, 0.7)

    with qtbot.waitSignal(editor.changed):
        _drag(qtbot, editor, tail, middle, tip)

    (arrow,) = editor.shapes()
    assert arrow.kind is ShapeKind.ARROW
    assert _points_match(arrow.points, [_fraction(editor, tail), _fraction(editor, tip)])
    assert arrow.points[0] == pytest.approx((0.2, 0.3), abs=0.005)
    assert arrow.points[1] == pytest.approx((0.6, 0.7), abs=0.005)
    book.save_photo(replace(stored_photo, annotations=editor.shapes(), crop=editor.crop()))
    (stored,) = book.photo(photo_id).annotations
    assert stored.kind is ShapeKind.ARROW
    assert _points_match(stored.points, list(arrow.points), tolerance=1e-6)  # stored to 6 decimals

    qtbot.keyClick(editor.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.shapes() == ()
    book.save_photo(replace(book.photo(photo_id), annotations=editor.shapes()))
    assert book.photo(photo_id).annotations == ()

    qtbot.keyClick(
        editor.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert editor.shapes() == (arrow,)


def test_ellipse_follows_the_drag_from_corner_to_corner(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    editor.set_tool(Tool.ELLIPSE)
    start, end = _at(editor, 0.7, 0.2), _at(editor, 0.3, 0.6)
    _drag(qtbot, editor, start, _at(editor, 0.5, 0.5), end)
    (ellipse,) = editor.shapes()
    assert ellipse.kind is ShapeKind.ELLIPSE
    assert _points_match(ellipse.points, [_fraction(editor, start), _fraction(editor, end)])


def test_freehand_outline_keeps_the_traced_points_in_order(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    editor.set_tool(Tool.FREEHAND)
    trace = [_at(editor, x, y) for x, y in ((0.3, 0.3), (0.5, 0.25), (0.6, 0.45), (0.45, 0.6), (0.3, 0.32))]
    _drag(qtbot, editor, *trace)
    (outline,) = editor.shapes()
    assert outline.kind is ShapeKind.FREEHAND
    assert _points_match(outline.points, [_fraction(editor, p) for p in trace])


def test_a_slip_of_the_mouse_draws_nothing(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    editor.set_tool(Tool.ARROW)
    start = _at(editor, 0.5, 0.5)
    _drag(qtbot, editor, start, start + QPoint(1, 1))
    assert editor.shapes() == ()
    assert editor.undo_stack.count() == 0


def test_delete_removes_the_clicked_shape_and_undo_puts_it_back_in_place(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    shapes = (
        Shape(ShapeKind.ARROW, ((0.1, 0.1), (0.3, 0.3))),
        Shape(ShapeKind.ELLIPSE, ((0.5, 0.5), (0.8, 0.8)), "sky blue"),
        Shape(ShapeKind.FREEHAND, ((0.1, 0.8), (0.2, 0.9), (0.3, 0.8))),
    )
    editor.set_photo(_png(), shapes)
    qtbot.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=_at(editor, 0.65, 0.65))
    assert [i.annotation for i in editor.scene.selected_shape_items()] == [shapes[1]]

    qtbot.keyClick(editor.view, Qt.Key.Key_Delete)
    assert editor.shapes() == (shapes[0], shapes[2])
    editor.undo_stack.undo()
    assert editor.shapes() == shapes


def test_dragging_a_shape_moves_it_and_undo_moves_it_back(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    ellipse = Shape(ShapeKind.ELLIPSE, ((0.4, 0.4), (0.6, 0.6)))
    editor.set_photo(_png(), (ellipse,))
    grab, drop = _at(editor, 0.5, 0.5), _at(editor, 0.6, 0.45)
    _drag(qtbot, editor, grab, _at(editor, 0.55, 0.48), drop)

    (moved,) = editor.shapes()
    (gx, gy), (dx, dy) = _fraction(editor, grab), _fraction(editor, drop)
    assert _points_match(moved.points, [(x + dx - gx, y + dy - gy) for x, y in ellipse.points])
    editor.undo_stack.undo()
    assert editor.shapes() == (ellipse,)


def test_arrow_keys_nudge_the_selection_within_the_photo(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    arrow = Shape(ShapeKind.ARROW, ((0.0, 0.5), (0.2, 0.5)))
    editor.set_photo(_png(), (arrow,))
    editor.scene.shape_items()[0].setSelected(True)
    qtbot.keyClick(editor.view, Qt.Key.Key_Left)  # already at the left edge: stays
    qtbot.keyClick(editor.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    (moved,) = editor.shapes()
    assert _points_match(moved.points, [(0.05, 0.5), (0.25, 0.5)])


def test_crop_round_trips_and_a_crop_drag_replaces_it_without_touching_the_pixels(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    crop = Crop(0.125, 0.2, 0.75, 0.9)
    editor.set_photo(_png(), (), crop)
    assert editor.crop() == crop

    editor.set_tool(Tool.CROP)
    start, end = _at(editor, 0.6, 0.7), _at(editor, 0.1, 0.15)
    _drag(qtbot, editor, start, end)
    (x0, y0), (x1, y1) = _fraction(editor, end), _fraction(editor, start)
    assert editor.crop() == Crop(x0, y0, x1, y1)
    (photo_item,) = [i for i in editor.scene.items() if isinstance(i, QGraphicsPixmapItem)]
    shown = photo_item.pixmap().toImage()
    assert shown.convertToFormat(QImage.Format.Format_RGB32) == QImage.fromData(_png()).convertToFormat(
        QImage.Format.Format_RGB32
    )

    editor.undo_stack.undo()
    assert editor.crop() == crop
    editor.scene.set_crop(None)
    assert editor.crop() is None


def test_shapes_round_trip_through_the_editor_unchanged(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    shapes = (
        Shape(ShapeKind.ARROW, ((0.123457, 0.987654), (0.333333, 0.666667)), "vermillion", width=0.01),
        Shape(ShapeKind.ELLIPSE, ((0.9, 0.1), (0.2, 0.7)), "sky blue"),
        Shape(ShapeKind.FREEHAND, ((0.1, 0.1), (0.15, 0.2), (0.3, 0.25), (0.1, 0.1)), "white"),
        Shape(ShapeKind.TEXT, ((0.05, 0.05),), "black", "Gottron's papules"),
        Shape(ShapeKind.ARROW, ((-0.1, 1.2), (0.5, 0.5))),  # partly outside the photo
    )
    crop = Crop(0.1, 0.05, 0.95, 0.9)
    with qtbot.assertNotEmitted(editor.changed):
        editor.set_photo(_png(), shapes, crop)
    assert editor.shapes() == shapes
    assert editor.crop() == crop
    assert editor.undo_stack.count() == 0


def test_text_tool_places_a_label_and_the_colour_choice_recolours_the_selection(
    qtbot, editor, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(editor, "ask_text", lambda current="": "Gottron's papules")
    editor.set_tool(Tool.TEXT)
    editor.set_colour("white")
    corner = _at(editor, 0.1, 0.1)
    _drag(qtbot, editor, corner)
    (label,) = editor.shapes()
    assert (label.kind, label.text, label.colour) == (ShapeKind.TEXT, "Gottron's papules", "white")
    assert _points_match(label.points, [_fraction(editor, corner)])

    editor.scene.shape_items()[0].setSelected(True)
    editor.set_colour("vermillion")
    assert editor.shapes()[0].colour == "vermillion"
    editor.undo_stack.undo()
    assert editor.shapes()[0].colour == "white"


def _in_window_with_undo(qtbot, editor: AnnotationEditor) -> tuple[QWidget, QAction, QWidget]:  # type: ignore[no-untyped-def]
    """The editor in an active window that has its own Ctrl+Z, beside another focusable widget."""
    window, elsewhere = QWidget(), QWidget()
    qtbot.addWidget(window)
    window_undo = QAction("Undo record edit", window)
    window_undo.setShortcut(QKeySequence.StandardKey.Undo)
    window.addAction(window_undo)
    elsewhere.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    layout = QVBoxLayout(window)
    layout.addWidget(editor)
    layout.addWidget(elsewhere)
    window.resize(800, 600)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window, window_undo, elsewhere


def test_editor_keys_win_over_the_window_shortcuts(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = AnnotationEditor()
    editor.set_photo(_png())
    _, window_undo, elsewhere = _in_window_with_undo(qtbot, editor)
    triggered: list[bool] = []
    window_undo.triggered.connect(lambda: triggered.append(True))
    editor.scene.add_shape(Shape(ShapeKind.ARROW, ((0.1, 0.1), (0.4, 0.4))))

    elsewhere.setFocus()
    qtbot.keyClick(elsewhere, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert triggered == [True]  # the window's shortcut is live
    assert len(editor.shapes()) == 1

    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.shapes() == ()
    assert triggered == [True]
    qtbot.keyClick(editor.view, Qt.Key.Key_E)
    assert editor.tool() is Tool.ELLIPSE
    qtbot.keyClick(editor.view, Qt.Key.Key_Escape)
    assert editor.tool() is Tool.SELECT


def test_wheel_and_keys_zoom_and_fit(qtbot, editor) -> None:  # type: ignore[no-untyped-def]
    fitted = editor.view.scale_factor()
    _wheel(editor.view.viewport(), _at(editor, 0.5, 0.5), steps=2)
    assert editor.view.scale_factor() == pytest.approx(fitted * 1.25**2)
    qtbot.keyClick(editor.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert editor.view.scale_factor() == pytest.approx(fitted)


# ---------------------------------------------------------------- the comparison


def _wheel(target: QWidget, at: QPoint, steps: int) -> None:
    event = QWheelEvent(
        QPointF(at), QPointF(target.mapToGlobal(at)), QPoint(0, 0), QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(target, event)


def _demo_items(book: Casebook) -> tuple[list[ComparisonItem], int]:
    write_demo(book)
    patient = book.patient_by_study_id("DEMO-01")
    assert patient is not None
    assert patient.id is not None
    settings = book.settings()
    courses, assessments = book.courses(patient.id), book.assessments(patient.id)
    (comparison,) = book.comparisons(patient.id)
    assert comparison.name == COMPARISON_NAME
    items = []
    for photo_id in comparison.photo_ids:
        photo = book.photo(photo_id)
        caption = photo_caption(
            photo, courses, assessments, settings.index_drug, settings.cutoff_or(date.today())
        )
        items.append(ComparisonItem(book.photo_image(photo_id), photo, caption))
    return items, patient.id


def test_captions_give_phase_day_and_nearest_cdasi_for_the_demo_photos(book) -> None:  # type: ignore[no-untyped-def]
    items, _ = _demo_items(book)
    assert [item.caption for item in items] == [
        "2019-05-23 · prior immunosuppressants phase · day \u2212480 from upadacitinib · CDASI activity 40 (2019-05-23)",
        "2020-08-24 · tofacitinib phase · day \u221221 from upadacitinib · CDASI activity 32 (2020-08-24)",
        "2022-06-13 · upadacitinib phase · day +637 from upadacitinib · CDASI activity 8 (2022-06-13)",
    ]


def test_caption_takes_the_phase_starting_on_the_day_and_the_earlier_assessment_on_a_tie(book) -> None:  # type: ignore[no-untyped-def]
    patient = book.save_patient(make_patient())
    pid = patient.id or 0
    courses = [
        make_course(pid, "tofacitinib", "2020-01-01", stop=None),
        make_course(pid, "upadacitinib", "2021-03-01"),
    ]
    assessments = [
        make_assessment(pid, "2021-02-24", cdasi_activity=30),
        make_assessment(pid, "2021-03-06", cdasi_activity=12),
    ]
    photo = Photo(pid, "0" * 64, "image/png", 10, 10, taken_on=date(2021, 3, 1))
    caption = photo_caption(photo, courses, assessments, "upadacitinib", date(2023, 6, 30))
    assert (
        caption
        == "2021-03-01 · upadacitinib phase · day 0 from upadacitinib · CDASI activity 30 (2021-02-24)"
    )
    undated = photo_caption(replace(photo, taken_on=None), courses, [], "upadacitinib", date(2023, 6, 30))
    assert undated == "date not recorded · no CDASI activity recorded"
    no_index = photo_caption(photo, courses[:1], assessments[1:], "baricitinib", date(2023, 6, 30))
    assert (
        no_index == "2021-03-01 · tofacitinib phase · no baricitinib course · CDASI activity 12 (2021-03-06)"
    )


def test_comparison_keeps_zoom_and_pan_in_step_and_asks_to_save(qtbot, book) -> None:  # type: ignore[no-untyped-def]
    items, _ = _demo_items(book)
    items[1] = replace(items[1], photo=replace(items[1].photo, crop=Crop(0.25, 0.0, 0.75, 0.5)))
    view = ComparisonView()
    qtbot.addWidget(view)
    view.set_photos(items)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    panes = [pane.view for pane in view.panes()]
    assert len(panes) == 3
    assert panes[1].sceneRect().width() == pytest.approx(0.5 * items[1].photo.width)  # the crop is respected

    _wheel(panes[0].viewport(), panes[0].viewport().rect().center(), steps=3)
    zoom = view.view_state()[0]
    assert zoom == pytest.approx(1.25**3)
    assert all(pane.view == view.view_state() for pane in panes)

    before = view.view_state()
    centre = panes[2].viewport().rect().center()
    _drag_pane(qtbot, panes[2], centre, centre + QPoint(-40, -30))
    after = view.view_state()
    assert after[0] == zoom
    assert after[1] > before[1]
    assert after[2] > before[2]
    assert all(pane.view == after for pane in panes)

    assert not view.save_button.isEnabled()
    qtbot.keyClicks(view.name_field, "Before / after")
    with qtbot.waitSignal(view.save_requested) as saved:
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == ["Before / after", tuple(item.photo.id for item in items)]


def _drag_pane(qtbot, pane, start: QPoint, end: QPoint) -> None:  # type: ignore[no-untyped-def]
    qtbot.mousePress(pane.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(pane.viewport(), pos=end)
    qtbot.mouseRelease(pane.viewport(), Qt.MouseButton.LeftButton, pos=end)


def test_comparison_refuses_more_than_four_photos(qtbot, book) -> None:  # type: ignore[no-untyped-def]
    items, _ = _demo_items(book)
    view = ComparisonView()
    qtbot.addWidget(view)
    with pytest.raises(ValueError, match="two to four"):
        view.set_photos(items + items)
    view.set_photos(items[:1], "Only one")
    assert not view.save_button.isEnabled()


def test_render_annotated_draws_the_shapes_over_the_cropped_photo(qapp) -> None:  # type: ignore[no-untyped-def]
    crop = Crop(0.5, 0.0, 1.0, 1.0)  # the right half: 240 × 360
    arrow = Shape(ShapeKind.ARROW, ((0.55, 0.5), (0.95, 0.5)), "sky blue", width=0.02)
    image = render_annotated(_png(), (arrow,), crop, 200)
    assert (image.width(), image.height()) == (200, 300)
    assert image.pixelColor(60, 150).name() == "#56b4e9"  # on the arrow: 0.6 of the photo = 0.2 of the crop
    assert image.pixelColor(60, 40).name() == "#c8a08c"  # untouched skin


def test_annotation_text_gets_an_outline_that_contrasts_with_it(qapp) -> None:  # type: ignore[no-untyped-def]
    label = Shape(ShapeKind.TEXT, ((0.1, 0.1),), "yellow", "Gottron")
    image = render_annotated(_png(), (label,), None, 480)
    colours = {image.pixelColor(x, y).name() for x in range(40, 200) for y in range(40, 90)}
    assert "#f0e442" in colours  # the yellow letters
    assert any(QColor(c).lightness() < 40 for c in colours)  # their black outline, on skin-coloured pixels
    plain = render_annotated(_png(), (), None, 480)
    assert all(plain.pixelColor(x, 60).lightness() > 60 for x in range(40, 200))  # no black there without it
