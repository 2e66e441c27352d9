"""Skeleton overlays on video frames (OpenCV drawing), shared by key frames and the annotated video.

Colours: each leg in its own colour (``RGB``, the plots' colours), used for its skeleton, its live
thigh angle ("right thigh 32 deg") and its contact / toe-off markers at the foot; the legend
(:class:`Legend`) says which colour is which leg and which leg is near the camera.
"""

from __future__ import annotations

import cv2
import numpy as np

from runform.kinematics import angles
from runform.model import Keypoints
from runform.report.palette import SIDE_RGB as RGB

CHAIN = ("hip", "knee", "ankle", "heel", "foot_index", "ankle")


def scaled_keypoints(kp: Keypoints, sx: float, sy: float) -> Keypoints:
    """Keypoints in the pixels of a frame reduced by ``sx`` x ``sy`` (angles are unchanged when sx == sy)."""
    if sx == 1.0 and sy == 1.0:
        return kp
    return kp.replace(xy_px=kp.xy_px * np.array([sx, sy]))


def draw_skeleton(rgb: np.ndarray, kp: Keypoints, i: int, direction: int, near: str,
                  thigh_deg: np.ndarray | None = None, inplace: bool = False) -> np.ndarray:  # fmt: skip
    """Draw both legs (near leg thicker), the trunk, and the near thigh's angle arc with its value,
    on a copy of ``rgb`` (on ``rgb`` itself when ``inplace``). ``thigh_deg``: the near thigh's angle
    series, when the caller draws many frames (computed here otherwise)."""
    img = rgb if inplace else rgb.copy()
    scale = max(1, int(round(img.shape[0] / 720)))
    for side in drawn_legs(kp, i, near):
        pts = [kp.xy_px[i, kp.index(f"{side}_{p}")] for p in CHAIN]
        width = (4 if side == near else 2) * scale
        for a, b in zip(pts[:-1], pts[1:]):
            cv2.line(img, _int(a), _int(b), RGB[side], width, cv2.LINE_AA)
        for p in pts:
            cv2.circle(img, _int(p), 3 * scale, (255, 255, 255), -1, cv2.LINE_AA)
    if kp.has("left_shoulder") and kp.has("right_shoulder"):
        hip = (kp.xy_px[i, kp.index("left_hip")] + kp.xy_px[i, kp.index("right_hip")]) / 2
        sh = (kp.xy_px[i, kp.index("left_shoulder")] + kp.xy_px[i, kp.index("right_shoulder")]) / 2
        if np.isfinite(np.r_[hip, sh]).all():
            cv2.line(img, _int(hip), _int(sh), (230, 230, 230), 3 * scale, cv2.LINE_AA)
    series = angles.thigh_angle_deg(kp, near, direction) if thigh_deg is None else thigh_deg
    _thigh_arc(img, kp, i, direction, near, scale, float(series[i]))
    return img


def drawn_legs(kp: Keypoints, i: int, near: str = "left") -> list[str]:
    """The legs :func:`draw_skeleton` draws at row ``i`` (those with every landmark of ``CHAIN``
    known), far leg first so that the near one is drawn over it."""
    order = ("left", "right") if near == "right" else ("right", "left")
    return [side for side in order if all(np.isfinite(kp.xy_px[i, kp.index(f"{side}_{p}")]).all() for p in CHAIN)]


def _thigh_arc(img: np.ndarray, kp: Keypoints, i: int, direction: int, side: str, scale: int, value: float) -> None:
    hip = kp.xy_px[i, kp.index(f"{side}_hip")]
    if not np.isfinite(np.r_[hip, value]).all():
        return
    radius = 60 * scale
    # image angles: 90 deg = straight down; thigh forward = towards +x when direction = +1
    start = 90.0
    end = 90.0 - direction * value
    cv2.ellipse(img, _int(hip), (radius, radius), 0, min(start, end), max(start, end), RGB[side], 2 * scale, cv2.LINE_AA)
    cv2.line(img, _int(hip), _int(hip + np.array([0, radius])), (200, 200, 200), 1, cv2.LINE_AA)
    text = thigh_label(side, value)
    (width, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.7 * scale, 4 * scale)
    x = hip[0] + direction * (radius + 8 * scale) - (0 if direction > 0 else width)
    org = (int(np.clip(x, 4, img.shape[1] - width - 4)), int(np.clip(hip[1] + 20 * scale, 20, img.shape[0] - 4)))
    _outlined(img, text, org, 0.7 * scale, RGB[side], 2 * scale)


def thigh_label(side: str, value_deg: float) -> str:
    """The live thigh angle's text, naming its leg: ``"left thigh 32 deg"``."""
    return f"{side} thigh {value_deg:.0f} deg"


