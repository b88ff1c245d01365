"""Totals-or-items entry for an assessment: CDASI totals or the full grid, MMT-8 total or per muscle group."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.cdasi import CDASI_ACTIVITY_MAX, CDASI_DAMAGE_MAX, CdasiGrid, Mmt8Scores
from ...domain.scales import SCALES
from ...domain.validation import Problem
from ..fields import ErrorLabel, IntegerField
from .cdasi_grid import CdasiGridEditor
from .mmt8 import Mmt8Editor

MMT8_MAXIMA = ((None, "—"), (80, "80 (one side)"), (150, "150 (both sides)"))


def mode_buttons(owner: QWidget, first: str, second: str, tips: tuple[str, str]) -> tuple[QRadioButton, ...]:
    buttons = (QRadioButton(first), QRadioButton(second))
    group = QButtonGroup(owner)
    for button, tip in zip(buttons, tips, strict=True):
        group.addButton(button)
        button.setToolTip(tip)
    buttons[0].setChecked(True)
    return buttons


def row(*items: QWidget | str) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    for item in items:
        layout.addWidget(QLabel(item) if isinstance(item, str) else item)
    layout.addStretch(1)
    return layout


def total_box(field: str, name: str) -> IntegerField:
    """A typed total: anything typed is kept; 140 for CDASI activity is reported, never cut to 14."""
    box = IntegerField(SCALES[field], chars=3, placeholder="")
    box.line.setAccessibleName(name)
    return box


def show(box: IntegerField, value: object) -> None:
    """Put back a stored number, or exactly the text that was typed."""
    if isinstance(value, str):
        box.line.setText(value)
    else:
        box.set_value(value)  # type: ignore[arg-type]


def follow(box: IntegerField, computed: bool) -> None:
    """A total box is typed in totals mode, and read-only (skipped by Tab) when computed from items."""
    box.line.setReadOnly(computed)
    box.line.setFrame(not computed)  # a computed total reads as text, not as a box to type in
    box.line.setFocusPolicy(Qt.FocusPolicy.ClickFocus if computed else Qt.FocusPolicy.StrongFocus)


class ItemsOrTotals(QWidget):
    """Shared behaviour: a mode choice, totals typed or computed, and typed totals kept across switches.

    Signals: ``changed`` after any edit or mode switch.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = self._busy = False
        self._typed: tuple[object, ...] = ()
        self.how = QLabel()
        self.how.setEnabled(False)  # secondary text in the system palette
        self.error = ErrorLabel()  # the typed totals' problems, right under them

    def _finish(self, totals_button: QRadioButton, items_button: QRadioButton, editor: QWidget) -> None:
        self.totals_button, self.items_button, self.editor = totals_button, items_button, editor
        items_button.toggled.connect(self._on_mode_toggled)
        editor.changed.connect(self._on_edited)  # type: ignore[attr-defined]
        self._on_mode_toggled(False)

    def itemised(self) -> bool:
        return self.items_button.isChecked()

    def _on_mode_toggled(self, itemised: bool) -> None:
        """Entering item mode remembers the typed totals; they come back if no item was entered."""
        self._busy = True
        try:
            if itemised:
                self._typed = self._typed_totals()
            elif self._items_blank() and self._typed:
                self._show_typed(*self._typed)
            self.editor.setVisible(itemised)
            self._set_computed(itemised)
        finally:
            self._busy = False
        self._on_edited()

    def _on_edited(self) -> None:
        """Any edit: computed totals follow the items; one ``changed`` per user action."""
        if self._busy:
            return
        self._busy = True
        try:
            if self.itemised():
                self._show_computed()
        finally:
            self._busy = False
        self.how.setText(self._how_text())
        self.error.show_problem(" ".join(p.message for p in self.totals_problems()) or None)
        if not self._quiet:
            self.changed.emit()

    def _show_stored(self, set_items: Callable[[], None], itemised: bool, totals: tuple[object, ...]) -> None:
        """Show stored values: the items (totals follow them) when there are any, else the totals.
        One ``changed`` only if what the widget gives has changed."""
        before = (self.value(), self.source())  # type: ignore[attr-defined]
        self._quiet = True
        try:
            set_items()
            self._typed = ()
            (self.items_button if itemised else self.totals_button).setChecked(True)
            if not itemised:
                self._show_typed(*totals)
            self._on_edited()
        finally:
            self._quiet = False
        if (self.value(), self.source()) != before:  # type: ignore[attr-defined]
            self.changed.emit()

    def problems(self) -> list[Problem]:
        """Every problem of what is typed: the totals' (in totals mode) and the items' (in item mode)."""
        if not self.itemised():
            return self.totals_problems()
        return [Problem(self.items_field, message) for message in self.editor.problems()]  # type: ignore[attr-defined]

    # subclasses fill these in
    items_field = ""

    def totals_problems(self) -> list[Problem]:
        raise NotImplementedError

    def _typed_totals(self) -> tuple[object, ...]:
        raise NotImplementedError

    def _show_typed(self, *values: object) -> None:
        raise NotImplementedError

    def _items_blank(self) -> bool:
        raise NotImplementedError

    def _set_computed(self, computed: bool) -> None:
        raise NotImplementedError

    def _show_computed(self) -> None:
        raise NotImplementedError

    def _how_text(self) -> str:
        raise NotImplementedError


