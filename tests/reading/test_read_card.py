"""Reading generated card photos end to end, and photos with nothing to read."""

from __future__ import annotations

import io
import socket

import numpy as np
import pytest
from PIL import Image

import reading
from reading import image, ocr, outline
from reading.result import SURE
from tests.reading.cardgen import GeneratedCard, make_card, same_field


def jpeg(pixels: np.ndarray, **save) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", **save)
    return out.getvalue()


def read(card: GeneratedCard) -> reading.Reading:
    return reading.read_card(card.photo, default_region="SE")


def assert_read_right(card: GeneratedCard, result: reading.Reading) -> None:
    for name in reading.FIELDS:
        got = result.fields.get(name)
        assert same_field(name, got.value if got else None, card.fields.get(name)), name
    assert {fold.code for fold in result.folds} == card.folds
    assert result.rotation == card.rotation


def test_it_loads_the_ocr_models_without_the_network(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("reading went to the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    engine = ocr.Engine()
    assert engine.boxes(np.full((64, 64, 3), 255, np.uint8)) == []


def test_it_reads_a_card_with_a_vcard_and_bent_upper_corners() -> None:
    card = make_card(11, photo_side=1600, qr="vcard", folds=frozenset({"UL", "UR"}), rotation=0)
    result = read(card)
    assert_read_right(card, result)
    assert all(suggestion.source == "qr" for suggestion in result.fields.values())
    assert all(0 < fold.confidence <= 1 for fold in result.folds)


def test_the_qr_code_wins_field_by_field_and_the_text_gives_the_rest() -> None:
    # A MeCard holds no title or company: those come from the printed text.
    card = make_card(
        12, photo_side=1600, qr="mecard", folds=frozenset(), layout="classic", region="DE"
    )
    result = read(card)
    assert_read_right(card, result)
    sources = {name: suggestion.source for name, suggestion in result.fields.items()}
    assert sources["name"] == sources["email"] == sources["phone"] == "qr"
    assert sources["company"] == "text"


def test_it_reads_a_card_lying_sideways_in_a_photo_stored_sideways() -> None:
    card = make_card(
        13,
        qr=None,
        folds=frozenset({"LR", "HALF"}),
        rotation=90,
        exif_sideways=True,
        photo_side=1600,
    )
    result = read(card)
    assert_read_right(card, result)
    assert not result.warnings


def test_it_reads_white_text_on_a_coloured_panel_upside_down() -> None:
    card = make_card(
        14, photo_side=1600, qr=None, folds=frozenset({"LL", "DIAG"}), rotation=180, layout="panel"
    )
    result = read(card)
    assert_read_right(card, result)
    assert card.fields["company"] in result.lines


def test_it_gives_the_reading_as_plain_data() -> None:
    card = make_card(15, photo_side=1600, qr=None, folds=frozenset({"UR"}), rotation=0, region="FR")
    data = read(card).as_json()
    assert set(data) == {"fields", "alternatives", "lines", "folds", "warnings"}
    assert set(data["alternatives"]) == {"phones", "emails"}
    assert set(data["fields"]) <= set(reading.FIELDS)
    for field in data["fields"].values():
        assert set(field) == {"value", "source", "confidence", "sure"}
        assert field["source"] in ("qr", "text") and 0 <= field["confidence"] <= 1
        assert field["sure"] == (field["confidence"] >= SURE)
    assert data["folds"] == [{"code": "UR", "confidence": data["folds"][0]["confidence"]}]
    assert all(isinstance(line, str) for line in data["lines"])


def test_it_says_when_a_photo_shows_several_cards() -> None:
    card = make_card(3, rotation=0, qr=None, exif_sideways=False, photo_side=1200)
    photo = np.asarray(Image.open(io.BytesIO(card.photo)).convert("RGB"))
    # The card beside its mirror image: two cards on one table.
    two = reading.read_card(jpeg(np.hstack([photo, photo[:, ::-1]])))
    several = (
        "The photo seems to show 2 cards: the largest was read. Photograph one card at a time."
    )
    assert several in two.warnings
    assert two.fields["name"].value == card.fields["name"]
    assert not any("cards" in warning for warning in reading.read_card(card.photo).warnings)


@pytest.mark.parametrize(
    "pixels",
    [
        np.full((900, 1200, 3), 255, np.uint8),
        np.random.default_rng(0).integers(0, 256, (900, 1200, 3), dtype=np.uint8),
    ],
    ids=["blank", "noise"],
)
def test_it_reads_nothing_from_a_photo_with_nothing_on_it(pixels: np.ndarray) -> None:
    result = reading.read_card(jpeg(pixels))
    assert result.fields == {}
    assert result.folds == []
    assert "No text or QR code could be read." in result.warnings


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image", jpeg(np.zeros((50, 50, 3), np.uint8))[:200]],
    ids=["empty", "text", "truncated"],
)
def test_it_refuses_bytes_that_are_no_image(data: bytes) -> None:
    with pytest.raises(reading.UnreadableImage):
        reading.read_card(data)


def test_it_refuses_a_photo_too_large_to_read() -> None:
    out = io.BytesIO()
    Image.new("L", (8000, 7000)).save(out, "PNG")
    with pytest.raises(reading.UnreadableImage, match="56 megapixels"):
        reading.read_card(out.getvalue())


def test_it_reads_the_largest_photo_the_booth_takes() -> None:
    # A 48 MP phone photo, which the booth takes (a JPEG of up to 50 MP).
    out = io.BytesIO()
    Image.new("L", (8000, 6000)).save(out, "JPEG")
    assert image.load(out.getvalue()).size == (2400, 1800)


def test_it_refuses_an_unknown_region() -> None:
    with pytest.raises(ValueError, match="region"):
        reading.read_card(jpeg(np.zeros((50, 50, 3), np.uint8)), default_region="XX")


def test_it_skips_the_stages_left_when_the_time_runs_out() -> None:
    card = make_card(16, photo_side=1600, qr=None, folds=frozenset({"UL"}), rotation=0)
    result = reading.read_card(card.photo, time_limit=0)
    assert result.lines == []
    assert result.warnings[-1] == ("The time limit of 0 s ran out: the text, the folds not read.")


def test_it_turns_a_photo_upright_from_its_exif_orientation() -> None:
    pixels = np.zeros((100, 300, 3), np.uint8)
    pixels[:, :150] = 255  # left half white
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned a quarter anticlockwise
    Image.fromarray(np.ascontiguousarray(np.rot90(pixels))).save(out, "JPEG", exif=exif)
    photo = image.load(out.getvalue())
    assert photo.size == (300, 100)
    assert photo.gray[:, :140].mean() > 200 > 50 > photo.gray[:, 160:].mean()


def test_it_reads_at_most_2400_pixels_a_side() -> None:
    photo = image.load(jpeg(np.zeros((3000, 4000, 3), np.uint8)))
    assert photo.size == (2400, 1800)
    assert photo.rgb.shape == (1800, 2400, 3)


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("width", "height"),
    [(20000, 2), (1600, 1), (3, 3000), (2400, 16), (1, 1), (31, 40)],
    ids=["a wide strip", "a line", "a tall strip", "too thin for the text", "a pixel", "tiny"],
)
def test_it_refuses_a_photo_too_narrow_to_hold_a_card(width: int, height: int) -> None:
    message = f"The photo is {width} by {height} pixels: too narrow or too small to hold a card."
    with pytest.raises(reading.UnreadableImage, match=message):
        reading.read_card(png(width, height))


def test_ten_to_one_is_the_narrowest_photo_it_reads() -> None:
    result = reading.read_card(png(2400, 240))
    assert "No text or QR code could be read." in result.warnings
    with pytest.raises(reading.UnreadableImage, match="too narrow"):
        reading.read_card(png(2400, 239))


@pytest.mark.parametrize(
    "shape", [(1, 1600, 3), (2, 20000, 3), (3000, 2, 3)], ids=["a line", "wide", "tall"]
)
def test_it_finds_no_outline_in_a_photo_too_narrow_for_one(shape: tuple[int, int, int]) -> None:
    assert outline.find(np.full(shape, 255, np.uint8)) is None


def test_a_photo_without_a_card_outline_says_what_to_do_not_what_was_done_wrong() -> None:
    result = reading.read_card(jpeg(np.full((900, 1200, 3), 255, np.uint8)))
    assert (
        "No card outline stood out from the background: the whole photo was read, and no fold "
        "was looked for (type them). A card on a darker surface shows its outline."
    ) in result.warnings
