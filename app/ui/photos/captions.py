"""Comparison captions, kept here for the photo widgets: the rules live in ``app/domain/photo_captions.py``."""

from __future__ import annotations

from ...domain.photo_captions import day_text, nearest_activity, phase_at, phase_text, photo_caption

__all__ = ["day_text", "nearest_activity", "phase_at", "phase_text", "photo_caption"]
