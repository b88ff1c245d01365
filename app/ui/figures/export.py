"""Saving a file from any window: the one file dialog of the app (a suggested name, the file types,
the last folder remembered) and writing a figure as a PNG image or an SVG drawing.

What a figure shows when it leaves is decided before it gets here: the timeline exports the spec
its ``export_source`` gives (de-identified unless asked), the cohort window draws only the specs
the disclosure let out (``services.report.cohort_figures``), and the report is written by the
report service. This module only asks where and writes the pixels or the vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsScene, QMessageBox, QWidget

Format = tuple[str, str]  # what the user reads, the file suffix
PNG: Format = ("PNG image", ".png")
SVG: Format = ("SVG drawing", ".svg")
PDF: Format = ("PDF", ".pdf")
FIGURE_FOLDER = "last_figure_folder"  # QSettings key: where the last figure was saved


def file_dialog(
    parent: QWidget | None, title: str, start: str, filters: str, save: bool = True
) -> tuple[str, str]:
    """The app's one file dialog (Qt's own, the same on every system): the path chosen ('' when
    cancelled) and the file type picked. Tests answer it by replacing this function."""
    ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    return ask(parent, title, start, filters, options=QFileDialog.Option.DontUseNativeDialog)


def folder_dialog(parent: QWidget | None, title: str, start: str) -> str:
    """The app's one folder dialog: the folder chosen, '' when cancelled."""
    return QFileDialog.getExistingDirectory(parent, title, start, QFileDialog.Option.DontUseNativeDialog)


def filters(formats: Sequence[Format]) -> str:
    return ";;".join(f"{label} (*{suffix})" for label, suffix in formats)


def _with_suffix(chosen: str, picked: str, formats: Sequence[Format]) -> Path:
    """The path chosen, with the picked type's suffix when it has none (or when only one type is offered
    and it has another). Another known suffix among several offered is left for the writer to refuse."""
    path, suffixes = Path(chosen), [suffix for _, suffix in formats]
    if path.suffix.lower() in suffixes:
        return path
    wanted = next((suffix for _, suffix in formats if f"*{suffix})" in picked), suffixes[0])
    return Path(chosen + wanted) if not path.suffix or len(formats) == 1 else path


def ask_save_path(
    parent: QWidget | None,
    title: str,
    name: str,
    formats: Sequence[Format],
    folder_key: str = FIGURE_FOLDER,
    default_folder: Path | Callable[[], Path] | None = None,
) -> Path | None:
    """Where to save: the dialog opens in the last folder saved to under ``folder_key`` (else
    ``default_folder``, else the home folder) with ``name`` suggested; None when cancelled."""
    settings = QSettings()
    folder = str(settings.value(folder_key, "") or "")
    if not folder:
        default = default_folder() if callable(default_folder) else default_folder
        folder = str(default or Path.home())
    chosen, picked = file_dialog(parent, title, str(Path(folder) / name), filters(formats))
    if not chosen:
        return None
    target = _with_suffix(chosen, picked, formats)
    settings.setValue(folder_key, str(target.parent))
    return target


def save_figure(
    parent: QWidget,
    title: str,
    name: str,
    formats: Sequence[Format],
    write: Callable[[Path], None],
    what: str,
) -> Path | None:
    """Ask where (``ask_save_path``), then ``write`` there; a failure is said in a message naming ``what``."""
    target = ask_save_path(parent, title, name, formats)
    if target is None:
        return None
    try:
        write(target)
    except (ValueError, OSError) as exc:
        QMessageBox.warning(parent, "Export failed", f"The {what} was not exported: {exc}")
        return None
    return target


def write_image(
    widget: QWidget,
    path: Path,
    what: str,
    scene: QGraphicsScene | None = None,
    title: str = "",
    description: str = "",
) -> None:
    """``widget`` as drawn, as a .png image or an .svg drawing (its plots' markers as vector shapes:
    the items of ``scene`` are drawn in export mode); ValueError for another suffix, OSError when the
    file could not be written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(
            f"Cannot export the {what} as '{path.suffix or path.name}': choose a .png or .svg file."
        )
    if not widget.isVisible():  # laid out at least at its least size (pitfall 1.8)
        widget.resize(widget.size().expandedTo(widget.minimumSizeHint()))
    if suffix == ".png":
        pixmap = widget.grab()
        if pixmap.isNull() or not pixmap.save(str(path), "PNG"):
            raise OSError(f"Could not write {path}")
        return
    _write_svg(widget, path, scene, title, description)
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"Could not write {path}")


def _write_svg(
    widget: QWidget, path: Path, scene: QGraphicsScene | None, title: str, description: str
) -> None:
    size = widget.size()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setResolution(widget.logicalDpiX())  # texts measured on screen keep their size
    generator.setSize(size)
    generator.setViewBox(QRect(QPoint(0, 0), size))
    generator.setTitle(title)
    generator.setDescription(description)
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"Could not write {path}")
    items = [item for item in (scene.items() if scene is not None else []) if hasattr(item, "setExportMode")]
    for item in items:  # markers as vector shapes, not cached pixmap fragments
        item.setExportMode(True, {"antialias": True})
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
        for item in items:
            item.setExportMode(False)
