"""What a change says: kinds, patients, settings, and its inverse for undo."""

from __future__ import annotations

from dataclasses import replace

from myocase.domain.changes import Change, Edit, Kind, PhotoFile, StoredSetting
from myocase.domain.records import Identifiers, Photo, PhotoComparison

from tests.factories import make_assessment, make_course, make_patient


def test_kinds_and_patients_come_from_the_records_written() -> None:
    patient = replace(make_patient(), id=7)
    photo = Photo(7, "ab" * 32, "image/png", 10, 10, id=3)
    change = Change.of(
        [
            Edit(None, patient),
            Edit(None, Identifiers(7, full_name="A B")),
            Edit(PhotoFile(photo, b"i", b"t"), None),
            Edit(PhotoComparison(7, "Pair", (3, 4), id=1), PhotoComparison(7, "Pair", (4,), id=1)),
            Edit(StoredSetting("name", '"A"'), StoredSetting("name", '"B"')),
        ]
    )
    assert change.kinds == {Kind.PATIENT, Kind.PHOTO, Kind.COMPARISON, Kind.SETTINGS}
    assert change.patient_ids == {7}
    assert change.settings


def test_touches_and_concerns_filter_by_kind_and_patient() -> None:
    assessment = make_assessment(5)
    change = Change.of([Edit(assessment, replace(assessment, haq=1.0))])
    assert change.touches(Kind.ASSESSMENT)
    assert not change.touches(Kind.COURSE, Kind.PHOTO)
    assert change.concerns(5)
    assert change.concerns(5, Kind.ASSESSMENT)
    assert not change.concerns(5, Kind.COURSE)
    assert not change.concerns(6)
    assert not change.concerns(None)
    assert not change.settings
    everything = Change.everything()
    assert everything.touches(Kind.COURSE)
    assert everything.concerns(6)
    assert everything.settings


def test_the_inverse_turns_each_edit_round_the_last_first() -> None:
    course = make_course(2)
    first, second = Edit(None, course), Edit(course, replace(course, dose=30.0))
    change = Change.of([first, second])
    undo = change.inverse()
    assert undo.edits == (second.inverse(), first.inverse())
    assert undo.before == (second.after, course)
    assert undo.after == (course, None)
    assert (undo.kinds, undo.patient_ids) == (change.kinds, change.patient_ids)
    assert undo.inverse() == change
