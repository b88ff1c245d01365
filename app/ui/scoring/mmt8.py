"""MMT-8 entry: Kendall 0–10 per muscle group on one side or both, with the live total and its maximum."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.cdasi import MMT8_GRADE_MAX, MMT8_GROUPS, Mmt8Scores, Sides
from ...domain.numbers import plural
from ..fields import ErrorLabel, IntegerField

GRADE_TIP = "Kendall grade 0–10 (10 = normal strength). Leave empty when the group was not tested."


def grade_box(name: str) -> IntegerField:
    """One muscle group's Kendall grade: empty for "not graded"; 11 or 7.5 is kept and reported."""
    box = IntegerField(low=0, high=MMT8_GRADE_MAX, chars=2, placeholder="–")
    box.set_name(name)
    return box


def total_text(scores: Mmt8Scores) -> str:
    """ "Total 138 / 150", "Partial 70 (2 groups not graded)" or "Not graded (0–80)"."""
    if scores.total is not None:
        return f"Total {scores.total} / {scores.maximum}"
    values = [*scores.right, *(scores.left or ())]
    missing = sum(v is None for v in values)
    if missing == len(values):
        return f"Not graded (0–{scores.maximum})"
    return f"Partial {scores.partial_total} ({plural(missing, 'group')} not graded)"


class Mmt8Editor(QWidget):
    """The 8 muscle groups (neck flexors once), on one side (0–80) or both sides (0–150).

    Signals: ``changed`` after any edit, and once after ``set_scores`` when the scores differ.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False
        self.one_side = QRadioButton("&One side (0–80)")
        self.both_sides = QRadioButton("&Both sides (0–150)")
        self.one_side.setToolTip("Eight groups on one side: total 0–80.")
        self.both_sides.setToolTip("Neck flexors once and seven groups on each side: total 0–150.")
        self.sides = QButtonGroup(self)
        for button in (self.one_side, self.both_sides):
            self.sides.addButton(button)
        self.one_side.setChecked(True)
        self.right = [grade_box(group) for group in MMT8_GROUPS]
        self.left = [grade_box(f"{group}, left") for group in MMT8_GROUPS[1:]]
        self.error = ErrorLabel()
        self.total = QLabel()
        self.total.setAccessibleName("MMT-8 total")
        font = self.total.font()
        font.setBold(True)
        self.total.setFont(font)
        self._lay_out()
        self._connect()
        self._on_sides_toggled()

    def _lay_out(self) -> None:
        choice = QHBoxLayout()
        choice.addWidget(self.one_side)
        choice.addWidget(self.both_sides)
        choice.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(choice)
        layout.addLayout(self._groups_layout())
        layout.addWidget(self.total)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def _groups_layout(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        self.right_caption, self.left_caption = QLabel("Grade"), QLabel("Left")
        self.axial = QLabel("axial, once")
        self.axial.setEnabled(False)  # secondary text in the system palette
        for column, caption in ((1, self.right_caption), (2, self.left_caption)):
            grid.addWidget(caption, 0, column, Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.axial, 1, 2, Qt.AlignmentFlag.AlignCenter)
        lefts: list[IntegerField | None] = [None, *self.left]
        # Row by row, right before left: the order widgets enter the layout is the Tab order.
        for row, (group, right, left) in enumerate(zip(MMT8_GROUPS, self.right, lefts, strict=True), start=1):
            label = QLabel(group)
            label.setBuddy(right)
            grid.addWidget(label, row, 0)
            grid.addWidget(right, row, 1)
            right.line.setToolTip(f"{group}: {GRADE_TIP}")
            if left is not None:
                grid.addWidget(left, row, 2)
                left.line.setToolTip(f"{group}, left: {GRADE_TIP}")
        grid.setColumnStretch(3, 1)
        return grid

    def _connect(self) -> None:
        self.both_sides.toggled.connect(self._on_sides_toggled)
        for box in (*self.right, *self.left):
            box.edited.connect(self._on_edited)

    # ------------------------------------------------------------ values
    def scores(self) -> Mmt8Scores:
        """The grades as typed; a group whose text has a problem counts as not graded (see ``problems``)."""
        right = tuple(box.value_or_none() for box in self.right)
        left = tuple(box.value_or_none() for box in self.left) if self.both_sides.isChecked() else None
        return Mmt8Scores(right, left)

    def problems(self) -> list[str]:
        """What is wrong with the grades typed, in words ("Deltoid, left must be between 0 and 10.")."""
        boxes = [*self.right, *(self.left if self.both_sides.isChecked() else ())]
        return [message for box in boxes if (message := box.problem())]

    def set_scores(self, scores: Mmt8Scores | None) -> None:
        """Show ``scores`` (None: nothing graded, one side). A stored grade off the scale (7.5 was once
        accepted) is shown as it is and reported, so it can be fixed. Raises ValueError for a wrong
        number of groups."""
        scores = scores or Mmt8Scores()
        if len(scores.right) != len(self.right) or len(scores.left or self.left) != len(self.left):
            raise ValueError(" ".join(scores.problems()))
        before = self.scores()
        self._quiet = True
        try:
            (self.both_sides if scores.sides is Sides.BOTH else self.one_side).setChecked(True)
            for box, value in zip(self.right, scores.right, strict=True):
                box.set_value(value)
            for box, value in zip(self.left, scores.left or (None,) * len(self.left), strict=True):
                box.set_value(value)
        finally:
            self._quiet = False
        self._refresh()
        if scores != before:
            self.changed.emit()

    # ------------------------------------------------------------ slots
    def _refresh(self) -> None:
        self.total.setText(total_text(self.scores()))
        self.error.show_problem(" ".join(self.problems()) or None)

    def _on_edited(self) -> None:
        if self._quiet:
            return
        self._refresh()
        self.changed.emit()

    def _on_sides_toggled(self) -> None:
        both = self.both_sides.isChecked()
        for widget in (*self.left, self.left_caption, self.axial):
            widget.setVisible(both)
        self.right_caption.setText("Right" if both else "Grade")
        for group, box in zip(MMT8_GROUPS, self.right, strict=True):
            box.set_name(f"{group}, right" if both and box is not self.right[0] else group)
        self._on_edited()
