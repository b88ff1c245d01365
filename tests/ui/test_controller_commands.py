"""Every command the controller offers: done, undone (the database as before) and redone (as after)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from myocase.domain.annotations import Crop, Shape, ShapeKind
from myocase.domain.changes import Change, Kind
from myocase.domain.records import (
    AdverseEvent,
    AntibodyResult,
    Assessment,
    Consent,
    Identifiers,
    MedicationCourse,
    PhotoComparison,
)
from myocase.domain.validation import ValidationError
from myocase.domain.vocab import AntibodyStatus
from myocase.services.photos import PhotoDefaults
from myocase.store.casebook import Casebook
from myocase.store.database import StorageError
from myocase.store.imaging import PhotoRejected, prepare_image
from myocase.ui.controller import Controller
from sqlalchemy import inspect, text

from tests.factories import make_assessment, make_course, make_event, make_patient
from tests.images import png_bytes, upright_pattern

UNDUMPED = {"audit_log"}  # the trail keeps every undo and redo: it only grows
# not content: the surrogate key of antibody rows (re-created rows get new ids; nothing refers to them) and
# the times a row was written and the count of its saves (an undo is a write too; the audit trail keeps the
# history, and an undone edit must not pass for the version a stale form was read at)
UNCOMPARED = {"created_at", "updated_at", "version"}
SURROGATE = {"antibody_result": "id"}


def dump(book: Casebook) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the audit trail and surrogate keys left out), in a stable order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with book.engine.connect() as connection:
        schema = inspect(connection)
        for table in sorted(set(schema.get_table_names()) - UNDUMPED):
            columns = [
                c["name"]
                for c in schema.get_columns(table)
                if c["name"] not in UNCOMPARED and c["name"] != SURROGATE.get(table)
            ]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(text(f'SELECT {names} FROM "{table}"')).all()
            tables[table] = sorted((tuple(row) for row in rows), key=repr)
    return tables


@dataclass
class Series:
    """One patient with everything a command can touch, written straight into the store."""

    book: Casebook
    pid: int
    bare: int  # a second patient with no identifiers and no records
    course: MedicationCourse
    assessment: Assessment
    event: AdverseEvent
    photos: list[int]
    comparison: PhotoComparison


def _image(width: int, height: int) -> Any:
    return prepare_image(png_bytes(upright_pattern(width, height)))


@pytest.fixture
def series(controller: Controller) -> Series:
    book = controller.book
    patient = book.save_patient(make_patient("MYO-01"), Identifiers(0, full_name="Ana Ruiz", mrn="77-12"))
    pid = patient.id or 0
    course = book.save(make_course(pid))
    assessment = book.save(make_assessment(pid, on="2021-06-01", cdasi_activity=24))
    event = book.save(make_event(pid))
    first, _ = book.add_photo(pid, _image(120, 80), taken_on=date(2021, 6, 1), assessment_id=assessment.id)
    second, _ = book.add_photo(pid, _image(90, 60), taken_on=date(2021, 9, 1), body_site="face")
    photos = [first.id or 0, second.id or 0]
    comparison = book.save_comparison(PhotoComparison(pid, "Before and after", tuple(photos)))
    book.save_preference("report_folder", "/tmp/reports")
    bare = book.save_patient(make_patient("MYO-02")).id or 0
    return Series(book, pid, bare, course, assessment, event, photos, comparison)


Command = Callable[[Controller, Series], object]


def _prepared(s: Series) -> list[tuple[Path, Any]]:
    return [
        (Path("a.png"), _image(200, 100)),
        (Path("b.png"), _image(60, 90)),
        (Path("same.png"), _image(120, 80)),  # already stored: not stored again
        (Path("notes.txt"), PhotoRejected("it is not an image")),
    ]


def _annotated(c: Controller, s: Series) -> object:
    photo = c.book.photo(s.photos[1])
    arrow = Shape(ShapeKind.ARROW, ((0.2, 0.2), (0.5, 0.6)))
    return c.save_photo(
        replace(photo, annotations=(arrow,), crop=Crop(0.1, 0.1, 0.9, 0.8)), "Annotations saved"
    )


def _leave_demo(c: Controller, s: Series) -> object:
    patient = c.book.patient(s.bare)
    return c.save_patient(replace(patient, vignette="typed into the demo"), None, leave_demo=True)


def _demo_first(c: Controller, s: Series) -> None:
    c.save_settings(replace(c.settings(), is_demo=True))


# name: (set-up through the controller or None, the command, the kinds its change names)
COMMANDS: dict[str, tuple[Command | None, Command, set[Kind]]] = {
    "settings": (None, lambda c, s: c.save_settings(replace(c.settings(), name="Renamed", index_drug="baricitinib")), {Kind.SETTINGS}),
    "new preference": (None, lambda c, s: c.save_preference("report", {"title": "Series"}, "Report settings saved"), {Kind.SETTINGS}),
    "changed preference": (None, lambda c, s: c.save_preference("report_folder", None, "Report folder saved"), {Kind.SETTINGS}),
    "new patient": (None, lambda c, s: c.save_patient(make_patient("MYO-03"), Identifiers(0, full_name="Bo Li")), {Kind.PATIENT}),
    "patient edited": (None, lambda c, s: c.save_patient(
        replace(c.book.patient(s.pid), birth_year=1968, antibodies=(AntibodyResult("MDA5", AntibodyStatus.NEGATIVE),)),
        Identifiers(s.pid, full_name="Ana Ruiz Gil")), {Kind.PATIENT}),
    "identifiers added": (None, lambda c, s: c.save_patient(c.book.patient(s.bare), Identifiers(s.bare, mrn="55")), {Kind.PATIENT}),
    "patient saved out of the demo": (_demo_first, _leave_demo, {Kind.PATIENT, Kind.SETTINGS}),
    "patient deleted": (None, lambda c, s: c.delete_patient(s.pid), set(Kind) - {Kind.SETTINGS, Kind.ALL}),
    "new course": (None, lambda c, s: c.save_record(make_course(s.pid, "methotrexate", "2019-05")), {Kind.COURSE}),
    "course edited": (None, lambda c, s: c.save_record(replace(s.course, dose=30.0)), {Kind.COURSE}),
    "course deleted": (None, lambda c, s: c.delete_record(MedicationCourse, s.course.id or 0), {Kind.COURSE}),
    "new assessment": (None, lambda c, s: c.save_record(make_assessment(s.pid, on="2022-01-10", haq=0.5)), {Kind.ASSESSMENT}),
    "assessment edited": (None, lambda c, s: c.save_record(replace(s.assessment, cdasi_activity=12, notes="better")), {Kind.ASSESSMENT}),
    "assessment deleted (its photo unlinked)": (
        None, lambda c, s: c.delete_record(Assessment, s.assessment.id or 0), {Kind.ASSESSMENT, Kind.PHOTO}),
    "new adverse event": (None, lambda c, s: c.save_record(make_event(s.pid, "cellulitis", 3, "2021-08-02")), {Kind.EVENT}),
    "adverse event edited": (None, lambda c, s: c.save_record(replace(s.event, grade=3, serious=True)), {Kind.EVENT}),
    "adverse event deleted": (None, lambda c, s: c.delete_record(AdverseEvent, s.event.id or 0), {Kind.EVENT}),
    "photos imported": (None, lambda c, s: c.store_photos(s.pid, _prepared(s), PhotoDefaults(consent=Consent.YES)), {Kind.PHOTO}),
    "photo details": (None, lambda c, s: c.save_photo(replace(c.book.photo(s.photos[0]), caption="Gottron papules", in_report=True)), {Kind.PHOTO}),
    "photo annotated and cropped": (None, _annotated, {Kind.PHOTO}),
    "photo deleted (out of its comparison)": (None, lambda c, s: c.delete_photos([s.photos[0]]), {Kind.PHOTO, Kind.COMPARISON}),
    "photos deleted together": (None, lambda c, s: c.delete_photos(s.photos), {Kind.PHOTO, Kind.COMPARISON}),
    "new comparison": (None, lambda c, s: c.save_comparison(PhotoComparison(s.pid, "Face", tuple(reversed(s.photos)))), {Kind.COMPARISON}),
    "comparison renamed": (None, lambda c, s: c.save_comparison(replace(s.comparison, name="Six months")), {Kind.COMPARISON}),
}  # fmt: skip


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_undone_and_redone_exactly(
    controller: Controller, series: Series, name: str
) -> None:
    set_up, command, kinds = COMMANDS[name]
    if set_up is not None:
        set_up(controller, series)
    announced: list[Change] = []
    controller.changed.connect(announced.append)
    before, steps = dump(series.book), controller.undo_stack.count()

    command(controller, series)
    after = dump(series.book)
    assert after != before
    assert controller.undo_stack.count() == steps + 1
    done = announced[-1]
    assert done.kinds == kinds
    assert done.settings == (Kind.SETTINGS in kinds)

    controller.undo_stack.undo()
    assert dump(series.book) == before
    assert announced[-1] == done.inverse()
    controller.undo_stack.redo()
    assert dump(series.book) == after
    assert announced[-1] == done
    controller.undo_stack.undo()  # and back again, from a redone state
    assert dump(series.book) == before


def test_a_change_carries_each_record_before_and_after(controller: Controller, series: Series) -> None:
    announced: list[Change] = []
    controller.changed.connect(announced.append)
    saved = controller.save_record(replace(series.assessment, cdasi_activity=12))
    (change,) = announced
    assert change.before == (series.assessment,)
    assert change.after == (saved,)
    assert change.patient_ids == {series.pid}
    assert change.touches(Kind.ASSESSMENT)
    assert not change.touches(Kind.COURSE, Kind.PHOTO)
    controller.delete_record(Assessment, saved.id or 0)
    unlinked, deleted = announced[-1].edits  # the photo first: undo links it again after the assessment
    assert (unlinked.before.assessment_id, unlinked.after.assessment_id) == (saved.id, None)  # type: ignore[union-attr]
    assert (deleted.before, deleted.after) == (saved, None)


def test_saving_without_a_change_adds_no_undo_step(controller: Controller, series: Series) -> None:
    controller.save_record(series.course)
    controller.save_settings(controller.settings())
    assert controller.undo_stack.count() == 0


def test_an_undo_that_cannot_be_done_says_so_and_writes_nothing(
    controller: Controller, series: Series
) -> None:
    failures: list[str] = []
    controller.failed.connect(failures.append)
    controller.delete_photos(series.photos)
    series.book.add_photo(series.pid, _image(120, 80))  # the first photo again, behind the controller's back
    before = dump(series.book)
    controller.undo_stack.undo()  # puts back the second photo, its comparison, then cannot put back the first
    assert len(failures) == 1
    assert failures[0].startswith("Undone: 2 photos deleted failed: ")
    assert "conflicts with what is stored now" in failures[0]
    assert dump(series.book) == before  # all or nothing


def test_settings_are_read_once_until_they_change(controller: Controller, series: Series) -> None:
    statements: list[str] = []
    from sqlalchemy import event

    event.listen(series.book.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    first = (controller.settings(), controller.analysis_settings())
    assert (controller.settings(), controller.analysis_settings()) == first
    reads = len(statements)
    controller.settings(), controller.analysis_settings()
    assert len(statements) == reads  # kept
    controller.save_settings(replace(first[0], index_drug="tofacitinib"))
    assert controller.settings().index_drug == "tofacitinib"  # read anew after the change
    controller.undo_stack.undo()
    assert controller.settings().index_drug == first[0].index_drug


def test_another_database_or_the_demo_starts_a_new_history(controller: Controller, tmp_path: Path) -> None:
    announced: list[Change] = []
    controller.changed.connect(announced.append)
    controller.save_settings(replace(controller.settings(), name="Before"))
    controller.open_database(tmp_path / "other.sqlite")
    assert controller.undo_stack.count() == 0
    assert announced[-1] == Change.everything()
    assert announced[-1].settings
    assert controller.settings().name != "Before"  # the other database's settings, not the kept ones
    controller.load_demo()
    assert controller.undo_stack.count() == 0
    assert announced[-1].touches(Kind.PATIENT)
    assert controller.has_patients()


def test_a_refused_command_adds_no_undo_step_and_tells_no_view(
    controller: Controller, series: Series
) -> None:
    announced: list[Change] = []
    controller.changed.connect(announced.append)
    before = dump(series.book)
    with pytest.raises(ValidationError, match="between 0 and 100"):
        controller.save_record(replace(series.assessment, cdasi_activity=120))
    assert (controller.undo_stack.count(), announced) == (0, [])
    assert dump(series.book) == before


def test_photos_stored_before_a_failure_stay_undoable(
    controller: Controller, series: Series, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dump(series.book)
    store = series.book.add_photo
    calls: list[int] = []

    def fail_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise StorageError("Could not save to the database: disk I/O error")
        return store(*args, **kwargs)

    monkeypatch.setattr(series.book, "add_photo", fail_second)
    with pytest.raises(StorageError):
        controller.store_photos(series.pid, _prepared(series), PhotoDefaults())
    assert len(series.book.photos(series.pid)) == 3  # the first file was stored
    assert controller.undo_stack.undoText() == "Changes made before an error"
    controller.undo_stack.undo()
    assert dump(series.book) == before
