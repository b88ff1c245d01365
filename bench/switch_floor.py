"""The floor of bench_switch.py: a plain PySide6 window with the same visible parts as MyoCase's, filled from raw
``sqlite3`` queries on one connection (no MyoCase import): the patient list (bench_list's floor list), a title, a
short overview, the treatments, assessments and adverse-event tables (the same rows and columns, as text), the
photos' thumbnails, and a pyqtgraph column of plots: the lanes (courses as bars, adverse-event and photo markers,
the strip's thumbnails) and one plot per track with its series and the CK limits. Plots and curves are made once
and filled per patient (``setData``), as pyqtgraph advises. It leaves out what only MyoCase draws (phase and
severity bands, labels, the legend and notes), so it is a lower bound.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

PHOTOS = 6  # the strip's thumbnails kept ready (the series' photos per patient)

# What the floor's tables show, read straight from the file (partial dates to their precision).
COURSES_SQL = """
SELECT drug, drug_class, dose, unit, frequency,
  CASE start_precision WHEN 'year' THEN substr(start_date, 1, 4) WHEN 'month' THEN substr(start_date, 1, 7)
       ELSE start_date END,
  CASE WHEN stop_date IS NULL THEN 'ongoing' WHEN stop_precision = 'year' THEN substr(stop_date, 1, 4)
       WHEN stop_precision = 'month' THEN substr(stop_date, 1, 7) ELSE stop_date END,
  coalesce(stop_reason, ''), julianday(start_date) - 2440587.5,
  julianday(coalesce(stop_date, (SELECT json_extract(value, '$') FROM setting WHERE key = 'cutoff')))
    - 2440587.5
FROM medication_course WHERE patient_id = ? ORDER BY lower(drug), start_date, id
"""
ASSESSMENTS_SQL = """
SELECT assessed_on, cdasi_activity, cdasi_damage, mmt8_total, mmt8_max, ck, ck_uln, physician_global,
  patient_global, extramuscular_global, haq, prednisone_mg, julianday(assessed_on) - 2440587.5
FROM assessment WHERE patient_id = ? ORDER BY assessed_on, id
"""
EVENTS_SQL = """
SELECT onset_date, term, grade, serious, suspected_drug, action, outcome, coalesce(resolution_date, ''),
  julianday(onset_date) - 2440587.5
