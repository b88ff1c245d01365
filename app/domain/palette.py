"""The house palette: the Okabe–Ito colours (safe for colour-blind readers), black and white.

A leaf module so that every domain module can name a colour (photo annotations too, which the
records import); renderers take colours from the style table (``style.py``), which re-exports these.
"""

from __future__ import annotations

ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"
WHITE = "#FFFFFF"
