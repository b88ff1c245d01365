"""Work that builds many thousand small objects at once (the patient list, the analysis, ``add_many``): the
cyclic garbage collector paused meanwhile, since every object built is kept and a collection pass would only
walk them, and each stored partial date made once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from ..domain.dates import PartialDate, Precision

PRECISIONS = {p.value: p for p in Precision}


@contextmanager
def collector_paused() -> Iterator[None]:
    """The block runs without cyclic garbage collection (reference counting still frees at once); the
    collector is back as it was afterwards, even if the block fails. Nested blocks leave it to the outermost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class PartialDates(dict[tuple[date, str | None], PartialDate]):
    """Each stored (date, precision) made once: a registry repeats the same course dates many thousand times.
    ``dates[day, precision]`` is the partial date (no precision stored: to the day)."""

    def __missing__(self, key: tuple[date, str | None]) -> PartialDate:
        made = self[key] = PartialDate(key[0], PRECISIONS[key[1] or Precision.DAY])
        return made