#: Contact / toe-off marker at the foot: ring radius and line width at 720 px frame height.
MARKER_RADIUS_PX = 16
MARKER_WIDTH_PX = 4
EVENT_WORDS = {"contact": "contact", "toe_off": "toe-off"}


def draw_event_marker(img: np.ndarray, foot_xy: np.ndarray, side: str, event: str) -> None:
    """A ring in the leg's colour around ``foot_xy`` (white-rimmed so it shows on any floor), with
    "contact" or "toe-off" beside it; drawn in place. Nothing when the position is unknown."""
    if not np.isfinite(foot_xy).all():
        return
    scale = max(1, int(round(img.shape[0] / 720)))
    radius, width = MARKER_RADIUS_PX * scale, MARKER_WIDTH_PX * scale
    centre = _int(foot_xy)
    cv2.circle(img, centre, radius, (255, 255, 255), width + 2 * scale, cv2.LINE_AA)
    cv2.circle(img, centre, radius, RGB[side], width, cv2.LINE_AA)
    text = EVENT_WORDS.get(event, event)
    (text_w, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.6 * scale, 2 * scale)
    x = int(np.clip(centre[0] - text_w / 2, 4, img.shape[1] - text_w - 4))
    y = int(np.clip(centre[1] - radius - 8 * scale, 16 * scale, img.shape[0] - 4))
    _outlined(img, text, (x, y), 0.6 * scale, RGB[side], 2 * scale)


def legend_entries(near: str, others: bool = False, runner_box: bool = False) -> list[tuple[str, tuple[int, int, int]]]:
    """The legend's lines (text, RGB colour): each leg's colour and which is near the camera, the
    event rings, and the boxes when persons are drawn."""
    far = "left" if near == "right" else "right"
    entries = [(f"{near} leg (near)", RGB[near]), (f"{far} leg (far)", RGB[far]),
               ("ring: contact / toe-off", (255, 255, 255))]  # fmt: skip
    if runner_box:
        entries.append(("box: analysed runner", CHOSEN_RGB))
    if others:
        entries.append(("faint box: other person", OTHER_RGB))
    return entries


class Legend:
    """The colour legend in the top-right corner on a dark translucent panel, for frames of one
    size. The text is rendered once (its colours and its anti-aliased coverage) and blended onto
    each frame's panel: within a few grey levels of drawing it per frame, and cheaper. When the
    panel would reach into the ``keep_left_px`` pixels on the left (a narrow portrait frame with
    the :func:`label` rows), it goes below those rows instead."""

    def __init__(self, frame_shape: tuple[int, ...], near: str, others: bool = False, runner_box: bool = False,
                 keep_left_px: int = 0) -> None:  # fmt: skip
        height, width = frame_shape[:2]
        scale = max(1, int(round(height / 720)))
        font, thick, row_h, pad = 0.5 * scale, scale, 20 * scale, 8 * scale
        entries = legend_entries(near, others, runner_box)
        text_w = max(cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, font, thick)[0][0] for t, _ in entries)
        x0 = max(0, width - text_w - 2 * pad - 4 * scale)
        y0 = 4 * scale if x0 >= keep_left_px * scale else (30 * LABEL_ROWS + 10) * scale
        y0 = min(y0, height)  # a frame too small for the panel below the labels: an empty panel
        y1 = min(height, y0 + pad + row_h * len(entries))
        self.box = (slice(y0, y1), slice(x0, max(x0, width - 4 * scale)))
        shape = (y1 - y0, self.box[1].stop - x0)
        self._keep: np.ndarray | None = None
        if min(shape) <= 0:  # no room for a panel on this frame
            return
        text, coverage = np.zeros((*shape, 3), np.uint8), np.zeros(shape, np.uint8)
        for row, (words, colour) in enumerate(entries):
            org = (pad, pad + row_h * row + 8 * scale)
            cv2.putText(text, words, org, cv2.FONT_HERSHEY_SIMPLEX, font, colour, thick, cv2.LINE_AA)
            cv2.putText(coverage, words, org, cv2.FONT_HERSHEY_SIMPLEX, font, 255, thick, cv2.LINE_AA)
        # panel: 60 % black; text: blended over it by its coverage (as anti-aliased drawing does)
        self._keep = np.repeat((0.4 * (1.0 - coverage / 255.0))[..., None], 3, axis=2).astype(np.float32)
        self._text = text

    def draw(self, img: np.ndarray, inplace: bool = False) -> np.ndarray:
        """``img`` with the legend: a copy, or ``img`` itself when ``inplace``."""
        out = img if inplace else img.copy()
        if self._keep is None:
            return out
        roi = out[self.box]
        roi[:] = cv2.add(cv2.multiply(roi, self._keep, dtype=cv2.CV_8U), self._text)
        return out


