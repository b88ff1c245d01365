"""The CDASI v2 site table: 15 sites × 5 items as a model, a spreadsheet-like view, and the
Activity / Damage captions over its columns."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QMenu,
    QTableView,
    QWidget,
)

from ...domain.cdasi import CDASI_SITE_ITEMS, CDASI_SITES, score_problem
from ..fields import ERROR_COLOUR
from ..models import Index

ROLE = Qt.ItemDataRole
HEADER_LABELS = {"erosion": "Erosion /\nulceration"}
KEYS_HELP = (
    "Digits score a cell and move on (a digit above the item's maximum is kept and marked ⚠); arrows move; "
    "Space or a click steps up; Delete clears; right-click lists levels."
)
GROUPS = tuple(
    (caption, [c for c, item in enumerate(CDASI_SITE_ITEMS) if item.damage is damage])
    for caption, damage in (("Activity", False), ("Damage", True))
)


def _rgb(colour: QColor) -> tuple[float, float, float]:
    return colour.redF(), colour.greenF(), colour.blueF()


def levels_text(levels: tuple[str, ...]) -> str:
    return ", ".join(f"{value} {word}" for value, word in enumerate(levels))


def item_tip(index: int) -> str:
    item = CDASI_SITE_ITEMS[index]
    kind = "damage" if item.damage else "activity"
    return f"{item.label} ({kind}), 0–{item.maximum}: {levels_text(item.levels)}."


def describe(row: int, column: int, value: int) -> str:
    item = CDASI_SITE_ITEMS[column]
    wrong = out_of_range(column, value)
    meaning = f"⚠ not a score: this item is 0–{item.maximum}" if wrong else item.levels[value]
    return f"{CDASI_SITES[row]}, {item.label.lower()}: {value} ({meaning})"


def out_of_range(column: int, value: int) -> bool:
    """Not one of the item's scores (above its maximum, or a stored 1.5)."""
    return score_problem(value, CDASI_SITE_ITEMS[column].maximum) is not None


class SiteModel(QAbstractTableModel):
    """The 15 × 5 site items as integers. A digit above an item's maximum is kept as typed and shown
    as a problem ("⚠ 3", in the warning colour): the grid's ``problems()`` names it until it is fixed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values = [[0] * len(CDASI_SITE_ITEMS) for _ in CDASI_SITES]
        self.tint, self.dim = QColor(), QColor()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CDASI_SITES)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CDASI_SITE_ITEMS)

    def data(self, index: Index, role: int = ROLE.DisplayRole) -> Any:
        value = self.values[index.row()][index.column()]
        wrong = out_of_range(index.column(), value)
        if role == ROLE.DisplayRole:
            return f"⚠ {value}" if wrong else str(value)
        if role == ROLE.ForegroundRole and wrong:
            return QColor(ERROR_COLOUR)
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
            tip = f"{site}: score the five items of this site across the row."
            texts: dict[int, str] = {
                ROLE.DisplayRole: site,
                ROLE.AccessibleTextRole: site,
                ROLE.ToolTipRole: tip,
            }
            return texts.get(role)
        item = CDASI_SITE_ITEMS[section]
        label = HEADER_LABELS.get(item.key, item.label)
        texts = {ROLE.DisplayRole: f"{label}\n0–{item.maximum}", ROLE.ToolTipRole: item_tip(section)}
        return {**texts, ROLE.AccessibleTextRole: item_tip(section)}.get(role)

    def set_value(self, row: int, column: int, value: int) -> None:
        if self.values[row][column] != value:
            self.values[row][column] = value
            self.dataChanged.emit(self.index(row, column), self.index(row, column))

    def sites(self) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(row) for row in self.values)

    def set_sites(self, sites: tuple[tuple[int, ...], ...]) -> None:
        self.values = [list(row) for row in sites]
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))


class GridView(QTableView):
    """The site table, driven like a spreadsheet: digits set a cell and move on (so the next digit lands
    where the user meant it, even after a slip); a digit above the item's maximum is kept and marked."""

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
            *(b * (1 - mix) + a * mix for b, a in zip(_rgb(base), _rgb(accent), strict=True))
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
        self.sites.set_value(row, column, value)
        if out_of_range(column, value):
            QApplication.beep()
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
