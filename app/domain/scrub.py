"""Finding identifiers in text: names, record numbers, dates of birth, and calendar dates.

A ``Scrubber`` holds the identifiers of every patient of a series. ``find`` returns each
place where one of them (in any of its common written forms) or a calendar date finer than
the year appears; ``clean`` replaces those places by a neutral marker. The same ``find``
serves the leak check (``myocase deid-check`` and the report's check of its own output),
so what the cleaning removes and what the check looks for cannot drift apart.

The written forms recognised (reference section 10, issue 10):

- a name: every part of it in any case, accents or not ("José" = "Jose"), hyphenated or
  apostrophed parts whole or split; initials in either order with dots ("J.S.", "s. j.")
  or without (upper case only, and never a clinical abbreviation such as "DM" or "CK");
  a single initial next to another part of the name ("J. Smith", "Smith, J."). A part that
  is also a common English word ("Rose", "May") is matched only where it is capitalised.
  A name in a script written without spaces between words (Chinese, Japanese, Korean) is
  found anywhere in the text, since it is written against its neighbours ("患者王小明，女性",
  "김민수는").
- a record number with or without its letter prefix, with dashes, spaces, dots or slashes
  anywhere, and with or without its leading zeros ("MRN-0012-3456", "00123456", "123456");
- a date of birth written numerically (day-month or month-day, ``/ - .``, two- or
  four-digit years, year first too), with an English month name or abbreviation, or as
  eight digits;
- any other calendar date with a day or a month ("12 March 2021", "03/2021", "2021-03-12"):
  only when ``dates`` is asked for. A year alone is not a date here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .records import Identifiers
from .scrub_dates import DATE_HINT, date_candidates
from .vocab import ANTIBODIES, Subtype

REMOVED = "[removed]"
DATE_REMOVED = "[date removed]"


class HitKind(StrEnum):
    NAME = "name"
    RECORD_NUMBER = "record number"
    BIRTH_DATE = "date of birth"
    DATE = "calendar date"

    @property
    def marker(self) -> str:
        return DATE_REMOVED if self is HitKind.DATE else REMOVED


@dataclass(frozen=True)
class Hit:
    """One place in a text where an identifier (or a calendar date) appears."""

    start: int
    end: int
    text: str
    kind: HitKind
    patient_id: int | None = None

    @property
    def is_identifier(self) -> bool:
        return self.kind is not HitKind.DATE


# Clinical and common upper-case abbreviations that bare initials must never remove.
_ABBREVIATIONS = """
    CK ILD MMT HAQ ALT AST LDH IVIG MTX MMF AZA HCQ CYC RTX TAC CSA LEF CTCAE VAS NRS FVC DLCO
    TIS IMACS MRN GP IV PO SC IM BD BID TID QID QD OD XR ER SR UV MRI CT PET EMG ECG EKG ENT ICU
    AE SAE VTE DVT PE MACE TB HIV HBV HCV HSV VZV CMV EBV PCP PJP UK US USA EU OK NA NB PS PRN
    GI RA SLE SS MS CRP ESR ANA ENA RNP JAK IU ID NO IN ON TO OF AT IS AS BY OR AN IT BE DO GO
    HE ME MY SO UP WE AM PM THE AND FOR NOT BUT DAY WK MO YR CDASI MMT8 IIM IBD CKD AKI MG KG ML
    DL
