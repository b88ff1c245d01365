"""Report tests: a demo database and helpers to read PDFs back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from myocase.services.demo import write_demo
from myocase.store.casebook import Casebook
from pypdf import PdfReader


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    book = Casebook.open(path)
    write_demo(book)
    book.close()
    return path


@pytest.fixture
def demo_book(demo_path: Path, tmp_path: Path) -> Iterator[Casebook]:
    """A private copy of the demo database for one test."""
    copy = tmp_path / "demo.sqlite"
    source = Casebook.open(demo_path, create=False)
    from myocase.store.database import backup_database

    source.close()
    backup_database(demo_path, copy)
    book = Casebook.open(copy, create=False)
    yield book
    book.close()


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
