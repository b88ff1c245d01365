"""The frozen MyoCase works on its own: packaging/build.py makes the one-folder bundle (PyInstaller, a
fresh virtual environment holding the MyoCase wheel) in a temporary folder, and the program runs from
an empty folder with a bare environment (no source tree, no virtual environment, a fresh home):
--version, demo, stats, report, the window, the LICENSES folder and the Linux archive's installer.

Set MYOCASE_BUNDLE_SUMMARY to the summary.json of an earlier build (build/bundle/summary.json after
`python packaging/build.py`) to check that build instead of making one.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import tarfile
import time
from pathlib import Path

import pytest

from tests.packaging.helpers import PACKAGING, ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("PyInstaller") is None,
        reason="PyInstaller is not installed: `pip install -e '.[test]'` brings it (the test extra)",
    ),
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="the bundle checked here is the Linux one"
    ),
]
SHOWN = 'name="MainWindowWindow") to true'  # Qt's log line when the main window is on screen
SHOW_LOG = "qt.widgets.showhide.debug=true"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The build's summary (bundle folder, archive, version): built once for this module."""
    earlier = os.environ.get("MYOCASE_BUNDLE_SUMMARY")
    if earlier:
        return json.loads(Path(earlier).read_text(encoding="utf-8"))
    where = tmp_path_factory.mktemp("frozen")
    command = [sys.executable, str(PACKAGING / "build.py"), "--dist", str(where / "dist")]
    command += ["--work", str(where / "work"), "--deps-from", sysconfig.get_paths()["purelib"]]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def bundle(built: dict[str, str]) -> Path:
    folder = Path(built["bundle"])
    assert ROOT not in folder.parents
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


@pytest.fixture
def here(tmp_path: Path) -> Path:
    """An empty working folder."""
    (tmp_path / "here").mkdir()
    return tmp_path / "here"


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """Only PATH and the locale from the test's environment: no PYTHONPATH, venv, XDG folders or Qt settings."""
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    return {**kept, "HOME": str(home), **extra}


def run(program: Path, here: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program), *args], cwd=here, env=bare_env(home), capture_output=True, text=True, timeout=120
    )


