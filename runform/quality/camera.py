"""Camera motion and set-up from the pose track and a few sampled frames.

* **Panning**: the median horizontal shift between consecutive sampled frames, from phase
  correlation (OpenCV ``phaseCorrelate``) with the runner's columns blanked out, so only the
  background counts. A fixed camera gives ~0 px.
* **Surface**: a runner whose pelvis stays within one leg length in the image while the background
  is still is on a treadmill; a pelvis that crosses the frame is overground with a fixed camera; a
  still pelvis with a moving background is overground with a panning camera.
"""

from __future__ import annotations

import numpy as np

from runform.kinematics.angles import pelvis_xy
from runform.model import Keypoints, nanmean_or_nan

#: Median background shift, as a fraction of the frame width per second, above which the camera pans.
PANNING_FRAC_WIDTH_PER_S = 0.05
#: A phase correlation weaker than this found no shift (a featureless or changing background).
MIN_PHASE_CORRELATION = 0.05
#: Columns blanked around the runner: their width's share on each side, plus a few pixels.
RUNNER_PAD_FRAC, RUNNER_PAD_PX = 0.3, 5
#: A pelvis that travels more than this many leg lengths across the picture is overground.
OVERGROUND_TRAVEL_FRAC_LEG = 1.0


def background_shift_frac_per_s(samples: list[tuple[float, np.ndarray]], kp: Keypoints) -> float | None:
    """Median absolute horizontal background motion between sampled frames (fraction of width/s
    of the run's time). ``samples`` are (clip time, picture) pairs; ``kp.time_scale`` turns clip
    time into the run's (``--real-fps``), which the keypoints already carry."""
    import cv2

    if len(samples) < 3 or kp.image_size_px is None:
        return None
    width_px = kp.image_size_px[0]
    shifts = []
    run = [(t * kp.time_scale, img) for t, img in samples]
    for (t0, a), (t1, b) in zip(run[:-1], run[1:]):
        if t1 <= t0:
            continue
        scale = a.shape[1] / width_px
        masked = [_blank_runner(img, kp, t, scale) for img, t in ((a, t0), (b, t1))]
        window = cv2.createHanningWindow(masked[0].shape[::-1], cv2.CV_32F)
        (dx, _), response = cv2.phaseCorrelate(masked[0], masked[1], window)
        if response > MIN_PHASE_CORRELATION:
            shifts.append(abs(dx) / a.shape[1] / (t1 - t0))
    return float(np.median(shifts)) if shifts else None


def _blank_runner(img: np.ndarray, kp: Keypoints, t: float, scale: float) -> np.ndarray:
    i = int(np.argmin(np.abs(kp.time_s - t)))
    xs = kp.xy_px[i, :, 0]
    out = img.astype(np.float32)
    if np.isfinite(xs).any():
        lo, hi = np.nanmin(xs) * scale, np.nanmax(xs) * scale
        pad = RUNNER_PAD_FRAC * (hi - lo) + RUNNER_PAD_PX
        out[:, max(0, int(lo - pad)) : int(hi + pad) + 1] = float(np.mean(out))
    return out


def pelvis_travel_frac_leg(kp: Keypoints, leg_length_px: float) -> float:
    """Horizontal range (5th-95th percentile) of the pelvis in the image, in leg lengths."""
    pelvis_x = pelvis_xy(kp)[:, 0]
    if not np.isfinite(pelvis_x).any() or not np.isfinite(leg_length_px):
        return float("nan")
    lo, hi = np.nanpercentile(pelvis_x, [5, 95])
    return float((hi - lo) / leg_length_px)


def tracking_jumps(kp: Keypoints, leg_length_px: float, max_jump_frac_leg: float = 0.5, entries: tuple[int, ...] = ()) -> int:
    """Frames where the whole body jumps by more than ``max_jump_frac_leg`` leg lengths at once
    (the pose model switched to another person), or reappears after being lost other than at one
    of the ``entries`` (first frames of the runner's overground passes)."""
    centre = nanmean_or_nan(kp.xy_px, axis=1) if kp.n_frames else np.zeros((0, 2))
    step = np.linalg.norm(np.diff(centre, axis=0), axis=1)
    lost = np.isnan(centre[:, 0])
    reappear_at = np.flatnonzero(lost[:-1] & ~lost[1:]) + 1
    reappear = int(np.sum(~np.isin(reappear_at, list(entries))))
    return int(np.sum(step > max_jump_frac_leg * leg_length_px)) + reappear
