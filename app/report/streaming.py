"""Layout whose memory does not grow with the series: story parts made when reached, tables a page at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from reportlab.platypus import BaseDocTemplate, Flowable, Table

from .styles import TableCommand, table_style

Row = list[Any]  # a table row: one Flowable (or list of Flowables) per column
TALLER_THAN_A_PAGE = 850.0  # points: more than any frame of the report (an A4 page is 842 high)


class Deferred(Flowable):
    """A part of the story made only when layout reaches it, and dropped once laid out."""

    def __init__(self, make: Callable[[], list[Flowable]]) -> None:
        super().__init__()
        self.make = make

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        raise TypeError("a Deferred story part is laid out only by StreamingDocTemplate")


class StreamingDocTemplate(BaseDocTemplate):
    """Expands each ``Deferred`` as it comes to the front of the story, so that only the part being laid
    out exists (also inside a run of keep-with-next flowables, which platypus groups before laying out)."""

    def filterFlowables(self, flowables: list[Flowable]) -> None:
        at = 0
        while at < len(flowables):
            first = flowables[at]
            if isinstance(first, Deferred):
                flowables[at : at + 1] = first.make()
                continue
            if not first.getKeepWithNext():  # type: ignore[no-untyped-call]  # untyped in types-reportlab
                return
            at += 1


class StreamedTable(Flowable):
    """A table of any length laid out a page at a time: only the rows of the page being laid out (and a
    few ahead) exist. Each page is the split reportlab makes of the table's rows from there on, so the
    pages look as one long ``Table(repeatRows=1, splitInRow=1)`` would."""

    def __init__(
        self,
        header: Row,
        rows: Iterable[Row],
        widths: Sequence[float],
        commands: Sequence[TableCommand] = (),
        batch: int = 16,
        carried: Sequence[Row] = (),
    ) -> None:
        super().__init__()
        self.header, self.rows, self.widths, self.commands, self.batch = (
            header,
            iter(rows),
            widths,
            commands,
            batch,
        )
        self.buffer: list[Row] = list(carried)  # rows read already: those the page before left over
        self.exhausted = False
        self.table: Table | None = None
        self.measured_for = 0.0  # the available width self.table was measured in
        self.hAlign = "LEFT"

    def _pull(self, count: int) -> None:
        more = list(islice(self.rows, count))
        self.buffer += more
        self.exhausted = len(more) < count

    def _make(self) -> Table:
        table = Table(
            [self.header, *self.buffer],
            colWidths=list(self.widths),
            repeatRows=1,
            splitInRow=1,
            hAlign="LEFT",
        )
        table.setStyle(table_style())
        if self.commands:
            table.setStyle(list(self.commands))
        return table

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """The size of the rows read so far, read until they overflow ``available_height`` or run out.
        Asked with room to spare (``KeepTogether`` measures with 0xfffffff points), rows are read only
        until they are taller than any page: every decision platypus takes is then the same as with all."""
        wanted = min(available_height, TALLER_THAN_A_PAGE)
        measured = self.table is not None and self.measured_for == available_width
        if measured and (self.height > wanted or self.exhausted):  # enough rows read already
            return self.width, self.height
        if not self.buffer and not self.exhausted:
            self._pull(self.batch)
        while True:
            table = self._make()
            width, height = table.wrap(available_width, available_height)
            if height > wanted or self.exhausted:
                break
            # about as many rows as the room left holds, and one more: a page's rows (and a few) are read
            per_row = height / (len(self.buffer) + 1)
            self._pull(min(self.batch, int((wanted - height) / per_row) + 2))
        self.table, self.width, self.height, self.measured_for = table, width, height, available_width
        return width, height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        assert self.table is not None
        parts: list[Flowable] = self.table.split(available_width, available_height)
        if len(parts) < 2:
            return list(parts)
        first, rest = parts
        carried = rest._cellvalues[1:]  # type: ignore[attr-defined]  # the rows (or rest of a split row) left
        # the same source, not chain(carried, source): each page's chain would keep its rows alive
        return [first, StreamedTable(self.header, self.rows, self.widths, self.commands, self.batch, carried)]

    def draw(self) -> None:
        assert self.table is not None
        self.table.drawOn(self.canv, 0, 0)
        self.table = None
