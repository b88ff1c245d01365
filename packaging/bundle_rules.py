"""What goes into the frozen MyoCase bundle and what is left out (used by myocase.spec at build time)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

APP_NAME = "MyoCase"
BUNDLE_ID = "org.myocase.MyoCase"  # macOS bundle identifier (reverse-DNS; not a registered domain)
EXTENSION = "myocase"  # the case-series file type, shared with the desktop entry and the installers
MIME_TYPE = "application/x-myocase"
UTI = "org.myocase.case-series"

# Python modules the app never imports at run time; some are pulled in only by optional code paths of
# its dependencies (pyqtgraph's 3-D and Jupyter support, NumPy's and SciPy's test helpers). Not
# QtOpenGL and QtOpenGLWidgets: pyqtgraph's plot curves import them (the smoke test's window shows it).
UNUSED_QT_MODULES = (
    *("QtNetwork", "QtQml", "QtQuick", "QtQuickControls2", "QtQuickWidgets", "QtTest", "QtDBus", "QtSql"),
    *("QtXml", "QtConcurrent", "QtDesigner", "QtHelp", "QtUiTools", "QtPrintSupport", "QtSvgWidgets"),
    *("QtStateMachine", "QtCanvasPainter"),
)
EXCLUDES = [
    *(f"PySide6.{name}" for name in UNUSED_QT_MODULES),
    *("PyQt5", "PyQt6", "PySide2"),  # one Qt binding only (pitfall 6.2)
    *("pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter", "OpenGL", "jupyter_rfb", "IPython"),
    # (pandas stays: the SPSS and Stata exports hand pyreadstat a data frame)
    *("matplotlib", "tkinter", "_tkinter", "pytest", "_pytest", "hypothesis", "mypy", "pytestqt"),
    *("mako.ext", "pygments"),  # Mako's editor and i18n plug-ins; Alembic renders no template at run time
    # SQLite only in the bundle: a database server needs MyoCase installed with pip and its extra.
    *("psycopg", "psycopg2", "MySQLdb", "pysqlite2"),
    # The optional HEIC decoder (extra "heic"): its wheels carry the GPL x265 encoder, so it never goes into
    # the bundle even when the build environment has it; the app then refuses HEIC photos with a message.
    "pillow_heif",
    # Python's line editing for interactive prompts, which MyoCase never shows: on Linux it links the GPL
    # GNU readline library, which would otherwise be copied from the build host.
    "readline",
]

# Modules only the Alembic migration scripts import (Alembic loads them by file path, pitfall 6.4),
# and the data packages that are looked up by name through importlib.resources.
HIDDEN_IMPORTS = ["alembic.context", "alembic.op", "myocase.migrations", "myocase.resources"]

# Qt plugin folders the app never loads: networking, SQL, printing, QML and Designer tooling, the
# embedded-Linux input and display back ends, and the Wayland *compositor* side.
UNUSED_PLUGIN_TYPES = {
    "tls", "networkinformation", "sqldrivers", "qmltooling", "qmllint", "designer", "printsupport",
    "egldeviceintegrations", "generic", "wayland-graphics-integration-server", "vectorimageformats",
}  # fmt: skip
# Plugin files left out within the kept folders: of the platforms, the framebuffer, VNC and EGL-only
# back ends (the desktop ones, xcb, wayland, windows and cocoa, stay, with offscreen and minimal for
# headless runs and the smoke test); the GTK 3 theme, which needs the build host's GTK and would
# bring its own GLib, Cairo and Pango (Qt falls back to its generic theme, or the XDG portal theme,
# and MyoCase draws with Fusion anyway).
UNUSED_PLUGINS = re.compile(r"(linuxfb|vnc|eglfs|minimalegl|vkkhrdisplay|direct2d|qgtk3)", re.IGNORECASE)


def _plugin_folder(dest: str) -> str | None:
    parts = Path(dest).parts
    return parts[parts.index("plugins") + 1] if "plugins" in parts[:-1] else None


def keep(dest: str) -> bool:
    """Whether the bundled file at ``dest`` (a path inside the bundle) is needed at run time.

    Qt translations go: MyoCase is in English and loads no translator, so Qt's own dialogs use the
    English texts compiled into Qt."""
    parts = Path(dest).parts
    if "PySide6" in parts and "translations" in parts:
        return False
    folder = _plugin_folder(dest)
    if folder is None or "PySide6" not in parts:
        return True
    if folder in UNUSED_PLUGIN_TYPES:
        return False
    return not UNUSED_PLUGINS.search(Path(dest).name)


def pruned(toc: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [entry for entry in toc if keep(entry[0])]


def app_version() -> str:
    """MyoCase's version, from the installed package metadata (pyproject.toml is its only source)."""
    return version("myocase")


def numeric_version(text: str) -> tuple[int, int, int, int]:
    """The four numbers Windows wants, e.g. 0.1.0rc1 -> (0, 1, 0, 0)."""
    from packaging.version import Version  # a PyInstaller dependency

    release = Version(text).release
    return (*release, 0, 0, 0, 0)[:4]  # type: ignore[return-value]


def windows_version_info(text: str):  # type: ignore[no-untyped-def]
    """The version resource of the Windows executables (Properties > Details)."""
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers = numeric_version(text)
    strings = {
        "CompanyName": "MyoCase",
        "FileDescription": "MyoCase: myositis case series",
        "FileVersion": text,
        "InternalName": "myocase",
        "LegalCopyright": "MIT licence; bundled components: see the LICENSES folder",
        "OriginalFilename": "myocase.exe",
        "ProductName": APP_NAME,
        "ProductVersion": text,
    }
    table = vi.StringTable("040904B0", [vi.StringStruct(k, v) for k, v in strings.items()])
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[vi.StringFileInfo([table]), vi.VarFileInfo([vi.VarStruct("Translation", [0x0409, 1200])])],
    )


def mac_info_plist(text: str) -> dict[str, object]:
    """Info.plist entries of MyoCase.app: version, and the .myocase document type it owns."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleShortVersionString": text,
        "CFBundleVersion": text,
        "NSHighResolutionCapable": True,
        "LSMinimumSystemVersion": "12.0",
        "NSHumanReadableCopyright": "MIT licence; bundled components: see Contents/Resources/LICENSES",
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": "MyoCase case series",
                "CFBundleTypeRole": "Editor",
                "LSHandlerRank": "Owner",
                "LSItemContentTypes": [UTI],
                "CFBundleTypeIconFile": "myocase.icns",
            }
        ],
        "UTExportedTypeDeclarations": [
            {
                "UTTypeIdentifier": UTI,
                "UTTypeDescription": "MyoCase case series",
                "UTTypeConformsTo": ["public.data", "public.database"],
                "UTTypeIconFile": "myocase.icns",
                "UTTypeTagSpecification": {
                    "public.filename-extension": [EXTENSION],
                    "public.mime-type": [MIME_TYPE],
                },
            }
        ],
    }


def write_inventory(path: Path, *tocs: Iterable[tuple[str, str | None, str]]) -> None:
    """Every source file that went into the bundle (modules, libraries, data), for the LICENSES step."""
    sources = sorted({src for toc in tocs for _, src, _ in toc if src and Path(src).is_file()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sources, indent=0), encoding="utf-8")
