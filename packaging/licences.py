"""The bundle's LICENSES folder: the licence texts of every component whose files went into it.

Runs at build time inside the build environment (myocase.spec calls ``write_licences``): each bundled
file is traced to the installed distribution that owns it (its RECORD), to the Python installation, or
(Linux) to the system package that installed it, and that owner's licence files are copied. A bundled
file nobody owns, or an owner without a licence text, stops the build. The licence of a distribution
and its texts are read as Help → About reads them (myocase.services.licences), and the fonts are listed
as there; what only a frozen program carries (Python, the bootloader, system libraries, the Qt notice)
is added here.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import Distribution, distributions
from pathlib import Path

from myocase.services import licences as shared

HERE = Path(__file__).resolve().parent
LICENCE_NAME = re.compile(r"^(licen[cs]e|copying|notice|authors|copyright|third.party)", re.IGNORECASE)
# Distributions whose wheels carry no licence file: Qt for Python (LGPL-3.0 here; the texts are kept in
# packaging/licenses/, with the notice that explains how to replace the Qt libraries).
QT_DISTRIBUTIONS = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"}
QT_TEXTS = [HERE / "licenses" / "LGPL-3.0.txt", HERE / "licenses" / "GPL-3.0.txt"]


class LicenceError(RuntimeError):
    """A bundled file whose licence cannot be found: the bundle may not be distributed as it is."""


@dataclass
class Component:
    """One thing in the bundle with its own licence: a Python distribution, Python, a system package."""

    name: str
    version: str
    licence: str
    texts: dict[str, Path] = field(default_factory=dict)  # name in LICENSES/<name>/ -> source file
    files: int = 0  # how many bundled files it supplied
    notice: str = ""


canonical = shared.canonical


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(path))


def _dist_component(dist: Distribution) -> Component:
    name = str(dist.metadata["Name"])
    component = Component(name, dist.version, shared.licence_of(dist), shared.licence_texts(dist))
    if canonical(name) in QT_DISTRIBUTIONS:
        component.licence = "LGPL-3.0-only (used under the LGPL; also offered as GPL-2.0/GPL-3.0)"
        component.texts.update({p.name: p for p in QT_TEXTS})
        component.notice = qt_notice(name, dist.version)
    if canonical(name) == "pyinstaller":  # its bootloader starts the program; its run-time hooks run in it
        component.licence = "GPL-2.0-or-later WITH Bootloader-exception"
    return component


def qt_notice(name: str, version: str) -> str:
    return f"""\
{name} {version} and the Qt 6 libraries it contains are used in this program under the GNU Lesser
General Public License version 3 (LGPL-3.0-only, texts beside this file: LGPL-3.0.txt, which adds
permissions to GPL-3.0.txt). They are unmodified and dynamically linked: they are the separate
files under the PySide6 and shiboken6 folders of the program (Linux and Windows: in _internal/;
macOS: in MyoCase.app/Contents/Frameworks/). You may replace them with your own build of the
same or a compatible version of Qt, PySide6 and Shiboken6.

Source code: Qt {version}: https://download.qt.io/official_releases/qt/ and https://code.qt.io/
(qt/qt5 at tag v{version}); PySide6 and Shiboken6 {version}: https://code.qt.io/pyside/pyside-setup
(tag v{version}), and the source distribution of {name} {version} on PyPI.

