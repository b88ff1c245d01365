"""The assessments table of the field registry: every measure (from ``measures.MEASURES``) with its
upper limit of normal or maximum, the derived scores (severity, multiples of the ULN, TIS, IMACS)
and the CDASI and MMT-8 items. ``fields.py`` holds the other tables and the lookups.
"""

from __future__ import annotations

from .cdasi import CDASI_SITE_ITEMS, CDASI_SITES, MMT8_GRADE_MAX, MMT8_GROUPS, CdasiGrid, Mmt8Scores
from .field_defs import LINK, YES_NO, Choice, FieldType, Source, TableBuilder, TableDef
from .measures import MEASURES, ULN_SUFFIX, Measure, Policy
from .records import Assessment
from .scores import TIS_MEASURES, Severity
from .validation import MAX_ULN

INT, DEC, CHOICE, BOOL = FieldType.INTEGER, FieldType.DECIMAL, FieldType.CHOICE, FieldType.BOOLEAN
NOTES = FieldType.NOTES

SEVERITY_CHOICES = tuple(Choice(s.value, s.value.capitalize(), n) for n, s in enumerate(Severity, 1))
TIS_CATEGORY_CHOICES = tuple(
    Choice(c, c.capitalize(), n) for n, c in enumerate(("none", "minimal", "moderate", "major"))
)
CDASI_SOURCE_CHOICES = (
    Choice("grid", "Computed from the full CDASI grid", 1),
    Choice("totals", "Totals typed from the chart", 2),
)
MMT8_SOURCE_CHOICES = (Choice("groups", "Computed from graded groups", 1), Choice("total", "Total typed", 2))
MMT8_MAX_CHOICES = (Choice("80", "One side (0–80)", 80), Choice("150", "Both sides (0–150)", 150))

# Short codes of the CDASI sites, in CDASI_SITES order: column cdasi_<site>_<item>.
CDASI_SITE_CODES: tuple[str, ...] = (
    "scalp", "malar", "periorbital", "face", "vneck", "postneck", "upperback", "back", "abdomen",
    "thigh", "leg", "arm", "mechanic", "hands", "gottron_body",
)  # fmt: skip
MMT8_GROUP_CODES: tuple[str, ...] = (
    "neck", "deltoid", "biceps", "wrist", "glut_max", "glut_med", "quadriceps", "ankle",
)  # fmt: skip
# Short codes of the per-site items, in CDASI_SITE_ITEMS order (names stay within LABELLED_NAME_MAX).
CDASI_ITEM_CODES: tuple[str, ...] = ("erythema", "scale", "erosion", "poikilo", "calcinosis")
assert len(CDASI_ITEM_CODES) == len(CDASI_SITE_ITEMS)
assert len(CDASI_SITE_CODES) == len(CDASI_SITES)
assert len(MMT8_GROUP_CODES) == len(MMT8_GROUPS)

SEVERITY_RULE = (
    "CDASI activity banded by the analysis settings (defaults: ≤ 14 mild, 15–26 moderate, > 26 severe)."
)
TIS_BASELINE = (
    "Against the patient's analysis baseline (the last assessment from the window before to the window "
    "after the index drug start holding the analysis measure), for each later assessment on the index drug; "
    "empty when not computable (2016 ACR/EULAR criteria, adult or juvenile thresholds by subtype)."
)


def _measure(b: TableBuilder, m: Measure) -> None:
    """A measure's column, then its upper limit of normal (and multiple of it) or its maximum."""
    kind = INT if m.integer else DEC
    b.add(
        m.field, m.label, kind, m.field, unit=m.unit, low=m.low, high=m.high, policy=m.policy, help=m.help,
        decimals=None if m.integer else m.decimals,
    )  # fmt: skip
    if m.uln:
        uln = m.field + ULN_SUFFIX
        b.add(
            uln,
            f"{m.label} upper limit of normal",
            DEC,
            uln,
            unit=m.unit,
            low=0,
            high=MAX_ULN,
            policy=m.policy,
        )
        b.add(
            f"{m.field}_xuln", f"{m.label} × upper limit of normal", DEC, unit="× ULN", decimals=2,
            derivation=f"{m.field} ÷ {uln}.",
        )  # fmt: skip
    if m.maximum:
        b.add(m.maximum, f"{m.label}: maximum", INT, m.maximum, choices=MMT8_MAX_CHOICES, policy=m.policy)
    _derived_after(b, m.field)


def _derived_after(b: TableBuilder, name: str) -> None:
    if name == "cdasi_damage":
        b.add("cdasi_source", "CDASI totals from", CHOICE, choices=CDASI_SOURCE_CHOICES, derivation="grid when the "
              "full CDASI grid was scored (cdasi_… item columns), totals when only totals were recorded.")  # fmt: skip
        b.add(
            "cdasi_severity",
            "CDASI activity severity",
            CHOICE,
            choices=SEVERITY_CHOICES,
            derivation=SEVERITY_RULE,
        )
    if name == "mmt8_total":
        b.add("mmt8_source", "MMT-8 total from", CHOICE, choices=MMT8_SOURCE_CHOICES, derivation="groups when every "
              "muscle group was graded (mmt8_… columns), total when only the total was recorded.")  # fmt: skip


