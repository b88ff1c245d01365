"""Questions the app asks in more than one place."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_identified(parent: QWidget | None, what: str) -> bool:
    """Ask before an export that carries identifiers; True if the user goes on."""
    answer = QMessageBox.question(
        parent,
        "Include identifiers?",
        f"This {what} will contain identifying information (names, record numbers, dates of birth, real "
        "dates or identifiable photos) and says so. Handle it as a patient record. Continue?",
    )
    return answer == QMessageBox.StandardButton.Yes
