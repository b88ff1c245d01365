"""CDASI v2 site grid and MMT-8 muscle groups: the item structure, and the totals computed from it.

Source: ../shared/reference/myositis.md sections 2 and 3 (Yassaee 2010 for CDASI v2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from .scales import readable

CDASI_SITES: tuple[str, ...] = (
    "Scalp",
    "Malar",
    "Periorbital",
    "Rest of face",
    "V-area of neck (front)",
    "Posterior neck",
    "Upper back & shoulders",
    "Rest of back & buttocks",
    "Abdomen",
    "Lateral upper thigh",
    "Rest of leg & feet",
    "Arm",
    "Mechanic's hand",
    "Dorsum of hands (not over joints)",
    "Gottron's – not on hands",
)


def _typed(value: object) -> str:
    return readable(value) if isinstance(value, int | float) and math.isfinite(value) else repr(value)[:20]


def score_problem(value: object, top: int) -> str | None:
    """What is wrong with an item score or grade that must be a whole number 0–``top``; None if nothing.

    7.5, 4 (for 0–3), -1, "2" and NaN are all refused: a score has no halves and no other type."""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value == int(value)
        and 0 <= value <= top
    ):
        return None
    return f"must be a whole number 0–{top}, not {_typed(value)}."


@dataclass(frozen=True)
class CdasiItem:
    key: str
    label: str
    maximum: int
    damage: bool  # counts towards damage rather than activity
    levels: tuple[str, ...]


# Per-site items in the order of the paper form.
CDASI_SITE_ITEMS: tuple[CdasiItem, ...] = (
    CdasiItem("erythema", "Erythema", 3, False, ("absent", "faint pink", "red", "dark red / violaceous")),
    CdasiItem("scale", "Scale", 2, False, ("absent", "scale", "crust / lichenification")),
    CdasiItem("erosion", "Erosion / ulceration", 1, False, ("absent", "present")),
    CdasiItem("poikiloderma", "Poikiloderma", 1, True, ("absent", "present")),
    CdasiItem("calcinosis", "Calcinosis", 1, True, ("absent", "present")),
)


@dataclass(frozen=True)
class CdasiGrid:
    """Every CDASI v2 item. ``sites`` holds one tuple per site in CDASI_SITES order,
    each with the values of CDASI_SITE_ITEMS in order."""

    sites: tuple[tuple[int, ...], ...] = field(default_factory=lambda: ((0,) * 5,) * len(CDASI_SITES))
    gottron_erythema: int = 0  # 0–3
    gottron_papules: bool = False  # papules present: erythema counts double
    gottron_ulceration: int = 0  # 0–1
    gottron_damage: int = 0  # 0 absent, 1 dyspigmentation, 2 scarring
    periungual: int = 0  # 0–2
    alopecia: int = 0  # 0–1, hair loss in the last 30 days

    @property
    def activity(self) -> int:
        return self.activity_score()

    def activity_score(self, undoubled_counts: bool = True) -> int:
        """Activity total. Gottron's erythema counts double with papules; without papules it
        counts once, or not at all when ``undoubled_counts`` is False (the reference does not
        verify which, so it is a setting)."""
        per_site = sum(
            v
            for site in self.sites
            for v, item in zip(site, CDASI_SITE_ITEMS, strict=True)
            if not item.damage
        )
        factor = 2 if self.gottron_papules else (1 if undoubled_counts else 0)
        gottron = self.gottron_erythema * factor + self.gottron_ulceration
        return per_site + gottron + self.periungual + self.alopecia

    @property
    def damage(self) -> int:
        per_site = sum(
            v for site in self.sites for v, item in zip(site, CDASI_SITE_ITEMS, strict=True) if item.damage
        )
        return per_site + self.gottron_damage

    def problems(self) -> list[str]:
        """Values outside their item's range, in words."""
        found: list[str] = []
        if len(self.sites) != len(CDASI_SITES):
            return [f"The grid needs {len(CDASI_SITES)} sites, not {len(self.sites)}."]
        for name, site in zip(CDASI_SITES, self.sites, strict=True):
            for value, item in zip(site, CDASI_SITE_ITEMS, strict=True):
                if problem := score_problem(value, item.maximum):
                    found.append(f"{name}: {item.label.lower()} {problem}")
        extras = (
            ("Gottron's erythema", self.gottron_erythema, 3),
            ("Gottron's ulceration", self.gottron_ulceration, 1),
            ("Gottron's damage", self.gottron_damage, 2),
            ("Periungual", self.periungual, 2),
            ("Alopecia", self.alopecia, 1),
        )
        found += [
            f"{label} {problem}" for label, value, top in extras if (problem := score_problem(value, top))
        ]
        return found

    def with_site(self, index: int, item: int, value: int) -> CdasiGrid:
        sites = list(self.sites)
        row = list(sites[index])
        row[item] = value
        sites[index] = tuple(row)
        return CdasiGrid(
            tuple(sites), self.gottron_erythema, self.gottron_papules, self.gottron_ulceration,
            self.gottron_damage, self.periungual, self.alopecia,
        )  # fmt: skip

    def to_json(self) -> dict[str, object]:
        return {
            "sites": [list(site) for site in self.sites],
            "gottron_erythema": self.gottron_erythema,
            "gottron_papules": self.gottron_papules,
            "gottron_ulceration": self.gottron_ulceration,
            "gottron_damage": self.gottron_damage,
            "periungual": self.periungual,
            "alopecia": self.alopecia,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CdasiGrid:
        sites = data.get("sites", [])
        assert isinstance(sites, list)
        extras = {name: _score(data.get(name, 0)) for name in _EXTRA_NAMES}
        return cls(
            sites=tuple(tuple(_score(v) for v in site) for site in sites),
            gottron_papules=bool(data.get("gottron_papules", False)),
            **extras,
        )


_EXTRA_NAMES = ("gottron_erythema", "gottron_ulceration", "gottron_damage", "periungual", "alopecia")


def _score(value: object) -> int:
    """A stored or imported item score: a whole number becomes an int; anything else (1.5, "x") is kept
    as it is, so that ``problems()`` names it instead of it being silently rounded."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # type: ignore[return-value]


CDASI_ACTIVITY_MAX = 100
CDASI_DAMAGE_MAX = 32

MMT8_GROUPS: tuple[str, ...] = (
    "Neck flexors",
    "Deltoid",
    "Biceps",
    "Wrist extensors",
    "Gluteus maximus",
    "Gluteus medius",
    "Quadriceps",
    "Ankle dorsiflexors",
)
MMT8_GRADE_MAX = 10  # Kendall 0–10


class Sides(StrEnum):
    ONE = "one"  # 8 groups on one side: 0–80
    BOTH = "both"  # neck flexors once plus 7 groups on each side: 0–150


@dataclass(frozen=True)
class Mmt8Scores:
    """Kendall grades per muscle group. ``right`` holds the 8 groups in MMT8_GROUPS order
    (neck flexors first, axial); ``left`` the 7 bilateral groups when both sides were tested."""

    right: tuple[int | None, ...] = (None,) * 8
    left: tuple[int | None, ...] | None = None

    @property
    def sides(self) -> Sides:
        return Sides.ONE if self.left is None else Sides.BOTH

    @property
    def maximum(self) -> int:
        return 80 if self.left is None else 150

    def _values(self) -> list[int | None]:
        return [*self.right, *(self.left or ())]

    @property
    def complete(self) -> bool:
        return all(v is not None for v in self._values())

    @property
    def total(self) -> int | None:
        """The total when every group is graded, else None (a partial sum is not an MMT-8)."""
        values = self._values()
        return sum(v for v in values if v is not None) if self.complete else None

    @property
    def partial_total(self) -> int:
        return sum(v for v in self._values() if v is not None)

    def problems(self) -> list[str]:
        if len(self.right) != len(MMT8_GROUPS) or (
            self.left is not None and len(self.left) != len(MMT8_GROUPS) - 1
        ):
            return ["MMT-8 needs 8 groups (and 7 more for the left side)."]
        return [
            f"{name}: MMT-8 grades are whole numbers on the Kendall 0–{MMT8_GRADE_MAX} scale, not {_typed(value)}."
            for name, value in self.named()
            if value is not None and score_problem(value, MMT8_GRADE_MAX)
        ]

    def named(self) -> list[tuple[str, int | None]]:
        """Each grade with its group's name ("Deltoid, right" when both sides were tested)."""
        if self.left is None:
            return list(zip(MMT8_GROUPS, self.right, strict=True))
        right = [f"{group}, right" if n else group for n, group in enumerate(MMT8_GROUPS)]
        left = [f"{group}, left" for group in MMT8_GROUPS[1:]]
        return list(zip([*right, *left], self._values(), strict=True))

    def to_json(self) -> dict[str, object]:
        return {"right": list(self.right), "left": None if self.left is None else list(self.left)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Mmt8Scores:
        right = data.get("right") or [None] * 8
        left = data.get("left")
        assert isinstance(right, list)
        return cls(tuple(right), None if left is None else tuple(left))  # type: ignore[arg-type]