FROM adverse_event WHERE patient_id = ? ORDER BY onset_date, id
"""
REFERENCES_SQL = """
SELECT ck_uln, julianday(min(assessed_on)) - 2440587.5, julianday(max(assessed_on)) - 2440587.5
FROM assessment WHERE patient_id = ? AND ck_uln IS NOT NULL GROUP BY ck_uln ORDER BY min(assessed_on)
"""
PHOTOS_SQL = """
SELECT p.taken_on, d.thumbnail, julianday(p.taken_on) - 2440587.5 FROM photo p
JOIN photo_data d ON d.photo_id = p.id WHERE p.patient_id = ? ORDER BY p.taken_on, p.id
"""
GRADES = {1: "Mild", 2: "Moderate", 3: "Severe or hospitalisation", 4: "Life-threatening", 5: "Death"}
# The timeline's tracks: title, the assessment columns drawn (by position in ASSESSMENTS_SQL), y range,
# whether the series is a dose (a step line and its markers).
TRACKS = [
    ("Prednisone (mg/day)", [11], (0, 50), True),
    ("CDASI activity", [1], (0, 50), False),
    ("CDASI damage", [2], (0, 15), False),
    ("MMT-8", [3], (0, 150), False),
    ("CK (U/L)", [5], (0, 500), False),
    ("Global activity (0–10)", [7, 8, 9], (0, 10), False),
]


def _number(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def _assessment_cells(row: tuple[Any, ...]) -> tuple[str, ...]:
    day, activity, damage, mmt8, mmt8_max, ck, uln, md, pt, extra, haq, pred, _x = row
    band = (
        "" if activity is None else "mild" if activity <= 14 else "moderate" if activity <= 26 else "severe"
    )
    ck_text = "" if ck is None else _number(ck) + (f" ({_number(round(ck / uln, 1))}× ULN)" if uln else "")
    cells = [day, _number(activity), band, _number(damage), "" if mmt8 is None else f"{mmt8}/{mmt8_max}"]
    return tuple(cells + [ck_text] + [_number(v) for v in (md, pt, extra, haq, pred)])


def _course_cells(row: tuple[Any, ...]) -> tuple[str, ...]:
    drug, drug_class, dose, unit, frequency, start, stop, reason, _x0, _x1 = row
    dose_text = frequency if dose is None else f"{f'{_number(dose)} {unit}'.strip()} {frequency}".strip()
    return (drug, drug_class[0].upper() + drug_class[1:], dose_text, start, stop, reason.capitalize())


def _event_cells(row: tuple[Any, ...]) -> tuple[str, ...]:
    onset, term, grade, serious, drug, action, outcome, resolved, _x = row
    return (onset, term, f"{grade} – {GRADES[grade]}", "yes" if serious else "no", drug, action.capitalize(),
            outcome.capitalize(), resolved)  # fmt: skip


class TableModel(QAbstractTableModel):
    """Rows of text."""

    def __init__(self, columns: int) -> None:
        super().__init__()
        self.columns, self.rows = columns, []

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.columns

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self.rows[index.row()][index.column()] if role == Qt.ItemDataRole.DisplayRole else None


class Floor:
    """The floor window: the same visible parts, filled from raw sqlite3 queries on one connection."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        import bench_list
        import pyqtgraph as pg
        from PySide6.QtCore import QSize
        from PySide6.QtWidgets import (
            QGraphicsItem,
            QGraphicsPixmapItem,
            QLabel,
            QListWidget,
            QSplitter,
            QTableView,
            QTabWidget,
            QTextBrowser,
            QVBoxLayout,
            QWidget,
        )

        namespace: dict[str, Any] = {}
        exec(bench_list.FLOOR_CODE, namespace)  # the floor of the patient list, as bench_list builds it
        self.connection = sqlite3.connect(path)
        self.list, self.list_proxy, self.list_model = namespace["floor_list"](str(path))
        self.ids = dict(self.connection.execute("SELECT study_id, id FROM patient"))
        self.title = QLabel()
        self.overview = QTextBrowser()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.overview, "Overview")
        self.models, self.tables = {}, {}
        for name, titles in (("Treatments", 6), ("Assessments", 11), ("Adverse events", 8)):
            model = TableModel(titles)
            table = QTableView()
            table.setModel(model)
            table.horizontalHeader().setSectionResizeMode(
                table.horizontalHeader().ResizeMode.ResizeToContents
            )
            self.models[name], self.tables[name] = model, table
            self.tabs.addTab(table, name)
        self.photos = QListWidget()
        self.photos.setViewMode(QListWidget.ViewMode.IconMode)
        self.photos.setIconSize(QSize(180, 135))
        self.tabs.addTab(self.photos, "Photos")
        self.tabs.setCurrentIndex(2)
        self.graphics = pg.GraphicsLayoutWidget()
        self.lanes = self.graphics.addPlot(row=0, col=0)
        self.lanes.invertY(True)
        self.bars = pg.BarGraphItem(x0=[], x1=[], y=[], height=0.64)
        self.events, self.photo_marks = pg.ScatterPlotItem(), pg.ScatterPlotItem()
        for item in (self.bars, self.events, self.photo_marks):
            self.lanes.addItem(item)
        self.thumbs = [QGraphicsPixmapItem() for _ in range(PHOTOS)]  # the strip
        for item in self.thumbs:
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            self.lanes.addItem(item, ignoreBounds=True)
        self.tracks = []
        for n, (title, _columns, y_range, _step) in enumerate(TRACKS, start=1):
            plot = self.graphics.addPlot(row=n, col=0)
            plot.setXLink(self.lanes)
            plot.setLabel("left", title)
            plot.setYRange(*y_range)
            self.tracks.append(plot)
        self.curves: list[Any] = []  # made once, filled for each patient
        for plot, (_title, columns, _range, step) in zip(self.tracks, TRACKS, strict=True):
            for _column in columns:
                if step:
                    self.curves.append(plot.plot(pen="k"))
                self.curves.append(plot.plot(pen=None if step else "k", symbol="o", symbolSize=5))
        dashed = pg.mkPen("k", style=Qt.PenStyle.DashLine)
        self.references = [self.tracks[4].plot(pen=dashed) for _ in range(2)]  # the CK ULNs
        right = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        column = QVBoxLayout(top)
        column.addWidget(self.title)
        column.addWidget(self.tabs)
        right.addWidget(top)
        right.addWidget(self.graphics)
        right.setSizes([280, 620])
        self.window = QSplitter()
        self.window.addWidget(self.list)
        self.window.addWidget(right)
        self.window.setSizes([420, 980])
        self.list.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.list.selectionModel().selectionChanged.connect(self._on_selected)
        self.drawn: dict[str, int] = {}

    def _on_selected(self) -> None:
        rows = self.list.selectionModel().selectedRows()
        if rows:
            self.show_patient(self.ids[rows[0].data()])

    def show_patient(self, pid: int) -> None:
        run = self.connection.execute
        study_id, subtype, sex, born = run("SELECT study_id, subtype, sex, birth_year FROM patient WHERE id = ?",
                                           (pid,)).fetchone()  # fmt: skip
        courses, visits = run(COURSES_SQL, (pid,)).fetchall(), run(ASSESSMENTS_SQL, (pid,)).fetchall()
        events, photos = run(EVENTS_SQL, (pid,)).fetchall(), run(PHOTOS_SQL, (pid,)).fetchall()
        self.title.setText(f"<b style='font-size:14pt'>{study_id}</b> · {subtype}")
        self.overview.setHtml(f"<table><tr><td><b>Subtype</b></td><td>{subtype}</td></tr><tr><td><b>Sex</b>"
                              f"</td><td>{sex}</td></tr><tr><td><b>Year of birth</b></td><td>{born}</td></tr></table>")  # fmt: skip
        for name, rows in (("Treatments", [_course_cells(r) for r in courses]),
                           ("Assessments", [_assessment_cells(r) for r in visits]),
                           ("Adverse events", [_event_cells(r) for r in events])):  # fmt: skip
            model = self.models[name]
            model.beginResetModel()
            model.rows = rows
            model.endResetModel()
        self._show_photos(photos)
        self._draw(courses, visits, events, photos, run(REFERENCES_SQL, (pid,)).fetchall())

    def _show_photos(self, photos: list[tuple[Any, ...]]) -> None:
        from PySide6.QtGui import QIcon, QImage, QPixmap
        from PySide6.QtWidgets import QListWidgetItem

        self.photos.clear()
        self.pixmaps = [QPixmap.fromImage(QImage.fromData(thumbnail)) for _day, thumbnail, _x in photos]
        for (day, _thumbnail, _x), pixmap in zip(photos, self.pixmaps, strict=True):
            self.photos.addItem(QListWidgetItem(QIcon(pixmap), day))

    def _draw(self, courses: list[Any], visits: list[Any], events: list[Any], photos: list[Any],
              references: list[Any]) -> None:  # fmt: skip
        import numpy as np

        lanes = list(dict.fromkeys(c[0] for c in courses))
        self.bars.setOpts(x0=[c[8] for c in courses], x1=[c[9] for c in courses],
                          y=[lanes.index(c[0]) for c in courses], height=0.64)  # fmt: skip
        self.lanes.getAxis("left").setTicks([list(enumerate(lanes))])
        events_y, photos_y = len(lanes) + 1, len(lanes) + 2
        self.events.setData([e[8] for e in events], [events_y] * len(events), symbol="t", size=9)
        self.photo_marks.setData([p[2] for p in photos], [photos_y] * len(photos), symbol="s", size=8)
        for item, (_day, _thumb, x), pixmap in zip(self.thumbs, photos, self.pixmaps, strict=False):
            item.setPixmap(pixmap.scaledToHeight(60))
            item.setPos(x, photos_y + 0.5)
        self.lanes.setYRange(-0.5, photos_y + 4, padding=0)
        x = np.array([v[12] for v in visits], dtype=np.float64)
        points, curves = 0, iter(self.curves)
        for _title, columns, _range, step in TRACKS:
            for column in columns:
                y = np.array([v[column] for v in visits], dtype=np.float64)
                if step:
                    next(curves).setData(np.repeat(x, 2)[1:], np.repeat(y, 2)[:-1])
                next(curves).setData(x, y)
                points += len(y)
        for curve, (uln, x0, x1) in zip(self.references, references, strict=False):
            curve.setData([x0, x1], [uln, uln])
        self.lanes.setXRange(min(float(x.min()), *(c[8] for c in courses)), float(x.max()))
        self.drawn = {"bars": len(courses), "events": len(events), "photos": len(photos),
                      "thumbnails": len(photos), "tracks": len(TRACKS), "points": points}  # fmt: skip
