"""Photo forms: what a batch of imported photos shares, one photo's details, and its annotations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
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

from ..domain.conflicts import RecordConflict
from ..domain.numbers import plural
from ..domain.records import Assessment, Consent, Photo
from ..domain.validation import Problem, validate_photo
from ..services.photos import PhotoDefaults
from .conflict_dialog import Choice, ConflictDialog, ask
from .controller import Controller
from .dialogs import fit_size
from .fields import ChoiceField, DateField, editable_combo
from .forms.base import FormWidgets, R, RecordForm
from .photos.annotation_editor import AnnotationEditor

BODY_SITES = (
    "dorsum of hand", "palm", "fingers / periungual", "face", "cheek", "periorbital", "scalp",
    "upper chest (V-area)", "upper back / shoulders (shawl)", "arm", "elbow", "knee", "thigh", "leg",
)  # fmt: skip


@dataclass(eq=False)
class PhotoWidgets(FormWidgets):
    taken_on: DateField
    assessment_id: QComboBox  # the assessment the photo belongs to (item data: its id)
    body_site: QComboBox
    caption: QLineEdit
    consent: ChoiceField
    identifiable: QCheckBox
    in_report: QCheckBox

    @classmethod
    def build(cls, assessments: Sequence[Assessment]) -> PhotoWidgets:
        belongs_to = QComboBox()
        belongs_to.addItem("— none —", None)
        for a in assessments:
            belongs_to.addItem(f"Assessment of {a.assessed_on}", a.id)
        return cls(
            taken_on=DateField(),
            assessment_id=belongs_to,
            body_site=editable_combo(BODY_SITES, "e.g. dorsum of hand"),
            caption=QLineEdit(),
            consent=ChoiceField(Consent),
            identifiable=QCheckBox("A face, tattoo or other identifying feature shows"),
            in_report=QCheckBox("Include in the PDF report"),
        )


class PhotoForm(RecordForm[R]):
    """The description fields a photo has, shared by the batch form and the details form."""

    widgets: PhotoWidgets

    def build_photo_fields(self, controller: Controller, patient_id: int, note: str) -> None:
        self.widgets = w = PhotoWidgets.build(controller.records_of(patient_id).assessments)
        layout = self.group("Photo", note)
        self.add_row(layout, "Photo date:", w.taken_on)
        self.add_row(layout, "Belongs to:", w.assessment_id)
        self.add_row(layout, "Body site:", w.body_site)
        self.add_row(layout, "Caption:", w.caption)
        self.add_row(layout, "Consent for publication:", w.consent)
        self.add_row(
            layout, "Identifiable:", w.identifiable,
            "Identifiable photos are left out of de-identified reports unless cropped",
        )  # fmt: skip
        self.add_row(layout, "Report:", w.in_report)

    def photo_values(self, problems: list[Problem]) -> dict[str, Any]:
        w = self.widgets
        return {
            "taken_on": self.value_of(w.taken_on, problems),
            "assessment_id": w.assessment_id.currentData(),
            "body_site": w.body_site.currentText().strip(),
            "caption": w.caption.text().strip(),
            "consent": w.consent.value(),
            "identifiable": w.identifiable.isChecked(),
            "in_report": w.in_report.isChecked(),
        }


class PhotoImportForm(PhotoForm[PhotoDefaults]):
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

    def collect(self) -> tuple[PhotoDefaults | None, list[Problem]]:
        problems: list[Problem] = []
        defaults = PhotoDefaults(**self.photo_values(problems))
        today = self.controller.book.today()
        if defaults.taken_on is not None and defaults.taken_on > today:
            problems.append(Problem("taken_on", f"Photo date ({defaults.taken_on}) is in the future."))
        return defaults, problems

    def store(self, record: PhotoDefaults) -> PhotoDefaults:
        self.defaults = record  # the caller imports in the background once the form closes
        return record


class PhotoDetailsForm(PhotoForm[Photo]):
    title = "Photo details"

    def __init__(self, controller: Controller, photo: Photo, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.photo = photo
        fit_size(self, 560, 400)
        self.build_photo_fields(
            controller, photo.patient_id, "Annotations and crop are edited with Annotate…."
        )
        w = self.widgets
        w.taken_on.set_value(photo.taken_on)
        w.assessment_id.setCurrentIndex(max(0, w.assessment_id.findData(photo.assessment_id)))
        w.body_site.setCurrentText(photo.body_site)
        w.caption.setText(photo.caption)
        w.consent.set_value(photo.consent)
        w.identifiable.setChecked(photo.identifiable)
        w.in_report.setChecked(photo.in_report)
        self.finish_loading()

    def collect(self) -> tuple[Photo | None, list[Problem]]:
        problems: list[Problem] = []
        photo = replace(self.photo, **self.photo_values(problems))
        return photo, problems + validate_photo(photo, self.controller.book.today())

    def store(self, record: Photo) -> Photo:
        return self.controller.save_photo(record)


class AnnotationDialog(QDialog):
    """The annotation editor over one photo; Save stores the shapes and crop (one undo step)."""

    def __init__(self, controller: Controller, photo: Photo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller, self.photo = controller, photo
        self.conflict_dialog: ConflictDialog | None = None  # open while the user decides a conflict
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
            self._store(replace(self.photo, annotations=self.editor.shapes(), crop=self.editor.crop()))
        else:
            self.accept()

    def _store(self, photo: Photo) -> None:
        try:
            self.controller.save_photo(photo, "Photo annotations saved")
        except RecordConflict as exc:  # someone else changed or deleted the photo since it was opened
            self.conflict_dialog = ask(self, exc, partial(self._resolve, exc))
            return
        self.accept()

    def _resolve(self, conflict: RecordConflict, choice: Choice) -> None:
        if choice is Choice.KEEP_MINE:
            self._store(conflict.mine_on_current())
        elif choice is Choice.TAKE_THEIRS:
            super().reject()  # dropped knowingly: no "discard changes?" question

    def reject(self) -> None:
        if self.dirty:
            answer = QMessageBox.question(
                self, "Discard changes?", "The annotations have changes that are not saved. Discard them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
            )  # fmt: skip
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()
