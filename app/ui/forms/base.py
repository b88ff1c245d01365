"""The shared behaviour of every entry form: live validation at each field, Save only when valid,
an asterisk and a discard prompt while there are unsaved edits, and nothing half-saved."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QCalendarWidget,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...domain.validation import Problem, ValidationError
from ...store.database import StorageError
from ..controller import Controller
from ..fields import ErrorLabel, FieldError


def _inside_calendar(widget: QWidget) -> bool:
    """A date picker's own controls: browsing months there changes nothing the user entered."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QCalendarWidget):
            return True
        parent = parent.parentWidget()
    return False


def _state_of(widget: QWidget) -> object:
    """What the user can have changed in one control (None for controls that hold nothing)."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentIndex(), widget.currentText()
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return widget.isChecked()
    if isinstance(widget, QTableView) and widget.model() is not None:
        model = widget.model()
        return tuple(
            model.index(row, column).data()
            for row in range(model.rowCount())
            for column in range(model.columnCount())
        )
    return None


class RecordForm(QDialog):
    """Subclasses add fields with ``add_field`` and implement ``collect`` and ``store``.

    Signals: ``saved(record)`` after a successful save.
    """

    saved = Signal(object)
    title = "Record"

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.errors: dict[str, ErrorLabel] = {}
        self.fields: dict[str, QWidget] = {}
        self._snapshot: tuple[object, ...] = ()
        self._loading = False
        self._ready = False  # no validation until the subclass has built and filled every field
        self.setWindowTitle(self.title)
        self.setModal(True)
        self.body = QVBoxLayout()
        self.form_error = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip("Save (Ctrl+S); enabled when every field is valid")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        inner = QWidget()
        inner.setLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.form_error)
        outer.addWidget(self.buttons)

    # ------------------------------------------------------------ building
    def group(self, title: str, note: str = "") -> QFormLayout:
        box = QGroupBox(title)
        layout = QFormLayout(box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        if note:
            hint = QLabel(note)
            hint.setWordWrap(True)
            hint.setEnabled(False)
            layout.addRow(hint)
        self.body.addWidget(box)
        return layout

    def add_field(
        self, layout: QFormLayout, name: str, label: str, widget: QWidget, tip: str = ""
    ) -> QWidget:
        error = ErrorLabel()
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        column.addWidget(error)
        layout.addRow(label, holder)
        widget.setAccessibleName(label.rstrip(":"))
        if tip:
            widget.setToolTip(tip)
        self.fields[name], self.errors[name] = widget, error
        signal = getattr(widget, "edited", None) or getattr(widget, "textChanged", None)
        if signal is None and hasattr(widget, "toggled"):
            signal = widget.toggled
        if signal is not None:
            signal.connect(self.revalidate)
        return widget

    # ------------------------------------------------------------ to implement
    def collect(self) -> tuple[Any, list[Problem]]:
        """The record the fields describe (or None) and the problems found on the way."""
        raise NotImplementedError

    def store(self, record: Any) -> Any:
        """Save through the controller; may raise ValidationError or StorageError."""
        raise NotImplementedError

    # ------------------------------------------------------------ behaviour
    def finish_loading(self) -> None:
        """Call after filling the fields: what is there now counts as unchanged."""
        self._ready = True
        self._snapshot = self.entered()
        self.revalidate()

    def entered(self) -> tuple[object, ...]:
        """Everything typed, chosen or ticked in the form, complete or not: any difference from the
        loaded state is an unsaved edit, even a term and a note in an otherwise empty form."""
        return tuple(
            _state_of(widget) for widget in self.findChildren(QWidget) if not _inside_calendar(widget)
        )

    def field_value(self, name: str, problems: list[Problem]) -> Any:
        """A field's value, or None with the parse problem noted at that field."""
        try:
            return self.fields[name].value()  # type: ignore[attr-defined]
        except FieldError as exc:
            problems.append(Problem(name, str(exc)))
            return None

    @property
    def dirty(self) -> bool:
        return self._ready and self.entered() != self._snapshot

    def revalidate(self) -> list[Problem]:
        if not self._ready:
            return []
        record, problems = self.collect()
        self.show_problems(problems)
        self.save_button.setEnabled(record is not None and not problems)
        self.setWindowTitle(self.title + (" *" if self.dirty else ""))
        return problems

    def show_problems(self, problems: list[Problem]) -> None:
        """Each field's problems under it (fields sharing a label, as in a score entry, together);
        problems of no field at the foot of the form."""
        by_label: dict[ErrorLabel, list[str]] = {label: [] for label in self.errors.values()}
        loose: list[str] = []
        for problem in problems:
            label = self.errors.get(problem.field)
            (loose if label is None else by_label[label]).append(problem.message)
        for label, messages in by_label.items():
            label.show_problem(" ".join(dict.fromkeys(messages)) or None)
        self.form_error.show_problem(" ".join(dict.fromkeys(loose)) or None)

    def confirm(self, record: Any) -> bool:
        """A last question before ``record`` is stored (a subclass may ask one); False keeps the form open."""
        return True

    def save(self) -> None:
        record, problems = self.collect()
        if record is None or problems:
            self.show_problems(problems)
            return
        if not self.confirm(record):
            return
        try:
            stored = self.store(record)
        except ValidationError as exc:
            self.show_problems(exc.problems)
            self.save_button.setEnabled(False)
            return
        except StorageError as exc:
            QMessageBox.critical(
                self, "Could not save", f"{exc}\n\nNothing was changed; your entries are still here."
            )
            return
        self._snapshot = self.entered()
        self.saved.emit(stored)
        self.accept()

    def reject(self) -> None:
        if self.dirty:
            answer = QMessageBox.question(
                self,
                "Discard changes?",
                "This form has changes that are not saved. Discard them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.result() == QDialog.DialogCode.Accepted or not self.dirty:
            event.accept()
            return
        event.ignore()
        self.reject()
