"""Pose-noise model: makes clean projected motion capture look like BlazePose output.

Parameters are fractions of the leg length (thigh + shank) so they hold at any resolution.
Default ("realistic") values come from the shared treadmill clip (raw BlazePose, no smoothing):
* feet: robust SD of the planted foot's landmarks around a quadratic fit over each labelled
  stance: near ankle 0.011, heel 0.016, toe 0.009 leg lengths; far leg 0.037, 0.031, 0.028
  (so ``far_leg_factor`` 2.5);
* hip 0.005 and knee 0.008: robust SD around a 6 Hz low-pass of themselves (an upper bound);
* ~1-2 % of distal landmarks were glitches of ~0.15 leg lengths; the far leg's confidence was
  0.55-0.76 vs 0.96-1.0 near. Published 2-D errors are of the same order: OpenPose
running knee angles RMSE 7.5-7.8 deg vs markers (Van Hooren et al. 2023), BlazePose 2-D landmark
errors of a few percent of segment length (Bazarevsky et al. 2020).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from runform.model import Keypoints

JITTER_FRAC_LEG = {"hip": 0.005, "knee": 0.008, "ankle": 0.011, "heel": 0.016, "foot_index": 0.009}


@dataclass(frozen=True)
class PoseNoise:
    """Per-keypoint jitter, dropouts, glitches, occasional leg swaps and far-leg degradation."""

    scale: float = 1.0  # multiplies every jitter value (0 = no jitter)
    far_leg_factor: float = 2.5
    glitch_rate: float = 0.015
    glitch_size_frac_leg: float = 0.15
    dropout_rate: float = 0.01
    swap_rate_per_s: float = 0.2
    far_confidence: float = 0.7
    jitter_frac_leg: dict[str, float] = field(default_factory=lambda: dict(JITTER_FRAC_LEG))

    def apply(self, kp: Keypoints, seed: int = 0) -> Keypoints:
        rng = np.random.default_rng(seed)
        xy, conf = kp.xy_px.copy(), kp.confidence.copy()
        leg = float(np.nanmedian(kp.leg_length_px("right")))
        far = _far_side(kp)
        for i, name in enumerate(kp.names):
            side, part = name.split("_", 1)
            sigma = self.scale * self.jitter_frac_leg.get(part, 0.01) * leg * (self.far_leg_factor if side == far else 1.0)
            xy[:, i] += rng.normal(0, sigma, (kp.n_frames, 2))
            glitch = rng.random(kp.n_frames) < (self.glitch_rate if part in ("ankle", "heel", "foot_index") else 0)
            xy[glitch, i] += rng.normal(0, self.glitch_size_frac_leg * leg, (glitch.sum(), 2))
            conf[:, i] = self.far_confidence if side == far else 0.97
            drop = rng.random(kp.n_frames) < self.dropout_rate
            xy[drop, i], conf[drop, i] = np.nan, 0.0
        xy, conf = self._swaps(kp, xy, conf, rng)
        depth = None if kp.depth is None else kp.depth + rng.normal(0, 0.05, kp.depth.shape)
        return kp.replace(xy_px=xy, confidence=conf, depth=depth, note=f"pose_noise({self})")

    def _swaps(self, kp: Keypoints, xy: np.ndarray, conf: np.ndarray, rng: np.random.Generator):  # noqa: ANN202
        n_swaps = rng.poisson(self.swap_rate_per_s * kp.n_frames / kp.sampling_rate_hz)
        left = [i for i, n in enumerate(kp.names) if n.startswith("left_")]
        right = [kp.names.index("right_" + kp.names[i][5:]) for i in left]
        for _ in range(n_swaps):
            start = int(rng.integers(0, max(kp.n_frames - 4, 1)))
            stop = start + int(rng.integers(1, 5))
            xy[start:stop, left], xy[start:stop, right] = xy[start:stop, right].copy(), xy[start:stop, left].copy()
            conf[start:stop, left], conf[start:stop, right] = conf[start:stop, right].copy(), conf[start:stop, left].copy()
        return xy, conf


def _far_side(kp: Keypoints) -> str:
    if kp.depth is None:
        return "right"
    left = np.nanmean(kp.depth[:, [i for i, n in enumerate(kp.names) if n.startswith("left_")]])
    right = np.nanmean(kp.depth[:, [i for i, n in enumerate(kp.names) if n.startswith("right_")]])
    return "left" if left > right else "right"
