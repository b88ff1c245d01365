"""Shared test set-up: offscreen Qt, a fresh database per test, record factories."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import pytest
from myocase.domain.records import SeriesSettings
from myocase.store.casebook import Casebook

from tests.factories import TODAY


@pytest.fixture(autouse=True)
def _private_log_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected error in a test is logged in a folder of its own, never the user's log folder."""
    folder = tmp_path_factory.mktemp("log")
    monkeypatch.setattr("myocase.cli.log_folder", lambda: folder)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "series.sqlite"


# Set to a server URL (e.g. postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=55432) to run
# every `book` test against a fresh database on that server instead of a SQLite file.
SERVER_URL = os.environ.get("MYOCASE_TEST_SERVER_URL")


@contextmanager
def _server_database() -> Iterator[str]:
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(SERVER_URL or "", isolation_level="AUTOCOMMIT")
    name = f"myocase_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER_URL or "").set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def book(db_path: Path) -> Iterator[Casebook]:
    """A fresh, migrated case-series database; 'today' is pinned to 2024-01-15."""
    with ExitStack() as stack:
        if SERVER_URL:
            casebook = Casebook.connect(stack.enter_context(_server_database()), today=lambda: TODAY)
        else:
            casebook = Casebook.open(db_path, today=lambda: TODAY)
        stack.callback(casebook.close)
        casebook.save_settings(SeriesSettings(name="Test series", cutoff=date(2023, 6, 30)))
        yield casebook
