"""File → Backups…: where the series' backups live, the automatic ones listed, how many are kept, Back up now."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..services import backup
from ..store.database import StorageError
from .controller import Controller
from .dialogs import close_with_keys, fit_size

MAX_KEPT = 365


def _size(path: Path) -> str:
    size = path.stat().st_size if path.exists() else 0
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


def explanation(controller: Controller) -> str:
    """What happens to this series' backups, in words."""
    book = controller.book
    if book.path is None:
        return (
            "This series is on a database server, which keeps its own backups. File → Back up… writes a portable "
            "copy of it (a MyoCase series file) that `myocase restore` loads into a file or a server."
        )
    if book.read_only:
        return (
            f"This series is opened read-only ({book.read_only}): it cannot change, so it is not backed up "
            "automatically. File → Back up… still writes a copy where you choose."
        )
    return (
        "A checked copy of the series (SQLite's integrity check, its schema) is made when you close the window "
        "after changes, and once a day when it is opened. Copies made before an update to a new MyoCase "
        f"({book.path.stem}.backup-…) and before a restore ({book.path.stem}.before-restore-…) are kept beside "
        "the series file."
    )


class BackupsDialog(QDialog):
    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="BackupsDialog", windowTitle="Backups")
        self.controller = controller
        path = controller.book.path
        self.folder = backup.backup_folder(path) if path is not None else None
        self.where = QLabel(
            f"Automatic backups are kept in:<br><code>{self.folder}</code>" if self.folder else "",
            textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse,
        )
        self.about = QLabel(explanation(controller), wordWrap=True)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Made", "File", "Size"])
        self.list.setRootIsDecorated(False)
        self.list.setAccessibleName("Automatic backups")
        self.keep = QSpinBox(minimum=1, maximum=MAX_KEPT, suffix=" backups", accessibleName="Backups kept")
        self.keep.setValue(backup.keep_setting(controller.book))
        self.keep.setToolTip("The oldest automatic backups beyond this number are removed")
        self.keep.editingFinished.connect(self.save_keep)
        self.open_button = QPushButton("Open the folder", clicked=self.open_folder)
        self.now_button = QPushButton("Back up now", clicked=self.back_up_now)
        self._lay_out()
        automatic = backup.backs_up(controller.book)
        for widget in (self.keep, self.now_button):
            widget.setEnabled(automatic)
        for widget in (self.where, self.list):
            widget.setVisible(automatic)
        self.open_button.setEnabled(self.folder is not None and self.folder.is_dir())
        self.refresh()
        fit_size(self, 640, 420)
        close_with_keys(self)

    def _lay_out(self) -> None:
        keep_row = QHBoxLayout()
        keep_row.addWidget(QLabel("Keep the last"))
        keep_row.addWidget(self.keep)
        keep_row.addStretch(1)
        keep_row.addWidget(self.now_button)
        keep_row.addWidget(self.open_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.close)
        column = QVBoxLayout(self)
        for widget in (self.where, self.about):
            column.addWidget(widget)
        column.addWidget(self.list, 1)
        column.addLayout(keep_row)
        column.addWidget(buttons)

    def refresh(self) -> None:
        self.list.clear()
        path = self.controller.book.path
        for made, file in backup.automatic_backups(path) if path is not None else []:
            item = QTreeWidgetItem([made.strftime("%Y-%m-%d %H:%M"), file.name, _size(file)])
            item.setToolTip(1, str(file))
            self.list.addTopLevelItem(item)
        for column in range(3):
            self.list.resizeColumnToContents(column)
        self.open_button.setEnabled(self.folder is not None and self.folder.is_dir())

    def save_keep(self) -> None:
        keep = self.keep.value()
        if keep != backup.keep_setting(self.controller.book):
            self.controller.save_preference(
                backup.KEEP_KEY, backup.keep_value(keep), f"Automatic backups kept: the last {keep}"
            )

    def back_up_now(self) -> Path | None:
        path = self.controller.book.path
        if path is None:
            return None
        try:
            made = backup.automatic_backup(path, backup.keep_setting(self.controller.book), datetime.now())
        except StorageError as exc:
            self.about.setText(str(exc))
            return None
        self.refresh()
        self.controller.message.emit(f"Backup written to {made}")
        return made

    def open_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))
