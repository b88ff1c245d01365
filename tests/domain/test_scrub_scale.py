"""The record-number search: hit for hit what the per-patient search found, at a cost that does not grow
with the number of patients."""

from __future__ import annotations

import re
import string
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from myocase.domain import scrub
from myocase.domain.records import Identifiers
from myocase.domain.scrub import _DIGIT_RUN, Hit, HitKind, Scrubber


class OldScrubber(Scrubber):
    """The scrubber with the record-number search it had before (one pattern per record number that has
    letters, run over every text): the reference the new search must agree with, hit for hit and in order."""

    def __init__(self, identifiers: Iterable[Identifiers]) -> None:
        ids = list(identifiers)
        super().__init__(ids)
        self._old_patterns: list[tuple[re.Pattern[str], int]] = []
        for one in ids:  # the record-pattern branch of the old Scrubber._add, verbatim
            mrn = one.mrn.strip()
            prefix = re.match(r"[^\W\d_]*", mrn)
            digits = re.sub(r"\D", "", mrn)
            rest = mrn[len(prefix.group(0)) if prefix else 0 :]
            if len(digits.lstrip("0")) >= 4 and not re.search(r"[^\W\d_]", rest):
                continue
            if len(chars := [re.escape(c) for c in re.sub(r"[\W_]", "", mrn)]) >= 4:
                pattern = r"(?<![^\W_])" + r"[\s\-./:#]?".join(chars) + r"(?![^\W_])"
                self._old_patterns.append((re.compile(pattern, re.IGNORECASE), one.patient_id))

    def _record_hits(self, text: str) -> Iterator[Hit]:  # the old Scrubber._record_hits, verbatim
        if self._record_numbers:
            for run in _DIGIT_RUN.finditer(text):
                yield from self._in_run(text, run)
        for pattern, pid in self._old_patterns:
            for match in pattern.finditer(text):
                yield Hit(match.start(), match.end(), match.group(0), HitKind.RECORD_NUMBER, pid)


def assert_same_as_before(mrns: list[str], text: str) -> list[Hit]:
    ids = [Identifiers(n, mrn=mrn) for n, mrn in enumerate(mrns, start=1)]
    new, old = Scrubber(ids), OldScrubber(ids)
    before = list(old._record_hits(text))
    assert list(new._record_hits(text)) == before, (mrns, text)
    assert new.find(text, dates=True) == old.find(text, dates=True)
    assert new.clean(text) == old.clean(text)
    return before


# ----------------------------------------------------------------- the same hits as before

# Letters re's IGNORECASE matches across scripts and forms: ı and İ ~ i, ſ ~ s, the Kelvin sign ~ k, µ ~ μ,
# ẞ ~ ß, ϐ ~ β, ι ~ ι, and accented letters that must NOT match their plain forms.
TRICKY = "iIıİsSſßẞkK\u212aµμβϐιι\u1fbeéÉe"
RECORD_CHARS = "ABMRNabmrnxz" + TRICKY + string.digits + "0000"
SEPARATORS = "-./ :#"
record_number = st.lists(st.sampled_from(RECORD_CHARS + SEPARATORS + "_"), min_size=3, max_size=12).map(
    "".join
)
noise = st.text(RECORD_CHARS + SEPARATORS + "_,;()\n\t", max_size=10)


@st.composite
def written(draw: st.DrawFn, mrn: str) -> str:
    """A record number as someone might type it: cases changed, separators added, dropped or doubled."""
    chars = [c for c in mrn if c.isalnum()] or list(mrn)
    out = []
    for char in chars:
        out.append(draw(st.sampled_from([char, char.swapcase(), char.upper(), char.lower()])))
        out.append(
            draw(st.sampled_from(["", "", "", "", "", "", "-", " ", ".", "/", ":", "#", "--", "_", " -"]))
        )
    return "".join(out[: len(out) - draw(st.sampled_from([0, 1, 1, 1, 1, 2]))])


