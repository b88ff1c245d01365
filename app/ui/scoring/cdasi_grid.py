"""The CDASI v2 entry grid: 15 sites × 5 items typed like a spreadsheet, Gottron's block, live totals."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.cdasi import CDASI_ACTIVITY_MAX, CDASI_DAMAGE_MAX, CDASI_SITE_ITEMS, CDASI_SITES, CdasiGrid

ROLE = Qt.ItemDataRole
HEADER_LABELS = {"erosion": "Erosion /\nulceration"}
# Gottron's on hands, periungual and alopecia: (field, label, maximum, levels, accessible name)
EXTRAS: tuple[tuple[str, str, int, tuple[str, ...], str], ...] = (
    ("gottron_erythema", "Erythema", 3, CDASI_SITE_ITEMS[0].levels, "Gottron's on hands: erythema"),
    ("gottron_ulceration", "Ulceration", 1, ("absent", "present"), "Gottron's on hands: ulceration"),
    ("gottron_damage", "Damage", 2, ("absent", "dyspigmentation", "scarring"), "Gottron's on hands: damage"),
    ("periungual", "Periungual", 2, (), "Periungual changes"),
    ("alopecia", "Alopecia", 1, ("absent", "hair loss in the last 30 days"), "Alopecia"),
)
KEYS_HELP = "Digits score a cell and move on; arrows move; Space or a click steps up; Delete clears; right-click lists levels."
GROUPS = tuple(
    (caption, [c for c, item in enumerate(CDASI_SITE_ITEMS) if item.damage is damage])
    for caption, damage in (("Activity", False), ("Damage", True))
)


def levels_text(levels: tuple[str, ...]) -> str:
    return ", ".join(f"{value} {word}" for value, word in enumerate(levels))


def item_tip(index: int) -> str:
    item = CDASI_SITE_ITEMS[index]
    kind = "damage" if item.damage else "activity"
    return f"{item.label} ({kind}), 0–{item.maximum}: {levels_text(item.levels)}."


def describe(row: int, column: int, value: int) -> str:
    item = CDASI_SITE_ITEMS[column]
    return f"{CDASI_SITES[row]}, {item.label.lower()}: {value} ({item.levels[value]})"


class SiteModel(QAbstractTableModel):
    """The 15 × 5 site items as integers; refuses values outside an item's range."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values = [[0] * len(CDASI_SITE_ITEMS) for _ in CDASI_SITES]
        self.tint, self.dim = QColor(), QColor()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CDASI_SITES)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CDASI_SITE_ITEMS)

    def data(self, index: QModelIndex, role: int = ROLE.DisplayRole) -> Any:
        value = self.values[index.row()][index.column()]
        if role == ROLE.DisplayRole:
            return str(value)
        if role == ROLE.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role in (ROLE.ToolTipRole, ROLE.AccessibleTextRole):
            return describe(index.row(), index.column(), value)
        if role == ROLE.FontRole and value:
            font = QFont()
            font.setBold(True)
            return font
        if role == ROLE.ForegroundRole and not value and self.dim.isValid():
            return self.dim
        if role == ROLE.BackgroundRole and CDASI_SITE_ITEMS[index.column()].damage and self.tint.isValid():
            return self.tint
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = ROLE.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            site = CDASI_SITES[section]
            tips = {ROLE.ToolTipRole: f"{site}: score the five items of this site across the row."}
            return {ROLE.DisplayRole: site, ROLE.AccessibleTextRole: site, **tips}.get(role)
        item = CDASI_SITE_ITEMS[section]
        label = HEADER_LABELS.get(item.key, item.label)
        texts = {ROLE.DisplayRole: f"{label}\n0–{item.maximum}", ROLE.ToolTipRole: item_tip(section)}
        return {**texts, ROLE.AccessibleTextRole: item_tip(section)}.get(role)

    def set_value(self, row: int, column: int, value: int) -> bool:
        if not 0 <= value <= CDASI_SITE_ITEMS[column].maximum:
            return False
        if self.values[row][column] != value:
            self.values[row][column] = value
            self.dataChanged.emit(self.index(row, column), self.index(row, column))
        return True

    def sites(self) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(row) for row in self.values)

    def set_sites(self, sites: tuple[tuple[int, ...], ...]) -> None:
        self.values = [list(row) for row in sites]
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))


