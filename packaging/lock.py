"""Regenerates the hash-locked dependency lists from pyproject.toml (run after changing a
dependency; needs uv: `pip install uv`). The lists cover every platform and Python >= 3.11.

    python packaging/lock.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def compile_lock(source: Path, target: Path, *extra: str) -> None:
    uv = shutil.which("uv") or sys.exit("uv is needed to write the lock files: pip install uv")
    command = [
        uv,
        "pip",
        "compile",
        str(source),
        "--generate-hashes",
        "--universal",
        "--python-version",
        "3.11",
    ]
    command += ["--quiet", "--no-header", "-o", str(target), *extra]
    subprocess.run(command, cwd=ROOT, check=True)
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    compile_lock(ROOT / "pyproject.toml", HERE / "requirements.lock")
    dev_extras = [arg for extra in ("test", "heic", "server") for arg in ("--extra", extra)]
    compile_lock(ROOT / "pyproject.toml", HERE / "requirements-dev.lock", *dev_extras)
    compile_lock(HERE / "requirements-build.in", HERE / "requirements-build.lock")
