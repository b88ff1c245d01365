"""The hash-locked lists the set-up installs from stay in step with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _locked(lock: str) -> dict[str, list[str]]:
    """Locked name → the hashes of its files."""
    found: dict[str, list[str]] = {}
    name = ""
    for line in (ROOT / "packaging" / lock).read_text().splitlines():
        if re.match(r"^[A-Za-z0-9]", line):
            name = _name(line)
            found.setdefault(name, [])
        elif "--hash=sha256:" in line:
            found[name].append(line.split("--hash=sha256:")[1].rstrip(" \\"))
    return found


def test_every_dependency_is_locked_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    extras = {_name(r) for key in ("test", "heic", "server") for r in project["optional-dependencies"][key]}
    app, dev = _locked("requirements.lock"), _locked("requirements-dev.lock")
    assert runtime <= set(app), runtime - set(app)
    assert runtime | extras <= set(dev), (runtime | extras) - set(dev)
    assert "pillow-heif" not in app  # HEIC decoding is an extra: its wheels bundle a GPL encoder
    for lock in (app, dev, _locked("requirements-build.lock")):
        assert all(hashes for hashes in lock.values()), [n for n, h in lock.items() if not h]
