from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile

from contacts import photos
from tests import images


def process(data: bytes) -> photos.Photo:
    return photos.process(io.BytesIO(data), len(data))


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("name", list(images.HOSTILE_DDS))
def test_a_format_pillow_cannot_decode_is_a_photo_error(name):
    # Pillow itself raises NotImplementedError for these when asked to open any format.
    with pytest.raises(NotImplementedError):
        Image.open(io.BytesIO(images.HOSTILE_DDS[name]))
    with pytest.raises(photos.PhotoError, match="must be a JPEG, PNG or WebP image"):
        process(images.HOSTILE_DDS[name])


@pytest.mark.parametrize("name", list(images.other_formats()))
def test_formats_pillow_opens_but_the_booth_does_not_take_are_refused(name):
    with pytest.raises(photos.PhotoError, match="must be a JPEG, PNG or WebP image"):
        process(images.other_formats()[name])


def test_any_failure_of_a_decoder_is_a_photo_error(monkeypatch):
    data = images.encoded("PNG")

    def fail(self):
        raise NotImplementedError("a decoder nobody tried")

    monkeypatch.setattr(ImageFile.ImageFile, "load", fail)
    with pytest.raises(photos.PhotoError, match="could not be read"):
        process(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (images.jpeg_claiming(8200, 6200), "51 megapixels; a JPEG photo may have at most 50."),
        (
            images.jpeg_claiming(4700, 3500, progressive=True),
            "16 megapixels; a progressive JPEG photo may have at most 16.",
        ),
        (images.png_claiming(4100, 4000), "16 megapixels; a PNG photo may have at most 16."),
        (images.encoded("WEBP", (4100, 3000)), "12 megapixels; a WebP photo may have at most 12."),
    ],
    ids=["JPEG", "progressive JPEG", "PNG", "WebP"],
)
def test_each_kind_of_photo_has_its_pixel_limit(data, message):
    with pytest.raises(photos.PhotoError, match=message):
        process(data)


def test_a_large_jpeg_is_accepted_and_stored_small():
    photo = process(images.jpeg(8000, 6000))  # 48 megapixels: a phone's full resolution
    assert opened(photo.photo).size == (1600, 1200)
    assert opened(photo.thumbnail).size == (320, 240)


def test_a_panorama_is_decoded_at_the_scale_of_its_own_shape():
    assert photos.fitting((12000, 1000), 1600) == (1600, 133)
    assert photos.fitting((1000, 12000), 1600) == (133, 1600)
    assert photos.fitting((800, 600), 1600) == (800, 600)
    image = opened(images.jpeg(12000, 1000))
    image.draft("RGB", photos.fitting(image.size, photos.PHOTO_SIZE))
    # A quarter, the smallest scale still above 1600 by 133; asked for 1600 by 1600 (as
    # Image.thumbnail asks), nothing smaller would be above it, and all would be decoded.
    assert image.size == (3000, 250)


def test_a_large_png_is_shrunk_before_it_is_turned_upright():
    image = Image.new("RGB", (3400, 1700), "white")
    image.paste((255, 0, 0), (0, 0, 1700, 1700))
    exif = Image.Exif()
    exif[images.ORIENTATION] = 6
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif)
    stored = opened(process(out.getvalue()).photo)
    assert stored.size == (800, 1600)
    assert stored.getpixel((400, 100))[1] < 50 and stored.getpixel((400, 1500))[1] > 200


@pytest.mark.parametrize("mode", ["P", "I;16", "LA", "CMYK"])
def test_other_pixel_modes_are_stored_as_rgb(mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    assert opened(process(images.encoded(fmt, (2000, 1000), mode)).photo).mode == "RGB"


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (images.encoded("PNG", (20000, 2)), "20000 by 2"),
        (images.jpeg(1, 60000), "1 by 60000"),
        (images.encoded("PNG", (1600, 1)), "1600 by 1"),
        (images.jpeg(2400, 200), "2400 by 200"),
    ],
    ids=["wide PNG", "tall JPEG", "a line", "12 to 1"],
)
def test_a_photo_too_narrow_to_be_of_a_card_is_refused(data, size):
    message = f"The photo is {size} pixels; a photo of a card may be at most 10 times as long"
    with pytest.raises(photos.PhotoError, match=message):
        process(data)


@pytest.mark.parametrize("size", [(1, 1), (49, 60)], ids=["one pixel", "under 50 across"])
def test_a_photo_too_small_to_be_of_a_card_is_refused(size):
    with pytest.raises(photos.PhotoError, match="must be at least 50 pixels across"):
        process(images.encoded("PNG", size))


def test_ten_to_one_and_50_pixels_across_are_the_narrowest_card_photos():
    photo = process(images.jpeg(4000, 400))
    assert opened(photo.photo).size == (1600, 160)
    assert opened(photo.thumbnail).size == (320, 32)
    assert opened(process(images.encoded("PNG", (50, 50))).photo).size == (50, 50)
    with pytest.raises(photos.PhotoError, match="at most 10 times"):
        process(images.jpeg(4000, 399))
    with pytest.raises(photos.PhotoError, match="at least 50 pixels"):
        process(images.encoded("PNG", (50, 49)))
