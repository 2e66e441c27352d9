"""Who is in the clip: detection at a reduced rate + tracking + leg motion, then crops of the runner.

:class:`PersonSurvey` is fed every frame of the pose pass. It runs the person detector every
``detect_every`` frames (alternately on the letterboxed frame and on one of a grid of zoomed
square tiles, so that small people are found too), tracks the boxes, and accumulates each track's
leg motion energy on a small grey copy of the frame. :meth:`PersonSurvey.finish` returns the
per-frame boxes of every track (the tracks of one runner's passes joined) and the runner choice (:mod:`runform.pose.selection`).

:func:`crop_windows` turns the chosen track's boxes into one square crop per frame (constant side,
smoothed centre, frame pixels; may extend past the frame, where the crop is padded black) so the
landmark model sees only the runner and its tracking stays stable from frame to frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runform.pose.detection import Detection, PersonDetector, iou
from runform.pose.selection import LegMotion, RunnerChoice, choose_runner, join_passes
from runform.pose.tracking import PersonTracker

#: Height of the grey copy used for leg motion energy (pixels).
MOTION_HEIGHT_PX = 240


@dataclass(frozen=True)
class SurveyResult:
    """All tracked people (boxes in frame pixels, NaN where absent) and the runner choice."""

    track_ids: list[int]
    boxes_px: np.ndarray  # (n_tracks, n_frames, 4)
    choice: RunnerChoice

    def chosen_boxes(self) -> np.ndarray | None:
        if self.choice.track_id is None:
            return None
        return self.boxes_px[self.track_ids.index(self.choice.track_id)]


class PersonSurvey:
    """Detect, track and measure every person while the pose pass runs (see module docstring).

    Detection schedule: ``detect_hz`` (alternately the whole frame and one zoomed tile) for the
    first ``settle_s`` and whenever the scene changes; once ``settle_rounds`` whole-frame rounds in a
    row started no track and found every live track again, the scene is *settled* and detection
    drops to ``settled_detect_hz``, every ``settled_tile_every``-th round a tile; it cannot settle
    before every tile has been searched once (a small person may be visible only there). A new person (a
    birth, from a whole frame or a tile) or a tracked person missed by a whole-frame round makes the
    scene unsettled again, so people entering, leaving or crossing are followed at the full rate.

    Parameters
    ----------
    fps:
        Frame rate of the clip.
    detect_hz:
        Detection rate while the scene changes (5 Hz: every 6th frame at 30 fps; a person moves a
        fraction of a box between two detections even when sprinting across the frame).
    settled_detect_hz:
        Detection rate once the scene is settled (1.5 Hz: the constant-velocity prediction keeps a
        steady runner's box within a few pixels over 0.7 s; the leg-motion energy is computed every
        frame from the predicted box, not from detections). Detection was 25 % of a single-person
        clip's pose time at 5 Hz (benchmarks/person.py).
    settle_s, settle_rounds:
        The scene can settle only after ``settle_s`` seconds and ``settle_rounds`` quiet whole-frame rounds.
    settled_tile_every:
        Once settled, every this-many-th round is a tile (small people entering are still found).
    tile_fraction:
        Tile rounds run on one square tile (side = this fraction of the frame's short
        side, tiles overlapping by a third, visited in turn): people half the frame's height or
        less are then 1.5-2.5x larger in the detector's 224 px input, where the face-based
        detector finds them reliably.
    max_cut:
        A tile detection whose full-body box reaches more than this fraction of its side past an
        inner tile edge is a person cut in two by the tile, and is dropped.
    """

    def __init__(self, fps: float, detect_hz: float = 5.0, settled_detect_hz: float = 1.5, settle_s: float = 1.0,
                 settle_rounds: int = 3, settled_tile_every: int = 3, tile_fraction: float = 2 / 3,
                 max_cut: float = 0.25, detector: PersonDetector | None = None) -> None:  # fmt: skip
        self.fps = fps
        self.detect_every = max(1, int(round(fps / detect_hz)))
        self.settled_every = max(self.detect_every, int(round(fps / settled_detect_hz)))
        self.settle_frames = int(round(settle_s * fps))
        self.settle_rounds = settle_rounds
        self.settled_tile_every = settled_tile_every
        self.tile_fraction = tile_fraction
        self.max_cut = max_cut
        self.detector = detector or PersonDetector(min_score=0.3)
        self.tracker = PersonTracker(fps)
        self.motion = LegMotion(MOTION_HEIGHT_PX)
        self.n_frames_ = 0
        self.n_detections_ = 0
        self._round = 0
        self._quiet_rounds = 0
        self._next_detection = 0
        self._tiles: list[tuple[int, int, int]] | None = None
        self._tiles_seen: set[int] = set()

    def settled(self, index: int) -> bool:
        """True when detection runs at the settled rate at frame ``index``."""
        swept = self._tiles is not None and len(self._tiles_seen) >= len(self._tiles)
        return swept and index >= self.settle_frames and self._quiet_rounds >= self.settle_rounds

    def add(self, index: int, rgb: np.ndarray, gray_small: np.ndarray) -> None:
        """Feed frame ``index`` (0-based in the analysed window) and its small grey copy."""
        if index >= self._next_detection:
            self._detection_round(index, rgb)
        scale = gray_small.shape[0] / rgb.shape[0]
        boxes = {t.track_id: t.predict(index) for t in self.tracker.active(index)}
        self.motion.add(index, gray_small, scale, boxes)
        self.n_frames_ = max(self.n_frames_, index + 1)

    def _detection_round(self, index: int, rgb: np.ndarray) -> None:
        if self._tiles is None:
            self._tiles = tile_grid(rgb.shape[1], rgb.shape[0], self.tile_fraction)
        tiles = self._tiles
        every = self.settled_tile_every if self.settled(index) else 2
        phase = self._round
        self._round += 1
        whole = not tiles or phase % every != every - 1
        if whole:
            detections = self.detector.detect(rgb)
        else:
            tile = len(self._tiles_seen) if len(self._tiles_seen) < len(tiles) else (phase // every) % len(tiles)
            self._tiles_seen.add(tile)
            detections = self._detect_tile(rgb, tiles[tile])
        self.n_detections_ += 1
        live = self.tracker.active(index)
        self.tracker.update(index, detections)
        missed = whole and any(t.frames[-1] != index for t in live)
        if self.tracker.births_ or missed:
            self._quiet_rounds = 0
        elif whole:
            self._quiet_rounds += 1
        self._next_detection = index + (self.settled_every if self.settled(index) else self.detect_every)

    def _detect_tile(self, rgb: np.ndarray, tile: tuple[int, int, int]) -> list[Detection]:
        """Detections in one zoomed square tile (small or distant people), in frame pixels."""
        h, w = rgb.shape[:2]
        x0, y0, side = tile
        shift = np.array([x0, y0], dtype=float)
        found = []
        for d in self.detector.detect(rgb[y0:y0 + side, x0:x0 + side]):
            box, kps = d.box_px + np.tile(shift, 2), d.keypoints_px + shift
            slack = self.max_cut * (box[2] - box[0])
            # a person cut by an inner tile edge is seen whole by the full-frame detection
            cut = ((x0 > 0 and box[0] < x0 - slack) or (y0 > 0 and box[1] < y0 - slack)
                   or (x0 + side < w and box[2] > x0 + side + slack) or (y0 + side < h and box[3] > y0 + side + slack))  # fmt: skip
            if not cut:
                found.append(Detection(box, d.score, kps))
        return found

    def finish(self, person: str | tuple[float, float] | None = None) -> SurveyResult:
        n = self.n_frames_
        ids, boxes = self.tracker.boxes(n, hold_frames=self.settled_every)
        boxes = _smooth_boxes(boxes, window=2 * self.detect_every + 1)
        energy = {tid: self.motion.series(tid, n) for tid in ids}
        ids, boxes, energy = join_passes(ids, boxes, energy, self.fps)
        choice = choose_runner(ids, boxes, energy, self.fps, person=person)
        return SurveyResult(ids, boxes, choice)


def tile_grid(width_px: int, height_px: int, fraction: float) -> list[tuple[int, int, int]]:
    """Square tiles (x0, y0, side) covering the frame, overlapping by at least a third."""
    side = int(fraction * min(width_px, height_px))
    if side <= 0 or fraction >= 1:
        return []
    step = 2 * side / 3

    def starts(length: int) -> list[int]:
        n = int(np.ceil(max(length - side, 0) / step)) + 1
        return [int(round(v)) for v in np.linspace(0, length - side, n)]

    return [(x, y, side) for y in starts(height_px) for x in starts(width_px)]


def _smooth_boxes(boxes: np.ndarray, window: int) -> np.ndarray:
    """Moving median of each box coordinate over ``window`` frames (detector boxes jitter)."""
    half = window // 2
    if boxes.size == 0:
        return boxes.copy()
    padded = np.pad(boxes, ((0, 0), (half, half), (0, 0)), constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, window, axis=1)  # (k, n, 4, window)
    out = np.full(windows.shape[:-1], np.nan)
    seen = np.isfinite(windows).any(axis=-1)  # all-NaN windows (outside a track) stay NaN, without a warning
    out[seen] = np.nanmedian(windows[seen], axis=-1)
    return np.where(np.isfinite(boxes[..., :1]), out, np.nan)


def landmarks_on_track(hips_px: np.ndarray, survey: SurveyResult, min_fraction: float = 0.98) -> bool:
    """True when the full-frame landmarks (mid-hip per frame, NaN = none) stayed on the chosen track.

    Each frame's mid-hip must be nearer the chosen box's centre than any other track's, in
    ``min_fraction`` of the frames where the chosen track exists, and the landmarks may not be
    missing where it exists (then the landmark model was looking elsewhere).
    """
    chosen = survey.chosen_boxes()
    if chosen is None:
        return True
    centres = (survey.boxes_px[..., :2] + survey.boxes_px[..., 2:]) / 2  # (tracks, frames, 2)
    k = survey.track_ids.index(survey.choice.track_id)
    alive = np.isfinite(chosen[:, 0])
    if not alive.any():
        return True
    with np.errstate(invalid="ignore"):
        dist = np.linalg.norm(centres - hips_px[None], axis=2)
        dist = np.where(np.isfinite(dist), dist, np.inf)
        nearest = np.argmin(dist, axis=0)
        radius = (chosen[:, 2] - chosen[:, 0]) / 2
        ok = (nearest == k) & (dist[k] <= radius) & np.isfinite(hips_px[:, 0])
    return bool(ok[alive].mean() >= min_fraction)


def crop_windows(boxes: np.ndarray, margin: float = 1.1) -> np.ndarray:
    """Square crop per frame (x0, y0, side) in frame pixels from one track's boxes (n_frames, 4).

    The side is constant (the track's 90th-percentile box side x ``margin``) so the landmark model
    sees the runner at a steady scale; frames without the track get -1 rows.
    """
    out = np.full((len(boxes), 3), -1, dtype=int)
    valid = np.isfinite(boxes[:, 0])
    if not valid.any():
        return out
    side = float(np.percentile(boxes[valid, 2] - boxes[valid, 0], 90)) * margin
    centres = (boxes[valid, :2] + boxes[valid, 2:]) / 2
    out[valid, 0] = np.round(centres[:, 0] - side / 2).astype(int)
    out[valid, 1] = np.round(centres[:, 1] - side / 2).astype(int)
    out[valid, 2] = int(round(side))
    return out


def crop(rgb: np.ndarray, window: np.ndarray) -> np.ndarray:
    """The square ``window`` (x0, y0, side) of ``rgb``, padded black outside the frame."""
    x0, y0, side = (int(v) for v in window)
    h, w = rgb.shape[:2]
    out = np.zeros((side, side, 3), dtype=rgb.dtype)
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x0 + side, w), min(y0 + side, h)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = rgb[sy0:sy1, sx0:sx1]
    return out


#: BlazePose landmarks that must all lie inside the frame for "the whole body is in view":
#: nose, shoulders, hips, knees, ankles, heels, toes.
WHOLE_BODY_LANDMARKS = (0, 11, 12, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32)


def whole_body_in_view(xy_px: np.ndarray, image_size_px: tuple[int, int], margin_frac: float = 0.01) -> np.ndarray:
    """Per frame: every :data:`WHOLE_BODY_LANDMARKS` point lies inside the frame, ``margin_frac``
    of the frame width from its edges (BlazePose extrapolates body parts outside the image)."""
    width, height = image_size_px
    margin = margin_frac * width
    pts = xy_px[:, list(WHOLE_BODY_LANDMARKS), :]
    with np.errstate(invalid="ignore"):
        inside = (pts[..., 0] >= margin) & (pts[..., 0] <= width - margin) & (pts[..., 1] >= 0) & (pts[..., 1] <= height)
    return inside.all(axis=1)


def find_passes(in_view: np.ndarray, fps: float, min_pass_s: float = 1.0, bridge_s: float = 0.2) -> list[tuple[int, int]]:
    """(first, last) frame of each stretch with the whole body in view (inclusive).

    Gaps shorter than ``bridge_s`` (a foot briefly past the frame edge, one missed frame) are bridged;
    stretches shorter than ``min_pass_s`` (less than one and a half strides at a jog) are dropped.
    """
    flags = np.asarray(in_view, dtype=bool).copy()
    runs = _runs(~flags)
    for a, b in runs:
        if a > 0 and b < len(flags) - 1 and (b - a + 1) < bridge_s * fps:
            flags[a:b + 1] = True
    return [(a, b) for a, b in _runs(flags) if (b - a + 1) >= min_pass_s * fps]


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    edges = np.diff(np.r_[0, flags.astype(int), 0])
    return list(zip(np.flatnonzero(edges == 1).tolist(), (np.flatnonzero(edges == -1) - 1).tolist()))


__all__ = ["WHOLE_BODY_LANDMARKS", "PersonSurvey", "SurveyResult", "crop", "crop_windows", "find_passes",
           "iou", "landmarks_on_track", "whole_body_in_view"]  # fmt: skip
