"""Photos through the window: drop files, describe the batch, details, annotate with the mouse, compare, undo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from myocase.domain.annotations import ShapeKind
from myocase.domain.records import Consent
from myocase.ui.main_window import MainWindow
from myocase.ui.photo_forms import AnnotationDialog, PhotoImportForm
from myocase.ui.photos.annotation_editor import Tool
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from tests.factories import make_patient
from tests.images import (
    PRIVATE_MARKERS,
    jpeg_taken_on,
    jpeg_with_private_metadata,
    png_bytes,
    upright_pattern,
)


def _drop(widget, paths: list[Path]) -> None:  # type: ignore[no-untyped-def]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = QPointF(widget.rect().center())
    enter = QDragEnterEvent(
        point.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, drop)


def _patient_window(window: MainWindow) -> int:
    pid = window.controller.save_patient(make_patient("MYO-05"), None).id
    assert pid is not None
    window.patient_view.tabs.setCurrentWidget(window.patient_view.photos)
    return pid


def _import(qtbot, window: MainWindow, paths: list[Path], **fields: object) -> list:  # type: ignore[no-untyped-def,type-arg]
    tab = window.patient_view.photos
    _drop(tab, paths)
    form = window.patient_view.active_form
    assert isinstance(form, PhotoImportForm)
    assert form.isVisible()
    form.widgets.body_site.setCurrentText(str(fields.get("site", "dorsum of hand")))
    form.widgets.consent.set_value(fields.get("consent", Consent.YES))  # type: ignore[arg-type]
    form.widgets.in_report.setChecked(True)
    with qtbot.waitSignal(tab.imported, timeout=30_000) as blocker:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_a_camera_date_in_2099_imports_the_photo_with_the_date_to_confirm(
    qtbot, window: MainWindow, tmp_path: Path, answers
) -> None:  # type: ignore[no-untyped-def]
    pid = _patient_window(window)
    wrong, right = tmp_path / "clock_2099.jpg", tmp_path / "fine.jpg"
    wrong.write_bytes(jpeg_taken_on("2099:01:03 10:00:00", 1))
    right.write_bytes(jpeg_taken_on("2021:06:01 12:00:00", 2))
    results = _import(qtbot, window, [wrong, right])
    assert [r.outcome.value for r in results] == ["stored", "stored"]
    stored = {p.id: p.taken_on for p in window.controller.book.photos(pid)}
    assert sorted(stored.values(), key=str) == [date(2021, 6, 1), None]
    shown = answers.questions[-1]
    assert "Stored without a date" in shown
    assert "clock_2099.jpg" in shown
    assert "2099-01-03 is in the future" in shown
    assert "fine.jpg" not in shown


def test_drop_files_stores_cleaned_photos_reports_refusals_and_undoes(
    qtbot, window: MainWindow, tmp_path: Path, answers
) -> None:  # type: ignore[no-untyped-def]
    pid = _patient_window(window)
    good, other, bad = tmp_path / "hand.jpg", tmp_path / "face.png", tmp_path / "notes.txt"
    good.write_bytes(jpeg_with_private_metadata())
    other.write_bytes(png_bytes(upright_pattern(90, 60)))
    bad.write_bytes(b"not a picture")
    results = _import(qtbot, window, [good, other, bad])
    assert [r.outcome.value for r in results] == ["stored", "stored", "refused"]
    assert "notes.txt: refused: it is not an image" in answers.questions[-1]
    book = window.controller.book
    stored = book.photos(pid)
    assert [(p.body_site, p.consent, p.in_report) for p in stored] == [
        ("dorsum of hand", Consent.YES, True)
    ] * 2
    (dated,) = [p for p in stored if p.taken_on is not None]
    assert str(dated.taken_on) == "2021-04-18"  # the camera's date, offered as the photo's date
    assert not any(m in book.photo_image(dated.id or 0) for m in PRIVATE_MARKERS)
    assert window.patient_view.photos.list.count() == 2
    window.actions_["undo"].trigger()
    assert book.photos(pid) == []
    assert window.patient_view.photos.list.count() == 0
    window.actions_["redo"].trigger()
    assert len(book.photos(pid)) == 2


def test_annotate_with_the_mouse_saves_and_undo_removes(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _patient_window(window)
    path = tmp_path / "hand.png"
    path.write_bytes(png_bytes(upright_pattern(400, 300)))
    _import(qtbot, window, [path])
    tab = window.patient_view.photos
    tab.list.item(0).setSelected(True)
    dialog = tab.annotate()
    assert isinstance(dialog, AnnotationDialog)
    editor = dialog.editor
    editor.resize(900, 700)
    qtbot.waitExposed(dialog)
    editor.set_tool(Tool.ARROW)
    view = editor.view
    points = [view.mapFromScene(QPointF(x * 400, y * 300)) for x, y in ((0.2, 0.3), (0.4, 0.45), (0.6, 0.7))]
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(view.viewport(), pos=point)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=points[-1])
    dialog.save()
    (arrow,) = window.controller.book.photos(pid)[0].annotations
    assert arrow.kind is ShapeKind.ARROW
    assert abs(arrow.points[0][0] - 0.2) < 0.01
    assert abs(arrow.points[1][1] - 0.7) < 0.01
    window.actions_["undo"].trigger()
    assert window.controller.book.photos(pid)[0].annotations == ()
    assert isinstance(points[0], QPoint)


def test_compare_and_save_a_named_comparison(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _patient_window(window)
    paths = []
    for n in range(3):
        paths.append(tmp_path / f"{n}.png")
        paths[-1].write_bytes(png_bytes(upright_pattern(80 + n * 10, 60)))
    _import(qtbot, window, paths)
    tab = window.patient_view.photos
    for row in range(3):
        tab.list.item(row).setSelected(True)
    view = tab.compare()
    assert view is not None
    assert len(view.photo_ids()) == 3
    view.save_requested.emit("Before / during / after", view.photo_ids())
    (comparison,) = window.controller.book.comparisons(pid)
    assert comparison.name == "Before / during / after"
    assert len(comparison.photo_ids) == 3
    assert tab.comparisons.findText("Before / during / after") >= 0


def test_details_form_edits_a_photo(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _patient_window(window)
    path = tmp_path / "a.png"
    path.write_bytes(png_bytes())
    _import(qtbot, window, [path])
    tab = window.patient_view.photos
    tab.list.item(0).setSelected(True)
    form = tab.edit_details()
    assert form is not None
    form.widgets.identifiable.setChecked(True)
    form.widgets.caption.setText("Face visible: crop before publishing")
    form.save()
    photo = window.controller.book.photos(pid)[0]
    assert photo.identifiable
    assert photo.caption == "Face visible: crop before publishing"