"""
CLINICAL_ABBREVIATIONS = frozenset(
    {s.value.upper() for s in Subtype}
    | {a.upper().replace("-", "") for a in ANTIBODIES}
    | set(_ABBREVIATIONS.split())
)

# Common English words that are also names: matched only where capitalised ("Rose", not "rose").
_COMMON_WORDS = """
    will may rose hope grace joy faith june april august mark bill pat sue rob art ray dawn iris
    lily amber ruby pearl crystal summer autumn holly ivy jade heather daisy violet sky rain
    river stone wood woods white black brown green gray grey young king long short small little
    hill hall bell ford field lane park rich sharp swift strong wise best good love hunt fox
    wolf bird crane drake swan lamb bush moss rice price cook baker mason carter turner walker
    porter hunter fisher major march page sage frank guy don gene chase drew dean case post
    banks bond church cross day knight law lord marsh north south west east power rush well
    wells hale lee rowe storm snow frost winter spring fall mercy honor honour constance
    patience prudence sterling noble earl duke prince bishop abbot cannon gold silver steel iron
    glass wall walls dale brook brooks beach bay lake pond grove forest marsh moor heath heaths
    fields hills
"""
COMMON_WORD_NAMES = frozenset(_COMMON_WORDS.split())

# Scripts written without spaces between words: Han, Hiragana, Katakana, Hangul.
_UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\U00020000-\U0002fa1f]"
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_DOTTED_INITIALS = re.compile(r"(?<![\w.])(?:[^\W\d_]\.\s?){1,3}[^\W\d_]\.?(?![\w])")
_BARE_INITIALS = re.compile(r"(?<![\w.])[A-Z]{2,4}(?![\w])")
_DIGIT_RUN = re.compile(r"(?<!\d)\d+(?:[\s\-./]\d+)*(?!\d)")
_ALNUM = re.compile(r"[^\W_]+")
_ALNUM_RUN = re.compile(r"[^\W_]+(?:[\s\-./:#][^\W_]+)*")  # letter-and-digit groups, one separator apart
# No letter itself, yet re's IGNORECASE matches it to iota: a text holding it is searched number by number.
_IOTA_MARK = "\u0345"
_INITIAL_BEFORE = re.compile(r"(?<![\w.'’-])([^\W\d_])\.?\s{0,2}$")
_INITIAL_AFTER = re.compile(r",?\s{0,2}([^\W\d_])\.?(?![\w'’-])")
_GAP = re.compile(r"[\s,.\-'’]{1,3}")
_APOSTROPHE = re.compile("['’]")


def _merged(text: str, hits: list[Hit]) -> list[Hit]:
    """Hits sorted by start, overlapping ones joined into one (the kind of the first)."""
    merged: list[Hit] = []
    for hit in hits:
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            end = max(last.end, hit.end)
            merged[-1] = Hit(last.start, end, text[last.start : end], last.kind, last.patient_id)
        else:
            merged.append(hit)
    return merged


def fold(text: str) -> str:
    """Case-, accent- and apostrophe-insensitive form of a word ("José" → "jose", "O’Brien" → "o'brien")."""
    if text.isascii():  # nothing to decompose, no accent to drop: casefold is lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _record_key(text: str) -> str:
    """One key for two spellings whenever re's IGNORECASE matches them letter for letter ("ſ" = "s"); it
    also joins accented letters to plain ones, so what a key finds is checked with the number's pattern."""
    return text.lower() if text.isascii() else fold(text.upper())


def _name_parts(full_name: str) -> list[str]:
    words = _WORD.findall(full_name)
    parts = list(words)
    for word in words:  # "O'Brien" also as "OBrien" and "Brien"
        pieces = re.split(r"['’]", word)
        if len(pieces) > 1:
            parts.append("".join(pieces))
            parts += [p for p in pieces if len(p) >= 3]
    return parts


@dataclass(frozen=True)
class _Patient:
    patient_id: int
    letters: str  # first letter of each name part, upper case, in order
    record_prefix: str  # letters before a record number's digits ("MRN")


