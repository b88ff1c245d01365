"""Install MyoCase with its test tools into .venv if needed, then run every check and test."""

import os
import sys

from _bootstrap import ensure_installed, run, venv_bin

ensure_installed("test")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
steps = [
    ("ruff lint", [venv_bin("ruff"), "check", "."]),
    ("ruff format", [venv_bin("ruff"), "format", "--check", "."]),
    ("mypy (pure core)", [venv_bin("mypy")]),
    ("import layering", [venv_bin("lint-imports")]),
    ("pytest", [venv_bin("pytest"), *sys.argv[1:]]),
]
for name, command in steps:
    print(f"\n=== {name} ===", flush=True)
    if run(*command) != 0:
        sys.exit(f"FAILED: {name}")
print("\nAll checks passed.")
