"""Report tests: helpers to read PDFs back (the demo series is `demo_book` in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
