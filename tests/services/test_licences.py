"""The licences of what MyoCase ships: run-time dependencies from their metadata, the bundled fonts, and
the LICENSES folder a frozen build writes from the same list."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from myocase import assets
from myocase.services import licences

ROOT = Path(__file__).resolve().parents[2]


class _Metadata(metadata.Distribution):
    """A distribution whose METADATA is the given text (no files)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def read_text(self, filename: str) -> str | None:
        return self.text if filename == "METADATA" else None

    def locate_file(self, path: str | Path) -> Path:  # type: ignore[override]
        return Path(path)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("License-Expression: MIT\nLicense: BSD\nClassifier: License :: OSI Approved :: BSD License\n", "MIT"),
        ("License: BSD-3-Clause\nClassifier: License :: OSI Approved :: BSD License\n", "BSD-3-Clause"),
        ("License: Copyright (c) 2001\n    the whole text\nClassifier: License :: OSI Approved :: BSD License\n", "BSD License"),
        ("Summary: nothing said\n", "see its licence files"),
    ],
    ids=["expression", "short-field", "classifier", "none"],
)  # fmt: skip
def test_the_licence_is_the_expression_else_the_short_field_else_the_classifiers(
    fields: str, expected: str
) -> None:
    assert (
        licences.licence_of(_Metadata(f"Metadata-Version: 2.4\nName: thing\nVersion: 1.0\n{fields}"))
        == expected
    )


def test_every_run_time_dependency_is_listed_and_no_development_tool() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    listed = {licences.canonical(c.name) for c in licences.dependency_licences()}
    for requirement in declared:
        name = licences.canonical(re.split(r"[\s\[;=<>!~]", requirement)[0])
        assert name in listed, name
    assert {"typing-extensions", "shiboken6", "mako"} <= listed  # needed by the dependencies themselves
    assert not {"pytest", "ruff", "mypy", "hypothesis", "import-linter"} & listed
    assert licences.dependency_licences()[0].name.lower() == "myocase"


def test_the_heic_extra_is_listed_only_where_it_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = metadata.distribution

    def without_heif(name: str) -> metadata.Distribution:
        if licences.canonical(name) == "pillow-heif":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "distribution", without_heif)
    assert "pillow-heif" not in {licences.canonical(c.name) for c in licences.dependency_licences()}


def test_each_bundled_font_family_has_its_licence() -> None:
    fonts = {c.name: c for c in licences.font_licences()}
    assert fonts["DejaVu fonts"].licence == "Bitstream-Vera"
    assert fonts["Noto fonts"].licence == "OFL-1.1"
    assert fonts["Nanum fonts"].licence == "OFL-1.1"
    assert fonts["Droid Sans Fallback fonts"].licence == "Apache-2.0"
    shipped = {p.name for p in (assets.fonts_dir() / "LICENSES").glob("*.txt")} | {"LICENSE-DejaVu.txt"}
    assert {name for c in fonts.values() for name in c.texts} == shipped


def test_write_licences_copies_every_text_and_indexes_every_component(tmp_path: Path) -> None:
    components = licences.bundled_licences()
    written = licences.write_licences(tmp_path / "LICENSES", components)
    assert written == components
    readme = (tmp_path / "LICENSES" / "README.txt").read_text(encoding="utf-8").splitlines()
    assert len(readme) == len(components)
    for component, line in zip(components, readme, strict=True):
        assert line.startswith(component.name)
        assert line.endswith(component.licence)
        for name, source in component.texts.items():
            copy = tmp_path / "LICENSES" / licences.folder_name(component) / name
            assert copy.read_bytes() == source.read_bytes()
