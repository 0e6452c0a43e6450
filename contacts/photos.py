"""Card photos: refuse what is not a reasonable image, store the rest upright and clean.

Checks happen before the image is decoded in full: the upload's size, then the format and
pixel count from the header. Decoded images are turned upright from their EXIF orientation
and re-encoded as JPEG, which drops every piece of metadata.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_SIZE = 1600
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


def upright_rgb(image: Image.Image) -> Image.Image:
    """Return the decoded image turned upright, as RGB on white where it was transparent."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
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
            with Image.open(file) as image:
                if image.format not in FORMATS:
                    raise PhotoError("The photo must be a JPEG, PNG or WebP image.")
                if image.width * image.height > MAX_PIXELS:
                    raise Image.DecompressionBombError(image.size)
                # A JPEG can be decoded at a reduced scale, far faster than in full.
                image.draft("RGB", (PHOTO_SIZE, PHOTO_SIZE))
                image.load()
                upright = upright_rgb(image)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise PhotoError("The photo has more than 40 megapixels; take a smaller one.") from e
    except (
        Image.UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as e:
        raise PhotoError("The photo could not be read; it may be damaged or not an image.") from e
    upright.thumbnail((PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS)
    thumbnail = upright.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    return Photo(photo=encode(upright), thumbnail=encode(thumbnail, quality=80))
