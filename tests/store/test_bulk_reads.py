"""The large reads run without cyclic garbage collection and always give it back; the TIS fields read by id."""

from __future__ import annotations

import gc

import pytest
from myocase.store import analysis_reads
from myocase.store.bulk_reads import collector_paused
from myocase.store.casebook import Casebook
from sqlalchemy import event


def test_the_collector_is_paused_in_the_block_and_back_after_it_even_when_it_fails() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer block gives it back
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.demo
def test_the_list_and_the_analysis_read_pause_the_collector_and_give_it_back(demo_book: Casebook) -> None:
    assert len(demo_book.patient_summaries()) == 10
    assert gc.isenabled()
    seen = [gc.isenabled() for _ in demo_book.analysis_rows("cdasi_activity")]
    assert seen == [False] * 10
    assert gc.isenabled()
    rows = demo_book.analysis_rows("cdasi_activity")
    next(rows)
    rows.close()  # left early: the collector is back too
    assert gc.isenabled()


def test_the_tis_fields_of_chosen_assessments_are_read_by_id_a_chunk_of_ids_at_a_time(
    demo_book: Casebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis_reads, "IDS_PER_STATEMENT", 3)
    stored = {a.id: a for r in demo_book.patient_records() for a in r.assessments}
    wanted = sorted(stored)[1:12:2]  # six ids: two statements
    seen: list[str] = []
    event.listen(demo_book.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    read = demo_book.tis_visits([*wanted, wanted[0]])  # an id asked twice is read once
    assert sorted(read) == wanted
    assert len([s for s in seen if s.startswith("SELECT")]) == 2
    for aid, assessment in read.items():
        assert {f: getattr(assessment, f) for f in analysis_reads.TIS_VISIT_FIELDS} == {
            f: getattr(stored[aid], f) for f in analysis_reads.TIS_VISIT_FIELDS
        }
        assert assessment.notes == ""
        assert assessment.cdasi_grid is None