def _outlined(img: np.ndarray, text: str, org: tuple[int, int], font_scale: float, colour, thickness: int,  # noqa: ANN001
              outline: int | None = None) -> None:  # fmt: skip
    """Text in ``colour`` over a black outline (``thickness + 3`` by default), readable on any
    background. The outline is drawn aliased (10x cheaper than anti-aliased) under the anti-aliased fill."""
    black = (0, 0, 0)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale, black, outline or thickness + 3, cv2.LINE_8)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale, colour, thickness, cv2.LINE_AA)


#: Rows of :func:`label` text kept clear of the legend in narrow frames (stride counter + events).
LABEL_ROWS = 3


def label_width_px(text: str, img_height_px: int) -> int:
    """Width of :func:`label` ``text`` on a frame ``img_height_px`` tall."""
    scale = max(1, int(round(img_height_px / 720)))
    return 12 * scale + cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, 5 * scale)[0][0]


def label(img: np.ndarray, text: str, row: int, colour=(255, 255, 255)) -> None:  # noqa: ANN001
    """``text`` in the top-left corner, on text row ``row`` (0 first)."""
    scale = max(1, int(round(img.shape[0] / 720)))
    org = (12 * scale, (30 + 30 * row) * scale)
    _outlined(img, text, org, 0.8 * scale, colour, 2 * scale, outline=5 * scale)


def _int(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


#: Colour of the chosen runner's box and of everyone else's (drawn faintly), RGB.
CHOSEN_RGB = (255, 214, 0)
OTHER_RGB = (200, 200, 200)


def draw_persons(rgb: np.ndarray, persons, clip_frame: int, other_alpha: float = 0.5,  # noqa: ANN001 - model.PersonTracks
                 box_scale: float = 1.0, inplace: bool = False) -> np.ndarray:  # fmt: skip
    """Every tracked person's box at decoded frame ``clip_frame``: others faint (``other_alpha``),
    the chosen runner clear and labelled with how it was chosen and how sure. ``box_scale`` maps
    the boxes' frame pixels onto ``rgb`` (a reduced copy of the frame). Returns ``rgb`` itself when
    there is nothing to draw (no persons, frame outside the analysed window) or when ``inplace``,
    else a copy."""
    boxes = person_boxes(persons, clip_frame)
    if boxes is None:
        return rgb
    img = rgb if inplace else rgb.copy()
    scale = max(1, int(round(img.shape[0] / 720)))
    chosen, others = (None if boxes[0] is None else boxes[0] * box_scale), [box * box_scale for box in boxes[1]]
    for box in others:  # each blended on its own region only (a whole-frame blend costs ~1 ms a frame)
        _faint_box(img, box, 2 * scale, other_alpha)
    if chosen is not None:
        cv2.rectangle(img, _int(chosen[:2]), _int(chosen[2:]), CHOSEN_RGB, 3 * scale, cv2.LINE_AA)
        text = f"runner ({persons.method}, {persons.confidence:.0%})"
        org = (int(np.clip(chosen[0], 4, img.shape[1] - 4)), int(np.clip(chosen[1] - 8 * scale, 20 * scale, img.shape[0] - 4)))
        _outlined(img, text, org, 0.7 * scale, CHOSEN_RGB, 2 * scale, outline=4 * scale)
    return img


def person_boxes(persons, clip_frame: int) -> tuple[np.ndarray | None, list[np.ndarray]] | None:  # noqa: ANN001 - model.PersonTracks
    """The boxes :func:`draw_persons` draws at decoded frame ``clip_frame`` (frame pixels): the chosen
    runner's (None when not tracked there) and everyone else's; None when nothing is drawn (no
    persons, or the frame is outside the tracked window)."""
    i = clip_frame - (persons.first_frame if persons is not None else 0)
    if persons is None or not 0 <= i < persons.n_frames:
        return None
    chosen, others = None, []
    for tid, box in zip(persons.track_ids, persons.boxes_px[:, i]):
        if np.isfinite(box).all():
            if tid == persons.chosen_track_id:
                chosen = box
            else:
                others.append(box)
    return chosen, others


def _faint_box(img: np.ndarray, box: np.ndarray, width: int, alpha: float) -> None:
    """``box`` outlined in ``OTHER_RGB`` at opacity ``alpha``, blended on its own region of ``img``."""
    pad = width + 2
    x0, y0 = (max(0, int(np.floor(v)) - pad) for v in box[:2])
    x1, y1 = min(img.shape[1], int(np.ceil(box[2])) + pad + 1), min(img.shape[0], int(np.ceil(box[3])) + pad + 1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    faint = roi.copy()
    offset = np.array([x0, y0])
    cv2.rectangle(faint, _int(box[:2] - offset), _int(box[2:] - offset), OTHER_RGB, width, cv2.LINE_AA)
    cv2.addWeighted(faint, alpha, roi, 1 - alpha, 0, dst=roi)
