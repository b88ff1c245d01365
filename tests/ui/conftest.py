"""GUI test set-up: a main window on a fresh database, modal prompts answered, clean teardown."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from myocase.store.casebook import Casebook
from myocase.ui.application import make_application
from myocase.ui.controller import Controller
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication, QMessageBox


@pytest.fixture(autouse=True)
def _private_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test keeps its QSettings (last folders, window layout) in a folder of its own, never the user's."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("settings"))
    )


@pytest.fixture
def controller(book: Casebook, qapp: QApplication) -> Controller:
    make_application()
    return Controller(book)


@pytest.fixture
def window(qtbot, controller: Controller) -> MainWindow:  # type: ignore[no-untyped-def]
    main = MainWindow(controller)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


class Answers:
    """Records the prompts shown and answers them (pitfall 2.5: no modal loop may block a test).

    ``reply`` is given when the prompt offers it; otherwise the prompt gets its Discard or Yes.
    """

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.reply = QMessageBox.StandardButton.Yes

    def question(self, parent, title, text, buttons=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.questions.append(text)
        offered = (
            buttons if buttons is not None else QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        )
        for answer in (self.reply, QMessageBox.StandardButton.Discard, QMessageBox.StandardButton.Yes):
            if offered & answer:
                return answer
        return QMessageBox.StandardButton.Cancel


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    recorded = Answers()
    monkeypatch.setattr(QMessageBox, "question", recorded.question)
    for name in ("warning", "critical", "information", "about"):
        monkeypatch.setattr(
            QMessageBox, name, lambda *a, _n=name, **k: recorded.questions.append(f"{_n}: {a[2]}")
        )
    return recorded


@pytest.fixture(autouse=True)
def _close_windows(qapp: QApplication, answers: Answers) -> Iterator[None]:
    """Close what a test left open and run the deferred deletions (pitfall 2.3); unsaved forms are
    discarded through ``answers``, which therefore outlives this fixture."""

    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()  # free Qt wrappers now, inside the test that made them, not at interpreter exit
