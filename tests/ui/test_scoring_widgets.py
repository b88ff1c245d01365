"""The CDASI grid and MMT-8 entry widgets, driven with the keyboard and mouse as a clinician would."""

from __future__ import annotations

import pytest
from myocase.domain.cdasi import CDASI_SITE_ITEMS, CDASI_SITES, CdasiGrid, Mmt8Scores
from myocase.ui.scoring.cdasi_grid import CdasiGridEditor
from myocase.ui.scoring.entry_mode import CdasiEntry, Mmt8Entry
from myocase.ui.scoring.mmt8 import Mmt8Editor
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

KEY = Qt.Key
FULL_ROW = "".join(str(item.maximum) for item in CDASI_SITE_ITEMS)  # "32111"


def shown(qtbot, widget: QWidget, width: int = 900) -> QWidget:  # type: ignore[no-untyped-def]
    qtbot.addWidget(widget)
    widget.resize(width, widget.sizeHint().height())
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def editor(qtbot) -> CdasiGridEditor:  # type: ignore[no-untyped-def]
    grid_editor = shown(qtbot, CdasiGridEditor())
    assert isinstance(grid_editor, CdasiGridEditor)
    grid_editor.table.setFocus()
    return grid_editor


def press(qtbot, widget: QWidget, *keys: KEY | str) -> None:  # type: ignore[no-untyped-def]
    """Keys sent to whichever widget of the window has the focus, as a keyboard would."""
    for key in keys:
        target = widget.window().focusWidget() or widget
        if isinstance(key, str):
            qtbot.keyClicks(target, key)
        else:
            qtbot.keyClick(target, key)


def cell(editor: CdasiGridEditor, row: int, column: int) -> int:
    return editor.grid().sites[row][column]


# ---------------------------------------------------------------- CDASI grid
def test_typed_digits_score_the_row_and_totals_follow(qtbot, editor: CdasiGridEditor) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(editor.changed):
        press(qtbot, editor, "3", "2", "1", "0", "1")
    assert editor.grid().sites[0] == (3, 2, 1, 0, 1)
    assert editor.totals.text() == "Activity 6 / 100 · Damage 1 / 32"
    assert editor.table.currentIndex().row() == 1  # moved on to the next site
    assert editor.table.currentIndex().column() == 0


def test_arrows_move_and_enter_goes_down(qtbot, editor: CdasiGridEditor) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, editor, KEY.Key_Down, KEY.Key_Down, KEY.Key_Right, KEY.Key_Return, "2")
    assert cell(editor, 3, 1) == 2
    assert editor.grid().activity == 2


def test_digit_above_the_items_maximum_is_kept_marked_and_blocks_the_totals(
    qtbot, editor: CdasiGridEditor
) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, editor, KEY.Key_Right)  # scale, 0–2
    with qtbot.waitSignal(editor.changed):
        press(qtbot, editor, "3")
    assert cell(editor, 0, 1) == 3  # what was typed, not changed and not dropped
    assert editor.table.currentIndex().column() == 2  # moved on: the next digit lands where it was meant
    assert editor.model.index(0, 1).data() == "⚠ 3"
    assert editor.problems() == ["Scalp: scale must be a whole number 0–2, not 3."]
    assert editor.error.isVisible()
    assert editor.error.text() == "⚠ Scalp: scale must be a whole number 0–2, not 3."
    assert editor.totals_now() == (None, None)
    assert editor.totals.text() == "No totals until the scores marked ⚠ are fixed"
    press(qtbot, editor, KEY.Key_Left, "2")  # fixed
    assert cell(editor, 0, 1) == 2
    assert editor.problems() == []
    assert not editor.error.isVisible()
    assert editor.totals.text() == "Activity 2 / 100 · Damage 0 / 32"


def test_a_gottron_score_out_of_range_is_kept_and_named(qtbot, editor: CdasiGridEditor) -> None:  # type: ignore[no-untyped-def]
    box = editor.spins["periungual"]
    box.setFocus()
    box.line.selectAll()
    press(qtbot, editor, "5")
    assert box.line.text() == "5"
    assert editor.problems() == ["Periungual changes must be between 0 and 2."]
    assert box.warning.isVisible()
    assert editor.error.text() == "⚠ Periungual changes must be between 0 and 2."
    press(qtbot, editor, KEY.Key_Backspace)
    assert editor.problems() == ["Periungual changes: type 0–2 (0 if absent)."]
    press(qtbot, editor, "2")
    assert editor.problems() == []
    assert editor.grid().periungual == 2
    assert not box.warning.isVisible()


