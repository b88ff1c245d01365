"""An assessment's checks, with its scores read at once (a registry checks many): they refuse and accept what
the rules as first written do, with the same messages in the same order."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from myocase.domain.cdasi import CdasiGrid, Mmt8Scores
from myocase.domain.records import Assessment
from myocase.domain.scales import ENZYME_FIELDS, MMT8_MAXIMA, SCALES, ULN_SUFFIX, readable
from myocase.domain.validation import (
    MAX_ULN,
    Problem,
    _check_scale,
    _item_problems,
    _not_future,
    validate_assessment,
)

TODAY = date(2024, 1, 15)


def _as_first_written(assessment: Assessment, today: date) -> list[Problem]:
    """``validate_assessment`` before its scores were read at once: each scale, then each enzyme, by name."""
    problems: list[Problem] = []
    _not_future(problems, "assessed_on", "Assessment date", assessment.assessed_on, today)
    for name in SCALES:
        if name == "mmt8_total":
            continue
        _check_scale(problems, name, getattr(assessment, name))
    if assessment.mmt8_total is not None:
        if assessment.mmt8_max not in MMT8_MAXIMA:
            problems.append(
                Problem("mmt8_max", "Choose the MMT-8 maximum: 80 (one side) or 150 (both sides).")
            )
        else:
            _check_scale(problems, "mmt8_total", assessment.mmt8_total, assessment.mmt8_max)
    for enzyme in ENZYME_FIELDS:
        value, uln = assessment.enzyme(enzyme)
        label = SCALES[enzyme].label
        if value is not None and uln is None:
            problems.append(
                Problem(enzyme + ULN_SUFFIX, f"Give the lab's upper limit of normal for {label}.")
            )
        if uln is not None and not 0 < uln <= MAX_ULN:
            problems.append(
                Problem(
                    enzyme + ULN_SUFFIX,
                    f"{label} upper limit of normal must be above 0 and at most {readable(MAX_ULN)} U/L.",
                )
            )
    problems += _item_problems(assessment)
    if not assessment.measured and not assessment.notes.strip():
        problems.append(Problem("assessed_on", "Enter at least one score, result or note."))
    return problems


def _edges() -> list[float]:
    """Each scale's ends, and just past them, and a fraction: where a check turns."""
    found: list[float] = [0, 0.5, -1, 150, 80, MAX_ULN, MAX_ULN + 1]
    for scale in SCALES.values():
        found += [scale.low, scale.high, scale.low - 0.25, scale.high + 1, scale.high - 0.5]
    return found


NUMBER = st.one_of(
    st.none(),
    st.none(),
    st.sampled_from(_edges()),
    st.integers(-10, 2_000_000),
    st.floats(-10, 2_000_000),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)
_NUMERIC = [f.name for f in fields(Assessment) if f.type in ("int | None", "float | None") and f.name != "id"]
ASSESSMENTS = st.builds(
    Assessment,
    patient_id=st.just(1),
    assessed_on=st.sampled_from([date(2020, 5, 1), TODAY, date(2024, 1, 16)]),
    notes=st.sampled_from(["", "  ", "seen in clinic"]),
    cdasi_grid=st.none() | st.just(CdasiGrid()),
    mmt8_groups=st.none() | st.just(Mmt8Scores()) | st.just(Mmt8Scores(right=(10,) * 8)),
    **{name: NUMBER for name in _NUMERIC},
)


def _outcome(check: object, assessment: Assessment) -> object:
    """The problems found, or the error raised (a value no check can compare, as NaN on a whole-number scale)."""
    try:
        return check(assessment, TODAY)  # type: ignore[operator]
    except (ValueError, OverflowError) as error:
        return (type(error), str(error))


@settings(max_examples=600, deadline=None)
@given(ASSESSMENTS)
def test_an_assessment_is_refused_and_accepted_as_the_rules_first_written_say(assessment: Assessment) -> None:
    assert _outcome(validate_assessment, assessment) == _outcome(_as_first_written, assessment)


def test_both_refuse_and_accept_among_the_drawn_assessments() -> None:
    good = Assessment(1, date(2020, 5, 1), ck=95.0, ck_uln=170.0, haq=1.25)
    bad = Assessment(1, date(2024, 1, 16), ck=95.0, haq=4, mmt8_total=81, mmt8_max=80)
    assert validate_assessment(good, TODAY) == _as_first_written(good, TODAY) == []
    assert [p.field for p in validate_assessment(bad, TODAY)] == [
        "assessed_on",
        "haq",
        "mmt8_total",
        "ck_uln",
    ]
    assert validate_assessment(bad, TODAY) == _as_first_written(bad, TODAY)
