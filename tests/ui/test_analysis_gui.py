"""The analysis window shows what `myocase stats --json` prints; Table 2 drawn alike by the window, the terminal
and the PDF from one spec; response criteria between two visits."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from myocase.cli import main
from myocase.domain.analysis import AnalysisSettings, CountSummary
from myocase.domain.outcome_table import OutcomeTable, outcome_table
from myocase.domain.scores import ChangeRule, RuleKind
from myocase.domain.vocab import Subtype
from myocase.services import report, stats
from myocase.services.analysis_settings import load_settings
from myocase.store.casebook import Casebook
from myocase.ui.analysis_view import AnalysisView
from myocase.ui.main_window import MainWindow
from PySide6.QtCore import QPoint, Qt


@pytest.fixture
def demo_window(window: MainWindow) -> MainWindow:
    return window


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.demo
def test_analysis_view_matches_stats_json(
    demo_window: MainWindow, capsys: pytest.CaptureFixture[str]
) -> None:
    view = demo_window.show_analysis()
    assert main(["stats", "--db", str(demo_window.controller.book.path), "--json", "--identified"]) == 0
    expected = json.loads(capsys.readouterr().out)
    assert view.result is not None
    assert stats.to_json(view.result) == expected
    model = view.outcomes.model
    shown = [
        [model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]
    assert [row[0] for row in shown[:-1]] == [p["patient"] for p in expected["patients"]]
    number = lambda text: float(text.replace("−", "-"))  # noqa: E731
    for row, patient in zip(shown, expected["patients"], strict=False):
        assert (number(row[3]), number(row[5]), number(row[6])) == (
            patient["baseline"],
            patient["followup"],
            patient["change"],
        )
        criteria = " and ".join(patient["meaningful_criteria"])
        assert row[8] == f"{'yes' if patient['meaningful_change'] else 'no'} ({criteria})"
    outcome = expected["outcome"]
    low, high = (f"{v:g}".replace("-", "−") for v in outcome["change_iqr"])
    assert shown[-1][0] == f"Median (IQR), {outcome['n']} patients"
    assert shown[-1][6] == f"{outcome['median_change']:g} ({low} to {high})".replace("-", "−")
    summary = " ".join(view.summary.toPlainText().split())
    assert (
        f"Meaningful improvement {outcome['meaningful_change']} of {outcome['n']} (either criterion)"
        in summary
    )


def _window_table(view: AnalysisView) -> tuple[list[str], list[list[str]]]:
    """The header and every row of the window's Table 2 as the view shows them, top to bottom."""
    model = view.outcomes.table.model()
    columns = range(model.columnCount())
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in columns]
    return header, [[model.data(model.index(r, c)) for c in columns] for r in range(model.rowCount())]


def _terminal_table(out: str, title: str) -> tuple[dict[int, str], list[dict[int, str]], list[str]]:
    """Table 2 read back from `myocase stats`: the header cells, each row's cells by column (the summary row
    last) and the lines under the table, from the columns the dashed rule marks."""
    lines = out.splitlines()
    top = lines.index(title)
    rules = [n for n in range(top, len(lines)) if lines[n].startswith("  ---")][:2]
    end = lines.index("", rules[1])
    columns = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[rules[0]])]

    def cells(block: list[str]) -> dict[int, str]:
        found: dict[int, str] = {}
        for line in block:
            for cell in re.finditer(r"\S+(?: \S+)*", line):  # cells are apart by two spaces or more
                column = next(n for n, (a, b) in enumerate(columns) if a <= cell.start() < b)
                found[column] = f"{found[column]} {cell.group()}" if column in found else cell.group()
        return found

    rows = [cells([line]) for line in lines[rules[0] + 1 : rules[1]]]
    under = lines[end + 1 : lines.index("", end + 1) if "" in lines[end + 1 :] else len(lines)]
    return cells(lines[top + 1 : rules[0]]), [*rows, cells(lines[rules[1] + 1 : end])], under


