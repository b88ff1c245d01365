"""The series settings form: the case series' name, data cut-off and index drug."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QLineEdit, QWidget

from ...domain.records import SeriesSettings
from ...domain.validation import Problem, validate_settings
from ..controller import Controller
from ..dialogs import fit_size
from ..fields import DateField
from .base import FormWidgets, RecordForm


@dataclass(eq=False)
class SettingsWidgets(FormWidgets):
    name: QLineEdit
    cutoff: DateField
    index_drug: QLineEdit


class SettingsForm(RecordForm[SeriesSettings]):
    title = "Series settings"
    widgets: SettingsWidgets

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.current = controller.settings()
        fit_size(self, 560, 300)
        self.widgets = w = SettingsWidgets(
            name=QLineEdit(self.current.name),
            cutoff=DateField(),
            index_drug=QLineEdit(self.current.index_drug),
        )
        layout = self.group(
            "Case series",
            "“Still on treatment” and “ongoing” are judged at the data cut-off; the analysis and the "
            "report start from the index drug.",
        )
        self.add_row(layout, "Name:", w.name)
        self.add_row(layout, "Data cut-off:", w.cutoff, "The last day of data in the series")
        w.cutoff.set_value(self.current.cutoff)
        self.add_row(layout, "Index drug:", w.index_drug, "The drug the series is about")
        self.finish_loading()

    def collect(self) -> tuple[SeriesSettings | None, list[Problem]]:
        w = self.widgets
        problems: list[Problem] = []
        settings = SeriesSettings(
            name=w.name.text().strip(),
            cutoff=self.value_of(w.cutoff, problems),
            index_drug=w.index_drug.text().strip(),
            is_demo=self.current.is_demo,
        )
        return settings, problems + validate_settings(settings, self.controller.book.today())

    def store(self, record: SeriesSettings) -> SeriesSettings:
        return self.controller.save_settings(record)
