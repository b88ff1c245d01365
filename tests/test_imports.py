"""Fast start: the command line loads no heavy library until a command needs it, and opening a current
database does not load Alembic (each checked in a fresh interpreter, by what is in ``sys.modules``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from myocase.store import database
from myocase.store.casebook import Casebook

# What `myocase --help` must not wait for: SciPy (a test), reportlab (a report), Alembic (a migration),
# Qt, pyqtgraph and numpy (the window), pypdfium2 (a leak check), SQLAlchemy and Pillow (a database, a photo).
HEAVY = ("scipy", "reportlab", "alembic", "PySide6", "pyqtgraph", "numpy", "pypdfium2", "sqlalchemy", "PIL")


def _loaded_after(code: str) -> set[str]:
    """The top-level packages of ``HEAVY`` that a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1])) & set(HEAVY)


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    assert _loaded_after("import myocase.cli") == set()


def test_parsing_any_command_loads_no_heavy_library() -> None:
    commands = [
        ["info", "--db", "x"],
        ["stats", "--db", "x"],
        ["report", "--db", "x", "--out", "r.pdf"],
        ["x.myocase"],
    ]
    code = f"from myocase import cli\nfor words in {commands!r}:\n    cli.parse_args(words)"
    assert _loaded_after(code) == set()


def test_info_on_a_current_database_loads_only_the_store(tmp_path: Path) -> None:
    db = tmp_path / "series.sqlite"
    Casebook.open(db).close()  # created and migrated here, in the test's process
    code = f"from myocase.cli import main\nassert main(['info', '--db', {str(db)!r}]) == 0"
    assert _loaded_after(code) == {"sqlalchemy"}


def test_a_database_to_migrate_loads_alembic(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    database.upgrade(db, "0001")
    code = f"from pathlib import Path\nfrom myocase.store.casebook import Casebook\nCasebook.open(Path({str(db)!r})).close()"
    assert "alembic" in _loaded_after(code)


def test_the_revisions_read_without_alembic_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(database.alembic_config())
    assert database.head_revision() == script.get_current_head()
    assert database.known_revisions() == {revision.revision for revision in script.walk_revisions()}


@pytest.mark.parametrize("revision", ["0001", None])
def test_the_stored_revision_is_read_without_alembic(tmp_path: Path, revision: str | None) -> None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    db = tmp_path / "series.sqlite"
    if revision:
        database.upgrade(db, revision)
    engine = create_engine(database.sqlite_url(db))
    with engine.connect() as connection:
        assert (
            database.stored_revision(connection)
            == MigrationContext.configure(connection).get_current_revision()
        )
        assert database.stored_revision(connection) == revision
    engine.dispose()
