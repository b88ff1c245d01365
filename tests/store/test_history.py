"""The History window's query: every audit row of one patient, newest first, in one statement."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from myocase.store.casebook import Casebook
from sqlalchemy import event

from tests.factories import make_assessment, make_patient


def test_history_is_one_patients_changes_newest_first_in_one_statement(book: Casebook) -> None:
    pid = book.save_patient(make_patient("MYO-01")).id or 0
    other = book.save_patient(make_patient("MYO-02")).id or 0
    first = book.save(make_assessment(pid, on="2021-03-01", cdasi_activity=20))
    book.save(make_assessment(other, on="2021-03-02", cdasi_activity=30))
    book.save(replace(first, cdasi_activity=25))
    book.delete(type(first), first.id or 0)
    statements: list[str] = []
    event.listen(book.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    history = book.history(pid)
    transaction = ("BEGIN", "COMMIT", "ROLLBACK")
    assert [s.split()[0].upper() for s in statements if s.strip().upper() not in transaction] == ["SELECT"]
    assert {e.study_id for e in history} == {"MYO-01"}
    actions = [(e.action, e.entity) for e in history]
    assert actions[0] == ("delete", "assessment")  # newest first
    assert actions[-1] == ("create", "patient")
    (edit,) = [e for e in history if e.action == "update"]
    assert (edit.field, edit.old_value, edit.new_value) == ("cdasi_activity", "20", "25")


def test_history_keeps_every_change_beyond_the_audit_listing_limit(book: Casebook) -> None:
    pid = book.save_patient(make_patient()).id or 0
    with book.batch():
        for day in range(100):
            on = (date(2021, 1, 1) + timedelta(days=day)).isoformat()
            book.save(make_assessment(pid, on=on, haq=0.5, ck=100.0, ck_uln=170.0, notes="seen"))
    assert len(book.audit_trail(pid)) == 500  # the trail's listing stops there; the history does not
    history = book.history(pid)
    assert len(history) > 500
    assert sum(e.field == "assessed_on" for e in history) == 100
