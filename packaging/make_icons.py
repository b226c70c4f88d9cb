"""Render verifier's icon (verifier/resources/icons/verifier.svg) to PNGs and a Windows .ico.

    .venv/bin/python packaging/make_icons.py

The outputs are committed, so a build needs neither this script nor an SVG renderer; run
it again after changing the SVG. Qt draws the SVG (QSvgRenderer, part of PySide6) and the
.ico is written here by hand, so nothing beyond the application's own dependencies is used.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "verifier" / "resources" / "icons"
SVG = ICONS / "verifier.svg"
SIZES = (16, 32, 48, 64, 128, 256)
# Windows Explorer and Inno Setup pick from these; 256 is stored as PNG, the others as
# 32-bit bitmaps, which every Windows version and every icon tool reads.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> QImage:
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG file: fix it and run this script again.")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide's stubs miss QIODevice
    buffer.close()
    return bytes(data.data())


def dib_bytes(image: QImage) -> bytes:
    """A 32-bit BGRA device-independent bitmap as an .ico entry wants it.

    The header gives twice the height (colour rows, then the 1-bit AND mask, all zeros
    because the alpha channel already says what is transparent); rows run bottom-up.
    """
    size = image.width()
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    rows = []
    for y in range(size - 1, -1, -1):
        line = argb.constScanLine(y)  # ARGB32 is B, G, R, A in memory on little-endian
        rows.append(bytes(line)[: size * 4])  # type: ignore[call-overload]  # a buffer: stubs say object
    mask_row = b"\x00" * (((size + 31) // 32) * 4)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, size * size * 4, 0, 0, 0, 0)
    return header + b"".join(rows) + mask_row * size


def ico_bytes(entries: list[tuple[int, bytes]]) -> bytes:
    """ICONDIR, one ICONDIRENTRY per image, then the images (sizes of 256 are written as 0)."""
    head = struct.pack("<HHH", 0, 1, len(entries))
    offset = len(head) + 16 * len(entries)
    directory, blobs = b"", b""
    for size, blob in entries:
        side = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    return head + directory + blobs


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - Qt needs one
    images = {size: render(size) for size in sorted(set(SIZES) | set(ICO_SIZES))}
    for size in SIZES:
        path = ICONS / f"verifier-{size}.png"
        path.write_bytes(png_bytes(images[size]))
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    entries = [(s, png_bytes(images[s]) if s >= 256 else dib_bytes(images[s])) for s in ICO_SIZES]
    ico = ICONS / "verifier.ico"
    ico.write_bytes(ico_bytes(entries))
    print(f"{ico.relative_to(ROOT)}  {ico.stat().st_size:,} bytes ({', '.join(map(str, ICO_SIZES))} px)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
