"""The licences of what MyoCase ships: its run-time Python dependencies (read from the installed
distributions' metadata) and its bundled fonts. Help → About lists them; a frozen build can write the
same list, with the licence texts, into its LICENSES folder (``write_licences``)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .. import assets

ROOT = "myocase"
RUNTIME_EXTRAS = frozenset({"heic", "server"})  # extras that add run-time code (when installed)
LICENCE_NAME = re.compile(r"^(licen[cs]e|copying|notice|authors|copyright)", re.IGNORECASE)
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?[^;]*(?:;(.*))?$")
_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")
_FONT_LICENCE = re.compile(r"^(?P<licence>[A-Za-z]+(?:-[0-9.]+)?)-(?P<name>.+)$")  # OFL-1.1-Noto.txt


@dataclass(frozen=True)
class Component:
    """One thing MyoCase ships with its own licence: a Python distribution or a font family."""

    name: str
    version: str
    licence: str  # an SPDX expression where the metadata gives one, else its words
    texts: dict[str, Path] = field(default_factory=dict)  # licence file name -> where it is


def canonical(name: str) -> str:
    """A distribution name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def licence_of(dist: metadata.Distribution) -> str:
    """The SPDX expression, else the one-line licence field, else the licence classifiers."""
    meta = dist.metadata
    if expression := _field(meta, "License-Expression"):
        return expression
    short = _field(meta, "License")
    if short and "\n" not in short and len(short) < 120:
        return short
    classifiers = [
        c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
    ]
    return ", ".join(classifiers) or "see its licence files"


def _field(meta: metadata.PackageMetadata, name: str) -> str:
    """A metadata field's first value, stripped; "" where the distribution leaves it out (Python 3.11's
    ``PackageMetadata`` has no ``get``)."""
    return str((meta.get_all(name) or [""])[0]).strip()


def licence_texts(dist: metadata.Distribution) -> dict[str, Path]:
    """The licence files in the distribution's metadata folder: those it declares (License-File, in
    ``licenses/`` or beside the metadata) and those its RECORD lists there."""
    texts: dict[str, Path] = {}
    for entry in dist.files or []:
        parts = Path(str(entry)).parts
        inner = parts[1:] if len(parts) > 1 and parts[0].endswith((".dist-info", ".egg-info")) else ()
        if inner and (inner[0] == "licenses" or LICENCE_NAME.match(inner[-1])):
            texts[str(Path(*inner[1:] if inner[0] == "licenses" else inner))] = Path(
                str(dist.locate_file(entry))
            )
    folder = getattr(dist, "_path", None)  # the metadata folder (PathDistribution): for License-File entries
    if folder is not None:
        for name in dist.metadata.get_all("License-File") or []:
            found = [Path(folder) / "licenses" / name, Path(folder) / name]
            texts.setdefault(name, next((p for p in found if p.is_file()), found[0]))
    return {name: path for name, path in texts.items() if path.is_file()}


def _requirements(dist: metadata.Distribution, extras: Iterable[str]) -> Iterator[tuple[str, frozenset[str]]]:
    """(name, extras wanted) of each requirement that applies with ``extras``."""
    for line in dist.requires or []:
        match = _REQUIREMENT.match(line)
        if match is None:
            continue
        name, wanted, marker = match.groups()
        extra = _EXTRA.search(marker or "")
        if extra is None or extra.group(1) in extras:
            yield name, frozenset(e.strip() for e in (wanted or "").split(",") if e.strip())


def runtime_distributions(
    root: str = ROOT, extras: Iterable[str] = RUNTIME_EXTRAS
) -> list[metadata.Distribution]:
    """``root`` and every installed distribution it needs at run time, transitively (a requirement whose
    environment marker does not apply here is not installed, and so not listed)."""
    found: dict[str, metadata.Distribution] = {}
    waiting: list[tuple[str, frozenset[str]]] = [(root, frozenset(extras))]
    while waiting:
        name, wanted = waiting.pop()
        if canonical(name) in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional extra that is not installed, or a marker that does not apply
        found[canonical(name)] = dist
        waiting += _requirements(dist, wanted)
    return sorted(found.values(), key=lambda d: canonical(d.metadata["Name"] or ""))


def dependency_licences(root: str = ROOT, extras: Iterable[str] = RUNTIME_EXTRAS) -> list[Component]:
    """MyoCase first, then each run-time dependency, with its licence and licence files."""
    components = [
        Component(dist.metadata["Name"] or "?", dist.version, licence_of(dist), licence_texts(dist))
        for dist in runtime_distributions(root, extras)
    ]
    return sorted(components, key=lambda c: (canonical(c.name) != root, c.name.lower()))


def font_licences() -> list[Component]:
    """The bundled fonts: fonts/LICENSE-DejaVu.txt and one fonts/LICENSES/<SPDX>-<family>.txt per family."""
    fonts = assets.fonts_dir()
    components = [
        Component("DejaVu fonts", "", "Bitstream-Vera", {"LICENSE-DejaVu.txt": fonts / "LICENSE-DejaVu.txt"})
    ]
    for path in sorted((fonts / "LICENSES").glob("*.txt")):
        match = _FONT_LICENCE.match(path.stem)
        licence, family = (match["licence"], match["name"]) if match else ("see its licence file", path.stem)
        components.append(Component(f"{_spaced(family)} fonts", "", licence, {path.name: path}))
    return components


def _spaced(name: str) -> str:
    """DroidSansFallback → Droid Sans Fallback."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def bundled_licences() -> list[Component]:
    """Everything MyoCase ships, as Help → About lists it: MyoCase, its run-time dependencies, its fonts."""
    return dependency_licences() + font_licences()


def index(components: Iterable[Component]) -> str:
    """One line per component: name, version, licence (the LICENSES folder's README)."""
    return "\n".join(f"{c.name} {c.version}".strip() + f": {c.licence}" for c in components) + "\n"


def markdown_table(components: Iterable[Component]) -> str:
    """The list as a Markdown table (Help → About shows it)."""
    rows = [f"| {c.name} | {c.version} | {c.licence} |".replace("\n", " ") for c in components]
    return "\n".join(["| Component | Version | Licence |", "|---|---|---|", *rows]) + "\n"


def folder_name(component: Component) -> str:
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", component.name).strip("-")


def write_licences(out: Path, components: Iterable[Component] | None = None) -> list[Component]:
    """Fill ``out`` with one folder of licence texts per component and a README index; returns the list."""
    chosen = list(bundled_licences() if components is None else components)
    for component in chosen:
        for name, text in component.texts.items():
            target = out / folder_name(component) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(text, target)
    out.mkdir(parents=True, exist_ok=True)
    (out / "README.txt").write_text(index(chosen), encoding="utf-8")
    return chosen
