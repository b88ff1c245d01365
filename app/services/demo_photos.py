"""Synthetic clinical "photos" for the demo: generated drawings, never real people.

Each drawing is a schematic body site (back of the hand, cheek, upper chest) with lesions
whose extent and colour follow the CDASI activity of the visit, and a SYNTHETIC label.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..domain.annotations import Shape, ShapeKind
from ..domain.records import Consent, PhotoComparison
from ..store.casebook import Casebook
from ..store.imaging import prepare_image

SIZE = (960, 720)
SKIN = (226, 188, 160)
BACKGROUND = (72, 84, 96)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        from .. import assets

        return ImageFont.truetype(str(assets.fonts_dir() / "DejaVuSans-Bold.ttf"), size)
    except OSError:
        return ImageFont.load_default()


def _lesion_colour(activity: int) -> tuple[int, int, int]:
    strength = min(1.0, activity / 40)
    return (int(205 - 60 * strength), int(120 - 80 * strength), int(120 - 40 * strength + 40 * strength))


def _lesion_mask(centres: list[tuple[int, int]], activity: int, seed: int) -> Image.Image:
    """Where the lesions are: more and larger spots around each centre as activity rises."""
    rng = random.Random(seed)
    mask = Image.new("L", SIZE, 0)
    draw = ImageDraw.Draw(mask)
    for cx, cy in centres:
        for _ in range(max(1, activity // 3)):
            x, y = cx + rng.randint(-40, 40), cy + rng.randint(-20, 20)
            r = rng.randint(6, 10 + activity // 3)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=230)
    return mask.filter(ImageFilter.GaussianBlur(4))


def _hand(draw: ImageDraw.ImageDraw) -> list[tuple[int, int]]:
    draw.rounded_rectangle((300, 330, 660, 650), radius=90, fill=SKIN)  # back of the hand
    knuckles = []
    for n, x in enumerate((330, 420, 510, 590)):
        top = 90 if n in (1, 2) else 130
        draw.rounded_rectangle((x, top, x + 70, 400), radius=35, fill=SKIN)
        knuckles += [(x + 35, 360), (x + 35, 250)]  # MCP and PIP joints
    draw.rounded_rectangle((600, 420, 840, 500), radius=40, fill=SKIN)  # thumb
    return knuckles


def _cheek(draw: ImageDraw.ImageDraw) -> list[tuple[int, int]]:
    draw.ellipse((220, 80, 760, 700), fill=SKIN)
    return [(360, 430), (600, 430), (480, 230)]


def _chest(draw: ImageDraw.ImageDraw) -> list[tuple[int, int]]:
    draw.polygon([(160, 0), (800, 0), (700, 720), (260, 720)], fill=SKIN)
    draw.polygon([(380, 0), (580, 0), (480, 300)], fill=(236, 204, 180))  # the V of the neck
    return [(400, 160), (560, 160), (480, 330)]


SITES = {"dorsum of hand": _hand, "cheek": _cheek, "upper chest (V-area)": _chest}


def draw_site(site: str, activity: int, seed: int) -> bytes:
    """A PNG drawing of a body site with lesions matching the CDASI activity."""
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    centres = SITES[site](draw)
    image.paste(_lesion_colour(activity), (0, 0, *SIZE), mask=_lesion_mask(centres, activity, seed))
    draw.text((24, 20), "SYNTHETIC DEMO IMAGE – not a patient", fill=(255, 255, 255), font=_font(30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass(frozen=True)
class _DemoPhoto:
    study_id: str
    site: str
    taken_on: date
    activity: int
    caption: str
    annotations: tuple[Shape, ...] = ()


_GOTTRON = (
    Shape(ShapeKind.ELLIPSE, ((0.32, 0.28), (0.66, 0.56)), "yellow"),
    Shape(ShapeKind.ARROW, ((0.16, 0.18), (0.32, 0.33)), "yellow"),
    Shape(ShapeKind.TEXT, ((0.03, 0.1),), "white", text="Gottron's papules"),
)

DEMO_PHOTOS: tuple[_DemoPhoto, ...] = (
    _DemoPhoto("DEMO-01", "dorsum of hand", date(2019, 5, 23), 40, "Before tofacitinib (synthetic drawing)", _GOTTRON),
    _DemoPhoto("DEMO-01", "dorsum of hand", date(2020, 8, 24), 32, "After tofacitinib (synthetic drawing)", _GOTTRON),
    _DemoPhoto("DEMO-01", "dorsum of hand", date(2022, 6, 13), 8, "After upadacitinib (synthetic drawing)", _GOTTRON[:2]),
    _DemoPhoto("DEMO-04", "cheek", date(2022, 2, 14), 30, "Acneiform eruption on upadacitinib (synthetic drawing)",
               (Shape(ShapeKind.FREEHAND, ((0.3, 0.5), (0.45, 0.48), (0.5, 0.65), (0.33, 0.7), (0.3, 0.5)), "sky blue"),)),
    _DemoPhoto("DEMO-06", "upper chest (V-area)", date(2021, 5, 3), 22, "V-sign before upadacitinib (synthetic drawing)"),
    _DemoPhoto("DEMO-06", "upper chest (V-area)", date(2022, 5, 17), 6, "V-sign on upadacitinib (synthetic drawing)"),
)  # fmt: skip

COMPARISON_NAME = "Before tofacitinib / after tofacitinib / after upadacitinib"


def write_demo_photos(book: Casebook) -> None:
    """Add the synthetic photos, their annotations and the saved comparison (inside the demo's batch)."""
    ids: dict[str, list[int]] = {}
    for n, spec in enumerate(DEMO_PHOTOS):
        patient = book.patient_by_study_id(spec.study_id)
        assert patient is not None
        assert patient.id is not None
        prepared = prepare_image(draw_site(spec.site, spec.activity, seed=n))
        photo, _ = book.add_photo(
            patient.id, prepared, taken_on=spec.taken_on, body_site=spec.site, caption=spec.caption,
            consent=Consent.YES, identifiable=False, in_report=True,
        )  # fmt: skip
        if spec.annotations:
            photo = book.save_photo(photo.__class__(**{**photo.__dict__, "annotations": spec.annotations}))
        ids.setdefault(spec.study_id, []).append(photo.id or 0)
    first = book.patient_by_study_id("DEMO-01")
    assert first is not None
    assert first.id is not None
    book.save_comparison(PhotoComparison(first.id, COMPARISON_NAME, tuple(ids["DEMO-01"])))
