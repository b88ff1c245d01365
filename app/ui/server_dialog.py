"""File → Open server…: a department's series on a PostgreSQL server (host, port, database, user). The password
comes from the system keyring when one is there and the user let it keep it, else it is typed each time; it is
never written to a file or a setting."""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..store.database import StorageError
from ..store.server import DEFAULT_PORT, ServerAddress, address, is_server, password_of, with_password
from .fields import ErrorLabel

log = logging.getLogger(__name__)

KEYRING_SERVICE = "MyoCase"
LAST_SERVER = "last_server"  # QSettings: the URL of the server opened last, never with a password
NO_KEYRING = "No system keyring is available here: the password is asked each time."


def _keyring() -> Any | None:
    """The ``keyring`` module when it has a working store behind it (not the fail-safe placeholder)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # the optional extra myocase[server] is not installed
        return None
    try:
        return None if isinstance(keyring.get_keyring(), fail.Keyring) else keyring
    except Exception:  # a keyring backend that cannot start (no session bus…): as if there were none
        log.warning("The system keyring cannot be used", exc_info=True)
        return None


def stored_password(server: ServerAddress) -> str | None:
    """The password the system keyring keeps for ``server``, if any."""
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        found = keyring.get_password(KEYRING_SERVICE, server.key)
    except Exception:  # a locked or broken keyring: ask instead
        log.warning("Reading the password from the system keyring failed", exc_info=True)
        return None
    return str(found) if found else None


def keep_password(server: ServerAddress, password: str) -> bool:
    """Keep ``password`` in the system keyring for ``server``; False when there is no keyring to keep it."""
    keyring = _keyring()
    if keyring is None:
        return False
    try:
        keyring.set_password(KEYRING_SERVICE, server.key, password)
    except Exception:
        log.warning("Writing the password to the system keyring failed", exc_info=True)
        return False
    return True


def connectable(location: str) -> str:
    """``location`` ready to connect: a server URL without a password gets the one the keyring keeps."""
    if not is_server(location) or password_of(location) is not None:
        return location
    password = stored_password(address(location))
    return with_password(location, password) if password else location


class ServerDialog(QDialog):
    """Asks where the series is; Open calls ``opener`` with the URL (with the password, to connect only) and
    stays open with the reason when the server refuses."""

    def __init__(self, opener: Callable[[str], object], parent: QWidget | None = None) -> None:
        super().__init__(parent, windowTitle="Open a series on a server")
        self.setObjectName("ServerDialog")
        self.setMinimumWidth(460)
        self.opener = opener
        self.host, self.database, self.user = QLineEdit(), QLineEdit(), QLineEdit()
        self.port = QSpinBox(minimum=1, maximum=65535, value=DEFAULT_PORT)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Keep the password in the system keyring")
        self.error = ErrorLabel()
        self._lay_out()
        self._fill(str(QSettings().value(LAST_SERVER, "") or ""))

    def _lay_out(self) -> None:
        form = QFormLayout()
        self.host.setPlaceholderText("db.hospital.example, or the folder of its socket")
        self.database.setPlaceholderText("myocase")
        has_keyring = _keyring() is not None
        self.password.setPlaceholderText(
            "from the system keyring, if kept there" if has_keyring else "only if the server asks for one"
        )
        self.remember.setEnabled(has_keyring)
        self.remember.setToolTip("" if has_keyring else NO_KEYRING)
        for label, widget in (("Server:", self.host), ("Port:", self.port), ("Database:", self.database),
                              ("User:", self.user), ("Password:", self.password), ("", self.remember)):  # fmt: skip
            form.addRow(label, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.open_server)
        buttons.rejected.connect(self.reject)
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        column = QVBoxLayout(self)
        note = QLabel("A series that several clinicians share. The password is never written to a file.")
        note.setWordWrap(True)
        for widget in (note, self.error):
            column.addWidget(widget)
        column.insertLayout(1, form)
        column.addWidget(buttons)

    def _fill(self, last_url: str) -> None:
        """Where the server opened last was, else only the user's login name."""
        last = address(last_url) if is_server(last_url) else ServerAddress("", "", "")
        self.host.setText(last.host)
        self.port.setValue(last.port)
        self.database.setText(last.database)
        self.user.setText(last.user or getpass.getuser())

    def server(self) -> ServerAddress | None:
        """The address typed, or None with the missing field named under the form."""
        fields = (("Server", self.host), ("Database", self.database), ("User", self.user))
        missing = [name for name, box in fields if not box.text().strip()]
        if missing:
            self.error.show_problem(f"{' and '.join(missing)} must be given.")
            return None
        host, database, user = (box.text().strip() for _, box in fields)
        return ServerAddress(host, database, user, self.port.value())

    def open_server(self) -> bool:
        """Open the series on the server typed; True when it opened (the dialog then closes)."""
        server = self.server()
        if server is None:
            return False
        typed = self.password.text()
        password = typed or stored_password(server)
        try:
            self.opener(server.url(password))
        except StorageError as exc:
            asks = "password" in str(exc).lower() and not typed
            self.error.show_problem(f"{exc}" + ("\nType the server's password above." if asks else ""))
            return False
        QSettings().setValue(LAST_SERVER, server.url())
        if typed and self.remember.isChecked():
            keep_password(server, typed)
        self.accept()
        return True