@st.composite
def series_and_text(draw: st.DrawFn) -> tuple[list[str], str]:
    mrns = draw(st.lists(record_number, min_size=1, max_size=6))
    mrns += draw(st.lists(st.sampled_from(mrns), max_size=2))  # two patients with one record number
    pieces = [
        draw(st.one_of(noise, st.sampled_from(mrns).flatmap(written))) for _ in range(draw(st.integers(0, 8)))
    ]
    joins = st.sampled_from(["", " ", " ", " ", "-", ".", "/", ":", "#", "_", ", ", "  ", "--"])
    return mrns, "".join(piece + draw(joins) for piece in pieces)


@settings(max_examples=600, deadline=None)
@given(series_and_text())
@example((["12AB", "AB34"], "12-AB-34"))  # two numbers overlapping in the text
@example((["AB12C", "AB12C3"], "see AB12C-3"))  # two numbers starting at one place
@example((["A1A1"], "A1-A1-A1 a1a1"))  # one number overlapping itself: found once, as before
@example((["XS-1234", "xs1234"], "Xſ 1234, XS:12.34"))  # re's ſ ~ s, and a number two patients share
@example((["ıK12", "É123"], "Ik12 ik12 İK12 e123 É123 é-123"))
@example((["ιAB1", "AB12C"], "\u0345AB1 ιab1 \u0345AB12C"))  # no letter, yet re matches it to iota
def test_record_numbers_are_found_exactly_as_before(case: tuple[list[str], str]) -> None:
    assert_same_as_before(*case)


def test_the_examples_do_find_numbers() -> None:
    """Overlapping numbers are all found, in the old order: all-digit numbers first, then by number and place."""
    hits = assert_same_as_before(
        ["12AB", "AB34", "AB12C", "AB12C3", "MRN-0012-3456"], "12-AB-34 AB12C-3 0012-3456"
    )
    assert [(h.text, h.patient_id) for h in hits] == [
        ("0012-3456", 5), ("12-AB", 1), ("AB-34", 2), ("AB12C", 3), ("AB12C-3", 4),
    ]  # fmt: skip


def test_the_record_key_folds_every_pair_of_letters_re_ignorecase_matches() -> None:
    """Two characters IGNORECASE matches always get one key, so no number is missed; the key may join more
    (accents), which the number's own pattern then refuses. Checked against re's own tables for all of
    Unicode."""
    casefix = pytest.importorskip("re._casefix")
    tolower = pytest.importorskip("_sre").unicode_tolower
    for code in range(sys.maxunicode + 1):
        lower = tolower(code)
        for other in (lower, *casefix._EXTRA_CASES.get(lower, ())):
            if other != code:
                assert scrub._record_key(chr(code)) == scrub._record_key(chr(other)), hex(code)


# ----------------------------------------------------------------- the cost per text


class CountingRe:
    """The re module, counting every search: its functions, and the methods of the patterns compiled
    through it."""

    SEARCHES = frozenset({"search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"})

    def __init__(self) -> None:
        self.searches = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(re, name)
        return self._counted(real) if name in self.SEARCHES else real

    def _counted(self, call: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.searches += 1
            return call(*args, **kwargs)

        return counted

    def compile(self, pattern: str, flags: int = 0) -> Any:
        compiled = re.compile(pattern, flags)
        counting = self

        class Counted:
            def __getattr__(self, name: str) -> Any:
                real = getattr(compiled, name)
                return counting._counted(real) if name in CountingRe.SEARCHES else real

        return Counted()


def lettered(count: int) -> list[Identifiers]:
    return [Identifiers(n, mrn=f"AB{n:05d}X") for n in range(1, count + 1)]


@pytest.mark.parametrize("patients", [10, 2_000])
def test_the_searches_per_text_do_not_grow_with_the_patients(
    patients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "seen under AB-00003-X and ab00007x; CK 240 U/L, AB99999X is nobody's; Gottron papules"
    counting = CountingRe()
    monkeypatch.setattr(scrub, "re", counting)
    scrubber = Scrubber(lettered(patients))
    counting.searches = 0
    hits = list(scrubber._record_hits(text))
    assert [(h.text, h.patient_id) for h in hits] == [("AB-00003-X", 3), ("ab00007x", 7)]
    assert counting.searches <= len(hits)  # at most one check of a candidate per hit, whatever the series
