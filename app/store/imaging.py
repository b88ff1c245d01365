"""Photo intake: check a file, stand it upright, strip every identifying byte, make a thumbnail.

What is stored is re-encoded from the pixels alone (pitfalls 5.1–5.5): no EXIF (GPS,
serial numbers, owner), no XMP or IPTC, no maker notes, no embedded thumbnail, no
comment; colours are converted to sRGB before the profile is dropped. The capture date is
read first, so it can be offered as the photo's date. HEIC/HEIF (phones) is read by pillow-heif, an
optional extra: its binary wheels bundle the GPL x265 encoder, and MyoCase only decodes.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

SUPPORTED_FORMATS = {"JPEG", "PNG", "TIFF", "WEBP", "MPO", "HEIF"}
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
HEIC_EXTRA = "pip install 'myocase[heic]'"
THUMBNAIL_SIZE = 320
JPEG_QUALITY = 92


@dataclass(frozen=True)
class ImageLimits:
    """Refusal limits, configurable per series: file size and pixel count."""

    max_bytes: int = 60 * 1024 * 1024
    max_pixels: int = 150_000_000


class PhotoRejected(Exception):
    """A file that cannot be stored; the message names the reason and what to do."""


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    thumbnail: bytes
    media_type: str
    width: int
    height: int
    sha256: str  # of the upright pixels: the same picture is the same photo, whatever its metadata
    taken_on: date | None


def _capture_date(image: Image.Image) -> date | None:
    exif = image.getexif()
    values = [
        exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal),
        exif.get(ExifTags.Base.DateTime),
    ]
    for value in values:
        if isinstance(value, str):
            try:
                return datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S").date()
            except ValueError:
                continue
    return None


def _to_srgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return (
            ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
            or image
        )
    except (ImageCms.PyCMSError, OSError):
        return image  # an unreadable profile: keep the pixels as they are


def _clean_pixels(image: Image.Image) -> Image.Image:
    """A new image holding only the upright pixels (no info dictionary, no metadata)."""
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    target = "RGBA" if has_alpha else "RGB"
    converted = _to_srgb(upright.convert(target) if upright.mode != target else upright)
    clean = Image.new(target, converted.size)
    clean.paste(converted)
    return clean


def _encode(image: Image.Image, lossless: bool) -> tuple[bytes, str]:
    out = io.BytesIO()
    if lossless or image.mode == "RGBA":
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), "image/jpeg"


def thumbnail_of(image: Image.Image, size: int = THUMBNAIL_SIZE) -> bytes:
    thumb = image.convert("RGB")
    thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return out.getvalue()


def is_heif(data: bytes) -> bool:
    """Whether the bytes are a HEIC/HEIF image (an ISO media file whose major brand is a HEIF one)."""
    return data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS


@cache
def heif_available() -> bool:
    """Whether HEIC photos can be read: pillow-heif (the heic extra) is installed; its opener is registered
    with Pillow on the first HEIC photo, not at start."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


def _open_checked(data: bytes, limits: ImageLimits) -> Image.Image:
    if is_heif(data) and not heif_available():
        raise PhotoRejected(
            "it is a HEIC photo, and this MyoCase cannot read HEIC: save it as JPEG and import that, or "
            f"install MyoCase with the heic extra: {HEIC_EXTRA}"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        saved_limit = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = limits.max_pixels
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in SUPPORTED_FORMATS:
                raise PhotoRejected(
                    f"{image.format} images are not supported: save it as JPEG, PNG or TIFF and import that."
                )
            image.load()
            return image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoRejected(
                f"it has too many pixels (over {limits.max_pixels / 1e6:.0f} megapixels): it may be a "
                "decompression bomb, or a scan far larger than a clinical photo needs."
            ) from exc
        except UnidentifiedImageError as exc:
            raise PhotoRejected("it is not an image MyoCase can read (JPEG, PNG, TIFF or HEIC).") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise PhotoRejected(f"the image is damaged or incomplete ({exc}).") from exc
        finally:
            Image.MAX_IMAGE_PIXELS = saved_limit


def prepare_image(data: bytes, limits: ImageLimits = ImageLimits()) -> PreparedImage:
    """Check and clean one image file's bytes; raise PhotoRejected with the reason."""
    if len(data) > limits.max_bytes:
        raise PhotoRejected(
            f"the file is {_size(len(data))}, over the {_size(limits.max_bytes)} limit: export a smaller copy."
        )
    if not data:
        raise PhotoRejected("the file is empty.")
    image = _open_checked(data, limits)
    taken_on = _capture_date(image)
    clean = _clean_pixels(image)
    digest = hashlib.sha256(f"{clean.mode}{clean.size}".encode() + clean.tobytes()).hexdigest()
    encoded, media_type = _encode(clean, lossless=image.format in ("PNG", "TIFF"))
    return PreparedImage(
        encoded, thumbnail_of(clean), media_type, clean.width, clean.height, digest, taken_on
    )


def _size(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1_000_000 else f"{n / 1e3:.0f} kB"


def read_file(path: Path, limits: ImageLimits = ImageLimits()) -> bytes:
    """A file's bytes, refusing what is missing or too large before reading it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PhotoRejected(f"it cannot be read ({exc.strerror}).") from exc
    if path.is_dir():
        raise PhotoRejected("it is a folder, not an image file.")
    if size > limits.max_bytes:
        raise PhotoRejected(
            f"the file is {_size(size)}, over the {_size(limits.max_bytes)} limit: export a smaller copy."
        )
    return path.read_bytes()
