"""The storage facade: saves, validation before writing, audit trail, undo support, batches, the journal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from myocase.domain.cdasi import CdasiGrid, Mmt8Scores
from myocase.domain.changes import Change, Edit, Kind, StoredSetting
from myocase.domain.dates import PartialDate
from myocase.domain.records import (
    Assessment,
    Identifiers,
    MedicationCourse,
    Photo,
    PhotoComparison,
    SeriesSettings,
)
from myocase.domain.validation import ValidationError
from myocase.domain.vocab import StopReason, Subtype
from myocase.store.casebook import Casebook
from myocase.store.imaging import prepare_image
from sqlalchemy import event

from tests.factories import make_assessment, make_course, make_event, make_patient
from tests.images import png_bytes, upright_pattern


def test_patient_round_trip_with_antibodies_and_identifiers(book: Casebook) -> None:
    patient = book.save_patient(
        make_patient(diagnosis_date=PartialDate.parse("2019-03")),
        Identifiers(0, full_name="Ana Müller", mrn="MRN-778", date_of_birth=date(1970, 2, 3)),
    )
    assert patient.id is not None
    assert book.patient(patient.id) == patient
    assert book.patient(patient.id).diagnosis_date == PartialDate.parse("2019-03")
    assert book.identifiers(patient.id) == Identifiers(patient.id, "Ana Müller", "MRN-778", date(1970, 2, 3))


def test_study_ids_are_unique_regardless_of_case(book: Casebook) -> None:
    book.save_patient(make_patient("MYO-01"))
    with pytest.raises(ValidationError) as err:
        book.save_patient(make_patient("myo-01"))
    assert "already used" in (err.value.for_field("study_id") or "")
    assert book.counts().patients == 1


def test_invalid_record_writes_nothing(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id
    assert pid is not None
    bad = make_assessment(pid, cdasi_activity=120)
    with pytest.raises(ValidationError) as err:
        book.save(bad)
    assert err.value.for_field("cdasi_activity") == "CDASI activity must be between 0 and 100."
    assert book.assessments(pid) == []
    assert [e.entity for e in book.audit_trail()].count("assessment") == 0


def test_future_dates_are_refused(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id
    assert pid is not None
    with pytest.raises(ValidationError, match="in the future"):
        book.save(make_assessment(pid, on="2024-01-16"))  # 'today' is pinned to 2024-01-15


def test_stop_before_start_is_refused(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id
    assert pid is not None
    course = make_course(
        pid, start="2021-03-01", stop=PartialDate.parse("2021-02"), stop_reason=StopReason.OTHER
    )
    with pytest.raises(ValidationError) as err:
        book.save(course)
    assert err.value.for_field("stop") == "Stop date is before the start date (2021-03-01)."


def test_audit_trail_holds_old_and_new_values(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id
    assert pid is not None
    saved = book.save(make_assessment(pid, cdasi_activity=20))
    book.save(Assessment(**{**saved.__dict__, "cdasi_activity": 12}))
    book.delete(Assessment, saved.id or 0)
    trail = [e for e in book.audit_trail(pid) if e.entity == "assessment" and e.field == "cdasi_activity"]
    assert [(e.action, e.old_value, e.new_value) for e in reversed(trail)] == [
        ("create", None, "20"),
        ("update", "20", "12"),
        ("delete", "12", None),
    ]
    assert all(e.os_user for e in trail)


def test_settings_are_stored_and_audited(book: Casebook) -> None:
    book.save_settings(SeriesSettings(name="Upa series", cutoff=date(2023, 6, 30), index_drug="baricitinib"))
    assert book.settings() == SeriesSettings("Upa series", date(2023, 6, 30), "baricitinib", False)
    changes = {e.field: (e.old_value, e.new_value) for e in book.audit_trail() if e.entity == "settings"}
    assert changes["index_drug"] == ("upadacitinib", "baricitinib")


def test_delete_patient_and_restore_it_with_everything(book: Casebook) -> None:
    pid = book.save_patient(make_patient(), Identifiers(0, full_name="X Y")).id
    assert pid is not None
    book.save(make_course(pid))
    book.save(make_assessment(pid))
    book.save(make_event(pid))
    before = book.patient_record(pid)
    deleted = book.delete_patient(pid)
    assert book.counts().patients == 0
    assert book.counts().assessments == 0
    book.restore_patient(deleted)
    assert book.patient_record(pid) == before


def test_deleted_record_is_recreated_with_its_id(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id
    assert pid is not None
    course = book.save(make_course(pid))
    removed = book.delete(MedicationCourse, course.id or 0)
    assert book.courses(pid) == []
    assert book.save(removed, recreate=True) == course  # as undo does; a plain save says it was deleted


def test_batch_is_all_or_nothing(book: Casebook) -> None:
    with pytest.raises(ValidationError), book.batch():
        pid = book.save_patient(make_patient("MYO-01")).id
        assert pid is not None
        book.save(make_assessment(pid))
        book.save_patient(make_patient("MYO-01"))  # clashes: the whole batch goes
    assert book.counts().patients == 0
    assert book.counts().assessments == 0


def test_summaries_judge_current_drugs_at_the_cutoff(book: Casebook) -> None:
    pid = book.save_patient(make_patient(subtype=Subtype.ADM)).id
    assert pid is not None
    book.save(
        make_course(
            pid,
            "tofacitinib",
            "2020-01",
            stop=PartialDate.parse("2021-02"),
            stop_reason=StopReason.INEFFICACY,
        )
    )
    book.save(
        make_course(
            pid,
            "upadacitinib",
            "2021-03-01",
            stop=PartialDate.parse("2023-09-01"),
            stop_reason=StopReason.OTHER,
        )
    )
    book.save(make_assessment(pid, on="2021-02-20"))
    book.save(make_assessment(pid, on="2022-05-02"))
    (summary,) = book.patient_summaries()
    assert summary.current_drugs == ("upadacitinib",)  # cut-off 2023-06-30: still on it then
    assert summary.last_assessment == date(2022, 5, 2)
    assert summary.assessments == 2
    assert summary.positive_antibodies == ("TIF1-γ",)


def test_counts_by_subtype(book: Casebook) -> None:
    for n, subtype in enumerate([Subtype.DM, Subtype.DM, Subtype.ASYS], start=1):
        book.save_patient(make_patient(f"P-{n}", subtype))
    counts = book.counts()
    assert counts.patients == 3
    assert counts.by_subtype == {"DM": 2, "ASyS": 1}


def test_item_level_scores_round_trip(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id
    assert pid is not None
    grid = (
        CdasiGrid(gottron_erythema=2, gottron_papules=True, periungual=1)
        .with_site(0, 0, 3)
        .with_site(4, 3, 1)
    )
    groups = Mmt8Scores(right=(10, 9, 9, 10, 8, 8, 10, 10), left=(9, 9, 10, 8, 8, 10, 10))
    entered = Assessment(pid, date(2021, 5, 3), cdasi_grid=grid, mmt8_groups=groups).with_derived_totals()
    saved = book.save(entered)
    (stored,) = book.assessments(pid)
    assert stored == saved
    assert (stored.cdasi_activity, stored.cdasi_damage, stored.cdasi_source) == (8, 1, "grid")
    assert (stored.mmt8_total, stored.mmt8_max, stored.mmt8_source) == (138, 150, "groups")


# ------------------------------------------------------------ the journal, replay and the one read
def _photo(book: Casebook, pid: int, width: int = 120, **kw: object) -> Photo:
    photo, created = book.add_photo(pid, prepare_image(png_bytes(upright_pattern(width, 80))), **kw)  # type: ignore[arg-type]
    assert created
    return photo


def test_recording_journals_each_committed_write_before_and_after(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id or 0
    course = book.save(make_course(pid))
    with book.recording() as edits:
        changed = book.save(replace(course, dose=30.0))
        with pytest.raises(ValidationError):
            book.save(replace(course, drug=""))  # refused: journals nothing
        book.save_preference("report", {"title": "T"})
    assert edits == [
        Edit(course, changed),
        Edit(None, StoredSetting("report", '{"title": "T"}')),
    ]
    change = Change.of(edits)
    assert change.kinds == {Kind.COURSE, Kind.SETTINGS}
    assert change.patient_ids == {pid}


def test_a_batch_journals_only_when_it_commits(book: Casebook) -> None:
    with book.recording() as edits, pytest.raises(ValidationError), book.batch():
        book.save_patient(make_patient("MYO-01"))
        book.save_patient(make_patient("myo-01"))
    assert edits == []


def test_applying_the_inverse_undoes_a_patient_deletion_exactly(book: Casebook) -> None:
    pid = book.save_patient(make_patient(), Identifiers(0, full_name="X Y")).id or 0
    assessment = book.save(make_assessment(pid))
    book.save(make_course(pid))
    first = _photo(book, pid, assessment_id=assessment.id)
    second = _photo(book, pid, width=90)
    book.save_comparison(PhotoComparison(pid, "Pair", (first.id or 0, second.id or 0)))
    before = book.patient_record(pid)
    pixels = book.photo_image(first.id or 0)
    with book.recording() as edits:
        book.delete_patient(pid)
    assert [type(e.before).__name__ for e in edits] == [
        "PhotoComparison", "PhotoFile", "PhotoFile", "Assessment", "MedicationCourse", "Identifiers", "Patient",
    ]  # fmt: skip
    book.apply(Change.of(edits).inverse().edits)
    assert book.patient_record(pid) == before
    assert book.photo_image(first.id or 0) == pixels
    book.apply(edits)  # and redone
    assert book.counts().patients == 0
    assert book.counts().photos == 0


def test_deleting_an_assessment_unlinks_its_photos_audited_and_undoable(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id or 0
    assessment = book.save(make_assessment(pid))
    photo = _photo(book, pid, assessment_id=assessment.id)
    with book.recording() as edits:
        book.delete(Assessment, assessment.id or 0)
    assert book.photo(photo.id or 0).assessment_id is None
    unlinked = [
        e for e in book.audit_trail() if (e.entity, e.action, e.field) == ("photo", "update", "assessment_id")
    ]
    assert [(e.old_value, e.new_value) for e in unlinked] == [(str(assessment.id), None)]
    book.apply(Change.of(edits).inverse().edits)
    assert book.photo(photo.id or 0).assessment_id == assessment.id


def test_a_change_of_many_fields_is_audited_in_one_statement(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id or 0
    statements: list[str] = []
    event.listen(book.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    book.save(
        make_assessment(
            pid, cdasi_activity=20, cdasi_damage=3, haq=0.5, ck=180.0, ck_uln=170.0, notes="stable"
        )
    )
    assert sum("INSERT INTO audit_log" in s for s in statements) == 1
    fields = {e.field for e in book.audit_trail() if e.entity == "assessment"}
    assert {"cdasi_activity", "cdasi_damage", "haq", "ck", "notes", "assessed_on"} <= fields


@pytest.mark.sqlite_only("counts SQLite's explicit BEGIN")
def test_the_patient_bundle_is_one_transaction_with_the_thumbnails(book: Casebook) -> None:
    pid = book.save_patient(make_patient(), Identifiers(0, mrn="1234")).id or 0
    book.save(make_course(pid))
    book.save(make_assessment(pid, on="2021-04-01"))
    photo = _photo(book, pid)
    statements: list[str] = []
    event.listen(book.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    bundle = book.patient_bundle(pid)
    assert statements.count("BEGIN") == 1
    assert len(statements) <= 7
    assert replace(bundle.record, photo_data={}) == book.patient_record(pid)
    assert bundle.thumbnails == {photo.id: book.photo_thumbnail(photo.id or 0)}
    (listed,) = book.patient_summaries()  # the list's row and the bundle's agree: one rule
    assert bundle.summary(book.settings(), book.today()) == listed


@pytest.mark.demo
def test_the_patient_list_rows_are_what_each_patients_own_records_say(book: Casebook) -> None:
    statements: list[str] = []

    def note(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(book.engine, "before_cursor_execute", note)
    listed = book.patient_summaries()
    event.remove(book.engine, "before_cursor_execute", note)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 5  # settings, assessments counted, courses, antibodies, patients: whatever the size
    series = book.settings()
    assert [p.study_id for p in listed] == sorted(p.study_id for p in listed)
    for row in listed:
        assert row == book.patient_bundle(row.id).summary(series, book.today())  # read in full
