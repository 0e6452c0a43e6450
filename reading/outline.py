"""Find the card on the table and read its folds from its outline and its face.

The card lies on a background of another colour (a table). Its outline is the largest
region unlike the photo's border; its four sides are fitted as straight lines, and
their crossings are the card's corners as if no corner were bent.

- A bent corner cuts that corner off the outline: the outline passes at a distance
  from the corner where the sides cross. That distance, over the card's short side,
  tells the fold.
- A card folded in half shows a crease across its middle from one long edge to the
  other (on a card held landscape, a vertical line halfway across). A card folded
  diagonally shows a crease from a corner to the opposite corner. Each crease is looked
  for along its line on the card straightened to a rectangle: at each distance from the
  line, the median along it of how much a thin dark or light line, or a step between two
  halves lit differently, shows there. A crease shows all along its line; text crosses
  the line here and there, and its median stays low.

Positions are in the straightened card's frame, its top a long edge; ``turn`` maps the
folds when the text shows that the card lies another way up.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .result import FOLD_CODES, FoldGuess

SEGMENT_SIDE = 640
# The fewest pixels across the photo shrunk to SEGMENT_SIDE in which a card with the table
# around it could stand out (a photo over 20 times as long as wide holds none); shrunk
# further, the photo would keep no row of pixels at all.
SEGMENT_MIN_SIDE = 32
CREASE_WIDTH = 600
# A bent corner's cut, over the card's short side, that is a fold with confidence 0.5:
# rounded corners and blur stay far below (under 0.01), a bent corner far above (0.07 up).
CORNER_CUT = 0.05
# A crease's strength (its line over the variation away from it) with confidence 0.5: on
# the generated cards no crease stays under 1, creases show from 4 up.
CREASE_STRENGTH = 2.0
CORNERS = ("UL", "UR", "LR", "LL")  # clockwise from the top-left
ASPECTS = (1.25, 2.2)  # with room for perspective


@dataclass(frozen=True)
class Outline:
    """The card in the photo: its corners clockwise from its top-left, in photo pixels
    (the top is a long edge, the one that lies highest), and the outline as seen."""

    corners: np.ndarray
    contour: np.ndarray
    # Other regions standing out as much as a card (at least half its area): more cards.
    others: int = 0

    @property
    def aspect(self) -> float:
        """Return the card's long side over its short side."""
        c = self.corners
        long = np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[3])
        short = np.linalg.norm(c[3] - c[0]) + np.linalg.norm(c[2] - c[1])
        return float(long / short)

    @property
    def rotation(self) -> int:
        """Return the quarter turn, in degrees clockwise, that puts the top edge on top."""
        c = self.corners
        up = (c[0] + c[1] - c[2] - c[3]) / 2
        angle = np.degrees(np.arctan2(up[0], -up[1]))
        return round(float(-angle) / 90) % 4 * 90


def find(rgb: np.ndarray) -> Outline | None:
    """Return the card's outline in an RGB photo, or None if no card stands out."""
    scale = SEGMENT_SIDE / max(rgb.shape[:2])
    if min(rgb.shape[:2]) * scale < SEGMENT_MIN_SIDE:
        return None
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    mask = _foreground(small)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    others = sum(
        1 for each in contours if each is not contour and cv2.contourArea(each) >= area / 2
    )
    if area < 0.04 * mask.size or area > 0.97 * mask.size:
        return None
    points = contour[:, 0, :].astype(np.float32)
    corners = _fit_corners(points)
    if corners is None:
        return None
    quad_area = cv2.contourArea(corners)
    if not 0.75 * quad_area <= area <= 1.1 * quad_area or not cv2.isContourConvex(corners):
        return None
    found = Outline(corners=_top_first(corners) / scale, contour=points / scale, others=others)
    # Business cards are 1.4 to 1.9 times as long as wide; anything else is part of a card
    # (a panel the colour of the table) or no card.
    return found if ASPECTS[0] <= found.aspect <= ASPECTS[1] else None


def straighten(
    image: np.ndarray, outline: Outline, width: int, interpolation: int = cv2.INTER_AREA
) -> np.ndarray:
    """Return the card cut out of the photo as a rectangle ``width`` pixels wide."""
    height = round(width / outline.aspect)
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    matrix = cv2.getPerspectiveTransform(outline.corners.astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=interpolation)


def card_width(outline: Outline) -> float:
    """Return the length of the card's long side in the photo, in pixels."""
    c = outline.corners
    return float((np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[3])) / 2)


