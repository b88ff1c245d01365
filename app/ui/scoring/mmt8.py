"""MMT-8 entry: Kendall 0–10 per muscle group on one side or both, with the live total and its maximum."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.cdasi import MMT8_GRADE_MAX, MMT8_GROUPS, Mmt8Scores, Sides

GRADE_TIP = "Kendall grade 0–10 (10 = normal strength). Leave empty when the group was not tested."


class OptionalSpinBox(QSpinBox):
    """A whole number from 0 to ``maximum``, or empty for "not recorded" (``score()`` is then None)."""

    def __init__(self, maximum: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(-1, maximum)  # -1 stands for empty
        self.setValue(-1)
        self.setAccessibleName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.lineEdit().setPlaceholderText("–")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def textFromValue(self, value: int) -> str:
        return "" if value < 0 else str(value)

    def valueFromText(self, text: str) -> int:
        return int(text) if text.strip() else -1

    def validate(self, text: str, position: int) -> Any:
        if not text.strip():
            return QValidator.State.Acceptable, text, position
        return super().validate(text, position)

    def score(self) -> int | None:
        return None if self.value() < 0 else self.value()

    def set_score(self, value: int | None) -> None:
        self.setValue(-1 if value is None else value)


def total_text(scores: Mmt8Scores) -> str:
    """ "Total 138 / 150", "Partial 70 (2 groups not graded)" or "Not graded (0–80)"."""
    if scores.total is not None:
        return f"Total {scores.total} / {scores.maximum}"
    values = [*scores.right, *(scores.left or ())]
    missing = sum(v is None for v in values)
    if missing == len(values):
        return f"Not graded (0–{scores.maximum})"
    return f"Partial {scores.partial_total} ({missing} group{'s' * (missing != 1)} not graded)"


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
        self.right = [OptionalSpinBox(MMT8_GRADE_MAX, group) for group in MMT8_GROUPS]
        self.left = [OptionalSpinBox(MMT8_GRADE_MAX, f"{group}, left") for group in MMT8_GROUPS[1:]]
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
        layout.addStretch(1)
        self._set_tab_order()

    def _groups_layout(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        self.right_caption, self.left_caption = QLabel("Grade"), QLabel("Left")
        self.axial = QLabel("axial, once")
        self.axial.setEnabled(False)  # secondary text in the system palette
        for column, caption in ((1, self.right_caption), (2, self.left_caption)):
            grid.addWidget(caption, 0, column, Qt.AlignmentFlag.AlignCenter)
        for row, (group, box) in enumerate(zip(MMT8_GROUPS, self.right, strict=True), start=1):
            label = QLabel(group)
            label.setBuddy(box)
            grid.addWidget(label, row, 0)
            grid.addWidget(box, row, 1)
            box.setToolTip(f"{group}: {GRADE_TIP}")
        grid.addWidget(self.axial, 1, 2, Qt.AlignmentFlag.AlignCenter)
        for row, (group, box) in enumerate(zip(MMT8_GROUPS[1:], self.left, strict=True), start=2):
            grid.addWidget(box, row, 2)
            box.setToolTip(f"{group}, left: {GRADE_TIP}")
        grid.setColumnStretch(3, 1)
        return grid

    def _set_tab_order(self) -> None:
        """Reading order: the side choice, then each group right before left."""
        chain: list[QWidget] = [self.one_side, self.both_sides, self.right[0]]
        for right, left in zip(self.right[1:], self.left, strict=True):
            chain += [right, left]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.both_sides.toggled.connect(self._on_sides_toggled)
        for box in (*self.right, *self.left):
            box.valueChanged.connect(self._on_edited)

    # ------------------------------------------------------------ values
    def scores(self) -> Mmt8Scores:
        right = tuple(box.score() for box in self.right)
        left = tuple(box.score() for box in self.left) if self.both_sides.isChecked() else None
        return Mmt8Scores(right, left)

    def set_scores(self, scores: Mmt8Scores | None) -> None:
        """Show ``scores`` (None: nothing graded, one side). Raises ValueError for impossible grades."""
        scores = scores or Mmt8Scores()
        if problems := scores.problems():
            raise ValueError(" ".join(problems))
        before = self.scores()
        self._quiet = True
        try:
            (self.both_sides if scores.sides is Sides.BOTH else self.one_side).setChecked(True)
            for box, value in zip(self.right, scores.right, strict=True):
                box.set_score(value)
            for box, value in zip(self.left, scores.left or (None,) * len(self.left), strict=True):
                box.set_score(value)
        finally:
            self._quiet = False
        self._refresh()
        if scores != before:
            self.changed.emit()

    # ------------------------------------------------------------ slots
    def _refresh(self) -> None:
        self.total.setText(total_text(self.scores()))

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
            box.setAccessibleName(f"{group}, right" if both and box is not self.right[0] else group)
        self._on_edited()
