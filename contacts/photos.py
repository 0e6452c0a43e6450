"""Card photos: refuse what is not a reasonable image, store the rest upright and clean.

Checks happen before the image is decoded: the upload's size, then the format, pixel
count and shape from the header. Only JPEG, PNG and WebP are opened at all: Pillow reads
dozens of formats, some of whose readers fail in ways nobody has tried (a DDS texture
raises NotImplementedError). What a photo may cost is bounded per format (see
MAX_MEGAPIXELS and README, Photos). Decoded images are shrunk first, then turned upright
from their EXIF orientation and re-encoded as JPEG, which drops every piece of metadata.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps

MAX_BYTES = 15 * 1024 * 1024
# The most pixels a photo may have, by how it is decoded. A JPEG is decoded at a reduced
# scale (draft: 1/2, 1/4 or 1/8), so that its cost follows the stored photo's size, not
# the camera's; a progressive JPEG still holds every coefficient of the whole image in
# memory (6 bytes a pixel at full colour), and a PNG or WebP is decoded in full (4 bytes
# a pixel, and WebP's decoder keeps two more canvases). The worst accepted photo of each
# kind is measured by `make bench`; README, Photos, says why these numbers.
MAX_MEGAPIXELS = {"JPEG": 50, "progressive JPEG": 16, "PNG": 16, "WebP": 12}
FORMATS = ("JPEG", "PNG", "WEBP")
PHOTO_SIZE = 1600
# The shapes a photo of a card may have. A card is about 1.75 times as long as wide, a
# photo of one 4:3 or 16:9, a phone's panorama 4:1 or so; a photo longer than 10 times its
# width, or under 50 px across (where a card's name line would be 5 px tall), holds no
# card anyone could read. The reader's own bounds (reading/image.py) are no stricter: at
# 10:1 the stored photo is still 160 px across.
MAX_ASPECT = 10
MIN_SIDE = 50
THUMBNAIL_SIZE = 320
QUALITY = 85


class PhotoError(ValueError):
    """An upload that cannot be stored as a card photo; the message is for the user."""


@dataclass(frozen=True)
class Photo:
    photo: bytes
    thumbnail: bytes


def encode(image: Image.Image, quality: int = QUALITY) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def kind(image: Image.Image) -> str:
    """Return the kind of ``image`` that sets its pixel limit (a key of MAX_MEGAPIXELS)."""
    if image.format == "JPEG":
        return "progressive JPEG" if image.info.get("progressive") else "JPEG"
    return "WebP" if image.format == "WEBP" else image.format


def check_pixels(image: Image.Image) -> None:
    """Raise PhotoError if ``image`` has more pixels than its kind may have."""
    what = kind(image)
    limit = MAX_MEGAPIXELS[what]
    megapixels = image.width * image.height / 1_000_000
    if megapixels > limit:
        instead = "" if what == "JPEG" else ", or send it as an ordinary JPEG"
        raise PhotoError(
            f"The photo has {megapixels:.0f} megapixels; a {what} photo may have at most "
            f"{limit}. Take a smaller one{instead}."
        )


def check_shape(image: Image.Image) -> None:
    """Raise PhotoError if ``image`` is too narrow or too small to be a photo of a card."""
    width, height = image.size
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise PhotoError(
            f"The photo is {width} by {height} pixels; a photo of a card may be at most "
            f"{MAX_ASPECT} times as long as it is wide. Take one of the card itself."
        )
    if min(width, height) < MIN_SIDE:
        raise PhotoError(
            f"The photo is {width} by {height} pixels; a photo of a card must be at least "
            f"{MIN_SIDE} pixels across. Take a larger one."
        )


def fitting(size: tuple[int, int], box: int) -> tuple[int, int]:
    """Return ``size`` shrunk to fit a ``box`` by ``box`` square, keeping its shape."""
    scale = min(1, box / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def shrunk_upright(image: Image.Image) -> Image.Image:
    """Return the opened ``image`` decoded, at most PHOTO_SIZE on its long side, turned
    upright, as RGB on white where it was transparent."""
    # A JPEG is decoded at the smallest scale still larger than the photo: asked for the
    # photo's own shape, so that a panorama is reduced as much as a square.
    image.draft("RGB", fitting(image.size, PHOTO_SIZE))
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        # Palette, 16-bit, CMYK: resizing works on these modes only (or badly).
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    # Reduced by a whole factor first (a fast box filter), then resampled.
    image.thumbnail((PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS, reducing_gap=1.0)
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def process(file: BinaryIO, size: int) -> Photo:
    """Return the photo (at most 1600 px on the long side) and its 320 px thumbnail."""
    if size > MAX_BYTES:
        raise PhotoError("The photo is larger than 15 MB; take a smaller one.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=FORMATS) as image:
                check_pixels(image)
                check_shape(image)
                upright = shrunk_upright(image)
    except PhotoError:
        raise
    except Image.UnidentifiedImageError as e:
        raise PhotoError(
            "The photo must be a JPEG, PNG or WebP image; this one is not, or is damaged."
        ) from e
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise PhotoError("The photo has far too many pixels; take a smaller one.") from e
    except Exception as e:
        # Pillow's readers fail on damaged files with whatever went wrong (OSError,
        # SyntaxError, ValueError, EOFError, struct.error, ...): to the user all say one thing.
        raise PhotoError("The photo could not be read; it may be damaged.") from e
    thumbnail = upright.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    return Photo(photo=encode(upright), thumbnail=encode(thumbnail, quality=80))
