"""Finding and removing identifiers in free text, in every written form the issue lists."""

from __future__ import annotations

import re
import string
from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st
from myocase.domain.records import Identifiers
from myocase.domain.scrub import (
    CLINICAL_ABBREVIATIONS,
    COMMON_WORD_NAMES,
    DATE_REMOVED,
    REMOVED,
    HitKind,
    Scrubber,
)

SMITH = Identifiers(1, full_name="John Smith", mrn="MRN-0012-3456", date_of_birth=date(1961, 4, 3))
ROSE = Identifiers(2, full_name="Rose Hawthorne-Smith", mrn="44812", date_of_birth=date(1970, 12, 1))
SCRUB = Scrubber([SMITH, ROSE])


def test_the_issues_examples_are_removed() -> None:
    assert SCRUB.clean("rash (J. Smith, MRN-0012-3456)") == f"rash ({REMOVED}, {REMOVED})"
    assert SCRUB.clean("Smith John 03/04/1961") == f"{REMOVED} {REMOVED}"


def test_record_numbers_with_or_without_prefix_separators_and_leading_zeros() -> None:
    for written in (
        "MRN-0012-3456",
        "MRN 0012 3456",
        "0012-3456",
        "00123456",
        "123456",
        "12 3456",
        "mrn00123456",
    ):
        assert SCRUB.clean(f"seen under {written} today") == f"seen under {REMOVED} today", written
    assert SCRUB.clean("CK 1234567 U/L") == "CK 1234567 U/L"  # a longer number is another number


def test_dates_of_birth_in_every_common_form() -> None:
    for written in (
        "3 April 1961", "03-04-1961", "3.4.1961", "03/04/61", "1961/04/03", "3-Apr-1961", "April 3, 1961",
        "April 3rd 1961", "1961-04-03", "4/3/1961", "19610403", "3rd of April 1961", "03.04.61",
    ):  # fmt: skip
        hits = SCRUB.find(f"born {written}.")
        assert [(h.kind, h.text) for h in hits] == [(HitKind.BIRTH_DATE, written)], written


def test_names_in_any_case_order_and_with_initials() -> None:
    for written in (
        "John Smith",
        "SMITH, JOHN",
        "smith john",
        "J. Smith",
        "Smith, J.",
        "J.S.",
        "s. j.",
        "JS",
        "SJ",
    ):
        assert SCRUB.clean(f"per {written} today") == f"per {REMOVED} today", written


def test_ordinary_words_and_clinical_abbreviations_stay() -> None:
    text = "DM with ILD; CK high; Gottron papules in May; a rose-coloured rash; js notes; the patient may improve"
    assert SCRUB.clean(text) == text
    assert SCRUB.clean("Rose came; ROSE; Hawthorne-Smith") == f"{REMOVED} came; {REMOVED}; {REMOVED}"


def test_calendar_dates_go_but_years_and_other_numbers_stay() -> None:
    text = "since 12 March 2021, then March 2022, 03/2021, 2021-03-04 and 5 May; in 2019; BP 120/80; 15 mg"
    assert SCRUB.clean(text) == (
        f"since {DATE_REMOVED}, then {DATE_REMOVED}, {DATE_REMOVED}, {DATE_REMOVED} and {DATE_REMOVED}; "
        "in 2019; BP 120/80; 15 mg"
    )
    assert SCRUB.clean(text, dates=False) == text


def test_accents_and_apostrophes() -> None:
    scrub = Scrubber([Identifiers(3, full_name="José O'Brien", mrn="AB12CD")])
    assert scrub.clean("Jose OBrien, o brien, Brien, AB-12-CD, ab12cd") == f"{REMOVED}, {REMOVED}, {REMOVED}"


def test_a_name_with_an_apostrophe_after_or_before_it_is_removed() -> None:
    """A possessive, an elided particle, or a name's own apostrophe written either way ('  or  ’)."""
    scrub = Scrubber([Identifiers(3, full_name="Ann Zebedee", mrn=""), Identifiers(4, "Sean O'Brien", "")])
    assert scrub.clean("Zebedee's zoster, Zebedee’s rash") == f"{REMOVED}'s zoster, {REMOVED}’s rash"
    assert scrub.clean("Ann's knee; Ann Zebedee's hands") == f"{REMOVED}'s knee; {REMOVED}'s hands"
    assert scrub.clean("d'Zebedee") == f"d'{REMOVED}"
    assert (
        scrub.clean("O’Brien or O'Brien's wife or O’Brien’s")
        == f"{REMOVED} or {REMOVED}'s wife or {REMOVED}’s"
    )
    assert scrub.clean("it's Sean’s") == f"it's {REMOVED}’s"


def test_each_hit_names_its_patient() -> None:
    hits = SCRUB.find("Hawthorne 44812 and Smith 1961-04-03")
    assert [(h.kind, h.patient_id) for h in hits] == [
        (HitKind.NAME, 2), (HitKind.RECORD_NUMBER, 2), (HitKind.NAME, 1), (HitKind.BIRTH_DATE, 1),
    ]  # fmt: skip


