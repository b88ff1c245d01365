"""Where MyoCase's data files are: fonts and icons (the package `myocase.resources`, from
resources/) and the Alembic migrations (`myocase.migrations`, from db/migrations/), found with
importlib.resources wherever MyoCase runs: a checkout (editable install), an installed wheel,
or a frozen bundle."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


class MissingResources(FileNotFoundError):
    """The data files are not beside the program: the installation is incomplete."""


@cache
def _folder(package: str) -> Path:
    try:
        folder = Path(str(files(package)))
    except ModuleNotFoundError as exc:
        raise MissingResources(f"MyoCase's {package} files are missing: reinstall MyoCase.") from exc
    if not folder.is_dir():
        raise MissingResources(f"MyoCase's {package} files are not a folder ({folder}): reinstall MyoCase.")
    return folder


def migrations_dir() -> Path:
    return _folder("myocase.migrations")


def resource(*parts: str) -> Path:
    return _folder("myocase.resources").joinpath(*parts)


def fonts_dir() -> Path:
    return resource("fonts")
