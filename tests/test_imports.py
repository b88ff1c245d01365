"""Fast start: the command line loads no heavy library until a command needs it, opening a current database
does not load Alembic, `info` on a current file loads no SQLAlchemy, and the window is painted — patient list
and timeline — before SciPy, reportlab, Alembic or the analysis and cohort windows are loaded, reading
through one connection (each checked in a fresh interpreter, by what is in ``sys.modules``)."""

from __future__ import annotations

import json
import os
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
    assert _loaded_after(code) == set()


def test_describing_a_current_database_file_loads_nothing_heavy(tmp_path: Path) -> None:
    db = tmp_path / "series.sqlite"
    Casebook.open(db).close()
    code = f"from pathlib import Path\nfrom myocase.services import info\ninfo.describe(Path({str(db)!r}))"
    assert _loaded_after(code) == set()


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


# The desktop app started as `myocase DB` starts it, the first patient of the list selected as its window is
# built; after the first paint of the timeline: what is loaded, and (after every other patient was shown too)
# how many connections the window's series opened.
WINDOW_PROBE = """
import gc, json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine, event
from myocase import cli
from myocase.ui import application

found = {"connections": 0}
event.listen(Engine, "connect", lambda *_: found.update(connections=found["connections"] + 1))

class Watched(application.MainWindow):
    def __init__(self, *args):
        super().__init__(*args)
        self.patients.table.selectRow(0)
        self.patient_view.timeline.graphics.viewport().installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "loaded" not in found:
            found["loaded"] = sorted(sys.modules)
            found["tracks"] = len(self.patient_view.timeline_spec.tracks)
            QTimer.singleShot(0, self.every_patient)
        return False

    def every_patient(self):
        for summary in self.controller.book.patient_summaries():
            self.controller.select_patient(summary.id)
            QApplication.processEvents()
        found["patients"] = len(self.controller.book.patient_summaries())
        found["collecting"] = gc.isenabled()
        self.close()

application.MainWindow = Watched
assert cli.main(sys.argv[1:]) == 0
print(json.dumps(found))
"""


def test_the_window_paints_the_timeline_before_loading_what_it_does_not_show(
    demo_path: Path, tmp_path: Path
) -> None:
    db = database.backup_database(demo_path, tmp_path / "demo.sqlite")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name.lower())  # the window's settings and recent files: not the user's
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_PROBE, "--debug", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["tracks"] > 0  # the first patient's timeline was drawn when it painted
    loaded = set(found["loaded"])
    assert {m.split(".")[0] for m in loaded} & {"scipy", "reportlab", "alembic", "pypdfium2", "mako"} == set()
    assert not [m for m in loaded if m.startswith("myocase.ui.") and ("cohort" in m or "analysis" in m)]
    later = {  # the report, the statistics, the cohort figures, the demo, the history: on first use
        "myocase.report",
        "myocase.services.report",
        "myocase.services.stats",
        "myocase.domain.cohort_plots",
        "myocase.domain.cohort_swimmer",
        "myocase.services.demo",
        "myocase.ui.history",
        "myocase.ui.backups_dialog",
        "myocase.ui.report_export",
    }
    assert not [m for m in loaded if m in later or m.rpartition(".")[0] in later]
    assert found["patients"] == 10
    assert found["connections"] == 1
    assert found["collecting"]  # the collector, off while the window was built, is back once it painted
    assert "Start: database opened +" in result.stderr
    assert "first paint +" in result.stderr