def test_space_cycles_delete_clears_and_a_click_steps_up(qtbot, editor: CdasiGridEditor) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, editor, KEY.Key_Right, KEY.Key_Space, KEY.Key_Space)
    assert cell(editor, 0, 1) == 2
    press(qtbot, editor, KEY.Key_Space)
    assert cell(editor, 0, 1) == 0  # past the maximum, back to 0
    press(qtbot, editor, "2", KEY.Key_Left, KEY.Key_Delete)
    assert cell(editor, 0, 1) == 0
    centre = editor.table.visualRect(editor.model.index(4, 0)).center()
    qtbot.mouseClick(editor.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert cell(editor, 4, 0) == 1
    assert editor.totals.text() == "Activity 1 / 100 · Damage 0 / 32"


def test_papules_double_gottrons_erythema_in_the_total(qtbot, editor: CdasiGridEditor) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, editor, KEY.Key_Tab, "3")  # Tab leaves the grid for Gottron's erythema
    assert editor.window().focusWidget() is editor.spins["gottron_erythema"].line
    assert editor.totals.text().startswith("Activity 3 / 100")
    press(qtbot, editor, KEY.Key_Tab, KEY.Key_Space)
    assert editor.papules.isChecked()
    assert editor.totals.text().startswith("Activity 6 / 100")
    assert editor.gottron_points.text() == "→ 6 points (erythema × 2)"


def test_every_item_at_its_maximum_by_keyboard_alone_is_100_and_32(qtbot, editor: CdasiGridEditor) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, editor, FULL_ROW * len(CDASI_SITES))
    press(qtbot, editor, KEY.Key_Tab, "3", KEY.Key_Tab, KEY.Key_Space)  # Gottron's erythema, papules
    press(qtbot, editor, KEY.Key_Tab, "1", KEY.Key_Tab, "2")  # ulceration, damage
    press(qtbot, editor, KEY.Key_Tab, "2", KEY.Key_Tab, "1")  # periungual, alopecia
    assert editor.window().focusWidget() is editor.spins["alopecia"].line
    grid = editor.grid()
    assert (grid.activity, grid.damage) == (100, 32)
    assert grid.problems() == []
    assert editor.totals.text() == "Activity 100 / 100 · Damage 32 / 32"


def test_set_grid_shows_a_stored_grid_and_rejects_impossible_values(qtbot, editor: CdasiGridEditor) -> None:  # type: ignore[no-untyped-def]
    stored = CdasiGrid(gottron_erythema=2, gottron_papules=True, alopecia=1).with_site(5, 2, 1)
    with qtbot.waitSignal(editor.changed):
        editor.set_grid(stored)
    assert editor.grid() == stored
    assert editor.totals.text() == "Activity 6 / 100 · Damage 0 / 32"
    editor.set_grid(CdasiGrid(periungual=3).with_site(0, 1, 1.5))  # type: ignore[arg-type]  # shown, reported
    assert editor.spins["periungual"].line.text() == "3"
    assert editor.model.index(0, 1).data() == "⚠ 1.5"
    assert editor.problems() == [
        "Scalp: scale must be a whole number 0–2, not 1.5.",
        "Periungual changes must be between 0 and 2.",
    ]
    with pytest.raises(ValueError, match="The grid needs 15 sites, not 2"):
        editor.set_grid(CdasiGrid(sites=((0,) * 5,) * 2))
    editor.set_grid(None)
    assert editor.grid() == CdasiGrid()


