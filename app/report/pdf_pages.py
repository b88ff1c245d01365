"""The report's PDF written as it is laid out: each page goes to the file when it ends, "page X of Y" at the end."""

from __future__ import annotations

import tempfile
import zlib
from array import array
from collections.abc import Callable
from typing import IO, Any

from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFFile,
    PDFImageXObject,
    PDFName,
    PDFObject,
    PDFPage,
    PDFTrailer,
)
from reportlab.pdfbase.pdfdoc import format as pdf_format
from reportlab.pdfgen.canvas import Canvas

FLATE = PDFArray([PDFName("FlateDecode")])


class _Ref(PDFObject):
    """A reference to an object by its number (the pages' own objects have no name in reportlab)."""

    def __init__(self, number: int) -> None:
        self.number = number

    def format(self, document: Any) -> bytes:
        return b"%d 0 R" % self.number


class _Kids(PDFObject):
    """The page tree's list of pages, from their numbers."""

    def __init__(self, numbers: array[int]) -> None:
        self.numbers = numbers

    def format(self, document: Any) -> bytes:
        return b"[ " + b" ".join(b"%d 0 R" % n for n in self.numbers) + b" ]"


class _Written(PDFObject):
    """Stands, under its name, for an object already in the file (an image: drawn again, it is found)."""

    def format(self, document: Any) -> bytes:
        raise AssertionError("an object already written is not formatted again")


def _stream(dictionary: dict[str, Any], document: Any) -> bytes:
    """The start of a stream object with these entries (its data and the end follow)."""
    return bytes(pdf_format(PDFDictionary(dictionary), document)) + b"\nstream\n"


class _Spill:
    """A page's drawing so far, compressed into a temporary file (a figure with a line per patient)."""

    def __init__(self, prefix: str) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="myocase-page-")  # noqa: SIM115  # closed by copy
        self.compressor = zlib.compressobj()
        self.prefix = prefix
        self.add(prefix)

    def add(self, text: str) -> None:
        self.file.write(self.compressor.compress(text.encode("utf8")))

    def copy(self, rest: str, out: IO[bytes], document: Any) -> None:
        """Finish the stream with ``rest`` and write it to ``out`` as a stream object's body."""
        self.add(rest)
        self.file.write(self.compressor.flush())
        size = self.file.tell()
        self.file.seek(0)
        out.write(_stream({"Filter": FLATE, "Length": size}, document))
        while chunk := self.file.read(1 << 16):
            out.write(chunk)
        out.write(b"\nendstream\n")
        self.file.close()


