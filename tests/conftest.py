"""Shared test set-up: offscreen Qt, a fresh database per test, record factories."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.domain.records import SeriesSettings
from app.store.casebook import Casebook
from tests.factories import TODAY


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "series.sqlite"


@pytest.fixture
def book(db_path: Path) -> Iterator[Casebook]:
    """A fresh, migrated case-series database; 'today' is pinned to 2024-01-15."""
    casebook = Casebook.open(db_path, today=lambda: TODAY)
    casebook.save_settings(SeriesSettings(name="Test series", cutoff=date(2023, 6, 30)))
    yield casebook
    casebook.close()
