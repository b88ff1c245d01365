"""The report's pages kept on disk until "page X of Y" is known, and the PDF written out one object at a time."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO, Any

from reportlab import rl_config
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFBase85Encode,
    PDFCrossReferenceTable,
    PDFDictionary,
    PDFDocument,
    PDFFile,
    PDFIndirectObject,
    PDFName,
    PDFPage,
    PDFStream,
    PDFTrailer,
    PDFZCompress,
)
from reportlab.pdfgen.canvas import Canvas


class _SpooledStream(PDFStream):
    """A page's content, already compressed as reportlab would, read back from the spool when written."""

    def __init__(self, spool: IO[bytes], text: str) -> None:
        filters: list[Any] = [PDFBase85Encode, PDFZCompress] if rl_config.useA85 else [PDFZCompress]
        content: Any = text
        for step in reversed(filters):
            content = step.encode(content)
        if isinstance(content, str):  # ASCII85 text
            content = content.encode("latin-1")
        super().__init__(PDFDictionary({"Filter": PDFArray([PDFName(step.pdfname) for step in filters])}))
        self.spool, self.offset, self.size = spool, spool.seek(0, 2), len(content)
        spool.write(content)

    def format(self, document: PDFDocument) -> bytes:
        self.spool.seek(self.offset)
        self.content = self.spool.read(self.size)
        try:
            formatted: bytes = super().format(document)
        finally:
            self.content = None
        return formatted


class _FileOut(PDFFile):
    """reportlab's output collector, writing each piece to the file instead of keeping it."""

    def __init__(self, out: IO[bytes], version: Any) -> None:
        super().__init__(version)  # collects the file's header line
        out.writelines(self.strings)
        self.strings.clear()
        self.write = out.write  # type: ignore[assignment]  # bytes written: their count is not used

    def format(self, document: PDFDocument) -> bytes:
        return b""


def _write(document: Any, canvas: Canvas, out: IO[bytes]) -> None:
    """``PDFDocument.SaveToFile`` (reportlab 5.1: ``GetPDFData`` and ``format``), each object written to
    ``out`` as soon as it is formatted rather than the whole file built in memory first."""
    for font in document.delayedFonts:
        font.addObjects(document)
    document.info.invariant = document.invariant
    document.info.digest(document.signature)
    document.Reference(document.Catalog)
    document.Reference(document.info)
    document.Outlines.prepare(document, canvas)
    if document.Outlines.ready < 0:
        document.Catalog.Outlines = None
    document.encrypt.prepare(document)
    encryption = document.encrypt.info()
    encrypt_ref = document.Reference(encryption) if encryption else None
    document.__accum__ = output = _FileOut(out, document._pdfVersion)
    ids, number = [], 1
    while number in document.numberToId:  # objects may be added while others are formatted
        name = document.numberToId[number]
        formatted = PDFIndirectObject(name, document.idToObject[name]).format(document)
        if not rl_config.invariant and rl_config.pdfComments:
            kind = document.idToObject[name].__class__.__name__
            output.add(f"% {name!a}: class {kind[:50]} \n")
        document.idToOffset[name] = output.add(formatted)
        ids.append(name)
        number += 1
    del document.__accum__
    xref = PDFCrossReferenceTable()
    xref.addsection(0, ids)
    start = output.add(xref.format(document))
    trailer = PDFTrailer(
        startxref=start, Size=len(ids) + 1, Root=document.Reference(document.Catalog),
        Info=document.Reference(document.info), Encrypt=encrypt_ref, ID=document.ID(),
    )  # fmt: skip
    output.add(trailer.format(document))


def numbered_canvas(decorate: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas whose pages say "page X of Y" (pitfall 4.5) without keeping pages in memory: each page's
    content goes, compressed, to a temporary file when the page ends; at the end each page gets a second
    content stream with its header and footer, and the PDF is written out one object at a time."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._spool = tempfile.TemporaryFile(prefix="myocase-report-")  # noqa: SIM115  # closed by save
            self._finished: list[PDFPage] = []
            self._document: Any = self._doc  # type: ignore[attr-defined]  # private, missing from types-reportlab
            add_page = self._document.addPage

            def add_spooled(page: PDFPage) -> None:
                if page.stream:
                    page.Contents, page.stream = _SpooledStream(self._spool, page.stream), None
                self._finished.append(page)
                add_page(page)

            self._document.addPage = add_spooled

        def _decorations(self, page: PDFPage, number: int, total: int) -> None:
            self._code: list[str] = []
            decorate(self, number, total)
            footer = _SpooledStream(self._spool, "\n".join(self._code) + "\n")
            self._code = []
            page.Contents = PDFArray(
                [self._document.Reference(page.Contents), self._document.Reference(footer)]
            )

        def save(self) -> None:
            if self._code:
                self.showPage()
            try:
                total = len(self._finished)
                for number, page in enumerate(self._finished, start=1):
                    self._decorations(page, number, total)
                with open(self._filename, "wb") as out:  # type: ignore[attr-defined]  # private, as above
                    _write(self._document, self, out)
            finally:
                self._spool.close()

    return NumberedCanvas


def discard(canvas: object) -> None:
    """Remove the pages a ``numbered_canvas`` kept on disk (its build was cancelled or failed; a saved one
    has removed them already)."""
    spool = getattr(canvas, "_spool", None)
    if spool is not None:
        spool.close()
