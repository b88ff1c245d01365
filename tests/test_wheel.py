"""The wheel and the sdist work anywhere: built from the checkout, installed into a fresh virtual
environment outside the source tree, they run `demo`, `stats --json` and `report` from an empty
folder with their own migrations, fonts and icon."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _build(kind: str, out: Path, source: Path = ROOT) -> Path:
    """``python -m build`` a wheel or an sdist into ``out`` (no isolation: no network needed)."""
    command = [
        sys.executable,
        "-m",
        "build",
        f"--{kind}",
        "--no-isolation",
        "--outdir",
        str(out),
        str(source),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (built,) = out.glob("*.whl" if kind == "wheel" else "*.tar.gz")
    return built


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built wheel; its dependencies come from the test environment's
    site-packages through a .pth file (no network), never the checkout or its editable install."""
    folder = tmp_path_factory.mktemp("wheel")
    wheel = _build("wheel", folder / "dist")
    env = folder / "venv"
    venv.create(env, with_pip=True)
    python = env / ("Scripts" if os.name == "nt" else "bin") / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _run(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    clean["XDG_STATE_HOME"] = str(python.parent.parent / "state")  # an error's log never in the user's folder
    return subprocess.run(
        [str(python), "-m", "myocase", *args], cwd=cwd, env=clean, capture_output=True, text=True, check=False
    )


def test_the_wheel_runs_demo_stats_and_report_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed), "-c", "import myocase, myocase.assets as a; print(myocase.__file__, a.migrations_dir(), a.fonts_dir(), myocase.__version__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert str(ROOT) not in where
    assert "site-packages" in where
    assert "0+unknown" not in where
    demo = _run(installed, tmp_path, "demo", "--db", "series.sqlite")
    assert demo.returncode == 0, demo.stderr
    stats = _run(installed, tmp_path, "stats", "--db", "series.sqlite", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["outcome"]["n"] == 8
    report = _run(installed, tmp_path, "report", "--db", "series.sqlite", "--out", "report.pdf")
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "report.pdf").stat().st_size > 100_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf", "series.sqlite"]


def test_the_wheel_and_the_sdist_carry_the_data_files(tmp_path: Path) -> None:
    wheel = _build("wheel", tmp_path / "wheel")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for needed in (
        "myocase/migrations/env.py", "myocase/migrations/script.py.mako",
        "myocase/migrations/versions/0001_initial_case_records_schema.py", "myocase/resources/myocase.svg",
        "myocase/resources/fonts/DejaVuSans.ttf", "myocase/resources/fonts/LICENSE-DejaVu.txt",
        "myocase/domain/records.py", "myocase/__main__.py",
    ):  # fmt: skip
        assert needed in names, needed
    assert not [n for n in names if n.startswith("app/") or "__pycache__" in n]
    sdist = _build("sdist", tmp_path / "sdist")
    with tarfile.open(sdist) as archive:
        members = {m.split("/", 1)[1] for m in archive.getnames() if "/" in m}
    for needed in (
        "setup.py",
        "pyproject.toml",
        "app/cli.py",
        "db/migrations/env.py",
        "resources/fonts/DejaVuSans.ttf",
    ):
        assert needed in members, needed
    again = _build("wheel", tmp_path / "again", sdist)
    with zipfile.ZipFile(again) as archive:
        rebuilt = set(archive.namelist())
    assert rebuilt - {n for n in names if "dist-info" in n} >= names - {n for n in names if "dist-info" in n}


def test_the_package_never_imports_itself_as_app() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, myocase.cli, myocase.ui.main_window; print([m for m in sys.modules if m.split('.')[0] == 'app'])"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert loaded == "[]"
