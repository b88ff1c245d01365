"""The series settings form: the case series' name, data cut-off and index drug."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit, QWidget

from ...domain.records import SeriesSettings
from ...domain.validation import Problem, validate_settings
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import DateField
from .base import RecordForm


class SettingsForm(RecordForm):
    title = "Series settings"

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.current = controller.book.settings()
        fit_size(self, 560, 300)
        layout = self.group(
            "Case series",
            "“Still on treatment” and “ongoing” are judged at the data cut-off; the analysis and the "
            "report start from the index drug.",
        )
        self.name = self.add_field(layout, "name", "Name:", QLineEdit(self.current.name))
        self.cutoff = self.add_field(
            layout, "cutoff", "Data cut-off:", DateField(), "The last day of data in the series"
        )
        self.cutoff.set_value(self.current.cutoff)
        self.index_drug = self.add_field(
            layout,
            "index_drug",
            "Index drug:",
            QLineEdit(self.current.index_drug),
            "The drug the series is about",
        )
        self.finish_loading()

    def collect(self) -> tuple[Any, list[Problem]]:
        problems: list[Problem] = []
        settings = SeriesSettings(
            name=self.name.text().strip(),
            cutoff=self.field_value("cutoff", problems),
            index_drug=self.index_drug.text().strip(),
            is_demo=self.current.is_demo,
        )
        return settings, problems + validate_settings(settings, self.controller.book.today())

    def store(self, record: Any) -> Any:
        return self.controller.save_settings(record)
