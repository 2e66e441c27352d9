"""Follow every detected person over time: a small IoU tracker with a constant-velocity model.

Detections (:mod:`runform.pose.detection`) arrive every few frames. Each track predicts its box at
the detection frame (last box + velocity x frames elapsed), detections are matched to predictions
by the Hungarian algorithm on ``1 - IoU`` (pairs below ``min_iou`` whose centres are also more than
``max_centre_shift`` box radii apart are never matched), unmatched detections start new tracks and
tracks unseen for longer than ``max_missed_s`` end. Boxes are frame pixels (x0, y0, x1, y1).

:meth:`PersonTracker.boxes` returns every track's box at every frame, linearly interpolated between
its observations (NaN where the track does not exist), so later stages can ask "where was person k
in frame i" without caring about the detection rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from runform.pose.detection import Detection, iou


@dataclass
class Track:
    """One person's observations (detection frames, boxes, scores)."""

    track_id: int
    frames: list[int] = field(default_factory=list)
    boxes_px: list[np.ndarray] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    velocity_px: np.ndarray = field(default_factory=lambda: np.zeros(4))

    @property
    def hits(self) -> int:
        return len(self.frames)

    def predict(self, frame: int) -> np.ndarray:
        return self.boxes_px[-1] + self.velocity_px * (frame - self.frames[-1])

    def add(self, frame: int, box: np.ndarray, score: float, velocity_smoothing: float) -> None:
        if self.frames:
            step = max(frame - self.frames[-1], 1)
            measured = (box - self.boxes_px[-1]) / step
            measured = np.r_[measured[:2], measured[:2]] / 2 + np.r_[measured[2:], measured[2:]] / 2  # centre only
            self.velocity_px = velocity_smoothing * self.velocity_px + (1 - velocity_smoothing) * measured
        self.frames.append(frame)
        self.boxes_px.append(np.asarray(box, dtype=float))
        self.scores.append(float(score))


