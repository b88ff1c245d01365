"""The command line's progress: one line on a terminal, redrawn in place, quiet when not a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from ..domain.numbers import plural


class ProgressLine:
    """A progress line on a terminal ("Computing statistics: 4200 of 10000 patients" with ``unit`` "patient"),
    shown once the work has taken ``after`` seconds, redrawn at most ten times a second and cleared at the end
    (standard output is left as it is); nothing at all when the stream is not a terminal. A progress callback
    of the services (``(done, total[, step]) -> True``)."""

    def __init__(
        self,
        stream: TextIO,
        what: str,
        *,
        unit: str = "",
        after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream, self.what, self.unit, self.after, self.clock = stream, what, unit, after, clock
        self.live = stream.isatty()
        self.started = clock()
        self.last = -1.0
        self.width = 0

    def __call__(self, done: int, total: int, step: str = "") -> bool:
        """Note progress (``step``: what is being done now, beside ``what``); True: go on (never cancels)."""
        if not self.live:
            return True
        now = self.clock()
        if now - self.started < self.after or (now - self.last < 0.1 and done < total):
            return True
        self.last = now
        count = f"{done} of {plural(total, self.unit)}" if self.unit else f"{done} of {total}"
        line = f"{self.what} ({step}): {count}" if step else f"{self.what}: {count}"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)
        return True

    def close(self) -> None:
        """Clear the line, so that what follows on the terminal starts on a clean line."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
