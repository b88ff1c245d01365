"""The analysis's read gives each patient's visits as plain named tuples: the stored values, in date order."""

from __future__ import annotations

from datetime import date

from myocase.domain.analysis import visit_assessment
from myocase.domain.records import Assessment, Identifiers, Patient
from myocase.domain.vocab import Subtype
from myocase.store.casebook import Casebook


def _patient(book: Casebook, study_id: str, visits: list[tuple[date, int | None]]) -> int:
    pid = book.save_patient(
        Patient(study_id, Subtype.DM), Identifiers(0, full_name="Ann Quill", mrn=study_id)
    ).id
    assert pid is not None
    for day, value in visits:
        book.save(Assessment(pid, day, cdasi_activity=value, physician_global=2.0))
    return pid


def test_visits_are_plain_tuples_of_the_stored_values(book: Casebook) -> None:
    first = _patient(book, "P-01", [(date(2021, 5, 1), 30), (date(2021, 1, 2), 41), (date(2021, 3, 1), None)])
    none = _patient(book, "P-02", [(date(2021, 2, 1), None)])
    read = {r.record.patient.id: r.visits for r in book.analysis_rows("cdasi_activity")}
    visits = read[first]
    assert [(v.assessed_on, v.cdasi_activity) for v in visits] == [
        (date(2021, 1, 2), 41),
        (date(2021, 5, 1), 30),
    ]
    assert all(type(v) is type(visits[0]) and isinstance(v, tuple) for v in visits)  # no stored Row
    assert visits[0]._asdict() == {
        "patient_id": first,
        "id": visits[0].id,
        "assessed_on": date(2021, 1, 2),
        "cdasi_activity": 41,
    }
    assert visit_assessment(visits[1]).cdasi_activity == 30  # what the TIS builds back from a row
    assert read[none] == ()  # no value of the measure: no visit


def test_each_measure_gets_its_own_row_fields(book: Casebook) -> None:
    pid = book.save_patient(Patient("P-03", Subtype.DM), Identifiers(0, full_name="Bo Rell", mrn="P-03")).id
    book.save(Assessment(pid, date(2022, 1, 1), cdasi_activity=12, physician_global=4.0))
    (row,) = next(iter(book.analysis_rows("physician_global"))).visits
    assert row._fields == ("patient_id", "id", "assessed_on", "physician_global")
    assert row.physician_global == 4.0
