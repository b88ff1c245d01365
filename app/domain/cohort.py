"""Cohort facts of a case series: subtypes, prior treatment, retention at the cut-off, phase changes."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from .analysis import AnalysisSettings, CountSummary, Visit
from .dates import PartialDate
from .numbers import shown, spread
from .phases import (
    PhaseKind,
    index_course,
    prior_immunosuppressants,
    prior_jak_courses,
    treatment_phases,
)
from .records import AdverseEvent, MedicationCourse, PatientRecord
from .vocab import AeAction, StopReason, Subtype


@dataclass(frozen=True)
class Discontinuation:
    patient_id: int | None
    study_id: str
    stopped: PartialDate  # the stop date as recorded (may be partial)
    reason: str  # in words, with the adverse event when one is recorded


@dataclass(frozen=True)
class PhaseChange:
    patient_id: int | None
    study_id: str
    phase: str
    start_date: date | None
    start_value: float | None
    end_date: date | None
    end_value: float | None

    @property
    def change(self) -> float | None:
        if self.start_value is None or self.end_value is None:
            return None
        return self.end_value - self.start_value


@dataclass(frozen=True)
class CohortFacts:
    patients: int
    by_subtype: dict[str, int]
    with_index_drug: int
    prior_immunosuppressants: tuple[int, ...]  # per patient with the index drug
    prior_jak_inhibitor: int
    on_drug_at_cutoff: int
    discontinued: tuple[Discontinuation, ...]
    followup_days: tuple[int, ...]  # time on the index drug, to its stop or the cut-off
    phase_changes: tuple[PhaseChange, ...]
    ages_at_onset: tuple[int, ...] = ()  # every known age at onset (capped when de-identified)

    @property
    def prior_immunosuppressants_mean(self) -> float | None:
        return statistics.mean(self.prior_immunosuppressants) if self.prior_immunosuppressants else None

    @property
    def prior_immunosuppressants_median(self) -> float | None:
        return statistics.median(self.prior_immunosuppressants) if self.prior_immunosuppressants else None

    @property
    def prior_immunosuppressants_range(self) -> tuple[int, int] | None:
        values = self.prior_immunosuppressants
        return (min(values), max(values)) if values else None

    def prior_immunosuppressants_centre(self, summary: CountSummary) -> float | None:
        """The mean or the median, as the analysis settings ask."""
        if summary is CountSummary.MEAN:
            return self.prior_immunosuppressants_mean
        return self.prior_immunosuppressants_median

    @property
    def age_at_onset_median(self) -> float | None:
        return statistics.median(self.ages_at_onset) if self.ages_at_onset else None

    @property
    def age_at_onset_range(self) -> tuple[int, int] | None:
        return (min(self.ages_at_onset), max(self.ages_at_onset)) if self.ages_at_onset else None

    @property
    def median_followup_days(self) -> float | None:
        return statistics.median(self.followup_days) if self.followup_days else None


def prior_text(facts: CohortFacts, summary: CountSummary, joiner: str = " ") -> str:
    """Prior immunosuppressants as the settings ask: "median 4 (range 3 to 6)" or "mean 4.2 (range 3 to 6)";
    ``joiner`` " of " makes it prose ("a median of 4 …")."""
    centre = facts.prior_immunosuppressants_centre(summary)
    if centre is None:
        return "none recorded"
    return f"{summary.value}{joiner}{spread(centre, facts.prior_immunosuppressants_range, 1, 'range')}"


def onset_age_text(facts: CohortFacts, age: Callable[[int | None], str]) -> str:
    """Ages at onset: "median 52 (range 38 to 67)", each written by ``age`` (``Disclosure.age``: "≥ 90")."""
    median = facts.age_at_onset_median
    if median is None:
        return "not recorded"
    return "median " + spread(
        median,
        facts.age_at_onset_range,
        show=lambda v: age(int(v)) if v == int(v) else shown(v),
        label="range",
    )


def discontinuing_events(events: Iterable[AdverseEvent], index_drug: str) -> tuple[AdverseEvent, ...]:
    """The adverse events that stopped the index drug: what a discontinuation names of a patient's events."""
    drug = index_drug.casefold()
    return tuple(
        e for e in events if e.action is AeAction.DISCONTINUED and e.suspected_drug.casefold() == drug
    )


