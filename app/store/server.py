"""A database server's address: the URL made from the Open server dialog's fields, the short name the window
shows (user@host/database), and the password kept apart from anything written down."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DRIVER = "postgresql+psycopg"
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class ServerAddress:
    """Where a series on a server lives; ``host`` may be a folder holding the server's Unix socket."""

    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT

    def url(self, password: str | None = None) -> str:
        """The URL to connect with (the password in it only when given: never write that one down)."""
        socket = self.host.startswith("/")
        query = {"host": self.host, "port": str(self.port)} if socket else {}
        url = URL.create(
            DRIVER,
            username=self.user or None,
            password=password or None,
            host=None if socket else self.host,
            port=None if socket or self.port == DEFAULT_PORT else self.port,
            database=self.database,
            query=query,
        )
        return url.render_as_string(hide_password=False)

    @property
    def name(self) -> str:
        """user@host/database, as the window names the series (the port only when not the usual one)."""
        port = "" if self.port == DEFAULT_PORT else f":{self.port}"
        return f"{self.user}@{self.host}{port}/{self.database}"

    @property
    def key(self) -> str:
        """The name the system keyring keeps this server's password under."""
        return f"{self.user}@{self.host}:{self.port}"


def is_server(location: str) -> bool:
    return "://" in location and not location.startswith("file:")


def address(url: str) -> ServerAddress:
    """The address of a server URL (a socket folder given as ``?host=``, as libpq takes it)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError(f"{url} is not a database server URL: {exc}") from exc
    query = parsed.query
    host = parsed.host or str(query.get("host") or "localhost")
    port = parsed.port or int(str(query.get("port") or DEFAULT_PORT))
    return ServerAddress(host, parsed.database or "", parsed.username or "", port)


def password_of(url: str) -> str | None:
    return (make_url(url).password or None) if is_server(url) else None


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` in it (for connecting only: never for a file, a setting or a message)."""
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def short_name(location: str) -> str:
    """How the window names a series: user@host/database on a server, else the file's name."""
    if is_server(location):
        return address(location).name
    return location.replace("\\", "/").rsplit("/", 1)[-1]
