"""The scrubber's quick rejections skip only what the full search would not find: the date hint, the record
keys' beginnings and the ASCII fold give, hit for hit, what the search without them gives."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st
from myocase.domain import scrub, scrub_dates
from myocase.domain.records import Identifiers
from myocase.domain.scrub import Hit, Scrubber


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


def _plain_fold(text: str) -> str:
    """``fold`` as it was, for every text: decomposed, combining marks dropped, case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@contextmanager
def _without_quick_rejections() -> Iterator[None]:
    """Every text searched in full: a date hint that always holds and the plain fold."""
    hint, fold = scrub.DATE_HINT, scrub.fold
    scrub.DATE_HINT, scrub.fold = re.compile(""), _plain_fold  # type: ignore[assignment]
    try:
        yield
    finally:
        scrub.DATE_HINT, scrub.fold = hint, fold  # type: ignore[assignment]


def _plain_find(ids: list[Identifiers], text: str, dates: bool) -> list[Hit]:
    with _without_quick_rejections():
        plain = Scrubber(ids)
        plain._record_prefixes = _Everything()  # type: ignore[assignment]
        return plain.find(text, dates=dates)


NAMES = ("José O'Brien", "Zoë Ångström-Lee", "Rose May", "Mei Lin", "山田 花子", "Sept Kowalski", "Dec Ian")
MRNS = ("MRN-0012-3456", "SYN-0002", "AB12CD", "ſyn-77K1", "00123456", "44812", "K-1234-X", "mar-0412")
identifiers = st.lists(
    st.builds(
        Identifiers,
        st.integers(1, 50),
        st.sampled_from(NAMES),
        st.sampled_from(MRNS),
        st.none() | st.dates(date(1930, 1, 1), date(2010, 12, 31)),
    ),
    min_size=1,
    max_size=4,
)


def _date_forms(day: date) -> list[str]:
    return [
        f"{day:%d/%m/%Y}", f"{day:%m-%d-%y}", f"{day:%Y-%m-%d}", f"{day:%d.%m.%Y}", f"{day:%Y%m%d}",
        f"{day:%d%m%Y}", f"{day.day} {day:%B %Y}", f"{day:%b} {day.day}, {day:%Y}", f"{day:%B %Y}",
        f"{day:%m/%Y}", f"{day:%Y/%m}", f"{day.day}th of {day:%B}", f"{day:%b}. {day.day} '{day:%y}",
    ]  # fmt: skip


def _variants(word: str) -> list[str]:
    """A word as it may be typed: in any case, without its accents, spaced or dotted."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return [
        word,
        word.upper(),
        word.lower(),
        word.title(),
        bare,
        bare.upper(),
        " ".join(word),
        ".".join(word),
    ]


pieces = st.one_of(
    st.sampled_from(NAMES).flatmap(lambda n: st.sampled_from(_variants(n))),
    st.sampled_from(MRNS).flatmap(
        lambda m: st.sampled_from([*_variants(m), m.replace("-", " "), m.replace("-", "")])
    ),
    st.dates(date(1930, 1, 1), date(2030, 12, 31)).flatmap(lambda d: st.sampled_from(_date_forms(d))),
    st.sampled_from(
        ("SEPT 3", "ſept 3 2020", "MAY 2021", "may", "J.S.", "s. j.", "JS", "DM", "CK 1200", "3/2021")
    ),
    st.sampled_from((" ", ", ", "-", ".", "/", ": ", "#", "(", ")", "\n", "’")),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
)
texts = st.lists(pieces, max_size=8).map("".join)


@settings(max_examples=600, deadline=None)
@given(identifiers, texts, st.booleans())
@example([Identifiers(1, "Sept Kowalski", "ſyn-77K1", date(1961, 4, 3))], "SYN-77k1 seen ſEPT 3, 1961", True)
@example([Identifiers(2, "Mei Lin", "MRN-0012-3456", None)], "mrn 0012/3456 and 12/03/2021", True)
def test_the_quick_rejections_find_what_the_full_search_finds(
    ids: list[Identifiers], text: str, dates: bool
) -> None:
    assert Scrubber(ids).find(text, dates=dates) == _plain_find(ids, text, dates)


PATTERNS = (
    scrub_dates._NUMERIC, scrub_dates._COMPACT, scrub_dates._DAY_MONTH, scrub_dates._MONTH_DAY,
    scrub_dates._MONTH_YEAR, scrub_dates._NUMERIC_MONTH_YEAR,
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(texts)
@example("ſep 3")
@example("3 \u212a")  # the Kelvin sign: no month begins with k, nothing to find
@example("12.3.21")
@example("2021/3")
def test_no_date_is_found_where_the_hint_finds_none(text: str) -> None:
    if scrub_dates.DATE_HINT.search(text) is None:
        assert [p.pattern for p in PATTERNS if p.search(text)] == []
        assert list(scrub_dates.date_candidates(text)) == []


@given(st.text(max_size=12))
def test_the_fold_of_plain_ascii_is_the_full_fold(text: str) -> None:
    assert scrub.fold(text) == _plain_fold(text)
    assert scrub.fold(text.encode("ascii", "ignore").decode()) == _plain_fold(
        text.encode("ascii", "ignore").decode()
    )