# ----------------------------------------------------------------- property tests

CLINICAL_WORDS = (
    "Gottron", "papules", "May", "heliotrope", "rash", "upadacitinib", "tofacitinib", "methotrexate",
    "prednisone", "CK", "DM", "ILD", "mechanic's", "hands", "improved", "grade", "on", "after", "weeks",
    "CDASI", "IVIG", "mg", "daily", "anti-MDA5", "calcinosis", "periungual", "baricitinib", "rituximab",
    "with", "and", "the", "patient", "stopped", "acne", "zoster", "March", "Jo", "shawl", "sign",
)  # fmt: skip
_WORDS = {w.casefold() for w in CLINICAL_WORDS}

name_part = st.text(string.ascii_lowercase, min_size=3, max_size=9).map(str.capitalize)


# the words of the marks that replace an identifier: a name spelled like them could not be told apart
MARKER_WORDS = {w.casefold() for w in re.findall(r"[^\W\d_]+", REMOVED + " " + DATE_REMOVED)}


@st.composite
def identity(draw: st.DrawFn) -> tuple[Identifiers, list[str]]:
    """A patient and one written form each of their name, record number and date of birth."""
    first, last = draw(name_part), draw(name_part)
    assume(len({first.casefold(), last.casefold()} & (_WORDS | COMMON_WORD_NAMES | MARKER_WORDS)) == 0)
    assume(first != last)
    digits = draw(st.text(string.digits, min_size=6, max_size=10))
    assume(len(digits.lstrip("0")) >= 5)
    prefix = draw(st.sampled_from(["MRN-", "MRN", "#", "", "ID "]))
    born = draw(st.dates(date(1920, 1, 1), date(2005, 12, 31)))
    ids = Identifiers(1, f"{first} {last}", prefix + digits, born)
    f, l_ = first[0], last[0]
    names = [
        f"{first} {last}", f"{last}, {first}", f"{last.upper()} {first.upper()}", f"{first.lower()} {last.lower()}",
        f"{f}. {last}", f"{last} {f}.", f"{f}.{l_}.", f"{l_}. {f}.", f"{first}", f"{last.lower()}",
        f"{last}'s", f"{first}’s", f"{first} {last}'s",
    ]  # fmt: skip
    if (f + l_) not in CLINICAL_ABBREVIATIONS:
        names.append(f + l_)
    cut = draw(st.integers(1, len(digits) - 1))
    numbers = [
        prefix + digits, digits, digits.lstrip("0"), f"{digits[:cut]}-{digits[cut:]}", f"{digits[:cut]} {digits[cut:]}",
    ]  # fmt: skip
    month = born.strftime("%B")
    births = [
        f"{born.day} {month} {born.year}", born.strftime("%d-%m-%Y"), f"{born.day}.{born.month}.{born.year}",
        born.strftime("%d/%m/%y"), born.strftime("%Y/%m/%d"), f"{born.day}-{month[:3]}-{born.year}",
        f"{month} {born.day}, {born.year}", born.strftime("%m/%d/%Y"), born.isoformat(),
    ]  # fmt: skip
    return ids, [draw(st.sampled_from(names)), draw(st.sampled_from(numbers)), draw(st.sampled_from(births))]


@given(identity(), st.lists(st.sampled_from(CLINICAL_WORDS), min_size=3, max_size=25), st.randoms())
def test_identifiers_in_random_forms_are_removed_and_clinical_words_kept(
    patient: tuple[Identifiers, list[str]], words: list[str], rng: object
) -> None:
    ids, written = patient
    text_words = list(words)
    for form in written:
        text_words.insert(rng.randrange(len(text_words) + 1), form)  # type: ignore[attr-defined]
    text = " ".join(text_words)
    cleaned = Scrubber([ids]).clean(text)
    remaining = {w.casefold() for w in re.findall(r"[^\W\d_]+", cleaned)}
    assert not {p.casefold() for p in ids.full_name.split()} & remaining
    core = re.sub(r"\D", "", ids.mrn).lstrip("0")
    assert core not in re.sub(r"\D", "", cleaned) or core in re.sub(r"\D", "", " ".join(words))
    assert written[2] not in cleaned
    for word in set(words):
        kept = re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", cleaned)
        assert len(kept) == words.count(word), (word, text, cleaned)


def test_names_in_scripts_without_spaces_are_found_inside_words() -> None:
    scrub = Scrubber(
        [
            Identifiers(1, "王小明"),
            Identifiers(2, "山田 花子"),
            Identifiers(3, "김민수"),
            Identifiers(4, "محمد علي"),
        ]
    )
    assert scrub.clean("患者王小明，女性") == f"患者{REMOVED}，女性"
    assert scrub.clean("山田花子さん、山田さん") == f"{REMOVED}さん、{REMOVED}さん"
    assert scrub.clean("김민수는 환자") == f"{REMOVED}는 환자"
    assert scrub.clean("المريض محمد علي") == f"المريض {REMOVED}"
    assert scrub.clean("小明") == "小明"  # a part of one character too few is not a name of its own
