"""Guards against Qt binding bugs that would crash a long session."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal()
    carried = Signal(object)


def test_emit_keeps_pythons_true_and_false_alive() -> None:
    """PySide6 6.12.0 drops a reference to True on each emit(); after a few hundred emits the
    interpreter aborts ("bool_dealloc"). The pinned binding must not."""
    emitter = _Emitter()
    emitter.fired.emit()
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(200):
        emitter.fired.emit()
        emitter.carried.emit(False)
    assert (sys.getrefcount(True), sys.getrefcount(False)) >= before
