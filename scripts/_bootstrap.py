"""Creates .venv beside the checkout and installs MyoCase into it from the hash-locked lists in
packaging/ (once per change of those lists or of pyproject.toml).

Offline: with a wheelhouse folder (packaging/wheelhouse.py builds one; give its path in
MYOCASE_WHEELHOUSE, or leave it at packaging/wheelhouse/), everything is installed from it and
the network is never asked. Without network and without a wheelhouse, one line says so.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCKS = ROOT / "packaging"
RUNTIME_LOCK = LOCKS / "requirements.lock"  # what the app needs
DEV_LOCK = LOCKS / "requirements-dev.lock"  # the app, the test tools and PyInstaller
BUILD_LOCK = LOCKS / "requirements-build.lock"  # setuptools, to install MyoCase itself


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def _wheelhouse() -> Path | None:
    folder = Path(os.environ.get("MYOCASE_WHEELHOUSE") or LOCKS / "wheelhouse")
    return folder if folder.is_dir() and any(folder.glob("*.whl")) else None


def _index_host() -> str:
    """The package index pip would ask (its configuration, else PyPI)."""
    found = subprocess.run(
        [str(venv_bin("python")), "-m", "pip", "config", "get", "global.index-url"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    url = os.environ.get("PIP_INDEX_URL") or (found.stdout.strip() if found.returncode == 0 else "")
    return urlparse(url).hostname or "pypi.org"


def _reachable(host: str) -> bool:
    try:
        socket.create_connection((host, 443), timeout=5).close()
    except OSError:
        return False
    return True


def _pip(*args: str | Path) -> None:
    command = [str(venv_bin("python")), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    wheelhouse = _wheelhouse()
    if wheelhouse is not None:
        command += ["--no-index", "--find-links", str(wheelhouse)]
    if subprocess.run([*command, *map(str, args)], cwd=ROOT, check=False).returncode == 0:
        return
    host = _index_host()
    if wheelhouse is None and not _reachable(host):
        sys.exit(
            f"Cannot reach the package index ({host}) to install MyoCase's dependencies: connect this "
            "computer to the internet, or copy a wheelhouse folder here (see 'Installing at a clinic' "
            "in README.md) and set MYOCASE_WHEELHOUSE to it."
        )
    sys.exit("Installing MyoCase's dependencies failed (pip's message is above); nothing else was changed.")


def ensure_installed(extras: str = "") -> None:
    """Make .venv hold MyoCase and its locked dependencies (with ``extras="test"``: the test tools too)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this runs under whatever python3 the user has
        sys.exit(f"MyoCase needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    lock = DEV_LOCK if extras else RUNTIME_LOCK
    digest = hashlib.sha256(
        b"".join(p.read_bytes() for p in (ROOT / "pyproject.toml", ROOT / "setup.py", lock, BUILD_LOCK))
    ).hexdigest()
    stamp = VENV / f".installed-{extras or 'app'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not venv_bin("python").exists():
        print(f"Creating a virtual environment in {VENV} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print("Installing MyoCase and its dependencies (first run only) …", flush=True)
    _pip("--require-hashes", "--no-deps", "-r", lock, "-r", BUILD_LOCK)
    _pip("--no-deps", "--no-build-isolation", "-e", ROOT)  # MyoCase itself, from this checkout
    stamp.write_text(digest)


def run(*command: str | Path) -> int:
    return subprocess.run([str(part) for part in command], cwd=ROOT, check=False).returncode