class CdasiEntry(ItemsOrTotals):
    """CDASI v2 as the two totals typed from a chart, or as the full grid with the totals computed.

    ``value()`` is (activity, damage, grid or None); ``source()`` is "grid", "totals" or None,
    as ``Assessment.cdasi_source``.
    """

    def __init__(self, parent: QWidget | None = None, *, undoubled_gottron_counts: bool = True) -> None:
        super().__init__(parent)
        totals, grid = mode_buttons(
            self, "&Totals only", "Full &grid",
            ("The chart gives only the totals: type them.", "Score every site and item; the totals follow."),
        )  # fmt: skip
        self.activity = total_box("cdasi_activity", "CDASI activity total")
        self.damage = total_box("cdasi_damage", "CDASI damage total")
        self.grid_editor = CdasiGridEditor(undoubled_gottron_counts=undoubled_gottron_counts)
        self.grid_editor.totals.hide()  # the totals row above says the same
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row("Recorded as:", totals, grid))
        layout.addLayout(row("Activity", self.activity, f"/ {CDASI_ACTIVITY_MAX}   Damage", self.damage,
                             f"/ {CDASI_DAMAGE_MAX}", self.how))  # fmt: skip
        layout.addWidget(self.error)
        layout.addWidget(self.grid_editor)
        for box in (self.activity, self.damage):
            box.edited.connect(self._on_edited)
        self._finish(totals, grid, self.grid_editor)

    items_field = "cdasi_grid"

    def value(self) -> tuple[int | None, int | None, CdasiGrid | None]:
        """(activity, damage, grid or None); a total whose text has a problem is None (see ``problems``)."""
        grid = self.grid_editor.grid() if self.itemised() else None
        return self.activity.value_or_none(), self.damage.value_or_none(), grid

    def totals_problems(self) -> list[Problem]:
        if self.itemised():
            return []
        pairs = (("cdasi_activity", self.activity), ("cdasi_damage", self.damage))
        return [Problem(name, message) for name, box in pairs if (message := box.problem())]

    def source(self) -> str | None:
        if self.itemised():
            return "grid"
        typed = self.activity.line.text().strip() or self.damage.line.text().strip()
        return "totals" if typed else None

    def set_value(self, activity: int | None, damage: int | None, grid: CdasiGrid | None) -> None:
        """Show a stored assessment's CDASI: its grid when it has one (the totals then follow the grid),
        else its totals. Raises ValueError for a grid with values outside their range."""
        self._show_stored(lambda: self.grid_editor.set_grid(grid), grid is not None, (activity, damage))

    def _typed_totals(self) -> tuple[object, ...]:
        return self.activity.line.text(), self.damage.line.text()

    def _show_typed(self, *values: object) -> None:
        show(self.activity, values[0])
        show(self.damage, values[1])

    def _items_blank(self) -> bool:
        return self.grid_editor.is_blank()

    def _set_computed(self, computed: bool) -> None:
        for box in (self.activity, self.damage):
            follow(box, computed)

    def _show_computed(self) -> None:
        self._show_typed(*self.grid_editor.totals_now())

    def _how_text(self) -> str:
        return {"grid": "computed from the grid", "totals": "typed from the chart"}.get(
            self.source() or "", ""
        )


class Mmt8Entry(ItemsOrTotals):
    """MMT-8 as a total with its maximum, or graded per muscle group with both computed.

    ``value()`` is (total, maximum, groups or None); the total is None while groups are missing.
    ``source()`` is "groups", "total" or None, as ``Assessment.mmt8_source``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        totals, groups = mode_buttons(
            self, "Tot&al only", "&Per muscle group",
            ("The chart gives only the total: type it with its maximum.", "Grade each muscle group."),
        )  # fmt: skip
        self.total = total_box("mmt8_total", "MMT-8 total")
        self.total.line.setToolTip("MMT-8 total: 0–80 for one side, 0–150 for both sides.")
        self.maximum = QComboBox()
        self.maximum.setAccessibleName("MMT-8 maximum")
        self.maximum.setToolTip("The maximum that applies: the response score needs it.")
        for top, text in MMT8_MAXIMA:
            self.maximum.addItem(text, top)
        self.groups = Mmt8Editor()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row("Recorded as:", totals, groups))
        layout.addLayout(row("Total", self.total, "out of", self.maximum, self.how))
        layout.addWidget(self.error)
        layout.addWidget(self.groups)
        self.total.edited.connect(self._on_edited)
        self.maximum.currentIndexChanged.connect(self._on_edited)
        self._finish(totals, groups, self.groups)

    items_field = "mmt8_groups"

    def value(self) -> tuple[int | None, int | None, Mmt8Scores | None]:
        groups = self.groups.scores() if self.itemised() else None
        return self.total.value_or_none(), self.maximum.currentData(), groups

    def totals_problems(self) -> list[Problem]:
        message = None if self.itemised() else self.total.problem()
        return [Problem("mmt8_total", message)] if message else []

    def source(self) -> str | None:
        if self.itemised():
            return "groups"
        return "total" if self.total.line.text().strip() else None

    def set_value(self, total: int | None, maximum: int | None, groups: Mmt8Scores | None) -> None:
        """Show a stored assessment's MMT-8: its groups when it has them, else its total."""
        self._show_stored(lambda: self.groups.set_scores(groups), groups is not None, (total, maximum))

    def _typed_totals(self) -> tuple[object, ...]:
        return self.total.line.text(), self.maximum.currentData()

    def _show_typed(self, *values: object) -> None:
        show(self.total, values[0])
        self.maximum.setCurrentIndex(max(0, self.maximum.findData(values[1])))

    def _items_blank(self) -> bool:
        return not any(box.line.text().strip() for box in (*self.groups.right, *self.groups.left))

    def _set_computed(self, computed: bool) -> None:
        follow(self.total, computed)
        self.maximum.setEnabled(not computed)

    def _show_computed(self) -> None:
        scores = self.groups.scores()
        self._show_typed(scores.total, scores.maximum)

    def _how_text(self) -> str:
        if self.itemised():
            complete = self.groups.scores().complete
            return "computed from the muscle groups" if complete else "no total while groups are missing"
        return "typed from the chart" if self.source() else ""
