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
from myocase.services.demo import write_demo
from myocase.store.casebook import Casebook
from myocase.store.database import backup_database

from tests.factories import TODAY


@pytest.fixture(autouse=True)
def _private_log_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected error in a test is logged in a folder of its own, never the user's log folder."""
    folder = tmp_path_factory.mktemp("log")
    monkeypatch.setattr("myocase.cli.log_folder", lambda: folder)


@pytest.fixture(autouse=True)
def _private_documents(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report of a series on a server goes to the documents folder: one of the test's own, never the user's."""
    folder = tmp_path_factory.mktemp("Documents")
    monkeypatch.setattr("myocase.services.report_files.user_documents_path", lambda: folder)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "series.sqlite"


# Set to a server URL (e.g. postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=55432) to run
# every `book` test against a fresh database on that server instead of a SQLite file.
SERVER_URL = os.environ.get("MYOCASE_TEST_SERVER_URL")

# Whole modules about what only a SQLite file has: marked sqlite_only, so they run once, in the file pass.
SQLITE_ONLY_MODULES = {
    "tests/packaging/": "builds the packaged app and runs the demo in a file",
    "tests/test_wheel.py": "builds the wheel and runs the demo in a file",
    "tests/store/test_crash_safety.py": "kills a SQLite writer",
    "tests/store/test_connections.py": "the SQLite connection pool and pragmas",
    "tests/store/test_database_glance.py": "a glance reads the file without SQLAlchemy",
    "tests/services/test_redcap.py": "exports and imports series files by path",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``sqlite_only`` on the modules above; on the test server, every ``sqlite_only`` test is skipped with its
    reason (``@pytest.mark.sqlite_only("why")``)."""
    for item in items:
        where = item.path.relative_to(config.rootpath).as_posix()
        module = next((m for m in SQLITE_ONLY_MODULES if where.startswith(m)), None)
        if module is not None:
            item.add_marker(pytest.mark.sqlite_only(SQLITE_ONLY_MODULES[module]))
        marker = item.get_closest_marker("sqlite_only")
        if SERVER_URL and marker is not None:
            why = marker.args[0] if marker.args else "needs a SQLite file"
            item.add_marker(pytest.mark.skip(reason=f"SQLite file only: {why}"))


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
def server_url() -> Iterator[str]:
    """The URL of a fresh, empty database on the test server (skipped without MYOCASE_TEST_SERVER_URL)."""
    if not SERVER_URL:
        pytest.skip("set MYOCASE_TEST_SERVER_URL to run on a PostgreSQL server")
    with _server_database() as url:
        yield url


@pytest.fixture
def book(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Casebook]:
    """A fresh, migrated case-series database; 'today' is pinned to 2024-01-15.

    Marked ``@pytest.mark.demo``: a private copy of the demo series at ``db_path`` instead."""
    if request.node.get_closest_marker("demo"):
        yield from _demo_copy(request.getfixturevalue("demo_path"), db_path)
        return
    with fresh_series(db_path) as casebook:
        yield casebook


@contextmanager
def fresh_series(path: Path, settings: SeriesSettings | None = None) -> Iterator[Casebook]:
    """A fresh, migrated series on the dialect under test: a file at ``path``, or a new database on the test
    server; 'today' pinned to ``TODAY``; ``settings`` saved (default: a test series cut off on 2023-06-30)."""
    with ExitStack() as stack:
        if SERVER_URL:
            casebook = Casebook.connect(stack.enter_context(_server_database()), today=lambda: TODAY)
        else:
            casebook = Casebook.open(path, today=lambda: TODAY)
        stack.callback(casebook.close)
        casebook.save_settings(settings or SeriesSettings(name="Test series", cutoff=date(2023, 6, 30)))
        yield casebook


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic demo series, written once per test session: a template that tests copy, never open."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    book = Casebook.open(path, today=lambda: TODAY)
    write_demo(book)
    book.close()
    return path


@pytest.fixture
def demo_file(demo_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo series file (for a command run on its path)."""
    copy = tmp_path / "demo.sqlite"
    copy.write_bytes(demo_path.read_bytes())
    return copy


@pytest.fixture
def demo_book(demo_path: Path, tmp_path: Path) -> Iterator[Casebook]:
    """A private copy of the demo series for one test (on the test server, a fresh one written there)."""
    yield from _demo_copy(demo_path, tmp_path / "demo.sqlite")


def _demo_copy(template: Path, path: Path) -> Iterator[Casebook]:
    with ExitStack() as stack:
        if SERVER_URL:
            casebook = Casebook.connect(stack.enter_context(_server_database()), today=lambda: TODAY)
            write_demo(casebook)
        else:
            casebook = Casebook.open(backup_database(template, path), create=False, today=lambda: TODAY)
        stack.callback(casebook.close)
        yield casebook