def _pdf_table(pdf: Path, title: str) -> list[str]:
    """What the PDF draws from Table 2's title to Table 3, as pdfium reads its text runs: the cells in drawing
    order (a cell wrapped over lines is its lines joined), then the caption with the notes as one more."""
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [document[n].get_textpage() for n in range(len(document))]
        runs = [
            (page.get_text_bounded(*rect).replace("\u00a0", " ").strip(), rect)  # no-break spaces: layout
            for page in pages
            for rect in (page.get_rect(r) for r in range(page.count_rects()))
        ]
    finally:
        document.close()
    texts = [text for text, _ in runs]
    cells: list[tuple[str, tuple[float, ...]]] = []
    for text, box in runs[texts.index(title) + 1 : texts.index("Table 3. Adverse events")]:
        last = cells[-1][1] if cells else None
        if last is not None and abs(box[0] - last[0]) < 2 and box[3] < last[1]:  # the cell's next line
            cells[-1] = (f"{cells[-1][0]} {text}", box)
        else:
            cells.append((text, box))
    return [text for text, _ in cells]


def _spec(book: Casebook, identified: bool) -> OutcomeTable:
    """Table 2's spec of the stored settings: as recorded (the window), or de-identified (PDF, terminal)."""
    result = stats.run(book, load_settings(book), identified=identified)
    return outcome_table(result.analysis, result.disclosure.clock)


@pytest.mark.sqlite_only("runs the command line on the file's path")
@pytest.mark.demo
@pytest.mark.parametrize("identified", [False, True])
def test_the_terminal_prints_table_2_as_its_spec_says(
    demo_window: MainWindow, capsys: pytest.CaptureFixture[str], identified: bool
) -> None:
    book = demo_window.controller.book
    spec = _spec(book, identified)
    assert main(["stats", "--db", str(book.path), *(["--identified"] * identified)]) == 0
    header, rows, under = _terminal_table(capsys.readouterr().out, spec.title)
    assert header == dict(enumerate(spec.headers))
    assert rows[:-1] == [dict(enumerate(row.cells)) for row in spec.rows]
    assert rows[-1] == {n: cell for n, cell in enumerate(spec.summary.cells) if cell}  # spanned cells: one
    assert " ".join(line.strip() for line in under) == " ".join(
        [spec.caption, *spec.notes]
    )  # wrapped at spaces


@pytest.mark.demo
def test_the_window_shows_table_2_as_its_spec_says(demo_window: MainWindow) -> None:
    spec = _spec(demo_window.controller.book, identified=True)  # the series as recorded, with real dates
    view = demo_window.show_analysis()
    header, shown = _window_table(view)
    assert view.outcomes.title.text() == spec.title
    assert header == list(spec.headers)
    assert shown == [list(row.cells) for row in (*spec.rows, spec.summary)]
    spans = [view.outcomes.table.columnSpan(len(shown) - 1, first) for first, _ in spec.spans]
    assert spans == [last - first + 1 for first, last in spec.spans]
    under = view.summary.toPlainText().splitlines()
    assert under[: 1 + len(spec.notes)] == [spec.caption, *spec.notes]
    items = [text for label, value in spec.items for text in (label.strip(), value)]
    assert under[1 + len(spec.notes) : 1 + len(spec.notes) + len(items)] == items


@pytest.mark.demo
def test_the_pdf_draws_table_2_as_its_spec_says(demo_window: MainWindow, tmp_path: Path) -> None:
    book = demo_window.controller.book
    spec = _spec(book, identified=False)  # de-identified: days from each patient's day 0
    pdf = report.export(book, tmp_path / "report.pdf", report.load_options(book))
    cells = _pdf_table(pdf, f"Table 2. {spec.title}")
    width, patients = len(spec.headers), len(spec.rows)
    assert cells[:width] == list(spec.headers)
    body = cells[width : width * (1 + patients)]
    assert [body[n : n + width] for n in range(0, len(body), width)] == [list(row.cells) for row in spec.rows]
    assert cells[width * (1 + patients) :] == [
        *(cell for cell in spec.summary.cells if cell),
        " ".join([spec.caption, *spec.notes]),
    ]