def _discontinuation(record: PatientRecord, index_drug: str, reason: StopReason | None) -> str:
    text = reason.label if reason else "Reason not recorded"
    events = discontinuing_events(record.adverse_events, index_drug)
    if events:
        text += ": " + "; ".join(f"{e.term} (grade {e.grade})" for e in events)
    return text


def _value(assessments: Sequence[Visit], measure: str, first: date, last: date) -> Visit | None:
    """The latest assessment from ``first`` to ``last`` with a value of ``measure`` (the first of those on one
    day: what ``max`` by date gives), in one plain pass."""
    value = attrgetter(measure)
    best: Visit | None = None
    for a in assessments:
        day = a.assessed_on
        if first <= day <= last and value(a) is not None and (best is None or day > best.assessed_on):
            best = a
    return best


def _phase_changes(
    record: PatientRecord,
    visits: Sequence[Visit],
    index: MedicationCourse,
    settings: AnalysisSettings,
    cutoff: date,
) -> list[PhaseChange]:
    """Measure at the start and end of each JAK inhibitor phase, with the baseline-window rule."""
    changes = []
    for phase in treatment_phases(record.courses, settings.index_drug, cutoff, index):
        if phase.kind not in (PhaseKind.JAK, PhaseKind.INDEX):
            continue
        start = _value(
            visits,
            settings.measure,
            phase.start - timedelta(days=settings.window_before),
            phase.start + timedelta(days=settings.window_after),
        )
        first_after = (start.assessed_on if start else phase.start) + timedelta(days=1)
        end = _value(visits, settings.measure, first_after, min(phase.end_or(cutoff), cutoff))
        changes.append(
            PhaseChange(
                record.patient.id,
                record.patient.study_id, phase.label,
                start.assessed_on if start else None, getattr(start, settings.measure) if start else None,
                end.assessed_on if end else None, getattr(end, settings.measure) if end else None,
            )
        )  # fmt: skip
    return changes


def cohort_facts(
    records: Sequence[PatientRecord],
    settings: AnalysisSettings,
    cutoff: date,
    visits: Mapping[int | None, Sequence[Visit]] | None = None,
) -> CohortFacts:
    """Facts of the whole series (every subtype), judged at the data cut-off. ``visits``: each patient's
    assessments with a value of the measure (oldest first) by patient id, read instead of
    ``record.assessments`` (lean ``Visit`` rows: what the phase changes read of them)."""
    subtypes = Counter(r.patient.subtype for r in records)
    priors, followup, discontinued, changes, ages = [], [], [], [], []
    with_drug = with_jak = on_drug = 0
    for record in sorted(records, key=lambda r: r.patient.study_id):
        if record.patient.onset_age is not None:
            ages.append(record.patient.onset_age)
        course = index_course(record.courses, settings.index_drug)
        if course is None:
            continue
        with_drug += 1
        priors.append(len(prior_immunosuppressants(record.courses, settings.index_drug, course)))
        if prior_jak_courses(record.courses, settings.index_drug, course):
            with_jak += 1
            read = record.assessments if visits is None else visits.get(record.patient.id, ())
            changes += _phase_changes(record, read, course, settings, cutoff)
        if course.ongoing_at(cutoff):
            on_drug += 1
        elif course.stop is not None:
            discontinued.append(
                Discontinuation(
                    record.patient.id,
                    record.patient.study_id,
                    course.stop,
                    _discontinuation(record, settings.index_drug, course.stop_reason),
                )
            )
        end = min(course.stop.latest(), cutoff) if course.stop else cutoff
        followup.append(max(0, (end - course.start.earliest()).days))
    return CohortFacts(
        patients=len(records),
        by_subtype={s.value: subtypes[s] for s in Subtype if subtypes[s]},
        with_index_drug=with_drug,
        prior_immunosuppressants=tuple(priors),
        prior_jak_inhibitor=with_jak,
        on_drug_at_cutoff=on_drug,
        discontinued=tuple(discontinued),
        followup_days=tuple(followup),
        phase_changes=tuple(changes),
        ages_at_onset=tuple(ages),
    )