def _cdasi_items(b: TableBuilder) -> None:
    for s, (code, site) in enumerate(zip(CDASI_SITE_CODES, CDASI_SITES, strict=True)):
        for i, (item_code, item) in enumerate(zip(CDASI_ITEM_CODES, CDASI_SITE_ITEMS, strict=True)):
            levels = tuple(Choice(str(n), level, n) for n, level in enumerate(item.levels))
            b.add(
                f"cdasi_{code}_{item_code}", f"CDASI {site}: {item.label.lower()}", INT, low=0, high=item.maximum,
                choices=levels, source=Source(CdasiGrid, "sites", (s, i)),
            )  # fmt: skip
    gottron = (
        ("gottron_erythema", "Gottron's on hands: erythema", ("absent", "faint pink", "red", "dark red / violaceous")),
        ("gottron_ulceration", "Gottron's on hands: ulceration", ("absent", "present")),
        ("gottron_damage", "Gottron's on hands: damage", ("absent", "dyspigmentation", "scarring")),
        ("periungual", "Periungual changes", ("absent", "grade 1", "grade 2")),
        ("alopecia", "Alopecia (last 30 days)", ("absent", "present")),
    )  # fmt: skip
    for attribute, label, words in gottron:
        choices = tuple(Choice(str(n), level, n) for n, level in enumerate(words))
        b.add(f"cdasi_{attribute}", f"CDASI {label}", INT, low=0, high=len(words) - 1, choices=choices,
              source=Source(CdasiGrid, attribute))  # fmt: skip
    b.add("cdasi_gottron_papules", "CDASI Gottron's on hands: papules", BOOL, choices=YES_NO,
          source=Source(CdasiGrid, "gottron_papules"), help="Papules present: erythema counts double.")  # fmt: skip


def _mmt8_groups(b: TableBuilder) -> None:
    for n, (code, group) in enumerate(zip(MMT8_GROUP_CODES, MMT8_GROUPS, strict=True)):
        side = "" if n == 0 else " (right, or the one side tested)"
        b.add(f"mmt8_{code}", f"MMT-8 {group}{side}", INT, low=0, high=MMT8_GRADE_MAX,
              source=Source(Mmt8Scores, "right", (n,)))  # fmt: skip
    for n, (code, group) in enumerate(zip(MMT8_GROUP_CODES[1:], MMT8_GROUPS[1:], strict=True)):
        b.add(f"mmt8_{code}_left", f"MMT-8 {group} (left)", INT, low=0, high=MMT8_GRADE_MAX,
              source=Source(Mmt8Scores, "left", (n,)))  # fmt: skip


def _tis(b: TableBuilder) -> None:
    b.add("is_baseline", "Analysis baseline", BOOL, choices=YES_NO,
          derivation="1 for the assessment the analysis takes as the patient's baseline. " + TIS_BASELINE)  # fmt: skip
    for m in TIS_MEASURES:
        b.add(
            f"tis_{m.key}_points",
            f"TIS points: {m.label}",
            DEC,
            low=0,
            high=max(m.points),
            derivation=TIS_BASELINE,
        )
    b.add("tis_total", "Total improvement score", DEC, low=0, high=100, derivation=TIS_BASELINE)
    b.add("tis_category", "TIS response", CHOICE, choices=TIS_CATEGORY_CHOICES, derivation=TIS_BASELINE)
    b.add("imacs_improved", "IMACS definition of improvement met", BOOL, choices=YES_NO,
          derivation="IMACS 2004: ≥ 3 of the 6 core measures improved by ≥ 20 %, ≤ 2 worse by ≥ 25 % (not MMT-8). "
          + TIS_BASELINE)  # fmt: skip


def assessments_table() -> TableDef:
    """The assessments table: a row per assessment."""
    b = TableBuilder("assessments", Assessment)
    b.study_id()
    b.add("assessment_id", "Assessment number", INT, "id", key=True, help=LINK)
    b.date("assessed_on", "Assessment date")
    for m in MEASURES:
        _measure(b, m)
    b.add("notes", "Notes", NOTES, "notes", policy=Policy.TEXT)
    _tis(b)
    _cdasi_items(b)
    _mmt8_groups(b)
    return TableDef(
        "assessments", "Assessments", Assessment, True, ("study_id", "assessment_id"), b.done(),
        "One row per assessment: every measure, its derived scores, and the CDASI and MMT-8 items when scored.",
    )  # fmt: skip
