"""Long work off the GUI thread: run a plain function in the thread pool, with progress and cancel.

The signals live on a ``TaskRunner`` owned by a long-lived widget on the GUI thread, never on
the runnable (pitfall 2.8); the function gets only plain data and a ``progress`` callback and
must never touch a widget.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

# (done, total, what) -> False to stop
ProgressCallback = Callable[[int, int, str], bool]
Work = Callable[[ProgressCallback], Any]


class TaskRunner(QObject):
    """Runs one task at a time. Signals: ``progressed(done, total, what)``, ``finished(result)``,
    ``cancelled()``, ``failed(message, details)``."""

    progressed = Signal(int, int, str)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._stop = threading.Event()
        self._idle = threading.Event()  # set while no task of this runner is in the pool
        self._idle.set()
        self.running = False

    def start(self, work: Work, cancelled_error: type[BaseException] | None = None) -> None:
        """Start ``work(progress)``; ``cancelled_error`` is the exception it raises when stopped."""
        if self.running:
            raise RuntimeError("a task is already running")
        self._stop.clear()
        self._idle.clear()
        self.running = True
        self.pool.start(_Job(self, work, cancelled_error))

    @property
    def idle(self) -> bool:
        """Whether no task of this runner is in the thread pool (a cancelled one may still be finishing)."""
        return self._idle.is_set()

    def wait(self, seconds: float = 30.0) -> bool:
        """Block until the task has left the thread pool (after ``cancel``, at its next progress call); False
        if it is still there after ``seconds``."""
        return self._idle.wait(seconds)

    def cancel(self) -> None:
        self._stop.set()

    def progress(self, done: int, total: int, what: str) -> bool:
        """Called on the worker thread: forwards progress and says whether to go on."""
        self.progressed.emit(done, total, what)
        return not self._stop.is_set()

    def _done(self, signal: Signal, *args: Any) -> None:
        self.running = False
        signal.emit(*args)  # type: ignore[attr-defined]
        self._idle.set()


class _Job(QRunnable):
    def __init__(self, runner: TaskRunner, work: Work, cancelled_error: type[BaseException] | None) -> None:
        super().__init__()
        self.runner, self.work, self.cancelled_error = runner, work, cancelled_error

    def run(self) -> None:
        try:
            result = self.work(self.runner.progress)
        except BaseException as exc:  # report every failure to the GUI; nothing escapes the thread
            if self.cancelled_error is not None and isinstance(exc, self.cancelled_error):
                self.runner._done(self.runner.cancelled)
            else:
                self.runner._done(self.runner.failed, str(exc) or type(exc).__name__, traceback.format_exc())
            return
        self.runner._done(self.runner.finished, result)
