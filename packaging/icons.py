"""The bundle's icons, rendered at build time from resources/myocase.svg: PNGs in the freedesktop
hicolor sizes, myocase.ico (Windows) and myocase.icns (macOS). Nothing binary is kept in the repository.

Usage: python packaging/icons.py OUT_DIR   (in an environment with PySide6 and Pillow, i.e. MyoCase's)
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "myocase.svg"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)


def render(svg: Path, size: int) -> bytes:
    """The SVG drawn by Qt's SVG renderer on a transparent square of ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication(["icons"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"icons: {svg} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def make_icons(out: Path, svg: Path = SVG) -> dict[str, Path]:
    """Write every icon into ``out``; returns them by kind ("png", "ico", "icns", "hicolor")."""
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    sizes = sorted({*HICOLOR_SIZES, *ICO_SIZES, *ICNS_SIZES})
    images = {size: Image.open(io.BytesIO(render(svg, size))).convert("RGBA") for size in sizes}
    hicolor = out / "hicolor"
    for size in HICOLOR_SIZES:
        target = hicolor / f"{size}x{size}" / "apps" / "myocase.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        images[size].save(target)
    (hicolor / "scalable" / "apps").mkdir(parents=True, exist_ok=True)
    (hicolor / "scalable" / "apps" / "myocase.svg").write_bytes(svg.read_bytes())
    png = out / "myocase.png"
    images[256].save(png)
    ico = out / "myocase.ico"
    images[256].save(ico, sizes=[(s, s) for s in ICO_SIZES], append_images=[images[s] for s in ICO_SIZES])
    icns = out / "myocase.icns"
    images[1024].save(icns, append_images=[images[s] for s in ICNS_SIZES])
    return {"png": png, "ico": ico, "icns": icns, "hicolor": hicolor}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for kind, path in make_icons(Path(sys.argv[1])).items():
        print(f"{kind}: {path}")
