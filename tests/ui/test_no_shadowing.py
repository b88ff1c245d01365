"""No class of the GUI hides a Qt method under a name of its own.

A name a Qt base class already defines (a method, signal or property) may only be taken by a
deliberate override of a Qt virtual listed in ``VIRTUALS``; an attribute or an ordinary method under
such a name is a bug waiting: ``EventForm.event`` (the adverse event being edited) once hid
``QWidget.event``, the handler Qt calls for every event the dialog receives.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterator
from types import ModuleType

import myocase.ui
from PySide6.QtCore import QAbstractItemModel, QObject, QRunnable, QSortFilterProxyModel
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QDialog, QGraphicsItem, QLayout, QLayoutItem, QWidget

# The Qt virtuals the GUI overrides on purpose, by the Qt class that declares them.
VIRTUALS: dict[type, frozenset[str]] = {
    QObject: frozenset({"event", "eventFilter"}),
    QWidget: frozenset({
        "changeEvent", "closeEvent", "dragEnterEvent", "dropEvent", "keyPressEvent", "leaveEvent",
        "mouseDoubleClickEvent", "mouseMoveEvent", "mousePressEvent", "mouseReleaseEvent", "paintEvent",
        "resizeEvent", "showEvent", "wheelEvent", "sizeHint", "minimumSizeHint", "heightForWidth",
    }),
    QDialog: frozenset({"accept", "reject", "done"}),
    QAbstractItemModel: frozenset({"data", "rowCount", "columnCount", "headerData", "flags", "setData", "sort"}),
    QSortFilterProxyModel: frozenset({"filterAcceptsRow", "lessThan"}),
    QLayout: frozenset({"addItem", "count", "itemAt", "takeAt", "setGeometry", "minimumSize"}),
    QLayoutItem: frozenset({"sizeHint", "expandingDirections", "hasHeightForWidth", "heightForWidth"}),
    QGraphicsItem: frozenset({"boundingRect", "paint", "shape"}),
    QUndoCommand: frozenset({"undo", "redo"}),
    QRunnable: frozenset({"run"}),
}  # fmt: skip

# Shadowing in modules another change of issue 13 (item 5: the figures package) was rewriting while
# this test was written, as "module.Class.name"; the one found there (``figures.swimmer.OngoingArrow``
# reassigning pyqtgraph's ``path`` attribute over QGraphicsPathItem.path()) was fixed in that change.
# TODO(issue 13, figures): an entry added here for app/ui/figures/*, app/ui/timeline_plot.py or
# app/ui/cohort_views.py must be fixed there, then taken off; the test fails while a listed one is gone.
KNOWN: frozenset[str] = frozenset()


def gui_modules() -> Iterator[ModuleType]:
    yield myocase.ui
    for info in pkgutil.walk_packages(myocase.ui.__path__, "myocase.ui."):
        yield importlib.import_module(info.name)


def is_qt(cls: type) -> bool:
    return cls.__module__.startswith("PySide6.")


def assigned_on_self(cls: type) -> set[str]:
    """The instance attributes the class's own code sets (``self.name = …``, also in tuples)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    names = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if (
                    isinstance(part, ast.Attribute)
                    and isinstance(part.value, ast.Name)
                    and part.value.id == "self"
                ):
                    names.add(part.attr)
    return names


def own_names(cls: type) -> dict[str, bool]:
    """Each name the class defines or sets on its instances, and whether it is a method (a function
    defined in the class body): only a method can override a Qt virtual."""
    names = {name: False for name in assigned_on_self(cls)}
    for name, value in vars(cls).items():
        if not name.startswith("__") and name != "staticMetaObject":  # Shiboken adds one per class
            names[name] = inspect.isfunction(value)
    return names


def overrides_a_virtual(cls: type, name: str) -> bool:
    return any(name in VIRTUALS.get(base, ()) for base in cls.__mro__)


def shadowed(cls: type, app: str = "myocase.") -> dict[str, str]:
    """Each name (as "module.Class.name") a Qt base of ``cls`` defines (as "QBase.name") that a class
    of ``app`` in its hierarchy (itself, a base or a mixin) takes other than by overriding a virtual."""
    qt_bases = [base for base in cls.__mro__ if is_qt(base)]
    found = {}
    for app_class in (base for base in cls.__mro__ if base.__module__.startswith(app)):
        for name, is_method in own_names(app_class).items():
            owner = next((base for base in qt_bases if name in vars(base)), None)
            if owner is not None and not (is_method and overrides_a_virtual(cls, name)):
                found[f"{app_class.__module__}.{app_class.__qualname__}.{name}"] = f"{owner.__name__}.{name}"
    return found


def gui_classes() -> Iterator[type]:
    """Every class the GUI defines on a Qt base (widgets, dialogs, models, graphics items, commands)."""
    for module in gui_modules():
        for cls in vars(module).values():
            if inspect.isclass(cls) and cls.__module__ == module.__name__ and any(map(is_qt, cls.__mro__)):
                yield cls


def test_no_gui_class_hides_a_qt_method() -> None:
    found: dict[str, str] = {}
    for cls in gui_classes():
        found |= shadowed(cls)
    assert {where: hidden for where, hidden in found.items() if where not in KNOWN} == {}
    assert KNOWN - found.keys() == set()  # no longer found: take it off KNOWN


def test_the_check_sees_an_attribute_and_a_method_and_allows_a_virtual() -> None:
    assert shadowed(_Shadowing, app=__name__) == {
        f"{__name__}._Shadowing.event": "QWidget.event",
        f"{__name__}._Shadowing.update": "QWidget.update",
    }


class _Shadowing(QDialog):
    """What the check must catch: the record kept under Qt's event handler, a method named like a Qt
    slot; and what it must allow: an override of a Qt virtual."""

    def __init__(self) -> None:
        super().__init__()
        self.event = None  # type: ignore[assignment]

    def update(self) -> None:  # type: ignore[override]
        pass

    def paintEvent(self, event: object) -> None:  # type: ignore[override]
        pass