class GridView(QTableView):
    """The site table, driven like a spreadsheet: digits set a cell (within its maximum) and move on."""

    refused = Signal(str)

    def __init__(self, model: SiteModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sites = model
        self.setModel(model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.setWordWrap(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAccessibleName("CDASI sites and items")
        self.setToolTip(KEYS_HELP)
        self._size_headers()
        self._follow_palette()
        self.setCurrentIndex(model.index(0, 0))
        self.clicked.connect(self._on_clicked)
        self.customContextMenuRequested.connect(self._on_custom_context_menu_requested)

    def _size_headers(self) -> None:
        columns, rows = self.horizontalHeader(), self.verticalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        columns.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("Poikiloderma") + 12)
        columns.setHighlightSections(True)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def _follow_palette(self) -> None:
        """Damage columns get a faint tint of the highlight colour, zeros the placeholder colour."""
        palette, model = self.palette(), self.sites
        base, accent = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Highlight)
        mix = 0.12
        model.tint = QColor.fromRgbF(
            *(b * (1 - mix) + a * mix for b, a in zip(base.getRgbF()[:3], accent.getRgbF()[:3], strict=True))
        )
        model.dim = palette.color(QPalette.ColorRole.PlaceholderText)

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._follow_palette()

    def sizeHint(self) -> QSize:
        """Every site and item visible, columns at their narrowest."""
        rows, columns, frame = self.verticalHeader(), self.horizontalHeader(), 2 * self.frameWidth()
        width = rows.sizeHint().width() + len(CDASI_SITE_ITEMS) * columns.minimumSectionSize()
        return QSize(width + frame, columns.sizeHint().height() + rows.length() + frame)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handle_key(event):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        index, key, text = self.currentIndex(), event.key(), event.text()
        modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        if not index.isValid() or event.modifiers() & modifiers:
            return False
        if len(text) == 1 and text in "0123456789":
            self._type(index.row(), index.column(), int(text))
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.sites.set_value(index.row(), index.column(), 0)
        elif key == Qt.Key.Key_Space:
            self._step(index)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._move_to(min(index.row() + 1, len(CDASI_SITES) - 1), index.column())
        else:
            return False
        return True

    def _type(self, row: int, column: int, value: int) -> None:
        if not self.sites.set_value(row, column, value):
            item = CDASI_SITE_ITEMS[column]
            QApplication.beep()
            self.refused.emit(f"{item.label} is scored 0–{item.maximum}: {value} was not entered.")
            return
        last = column == len(CDASI_SITE_ITEMS) - 1
        if not (last and row == len(CDASI_SITES) - 1):
            self._move_to(row + 1 if last else row, 0 if last else column + 1)

    def _move_to(self, row: int, column: int) -> None:
        self.setCurrentIndex(self.sites.index(row, column))

    def _step(self, index: QModelIndex) -> None:
        """One level up, back to 0 after the item's maximum."""
        model, column = self.sites, index.column()
        value = model.values[index.row()][column]
        model.set_value(index.row(), column, (value + 1) % (CDASI_SITE_ITEMS[column].maximum + 1))

    def _on_clicked(self, index: QModelIndex) -> None:
        self._step(index)

    def _on_custom_context_menu_requested(self, position: QPoint) -> None:
        index = self.indexAt(position)
        if not index.isValid():
            return
        menu = QMenu(self)
        for value, word in enumerate(CDASI_SITE_ITEMS[index.column()].levels):
            action = menu.addAction(f"{value}  {word}")
            action.triggered.connect(
                lambda _=False, v=value: self.sites.set_value(index.row(), index.column(), v)
            )
        menu.exec(self.viewport().mapToGlobal(position))


class GroupBand(QWidget):
    """The captions "Activity" and "Damage" over their columns, above the table's header."""

    def __init__(self, view: QTableView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setFixedHeight(self.fontMetrics().height() + 6)
        header = view.horizontalHeader()
        header.sectionResized.connect(self.update)
        header.geometriesChanged.connect(self.update)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        header = self.view.horizontalHeader()
        offset = self.view.frameWidth() + self.view.verticalHeader().width()
        for caption, columns in GROUPS:
            left = offset + header.sectionViewportPosition(columns[0]) + 3
            right = offset + header.sectionViewportPosition(columns[-1]) + header.sectionSize(columns[-1]) - 3
            painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
            painter.drawLine(left, self.height() - 2, right, self.height() - 2)
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRect(left, 0, right - left, self.height() - 3), Qt.AlignmentFlag.AlignCenter, caption
            )


def score_box(maximum: int, levels: tuple[str, ...], name: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setAccessibleName(name)
    box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    box.setToolTip(f"{name}, 0–{maximum}" + (f": {levels_text(levels)}." if levels else "."))
    return box


class CdasiGridEditor(QWidget):
    """Every CDASI v2 item, with the activity and damage totals updated on each edit.

    Signals: ``changed`` after any edit, and once after ``set_grid`` when the grid differs.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, undoubled_gottron_counts: bool = True) -> None:
        super().__init__(parent)
        self.undoubled_gottron_counts = undoubled_gottron_counts
        self._quiet = False
        self.model = SiteModel(self)
        self.table = GridView(self.model)
        self.totals = QLabel()
        self.totals.setAccessibleName("CDASI totals")
        font = self.totals.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.totals.setFont(font)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Current CDASI item")
        self.spins = {key: score_box(top, levels, name) for key, _, top, levels, name in EXTRAS}
        self.papules = QCheckBox("Papules present")
        self.papules.setAccessibleName("Gottron's on hands: papules present")
        self.papules.setToolTip("Gottron's papules on the hands: their erythema score counts double.")
        self.gottron_points = QLabel()
        self._lay_out()
        self._connect()
        self._refresh()

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.totals)
        layout.addWidget(GroupBand(self.table))
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        keys = QLabel(KEYS_HELP)
        keys.setWordWrap(True)
        keys.setEnabled(False)  # secondary text in the system palette
        layout.addWidget(keys)
        layout.addSpacing(6)
        layout.addLayout(self._extras_layout())
        layout.addStretch(1)
        chain = [self.table, self.spins["gottron_erythema"], self.papules, *list(self.spins.values())[1:]]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _extras_layout(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.addWidget(QLabel("Gottron's on hands:"), 0, 0)
        grid.addWidget(QLabel("Nails and scalp:"), 2, 0)
        positions = {"gottron_erythema": (0, 1), "gottron_ulceration": (0, 3), "gottron_damage": (0, 5),
                     "periungual": (2, 1), "alopecia": (2, 3)}  # fmt: skip
        for key, label, top, _, _ in EXTRAS:
            row, column = positions[key]
            caption = QLabel(f"{label} (0–{top})")
            caption.setBuddy(self.spins[key])
            grid.addWidget(caption, row, column, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(self.spins[key], row, column + 1)
        papules = QHBoxLayout()
        papules.addWidget(self.papules)
        papules.addWidget(self.gottron_points)
        papules.addStretch(1)
        grid.addLayout(papules, 1, 2, 1, 5)
        grid.setColumnStretch(7, 1)
        return grid

    def _connect(self) -> None:
        self.model.dataChanged.connect(self._on_edited)
        self.table.refused.connect(self._on_refused)
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        self.papules.toggled.connect(self._on_edited)
        for box in self.spins.values():
            box.valueChanged.connect(self._on_edited)

    # ------------------------------------------------------------ values
    def grid(self) -> CdasiGrid:
        values = {key: box.value() for key, box in self.spins.items()}
        return CdasiGrid(sites=self.model.sites(), gottron_papules=self.papules.isChecked(), **values)

    def set_grid(self, grid: CdasiGrid | None) -> None:
        """Show ``grid`` (None: every item 0). Raises ValueError for values outside their range."""
        grid = grid or CdasiGrid()
        if problems := grid.problems():
            raise ValueError(" ".join(problems))
        before = self.grid()
        self._quiet = True
        try:
            self.model.set_sites(grid.sites)
            self.papules.setChecked(grid.gottron_papules)
            for key, box in self.spins.items():
                box.setValue(getattr(grid, key))
        finally:
            self._quiet = False
        self._refresh()
        if grid != before:
            self.changed.emit()

    def totals_now(self) -> tuple[int, int]:
        """(activity, damage) of the grid as shown, with the series' Gottron's setting."""
        grid = self.grid()
        return grid.activity_score(self.undoubled_gottron_counts), grid.damage

    # ------------------------------------------------------------ slots
    def _refresh(self) -> None:
        activity, damage = self.totals_now()
        self.totals.setText(
            f"Activity {activity} / {CDASI_ACTIVITY_MAX} · Damage {damage} / {CDASI_DAMAGE_MAX}"
        )
        erythema, papules = self.spins["gottron_erythema"].value(), self.papules.isChecked()
        factor = 2 if papules else int(self.undoubled_gottron_counts)
        self.gottron_points.setText(f"→ {erythema * factor} points" + (" (erythema × 2)" if papules else ""))
        self._on_current_changed(self.table.currentIndex())

    def _on_edited(self) -> None:
        if self._quiet:
            return
        self._refresh()
        self.changed.emit()

    def _on_refused(self, message: str) -> None:
        self.status.setText(f"⚠ {message}")

    def _on_current_changed(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        item = CDASI_SITE_ITEMS[index.column()]
        value = self.model.values[index.row()][index.column()]
        self.status.setText(
            f"{describe(index.row(), index.column(), value)}. Levels: {levels_text(item.levels)}."
        )