def numbered_canvas(decorate: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas whose pages say "page X of Y" (pitfall 4.5) without keeping any page: each page is written
    to the file, compressed, when it ends, its contents a list of its own drawing and a header-and-footer
    stream whose number is set aside then and which is written, with the page count known, at the end.
    What the canvas keeps per page is three object numbers and file offsets, in arrays."""

    class NumberedCanvas(Canvas):
        _code: list[str]  # the current page's drawing (reportlab's, not in types-reportlab)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._document: Any = self._doc  # type: ignore[attr-defined]  # private, missing from types-reportlab
            self._out: IO[bytes] = open(self._filename, "wb")  # type: ignore[attr-defined]  # noqa: SIM115  # closed by save or discard
            self._out.writelines(PDFFile(self._document._pdfVersion).strings)  # the header line
            self._offsets = array("q", [0])  # where each object number starts in the file (0: not yet)
            self._pages, self._footers = array("q"), array("q")
            self._spill: _Spill | None = None
            self._document.addPage = self._add_page

        def _number(self) -> int:
            """A new object number, from the counter reportlab numbers its own objects with."""
            self._document.objectcounter += 1
            return int(self._document.objectcounter)

        def _begin(self, number: int) -> None:
            """Start object ``number`` here in the file."""
            if len(self._offsets) <= number:
                self._offsets.extend([0] * (number + 1 - len(self._offsets)))
            self._offsets[number] = self._out.tell()
            self._out.write(b"%d 0 obj\n" % number)

        def _put(self, number: int, body: bytes) -> None:
            self._begin(number)
            self._out.write(body)
            self._out.write(b"endobj\n" if body.endswith(b"\n") else b"\nendobj\n")

        def _put_stream(self, number: int, text: str) -> None:
            data = zlib.compress(text.encode("utf8"))
            head = _stream({"Filter": FLATE, "Length": len(data)}, self._document)
            self._put(number, head + data + b"\nendstream\n")

        def spill(self) -> None:
            """Move what the current page has drawn so far out of memory (compressed, to a temporary
            file): for a drawing whose size grows with the series, called as it draws."""
            if not self._code:
                return
            if self._spill is None:
                before = [*self._psCommandsBeforePage, self._preamble]  # type: ignore[attr-defined]
                self._spill = _Spill("\n".join(before) + "\n")
            self._spill.add("\n".join(self._code) + "\n")
            del self._code[:]

        def _add_page(self, page: PDFPage) -> None:
            """reportlab's ``PDFDocument.addPage``: the page and its drawing are written now."""
            document = self._document
            number, content, footer = self._number(), self._number(), self._number()
            stream, page.stream = page.stream, None
            if self._spill is not None:
                assert stream.startswith(self._spill.prefix)
                self._begin(content)
                self._spill.copy(stream[len(self._spill.prefix) :], self._out, document)
                self._out.write(b"endobj\n")
                self._spill = None
            else:
                self._put_stream(content, stream)
            self._write_images(page)
            page.Contents = PDFArray([_Ref(content), _Ref(footer)])
            page.__Refs__ = ["Parent", "ID"]  # its contents listed in the page, not an object of their own
            self._put(number, page.format(document))
            self._pages.append(number)
            self._footers.append(footer)
            document.pageCounter += 1
            document.inObject = None

        def _write_images(self, page: PDFPage) -> None:
            """The page's images not yet in the file, written now (an image drawn again is referred to)."""
            document = self._document
            for name in page.XObjects.dict if page.XObjects else {}:
                image = document.idToObject.get(name)
                if isinstance(image, PDFImageXObject):
                    number = document.idToObjectNumberAndVersion[name][0]
                    self._put(number, pdf_format(image, document, toplevel=1))
                    document.idToObject[name] = _Written()

        def save(self) -> None:
            try:
                if self._code:
                    self.showPage()
                total = len(self._pages)
                for at, footer in enumerate(self._footers):
                    self._code = []
                    decorate(self, at + 1, total)
                    self._put_stream(footer, "\n".join(self._code) + "\n")
                self._code = []
                self._finish()
            finally:
                self._out.close()

        def _finish(self) -> None:
            """``PDFDocument.SaveToFile`` (reportlab 5.1: ``GetPDFData`` and ``format``) for what is left:
            the fonts, the page tree, the catalogue, the document's information; then the cross-reference
            table and the trailer."""
            document = self._document
            for font in document.delayedFonts:
                font.addObjects(document)
            document.info.invariant = document.invariant
            document.info.digest(document.signature)
            document.Reference(document.Catalog)
            document.Reference(document.info)
            document.Outlines.prepare(document, self)
            if document.Outlines.ready < 0:
                document.Catalog.Outlines = None
            document.encrypt.prepare(document)
            if document.encrypt.info():
                raise NotImplementedError("the report's pages are written unencrypted as they end")
            pages = document.Pages
            pages.check_format = lambda _document: None
            pages.Kids, pages.Count = _Kids(self._pages), len(self._pages)
            number = 1
            while number <= document.objectcounter:  # objects may be added while others are formatted
                if number >= len(self._offsets) or not self._offsets[number]:
                    content = document.idToObject[document.numberToId[number]]
                    self._put(number, pdf_format(content, document, toplevel=1))
                number += 1
            self._end(number)

        def _end(self, size: int) -> None:
            """The cross-reference table (every object number below ``size`` is in the file) and the trailer."""
            document = self._document
            start = self._out.tell()
            self._out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
            self._out.writelines(b"%010d 00000 n \n" % self._offsets[n] for n in range(1, size))
            trailer = PDFTrailer(
                startxref=start, Size=size, Root=document.Reference(document.Catalog),
                Info=document.Reference(document.info), Encrypt=None, ID=document.ID(),
            )  # fmt: skip
            self._out.write(trailer.format(document))

    return NumberedCanvas


def discard(canvas: object) -> None:
    """Close the file of a ``numbered_canvas`` whose build was cancelled or failed (a saved one is closed);
    the caller removes the half-written file."""
    out = getattr(canvas, "_out", None)
    spill = getattr(canvas, "_spill", None)
    if spill is not None:
        spill.file.close()
    if out is not None:
        out.close()
