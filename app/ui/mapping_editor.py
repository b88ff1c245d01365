"""The REDCap mapping editor: which MyoCase field each field of a REDCap project goes to, saved as the
mapping file ``myocase import --format redcap --mapping FILE`` and File → Import… read.

The REDCap dictionary's fields are listed, each with a drop-down of MyoCase's fields (started from the
obvious matches, ``services.redcap_suggest``); under the list, the selected field's choices are matched
code by code, with what the chosen MyoCase field means. The file is saved through the app's one
save dialog (``figures.export.ask_save_path``) and read back before the editor says it is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.field_defs import Field
from ..domain.fields import TABLES_BY_NAME
from ..services.redcap_format import DATE_FORMATS, RedcapError, dictionary_among, plain, read_dictionary
from ..services.redcap_mapping import load_mapping, targets
from ..services.redcap_suggest import (
    Chosen,
    Entry,
    chosen_of,
    document,
    entries,
    save_mapping,
    suggest,
    suggested_choices,
)
from .dialogs import fit_size
from .figures import export as saving

NOT_IMPORTED = "— not imported —"
NOT_RECORDED = "— not recorded —"
NOT_MATCHED = "— not matched: refused on import —"
FOLDER_KEY = "last_mapping_folder"  # QSettings: where the last mapping file was saved
YAML_FILE = ("REDCap mapping (YAML)", ".yaml")
COLUMNS = ("REDCap field", "Label", "MyoCase field", "Type", "Instrument")
TARGET_COLUMN = 2
TARGET_WIDTH = 280
LABEL_WIDTH = 190
KEY = Qt.ItemDataRole.UserRole


def _key(f: Field) -> str:
    return f"{f.table}.{f.name}"


def _targets_model() -> QStandardItemModel:
    """Every MyoCase field an import stores, "Label (table)", shared by every row's drop-down."""
    model = QStandardItemModel()
    model.appendRow(QStandardItem(NOT_IMPORTED))
    for f in targets():
        item = QStandardItem(f"{f.label} ({TABLES_BY_NAME[f.table].label.lower()})")
        item.setData(_key(f), KEY)
        item.setToolTip(f"{_key(f)}: {f.allowed or f.type.value}")
        model.appendRow(item)
    return model