class Scrubber:
    """Every patient's identifiers, ready to be found in any text."""

    def __init__(self, identifiers: Iterable[Identifiers]) -> None:
        self._parts: dict[str, set[int]] = {}
        self._initials: dict[str, set[int]] = {}
        self._record_numbers: dict[str, int] = {}
        self._record_patterns: list[tuple[re.Pattern[str], int]] = []
        self._record_keys: dict[str, list[int]] = {}  # _record_key → indexes in _record_patterns
        self._record_longest = 0
        self._record_prefixes: set[str] = set()  # every beginning of a key of _record_keys
        self._births: dict[date, set[int]] = {}
        self._patients: dict[int, _Patient] = {}
        self._unspaced: dict[str, set[int]] = {}
        for ids in identifiers:
            self._add(ids)
        names = sorted(self._unspaced, key=len, reverse=True)
        self._unspaced_re = re.compile("|".join(map(re.escape, names))) if names else None

    def _add(self, ids: Identifiers) -> None:
        pid = ids.patient_id
        parts = _name_parts(ids.full_name)
        letters = "".join(p[0].upper() for p in _WORD.findall(ids.full_name))
        for part in parts:
            if len(part) >= 2:
                self._parts.setdefault(fold(part), set()).add(pid)
        for part in {*parts, "".join(_WORD.findall(ids.full_name))}:  # "山田 花子" is also "山田花子"
            if len(part) >= 2 and _UNSPACED.search(part):
                self._unspaced.setdefault(part, set()).add(pid)
        if len(letters) >= 2:
            for order in {letters, letters[-1] + letters[:-1], letters[::-1]}:
                self._initials.setdefault(fold(order), set()).add(pid)
        mrn = ids.mrn.strip()
        prefix = re.match(r"[^\W\d_]*", mrn)
        self._patients[pid] = _Patient(pid, letters, prefix.group(0) if prefix else "")
        self._add_record_number(pid, mrn, prefix.group(0) if prefix else "")
        if ids.date_of_birth is not None:
            self._births.setdefault(ids.date_of_birth, set()).add(pid)

    def _add_record_number(self, pid: int, mrn: str, prefix: str) -> None:
        digits = re.sub(r"\D", "", mrn)
        if len(digits.lstrip("0")) >= 4 and not re.search(r"[^\W\d_]", mrn[len(prefix) :]):
            self._record_numbers[digits.lstrip("0")] = pid
        elif len(chars := re.sub(r"[\W_]", "", mrn)) >= 4:
            pattern = r"(?<![^\W_])" + r"[\s\-./:#]?".join(map(re.escape, chars)) + r"(?![^\W_])"
            key = _record_key(chars)
            self._record_keys.setdefault(key, []).append(len(self._record_patterns))
            self._record_prefixes.update(key[:n] for n in range(1, len(key) + 1))
            self._record_patterns.append((re.compile(pattern, re.IGNORECASE), pid))
            self._record_longest = max(self._record_longest, len(chars))

    @property
    def is_empty(self) -> bool:
        return not (
            self._parts or self._record_numbers or self._record_patterns or self._births or self._unspaced
        )

    # ------------------------------------------------------------ finding

    def find(self, text: str, *, dates: bool = False) -> list[Hit]:
        """Every identifier in ``text`` (and, with ``dates``, every calendar date), in order and
        never overlapping: overlapping identifiers become one hit; a date overlapping one is dropped."""
        if not text:
            return []
        found = [*self._names(text), *self._record_hits(text)]
        if DATE_HINT.search(text):  # no hint, no date (most texts of a series, and study IDs)
            found += self._date_hits(text, dates)
        if not found:
            return []
        identifiers = _merged(text, sorted((h for h in found if h.is_identifier), key=lambda h: h.start))
        chosen = list(identifiers)
        for hit in sorted(
            (h for h in found if not h.is_identifier), key=lambda h: (h.start - h.end, h.start)
        ):
            if all(hit.end <= other.start or hit.start >= other.end for other in chosen):
                chosen.append(hit)
        return sorted(chosen, key=lambda h: h.start)

    def clean(self, text: str, *, dates: bool = True) -> str:
        """``text`` with every hit of ``find`` replaced by "[removed]" (dates: "[date removed]")."""
        hits = self.find(text, dates=dates)
        if not hits:
            return text
        pieces, last = [], 0
        for hit in hits:
            pieces += [text[last : hit.start], hit.kind.marker]
            last = hit.end
        pieces.append(text[last:])
        return "".join(pieces)

    # ------------------------------------------------------------ names

    def _names(self, text: str) -> list[Hit]:
        found: list[tuple[int, int, set[int]]] = []
        for match in _WORD.finditer(text):
            self._word_parts(match.group(0), match.start(), found)
        if self._unspaced_re is not None:
            for match in self._unspaced_re.finditer(text):
                found.append((match.start(), match.end(), self._unspaced[match.group(0)]))
        for match in _DOTTED_INITIALS.finditer(text):
            owners = self._initials.get(fold(re.sub(r"[\W_]", "", match.group(0))))
            if owners:
                found.append((match.start(), match.end(), owners))
        for match in _BARE_INITIALS.finditer(text):
            letters = match.group(0)
            if letters not in CLINICAL_ABBREVIATIONS and (owners := self._initials.get(fold(letters))):
                found.append((match.start(), match.end(), owners))
        return [
            self._with_initial(text, *span) for span in self._joined(text, sorted(found, key=lambda f: f[0]))
        ]

    def _word_parts(self, word: str, at: int, found: list[tuple[int, int, set[int]]]) -> None:
        """The name parts in a word (at ``at`` in the text): the whole word, or the longest stretches between
        its apostrophes ("Smith's", "d'Smith", "O'Brien's": the name before, after or inside them)."""
        if self._name_part(word, at, found) or not _APOSTROPHE.search(word):
            return
        cuts = [m.start() for m in _APOSTROPHE.finditer(word)]
        start = 0
        while start < len(word):
            ends = [c for c in reversed(cuts) if c > start]
            end = next((e for e in ends if self._name_part(word[start:e], at + start, found)), None)
            if end is None:  # no name from here up to an apostrophe: the rest after the next one
                end = ends[-1] if ends else len(word)
                if not ends:
                    self._name_part(word[start:], at + start, found)
            start = end + 1

    def _name_part(self, word: str, at: int, found: list[tuple[int, int, set[int]]]) -> bool:
        """Whether ``word`` (at ``at`` in the text) is a part of a name, added to ``found`` if so."""
        folded = fold(word)
        owners = self._parts.get(folded)
        if owners and (word[0].isupper() or folded not in COMMON_WORD_NAMES):
            found.append((at, at + len(word), owners))
            return True
        return False

    @staticmethod
    def _joined(text: str, found: list[tuple[int, int, set[int]]]) -> list[tuple[int, int, set[int]]]:
        """Neighbouring parts of one person's name become one span."""
        joined: list[tuple[int, int, set[int]]] = []
        for start, end, owners in found:
            if joined:
                first, last, before = joined[-1]
                common = before & owners
                if common and last <= start and _GAP.fullmatch(text[last:start]):
                    joined[-1] = (first, end, common)
                    continue
            joined.append((start, end, owners))
        return joined

    def _with_initial(self, text: str, start: int, end: int, owners: set[int]) -> Hit:
        """The span, widened over a lone initial of the same person just before or after it."""
        letters = "".join(self._patients[pid].letters for pid in owners if pid in self._patients)
        before = _INITIAL_BEFORE.search(text, max(0, start - 4), start)
        if before and before.group(1).upper() in letters:
            start -= len(before.group(0))
        after = _INITIAL_AFTER.match(text, end)
        if after and after.group(1).upper() in letters:
            end += len(after.group(0))
        return Hit(start, end, text[start:end], HitKind.NAME, min(owners))

    # ------------------------------------------------------------ record numbers

    def _record_hits(self, text: str) -> Iterator[Hit]:
        if self._record_numbers:
            for run in _DIGIT_RUN.finditer(text):
                yield from self._in_run(text, run)
        for index, match in self._lettered(text):
            pid = self._record_patterns[index][1]
            yield Hit(match.start(), match.end(), match.group(0), HitKind.RECORD_NUMBER, pid)

    def _lettered(self, text: str) -> list[tuple[int, re.Match[str]]]:
        """(number, match) wherever a record number with letters appears, by number then place, each one's
        places never overlapping: what each number's pattern finds, found by key and checked by pattern."""
        patterns = self._record_patterns
        if _IOTA_MARK in text:
            return [(i, match) for i, (pattern, _) in enumerate(patterns) for match in pattern.finditer(text)]
        found: list[tuple[int, re.Match[str]]] = []
        ends: dict[int, int] = {}
        for start, end, key in self._stretches(text) if patterns else ():
            for index in self._record_keys.get(key, ()):
                match = patterns[index][0].match(text, start)
                if match and match.end() == end and start >= ends.get(index, 0):
                    found.append((index, match))
                    ends[index] = end
        return sorted(found, key=lambda f: (f[0], f[1].start()))

    def _stretches(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, key) of each stretch of whole letter-and-digit groups joined by single separators
        that is short enough to spell a record number with letters and whose key begins one's key."""
        for run in _ALNUM_RUN.finditer(text):
            groups = [(m.start(), m.end(), _record_key(m[0])) for m in _ALNUM.finditer(text, *run.span())]
            for i, (start, _, _) in enumerate(groups):
                key = ""
                for _, end, part in groups[i : i + self._record_longest]:
                    key += part
                    # longer than any, separators and all, or no number's key begins so: none that goes on will
                    if end - start > 2 * self._record_longest or key not in self._record_prefixes:
                        break
                    yield start, end, key

    def _in_run(self, text: str, run: re.Match[str]) -> Iterator[Hit]:
        """Any stretch of whole digit groups of the run that spells a record number."""
        groups = [(m.start() + run.start(), m.end() + run.start()) for m in re.finditer(r"\d+", run.group(0))]
        for i in range(len(groups)):
            digits = ""
            for j in range(i, min(len(groups), i + 8)):
                digits += text[groups[j][0] : groups[j][1]]
                pid = self._record_numbers.get(digits.lstrip("0"))
                if pid is not None:
                    start = self._prefix_start(text, groups[i][0], self._patients[pid].record_prefix)
                    yield Hit(start, groups[j][1], text[start : groups[j][1]], HitKind.RECORD_NUMBER, pid)

    @staticmethod
    def _prefix_start(text: str, start: int, prefix: str) -> int:
        if not prefix:
            return start
        before = re.search(
            rf"(?<![^\W_]){re.escape(prefix)}[\s\-:#.]*$",
            text[max(0, start - len(prefix) - 4) : start],
            re.IGNORECASE,
        )
        return start - len(before.group(0)) if before else start

    # ------------------------------------------------------------ dates

    def _date_hits(self, text: str, dates: bool) -> Iterator[Hit]:
        for match, candidates, full in date_candidates(text):
            owners = set().union(*(self._births.get(d, set()) for d in candidates)) if candidates else set()
            if owners:
                yield Hit(match.start(), match.end(), match.group(0), HitKind.BIRTH_DATE, min(owners))
            elif dates and full:
                yield Hit(match.start(), match.end(), match.group(0), HitKind.DATE)


class RememberingScrubber(Scrubber):
    """A scrubber that cleans each distinct text once: drug names, units and adverse-event terms repeat in
    patient after patient of a registry (for one export: what it remembers lives as long as it)."""

    def __init__(self, identifiers: Iterable[Identifiers]) -> None:
        super().__init__(identifiers)
        self._cleaned: dict[tuple[str, bool], str] = {}

    def clean(self, text: str, *, dates: bool = True) -> str:
        cleaned = self._cleaned.get((text, dates))
        if cleaned is None:
            cleaned = self._cleaned[text, dates] = super().clean(text, dates=dates)
        return cleaned
