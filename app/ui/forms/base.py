"""The shared behaviour of every entry form: live validation at each field, Save only when valid,
an asterisk and a discard prompt while there are unsaved edits, and nothing half-saved."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from functools import partial
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import Signal, SignalInstance
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

from ...domain.conflicts import RecordConflict
from ...domain.validation import Problem, ValidationError
from ...store.database import StorageError
from ..conflict_dialog import Choice, ConflictDialog, ask
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


W = TypeVar("W", bound=QWidget)
R = TypeVar("R")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Valued(Protocol[T_co]):
    """An entry field that reads what was typed: its value, or ``FieldError`` saying what is wrong."""

    def value(self) -> T_co: ...


@dataclass(frozen=True, eq=False)
class Field:
    """One entry field of a form: the record field it fills (the name validation problems give), its
    widget, and the line under it that shows its problems."""

    name: str
    widget: QWidget
    error: ErrorLabel


@dataclass(eq=False)
class FormWidgets:
    """A form's entry widgets as typed attributes, each named after the record field it fills.

    Each form declares its own subclass, so ``form.widgets.drug.currentText()`` is checked by mypy and
    a record field's name can never shadow one of the dialog's own Qt methods (``event``, ``close``…).
    """

    def name_of(self, widget: QWidget) -> str:
        """The attribute that holds ``widget``: the record field it fills."""
        for spec in dataclass_fields(self):
            if getattr(self, spec.name) is widget:
                return spec.name
        raise LookupError(f"this {type(widget).__name__} is not one of the {type(self).__name__}")


def edited_signal(widget: QWidget) -> SignalInstance | None:
    """What a field sends on any edit: the app's own fields say ``edited`` (or ``textChanged``, as Qt's
    text fields do); Qt's other controls their tick or choice changing (None for a widget that holds
    nothing to edit)."""
    for name in ("edited", "textChanged"):
        signal = getattr(widget, name, None)
        if isinstance(signal, SignalInstance):
            return signal
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    if isinstance(widget, QComboBox):
        return widget.currentTextChanged if widget.isEditable() else widget.currentIndexChanged
    return None


def line_of(combo: QComboBox) -> QLineEdit:
    """The line an editable combo box (``editable_combo``) is typed in."""
    line = combo.lineEdit()
    if line is None:
        raise TypeError("this combo box is not editable: it has no line to type in")
    return line


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


class RecordForm(QDialog, Generic[R]):
    """A form for one record of type ``R``. Subclasses declare their ``widgets``, lay them out with
    ``add_row`` (or ``add_field`` for a field named otherwise) and implement ``collect`` and ``store``.

    ``fields`` are the entry fields in layout order; ``errors`` are the lines a problem can be shown
    on, by the field name validation gives (a field's own, or one shared by a score entry's fields).
    Signals: ``saved(record)`` after a successful save.
    """

    saved = Signal(object)
    title = "Record"
    widgets: FormWidgets  # each form narrows it to its own

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.widgets = FormWidgets()
        self.fields: list[Field] = []
        self.errors: dict[str, ErrorLabel] = {}
        self._snapshot: tuple[object, ...] = ()
        self.conflict_dialog: ConflictDialog | None = None  # open while the user decides a conflict
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
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
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

    def add_row(self, layout: QFormLayout, label: str, widget: W, tip: str = "") -> W:
        """A labelled row for one of ``widgets``, named after the attribute that holds it."""
        return self.add_field(layout, self.widgets.name_of(widget), label, widget, tip)

    def add_field(self, layout: QFormLayout, name: str, label: str, widget: W, tip: str = "") -> W:
        """A labelled row for ``widget`` with its problem line under it; ``name`` is the record field
        it fills."""
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
        self.register(Field(name, widget, error))
        return widget

    def register(self, field: Field) -> None:
        """Count ``field`` as one of the form's: its problems shown on its line, each edit revalidating."""
        self.fields.append(field)
        self.errors[field.name] = field.error
        signal = edited_signal(field.widget)
        if signal is not None:
            signal.connect(self.revalidate)

    # ------------------------------------------------------------ to implement
    def collect(self) -> tuple[R | None, list[Problem]]:
        """The record the fields describe (or None) and the problems found on the way."""
        raise NotImplementedError

    def store(self, record: R) -> object:
        """Save through the controller and return what was stored (``saved`` sends it); may raise
        ValidationError or StorageError."""
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

    def value_of(self, widget: Valued[T], problems: list[Problem]) -> T | None:
        """A field's value, or None with the parse problem noted at that field."""
        try:
            return widget.value()
        except FieldError as exc:
            problems.append(Problem(self._name_of(widget), str(exc)))
            return None

    def _name_of(self, widget: object) -> str:
        return next(field.name for field in self.fields if field.widget is widget)

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

    def confirm(self, record: R) -> bool:
        """A last question before ``record`` is stored (a subclass may ask one); False keeps the form open."""
        return True

    def save(self) -> None:
        record, problems = self.collect()
        if record is None or problems:
            self.show_problems(problems)
            return
        if self.confirm(record):
            self._store_and_close(record)

    def _store_and_close(self, record: R) -> None:
        """Store ``record``; the form closes when it is stored and stays open, saying why, when it is not."""
        try:
            stored = self.store(record)
        except RecordConflict as exc:  # someone else changed or deleted it since the form was opened
            self.conflict_dialog = ask(self, exc, partial(self._resolve, exc))
            return
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

    def _resolve(self, conflict: RecordConflict, choice: Choice) -> None:
        """Do what the user chose in the conflict dialog."""
        if choice is Choice.KEEP_MINE:
            self._store_and_close(conflict.mine_on_current())
        elif choice is Choice.RECREATE:
            self._store_and_close(conflict.mine_as_new())
        elif choice is Choice.TAKE_THEIRS:
            self._snapshot = self.entered()  # dropped knowingly: no "discard changes?" question
            self.reject()

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