def test_headers_show_each_maximum_and_every_control_has_a_name(editor: CdasiGridEditor) -> None:
    headers = [editor.model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
    assert headers[0] == "Erythema\n0–3"
    assert headers[4] == "Calcinosis\n0–1"
    tip = editor.model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "3 dark red / violaceous" in tip
    assert unnamed_controls(editor) == []


def unnamed_controls(widget: QWidget) -> list[str]:
    """Focusable controls with neither an accessible name nor a visible text of their own."""

    def inside_compound(child: QWidget) -> bool:  # a spin box's line edit, a combo box's list
        parent = child.parentWidget()
        while parent is not None and parent is not widget:
            if isinstance(parent, QAbstractSpinBox | QComboBox):
                return True
            parent = parent.parentWidget()
        return False

    return [
        type(child).__name__
        for child in widget.findChildren(QWidget)
        if child.focusPolicy() != Qt.FocusPolicy.NoFocus and not inside_compound(child)
        if not child.accessibleName() and not getattr(child, "text", str)()
    ]


def test_grid_fits_900_pixels_with_every_site_and_item_visible(editor: CdasiGridEditor) -> None:
    table = editor.table
    assert editor.width() == 900
    assert table.sizeHint().width() < 900
    assert not table.horizontalScrollBar().isVisible()
    assert not table.verticalScrollBar().isVisible()
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert table.verticalHeader().length() <= table.viewport().height()


# ---------------------------------------------------------------- CDASI entry
def test_totals_only_entry_keeps_typed_totals_and_has_no_grid(qtbot) -> None:  # type: ignore[no-untyped-def]
    entry = shown(qtbot, CdasiEntry())
    assert isinstance(entry, CdasiEntry)
    assert entry.source() is None
    assert not entry.grid_editor.isVisible()
    entry.activity.setFocus()
    press(qtbot, entry, "23", KEY.Key_Tab, "4")
    assert entry.value() == (23, 4, None)
    assert entry.source() == "totals"
    qtbot.mouseClick(entry.items_button, Qt.MouseButton.LeftButton)
    assert entry.source() == "grid"
    assert entry.activity.line.isReadOnly()
    assert entry.value() == (0, 0, CdasiGrid())
    qtbot.mouseClick(entry.totals_button, Qt.MouseButton.LeftButton)  # nothing scored: typed totals return
    assert entry.value() == (23, 4, None)
    assert entry.source() == "totals"
    assert not entry.activity.line.isReadOnly()


def test_grid_entry_totals_follow_the_grid_and_stay_when_switched_to_totals(qtbot) -> None:  # type: ignore[no-untyped-def]
    entry = shown(qtbot, CdasiEntry())
    assert isinstance(entry, CdasiEntry)
    qtbot.mouseClick(entry.items_button, Qt.MouseButton.LeftButton)
    entry.grid_editor.table.setFocus()
    with qtbot.waitSignal(entry.changed):
        press(qtbot, entry, "3", "2", "0", "1")
    activity, damage, grid = entry.value()
    assert (activity, damage) == (5, 1)
    assert grid is not None
    assert grid.sites[0] == (3, 2, 0, 1, 0)
    assert entry.how.text() == "computed from the grid"
    qtbot.mouseClick(entry.totals_button, Qt.MouseButton.LeftButton)
    assert entry.value() == (5, 1, None)
    assert entry.how.text() == "typed from the chart"


def test_typed_total_above_its_maximum_is_kept_and_reported(qtbot) -> None:  # type: ignore[no-untyped-def]
    entry = shown(qtbot, CdasiEntry())
    assert isinstance(entry, CdasiEntry)
    entry.activity.setFocus()
    press(qtbot, entry, "1", "4", "0")  # a QSpinBox dropped the 0 and kept 14
    assert entry.activity.line.text() == "140"
    assert entry.value() == (None, None, None)
    assert [(p.field, p.message) for p in entry.problems()] == [
        ("cdasi_activity", "CDASI activity must be between 0 and 100.")
    ]
    assert entry.error.isVisible()
    assert entry.error.text() == "⚠ CDASI activity must be between 0 and 100."
    qtbot.mouseClick(entry.items_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(entry.totals_button, Qt.MouseButton.LeftButton)  # the typed text comes back as typed
    assert entry.activity.line.text() == "140"


def test_cdasi_entry_set_value_picks_the_mode(qtbot) -> None:  # type: ignore[no-untyped-def]
    entry = shown(qtbot, CdasiEntry())
    assert isinstance(entry, CdasiEntry)
    grid = CdasiGrid(gottron_erythema=2).with_site(1, 0, 3)
    entry.set_value(5, 0, grid)
    assert entry.value() == (5, 0, grid)
    assert entry.items_button.isChecked()
    entry.set_value(23, None, None)
    assert entry.value() == (23, None, None)
    assert entry.totals_button.isChecked()
    assert unnamed_controls(entry) == []


# ---------------------------------------------------------------- MMT-8
@pytest.fixture
def mmt8(qtbot) -> Mmt8Editor:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, Mmt8Editor(), width=420)
    assert isinstance(editor, Mmt8Editor)
    editor.right[0].setFocus()
    return editor


def test_mmt8_one_side_totals_out_of_80(qtbot, mmt8: Mmt8Editor) -> None:  # type: ignore[no-untyped-def]
    assert not mmt8.left[0].isVisible()
    with qtbot.waitSignal(mmt8.changed):
        press(qtbot, mmt8, "9", *([KEY.Key_Tab, "10"] * 7))
    scores = mmt8.scores()
    assert (scores.total, scores.maximum, scores.left) == (79, 80, None)
    assert mmt8.total.text() == "Total 79 / 80"


def test_mmt8_both_sides_totals_out_of_150_with_neck_flexors_once(qtbot, mmt8: Mmt8Editor) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(mmt8.both_sides, Qt.MouseButton.LeftButton)
    assert mmt8.left[0].isVisible()
    assert mmt8.right[1].accessibleName() == "Deltoid, right"
    mmt8.right[0].setFocus()
    press(qtbot, mmt8, "8", *([KEY.Key_Tab, "10"] * 14))  # right then left for each group
    scores = mmt8.scores()
    assert scores.left == (10,) * 7
    assert (scores.total, scores.maximum) == (148, 150)
    assert mmt8.total.text() == "Total 148 / 150"


def test_mmt8_partial_grading_shows_a_partial_total_and_no_total(qtbot, mmt8: Mmt8Editor) -> None:  # type: ignore[no-untyped-def]
    assert mmt8.total.text() == "Not graded (0–80)"
    press(qtbot, mmt8, *(["10", KEY.Key_Tab] * 6))
    scores = mmt8.scores()
    assert scores.total is None
    assert scores.partial_total == 60
    assert mmt8.total.text() == "Partial 60 (2 groups not graded)"
    press(qtbot, mmt8, "11")  # kept as typed and reported: grades stop at 10
    assert mmt8.right[6].line.text() == "11"
    assert mmt8.scores().right[6] is None
    assert mmt8.problems() == ["Quadriceps must be between 0 and 10."]
    assert mmt8.error.text() == "⚠ Quadriceps must be between 0 and 10."
    press(qtbot, mmt8, KEY.Key_Backspace)
    assert mmt8.scores().right[6] == 1
    assert mmt8.problems() == []
    assert not mmt8.error.isVisible()


def test_mmt8_half_grades_are_refused_in_words(qtbot, mmt8: Mmt8Editor) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, mmt8, "7.5")
    assert mmt8.right[0].line.text() == "7.5"
    assert mmt8.scores().right[0] is None
    assert mmt8.problems() == ["Neck flexors must be a whole number (0–10), not 7.5."]
    qtbot.mouseClick(mmt8.both_sides, Qt.MouseButton.LeftButton)
    mmt8.right[1].setFocus()
    press(qtbot, mmt8, "ten")
    assert mmt8.problems()[1] == "“ten” is not a number: type digits, e.g. 12.5."


