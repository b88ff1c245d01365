"""The window on a department's server: `myocase URL` opens the server's series (named user@host/database in
the title and the status bar), File → Open server… asks where, and the password stays in the system keyring."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from myocase.cli import parse_args
from myocase.domain.records import SeriesSettings
from myocase.store.casebook import Casebook
from myocase.store.database import StorageError
from myocase.store.server import ServerAddress, address, password_of
from myocase.ui import server_dialog
from myocase.ui.application import open_start_database
from myocase.ui.controller import Controller
from myocase.ui.main_window import MainWindow
from myocase.ui.server_dialog import LAST_SERVER, ServerDialog, connectable
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from tests.factories import TODAY, make_patient

SECRET = "correct horse battery staple"


class FakeKeyring:
    """The system keyring: what was kept, and what was asked."""

    def __init__(self, kept: dict[str, str] | None = None) -> None:
        self.kept = dict(kept or {})

    def get_password(self, service: str, key: str) -> str | None:
        return self.kept.get(f"{service}/{key}")

    def set_password(self, service: str, key: str, password: str) -> None:
        self.kept[f"{service}/{key}"] = password


@pytest.fixture
def keyring(monkeypatch: pytest.MonkeyPatch) -> FakeKeyring:
    kept = FakeKeyring()
    monkeypatch.setattr(server_dialog, "_keyring", lambda: kept)
    return kept


def _settings_text() -> str:
    path = Path(QSettings().fileName())
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_the_window_opened_with_a_server_url_shows_the_servers_patients(
    qtbot, qapp: QApplication, server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    written = Casebook.connect(server_url, today=lambda: TODAY)
    written.save_settings(SeriesSettings(name="Department series", cutoff=date(2023, 6, 30)))
    written.save_patient(make_patient("SRV-01"))
    written.close()
    monkeypatch.chdir(tmp_path)  # a file named like the URL would appear here
    location = parse_args([server_url]).db  # `myocase URL`, as a desktop entry or a terminal gives it
    book, note = open_start_database(location, tmp_path / "default.sqlite")
    window = MainWindow(Controller(book))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert note == ""
        assert book.path is None  # on the server, not in a local file
        assert window.patients.visible_study_ids() == ["SRV-01"]
        server = address(server_url).name  # user@host/database
        assert window.windowTitle() == f"MyoCase — Department series — {server}"
        assert window.db_label.text().startswith(f"Server {server}  ·  cut-off 2023-06-30")
        assert list(tmp_path.iterdir()) == []  # no local series was made anywhere
    finally:
        window.close()
        book.close()


def test_a_server_url_without_its_password_gets_the_one_the_keyring_keeps(
    keyring: FakeKeyring, server_url: str
) -> None:
    server = address(server_url)
    keyring.set_password(server_dialog.KEYRING_SERVICE, server.key, SECRET)
    ready = connectable(server_url)
    assert password_of(ready) == SECRET
    assert connectable(ready) == ready  # a password given in the URL is kept as given
    book = Casebook.connect(ready)  # the test server trusts its socket: any password is let in
    try:
        assert SECRET not in book.location
    finally:
        book.close()


def _type_server(qtbot, dialog: ServerDialog, password: str = "") -> None:  # type: ignore[no-untyped-def]
    for box, text in ((dialog.host, "db.ward.example"), (dialog.database, "myositis"), (dialog.user, "ann")):
        box.clear()
        qtbot.keyClicks(box, text)
    if password:
        qtbot.keyClicks(dialog.password, password)


def test_open_server_gives_the_url_keeps_the_password_in_the_keyring_and_nowhere_else(
    qtbot, qapp: QApplication, keyring: FakeKeyring
) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    dialog = ServerDialog(opened.append)
    qtbot.addWidget(dialog)
    dialog.show()
    _type_server(qtbot, dialog, SECRET)
    dialog.port.setValue(5433)
    assert dialog.remember.isEnabled()
    qtbot.mouseClick(dialog.remember, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1
    assert address(opened[0]) == ServerAddress("db.ward.example", "myositis", "ann", 5433)
    assert password_of(opened[0]) == SECRET
    assert keyring.kept == {"MyoCase/ann@db.ward.example:5433": SECRET}
    QSettings().sync()
    assert QSettings().value(LAST_SERVER) == "postgresql+psycopg://ann@db.ward.example:5433/myositis"
    assert SECRET not in _settings_text()
    again = ServerDialog(opened.append)  # the next time: where, and the password from the keyring
    qtbot.addWidget(again)
    again.show()
    assert (again.host.text(), again.port.value(), again.user.text()) == ("db.ward.example", 5433, "ann")
    assert again.password.text() == ""
    qtbot.mouseClick(again.open_button, Qt.MouseButton.LeftButton)
    assert password_of(opened[-1]) == SECRET


def test_a_refusing_server_keeps_the_dialog_open_with_the_reason(
    qtbot, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(server_dialog, "_keyring", lambda: None)

    def refuse(url: str) -> Any:
        raise StorageError("Cannot reach the database server: fe_sendauth: no password supplied")

    dialog = ServerDialog(refuse)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.remember.isEnabled()  # no keyring here: the password is asked each time
    assert dialog.remember.toolTip() == server_dialog.NO_KEYRING
    dialog.user.clear()
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text().endswith("must be given.")
    _type_server(qtbot, dialog)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "no password supplied" in dialog.error.text()
    assert dialog.error.text().endswith("Type the server's password above.")
