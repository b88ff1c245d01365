"""The main window's actions, menus and toolbar: every command with its keys and tooltip, in one place."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from .dialogs import WindowKeysFirst

if TYPE_CHECKING:
    from .main_window import MainWindow

REDO_KEYS = ("Ctrl+Shift+Z", "Ctrl+Y") if sys.platform == "win32" else ("Ctrl+Shift+Z",)


def _action(
    window: MainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    tip: str = "",
) -> QAction:
    action = QAction(text, window)
    tip = tip or text.replace("&", "").rstrip("…")
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip += "" if keys in tip else f" ({keys})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def _undo_actions(window: MainWindow) -> tuple[QAction, QAction]:
    """Undo and Redo: the last change's name in the menu and tooltip, short on the toolbar."""
    stack = window.controller.undo_stack
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence(keys) for keys in REDO_KEYS])
    _UndoTip(undo, "Undo", stack.undoTextChanged)
    _UndoTip(redo, "Redo", stack.redoTextChanged)
    return undo, redo


def build_actions(window: MainWindow) -> dict[str, QAction]:
    """Every action of the window by name, in its menus and toolbar; the undo keys work in its forms too."""
    view, files = window.patient_view, window.files
    undo, redo = _undo_actions(window)
    act = partial(_action, window)
    a = {
        "new_db": act("&New database…", files.new_database),
        "open": act("&Open database…", files.open_database, QKeySequence.StandardKey.Open),
        "open_server": act("Open &server…", window.open_server, tip="Open a series shared on a department's PostgreSQL server"),
        "backup": act("&Back up…", files.back_up, tip="Write a copy of the series to a file of your choice"),
        "restore": act(
            "&Restore from a backup…", files.restore, tip="Replace the open series by a backup copy (asks first)"
        ),
        "backups": act(
            "Bac&kups…", files.show_backups, tip="Where the series' backups are kept, and how many"
        ),
        "settings": act("Series &settings…", window.edit_settings, "Ctrl+,"),
        "quit": act("&Quit", window.close, "Ctrl+Q"),
        "undo": undo,
        "redo": redo,
        "find": act("&Find patient", window.find_patient, QKeySequence.StandardKey.Find),
        "reload": act(
            "&Read the patient list again", window.patients.refresh, QKeySequence.StandardKey.Refresh,
            "Read every patient's row again (F5): after a cancelled read, or to see others' changes now",
        ),
        "new_patient": act(
            "&New patient…", window.new_patient, QKeySequence.StandardKey.New, "Add a patient (Ctrl+N)"
        ),
        "edit_patient": act("&Edit patient…", view.edit_patient, "Ctrl+E"),
        "delete_patient": act("&Delete patient…", view.delete_patient),
        "new_course": act("New &medication course…", view.new_course, "Ctrl+Shift+M"),
        "new_assessment": act("New &assessment…", view.new_assessment, "Ctrl+Shift+A"),
        "new_event": act("New adverse &event…", view.new_event, "Ctrl+Shift+E"),
        "add_photos": act(
            "Add &photos…", view.add_photos, "Ctrl+Shift+P", "Import photos for this patient"
        ),
        "history": act(
            "&History…", window.show_history, "Ctrl+H", "Every change to this patient's records: who, when, before and after"
        ),
        "demo": act("Load the synthetic &demo series", window.load_demo),
        "analysis": act("Case-series &analysis…", window.show_analysis, "Ctrl+Shift+S"),
        "cohort": act(
            "&Cohort plots…", window.show_cohort, "Ctrl+Shift+C", "Spaghetti and swimmer plots of the series"
        ),
        "response": act("&Response criteria…", view.show_response, "Ctrl+Shift+R"),
        "export": act("&Export report", window.export_report, "Ctrl+P"),
        "export_as": act(
            "Export report &as…", lambda: window.export_report(ask=True),
            tip="Export the de-identified case-series PDF to a place you choose",
        ),
        "export_identified": act(
            "Export report with &identifiers…", lambda: window.export_report(identified=True),
            tip="Export the case-series PDF with names, record numbers and real dates (asks first)",
        ),
        "report_settings": act("Report se&ttings…", window.edit_report_settings),
        "import_data": act(
            "I&mport data…", window.import_data,
            tip="Import patients, courses, assessments and adverse events from MyoCase's CSV or Excel export, "
            "or from REDCap (previewed first)",
        ),
        "export_data": act(
            "Export &data…", window.export_data,
            tip="Export the series' data for analysis: CSV, Excel, SPSS, Stata or R, with a codebook",
        ),
        "help": act("MyoCase &help", window.show_help, QKeySequence.StandardKey.HelpContents),
        "about": act("&About MyoCase", window.show_about),
    }  # fmt: skip
    _build_menus(window, a)
    _build_toolbar(window, a)
    WindowKeysFirst(window, [undo, redo])
    return a


def _build_menus(window: MainWindow, a: dict[str, QAction]) -> None:
    menus: dict[str, list[str | QMenu | None]] = {
        "&File": ["new_db", "open", "open_server", window.files.recent_menu, None, "backup", "restore", "backups", None, "export",
                  "export_as", "export_identified", "report_settings", "import_data", "export_data", None, "settings", None,
                  "quit"],
        "&Edit": ["undo", "redo", None, "find", "reload"],
        "&Patient": ["new_patient", "edit_patient", "delete_patient", None, "new_course", "new_assessment",
                     "new_event", "add_photos", None, "history"],
        "&Analysis": ["analysis", "cohort", "response"],
        "&Help": ["help", "demo", None, "about"],
    }  # fmt: skip
    for title, names in menus.items():
        menu = window.menuBar().addMenu(title)
        for name in names:
            if name is None:
                menu.addSeparator()
            elif isinstance(name, QMenu):
                menu.addMenu(name)
            else:
                menu.addAction(a[name])


def _build_toolbar(window: MainWindow, a: dict[str, QAction]) -> None:
    """The frequent actions under short labels (the full text in the tooltip), so that Undo and Redo
    still fit at 1024 pixels."""
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("MainToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    short = {"new_patient": "New patient", "new_course": "Medication", "new_assessment": "Assessment",
             "new_event": "Adverse event", "add_photos": "Photos", "analysis": "Analysis",
             "cohort": "Cohort plots", "export": "Export report"}  # fmt: skip
    for name in ("new_patient", "new_course", "new_assessment", "new_event", "add_photos", None,
                 "analysis", "cohort", "export", None, "undo", "redo"):  # fmt: skip
        if name is None:
            toolbar.addSeparator()
            continue
        if name in short:
            a[name].setIconText(short[name])
        toolbar.addAction(a[name])
    window.toolbar = toolbar


class _UndoTip(QObject):
    """Gives an Undo or Redo action a short toolbar label and a tooltip naming the change and the keys."""

    def __init__(self, action: QAction, verb: str, changed: SignalInstance) -> None:
        super().__init__(action)  # dies with the action, and its connection with it
        self.action, self.verb = action, verb
        action.setIconText(verb)
        changed.connect(self.show_change)
        self.show_change("")

    def show_change(self, text: str) -> None:
        keys = self.action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        what = f"“{text}”" if text else f"(nothing to {self.verb.lower()})"
        self.action.setToolTip(f"{self.verb} {what} ({keys})")