def folds(outline: Outline, card: np.ndarray) -> list[FoldGuess]:
    """Return the folds seen on the card: bent corners from the outline, creases from the
    straightened card's face (RGB), in the straightened card's frame."""
    guesses = [
        FoldGuess(code, confidence)
        for code, depth in zip(CORNERS, corner_cuts(outline), strict=True)
        if (confidence := _confidence(depth, CORNER_CUT, 0.01)) >= 0.5
    ]
    gray = cv2.cvtColor(card, cv2.COLOR_RGB2GRAY)
    gray = cv2.resize(
        gray,
        (CREASE_WIDTH, round(CREASE_WIDTH * gray.shape[0] / gray.shape[1])),
        interpolation=cv2.INTER_AREA,
    ).astype(np.float32)
    half = _crease(gray, "half")
    diag = max(_crease(gray, "diagonal"), _crease(gray, "antidiagonal"))
    for code, strength in (("HALF", half), ("DIAG", diag)):
        confidence = _confidence(strength, CREASE_STRENGTH, 0.5)
        if confidence >= 0.5:
            guesses.append(FoldGuess(code, confidence))
    return guesses


def turn(guesses: list[FoldGuess], quarter_turns: int) -> list[FoldGuess]:
    """Return the folds as seen after turning the card ``quarter_turns`` clockwise."""
    turned = []
    for guess in guesses:
        code = guess.code
        if code in CORNERS:
            code = CORNERS[(CORNERS.index(code) + quarter_turns) % 4]
        turned.append(FoldGuess(code, guess.confidence))
    return sorted(turned, key=lambda g: FOLD_CODES.index(g.code))


def corner_cuts(outline: Outline) -> list[float]:
    """Return, for each corner clockwise from the top-left, how far the outline passes
    from where the sides cross, over the card's short side."""
    height = 1000 / outline.aspect
    target = np.float32([[0, 0], [1000, 0], [1000, height], [0, height]])
    matrix = cv2.getPerspectiveTransform(outline.corners.astype(np.float32), target)
    points = cv2.perspectiveTransform(outline.contour[None].astype(np.float32), matrix)[0]
    return [float(np.min(np.linalg.norm(points - corner, axis=1)) / height) for corner in target]


def _confidence(value: float, middle: float, spread: float) -> float:
    """Return a confidence from 0 to 1 that is 0.5 at ``middle``."""
    return round(float(1 / (1 + np.exp(-(value - middle) / spread))), 3)


def _foreground(small: np.ndarray) -> np.ndarray:
    """Return the mask of what differs from the photo's border (the table) in colour."""
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    margin = max(2, round(0.04 * min(lab.shape[:2])))
    border = np.concatenate(
        [
            lab[:margin].reshape(-1, 3),
            lab[-margin:].reshape(-1, 3),
            lab[:, :margin].reshape(-1, 3),
            lab[:, -margin:].reshape(-1, 3),
        ]
    )
    median = np.median(border, axis=0)
    spread = np.maximum(1.4826 * np.median(np.abs(border - median), axis=0), 2.5)
    distance = np.sqrt((((lab - median) / spread) ** 2).sum(axis=2))
    border_distance = np.sqrt((((border - median) / spread) ** 2).sum(axis=1))
    threshold = max(4.0, 1.5 * float(np.percentile(border_distance, 95)))
    mask = (distance > threshold).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))