def test_version_comes_from_the_package_metadata(bundle: Path, here: Path, home: Path) -> None:
    result = run(bundle / "myocase", here, home, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"MyoCase {importlib.metadata.version('myocase')}"


def test_demo_stats_and_report_run_from_an_empty_folder(bundle: Path, here: Path, home: Path) -> None:
    program = bundle / "myocase"
    demo = run(program, here, home, "demo", "--db", "series.myocase")
    assert demo.returncode == 0, demo.stderr
    assert "SYNTHETIC" in demo.stdout
    stats = run(program, here, home, "stats", "--db", "series.myocase", "--json")  # SciPy, frozen
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["outcome"]["n"] == 8
    report = run(program, here, home, "report", "--db", "series.myocase", "--out", "report.pdf")
    assert report.returncode == 0, report.stderr
    pdf = (here / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 100_000
    assert b"DejaVuSans" in pdf  # the bundled fonts were found and embedded
    for fmt in ("xlsx", "spss"):  # openpyxl, and pyreadstat with pandas, frozen
        export = run(program, here, home, "export", "--db", "series.myocase", "--format", fmt, "--out", fmt)
        assert export.returncode == 0, export.stderr
    assert {p.suffix for p in (here / "spss").iterdir()} >= {".sav"}
    assert sorted(p.name for p in here.iterdir()) == ["report.pdf", "series.myocase", "spss", "xlsx"]


def _start_window(program: Path, here: Path, home: Path, **env: str) -> tuple[subprocess.Popen[str], Path]:
    subprocess.run([str(program), "demo", "--db", "demo.myocase"], cwd=here, env=bare_env(home), check=True)
    log = here.parent / "window.log"
    with log.open("w") as stderr:
        window = subprocess.Popen(
            [str(program), str(here / "demo.myocase")],  # as the file manager runs it: Exec=myocase %f
            cwd=here,
            env=bare_env(home, QT_LOGGING_RULES=SHOW_LOG, **env),
            stderr=stderr,
            stdout=subprocess.DEVNULL,
            text=True,
        )
    return window, log


def _wait_until_shown(window: subprocess.Popen[str], log: Path, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while SHOWN not in log.read_text(errors="replace"):
        if window.poll() is not None or time.monotonic() > deadline:
            window.kill()
            window.wait()
            pytest.fail("the window never showed:\n" + _messages(log))
        time.sleep(0.2)


def _messages(log: Path) -> str:
    """What the program printed, without Qt's show/hide log."""
    return "\n".join(
        line for line in log.read_text(errors="replace").splitlines() if "qt.widgets.showhide" not in line
    )


def test_the_window_opens_offscreen_and_ctrl_c_closes_it(bundle: Path, here: Path, home: Path) -> None:
    window, log = _start_window(bundle / "myocase", here, home, QT_QPA_PLATFORM="offscreen")
    _wait_until_shown(window, log)
    window.send_signal(signal.SIGINT)  # the terminal's Ctrl+C: the app ends its event loop and closes
    assert window.wait(timeout=30) == 130
    printed = _messages(log)
    assert "myocase: interrupted" in printed
    assert "Traceback" not in printed
    assert "error" not in printed.lower()


@pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xdotool")), reason="needs Xvfb and xdotool")
def test_the_window_opens_on_an_x_server_and_ctrl_q_quits(bundle: Path, here: Path, home: Path) -> None:
    """The xcb platform plugin and the X libraries it needs are in the bundle (pitfall 6.1)."""
    read, write = os.pipe()  # Xvfb picks a free display and writes its number here once it listens
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write,),
    )
    os.close(write)
    try:
        with os.fdopen(read) as announced:
            display = f":{announced.readline().strip()}"
        window, log = _start_window(bundle / "myocase", here, home, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        _wait_until_shown(window, log)
        xdotool = ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^MyoCase"]
        found = subprocess.run(
            xdotool, env={**os.environ, "DISPLAY": display}, capture_output=True, text=True
        )
        (window_id, *_) = found.stdout.split()
        keys = ["xdotool", "windowfocus", "--sync", window_id, "key", "--clearmodifiers", "ctrl+q"]
        subprocess.run(keys, env={**os.environ, "DISPLAY": display}, check=True, timeout=30)
        assert window.wait(timeout=30) == 0, _messages(log)
        assert "Traceback" not in _messages(log)
        assert "Could not load" not in _messages(log)
    finally:
        server.terminate()
        server.wait()


def test_the_bundle_leaves_out_what_the_app_never_uses(bundle: Path) -> None:
    inside = bundle / "_internal"
    plugins = inside / "PySide6" / "Qt" / "plugins"
    assert {p.name for p in (plugins / "platforms").iterdir()} >= {
        "libqxcb.so",
        "libqwayland.so",
        "libqoffscreen.so",
    }
    assert (inside / "myocase" / "migrations" / "env.py").is_file()
    assert (inside / "myocase" / "resources" / "fonts" / "DejaVuSans.ttf").is_file()
    assert not (inside / "PySide6" / "Qt" / "translations").exists()
    for unused in ("tls", "sqldrivers", "printsupport", "qmltooling", "egldeviceintegrations"):
        assert not (plugins / unused).exists(), unused
    assert not list(plugins.glob("platformthemes/libqgtk3*"))
    names = {p.name for p in inside.iterdir()}
    assert not {
        n
        for n in names
        if n.startswith(
            ("PyQt", "PySide2", "libgtk", "libcairo", "libpango", "libatk", "libQt6Qml", "libQt6Quick")
        )
    }
    assert not {n for n in names if n in ("pytest", "_pytest", "hypothesis", "mypy", "tkinter")}
    gpl = ("pillow_heif", "_pillow_heif", "libx265", "libheif", "libreadline")  # x265 and GNU readline
    assert not {n for n in names if n.startswith(gpl)}


def test_the_licences_and_about_cover_every_runtime_dependency(bundle: Path) -> None:
    from myocase.services.licences import canonical, runtime_distributions

    licences = bundle / "LICENSES"
    index = (licences / "README.txt").read_text(encoding="utf-8")
    # Help → About reads the same list from the metadata, so the frozen program must carry it.
    carried = {
        canonical(p.name.removesuffix(".dist-info")) for p in (bundle / "_internal").glob("*.dist-info")
    }
    for dist in runtime_distributions(extras=()):  # the extras (HEIC, database servers) stay out
        assert f"\n{dist.metadata['Name']} {dist.version}: " in index
        assert canonical(f"{dist.metadata['Name']}-{dist.version}") in carried, dist.metadata["Name"]
    assert "\npython 3." in index.lower()
    assert "\npyinstaller 6." in index.lower()
    assert "\nDejaVu fonts" in index
    qt = licences / "PySide6-Essentials"
    assert {p.name for p in qt.iterdir()} >= {"LGPL-3.0.txt", "GPL-3.0.txt", "NOTICE.txt"}
    assert all(any(folder.iterdir()) for folder in licences.iterdir() if folder.is_dir())


def test_the_linux_archive_installs_the_menu_entry_and_file_type(
    built: dict[str, str], tmp_path: Path
) -> None:
    unpacked = tmp_path / "Clinic programs"  # a space in the path, as a user's folder may have
    with tarfile.open(built["archive"]) as archive:
        archive.extractall(unpacked, filter="tar")
    (folder,) = unpacked.iterdir()
    home = tmp_path / "home"
    env = bare_env(home, XDG_DATA_HOME=str(home / "data"))
    subprocess.run([str(folder / "install-linux.sh")], env=env, check=True, capture_output=True)
    entry = (home / "data" / "applications" / "myocase.desktop").read_text(encoding="utf-8")
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert shlex.split(exec_line.removeprefix("Exec=")) == [str(folder / "myocase"), "%f"]
    assert "MimeType=application/x-myocase;" in entry
    assert (home / "data" / "icons" / "hicolor" / "48x48" / "apps" / "myocase.png").is_file()
    command = home / ".local" / "bin" / "myocase"
    version = subprocess.run([str(command), "--version"], env=env, capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"MyoCase {built['version']}"
    if shutil.which("update-mime-database"):
        globs = (home / "data" / "mime" / "globs2").read_text(encoding="utf-8")
        assert "application/x-myocase:*.myocase" in globs
    subprocess.run(
        [str(folder / "install-linux.sh"), "--uninstall"], env=env, check=True, capture_output=True
    )
    assert not (home / "data" / "applications" / "myocase.desktop").exists()
    assert not command.exists()
