"""The Photos tab: thumbnails of a patient's photos; drop or pick files to import; details, annotate, compare."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.numbers import plural
from ..domain.records import Photo, PhotoComparison
from ..services import photos
from ..services.photos import ImportResult, Outcome, PhotoDefaults
from .controller import Controller, PatientBundle
from .dialogs import fit_size
from .photo_forms import AnnotationDialog, PhotoDetailsForm, PhotoImportForm
from .photos.captions import photo_caption
from .photos.comparison_view import ComparisonItem, ComparisonView
from .worker import TaskRunner

IMAGE_PATTERN = "Images (*.jpg *.jpeg *.png *.tif *.tiff *.heic *.heif *.webp);;All files (*)"


D = TypeVar("D", bound=QDialog)


class PhotosTab(QWidget):
    """Signals: ``form_opened(QWidget)`` whenever a form or editor opens; ``imported(list)`` after a batch."""

    form_opened = Signal(object)
    imported = Signal(object)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.patient_id: int | None = None
        self.bundle: PatientBundle | None = None  # the patient's photos and thumbnails, as last read
        self._iconless = False  # the list's thumbnails wait until the tab is shown
        self.setAcceptDrops(True)
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(180, 135))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setSpacing(8)
        self.list.setAccessibleName("Photos")
        self.hint = QLabel(
            "Drag photos here, or use Add photos…. Each is cleaned of GPS, serial numbers and owner data."
        )
        self.hint.setEnabled(False)
        self.hint.setWordWrap(True)  # wraps in a narrow window instead of widening the record tabs
        self.comparisons = QComboBox()
        self.comparisons.setAccessibleName("Saved comparisons")
        self.comparisons.setToolTip("Open a saved comparison")
        buttons = QHBoxLayout()
        self.buttons = {
            "add": self._button(
                "Add photos…", "Import image files (JPEG, PNG, TIFF, HEIC) (Ctrl+Shift+P)", self.add_photos
            ),
            "details": self._button("Details…", "Date, site, caption, consent (Enter)", self.edit_details),
            "annotate": self._button(
                "Annotate…", "Arrows, outlines, labels and crop, never burned into the photo", self.annotate
            ),
            "compare": self._button("Compare…", "Show 2 to 4 selected photos side by side", self.compare),
            "delete": self._button(
                "Delete…", "Delete the selected photos (Ctrl+Z undoes)", self.delete_selected
            ),
        }
        for button in self.buttons.values():
            buttons.addWidget(button)
        buttons.addStretch(1)
        saved = QHBoxLayout()  # a row of its own: the tab stays narrow enough for a 1024-px window
        saved.addWidget(QLabel("Saved comparisons:"))
        saved.addWidget(self.comparisons, 1)
        saved.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.list, 1)
        layout.addLayout(saved)
        layout.addWidget(self.hint)
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_prepared)
        self.runner.progressed.connect(self._on_progressed)
        self.runner.failed.connect(
            lambda message, _: QMessageBox.warning(self, "Photos not imported", message)
        )
        self.pending: tuple[int, PhotoDefaults] | None = None
        self.progress: QProgressDialog | None = None
        self.comparison_view: ComparisonView | None = None
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda _: self.annotate())
        self.comparisons.activated.connect(self._on_comparison_chosen)
        self._update_buttons()

    def _button(self, text: str, tip: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------ showing
    def show_bundle(self, bundle: PatientBundle | None) -> None:
        """The selected patient's photos and comparisons, as the patient view was handed them."""
        self.bundle = bundle
        self.patient_id = bundle.record.patient.id if bundle else None
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        self.comparisons.clear()
        if (bundle := self.bundle) is None:
            self._update_buttons()
            return
        for photo in bundle.record.photos:
            item = QListWidgetItem(self._label(photo))
            item.setData(Qt.ItemDataRole.UserRole, photo.id)
            item.setToolTip("\n".join(filter(None, (photo.caption, f"Consent: {photo.consent.value}",
                                                     "Identifiable" if photo.identifiable else ""))))  # fmt: skip
            self.list.addItem(item)
        self.comparisons.addItem("—", None)
        for comparison in bundle.record.comparisons:
            self.comparisons.addItem(comparison.name, comparison.id)
        self._update_buttons()
        self._iconless = True
        if self.isVisible():
            self._show_icons()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._show_icons()

    def _show_icons(self) -> None:
        """The thumbnails, decoded once the tab is shown: a patient's photos are not decoded while another
        tab is in front."""
        if not self._iconless or (bundle := self.bundle) is None:
            return
        self._iconless = False
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setIcon(self._icon(bundle, item.data(Qt.ItemDataRole.UserRole)))
        self.list.doItemsLayout()  # each item as large as its thumbnail now (an icon view keeps the old sizes)

    @staticmethod
    def _icon(bundle: PatientBundle, photo_id: int | None) -> QIcon:
        image = QImage.fromData(bundle.thumbnails.get(photo_id or 0, b""))
        return QIcon(QPixmap.fromImage(image))

    @staticmethod
    def _label(photo: Photo) -> str:
        flags = " · ".join(
            f
            for f in ("report" if photo.in_report else "", "identifiable" if photo.identifiable else "")
            if f
        )
        return f"{photo.label}\n{flags}" if flags else photo.label

    def selected_ids(self) -> list[int]:
        return [item.data(Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()]

    def _update_buttons(self) -> None:
        n = len(self.selected_ids())
        self.buttons["add"].setEnabled(self.patient_id is not None)
        for name in ("details", "annotate"):
            self.buttons[name].setEnabled(n == 1)
        self.buttons["compare"].setEnabled(2 <= n <= 4)
        self.buttons["delete"].setEnabled(n >= 1)

    # ------------------------------------------------------------ import
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.patient_id is not None and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def add_photos(self) -> None:
        folder = str(QSettings().value("last_photo_folder", str(Path.home())))
        names, _ = QFileDialog.getOpenFileNames(
            self, "Add photos", folder, IMAGE_PATTERN, options=QFileDialog.Option.DontUseNativeDialog
        )
        if names:
            QSettings().setValue("last_photo_folder", str(Path(names[0]).parent))
            self.import_paths([Path(n) for n in names])

    def import_paths(self, paths: Sequence[Path]) -> PhotoImportForm | None:
        """Ask what the batch shares, then clean the files in the background and store them."""
        if self.patient_id is None or self.runner.running:
            return None
        form = PhotoImportForm(self.controller, self.patient_id, len(paths), self)
        form.saved.connect(lambda defaults: self._start_import(list(paths), defaults))
        form.finished.connect(form.deleteLater)
        form.open()
        self.form_opened.emit(form)
        return form

    def _start_import(self, paths: list[Path], defaults: PhotoDefaults) -> None:
        self.pending = (self.patient_id or 0, defaults)
        self.progress = QProgressDialog("Cleaning the photos…", "Stop", 0, len(paths), self)
        self.progress.setMinimumDuration(500)
        self.progress.canceled.connect(self.runner.cancel)

        def work(progress: object) -> list[tuple[Path, object]]:
            prepared = []
            for n, path in enumerate(paths, start=1):
                prepared.append((path, photos.prepare_file(path, defaults.limits)))
                if not progress(n, len(paths), path.name):  # type: ignore[operator]
                    break  # the files cleaned so far are still stored
            return prepared

        self.runner.start(work)

    def _on_progressed(self, done: int, total: int, what: str) -> None:
        if (progress := self.progress) is not None:
            progress.setLabelText(f"Cleaning {what}…")
            progress.setValue(done)

    def _on_prepared(self, prepared: list) -> None:  # type: ignore[type-arg]
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        if self.pending is None:
            return
        patient_id, defaults = self.pending
        self.pending = None
        results = self.controller.store_photos(patient_id, prepared, defaults)
        self.imported.emit(results)
        self._report(results)

    def _report(self, results: list[ImportResult]) -> None:
        """Say what the batch did; name each file not stored and each photo whose date is to confirm."""
        stored = [r for r in results if r.outcome is Outcome.STORED]
        undated = [r.line for r in stored if r.date_to_confirm]
        problems = [r.line for r in results if r.outcome is not Outcome.STORED]
        summary = f"{plural(len(stored), 'photo')} stored"
        if undated:
            summary += f", {len(undated)} without a date to confirm"
        self.controller.message.emit(summary + (f"; {len(problems)} not stored" if problems else ""))
        parts = []
        if undated:
            parts.append(
                "Stored without a date: the camera's date was missing or implausible. Set each photo's "
                "date in Details… (select it and press Enter):\n" + "\n".join(undated)
            )
        if problems:
            parts.append("Not stored:\n" + "\n".join(problems))
        if parts:
            title = "Some files were not stored" if problems else "Photo dates to confirm"
            QMessageBox.information(self, title, "\n\n".join(parts))

    # ------------------------------------------------------------ one photo, several photos
    def _shown(self) -> dict[int, Photo]:
        return {p.id or 0: p for p in self.bundle.record.photos} if self.bundle else {}

    def _photo(self) -> Photo | None:
        ids = self.selected_ids()
        return self._shown().get(ids[0]) if len(ids) == 1 else None

    def edit_details(self) -> PhotoDetailsForm | None:
        if (photo := self._photo()) is None:
            return None
        return self._open(PhotoDetailsForm(self.controller, photo, self))

    def open_photo(self, photo_id: int) -> AnnotationDialog | None:
        """Select one photo and open it with its annotations (a timeline photo marker does this)."""
        self.list.clearSelection()
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == photo_id:
                item.setSelected(True)
                self.list.scrollToItem(item)
                return self.annotate()
        return None

    def annotate(self) -> AnnotationDialog | None:
        if (photo := self._photo()) is None:
            return None
        return self._open(AnnotationDialog(self.controller, photo, self))

    def _open(self, dialog: D) -> D:
        """Open a dialog window-modal without blocking, deleted when closed; the window tracks it."""
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.form_opened.emit(dialog)
        return dialog

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if ids and QMessageBox.question(
            self, "Delete photos", f"Delete {plural(len(ids), 'photo')} and their annotations?\n\nCtrl+Z brings them back."
        ) == QMessageBox.StandardButton.Yes:  # fmt: skip
            self.controller.delete_photos(ids)

    def compare(self, photo_ids: Sequence[int] | None = None, name: str = "") -> ComparisonView | None:
        ids, shown = list(photo_ids or self.selected_ids()), self._shown()
        if not 2 <= len(ids) <= 4 or self.bundle is None or not set(ids) <= set(shown):
            return None
        book, record = self.controller.book, self.bundle.record
        settings = self.controller.settings()
        courses, assessments = record.courses, record.assessments
        chosen = sorted((shown[i] for i in ids), key=lambda p: (p.taken_on is None, p.taken_on))
        items = [
            ComparisonItem(book.photo_image(p.id or 0), p,
                           photo_caption(p, courses, assessments, settings.index_drug, settings.cutoff_or(book.today())))
            for p in chosen
        ]  # fmt: skip
        self.comparison_view = ComparisonView(self)
        self.comparison_view.setWindowFlag(Qt.WindowType.Window)
        self.comparison_view.setWindowTitle("Compare photos")
        self.comparison_view.set_photos(items, name)
        self.comparison_view.save_requested.connect(self._on_save_requested)
        fit_size(self.comparison_view, 1300, 720)
        self.comparison_view.show()
        return self.comparison_view

    def _on_save_requested(self, name: str, photo_ids: tuple[int, ...]) -> None:
        if self.patient_id is not None:
            self.controller.save_comparison(PhotoComparison(self.patient_id, name, tuple(photo_ids)))

    def _on_comparison_chosen(self, index: int) -> None:
        comparison_id = self.comparisons.itemData(index)
        match = [c for c in self.bundle.record.comparisons if c.id == comparison_id] if self.bundle else []
        if match:
            self.compare(match[0].photo_ids, match[0].name)
