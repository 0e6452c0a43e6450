"""Load a card's photo: decoded with Pillow, turned upright, bounded in size."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 2400
# The most pixels a photo the booth takes may have (a baseline JPEG's: contacts.photos,
# MAX_MEGAPIXELS); reading refuses more, and what Pillow would not open.
MAX_PIXELS = 50_000_000
# A photo longer than MAX_ASPECT times its width, or narrower than MIN_SIDE, holds no card
# that can be read (a card is 1.4 to 1.9 times as long as wide, its text lines a tenth of
# its height or less); far narrower ones would keep no row of pixels at all once shrunk for
# the outline (to 640 px long) or the text detector (in steps of 32 px). The booth takes no
# such photo.
MAX_ASPECT = 10
MIN_SIDE = 32


class UnreadableImage(ValueError):
    """The bytes are no image that can be read: not an image, corrupt, too large, or too
    narrow to hold a card."""


@dataclass(frozen=True)
class Photo:
    """A photo as RGB and grayscale arrays, upright, at most ``MAX_SIDE`` pixels a side."""

    rgb: np.ndarray
    gray: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        """Return (width, height) in pixels."""
        return self.gray.shape[1], self.gray.shape[0]


def load(data: bytes, max_side: int = MAX_SIDE) -> Photo:
    """Return the photo in ``data`` turned upright from its EXIF orientation and bounded
    to ``max_side`` pixels; raise UnreadableImage if it cannot be read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UnreadableImage(
                    f"The photo has {width * height / 1e6:.0f} megapixels; at most "
                    f"{MAX_PIXELS / 1e6:.0f} are read."
                )
            _check_shape(width, height)
            # A JPEG decodes at 1/2, 1/4 or 1/8 scale for a fraction of the time.
            image.draft("RGB", (max_side, max_side))
            image.load()
            image = ImageOps.exif_transpose(image)
    except UnreadableImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise UnreadableImage(f"The photo cannot be read: {error}") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnreadableImage(f"The photo is too large to read: {error}") from error
    image = _rgb(image)
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    rgb = np.asarray(image)
    return Photo(rgb=rgb, gray=cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))


def _check_shape(width: int, height: int) -> None:
    """Raise UnreadableImage if a photo ``width`` by ``height`` is too narrow to hold a
    card."""
    if max(width, height) > MAX_ASPECT * min(width, height) or min(width, height) < MIN_SIDE:
        raise UnreadableImage(
            f"The photo is {width} by {height} pixels: too narrow or too small to hold a card."
        )


def _rgb(image: Image.Image) -> Image.Image:
    """Return ``image`` as RGB, transparent parts on white (a card scanned as a PNG)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, image).convert("RGB")
    return image.convert("RGB")
