"""The thread-pool task runner: results, progress, cancel and failures reach the GUI thread."""

from __future__ import annotations

import threading

import pytest
from myocase.ui.worker import ProgressCallback, TaskRunner
from PySide6.QtCore import QThreadPool


class Stop(Exception):
    pass


@pytest.fixture
def runner(qtbot) -> TaskRunner:  # type: ignore[no-untyped-def]
    pool = QThreadPool()
    task_runner = TaskRunner(pool=pool)
    yield task_runner
    pool.waitForDone(5000)


def test_result_and_progress_arrive(qtbot, runner: TaskRunner) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[int, int, str]] = []
    runner.progressed.connect(lambda d, t, w: seen.append((d, t, w)))
    worker_threads: list[threading.Thread] = []

    def work(progress: ProgressCallback) -> int:
        worker_threads.append(threading.current_thread())
        for n in range(1, 4):
            progress(n, 3, f"step {n}")
        return 42

    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        runner.start(work)
    assert blocker.args == [42]
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=5000)
    assert seen[-1] == (3, 3, "step 3")
    assert worker_threads[0] is not threading.main_thread()
    assert not runner.running


def test_cancel_stops_the_work(qtbot, runner: TaskRunner) -> None:  # type: ignore[no-untyped-def]
    started = threading.Event()

    def work(progress: ProgressCallback) -> None:
        started.set()
        for n in range(10_000):
            if not progress(n, 10_000, "busy"):
                raise Stop
            threading.Event().wait(0.001)

    with qtbot.waitSignal(runner.cancelled, timeout=10_000):
        runner.start(work, cancelled_error=Stop)
        assert started.wait(5)
        runner.cancel()


def test_failure_is_reported_with_details(qtbot, runner: TaskRunner) -> None:  # type: ignore[no-untyped-def]
    def work(progress: ProgressCallback) -> None:
        raise OSError(28, "No space left on device")

    with qtbot.waitSignal(runner.failed, timeout=10_000) as blocker:
        runner.start(work)
    message, details = blocker.args
    assert "No space left on device" in message
    assert "OSError" in details
