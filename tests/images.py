"""Images made on the spot for the photo tests and the benchmark."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

ORIENTATION = 0x0112


def jpeg(width: int = 400, height: int = 200, orientation: int | None = None, **save) -> bytes:
    """Return a JPEG whose left half is red, with an EXIF orientation if given."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # a piece of metadata that must not survive
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, **save)
    return out.getvalue()


def encoded(fmt: str, size=(120, 80), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (0, 128, 255, 128)[: len(mode)] if mode != "P" else 3).save(out, fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims ``width`` by ``height`` pixels."""
    data = bytearray(encoded("PNG", (1, 1), "L"))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def upload_jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile("card.jpg", jpeg(), content_type="image/jpeg")
