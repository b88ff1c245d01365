"""The REDCap mapping editor, driven as a user would: obvious matches filled in, a field and its choices
chosen by keyboard, the date format picked, saved through the app's save dialog; the YAML written maps what
was chosen and imports. An existing mapping is shown as saved; no dictionary, or nothing mapped, is said."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from myocase.services.redcap import read_redcap
from myocase.ui import mapping_editor
from myocase.ui.figures import export as saving
from myocase.ui.mapping_editor import MappingEditor, open_editor
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog

from tests.ui.conftest import Answers

FILES = Path(__file__).parents[1] / "services" / "redcap_files"
DICTIONARY, RECORDS, MAPPING = (
    FILES / "registry_dictionary.csv", FILES / "registry_records.csv", FILES / "registry_mapping.yaml",
)  # fmt: skip


@pytest.fixture
def editor(qtbot) -> MappingEditor:  # type: ignore[no-untyped-def]
    shown = MappingEditor(DICTIONARY)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _row(editor: MappingEditor, column: str) -> int:
    return next(n for n, e in enumerate(editor.items) if e.column == column)


def _select(qtbot, editor: MappingEditor, column: str) -> QComboBox:  # type: ignore[no-untyped-def]
    """Click the REDCap field's row; its MyoCase drop-down."""
    row = _row(editor, column)
    editor.table.scrollToItem(editor.table.item(row, 0))
    rect = editor.table.visualItemRect(editor.table.item(row, 0))
    qtbot.mouseClick(editor.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.table.currentRow() == row
    return editor.combos[row]


def _choice_box(editor: MappingEditor, code: str) -> QComboBox:
    row = next(
        n for n in range(editor.choice_table.rowCount()) if editor.choice_table.item(n, 0).text() == code
    )
    box = editor.choice_table.cellWidget(row, 2)
    assert isinstance(box, QComboBox)
    return box


@pytest.fixture
def save_as(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The app's save dialog answered with tmp_path/registry (no suffix typed); the titles asked."""
    asked: list[str] = []

    def answer(parent, title, start, filters, save=True):  # type: ignore[no-untyped-def]
        asked.append(title)
        return str(tmp_path / "registry"), "REDCap mapping (YAML) (*.yaml)"

    monkeypatch.setattr(saving, "file_dialog", answer)
    return asked


def test_the_obvious_matches_are_filled_in(editor: MappingEditor) -> None:
    shown = {e.column: editor.combos[n].currentText() for n, e in enumerate(editor.items)}
    assert shown["dem_sex"] == "Sex (patients)"
    assert shown["dem_organs___1"] == "Interstitial lung disease (patients)"
    assert shown["visit_cdasi_a"] == "CDASI activity (assessments)"
    assert shown["ae_onset"] == "Onset (adverse events)"
    assert shown["dem_dx"] == shown["visit_date"] == shown["dem_notes"] == mapping_editor.NOT_IMPORTED


def test_what_is_chosen_is_saved_as_the_mapping_file(
    qtbot,
    editor: MappingEditor,
    save_as: list[str],
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    qtbot.keyClicks(_select(qtbot, editor, "dem_dx"), "Diagnosis subtype")
    assert editor.target_info.text().startswith("dem_dx → patients.subtype")
    qtbot.keyClicks(_choice_box(editor, "1"), "Dermatomyositis (DM)")
    qtbot.keyClicks(_choice_box(editor, "3"), "Antisynthetase")
    qtbot.keyClick(_choice_box(editor, "4"), Qt.Key.Key_Down)  # from "not matched" to "not recorded"
    assert _choice_box(editor, "4").currentText() == mapping_editor.NOT_RECORDED
    assert _choice_box(editor, "2").currentText() == mapping_editor.NOT_MATCHED
    qtbot.keyClicks(_select(qtbot, editor, "dem_notes"), "Clinical vignette")
    qtbot.keyClicks(_select(qtbot, editor, "visit_date"), "Assessment date")
    qtbot.keyClick(_select(qtbot, editor, "visit_mmt8"), Qt.Key.Key_Home)  # back to "not imported"
    qtbot.keyClicks(editor.date_format, "DD/MM/YYYY")
    with qtbot.waitSignal(editor.saved, timeout=5000) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    path = tmp_path / "registry.yaml"
    assert (saved.args, editor.mapping_path(), editor.result()) == ([path], path, QDialog.DialogCode.Accepted)
    assert save_as == ["Save the REDCap mapping"]
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (written["record_id"], written["date_format"]) == ("record_id", "DD/MM/YYYY")
    fields = written["fields"]
    assert fields["dem_dx"] == {
        "to": "patients.subtype",
        "choices": {"1": "DM", "3": "ASyS", "4": "", "99": "other"},
    }
    assert fields["dem_sex"] == {"to": "patients.sex", "choices": {"1": "F", "2": "M"}}
    assert fields["dem_organs___1"] == {"to": "patients.ild", "choices": {"1": "yes", "0": ""}}
    assert (fields["dem_notes"], fields["visit_date"]) == ("patients.vignette", "assessments.assessed_on")
    assert not {"visit_mmt8", "dem_organs___3"} & set(fields)
    rows = read_redcap([DICTIONARY, RECORDS], path)  # the file imports
    patients = [r.values for r in rows if r.table == "patients"]
    assert [(p["study_id"], p["subtype"], p["sex"]) for p in patients] == [
        ("101", "DM", "F"),
        ("102", "ASyS", "M"),
    ]


def test_an_existing_mapping_is_shown_as_it_was_saved(qtbot) -> None:  # type: ignore[no-untyped-def]
    shown = MappingEditor(DICTIONARY, None, MAPPING)
    qtbot.addWidget(shown)
    assert shown.combos[_row(shown, "med_stopwhy")].currentText() == "Reason stopped (medication courses)"
    assert shown.combos[_row(shown, "visit_date")].currentText() == "Assessment date (assessments)"
    assert shown.choices["med_stopwhy"] == {
        "1": "inefficacy",
        "2": "adverse event",
        "3": "patient choice",
        "4": "other",
    }
    assert shown.choices["dem_organs___2"] == {"1": "yes", "0": "no"}


def test_an_existing_mapping_saved_again_imports_the_same(
    qtbot,
    save_as: list[str],
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    shown = MappingEditor(DICTIONARY, None, MAPPING)
    qtbot.addWidget(shown)
    qtbot.mouseClick(shown.save_button, Qt.MouseButton.LeftButton)
    again = shown.mapping_path()
    assert again == tmp_path / "registry.yaml"
    events = yaml.safe_load(again.read_text(encoding="utf-8"))["events"]
    assert events == {
        "screening_arm_1": ["patients"], "baseline_arm_1": ["assessments", "medication_courses"],
        "week_24_arm_1": ["assessments", "adverse_events"],
    }  # fmt: skip
    before, after = read_redcap([DICTIONARY, RECORDS], MAPPING), read_redcap([DICTIONARY, RECORDS], again)
    assert [(r.row, r.table, dict(r.values)) for r in after] == [
        (r.row, r.table, dict(r.values)) for r in before
    ]


def test_nothing_mapped_is_said_and_nothing_saved(
    qtbot,
    tmp_path: Path,
    answers: Answers,
    save_as: list[str],  # type: ignore[no-untyped-def]
) -> None:
    dictionary = tmp_path / "dictionary.csv"
    dictionary.write_text(
        DICTIONARY.read_text(encoding="utf-8-sig").splitlines()[0] + "\nrecord_id,main,,text,Record ID,,,,,,,,,,,,,\n"
        "shoe_size,main,,text,Shoe size,,,integer,,,,,,,,,,\n",
        encoding="utf-8",
    )  # fmt: skip
    shown = MappingEditor(dictionary)
    qtbot.addWidget(shown)
    qtbot.mouseClick(shown.save_button, Qt.MouseButton.LeftButton)
    assert answers.questions == ["warning: Choose the MyoCase field of at least one REDCap field."]
    assert (save_as, shown.mapping_path(), list(tmp_path.glob("*.yaml"))) == ([], None, [])


def test_the_import_dialog_opens_it_on_the_dictionary_among_its_files(
    qtbot,
    answers: Answers,  # type: ignore[no-untyped-def]
) -> None:
    assert open_editor(None, [RECORDS]) is None
    assert answers.questions[0].startswith("information: Add the project's data dictionary")
    opened = open_editor(None, [RECORDS, DICTIONARY], MAPPING)
    assert opened is not None
    qtbot.addWidget(opened)
    assert (opened.isVisible(), opened.dictionary.source) == (True, "registry_dictionary.csv")
    assert opened.combos[_row(opened, "med_name")].currentText() == "Drug (medication courses)"
    opened.close()
