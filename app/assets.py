"""Finds resources/ and db/ from a checkout, an installed copy or a frozen build."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def root() -> Path:
    """The folder that holds resources/ and db/."""
    candidates = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen))
    candidates.append(Path(__file__).resolve().parent.parent)
    candidates.append(Path(sys.prefix) / "share" / "myocase")
    for candidate in candidates:
        if (candidate / "db" / "migrations").is_dir() and (candidate / "resources").is_dir():
            return candidate
    raise FileNotFoundError(
        "MyoCase's resources/ and db/ folders were not found next to the program: reinstall MyoCase."
    )


def migrations_dir() -> Path:
    return root() / "db" / "migrations"


def resource(*parts: str) -> Path:
    return root().joinpath("resources", *parts)


def fonts_dir() -> Path:
    return resource("fonts")
