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
    colour = 3 if mode in ("P", "I;16") else (0, 128, 255, 128)[: len(mode)]
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims ``width`` by ``height`` pixels."""
    data = bytearray(encoded("PNG", (1, 1), "L"))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def jpeg_claiming(width: int, height: int, progressive: bool = False) -> bytes:
    """Return a tiny JPEG whose frame header claims ``width`` by ``height`` pixels."""
    data = bytearray(jpeg(8, 8, progressive=progressive))
    frame = data.index(b"\xff\xc2" if progressive else b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def upload_jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile("card.jpg", jpeg(), content_type="image/jpeg")


DDPF_FOURCC = 0x4


def dds(pixel_flags: int, fourcc: bytes = b"\0\0\0\0", dxgi_format: int | None = None) -> bytes:
    """Return a 4 by 4 DDS texture header with the given pixel format, and no pixels.

    Pillow opens DDS files, and raises NotImplementedError inside ``Image.open`` for pixel
    formats it does not implement, as its test files ``unimplemented_pixel_format.dds``,
    ``unimplemented_dxgi_format.dds`` and ``unimplemented_pfflags.dds`` do.
    """
    header = struct.pack("<7I", 124, 0x1007, 4, 4, 0, 0, 0) + bytes(44)
    header += struct.pack("<4I", 32, pixel_flags, int.from_bytes(fourcc, "little"), 0)
    header += bytes(16 + 20)
    if dxgi_format is not None:
        header += struct.pack("<5I", dxgi_format, 3, 0, 1, 0)
    return b"DDS " + header


HOSTILE_DDS = {
    "unimplemented_pixel_format.dds": dds(DDPF_FOURCC, b"XYZW"),
    # DXGI_FORMAT_R32G32B32A32_TYPELESS: a format Pillow names but does not decode.
    "unimplemented_dxgi_format.dds": dds(DDPF_FOURCC, b"DX10", dxgi_format=1),
    "unimplemented_pfflags.dds": dds(0x10000000),
}


def other_formats() -> dict[str, bytes]:
    """Return images in formats Pillow opens and the booth does not take, by file name."""
    return {
        "card.bmp": encoded("BMP"),
        "card.tiff": encoded("TIFF"),
        "card.gif": encoded("GIF", mode="P"),
        "card.dds": encoded("DDS", mode="RGBA"),
        "card.ico": encoded("ICO", (32, 32)),
    }
