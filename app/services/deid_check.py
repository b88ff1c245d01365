"""The leak check: every identifier stored in a series, looked for in files that are to leave.

Reads the text of PDFs (each page and the document's metadata), CSV and other text files
(each line), XLSX workbooks (each row of each sheet, sheet names, properties), SPSS and Stata
files (labels, value labels, each row), images (their metadata), and the name of every file; a folder is read file by
file. What it looks for is exactly what the de-identification removes (``domain.scrub``):
names, record numbers and dates of birth in all their written forms, and optionally any
calendar date. The report export runs the same check on its own output before moving it
into place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..domain.scrub import Hit

TEXT_SUFFIXES = {
    ".csv", ".tsv", ".txt", ".json", ".md", ".svg", ".html", ".htm", ".xml", ".tex", ".rtf", ".r",
}  # fmt: skip
STATISTICAL_SUFFIXES = {".sav", ".dta"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".gif", ".bmp", ".heic", ".heif"}

Finder = Callable[[str], list[Hit]]


@dataclass(frozen=True)
class Finding:
    path: Path
    where: str  # "page 3", "line 12", "file name", "metadata (Title)"
    hit: Hit

    def line(self, names: dict[int, str]) -> str:
        """One line for the terminal; ``names`` gives each patient's study ID by patient id."""
        return f"{self.path}: {self.where}: {self.hit.kind.value}{self._whose(names)}: “{self.hit.text}”"

    def _whose(self, names: dict[int, str]) -> str:
        return f" of {names.get(self.hit.patient_id or 0, 'a patient')}" if self.hit.is_identifier else ""


@dataclass(frozen=True)
class ScanResult:
    findings: tuple[Finding, ...]
    checked: tuple[Path, ...]
    skipped: tuple[tuple[Path, str], ...]  # (file, why its contents were not read)

    def as_json(self, names: dict[int, str]) -> dict[str, object]:
        """What `myocase deid-check --json` prints; ``names`` gives each patient's study ID by patient id."""
        hits = [
            {"file": str(f.path), "where": f.where, "kind": f.hit.kind.value, "text": f.hit.text,
             "patient": names.get(f.hit.patient_id or 0) if f.hit.is_identifier else None}
            for f in self.findings
        ]  # fmt: skip
        return {
            "findings": hits,
            "checked": [str(path) for path in self.checked],
            "skipped": [{"file": str(path), "reason": why} for path, why in self.skipped],
        }


class UnreadableFile(Exception):
    """A file whose text could not be read; the message says why."""


def pdf_texts(path: Path) -> Iterator[tuple[str, str]]:
    """("page N", text) for every page, then ("metadata (Key)", value) for the document info."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(path)
    except (pdfium.PdfiumError, OSError) as exc:
        raise UnreadableFile(f"not a readable PDF ({exc})") from exc
    try:
        for number in range(len(document)):
            page = document[number]
            textpage = page.get_textpage()
            try:
                yield f"page {number + 1}", textpage.get_text_range()
            finally:
                textpage.close()
                page.close()
        for key, value in document.get_metadata_dict().items():
            yield f"metadata ({key})", str(value)
    finally:
        document.close()


def text_lines(path: Path) -> Iterator[tuple[str, str]]:
    try:
        content = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise UnreadableFile(exc.strerror or str(exc)) from exc
    for number, line in enumerate(content.splitlines(), start=1):
        yield f"line {number}", line


def image_texts(path: Path) -> Iterator[tuple[str, str]]:
    """Every text an image carries besides its pixels: format info, PNG text chunks, EXIF values."""
    from PIL import Image, UnidentifiedImageError

    from ..store.imaging import HEIC_EXTRA, heif_available

    if path.suffix.lower() in (".heic", ".heif") and not heif_available():
        raise UnreadableFile(f"a HEIC image: reading it needs MyoCase's heic extra ({HEIC_EXTRA})")
    try:
        with Image.open(path) as image:
            items = [(str(k), v) for k, v in image.info.items()]
            items += [(f"EXIF {k}", v) for k, v in image.getexif().items()]
    except (OSError, UnidentifiedImageError) as exc:
        raise UnreadableFile(f"not a readable image ({exc})") from exc
    for key, value in items:
        text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
        yield f"metadata ({key})", text


def _row(values: Iterable[object]) -> str:
    return ",".join(str(v) for v in values if v is not None and v == v)  # v != v: a missing number (NaN)


def xlsx_texts(path: Path) -> Iterator[tuple[str, str]]:
    """("sheet NAME, row N", the row's cells joined by commas) for every row; sheet names; properties."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(f"not a readable XLSX workbook ({exc})") from exc
    try:
        properties = book.properties
        for key in ("title", "subject", "creator", "description", "keywords", "category"):
            if value := getattr(properties, key, None):
                yield f"metadata ({key})", str(value)
        for sheet in book.worksheets:
            yield "sheet name", sheet.title
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield f"sheet {sheet.title}, row {number}", _row(row)
    finally:
        book.close()


def statistical_texts(path: Path) -> Iterator[tuple[str, str]]:
    """An SPSS or Stata file: its file label, variable names and labels, value labels, then every row."""
    import pyreadstat

    read = pyreadstat.read_sav if path.suffix.lower() == ".sav" else pyreadstat.read_dta
    try:
        frame, meta = read(str(path))
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError) as exc:
        raise UnreadableFile(f"not a readable {path.suffix} file ({exc})") from exc
    yield "file label", meta.file_label or ""
    yield "variable names", _row(meta.column_names)
    yield "variable labels", _row(meta.column_labels)
    for name, labels in meta.variable_value_labels.items():
        yield f"value labels ({name})", _row(labels.values())
    for number, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        yield f"row {number}", _row(row)


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def _contents(path: Path) -> Iterator[tuple[str, str]] | None:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_texts(path)
    if suffix in TEXT_SUFFIXES:
        return text_lines(path)
    if suffix in IMAGE_SUFFIXES:
        return image_texts(path)
    if suffix == ".xlsx":
        return xlsx_texts(path)
    if suffix in STATISTICAL_SUFFIXES:
        return statistical_texts(path)
    return None


def scan(paths: Iterable[Path], find: Finder) -> ScanResult:
    """Look for identifiers in the files (folders: every file inside); ``find`` decides what a hit is."""
    findings: list[Finding] = []
    checked: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in _files(paths):
        if not path.exists():
            skipped.append((path, "no such file"))
            continue
        findings += [Finding(path, "file name", hit) for hit in find(path.name)]
        contents = _contents(path)
        if contents is None:
            skipped.append(
                (path, f"contents of a {path.suffix or 'suffix-less'} file are not read; its name was")
            )
            continue
        try:
            for where, text in contents:
                findings += [Finding(path, where, hit) for hit in find(text)]
        except UnreadableFile as exc:
            skipped.append((path, str(exc)))
            continue
        checked.append(path)
    return ScanResult(tuple(findings), tuple(checked), tuple(skipped))