@pytest.mark.demo
def test_sorting_by_a_column_keeps_the_summary_row_last(qtbot, demo_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view = demo_window.show_analysis()
    header = view.outcomes.table.horizontalHeader()
    middle = QPoint(header.sectionViewportPosition(3) + header.sectionSize(3) // 2, header.height() // 2)
    orders = []
    for _ in range(2):  # one click sorts by the baseline, the next turns the order round
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=middle)
        _, shown = _window_table(view)
        baselines = [float(row[3]) for row in shown[:-1]]
        ascending = header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
        orders.append(ascending)
        assert baselines == sorted(baselines, reverse=not ascending)  # as numbers, not as text
        assert shown[-1][0] == "Median (IQR), 8 patients"
    assert orders in ([True, False], [False, True])


@pytest.mark.demo
def test_changing_settings_recomputes_and_saving_makes_them_the_default(demo_window: MainWindow) -> None:
    view = demo_window.show_analysis()
    view.panel.subtypes[Subtype.ADM].setChecked(False)
    assert view.outcomes.model.rowCount() == 6  # DM only, and the summary row
    view.panel.test.setCurrentIndex(view.panel.test.findData("ttest"))
    assert view.result is not None
    assert view.result.analysis.summary.test.name == "Paired t-test"
    view.save_button.click()
    stored = load_settings(demo_window.controller.book)
    assert stored.subtypes == (Subtype.DM,)
    assert stored.test.value == "ttest"
    demo_window.actions_["undo"].trigger()
    assert load_settings(demo_window.controller.book).subtypes == (Subtype.DM, Subtype.ADM)


@pytest.mark.demo
def test_double_clicking_a_row_selects_the_patient(qtbot, demo_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    outcomes = demo_window.show_analysis().outcomes
    table, proxy = outcomes.table, outcomes.proxy
    qtbot.waitExposed(table)

    def double_click(row: int) -> None:
        table.scrollTo(proxy.index(row, 0))
        where = table.visualRect(proxy.index(row, 0)).center()
        assert table.indexAt(where).row() == row
        qtbot.mouseClick(
            table.viewport(), Qt.MouseButton.LeftButton, pos=where
        )  # a double click's first press
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)

    double_click(1)
    patient = demo_window.controller.book.patient(demo_window.controller.patient_id or 0)
    assert patient.study_id == proxy.index(1, 0).data()
    double_click(proxy.rowCount() - 1)  # the summary row names no patient
    assert demo_window.controller.patient_id == patient.id


@pytest.mark.demo
def test_response_criteria_between_two_assessments(demo_window: MainWindow) -> None:
    book = demo_window.controller.book
    demo_window.controller.select_patient(book.patient_by_study_id("DEMO-01").id)  # type: ignore[union-attr]
    view = demo_window.patient_view.show_response()
    assert view is not None
    text = view.text.toPlainText()
    assert "2019-05-23 → 2023-05-15" in text
    assert "Total Improvement Score" in text
    assert "IMACS definition of improvement" in text
    assert "Physician global activity" in text
    assert "exactly on a band edge falls in the lower band" in text
    view.base.setCurrentIndex(view.base.findText("2020-08-24"))
    assert "2020-08-24 → 2023-05-15" in view.text.toPlainText()
    view.close()


@pytest.mark.demo
def test_cohort_plots_open_from_the_menu_and_a_click_selects_the_patient(
    qtbot, demo_window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    demo_window.actions_["cohort"].trigger()
    cohort = demo_window.cohort_window
    assert cohort is not None
    assert cohort.isVisible()
    assert cohort.spaghetti.counts()["lines"] == 8
    cohort.tabs.setCurrentWidget(cohort.swimmer)
    qtbot.waitExposed(cohort.swimmer.graph)
    book = demo_window.controller.book
    demo_04 = book.patient_by_study_id("DEMO-04")
    assert demo_04 is not None
    qtbot.mouseClick(
        cohort.swimmer.graph.viewport(), Qt.MouseButton.LeftButton, pos=cohort.swimmer.row_pos("DEMO-04", 60)
    )
    assert demo_window.controller.patient_id == demo_04.id
    assert demo_window.show_cohort() is cohort  # one window, raised again


def _choose(qtbot, combo, text: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an entry of a drop-down with the keyboard, as a user would."""
    combo.setFocus()
    while combo.currentText() != text:
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentIndex() != before, f"{text!r} is not in the list"


def _retype(qtbot, field, text: str) -> None:  # type: ignore[no-untyped-def]
    field.line.selectAll()
    qtbot.keyClicks(field.line, text)


@pytest.mark.demo
def test_rule_and_count_choices_change_the_results_and_are_saved(qtbot, demo_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view = demo_window.show_analysis()
    panel = view.panel
    summary = lambda: " ".join(view.summary.toPlainText().split())  # noqa: E731
    assert "Prior immunosuppressants median 4 (range 3 to 5)" in summary()
    assert "Meaningful improvement 8 of 8 (either criterion)" in summary()
    _choose(qtbot, panel.rule, "points only")
    _retype(qtbot, panel.numbers["points"], "20")
    assert "Meaningful improvement 2 of 8 (points only)" in summary()  # falls of 24 and 26 points
    model = view.outcomes.model
    column = [model.data(model.index(r, 8)) for r in range(model.rowCount())]
    assert column[:2] == ["yes (points and percent)", "no (meets percent)"]
    assert (
        "Meaningful change in CDASI activity (points only): a change meeting the points criterion "
        "(≥ 20 points, Anyanwu 2015)" in summary()
    )  # the method states the rule with its number
    assert panel.rule_text.text().startswith("Meaningful change in CDASI activity (points only)")
    _choose(qtbot, panel.counts, "mean (range)")
    assert "Prior immunosuppressants mean 4 (range 3 to 5)" in summary()
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    stored = load_settings(demo_window.controller.book)
    assert stored.change_rule == ChangeRule(points=20, kind=RuleKind.POINTS)
    assert stored.count_summary is CountSummary.MEAN


@pytest.mark.demo
def test_a_setting_that_cannot_be_used_is_named_and_not_saved(qtbot, demo_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view = demo_window.show_analysis()
    _retype(qtbot, view.panel.numbers["window_before"], "400")  # 4 and 40 are usable on the way
    assert "Days before the start" in view.panel.problem.text()
    assert not view.save_button.isEnabled()
    assert view.result is not None
    assert view.result.analysis.settings.window_before == 40
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert load_settings(demo_window.controller.book).window_before == 90
    _retype(qtbot, view.panel.numbers["window_before"], "60")
    assert view.panel.problem.text() == ""
    assert view.save_button.isEnabled()
    assert view.result is not None
    assert view.result.analysis.settings.window_before == 60


@pytest.fixture
def gated_run(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every series counts as large (analysed in the thread pool), and each run waits at its first patient
    until the returned event is set, so a test can act while the analysis is still running."""
    monkeypatch.setattr(AnalysisView, "background_from", 0)
    gate, real = threading.Event(), stats.run

    def gated(book: Casebook, settings: AnalysisSettings, **options: Any) -> stats.SeriesStats:
        given = options.pop("progress", None)
        if given is None:  # analysed at once (a small series): nothing to wait for
            return real(book, settings, **options)

        def progress(done: int, total: int) -> None:
            gate.wait(10)
            given(done, total)

        return real(book, settings, progress=progress, **options)

    monkeypatch.setattr(stats, "run", gated)
    return gate


@pytest.mark.demo
def test_a_large_series_is_analysed_with_progress_and_shows_what_a_small_one_shows(
    qtbot, demo_window: MainWindow, gated_run: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    view = demo_window.show_analysis()
    qtbot.waitUntil(lambda: view.busy.isVisible() and view.busy.running)
    assert view.result is None  # the window stays usable: nothing shown yet, the bar and Cancel are
    assert view.busy.cancel_button.isEnabled()
    gated_run.set()
    qtbot.waitUntil(lambda: not view.busy.isVisible(), timeout=20_000)
    assert view.busy.progress.value() == view.busy.progress.maximum() == 10  # every patient counted
    in_background = _window_table(view)
    view.close()
    monkeypatch.setattr(
        AnalysisView, "background_from", 10**9
    )  # the same settings at once, as a small series
    at_once = AnalysisView(demo_window.controller)
    qtbot.addWidget(at_once)
    assert _window_table(at_once) == in_background
    assert at_once.summary.toPlainText() == view.summary.toPlainText()


@pytest.mark.demo
def test_cancel_stops_the_analysis_and_a_newer_setting_replaces_a_running_one(
    qtbot, demo_window: MainWindow, gated_run: threading.Event
) -> None:  # type: ignore[no-untyped-def]
    view = demo_window.show_analysis()
    qtbot.waitUntil(lambda: view.busy.running)
    qtbot.mouseClick(view.busy.cancel_button, Qt.MouseButton.LeftButton)
    gated_run.set()
    qtbot.waitUntil(lambda: not view.busy.running and not view.busy.isVisible(), timeout=20_000)
    assert view.result is None  # stopped: nothing half-computed is shown
    assert "cancelled" in view.panel.problem.text()
    gated_run.clear()
    view.panel.test.setCurrentIndex(view.panel.test.findData("ttest"))  # runs
    qtbot.waitUntil(lambda: view.busy.running)
    view.panel.test.setCurrentIndex(view.panel.test.findData("wilcoxon"))  # stops that run, then runs
    gated_run.set()
    qtbot.waitUntil(lambda: view.result is not None and not view.busy.running, timeout=20_000)
    assert "Wilcoxon" in view.result.analysis.summary.test.name  # the newer setting's result, not the older
    assert view.panel.problem.text() == ""
