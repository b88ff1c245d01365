"""A window's long reads in the thread pool: a row with what is being done, a progress bar and Cancel.

Used where a large series makes a window's computation take seconds (the analysis, the cohort plots): the
window stays usable, Cancel stops the run and keeps the results already shown, and a run asked for while
another works (a setting changed) stops that one and follows it, so the newest settings always win.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from .worker import ProgressCallback, TaskRunner

Step = Callable[[int, int], None]  # (patients done, patients in all); raises Stopped once cancelled
Work = Callable[[Step], Any]


class Stopped(Exception):
    """The run in the thread pool was stopped (Cancel, newer settings, the window closed)."""


class BackgroundRow(QWidget):
    """Hidden until ``run`` starts work. Signals: ``finished(result)`` of the newest run, ``failed(message)``,
    ``stopped()`` when Cancel ended a run no newer one follows."""

    finished = Signal(object)
    failed = Signal(str)
    stopped = Signal()

    def __init__(self, doing: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doing = doing  # "Analysing", "Drawing": the label says "<doing> 40 of 100 patients…"
        self.runner = TaskRunner(self)
        self._next: Work | None = None  # asked for while a run was stopping
        self.label = QLabel()
        self.progress = QProgressBar()
        self.progress.setAccessibleName(f"{doing} progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop it; what was shown before stays shown")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 4)
        row.addWidget(self.label)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        self.runner.progressed.connect(self._on_progressed)
        self.runner.finished.connect(self._on_finished)
        self.runner.cancelled.connect(self._on_cancelled)
        self.runner.failed.connect(self._on_failed)
        self.hide()

    @property
    def running(self) -> bool:
        return self.runner.running

    def run(self, work: Work) -> None:
        """Start ``work(step)`` in the thread pool; ``step(done, total)`` reports progress and raises
        ``Stopped`` once cancelled. A run already going is stopped first and this one follows it."""
        if self.runner.running:
            self._next = work
            self.runner.cancel()
            return
        self._next = None

        def job(progress: ProgressCallback) -> Any:
            def step(done: int, total: int) -> None:
                if not progress(done, total, ""):
                    raise Stopped

            result = work(step)
            if not progress(-1, -1, ""):  # cancelled after the last step: its result is not wanted
                raise Stopped
            return result

        self.label.setText(f"{self.doing} the series…")
        self.progress.setRange(0, 0)  # busy until the first patient is done
        self.show()
        self.runner.start(job, cancelled_error=Stopped)

    def cancel(self) -> None:
        self._next = None
        self.runner.cancel()

    def stop_and_wait(self) -> None:
        """Cancel, and wait until the run has let go of the series (before the series is closed); its last
        signals are handled now, so that none is taken for a run started after."""
        self.cancel()
        if self.runner.wait():
            QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)

    def _on_progressed(self, done: int, total: int, _what: str) -> None:
        if total > 0:
            self.label.setText(f"{self.doing} {done:,} of {total:,} patients…")
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _on_finished(self, result: object) -> None:
        self.hide()
        self.finished.emit(result)

    def _on_cancelled(self) -> None:
        if self._next is not None:
            self.run(self._next)
            return
        self.hide()
        self.stopped.emit()

    def _on_failed(self, message: str, _details: str) -> None:
        self.hide()
        self.failed.emit(message)
