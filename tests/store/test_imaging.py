"""Photo intake: orientation, metadata stripping, thumbnails, every refusal with its reason, and HEIC with and
without the heic extra."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator

import pytest
from myocase.store import imaging
from myocase.store.imaging import ImageLimits, PhotoRejected, prepare_image
from PIL import Image, PngImagePlugin

from tests.images import (
    BLUE,
    PRIVATE_MARKERS,
    RED,
    WHITE,
    jpeg_with_orientation,
    jpeg_with_private_metadata,
    png_bytes,
    upright_pattern,
)


def _close(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 24 for a, b in zip(pixel, colour, strict=False))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(orientation: int) -> None:
    prepared = prepare_image(jpeg_with_orientation(orientation))
    image = Image.open(io.BytesIO(prepared.data))
    assert (prepared.width, prepared.height) == image.size == (120, 80)
    assert _close(image.getpixel((10, 10)), RED)  # type: ignore[arg-type]
    assert _close(image.getpixel((110, 10)), BLUE)  # type: ignore[arg-type]
    assert _close(image.getpixel((60, 70)), WHITE)  # type: ignore[arg-type]
    assert "exif" not in image.info
    assert len(image.getexif()) == 0


def test_identifying_metadata_is_removed_and_the_date_kept() -> None:
    raw = jpeg_with_private_metadata()
    assert all(marker in raw for marker in PRIVATE_MARKERS)  # the test file really carries them
    prepared = prepare_image(raw)
    assert prepared.taken_on is not None
    assert prepared.taken_on.isoformat() == "2021-04-18"
    for blob in (prepared.data, prepared.thumbnail):
        assert not any(marker in blob for marker in PRIVATE_MARKERS)
        image = Image.open(io.BytesIO(blob))
        assert len(image.getexif()) == 0
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "photoshop"} & set(
            image.info
        )
        assert b"xmpmeta" not in blob


def test_png_text_chunks_are_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Owner Person")
    prepared = prepare_image(png_bytes(pnginfo=info))
    assert prepared.media_type == "image/png"
    assert b"Owner Person" not in prepared.data


def test_thumbnail_is_small_and_jpeg() -> None:
    prepared = prepare_image(png_bytes(upright_pattern(1600, 1200)))
    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == 320


def test_same_picture_with_other_metadata_has_the_same_identity() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "exported again")
    assert prepare_image(png_bytes()).sha256 == prepare_image(png_bytes(pnginfo=info)).sha256


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (16_000, 16_000)).save(out, "PNG")  # 256 megapixels in a few kB
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "limits", "reason"),
    [
        (b"%PDF-1.4 not a photo at all", ImageLimits(), "not an image"),
        (jpeg_with_orientation(1)[:600], ImageLimits(), "damaged or incomplete"),
        (_bomb(), ImageLimits(), "too many pixels"),
        (
            png_bytes(Image.frombytes("RGB", (100, 100), os.urandom(30_000))),
            ImageLimits(max_bytes=20_000),
            "over the 20 kB limit",
        ),
        (b"", ImageLimits(), "empty"),
    ],
    ids=["not-an-image", "truncated", "decompression-bomb", "too-large", "empty"],
)
def test_bad_files_are_refused_with_a_reason(data: bytes, limits: ImageLimits, reason: str) -> None:
    with pytest.raises(PhotoRejected, match=reason):
        prepare_image(data, limits)


def test_unsupported_format_is_named() -> None:
    out = io.BytesIO()
    upright_pattern().save(out, "GIF")
    with pytest.raises(PhotoRejected, match="GIF images are not supported"):
        prepare_image(out.getvalue())


# ------------------------------------------------------------ HEIC: the optional heic extra


def _heic(image: Image.Image) -> bytes:
    """A HEIC file made with pillow-heif (skips the test where the heic extra is not installed)."""
    pillow_heif = pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=95)
    return out.getvalue()


@pytest.fixture
def heic_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> Iterator[bytes]:
    """A HEIC photo, then pillow-heif made unimportable, as in an installation without the heic extra."""
    data = _heic(upright_pattern())
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # `import pillow_heif` now raises ImportError
    imaging.heif_available.cache_clear()
    yield data
    imaging.heif_available.cache_clear()


def test_without_the_heic_extra_a_heic_photo_is_refused_naming_the_extra(
    heic_without_the_extra: bytes,
) -> None:
    assert imaging.is_heif(heic_without_the_extra)
    with pytest.raises(PhotoRejected) as refused:
        prepare_image(heic_without_the_extra)
    assert "HEIC" in str(refused.value)
    assert "install MyoCase with the heic extra: pip install 'myocase[heic]'" in str(refused.value)
    assert prepare_image(png_bytes(upright_pattern())).media_type == "image/png"  # other formats unaffected


def test_with_the_heic_extra_a_heic_photo_is_stored_upright_as_jpeg() -> None:
    data = _heic(upright_pattern())
    imaging.heif_available.cache_clear()
    prepared = prepare_image(data)
    assert prepared.media_type == "image/jpeg"
    assert (prepared.width, prepared.height) == upright_pattern().size
    stored = Image.open(io.BytesIO(prepared.data))
    assert _close(stored.getpixel((5, 5)), RED)  # type: ignore[arg-type]
    assert _close(stored.getpixel((prepared.width - 5, 5)), BLUE)  # type: ignore[arg-type]
