"""Views of the measure registry (``measures.py``) by field: each measure's scale, the enzymes.

Forms read ``SCALES`` for their limits, units and tooltips; validation for its range checks.
A ``Measure`` is a ``Scale``; the scales are defined in the registry, never here.
"""

from __future__ import annotations

from collections.abc import Iterable

from .measures import MEASURES, ULN_SUFFIX, Measure, Scale, readable

__all__ = ["ENZYME_FIELDS", "MMT8_MAXIMA", "SCALES", "ULN_SUFFIX", "Scale", "readable", "scales_of"]


def scales_of(measures: Iterable[Measure] = MEASURES) -> dict[str, Scale]:
    """Each measure's scale by its field, in registry order."""
    return {m.field: m for m in measures}


SCALES: dict[str, Scale] = scales_of()
ENZYME_FIELDS: tuple[str, ...] = tuple(m.field for m in MEASURES if m.uln)  # recorded with a ULN
MMT8_MAXIMA: tuple[int, ...] = (80, 150)
