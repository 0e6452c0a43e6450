"""Read the lines of text on a card with RapidOCR (PP-OCR models run by onnxruntime).

The models ship inside the ``rapidocr`` wheel: nothing is downloaded at run time. Three
models run in turn: one finds the text boxes, one tells for each box whether its text is
upside down, one reads the text. The card's orientation is decided from all the boxes at
once: mostly tall boxes mean the card lies sideways (turned a quarter and found again),
mostly upside-down text means it lies upside down. When the text is still read with
little confidence, the other way up is tried too.

``READING_OCR_THREADS`` (default 1) sets onnxruntime's threads per model: on a 2-core
machine doing other work too, two threads spinning for each other cost twice the CPU and
took twice as long as one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from .result import TextLine

# Text read with less confidence is not a line: logos, QR modules, table texture.
MIN_CONFIDENCE = 0.5
# Below this mean confidence the card is tried the other way up.
POOR_CONFIDENCE = 0.75
DETECT_SIDE = 800


@dataclass(frozen=True)
class Text:
    """The lines read on a card, right side up, and the quarter turns (clockwise) that
    brought the image there. ``complete`` is False when the time ran out mid-way."""

    lines: list[TextLine]
    quarter_turns: int
    complete: bool = True

    @property
    def confidence(self) -> float:
        """Return the mean confidence of the lines, weighted by their length."""
        total = sum(len(line.text) for line in self.lines)
        if not total:
            return 0.0
        return sum(line.confidence * len(line.text) for line in self.lines) / total


@dataclass(frozen=True)
class _Box:
    crop: np.ndarray
    top: float
    left: float
    height: float


class Engine:
    """RapidOCR's three models, loaded once, used by one thread at a time."""

    def __init__(self, threads: int | None = None) -> None:
        from rapidocr import RapidOCR  # imported here: loading onnxruntime takes a second

        threads = threads or int(os.environ.get("READING_OCR_THREADS", "1"))
        self._ocr = RapidOCR(
            params={
                "Global.log_level": "warning",
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                "Det.limit_type": "max",
                "Det.limit_side_len": DETECT_SIDE,
            }
        )
        self._lock = threading.Lock()

    def boxes(self, image: np.ndarray) -> list[np.ndarray]:
        """Return the text boxes in ``image``, each four corners clockwise from top-left."""
        with self._lock:
            found = self._ocr(image, use_det=True, use_cls=False, use_rec=False)
        return [] if found.boxes is None else [np.float32(box) for box in found.boxes]

    def upside_down(self, crop: np.ndarray) -> float:
        """Return how sure the model is that ``crop``'s text is upside down (0 to 1)."""
        with self._lock:
            found = self._ocr(crop, use_det=False, use_cls=True, use_rec=False)
        label, score = found.cls_res[0]
        return float(score) if "180" in label else 1.0 - float(score)

    def text(self, crop: np.ndarray) -> tuple[str, float]:
        """Return the text read in ``crop`` and the model's confidence."""
        with self._lock:
            found = self._ocr(crop, use_det=False, use_cls=False, use_rec=True)
        if not found.txts:
            return "", 0.0
        return found.txts[0], float(found.scores[0])


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """Return the process's OCR engine, loading the models on first use."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine


def read(image: np.ndarray, expired: Callable[[], bool] = lambda: False) -> Text:
    """Return the lines of text in an RGB image of a card, read right side up.

    ``expired`` is asked between steps; once it says True, the lines read so far are
    returned with ``complete`` False.
    """
    ocr = engine()
    turns = 0
    boxes = ocr.boxes(image)
    if _mostly_tall(boxes) and not expired():
        turned = np.ascontiguousarray(np.rot90(image, -1))
        turned_boxes = ocr.boxes(turned)
        if len(turned_boxes) >= len(boxes) / 2:
            image, boxes, turns = turned, turned_boxes, 1
    found = _crops(image, boxes)
    if not found:
        return Text([], turns)
    if expired():
        return Text([], turns, complete=False)
    widest = sorted(found, key=lambda b: -b.crop.shape[1])[:8]
    votes = sum((ocr.upside_down(b.crop) - 0.5) * b.crop.shape[1] for b in widest)
    first = _turned(found, image.shape[0], image.shape[1]) if votes > 0 else found
    text = _recognize(ocr, first, turns + (2 if votes > 0 else 0), expired)
    if text.complete and text.confidence < POOR_CONFIDENCE and not expired():
        other = found if votes > 0 else _turned(found, image.shape[0], image.shape[1])
        again = _recognize(ocr, other, turns + (0 if votes > 0 else 2), expired)
        if again.complete and again.confidence > text.confidence:
            text = again
    return text


def _mostly_tall(boxes: list[np.ndarray]) -> bool:
    """Return True when most of the text boxes, by area, are taller than wide."""
    tall = wide = 0.0
    for box in boxes:
        width = np.linalg.norm(box[1] - box[0])
        height = np.linalg.norm(box[3] - box[0])
        if height > 1.5 * width:
            tall += width * height
        else:
            wide += width * height
    return tall > wide


def _crops(image: np.ndarray, boxes: list[np.ndarray]) -> list[_Box]:
    """Return the image inside each box, straightened, with where the box lies."""
    crops = []
    for box in boxes:
        width = int(max(np.linalg.norm(box[1] - box[0]), np.linalg.norm(box[2] - box[3])))
        height = int(max(np.linalg.norm(box[3] - box[0]), np.linalg.norm(box[2] - box[1])))
        if width < 4 or height < 6:
            continue
        target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
        crop = cv2.warpPerspective(
            image,
            cv2.getPerspectiveTransform(box, target),
            (width, height),
            borderMode=cv2.BORDER_REPLICATE,
            flags=cv2.INTER_CUBIC,
        )
        top, left = float(box[:, 1].min()), float(box[:, 0].min())
        crops.append(_Box(crop, top, left, float(height)))
    return crops


def _turned(boxes: list[_Box], image_height: int, image_width: int) -> list[_Box]:
    """Return the boxes as they lie on the image turned upside down."""
    return [
        _Box(
            np.ascontiguousarray(b.crop[::-1, ::-1]),
            image_height - b.top - b.height,
            image_width - b.left - b.crop.shape[1],
            b.height,
        )
        for b in boxes
    ]


def _recognize(
    ocr: Engine, boxes: list[_Box], quarter_turns: int, expired: Callable[[], bool]
) -> Text:
    """Return the text of the boxes, in reading order: rows top to bottom, then left to
    right."""
    lines = []
    for box in _reading_order(boxes):
        if expired():
            return Text(lines, quarter_turns % 4, complete=False)
        text, confidence = ocr.text(box.crop)
        if text.strip() and confidence >= MIN_CONFIDENCE:
            lines.append(TextLine(text.strip(), round(confidence, 3), box.height))
    return Text(lines, quarter_turns % 4)


def _reading_order(boxes: list[_Box]) -> list[_Box]:
    """Return the boxes by rows (boxes whose middles are within half a line), then by x."""
    rows: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: b.top + b.height / 2):
        middle = box.top + box.height / 2
        if rows and abs(middle - (rows[-1][0].top + rows[-1][0].height / 2)) < box.height / 2:
            rows[-1].append(box)
        else:
            rows.append([box])
    return [box for row in rows for box in sorted(row, key=lambda b: b.left)]