def test_mmt8_set_scores_round_trips_and_names_every_control(mmt8: Mmt8Editor) -> None:
    stored = Mmt8Scores((9,) + (10,) * 7, (10,) * 6 + (None,))
    mmt8.set_scores(stored)
    assert mmt8.scores() == stored
    assert mmt8.both_sides.isChecked()
    assert mmt8.total.text() == "Partial 139 (1 group not graded)"
    mmt8.set_scores(None)
    assert mmt8.scores() == Mmt8Scores()
    assert mmt8.one_side.isChecked()
    mmt8.set_scores(Mmt8Scores((7.5,) + (10,) * 7))  # type: ignore[arg-type]  # once accepted: shown, reported
    assert mmt8.right[0].line.text() == "7.5"
    assert mmt8.error.text() == "⚠ Neck flexors must be a whole number (0–10), not 7.5."
    assert unnamed_controls(mmt8) == []


def test_mmt8_entry_total_only_or_per_group(qtbot) -> None:  # type: ignore[no-untyped-def]
    entry = shown(qtbot, Mmt8Entry(), width=500)
    assert isinstance(entry, Mmt8Entry)
    entry.total.setFocus()
    press(qtbot, entry, "72")
    entry.maximum.setCurrentIndex(entry.maximum.findData(80))
    assert entry.value() == (72, 80, None)
    assert entry.source() == "total"
    assert unnamed_controls(entry) == []
    qtbot.mouseClick(entry.items_button, Qt.MouseButton.LeftButton)
    entry.groups.set_scores(Mmt8Scores((10,) * 8))
    assert entry.value() == (80, 80, Mmt8Scores((10,) * 8))
    assert entry.source() == "groups"
    entry.groups.right[2].set_value(None)
    assert entry.value()[:2] == (None, 80)  # partial: no total, as the domain says
    assert entry.how.text() == "no total while groups are missing"
    assert entry.groups.total.text() == "Partial 70 (1 group not graded)"
