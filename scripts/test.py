"""Install MyoCase with its test tools into .venv if needed, then run every check and the tests: once
on SQLite files, then again on a throwaway PostgreSQL server of its own (started here, stopped, deleted)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _bootstrap import ensure_installed, run, venv_bin

PG_PORT = 55432  # only names the socket file: the server listens on no network port
PG_SEARCH = ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/opt/homebrew/opt/postgresql*/bin")


def _pg_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl): on the PATH, else the newest one found."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    folders = [p for pattern in PG_SEARCH for p in Path("/").glob(pattern[1:]) if (p / "initdb").exists()]
    return max(folders, key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)], default=None)


def _install_postgres() -> None:
    """Debian's server package, when this runs as root on a machine with apt-get (as CI does)."""
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    print("Installing PostgreSQL (apt-get install postgresql) for the server pass …", flush=True)
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"]
    if subprocess.run(install, env=quiet, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=quiet, capture_output=True, check=False)
        subprocess.run(install, env=quiet, capture_output=True, check=False)


def _as_server_user(folder: Path) -> list[str] | None:
    """PostgreSQL refuses to run as root: as root, its programs run as the postgres user, who gets ``folder``
    (None: there is no such user); as anyone else, as themselves."""
    if os.name != "posix" or os.geteuid() != 0:
        return []
    import pwd  # POSIX only

    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        return None
    os.chown(folder, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def _pg(as_user: list[str], program: Path, *arguments: object) -> subprocess.CompletedProcess[str]:
    command = [*as_user, str(program), *map(str, arguments)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _start(pg_bin: Path, folder: Path, as_user: list[str]) -> None:
    """A new cluster in ``folder``/data, started on a socket in ``folder``; else the run stops, saying why."""
    data, log = folder / "data", folder / "server.log"
    options = (
        f"-k {folder} -c listen_addresses= -p {PG_PORT} -F -c full_page_writes=off -c synchronous_commit=off"
    )
    initdb = ("-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
    start = ("-D", data, "-l", log, "-w", "-t", "60", "-o", options, "start")
    for program, arguments in (("initdb", initdb), ("pg_ctl", start)):
        done = _pg(as_user, pg_bin / program, *arguments)
        if done.returncode != 0:
            logged = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            sys.exit(f"FAILED: starting PostgreSQL ({program}):\n{done.stdout}{done.stderr}{logged}")


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """A PostgreSQL server in a temporary folder, reached through a Unix socket there (trust for local
    connections, no durability: it lives for one test run); yields its URL, or None with one line saying why.
    The server is stopped and its folder deleted however the run ends (a failure, Ctrl+C)."""
    pg_bin = _pg_bin()
    if pg_bin is None:
        _install_postgres()
        pg_bin = _pg_bin()
    if pg_bin is None:
        print("PostgreSQL's server programs (initdb, pg_ctl) were not found: the server pass is skipped.")
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="myocase-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
    as_user = _as_server_user(folder)
    try:
        if as_user is None:
            print(
                "There is no postgres user to run PostgreSQL as (never as root): the server pass is skipped."
            )
            yield None
            return
        _start(pg_bin, folder, as_user)
        yield f"postgresql+psycopg://postgres@/postgres?host={folder}&port={PG_PORT}"
    finally:
        if as_user is not None and (folder / "data" / "postmaster.pid").exists():
            _pg(as_user, pg_bin / "pg_ctl", "-D", folder / "data", "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ensure_installed("test")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.pop("MYOCASE_TEST_SERVER_URL", None)  # the first pass is on files
    steps = [
        ("ruff lint", [venv_bin("ruff"), "check", "."]),
        ("ruff format", [venv_bin("ruff"), "format", "--check", "."]),
        ("mypy (pure core)", [venv_bin("mypy")]),
        ("import layering", [venv_bin("lint-imports")]),
        ("pytest (SQLite files)", [venv_bin("pytest"), *sys.argv[1:]]),
    ]
    for name, command in steps:
        print(f"\n=== {name} ===", flush=True)
        if run(*command) != 0:
            sys.exit(f"FAILED: {name}")
    print("\n=== pytest (a PostgreSQL server; tests marked sqlite_only are skipped) ===", flush=True)
    with throwaway_postgres() as url:
        if url is not None:
            os.environ["MYOCASE_TEST_SERVER_URL"] = url
            if run(venv_bin("pytest"), *sys.argv[1:]) != 0:
                sys.exit("FAILED: pytest (PostgreSQL server)")
    print("\nAll checks passed.")


if __name__ == "__main__":
    main()
