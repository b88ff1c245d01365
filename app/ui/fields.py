"""Input fields for clinical forms: optional numbers with units, full and partial dates, coded choices.

Every field can be empty, says what it understood, and reports a parse problem in words
instead of guessing. Each emits ``edited`` on any change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from app.domain.dates import DateParseError, PartialDate, Precision
from app.domain.scales import Scale


class FieldError(ValueError):
    """What the user typed cannot be read; the message says how to fix it."""


def _row(*widgets: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for widget in widgets:
        layout.addWidget(widget)
    return layout


class NumberField(QWidget):
    """An optional number with its unit beside it and its range in the tooltip."""

    edited = Signal()

    def __init__(self, scale: Scale | None = None, unit: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scale = scale
        self.line = QLineEdit()
        self.line.setValidator(QDoubleValidator(self.line))
        self.line.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.line.setMaximumWidth(110)
        unit = unit or (scale.unit if scale else "")
        self.unit = QLabel(unit or (f"({scale.range_text})" if scale else ""))
        self.unit.setMinimumWidth(70)
        self.setLayout(_row(self.line, self.unit))
        self.layout().addStretch(1)
        if scale is not None:
            tip = f"{scale.label}: {scale.range_text}." + (f" {scale.help}" if scale.help else "")
            self.line.setToolTip(tip)
            self.line.setAccessibleName(scale.label)
            self.line.setPlaceholderText(f"{scale.low:g}–{scale.high:g}")
        self.line.textChanged.connect(self.edited)
        self.setFocusProxy(self.line)

    def value(self) -> float | None:
        text = self.line.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            return float(text)
        except ValueError as exc:
            raise FieldError(f"“{text}” is not a number.") from exc

    def set_value(self, value: float | None) -> None:
        self.line.setText("" if value is None else f"{value:g}")


class DateField(QWidget):
    """An optional full date (YYYY-MM-DD), typed or picked from a calendar."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText("YYYY-MM-DD")
        self.line.setMaximumWidth(130)
        self.picker = QToolButton()
        self.picker.setText("…")
        self.picker.setToolTip("Pick the date from a calendar")
        self.picker.setAccessibleName("Pick date")
        self.picker.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.picker)
        self.calendar = QCalendarWidget()
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        self.picker.setMenu(menu)
        self.calendar.clicked.connect(self._on_calendar_clicked)
        self.setLayout(_row(self.line, self.picker))
        self.layout().addStretch(1)
        self.line.textChanged.connect(self.edited)
        self.setFocusProxy(self.line)

    def _on_calendar_clicked(self, day: QDate) -> None:
        self.line.setText(day.toString("yyyy-MM-dd"))
        if self.picker.menu():
            self.picker.menu().close()

    def value(self) -> date | None:
        text = self.line.text().strip()
        if not text:
            return None
        try:
            parsed = PartialDate.parse(text)
        except DateParseError as exc:
            raise FieldError(str(exc)) from exc
        if parsed.precision is not Precision.DAY:
            raise FieldError(f"“{text}” needs a day: write YYYY-MM-DD.")
        return parsed.value

    def set_value(self, value: date | None) -> None:
        self.line.setText(value.isoformat() if value else "")


class PartialDateField(QWidget):
    """A date known to the day, the month or only the year ("2019", "2019-03", "2019-03-14")."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText("YYYY, YYYY-MM or YYYY-MM-DD")
        self.line.setToolTip("Historic charts often give only the month or the year: type what is known.")
        self.line.setMaximumWidth(170)
        self.precision = QLabel()
        self.precision.setEnabled(False)  # secondary text in the system palette
        self.setLayout(_row(self.line, self.precision))
        self.layout().addStretch(1)
        self.line.textChanged.connect(self._on_text_changed)
        self.setFocusProxy(self.line)

    def _on_text_changed(self) -> None:
        try:
            value = self.value()
        except FieldError:
            value = None
        self.precision.setText(f"known to the {value.precision.value}" if value else "")
        self.edited.emit()

    def value(self) -> PartialDate | None:
        text = self.line.text().strip()
        if not text:
            return None
        try:
            return PartialDate.parse(text)
        except DateParseError as exc:
            raise FieldError(str(exc)) from exc

    def set_value(self, value: PartialDate | None) -> None:
        self.line.setText(str(value) if value else "")


class ChoiceField(QComboBox):
    """A drop-down of coded values (enum members, labelled) with type-ahead; optionally empty.

    The members are kept here, not as item data: Qt would turn a StrEnum into a plain string.
    """

    edited = Signal()

    def __init__(
        self, choices: Iterable[StrEnum], *, empty: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.choices: list[StrEnum | None] = [None] if empty is not None else []
        if empty is not None:
            self.addItem(empty)
        for choice in choices:
            self.choices.append(choice)
            self.addItem(getattr(choice, "label", choice.value))
        self.currentIndexChanged.connect(self.edited)

    def value(self) -> Any:
        index = self.currentIndex()
        return self.choices[index] if 0 <= index < len(self.choices) else None

    def set_value(self, value: StrEnum | None) -> None:
        self.setCurrentIndex(self.choices.index(value) if value in self.choices else 0)


class IntegerField(NumberField):
    """An optional whole number."""

    def value(self) -> int | None:  # type: ignore[override]
        number = super().value()
        if number is None:
            return None
        if number != int(number):
            raise FieldError(f"{number:g} is not a whole number.")
        return int(number)


def editable_combo(items: Iterable[str], placeholder: str = "") -> QComboBox:
    """A list to pick from that also takes a typed entry, matched anywhere in the words as you type."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(list(items))
    combo.setCurrentIndex(-1)
    combo.lineEdit().setPlaceholderText(placeholder)
    combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
    return combo
