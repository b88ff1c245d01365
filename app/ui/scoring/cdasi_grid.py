"""The CDASI v2 entry grid: 15 sites × 5 items typed like a spreadsheet, Gottron's block, live totals."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ...domain.cdasi import CDASI_ACTIVITY_MAX, CDASI_DAMAGE_MAX, CDASI_SITE_ITEMS, CDASI_SITES, CdasiGrid
from ..fields import ErrorLabel, IntegerField
from .cdasi_table import KEYS_HELP, GridView, GroupBand, SiteModel, describe, levels_text

# Gottron's on hands, periungual and alopecia: (field, label, maximum, levels, accessible name)
EXTRAS: tuple[tuple[str, str, int, tuple[str, ...], str], ...] = (
    ("gottron_erythema", "Erythema", 3, CDASI_SITE_ITEMS[0].levels, "Gottron's on hands: erythema"),
    ("gottron_ulceration", "Ulceration", 1, ("absent", "present"), "Gottron's on hands: ulceration"),
    ("gottron_damage", "Damage", 2, ("absent", "dyspigmentation", "scarring"), "Gottron's on hands: damage"),
    ("periungual", "Periungual", 2, (), "Periungual changes"),
    ("alopecia", "Alopecia", 1, ("absent", "hair loss in the last 30 days"), "Alopecia"),
)


def score_box(maximum: int, levels: tuple[str, ...], name: str) -> IntegerField:
    """A Gottron's, nail or scalp item: 0 until scored; 5 for a 0–2 item is kept and reported."""
    box = IntegerField(low=0, high=maximum, chars=1, placeholder="0")
    box.set_name(name)
    box.set_value(0)
    box.line.setToolTip(f"{name}, 0–{maximum}" + (f": {levels_text(levels)}." if levels else "."))
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
        self.error = ErrorLabel()
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
        layout.addWidget(self.error)
        keys = QLabel(KEYS_HELP)
        keys.setWordWrap(True)
        keys.setEnabled(False)  # secondary text in the system palette
        layout.addWidget(keys)
        layout.addSpacing(6)
        layout.addLayout(self._extras_layout())
        layout.addStretch(1)

    def _extras_layout(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.addWidget(QLabel("Gottron's on hands:"), 0, 0)
        grid.addWidget(QLabel("Nails and scalp:"), 2, 0)
        positions = {"gottron_erythema": (0, 1), "gottron_ulceration": (0, 3), "gottron_damage": (0, 5),
                     "periungual": (2, 1), "alopecia": (2, 3)}  # fmt: skip
        papules = QHBoxLayout()
        papules.addWidget(self.papules)
        papules.addWidget(self.gottron_points)
        papules.addStretch(1)
        # The order widgets enter the layout is the Tab order: erythema, papules, then the others.
        for key, label, top, _, _ in EXTRAS:
            row, column = positions[key]
            caption = QLabel(f"{label} (0–{top})")
            caption.setBuddy(self.spins[key])
            grid.addWidget(caption, row, column, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(self.spins[key], row, column + 1)
            if key == "gottron_erythema":
                grid.addLayout(papules, 1, 2, 1, 5)
        grid.setColumnStretch(7, 1)
        return grid

    def _connect(self) -> None:
        self.model.dataChanged.connect(self._on_edited)
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        self.papules.toggled.connect(self._on_edited)
        for box in self.spins.values():
            box.edited.connect(self._on_edited)

    # ------------------------------------------------------------ values
    def grid(self) -> CdasiGrid:
        """The grid as entered; an item whose text has a problem counts as 0 here (``problems`` says which)."""
        values = {key: box.value_or_none() or 0 for key, box in self.spins.items()}
        return CdasiGrid(sites=self.model.sites(), gottron_papules=self.papules.isChecked(), **values)

    def problems(self) -> list[str]:
        """Scores outside their item's range and items left empty, in words."""
        found = CdasiGrid(sites=self.model.sites()).problems()
        for key, _, top, _, name in EXTRAS:
            box = self.spins[key]
            if message := box.problem() or (
                "" if box.line.text().strip() else f"{name}: type 0–{top} (0 if absent)."
            ):
                found.append(message)
        return found

    def is_blank(self) -> bool:
        """Nothing scored and nothing typed (every item 0)."""
        typed = all(box.line.text().strip() == "0" for box in self.spins.values())
        return typed and self.grid() == CdasiGrid()

    def set_grid(self, grid: CdasiGrid | None) -> None:
        """Show ``grid`` (None: every item 0). A stored score off its item's range is shown as it is and
        reported, so it can be fixed. Raises ValueError for a grid of the wrong shape."""
        grid = grid or CdasiGrid()
        if len(grid.sites) != len(CDASI_SITES) or any(
            len(site) != len(CDASI_SITE_ITEMS) for site in grid.sites
        ):
            raise ValueError(" ".join(grid.problems()) or "The grid needs 5 items at each site.")
        before = self.grid()
        self._quiet = True
        try:
            self.model.set_sites(grid.sites)
            self.papules.setChecked(grid.gottron_papules)
            for key, box in self.spins.items():
                box.set_value(getattr(grid, key))
        finally:
            self._quiet = False
        self._refresh()
        if grid != before:
            self.changed.emit()

    def totals_now(self) -> tuple[int | None, int | None]:
        """(activity, damage) of the grid as shown, with the series' Gottron's setting; (None, None)
        while a score has a problem (a total of wrong scores is no total)."""
        if self.problems():
            return None, None
        grid = self.grid()
        return grid.activity_score(self.undoubled_gottron_counts), grid.damage

    # ------------------------------------------------------------ slots
    def _refresh(self) -> None:
        activity, damage = self.totals_now()
        self.totals.setText(
            f"Activity {activity} / {CDASI_ACTIVITY_MAX} · Damage {damage} / {CDASI_DAMAGE_MAX}"
            if activity is not None
            else "No totals until the scores marked ⚠ are fixed"
        )
        self.error.show_problem(" ".join(self.problems()) or None)
        erythema, papules = self.spins["gottron_erythema"].value_or_none() or 0, self.papules.isChecked()
        factor = 2 if papules else int(self.undoubled_gottron_counts)
        self.gottron_points.setText(f"→ {erythema * factor} points" + (" (erythema × 2)" if papules else ""))
        self._on_current_changed(self.table.currentIndex())

    def _on_edited(self) -> None:
        if self._quiet:
            return
        self._refresh()
        self.changed.emit()

    def _on_current_changed(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        item = CDASI_SITE_ITEMS[index.column()]
        value = self.model.values[index.row()][index.column()]
        self.status.setText(
            f"{describe(index.row(), index.column(), value)}. Levels: {levels_text(item.levels)}."
        )