class PersonTracker:
    """Multi-person tracker fed with detections at a reduced rate.

    Parameters
    ----------
    fps:
        Frame rate of the clip (turns ``max_missed_s`` into frames).
    min_iou:
        Minimum IoU between a prediction and a detection to match them (0.2: boxes of one walking
        person a few frames apart overlap far more; tuned on the shared clips).
    max_centre_shift:
        Alternatively match when the centres are closer than this many box radii (0.5), which keeps
        a track through a noisy box size.
    max_missed_s:
        A track unseen for longer than this ends (3 s: a small person found only in zoomed tiles is
        seen about every 1-2 s).
    min_hits:
        Tracks with fewer observations are dropped as false detections.
    velocity_smoothing:
        Exponential smoothing of the velocity estimate (0 = last step only).
    birth_score:
        Only detections scoring at least this start a track; weaker ones (the detector is fed
        with a lower threshold) may only extend an existing track.
    duplicate_iou:
        An unmatched detection overlapping a live track this much is a duplicate, not a new person;
        after tracking, a track overlapping a longer one this much (median over their common
        frames) is dropped.
    max_size_ratio:
        A detection matches a track only if its box side is within this factor of the predicted
        one (2: a person's box changes far less between detections). Without it a zoomed tile's
        box around one body part could take over a tracked runner's track (seen at 15 fps); such a
        box centred inside a larger tracked person does not start a track either.
    """

    def __init__(self, fps: float, min_iou: float = 0.2, max_centre_shift: float = 0.5, max_missed_s: float = 3.0,
                 min_hits: int = 3, velocity_smoothing: float = 0.5, birth_score: float = 0.5,
                 duplicate_iou: float = 0.3, max_size_ratio: float = 2.0) -> None:  # fmt: skip
        self.fps = fps
        self.max_size_ratio = max_size_ratio
        self.duplicate_iou = duplicate_iou
        self.birth_score = birth_score
        self.min_iou = min_iou
        self.max_centre_shift = max_centre_shift
        self.max_missed_s = max_missed_s
        self.min_hits = min_hits
        self.velocity_smoothing = velocity_smoothing
        self.tracks_: list[Track] = []
        self.births_ = 0  # tracks started by the last update
        self._next_id = 0

    def active(self, frame: int) -> list[Track]:
        limit = self.max_missed_s * self.fps
        return [t for t in self.tracks_ if frame - t.frames[-1] <= limit]

    def update(self, frame: int, detections: list[Detection]) -> PersonTracker:
        """Match ``detections`` seen at ``frame`` to the live tracks; returns self."""
        from scipy.optimize import linear_sum_assignment

        live = self.active(frame)
        unmatched = list(range(len(detections)))
        if live and detections:
            cost = np.ones((len(live), len(detections)))
            for i, track in enumerate(live):
                pred = track.predict(frame)
                boxes = np.stack([d.box_px for d in detections])
                overlap = iou(pred, boxes)
                radius = max((pred[2] - pred[0]) / 2, 1.0)
                shift = np.linalg.norm((boxes[:, :2] + boxes[:, 2:]) / 2 - (pred[:2] + pred[2:]) / 2, axis=1) / radius
                size_ratio = np.maximum((boxes[:, 2] - boxes[:, 0]) / 2, 1.0) / radius
                same_size = (size_ratio <= self.max_size_ratio) & (size_ratio >= 1 / self.max_size_ratio)
                ok = ((overlap >= self.min_iou) | (shift <= self.max_centre_shift)) & same_size
                cost[i] = np.where(ok, 1 - overlap + 0.1 * shift, np.inf)
            finite = np.where(np.isfinite(cost), cost, 1e6)
            rows, cols = linear_sum_assignment(finite)
            for r, c in zip(rows, cols):
                if np.isfinite(cost[r, c]):
                    live[r].add(frame, detections[c].box_px, detections[c].score, self.velocity_smoothing)
                    unmatched.remove(c)
        taken = [t.predict(frame) for t in live]
        n_before = len(self.tracks_)
        for c in unmatched:
            if detections[c].score < self.birth_score:
                continue
            if taken and iou(detections[c].box_px, np.stack(taken)).max() >= self.duplicate_iou:
                continue  # a second box on someone already tracked (e.g. from a zoomed tile)
            if taken and _part_of(detections[c].box_px, np.stack(taken), self.max_size_ratio):
                continue  # a small box inside a tracked person (a body part seen in a tile)
            track = Track(self._next_id)
            self._next_id += 1
            track.add(frame, detections[c].box_px, detections[c].score, self.velocity_smoothing)
            self.tracks_.append(track)
            taken.append(detections[c].box_px)
        self.births_ = len(self.tracks_) - n_before
        return self

    def confirmed(self) -> list[Track]:
        """Tracks with enough hits; a track that starts where an earlier one ended is joined to it."""
        tracks = sorted((t for t in self.tracks_ if t.hits >= self.min_hits), key=lambda t: t.frames[0])
        joined: list[Track] = []
        for t in tracks:
            for prev in joined:
                if prev.frames[-1] < t.frames[0] and _same_place(prev.boxes_px[-1], t.boxes_px[0], self.max_centre_shift):
                    prev.frames += t.frames
                    prev.boxes_px += t.boxes_px
                    prev.scores += t.scores
                    break
            else:
                joined.append(Track(t.track_id, list(t.frames), list(t.boxes_px), list(t.scores), t.velocity_px))
        return joined

    def boxes(self, n_frames: int, hold_frames: int = 0, hold_still_s: float = 2.0) -> tuple[list[int], np.ndarray]:
        """Track ids and boxes (n_tracks, n_frames, 4) of the confirmed tracks, NaN outside them.

        Boxes are interpolated between observations and held ``hold_frames`` past the first and
        last one (half the detection interval keeps a track continuous at its ends). A track
        whose box centre stays (median) within half a box radius of its median position (a runner on a treadmill)
        is held up to ``hold_still_s`` further: it was missed, not absent.
        """
        tracks = self.confirmed()
        out = np.full((len(tracks), n_frames, 4), np.nan)
        frames = np.arange(n_frames)
        for k, t in enumerate(tracks):
            f = np.asarray(t.frames)
            b = np.stack(t.boxes_px)
            centres = (b[:, :2] + b[:, 2:]) / 2
            still = np.median(np.linalg.norm(centres - np.median(centres, axis=0), axis=1)) <= 0.25 * np.median(b[:, 2] - b[:, 0])
            hold = hold_frames + (int(hold_still_s * self.fps) if still else 0)
            lo, hi = max(f[0] - hold, 0), min(f[-1] + hold, n_frames - 1)
            span = (frames >= lo) & (frames <= hi)
            for j in range(4):
                out[k, span, j] = np.interp(frames[span], f, b[:, j])
        keep = _without_duplicates(out, self.duplicate_iou)
        return [t.track_id for k, t in enumerate(tracks) if keep[k]], out[keep]


def _part_of(box: np.ndarray, others: np.ndarray, max_size_ratio: float) -> bool:
    """True when ``box``'s centre lies inside one of ``others`` that is over ``max_size_ratio`` times larger."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    inside = (others[:, 0] <= cx) & (cx <= others[:, 2]) & (others[:, 1] <= cy) & (cy <= others[:, 3])
    larger = (others[:, 2] - others[:, 0]) > max_size_ratio * (box[2] - box[0])
    return bool((inside & larger).any())


def _same_place(a: np.ndarray, b: np.ndarray, max_centre_shift: float) -> bool:
    radius = max((a[2] - a[0]) / 2, 1.0)
    shift = np.linalg.norm((a[:2] + a[2:]) / 2 - (b[:2] + b[2:]) / 2) / radius
    return bool(iou(a, b[None])[0] >= 0.3 or shift <= max_centre_shift)


def _without_duplicates(boxes: np.ndarray, max_iou: float) -> np.ndarray:
    """Mask of tracks to keep: drop a track whose boxes overlap a longer track's (median IoU)."""
    alive = np.isfinite(boxes[..., 0])
    keep = np.ones(len(boxes), dtype=bool)
    for k in np.argsort(alive.sum(axis=1)):  # shortest first
        for j in range(len(boxes)):
            if j == k or not keep[j] or alive[j].sum() < alive[k].sum():
                continue
            common = alive[k] & alive[j]
            if common.sum() >= 0.5 * alive[k].sum():
                overlaps = [iou(boxes[k, f], boxes[j, f][None])[0] for f in np.flatnonzero(common)]
                if np.median(overlaps) >= max_iou:
                    keep[k] = False
                    break
    return keep
