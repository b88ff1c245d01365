"""Where a series file lives: whether it can be written (read-only file, folder or mount) and whether it is
on a network share (SMB/CIFS, NFS…), where SQLite's write-ahead log is unsafe. No database library here."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

# File-system types of network shares, as /proc/mounts (Linux) and `mount` (macOS) name them.
NETWORK_TYPES = frozenset(
    {"cifs", "smb", "smb2", "smb3", "smbfs", "nfs", "nfs4", "afpfs", "webdav", "davfs", "ncpfs", "afs",
     "9p", "ceph", "glusterfs", "fuse.sshfs", "fuse.glusterfs", "fuse.ceph", "fuse.rclone"}
)  # fmt: skip
DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a network drive (Windows)


@dataclass(frozen=True)
class Access:
    """How a series file may be used: ``read_only`` says why it cannot be written ("" if it can),
    ``locked`` that nobody can write it (so SQLite may treat it as immutable), ``network`` names the
    share's file-system type ("" on a local disk)."""

    read_only: str = ""
    locked: bool = False
    network: str = ""


def _no_write_bits(path: Path) -> bool:
    """Marked read-only for everyone (chmod a-w, Windows' read-only attribute): honoured even by root."""
    return not stat.S_IMODE(path.stat().st_mode) & 0o222


def _read_only_mount(path: Path) -> bool:
    if not hasattr(os, "statvfs"):
        return False
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def write_protection(path: Path) -> tuple[str, bool]:
    """(why ``path`` cannot be written, "" if it can; whether nobody can write it). SQLite writes beside a
    database too (its journal or write-ahead log), so a read-only folder makes the series read-only."""
    folder = path.parent
    if _read_only_mount(folder):
        return f"{folder} is on a read-only drive", True
    if path.exists() and _no_write_bits(path):
        return "the file is marked read-only", True
    if folder.exists() and _no_write_bits(folder):
        return f"its folder {folder} is read-only", True
    if path.exists() and not os.access(path, os.W_OK):
        return "you do not have permission to change the file", False
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return f"you do not have permission to write in its folder {folder}", False
    return "", False


def _unescape(field: str) -> str:
    """/proc/mounts writes a space, tab, newline and backslash in a path as octal escapes (\\040…)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def linux_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, file-system type) of each line of /proc/mounts."""
    found = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            found.append((_unescape(fields[1]), fields[2]))
    return found


def darwin_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, file-system type) of each line of macOS's `mount`: "//u@host/share on /Volumes/share
    (smbfs, nodev, nosuid, mounted by u)"."""
    found = []
    for line in text.splitlines():
        _device, on, rest = line.partition(" on ")
        if not on or " (" not in rest:
            continue
        point, _, options = rest.rpartition(" (")
        found.append((point, options.split(",")[0].strip(" )")))
    return found


def share_type(path: Path, mounts: Iterable[tuple[str, str]]) -> str:
    """The file-system type of the network share ``path`` is on ("" if it is on none): the mount with the
    longest mount point that contains it decides."""
    best, kind = -1, ""
    for point, fs_type in mounts:
        inside = path == Path(point) or Path(point) in path.parents
        if inside and len(point) > best:
            best, kind = len(point), fs_type
    return kind if kind.lower() in NETWORK_TYPES else ""


def windows_share(path: Path, drive_type: Callable[[str], int]) -> str:
    r"""A UNC path (\\server\share\…) or a drive letter the system calls remote (a mapped network drive)."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "smb"
    root = path.anchor or text[:3]
    return "smb" if root and drive_type(root) == DRIVE_REMOTE else ""


def network_share(path: Path) -> str:
    """The network file-system ``path`` is on, "" on a local disk (best effort outside Linux)."""
    path = path.resolve()
    try:
        if sys.platform.startswith("linux"):
            return share_type(path, linux_mounts(Path("/proc/mounts").read_text()))
        if sys.platform == "win32":
            import ctypes

            return windows_share(path, ctypes.windll.kernel32.GetDriveTypeW)  # type: ignore[attr-defined]
        if sys.platform == "darwin":
            listing = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False)
            return share_type(path, darwin_mounts(listing.stdout))
    except (OSError, subprocess.SubprocessError):
        return ""
    return ""


def access(path: Path) -> Access:
    """How the series file at ``path`` (or to be made there) may be used."""
    why, locked = write_protection(path)
    return Access(read_only=why, locked=locked, network=network_share(path))
