"""Test images made in the test: patterned, with chosen metadata."""

from __future__ import annotations

import io

from PIL import ExifTags, Image

RED, BLUE, WHITE = (220, 30, 30), (30, 60, 220), (255, 255, 255)
# Pillow's transpose that *shows* a stored image upright, per EXIF orientation; the stored
# (raw) image is the inverse of it applied to the upright picture.
_INVERSE = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def upright_pattern(width: int = 120, height: int = 80) -> Image.Image:
    """Red block top left, blue block top right, white elsewhere: any flip or turn shows."""
    image = Image.new("RGB", (width, height), WHITE)
    image.paste(RED, (0, 0, width // 3, height // 2))
    image.paste(BLUE, (2 * width // 3, 0, width, height // 2))
    return image


def jpeg_with_orientation(orientation: int) -> bytes:
    image = upright_pattern()
    method = _INVERSE[orientation]
    raw = image.transpose(method) if method is not None else image
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    out = io.BytesIO()
    raw.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description photoshop:Credit="Dr Identifying Name"/></x:xmpmeta>'


def jpeg_taken_on(when: str, shade: int = 0) -> bytes:
    """A JPEG whose camera says it was taken at ``when`` ("YYYY:MM:DD HH:MM:SS")."""
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = when
    image = upright_pattern()
    image.putpixel((0, 0), (shade, shade, shade))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def jpeg_with_private_metadata() -> bytes:
    """GPS position, camera serial number, owner, XMP, a comment and a capture date."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model X"
    exif[ExifTags.Base.Artist] = "Owner Person"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (13.0, 24.0, 36.0),
    }
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.BodySerialNumber] = "SERIAL-998877"
    exif_ifd[ExifTags.Base.LensSerialNumber] = "LENS-554433"
    exif_ifd[ExifTags.Base.DateTimeOriginal] = "2021:04:18 10:22:05"
    out = io.BytesIO()
    upright_pattern().save(out, "JPEG", quality=95, exif=exif, xmp=XMP, comment=b"patient-id-123")
    return out.getvalue()


PRIVATE_MARKERS = (
    b"SERIAL-998877",
    b"LENS-554433",
    b"Owner Person",
    b"Identifying Name",
    b"patient-id-123",
    b"PhoneMaker",
)


def png_bytes(image: Image.Image | None = None, **params: object) -> bytes:
    out = io.BytesIO()
    (image or upright_pattern()).save(out, "PNG", **params)
    return out.getvalue()
