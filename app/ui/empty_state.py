"""What a new, empty database shows: how to add the first patient, or load the demo."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    """Signals: ``add_patient()``, ``load_demo()``."""

    add_patient = Signal()
    load_demo = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h2>No patients yet</h2>")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.add_button = QPushButton("Add the first patient (Ctrl+N)")
        self.add_button.setToolTip("Open the patient form")
        self.demo_button = QPushButton("Load the synthetic demo case series")
        self.demo_button.setToolTip("Ten invented patients, to try MyoCase out; only into an empty database")
        self.add_button.clicked.connect(self.add_patient)
        self.demo_button.clicked.connect(self.load_demo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(title)
        column.addWidget(self.text)
        column.addLayout(buttons)
        column.addStretch(2)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)

    def set_database(self, location: str, can_load_demo: bool) -> None:
        self.text.setText(
            "<p>MyoCase keeps a case series in one database file:<br><code>"
            f"{location}</code></p>"
            "<p>Start with a patient: give a <b>study ID</b> (never a name), the diagnosis subtype and what "
            "is known; then add their medication courses, assessments and adverse events from the tabs.</p>"
            "<p>Or look around first with the <b>synthetic demo series</b>: ten invented patients shaped like a "
            "published upadacitinib case series.</p>"
        )
        self.demo_button.setVisible(can_load_demo)