Qt itself contains third-party code under its own licences (among others ICU, HarfBuzz, FreeType,
libpng, PCRE2, zlib, double-conversion and md4c), listed with their texts in "Licenses Used in Qt":
https://doc.qt.io/qt-6/licenses-used-in-qt.html
"""


def python_component() -> Component:
    """The Python interpreter and standard library (with its own bundled libraries on Windows/macOS)."""
    base = Path(sys.base_prefix)
    version = platform.python_version()
    candidates = [base / "LICENSE.txt", base / "lib" / f"python{version.rsplit('.', 1)[0]}" / "LICENSE.txt"]
    text = next((p for p in candidates if p.is_file()), None)
    if text is None:
        raise LicenceError(f"Python's LICENSE.txt is not in {base}: build with a full Python installation.")
    return Component(
        "Python", version, "PSF-2.0 (with the notices of its bundled libraries)", {"LICENSE.txt": text}
    )


def system_package(path: str) -> tuple[str, str, dict[str, Path]] | None:
    """The system package (name, version, licence files) that installed ``path``: dpkg, else rpm."""
    if shutil.which("dpkg-query"):
        for candidate in {path, os.path.realpath(path), re.sub(r"^/usr(?=/lib)", "", os.path.realpath(path))}:
            found = _run("dpkg-query", "-S", candidate)
            if found:
                package = found.split(":")[0].strip()
                version = _run("dpkg-query", "-W", "-f=${Version}", package) or "?"
                texts = {"copyright": Path("/usr/share/doc") / package / "copyright"}
                return package, version, {k: v for k, v in texts.items() if v.is_file()}
    if shutil.which("rpm"):
        package = _run("rpm", "-qf", "--qf", "%{NAME}\\t%{VERSION}-%{RELEASE}", os.path.realpath(path))
        if package and "\t" in package:
            name, version = package.split("\t", 1)
            files = (_run("rpm", "-qL", name) or "").splitlines()
            return name, version, {Path(f).name: Path(f) for f in files if Path(f).is_file()}
    return None


def _run(*command: str) -> str | None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return result.stdout.strip().splitlines()[0] if result.returncode == 0 and result.stdout.strip() else None


def _file_owners() -> dict[str, Distribution]:
    owners: dict[str, Distribution] = {}
    for dist in distributions():
        for entry in dist.files or []:
            owners.setdefault(_real(dist.locate_file(entry)), dist)
    return owners


def _under(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f + os.sep) for f in folders)


class _Owners:
    """Finds, and remembers, the component that supplied each bundled file."""

    def __init__(self, own_folders: Iterable[str], python_folders: Iterable[str]) -> None:
        self.files = _file_owners()
        self.python_dirs = {_real(f) for f in (sys.base_prefix, sys.base_exec_prefix, *python_folders)}
        self.own = {_real(f) for f in own_folders}
        self.found: dict[str, Component] = {}

    def of(self, real: str) -> Component | None:
        dist = self.files.get(real)
        if _under(real, self.own):
            return self.get("myocase", lambda: _dist_component(_installed("myocase")))
        if dist is not None:
            return self.get(canonical(str(dist.metadata["Name"])), lambda: _dist_component(dist))
        if _under(real, self.python_dirs):
            return self.get("python", python_component)
        package = system_package(real)
        if package is None:
            return None
        name, version, texts = package
        return self.get(
            f"system:{name}",
            lambda: Component(name, version, "system library: see its copyright file", texts),
        )

    def get(self, key: str, make: Callable[[], Component]) -> Component:
        if key not in self.found:
            self.found[key] = make()
        return self.found[key]


def _installed(name: str) -> Distribution:
    """The installed distribution ``name``; of several copies (a checkout's egg-info beside the
    installed one), the one with licence files."""
    found = [d for d in distributions() if canonical(str(d.metadata["Name"])) == name]
    return max(found, key=lambda d: (bool(shared.licence_texts(d)), bool(d.files)))


def components(
    sources: Iterable[str], own_folders: Iterable[str], python_folders: Iterable[str] = ()
) -> list[Component]:
    """Every component that supplied one of ``sources``, plus PyInstaller, whose bootloader starts the
    program, and MyoCase's fonts. Files under ``own_folders`` are MyoCase's; under ``python_folders``
    (PyInstaller's work folder: base_library.zip, made from the standard library) Python's."""
    owners = _Owners(own_folders, python_folders)
    orphans: list[str] = []
    for source in sources:
        real = _real(source)
        component = owners.of(real)
        if component is None:
            orphans.append(source)
            continue
        component.files += 1
        if _is_licence_file(Path(real)) and canonical(component.name) != "myocase":  # its fonts: below
            component.texts.setdefault(f"bundled/{Path(real).parent.name}/{Path(real).name}", Path(real))
    if orphans:
        raise LicenceError("No licence found for these bundled files:\n  " + "\n  ".join(sorted(orphans)))
    owners.get("pyinstaller", lambda: _dist_component(_installed("pyinstaller")))
    if "myocase" in owners.found:
        for font in shared.font_licences():
            owners.get(
                f"font:{font.name}", lambda f=font: Component(f.name, f.version, f.licence, dict(f.texts))
            )
    missing = [c.name for c in owners.found.values() if not c.texts]
    if missing:
        raise LicenceError(f"No licence text found for: {', '.join(missing)}")
    return sorted(owners.found.values(), key=lambda c: (canonical(c.name) != "myocase", c.name.lower()))


def _is_licence_file(path: Path) -> bool:
    """A licence text a package carries among its files (not its metadata, which is read already)."""
    if any(part.endswith(".dist-info") for part in path.parts):
        return False
    return bool(LICENCE_NAME.match(path.name)) or "LICENSES" in path.parts


def write_licences(
    sources: Iterable[str], own_folders: Iterable[str], python_folders: Iterable[str], out: Path
) -> list[Component]:
    """Fill ``out`` (the LICENSES folder) with one folder of texts per component and an index."""
    found = components(sources, own_folders, python_folders)
    if out.exists():
        shutil.rmtree(out)
    for component in found:
        folder = out / shared.folder_name(component)
        for name, text in component.texts.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(text, folder / name)
        if component.notice:
            (folder / "NOTICE.txt").write_text(component.notice, encoding="utf-8")
    (out / "README.txt").write_text(index(found), encoding="utf-8")
    return found


def index(found: list[Component]) -> str:
    """What the folder holds, then one line per component (as Help → About lists them)."""
    notices = [
        f"{c.name} is used under the LGPL-3.0: {shared.folder_name(c)}/NOTICE.txt "
        "says how to replace it and where its source code is.\n"
        for c in found
        if c.notice
    ]
    return (
        "MyoCase and the components bundled with it: one folder of licence texts per component.\n"
        "MyoCase itself is under the MIT licence (myocase/).\n"
        + "".join(notices)
        + "\n"
        + shared.index(found)
    )
