"""Layouts that fit a small screen: nothing cut in the window at 1024×700 and 1366×768, and every
dialog and secondary window inside the screen with its Save and Cancel on it."""

from __future__ import annotations

import pytest
from myocase.ui.main_window import MainWindow
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget


def _cut(widget: QWidget) -> list[str]:
    """Visible labels and buttons narrower than their text needs (a word-wrapped label never is)."""
    cut = []
    for label in widget.findChildren(QLabel):
        if (
            label.isVisible()
            and label.text()
            and not label.wordWrap()
            and label.width() < label.minimumSizeHint().width()
        ):
            cut.append(f"label “{label.text()[:40]}”: {label.width()} < {label.minimumSizeHint().width()}")
    for button in widget.findChildren(QAbstractButton):
        if button.isVisible() and button.text() and button.width() < button.minimumSizeHint().width():
            cut.append(f"button “{button.text()}”: {button.width()} < {button.minimumSizeHint().width()}")
    return cut


@pytest.mark.demo
@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_the_window_cuts_no_text_at_small_sizes(qtbot, window: MainWindow, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    window.resize(*size)
    patient = window.controller.book.patient_by_study_id("DEMO-01")
    assert patient is not None
    window.controller.select_patient(patient.id)
    view = window.patient_view
    for n in range(view.tabs.count()):
        view.tabs.setCurrentIndex(n)
        qtbot.wait(10)
        assert window.width() <= size[0]
        assert window.height() <= size[1]
        assert not _cut(window), (view.tabs.tabText(n), _cut(window))
    assert window.actions_["undo"] in window.toolbar.actions()
    undo = window.toolbar.widgetForAction(window.actions_["undo"])
    assert undo is not None
    assert undo.isVisible()
    assert undo.geometry().right() <= window.toolbar.width()


def _within_screen(widget: QWidget) -> None:
    area = (widget.screen() or QApplication.primaryScreen()).availableGeometry()
    assert widget.width() <= area.width(), (type(widget).__name__, widget.size())
    assert widget.height() <= area.height(), (type(widget).__name__, widget.size())


@pytest.mark.demo
def test_every_dialog_and_window_fits_the_screen_with_save_and_cancel_on_it(window: MainWindow) -> None:
    patient = window.controller.book.patient_by_study_id("DEMO-01")
    assert patient is not None
    window.controller.select_patient(patient.id)
    view = window.patient_view
    forms = [view.edit_patient(), view.new_course(), view.new_assessment(), view.new_event()]
    forms += [window.edit_settings(), window.edit_report_settings()]
    for form in forms:
        assert form is not None
        form.show()
        _within_screen(form)
        for button in (form.save_button, form.buttons.button(form.buttons.StandardButton.Cancel)):
            corner = button.mapTo(form, button.rect().bottomRight())
            assert button.isVisible(), (type(form).__name__, button.text())
            assert form.rect().contains(corner), (type(form).__name__, button.text())
        form.reject()
    for opened in (window.show_analysis(), window.show_cohort(), window.show_help()):
        _within_screen(opened)
        opened.close()


@pytest.mark.demo
def test_the_timeline_starts_at_the_top_of_its_view_in_a_small_window(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.resize(1024, 700)
    patient = window.controller.book.patient_by_study_id("DEMO-01")
    assert patient is not None
    window.controller.select_patient(patient.id)
    timeline = window.patient_view.timeline
    view = timeline.graphics
    qtbot.waitUntil(lambda: view.height() > 0)
    qtbot.wait(50)
    assert view.sceneRect().height() == view.height()  # a stale scene rect centred the figure, leaving a gap
    top = view.mapFromScene(timeline.lanes.plot.mapToScene(0, 0)).y()
    assert top < 12
