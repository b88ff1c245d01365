"""Photo forms: what a batch of imported photos shares, one photo's details, and its annotations."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ..domain.numbers import plural
from ..domain.records import Consent, Photo
from ..domain.validation import Problem, validate_photo
from ..services.photos import PhotoDefaults
from .controller import Controller
from .dialogs import fit_size
from .fields import ChoiceField, DateField, editable_combo
from .forms.base import RecordForm
from .photos.annotation_editor import AnnotationEditor

BODY_SITES = (
    "dorsum of hand", "palm", "fingers / periungual", "face", "cheek", "periorbital", "scalp",
    "upper chest (V-area)", "upper back / shoulders (shawl)", "arm", "elbow", "knee", "thigh", "leg",
)  # fmt: skip


class PhotoFieldsMixin:
    """The description fields a photo has, shared by the batch form and the details form."""

    def build_photo_fields(self: Any, controller: Controller, patient_id: int, note: str) -> None:
        layout = self.group("Photo", note)
        self.taken_on = self.add_field(layout, "taken_on", "Photo date:", DateField())
        self.assessment = QComboBox()
        self.assessment.addItem("— none —", None)
        for a in controller.book.assessments(patient_id):
            self.assessment.addItem(f"Assessment of {a.assessed_on}", a.id)
        self.add_field(layout, "assessment_id", "Belongs to:", self.assessment)
        self.assessment.currentIndexChanged.connect(self.revalidate)
        self.body_site = self.add_field(
            layout, "body_site", "Body site:", editable_combo(BODY_SITES, "e.g. dorsum of hand")
        )
        self.body_site.currentTextChanged.connect(self.revalidate)
        self.caption = self.add_field(layout, "caption", "Caption:", QLineEdit())
        self.consent = self.add_field(layout, "consent", "Consent for publication:", ChoiceField(Consent))
        self.identifiable = self.add_field(
            layout,
            "identifiable",
            "Identifiable:",
            QCheckBox("A face, tattoo or other identifying feature shows"),
            "Identifiable photos are left out of de-identified reports unless cropped",
        )
        self.in_report = self.add_field(
            layout, "in_report", "Report:", QCheckBox("Include in the PDF report")
        )

    def photo_values(self: Any, problems: list[Problem]) -> dict[str, Any]:
        return {
            "taken_on": self.field_value("taken_on", problems),
            "assessment_id": self.assessment.currentData(),
            "body_site": self.body_site.currentText().strip(),
            "caption": self.caption.text().strip(),
            "consent": self.consent.value(),
            "identifiable": self.identifiable.isChecked(),
            "in_report": self.in_report.isChecked(),
        }


class PhotoImportForm(PhotoFieldsMixin, RecordForm):
    """What every photo of a batch shares; the camera's date is used when no date is given."""

    title = "Import photos"

    def __init__(
        self, controller: Controller, patient_id: int, count: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(controller, parent)
        self.patient_id = patient_id
        fit_size(self, 560, 420)
        self.build_photo_fields(
            controller, patient_id,
            f"{plural(count, 'file')}. Each is stood upright and stripped of its metadata (GPS, serial numbers, owner) "
            "before it is stored. Leave the date empty to use each photo's own capture date.",
        )  # fmt: skip
        self.save_button.setText("Import")
        self.finish_loading()
        self.defaults: PhotoDefaults | None = None

    def collect(self) -> tuple[Any, list[Problem]]:
        problems: list[Problem] = []
        defaults = PhotoDefaults(**self.photo_values(problems))
        today = self.controller.book.today()
        if defaults.taken_on is not None and defaults.taken_on > today:
            problems.append(Problem("taken_on", f"Photo date ({defaults.taken_on}) is in the future."))
        return defaults, problems

    def store(self, record: Any) -> Any:
        self.defaults = record  # the caller imports in the background once the form closes
        return record


class PhotoDetailsForm(PhotoFieldsMixin, RecordForm):
    title = "Photo details"

    def __init__(self, controller: Controller, photo: Photo, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.photo = photo
        fit_size(self, 560, 400)
        self.build_photo_fields(
            controller, photo.patient_id, "Annotations and crop are edited with Annotate…."
        )
        self.taken_on.set_value(photo.taken_on)
        self.assessment.setCurrentIndex(max(0, self.assessment.findData(photo.assessment_id)))
        self.body_site.setCurrentText(photo.body_site)
        self.caption.setText(photo.caption)
        self.consent.set_value(photo.consent)
        self.identifiable.setChecked(photo.identifiable)
        self.in_report.setChecked(photo.in_report)
        self.finish_loading()

    def collect(self) -> tuple[Any, list[Problem]]:
        problems: list[Problem] = []
        photo = replace(self.photo, **self.photo_values(problems))
        return photo, problems + validate_photo(photo, self.controller.book.today())

    def store(self, record: Any) -> Any:
        return self.controller.save_photo(record)


class AnnotationDialog(QDialog):
    """The annotation editor over one photo; Save stores the shapes and crop (one undo step)."""

    def __init__(self, controller: Controller, photo: Photo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller, self.photo = controller, photo
        self.setWindowTitle(f"Annotate photo {photo.label}")
        self.editor = AnnotationEditor()
        self.editor.set_photo(controller.book.photo_image(photo.id or 0), photo.annotations, photo.crop)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        fit_size(self, 1100, 780)

    @property
    def dirty(self) -> bool:
        return (self.editor.shapes(), self.editor.crop()) != (self.photo.annotations, self.photo.crop)

    def save(self) -> None:
        if self.dirty:
            self.controller.save_photo(
                replace(self.photo, annotations=self.editor.shapes(), crop=self.editor.crop()),
                "Photo annotations saved",
            )
        self.accept()

    def reject(self) -> None:
        if self.dirty:
            answer = QMessageBox.question(
                self, "Discard changes?", "The annotations have changes that are not saved. Discard them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
            )  # fmt: skip
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()