def _fit_corners(points: np.ndarray) -> np.ndarray | None:
    """Return the crossings of the four sides of an outline, clockwise from any corner.

    Each outline point is given to a side by the direction the outline runs there; the
    points where it runs aslant (a bent corner's cut, a rounded corner) belong to none.
    """
    (cx, cy), _, angle = cv2.minAreaRect(points)
    axis = np.radians(angle)
    u = np.array([np.cos(axis), np.sin(axis)], np.float32)
    v = np.array([-u[1], u[0]], np.float32)
    step = max(3, len(points) // 200)
    tangent = np.roll(points, -step, axis=0) - np.roll(points, step, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True) + 1e-6
    along_u = np.abs(tangent @ u) > np.cos(np.radians(22))
    along_v = np.abs(tangent @ v) > np.cos(np.radians(22))
    offset = points - np.float32([cx, cy])
    sides = [
        along_u & (offset @ v < 0),
        along_v & (offset @ u > 0),
        along_u & (offset @ v > 0),
        along_v & (offset @ u < 0),
    ]
    lines = []
    for side in sides:
        if side.sum() < 10:
            return None
        vx, vy, x0, y0 = cv2.fitLine(points[side], cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.float32([x0, y0]), np.float32([vx, vy])))
    corners = [_cross(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return None
    quad = np.float32(corners)
    # Clockwise on screen (y down) is a positive signed area.
    if cv2.contourArea(quad, oriented=True) < 0:
        quad = quad[::-1].copy()
    return quad


def _cross(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    """Return where two lines (point, direction) cross, or None if they are parallel."""
    (p, d), (q, e) = a, b
    det = d[0] * (-e[1]) - d[1] * (-e[0])
    if abs(det) < 1e-6:
        return None
    t = ((q[0] - p[0]) * (-e[1]) - (q[1] - p[1]) * (-e[0])) / det
    return p + t * d


def _top_first(quad: np.ndarray) -> np.ndarray:
    """Return the corners clockwise from the start of the long edge that lies highest."""
    best = None
    for start in range(4):
        corners = np.roll(quad, -start, axis=0)
        long = np.linalg.norm(corners[1] - corners[0]) + np.linalg.norm(corners[2] - corners[3])
        short = np.linalg.norm(corners[3] - corners[0]) + np.linalg.norm(corners[2] - corners[1])
        if long < short:
            continue
        height = (corners[0][1] + corners[1][1]) / 2
        if best is None or height < best[0]:
            best = (height, corners)
    return best[1] if best is not None else quad


# Where each crease runs on a card ``width`` by ``height``: from, to, the part of its length
# looked at (a diagonal's ends lie in the bent corners' flaps), how far across it to look,
# and how near the line a crease may lie (a card is seldom folded exactly in its middle).
CREASES = {
    "half": lambda w, h: ((w / 2, 0), (w / 2, h), (0.05, 0.95), 0.2 * w, 0.04 * w),
    "diagonal": lambda w, h: ((0, 0), (w, h), (0.2, 0.8), 0.25 * h, 0.04 * h),
    "antidiagonal": lambda w, h: ((w, 0), (0, h), (0.2, 0.8), 0.25 * h, 0.04 * h),
}


def _crease(gray: np.ndarray, kind: str) -> float:
    """Return how strongly a crease shows along the middle or a diagonal of the card, in
    multiples of the variation found away from that line.

    At each point along the line, the brightness across it is measured for a thin line
    (darker or lighter than both sides) and for a step; the median over the points along
    the line keeps what runs the whole line, not text crossing it. The line is also
    tried slightly aslant, for a card not straightened exactly.
    """
    height, width = gray.shape
    start, end, span, reach, band = CREASES[kind](width, height)
    best = 0.0
    for slant in (-0.02, -0.01, 0.0, 0.01, 0.02):
        shift = np.float32([slant * width, 0] if kind == "half" else [0, slant * height])
        across = _across(gray, np.float32(start) - shift, np.float32(end) + shift, span, reach)
        best = max(best, _peak(across, band))
    return best


def _across(
    gray: np.ndarray, start: np.ndarray, end: np.ndarray, span: tuple[float, float], reach: float
) -> np.ndarray:
    """Return the brightness at each whole pixel of distance from -``reach`` to ``reach``
    across the line from ``start`` to ``end`` (rows), at points along it (columns)."""
    direction = end - start
    length = float(np.linalg.norm(direction))
    normal = np.float32([-direction[1], direction[0]]) / length
    along = np.linspace(span[0], span[1], max(50, int(length * (span[1] - span[0]) / 2)))
    offsets = np.arange(-int(reach), int(reach) + 1, dtype=np.float32)
    points = (
        start[None, None, :]
        + along[None, :, None].astype(np.float32) * direction[None, None, :]
        + offsets[:, None, None] * normal[None, None, :]
    )
    return cv2.remap(
        gray, points[..., 0], points[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )


def _peak(across: np.ndarray, band: float) -> float:
    """Return the strongest line or step within ``band`` of the middle, over the variation
    found farther out."""
    k = 3
    middle = across[k:-k]
    ridge = np.abs(np.median(middle - (across[: -2 * k] + across[2 * k :]) / 2, axis=1))
    step = np.abs(np.median(across[2 * k :] - across[: -2 * k], axis=1)) / 2
    score = np.maximum(ridge, step)
    offsets = np.abs(np.arange(len(score)) - (len(score) - 1) / 2)
    inside, outside = score[offsets <= band], score[offsets > 1.5 * band]
    if not inside.size or not outside.size:
        return 0.0
    spread = 1.4826 * np.median(np.abs(outside - np.median(outside)))
    return float(inside.max() / (np.median(outside) + spread + 1.0))
