"""Input fields for clinical forms: numbers with units, full and partial dates, coded choices, and the
line under a field that says what is wrong.

Every field can be empty, keeps exactly what was typed (no key is ever blocked or changed), says
what it understood, and reports a problem in words instead of guessing. Each emits ``edited`` on
any change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QStyle,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from ..domain.dates import DateParseError, PartialDate, Precision
from ..domain.numbers import MINUS
from ..domain.scales import Scale, readable
from ..domain.style import VERMILLION

ERROR_COLOUR = VERMILLION  # with a warning sign, so colour is not the only cue


class FieldError(ValueError):
    """What the user typed cannot be read; the message says how to fix it."""


class ErrorLabel(QLabel):
    """A problem in words ("⚠ …") under its field. Its line is kept while hidden, so nothing under the
    user's pointer moves when a message appears or goes."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName("Problem")
        self.setMinimumHeight(self.fontMetrics().lineSpacing())
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.hide()

    def show_problem(self, message: str | None) -> None:
        self.setText(f"⚠ {message}" if message else "")
        self.setVisible(bool(message))


def _row(*widgets: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for widget in widgets:
        layout.addWidget(widget)
    return layout


_PLAIN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")  # 1,000,000 or 1,234.5
_THOUSANDS_OR_DECIMAL = re.compile(r"([+-]?[1-9]\d{0,2}),(\d{3})")  # 1,500: 1500 or 1.5?


def parse_number(text: str) -> float | None:
    """The number typed, or None when empty. A decimal comma is read ("2,5" is 2.5), thousands
    separators too ("1,000,000"); "1,500" could be either, so it is refused with both readings."""
    text = text.strip().replace(MINUS, "-")
    if not text:
        return None
    if _PLAIN.fullmatch(text):
        return float(text)
    if ambiguous := _THOUSANDS_OR_DECIMAL.fullmatch(text):
        whole, part = ambiguous.groups()
        raise FieldError(
            f"“{text}” could mean {whole}{part} or {whole}.{part.rstrip('0') or '0'}: type it without "
            "the comma, with a point for decimals."
        )
    if _GROUPED.fullmatch(text):
        return float(text.replace(",", ""))
    if text.count(",") == 1 and _PLAIN.fullmatch(decimal := text.replace(",", ".")):
        return float(decimal)
    raise FieldError(f"“{text}” is not a number: type digits, e.g. 12.5.")


def number_text(value: float) -> str:
    """A stored number as it is typed back: every digit it has, never an exponent (1000000, 0.1234567)."""
    if value == int(value):
        return str(int(value))
    return format(Decimal(repr(value)), "f")


class NumberField(QWidget):
    """An optional number with its unit beside it and its range in the placeholder and tooltip.

    Anything may be typed; ``problem()`` says in words what is wrong with it (not a number, out of
    range, not whole) and a warning sign inside the field shows it without moving anything.
    The range comes from ``scale``, or from ``low`` and ``high`` (named ``label`` in messages);
    ``chars`` makes a compact field that fits that many digits (score grids).
    """

    edited = Signal()
    whole = False

    def __init__(
        self,
        scale: Scale | None = None,
        unit: str = "",
        parent: QWidget | None = None,
        *,
        low: float | None = None,
        high: float | None = None,
        label: str = "",
        chars: int = 0,
        placeholder: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.scale, self.label = scale, label or (scale.label if scale else "")
        self.rule = self._rule(scale, low, high, unit)
        self.line = QLineEdit()
        self.line.setAlignment(Qt.AlignmentFlag.AlignRight)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.warning = self.line.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        self.warning.setVisible(False)
        unit = unit or (scale.unit if scale else "")
        self.unit = QLabel(unit or (f"({scale.range_text})" if scale and not chars else ""))
        self._lay_out(chars)
        if self.rule is not None:
            self.line.setPlaceholderText(f"{readable(self.rule.low)}–{readable(self.rule.high)}")
        if placeholder is not None:
            self.line.setPlaceholderText(placeholder)
        if scale is not None:
            tip = f"{scale.label}: {scale.range_text}." + (f" {scale.help}" if scale.help else "")
            self.line.setToolTip(tip)
            self.line.setAccessibleName(scale.label)
        self.line.textChanged.connect(self._on_text_changed)
        # The tab order is the order fields are put in their layouts (set_tab_order breaks with proxies).
        self.setFocusProxy(self.line)

    def _rule(self, scale: Scale | None, low: float | None, high: float | None, unit: str) -> Scale | None:
        if scale is not None:
            return replace(scale, integer=True) if self.whole else scale
        if (low is None) != (high is None):
            raise TypeError("give both low and high, or neither")
        if low is None or high is None:
            return None
        return Scale("", self.label or "The value", low, high, unit, integer=self.whole)

    def _lay_out(self, chars: int) -> None:
        row = _row(self.line, self.unit)
        self.setLayout(row)
        if chars:
            digits = self.fontMetrics().horizontalAdvance("0" * chars)
            self.line.setFixedWidth(digits + self.fontMetrics().height() + 24)  # room for the warning sign
            self.unit.setVisible(bool(self.unit.text()))
            self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            return
        self.line.setMaximumWidth(120)
        self.unit.setMinimumWidth(70)
        row.addStretch(1)

    def set_name(self, name: str) -> None:
        """The name screen readers say and messages use ("Deltoid, left")."""
        self.label = name
        self.setAccessibleName(name)
        self.line.setAccessibleName(name)
        if self.rule is not None:
            self.rule = replace(self.rule, label=name)
        self._show_problem()

    def _show_problem(self) -> None:
        message = self.problem()
        self.warning.setVisible(message is not None)
        self.warning.setToolTip(message or "")
        self.line.setAccessibleDescription(message or "")

    def _on_text_changed(self) -> None:
        self._show_problem()
        self.edited.emit()

    def value(self) -> float | None:
        """The number typed (None if empty); raises FieldError saying what is wrong with it."""
        number = parse_number(self.line.text())
        if number is None:
            return None
        if self.rule is not None:
            if message := self.rule.problem(number):
                raise FieldError(message)
        elif self.whole and number != int(number):
            subject = self.label or self.accessibleName() or "This value"
            raise FieldError(f"{subject} must be a whole number, not {readable(number)}.")
        return number

    def problem(self) -> str | None:
        """What is wrong with the text typed, in words; None when it is empty or a good value."""
        try:
            self.value()
        except FieldError as exc:
            return str(exc)
        return None

    def value_or_none(self) -> Any:
        """The value, or None while the text has a problem (``problem()`` says which)."""
        try:
            return self.value()
        except FieldError:
            return None

    def set_value(self, value: float | None) -> None:
        self.line.setText("" if value is None else number_text(value))


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
        row = _row(self.line, self.picker)
        row.addStretch(1)
        self.setLayout(row)
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
        row = _row(self.line, self.precision)
        row.addStretch(1)
        self.setLayout(row)
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
    """A drop-down of coded values (enum members, labelled) with type-ahead.

    A clinical choice never starts on a real answer: with ``empty`` it starts on that entry (read as
    None); else on the vocabulary's "unknown" member, listed first, when it has one. Only settings
    (no ``empty``, no "unknown") start on their first member.
    The members are kept here, not as item data: Qt would turn a StrEnum into a plain string.
    """

    edited = Signal()

    def __init__(
        self, choices: Iterable[StrEnum], *, empty: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        members = list(choices)
        unknown = next((c for c in members if c.name == "UNKNOWN"), None)
        if unknown is not None and empty is None:
            members.remove(unknown)
            members.insert(0, unknown)
        self.choices: list[StrEnum | None] = [None] if empty is not None else []
        if empty is not None:
            self.addItem(empty)
        for choice in members:
            self.choices.append(choice)
            self.addItem(getattr(choice, "label", None) or choice.value[:1].upper() + choice.value[1:])
        self.currentIndexChanged.connect(self.edited)

    def value(self) -> Any:
        index = self.currentIndex()
        return self.choices[index] if 0 <= index < len(self.choices) else None

    def set_value(self, value: StrEnum | None) -> None:
        self.setCurrentIndex(self.choices.index(value) if value in self.choices else 0)


class IntegerField(NumberField):
    """An optional whole number: "7.5" is kept as typed and reported, never rounded."""

    whole = True

    def value(self) -> int | None:
        number = super().value()
        return None if number is None else int(number)


def editable_combo(items: Iterable[str], placeholder: str = "") -> QComboBox:
    """A list to pick from that also takes a typed entry, matched anywhere in the words as you type."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(list(items))
    combo.setCurrentIndex(-1)
    line, completer = combo.lineEdit(), combo.completer()
    assert line is not None, "an editable combo box has a line edit"
    assert completer is not None, "an editable combo box has a completer"
    line.setPlaceholderText(placeholder)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    return combo
