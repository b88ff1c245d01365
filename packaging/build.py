"""Build the frozen MyoCase: a clean virtual environment with only MyoCase (a wheel, not editable) and
PyInstaller, the icons, PyInstaller on packaging/myocase.spec, the LICENSES folder, and the archive
(Linux: a .tar.gz with the desktop entry and MIME type; Windows: a .zip and, with Inno Setup, the
installer; macOS: MyoCase.app zipped). See packaging/README.md.

    python3 packaging/build.py                 # everything from the package index
    python3 packaging/build.py --deps-from SITE_PACKAGES   # no network: dependencies seen from there
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "packaging"
PYINSTALLER = "pyinstaller>=6.22,<7"
RUNTIME_LOCK = HERE / "requirements.lock"  # written by packaging/lock.py
BAD_LOG_LINES = re.compile(r"Library not found.*(qxcb|xcb|xkbcommon)|hooks for more than one Qt bindings")
# packaging/ file -> where it goes in the Linux bundle (install-linux.sh puts them in place).
LINUX_EXTRAS = {
    "myocase.desktop": "share/applications/myocase.desktop",
    "myocase-mime.xml": "share/mime/packages/myocase-mime.xml",
    "install-linux.sh": "install-linux.sh",
}


class BuildError(RuntimeError):
    """A step failed; the message says which and where its log is."""


def run(command: list[str | Path], log: Path | None = None, cwd: Path | None = None) -> str:
    """Run a step; its output goes to ``log`` (if given) and is returned. A failure raises BuildError."""
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False, env=_clean_env()
    )
    output = result.stdout + result.stderr
    if log is not None:
        log.write_text(output, encoding="utf-8")
    if result.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        where = f" (full log: {log})" if log else ""
        raise BuildError(f"{' '.join(map(str, command[:4]))} … failed{where}:\n{tail}")
    return output


def _clean_env() -> dict[str, str]:
    """The environment without anything that would let the source tree or another venv leak in."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    env.setdefault("QT_QPA_PLATFORM", "offscreen")  # the icon renderer needs no display
    return env


def venv_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_environment(work: Path, deps_from: Path | None, pip_args: list[str]) -> Path:
    """A fresh venv holding MyoCase (a wheel built from this checkout, not an editable install) and
    PyInstaller; the dependencies come hash-checked from packaging/requirements.lock when it exists.

    With ``deps_from`` (a site-packages folder that already has MyoCase's dependencies and PyInstaller,
    e.g. the test environment's), nothing is downloaded: the venv sees that folder through a .pth file,
    after its own site-packages, so MyoCase itself always comes from the wheel."""
    folder = work / "venv"
    shutil.rmtree(folder, ignore_errors=True)
    venv.create(folder, with_pip=True, clear=True)
    python = venv_python(folder)
    wheel = build_wheel(work, isolated=deps_from is None, pip_args=pip_args)
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "-q", *pip_args]
    if deps_from is None:
        if RUNTIME_LOCK.exists():
            run([*pip, "--require-hashes", "--no-deps", "-r", RUNTIME_LOCK], work / "pip-lock.log")
        run([*pip, wheel, PYINSTALLER], work / "pip.log")
        return python
    run([*pip, "--no-deps", "--no-index", wheel], work / "pip.log")
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
    (Path(site) / "myocase-build-dependencies.pth").write_text(f"{deps_from}\n", encoding="utf-8")
    return python


def build_wheel(work: Path, isolated: bool, pip_args: list[str]) -> Path:
    """MyoCase's wheel, built from the checkout (without build isolation: with this Python's setuptools)."""
    wheels = work / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, *pip_args]
    run([*command, *([] if isolated else ["--no-build-isolation"]), ROOT], work / "wheel.log", cwd=ROOT)
    (wheel,) = wheels.glob("myocase-*.whl")
    return wheel


def strip_debug_info(bundle: Path) -> None:
    """Linux: drop the debugging sections some builds of Python leave in libpython and its extension
    modules (about 45 MB with pyenv's); only files that have them are touched, so libraries repaired
    by auditwheel stay byte for byte as their wheels shipped them."""
    if not (sys.platform.startswith("linux") and shutil.which("strip") and shutil.which("readelf")):
        return
    for path in bundle.rglob("*.so*"):
        if path.is_file() and not path.is_symlink() and ".debug_info" in run(["readelf", "-S", "-W", path]):
            run(["strip", "--strip-debug", path])


