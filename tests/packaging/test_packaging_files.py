"""The packaging files without a build: the desktop entry, the MIME type, the installers' file
associations, the icons rendered from the SVG, the bundle's pruning rules and the licence tracing."""

from __future__ import annotations

import configparser
import importlib.util
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from tests.packaging.helpers import PACKAGING, ROOT, load

MIME_NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
rules = load("bundle_rules")


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(PACKAGING / "myocase.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_entry_opens_myocase_files_and_no_other_sqlite_file() -> None:
    entry = _desktop_entry()
    assert entry["Exec"] == "myocase %f"
    assert entry["MimeType"].rstrip(";").split(";") == [rules.MIME_TYPE]
    assert entry["Icon"] == "myocase"
    assert entry["Type"] == "Application"


def test_the_mime_type_is_the_myocase_extension_only() -> None:
    (mime,) = ET.parse(PACKAGING / "myocase-mime.xml").getroot().findall("m:mime-type", MIME_NS)
    assert mime.get("type") == rules.MIME_TYPE
    assert [g.get("pattern") for g in mime.findall("m:glob", MIME_NS)] == [f"*.{rules.EXTENSION}"]
    assert not mime.findall("m:magic", MIME_NS)  # the SQLite header alone never makes a file MyoCase's


@pytest.mark.skipif(not shutil.which("update-mime-database"), reason="shared-mime-info is not installed")
def test_shared_mime_info_maps_the_extension_to_the_type(tmp_path: Path) -> None:
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(PACKAGING / "myocase-mime.xml", packages)
    subprocess.run(["update-mime-database", str(tmp_path / "mime")], check=True, capture_output=True)
    globs = (tmp_path / "mime" / "globs2").read_text(encoding="utf-8").splitlines()
    assert f"50:{rules.MIME_TYPE}:*.{rules.EXTENSION}" in globs
    assert f"{rules.MIME_TYPE} application/vnd.sqlite3" in (tmp_path / "mime" / "subclasses").read_text()


def test_windows_and_macos_associate_the_same_extension_and_type() -> None:
    script = (PACKAGING / "myocase.iss").read_text(encoding="utf-8")
    claimed = set(re.findall(r'Subkey: "Software\\Classes\\(\.[^"\\]+)', script))
    assert claimed == {f".{rules.EXTENSION}"}
    assert f'ValueName: "Content Type"; ValueData: "{rules.MIME_TYPE}"' in script
    assert "PrivilegesRequired=lowest" in script
    assert "ChangesAssociations=yes" in script
    plist = rules.mac_info_plist("1.2.3")
    (declared,) = plist["UTExportedTypeDeclarations"]
    assert declared["UTTypeTagSpecification"] == {
        "public.filename-extension": [rules.EXTENSION],
        "public.mime-type": [rules.MIME_TYPE],
    }
    (document,) = plist["CFBundleDocumentTypes"]
    assert document["LSItemContentTypes"] == [declared["UTTypeIdentifier"]]
    assert plist["CFBundleShortVersionString"] == "1.2.3"


def test_the_windows_version_has_four_numbers() -> None:
    assert rules.numeric_version("0.1.0") == (0, 1, 0, 0)
    assert rules.numeric_version("2.10.3rc1") == (2, 10, 3, 0)
    assert rules.numeric_version("1.4.2.7") == (1, 4, 2, 7)


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/translations/qtbase_fr.qm", False),
        ("myocase/resources/fonts/DejaVuSans.ttf", True),
        ("myocase/migrations/env.py", True),
    ],
)
def test_only_unused_qt_plugins_and_translations_are_left_out(dest: str, kept: bool) -> None:
    assert rules.keep(dest) is kept


def test_icons_are_rendered_from_the_svg(tmp_path: Path) -> None:
    # A process of its own: a QGuiApplication made here would stand in for the tests' QApplication.
    subprocess.run(
        [sys.executable, str(PACKAGING / "icons.py"), str(tmp_path)], check=True, capture_output=True
    )
    with Image.open(tmp_path / "myocase.ico") as ico:
        assert ico.info["sizes"] == {(s, s) for s in (16, 24, 32, 48, 64, 128, 256)}
    with Image.open(tmp_path / "myocase.icns") as icns:
        assert icns.format == "ICNS"
        assert icns.size == (1024, 1024)
    with Image.open(tmp_path / "myocase.png") as png:
        assert png.size == (256, 256)
        assert png.convert("RGBA").getpixel((0, 0))[3] == 0  # transparent outside the rounded square
        assert png.convert("RGBA").getpixel((20, 128)) == (0x00, 0x72, 0xB2, 255)  # the blue border
    for size in (16, 48, 512):
        with Image.open(tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "myocase.png") as icon:
            assert icon.size == (size, size)
    assert (tmp_path / "hicolor" / "scalable" / "apps" / "myocase.svg").read_bytes() == (
        ROOT / "resources" / "myocase.svg"
    ).read_bytes()


@pytest.fixture(scope="module")
def licences():  # type: ignore[no-untyped-def]
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (the licence step runs inside it)")
    return load("licences")


def _module_file(name: str) -> str:
    spec = importlib.util.find_spec(name)
    assert spec is not None
    assert spec.origin is not None
    return spec.origin


def test_each_bundled_file_is_traced_to_its_licence(licences, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    own = tmp_path / "own"
    own.mkdir()
    (own / "launcher.py").write_text("")
    sources = [_module_file("numpy"), _module_file("PySide6.QtCore"), str(own / "launcher.py")]
    found = {licences.canonical(c.name): c for c in licences.components(sources, own_folders=[own])}
    assert {"myocase", "numpy", "pyside6-essentials", "pyinstaller", "dejavu fonts"} <= set(found)
    assert "LICENSE" in found["myocase"].texts
    assert "LICENSE.txt" in found["numpy"].texts
    assert found["pyinstaller"].licence == "GPL-2.0-or-later WITH Bootloader-exception"
    qt = found["pyside6-essentials"]
    assert {"LGPL-3.0.txt", "GPL-3.0.txt"} <= set(qt.texts)
    assert qt.licence.startswith("LGPL-3.0")
    assert "replace them" in qt.notice
    assert "Source code" in qt.notice
    assert all(path.is_file() for component in found.values() for path in component.texts.values())


def test_a_bundled_file_without_an_owner_stops_the_build(licences, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stray = tmp_path / "stray.bin"
    stray.write_bytes(b"\0")
    with pytest.raises(licences.LicenceError, match=r"stray\.bin"):
        licences.components([str(stray)], own_folders=[])


def test_the_licences_folder_has_an_index_and_one_folder_per_component(licences, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "LICENSES"
    licences.write_licences([_module_file("PySide6.QtCore")], own_folders=[], python_folders=[], out=out)
    index = (out / "README.txt").read_text(encoding="utf-8")
    qt = out / "PySide6-Essentials"
    assert f"{qt.name}/NOTICE.txt says how to replace it" in index
    assert "PySide6_Essentials 6." in index
    assert ": LGPL-3.0-only" in index
    assert (qt / "LGPL-3.0.txt").read_text().lstrip().startswith("GNU LESSER GENERAL PUBLIC LICENSE")
    assert [p.name for p in out.glob("*/COPYING.txt") if p.parent.name.lower() == "pyinstaller"] == [
        "COPYING.txt"
    ]