class MappingEditor(QDialog):
    """Signal ``saved(Path)`` when the mapping file is written; ``mapping_path()`` then gives it."""

    saved = Signal(object)

    def __init__(
        self, dictionary_path: Path, parent: QWidget | None = None, mapping: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.dictionary = read_dictionary(dictionary_path)  # RedcapError: the caller says why
        self.dictionary_path = dictionary_path
        self.items: list[Entry] = entries(self.dictionary)
        self.fields = {_key(f): f for f in targets()}
        self.choices: dict[str, dict[str, str | None]] = {}
        self.kept_events: dict[
            str, tuple[str, ...]
        ] = {}  # a mapping file's events, written back as they were
        self.own_formats: dict[str, str] = {}  # a field's date format when the file gave it its own
        self._saved: Path | None = None
        self._model = _targets_model()
        self.setWindowTitle(f"REDCap mapping: {dictionary_path.name}")
        self._build()
        self._start(mapping)
        fit_size(self, 1100, 680)

    def mapping_path(self) -> Path | None:
        """The mapping file saved (None until it is)."""
        return self._saved

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        intro = QLabel(
            "Choose the MyoCase field each REDCap field goes to; fields left at “not imported” are skipped. "
            "Obvious matches are filled in: check them. Select a coded field to match its choices."
        )
        intro.setWordWrap(True)
        form = self._settings_form()
        splitter = QSplitter(Qt.Orientation.Vertical)  # the selected field's choices under the list
        splitter.addWidget(self._fields_table())
        splitter.addWidget(self._choices_panel())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton("Save mapping…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(splitter, 1)
        column.addWidget(self.buttons)

    def _settings_form(self) -> QFormLayout:
        """Which field holds the study ID, and how the records file writes dates."""
        form = QFormLayout()
        self.record_id = QComboBox()
        self.record_id.setAccessibleName("Record ID field")
        self.record_id.setToolTip("The REDCap field that holds the study ID")
        for f in self.dictionary.fields:
            self.record_id.addItem(f"{f.name}: {plain(f.label)}", f.name)
        form.addRow("Study ID from:", self.record_id)
        self.date_format = QComboBox()
        self.date_format.setAccessibleName("Date format")
        self.date_format.setToolTip("How the records file writes dates (REDCap's exports: YYYY-MM-DD)")
        for fmt in DATE_FORMATS:
            self.date_format.addItem(fmt, fmt)
        form.addRow("Dates written as:", self.date_format)
        return form

    def _fields_table(self) -> QTableWidget:
        table = self.table = QTableWidget(len(self.items), len(COLUMNS))
        table.setAccessibleName("REDCap fields")
        table.setHorizontalHeaderLabels(COLUMNS)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        self.combos: list[QComboBox] = []
        for row, entry in enumerate(self.items):
            for col, text in zip(
                (0, 1, 3, 4), (entry.column, entry.label, entry.kind, entry.form), strict=True
            ):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                table.setItem(row, col, cell)
            combo = QComboBox()
            combo.setModel(self._model)
            combo.setAccessibleName(f"MyoCase field for {entry.column}")
            combo.setToolTip(f"The MyoCase field {entry.column} goes to")
            combo.currentIndexChanged.connect(lambda _=0, r=row: self._on_target(r))
            table.setCellWidget(row, TARGET_COLUMN, combo)
            self.combos.append(combo)
        header = table.horizontalHeader()
        header.setSectionResizeMode(TARGET_COLUMN, QHeaderView.ResizeMode.Fixed)
        table.setColumnWidth(TARGET_COLUMN, TARGET_WIDTH)
        for col in (0, 3, 4):
            table.resizeColumnToContents(col)
        table.setColumnWidth(1, LABEL_WIDTH)
        table.currentCellChanged.connect(lambda row, *_: self._show_choices(row))
        return table

    def _choices_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.target_info = QLabel("Select a REDCap field to see what its MyoCase field holds.")
        self.target_info.setWordWrap(True)
        self.target_info.setAccessibleName("MyoCase field chosen")
        self.choice_table = QTableWidget(0, 3)
        self.choice_table.setAccessibleName("Choices")
        self.choice_table.setHorizontalHeaderLabels(("REDCap code", "REDCap label", "MyoCase value"))
        self.choice_table.verticalHeader().setVisible(False)
        self.choice_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.choice_table.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch)):
            header.setSectionResizeMode(col, mode)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.target_info)
        layout.addWidget(QLabel("Choices:"))
        layout.addWidget(self.choice_table, 1)
        return panel

    # ------------------------------------------------------------ what is chosen
    def target(self, row: int) -> Field | None:
        key = self.combos[row].currentData(KEY)
        return self.fields.get(key) if isinstance(key, str) else None

    def set_target(self, row: int, f: Field | None, choices: dict[str, str | None] | None = None) -> None:
        combo = self.combos[row]
        combo.setCurrentIndex(max(combo.findData(_key(f), KEY), 0) if f is not None else 0)
        if choices is not None:
            self.choices[self.items[row].column] = dict(choices)
            self._show_choices(self.table.currentRow())

    def _start(self, mapping: Path | None) -> None:
        """The mapping given (if it can be read), else the obvious matches."""
        if mapping is not None:
            try:
                loaded = load_mapping(mapping, self.dictionary)
            except RedcapError as exc:
                QMessageBox.warning(
                    self, "Mapping not read", f"{exc}\n\nThe editor starts from its own suggestions."
                )
            else:
                self.kept_events = dict(loaded.events)
                self._apply(loaded.record_id, loaded.date_format, chosen_of(loaded))
                return
        suggested = suggest(self.items)
        for row, entry in enumerate(self.items):
            if entry.column in suggested:
                self.set_target(row, suggested[entry.column])

    def _apply(self, record_id: str, date_format: str, chosen: dict[str, Chosen]) -> None:
        self.record_id.setCurrentIndex(max(self.record_id.findData(record_id), 0))
        self.date_format.setCurrentIndex(max(self.date_format.findData(date_format), 0))
        for row, entry in enumerate(self.items):
            if entry.column in chosen:
                self.set_target(row, chosen[entry.column].target, chosen[entry.column].choices)
                self.own_formats[entry.column] = chosen[entry.column].date_format

    def _on_target(self, row: int) -> None:
        entry, target = self.items[row], self.target(row)
        self.choices[entry.column] = suggested_choices(entry, target) if target is not None else {}
        if row == self.table.currentRow():
            self._show_choices(row)

    # ------------------------------------------------------------ choices of the selected field
    def _show_choices(self, row: int) -> None:
        self.choice_table.setRowCount(0)
        if not 0 <= row < len(self.items):
            return
        entry, target = self.items[row], self.target(row)
        if target is None:
            self.target_info.setText(f"{entry.column} is not imported.")
            return
        unit = f", in {target.unit}" if target.unit else ""
        allowed = f" Allowed: {target.allowed}." if target.allowed else ""
        self.target_info.setText(f"{entry.column} → {_key(target)}: {target.label}{unit}.{allowed}")
        if not (entry.choices and target.choices):
            return
        chosen = self.choices.setdefault(entry.column, {})
        self.choice_table.setRowCount(len(entry.choices))
        for n, (code, label) in enumerate(entry.choices):
            self.choice_table.setItem(n, 0, QTableWidgetItem(code))
            self.choice_table.setItem(n, 1, QTableWidgetItem(label))
            self.choice_table.setCellWidget(n, 2, self._choice_box(entry, target, code, chosen))

    def _choice_box(self, entry: Entry, target: Field, code: str, chosen: dict[str, str | None]) -> QComboBox:
        """A REDCap code's MyoCase value: one of the field's choices, "not recorded" (saved as such), or not
        matched (left out of the file: the import refuses a cell holding it)."""
        box = QComboBox()
        box.setAccessibleName(f"MyoCase value for {entry.column} code {code}")
        box.setToolTip("What this REDCap choice becomes in MyoCase")
        box.addItem(NOT_MATCHED, None)
        box.addItem(NOT_RECORDED, "")
        for c in target.choices:
            box.addItem(f"{c.label} ({c.code})", c.code)
        if code in chosen:
            box.setCurrentIndex(max(box.findData(chosen[code] or ""), 0))
        box.currentIndexChanged.connect(lambda _=0, b=box: self._on_choice(chosen, code, b.currentData()))
        return box

    @staticmethod
    def _on_choice(chosen: dict[str, str | None], code: str, value: str | None) -> None:
        if value is None:
            chosen.pop(code, None)
        else:
            chosen[code] = value or None

    # ------------------------------------------------------------ saving
    def chosen(self) -> list[Chosen]:
        return [
            Chosen(
                entry.column,
                target,
                self.choices.get(entry.column, {}),
                self.own_formats.get(entry.column, ""),
            )
            for row, entry in enumerate(self.items)
            if (target := self.target(row)) is not None
        ]

    def save(self) -> Path | None:
        """Ask where, write the mapping file, read it back; then close. None when not saved."""
        chosen = self.chosen()
        if not chosen:
            QMessageBox.warning(
                self, "Nothing mapped", "Choose the MyoCase field of at least one REDCap field."
            )
            return None
        name = f"{self.dictionary_path.stem}-mapping.yaml"
        path = saving.ask_save_path(self, "Save the REDCap mapping", name, [YAML_FILE], FOLDER_KEY)
        if path is None:
            return None
        date_format = str(self.date_format.currentData())
        content = document(str(self.record_id.currentData()), date_format, chosen, self.kept_events)
        try:
            save_mapping(path, content)
            load_mapping(path, self.dictionary)
        except (OSError, RedcapError) as exc:
            QMessageBox.warning(self, "Mapping not saved", f"The mapping could not be saved: {exc}")
            return None
        self._saved = path
        self.saved.emit(path)
        self.accept()
        return path


def open_editor(
    parent: QWidget | None, files: Sequence[Path], mapping: Path | None = None
) -> MappingEditor | None:
    """The editor on the data dictionary among ``files``, opened (window-modal, not blocking); None, with a
    message, when there is none or it cannot be read."""
    dictionary = dictionary_among(list(files))
    if dictionary is None:
        QMessageBox.information(
            parent, "REDCap mapping",
            "Add the project's data dictionary to the files first: download it from REDCap (Project Setup → "
            "Data Dictionary) and add it beside the records.",
        )  # fmt: skip
        return None
    try:
        editor = MappingEditor(dictionary, parent, mapping)
    except RedcapError as exc:
        QMessageBox.warning(parent, "REDCap mapping", str(exc))
        return None
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.open()
    return editor
