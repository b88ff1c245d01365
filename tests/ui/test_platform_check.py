"""Before Qt starts: the display check names what to set or install, and stays quiet when a window can open."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from myocase.ui import platform_check as pc


@pytest.fixture
def linux_x11(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(pc.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    return monkeypatch


def test_other_systems_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pc.sys, "platform", "win32")
    monkeypatch.delenv("DISPLAY", raising=False)
    assert pc.display_problem() is None


@pytest.mark.parametrize("platform", ["offscreen", "wayland", "vnc"])
def test_a_chosen_platform_other_than_xcb_is_respected(linux_x11: pytest.MonkeyPatch, platform: str) -> None:
    linux_x11.setenv("QT_QPA_PLATFORM", platform)
    linux_x11.delenv("DISPLAY")
    assert pc.display_problem() is None


def test_a_wayland_session_is_left_to_qt(linux_x11: pytest.MonkeyPatch) -> None:
    linux_x11.setenv("WAYLAND_DISPLAY", "wayland-0")
    linux_x11.delenv("DISPLAY")
    assert pc.display_problem() is None


def test_no_display_says_how_to_get_one(linux_x11: pytest.MonkeyPatch) -> None:
    linux_x11.delenv("DISPLAY")
    message = pc.display_problem()
    assert message is not None
    assert "DISPLAY is not set" in message
    assert "ssh -X" in message


def test_missing_xcb_libraries_are_named_with_their_packages(linux_x11: pytest.MonkeyPatch) -> None:
    linux_x11.setattr(pc, "missing_xcb_libraries", lambda: ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0"])
    message = pc.display_problem()
    assert message is not None
    assert "libxcb-cursor.so.0, libxkbcommon-x11.so.0" in message
    assert "sudo apt-get install libxcb-cursor0 libxkbcommon-x11-0" in message


def test_a_display_with_every_library_is_fine(linux_x11: pytest.MonkeyPatch) -> None:
    linux_x11.setattr(pc, "missing_xcb_libraries", lambda: [])
    assert pc.display_problem() is None


def test_an_unknown_soname_is_named_as_it_is() -> None:
    assert "sudo apt-get install libfoo.so.9" in pc.install_hint(["libfoo.so.9"])


def test_ldd_not_found_lines_and_the_runtime_loaded_cursor_library_are_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ldd_output = (
        "\tlinux-vdso.so.1 (0x00007ffd)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)\n"
    )
    monkeypatch.setattr(pc.shutil, "which", lambda name: "/usr/bin/ldd")
    monkeypatch.setattr(
        pc.subprocess,
        "run",
        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=ldd_output, stderr=""),
    )
    monkeypatch.setattr(pc, "_loadable", lambda soname: False)
    assert pc.missing_xcb_libraries(tmp_path / "libqxcb.so") == ["libxcb-cursor.so.0", "libxcb-icccm.so.4"]


def test_without_ldd_only_the_runtime_loaded_library_is_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pc.shutil, "which", lambda name: None)
    monkeypatch.setattr(pc, "_loadable", lambda soname: True)
    assert pc.missing_xcb_libraries(tmp_path / "libqxcb.so") == []


@pytest.mark.skipif(not pc.sys.platform.startswith("linux"), reason="the xcb plugin ships on Linux only")
def test_the_installed_pyside6_plugin_is_found_and_checked_without_error() -> None:
    plugin = pc._xcb_plugin()
    assert plugin is not None
    assert plugin.name == "libqxcb.so"
    assert all(name.startswith("lib") for name in pc.missing_xcb_libraries(plugin))


def test_a_library_that_cannot_be_opened_is_not_loadable() -> None:
    assert pc._loadable("libsurely-not-a-real-library-myocase.so.7") is False
