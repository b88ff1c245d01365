"""Builds a wheelhouse: a folder holding MyoCase and every package it needs, as wheels, so a
computer without network installs from the folder alone.

    python packaging/wheelhouse.py [--out DIR] [--dev] [--platform TAG --python-version 3.11]

On the clinic computer (same operating system and Python as the folder was built for, unless
--platform was given):

    python -m venv myocase-env
    myocase-env/bin/pip install --no-index --find-links DIR --require-hashes -r DIR/requirements.lock
    myocase-env/bin/pip install --no-index --find-links DIR --no-deps myocase

(on Windows `myocase-env\\Scripts\\pip`). The lock lists the exact files by their hashes.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "wheelhouse", help="the folder to fill")
    parser.add_argument("--dev", action="store_true", help="also the test tools (to run the tests offline)")
    parser.add_argument("--platform", help="a platform tag such as win_amd64 or macosx_11_0_arm64")
    parser.add_argument("--python-version", default="3.11", help="with --platform: the Python version")
    args = parser.parse_args()
    lock = HERE / ("requirements-dev.lock" if args.dev else "requirements.lock")
    args.out.mkdir(parents=True, exist_ok=True)
    target = ["--platform", args.platform, "--python-version", args.python_version] if args.platform else []
    pip = [sys.executable, "-m", "pip"]
    download = [*pip, "download", "--only-binary=:all:", "--require-hashes", "--no-deps", "-d", str(args.out)]
    subprocess.run(
        [*download, *target, "-r", str(lock), "-r", str(HERE / "requirements-build.lock")], check=True
    )
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(args.out), str(ROOT)], check=True)
    shutil.copy(lock, args.out / "requirements.lock")
    print(f"Wheelhouse ready in {args.out}: {len(list(args.out.glob('*.whl')))} wheels")


if __name__ == "__main__":
    main()