def freeze(python: Path, work: Path, dist: Path) -> Path:
    """PyInstaller on the spec; returns the one-folder bundle (on macOS, MyoCase.app)."""
    icons, licences = work / "icons", work / "LICENSES"
    run([python, HERE / "icons.py", icons], work / "icons.log")
    log = work / "pyinstaller.log"
    spec_args = ["--", "--icons", icons, "--licences", licences]
    command = [python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN"]
    command += ["--distpath", dist, "--workpath", work / "pyinstaller", HERE / "myocase.spec", *spec_args]
    output = run(command, log, cwd=work)  # not the checkout: its myocase.egg-info must not be seen
    bad = [line for line in output.splitlines() if BAD_LOG_LINES.search(line)]
    if bad:
        raise BuildError(
            "PyInstaller could not bundle what the window needs (pitfall 6.1):\n" + "\n".join(bad)
        )
    if sys.platform == "darwin":
        return dist / "MyoCase.app"
    bundle = dist / "myocase"
    strip_debug_info(bundle)
    shutil.copytree(licences, bundle / "LICENSES")
    if sys.platform.startswith("linux"):
        add_linux_files(bundle, icons)
    return bundle


def add_linux_files(bundle: Path, icons: Path) -> None:
    """The desktop entry, the MIME type, the icons and install-linux.sh, beside the program."""
    for name, target in LINUX_EXTRAS.items():
        (bundle / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(HERE / name, bundle / target)
    shutil.copytree(icons / "hicolor", bundle / "share" / "icons" / "hicolor")


def version_of(bundle: Path) -> str:
    """The version the built program reports (also proves it starts)."""
    name = "myocase.exe" if os.name == "nt" else "myocase"
    program = bundle / "Contents" / "MacOS" / name if bundle.suffix == ".app" else bundle / name
    output = run([program, "--version"]).strip()
    return output.split()[-1]


def archive(bundle: Path, version: str, work: Path) -> Path:
    """The file to hand out: Linux .tar.gz, Windows .zip (and the Inno Setup installer), macOS .zip."""
    machine = platform.machine().lower().replace("amd64", "x86_64")
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    stem = bundle.parent / f"myocase-{version}-{system}-{machine}"
    if sys.platform.startswith("linux"):
        target = stem.with_name(stem.name + ".tar.gz")
        with tarfile.open(target, "w:gz") as tar:
            tar.add(bundle, arcname=f"myocase-{version}")
        return target
    if sys.platform == "darwin":
        target = stem.with_name(stem.name + ".zip")
        run(["ditto", "-c", "-k", "--keepParent", bundle, target])
        return target
    target = Path(shutil.make_archive(str(stem), "zip", bundle.parent, bundle.name))
    windows_installer(bundle, version, work)
    return target


def windows_installer(bundle: Path, version: str, work: Path) -> None:
    """Inno Setup's compiler, when it is installed (iscc on the PATH or in its default folder)."""
    default = (
        Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)")) / "Inno Setup 6" / "ISCC.exe"
    )
    iscc = shutil.which("iscc") or (str(default) if default.exists() else None)
    if iscc is None:
        print("Inno Setup not found: the installer was not made (packaging/README.md says how).")
        return
    defines = [
        f"/DAppVersion={version}",
        f"/DBundleDir={bundle}",
        f"/DIconFile={work / 'icons' / 'myocase.ico'}",
    ]
    run([iscc, *defines, f"/O{bundle.parent}", HERE / "myocase.iss"], work / "iscc.log")


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path, deps_from: Path | None, pip_args: list[str]) -> dict[str, object]:
    """Every step; returns what was made, with its size and how long it took."""
    started = time.monotonic()
    work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(dist, ignore_errors=True)
    python = make_environment(work, deps_from, pip_args)
    environment_done = time.monotonic()
    bundle = freeze(python, work, dist)
    version = version_of(bundle)
    packed = archive(bundle, version, work)
    summary = {
        "version": version,
        "bundle": str(bundle),
        "archive": str(packed),
        "bundle_mb": round(folder_size(bundle) / 1e6, 1),
        "archive_mb": round(packed.stat().st_size / 1e6, 1),
        "environment_seconds": round(environment_done - started),
        "freeze_seconds": round(time.monotonic() - environment_done),
    }
    (work / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle goes (emptied)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bundle", help="build folder")
    parser.add_argument("--deps-from", type=Path, help="site-packages with the dependencies (no download)")
    parser.add_argument("--pip-arg", action="append", default=[], help="passed to pip, e.g. --find-links=DIR")
    args = parser.parse_args(argv)
    deps = args.deps_from.resolve() if args.deps_from else None
    try:
        summary = build(args.dist.resolve(), args.work.resolve(), deps, args.pip_arg)
    except BuildError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
