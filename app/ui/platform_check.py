"""Before Qt starts on Linux: is there a display, and does the xcb plugin have its libraries?

Without libxcb-cursor0, libxcb-icccm4 and friends Qt aborts with "could not load the Qt
platform plugin"; this module names the exact Debian/Ubuntu packages to install instead.
Nothing here imports Qt, so it runs before Qt can abort.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Shared libraries the xcb platform plugin needs, and the Debian/Ubuntu package of each.
XCB_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}

# dlopen()ed by the plugin at run time, so ldd does not list it.
_RUNTIME_LOADED = ("libxcb-cursor.so.0",)


def _xcb_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def _missing_by_ldd(plugin: Path) -> set[str]:
    if not shutil.which("ldd"):
        return set()
    result = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False)
    return {line.split("=>")[0].strip() for line in result.stdout.splitlines() if "not found" in line}


def _loadable(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return ctypes.util.find_library(soname.removeprefix("lib").split(".so")[0]) is not None
    return True


def missing_xcb_libraries(plugin: Path | None = None) -> list[str]:
    """Sonames the xcb plugin needs that this system lacks."""
    plugin = plugin or _xcb_plugin()
    if plugin is None:
        return []
    missing = _missing_by_ldd(plugin)
    missing.update(name for name in _RUNTIME_LOADED if not _loadable(name))
    return sorted(missing)


def install_hint(missing: list[str]) -> str:
    packages = sorted({XCB_PACKAGES.get(name, name) for name in missing})
    return (
        "MyoCase cannot open its window: Qt's X11 (xcb) platform plugin is missing system "
        f"libraries: {', '.join(missing)}. Install them with:\n"
        f"    sudo apt-get install {' '.join(packages)}\n"
        "(Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image "
        "xcb-util-renderutil libxkbcommon-x11)."
    )


def display_problem() -> str | None:
    """A message saying what to install or set, or None when a window can open."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: the user chose a platform on purpose
    if os.environ.get("WAYLAND_DISPLAY") and not platform:
        return None  # Qt prefers its Wayland plugin there
    if not os.environ.get("DISPLAY"):
        return (
            "MyoCase cannot open its window: no display is available (DISPLAY is not set). "
            "Run it from a desktop session, or over SSH with X forwarding (ssh -X)."
        )
    missing = missing_xcb_libraries()
    return install_hint(missing) if missing else None
