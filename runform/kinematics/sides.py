"""Direction of travel and anatomical side assignment.

Direction: in a side view the toes point forward, so the sign of ``foot_index_x - heel_x``
(median over both feet and all frames) gives the running direction in the image; the nose
relative to the ears is the tie-breaker. ``direction_sign = +1`` means the runner faces
image-right (forward = +x), ``-1`` image-left.

Anatomical side: a runner facing image-left shows the camera the **left** side, so the near
(camera-side) leg is the left leg; facing image-right, the near leg is the right leg (a mirrored
left-facing runner is, to any viewer, a right-facing runner showing the right leg). The near leg
is recognised from the landmarks' depth (BlazePose ``z``, smaller = nearer) when available and
otherwise from its higher detection confidence. The pose model's own left/right labels are
only kept when neither cue is clear.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from runform.errors import AnalysisError
from runform.kinematics.swaps import swap_legs_everywhere
from runform.model import Keypoints, nanmean_or_nan

logger = logging.getLogger(__name__)

LEG_LANDMARKS = ("knee", "ankle", "heel", "foot_index")


def direction_sign(kp: Keypoints) -> int:
    """+1 if the runner faces image-right, -1 if image-left (see module docstring)."""
    votes = []
    for side in ("left", "right"):
        dx = kp.xy(f"{side}_foot_index")[:, 0] - kp.xy(f"{side}_heel")[:, 0]
        votes.append(dx[np.isfinite(dx)])
    dx = np.concatenate(votes)
    if len(dx) and abs(np.median(dx)) > 0:
        return 1 if np.median(dx) > 0 else -1
    if kp.has("nose") and kp.has("left_ear"):
        ears = (kp.xy("left_ear")[:, 0] + kp.xy("right_ear")[:, 0]) / 2
        d = np.nanmedian(kp.xy("nose")[:, 0] - ears)
        if np.isfinite(d) and d != 0:
            return 1 if d > 0 else -1
    raise AnalysisError(
        "Cannot tell which way the runner is facing",
        expected="visible heels and toes, or a visible face, in a side view",
        found="no usable foot or face landmarks",
        fix="film from the side with the whole body in frame",
    )


@dataclass
class SideAssignment:
    """Relabel the two leg tracks as the runner's anatomical left/right (see module docstring).

    Parameters
    ----------
    min_separation:
        How clearly the near leg must stand out, in standard errors of the frame-wise
        difference, before the pose model's labels are overruled.
    """

    min_separation: float = 3.0

    def assign(self, kp: Keypoints, direction: int) -> Keypoints:
        """Fills ``near_track_``, ``cue_``, ``separation_`` and ``relabelled_``."""
        near_side = "left" if direction < 0 else "right"
        cue, diff = self._near_minus_far_evidence(kp)
        # diff > 0 means the track labelled "left" looks nearer
        self.cue_ = cue
        self.separation_ = float(diff)
        if cue == "labels" or abs(diff) < self.min_separation:
            self.near_track_ = near_side
            self.relabelled_ = False
            self.cue_ = "labels"
            return kp
        self.near_track_ = "left" if diff > 0 else "right"
        self.relabelled_ = self.near_track_ != near_side
        if self.relabelled_:
            if kp.source.startswith("csv:"):  # a keypoint file's own labels: say so (BlazePose's are often wrong)
                logger.warning("left and right exchanged: the legs labelled %s look nearer the camera (%s), but the "
                               "runner's %s side faces it; the report uses anatomical sides (analysis.json "
                               "cleaning.sides_relabelled)", self.near_track_, cue, near_side)  # fmt: skip
            kp = swap_legs_everywhere(kp)
        return kp

    def _near_minus_far_evidence(self, kp: Keypoints) -> tuple[str, float]:
        if kp.depth is not None:
            d = _leg_mean(kp.depth, kp, "right") - _leg_mean(kp.depth, kp, "left")
            score = _t_stat(d)
            if np.isfinite(score) and abs(score) >= self.min_separation:
                return "depth", score
        c = _leg_mean(kp.confidence, kp, "left") - _leg_mean(kp.confidence, kp, "right")
        score = _t_stat(c)
        if np.isfinite(score) and abs(np.nanmean(c)) >= MIN_CONFIDENCE_GAP:
            return "confidence", score
        return "labels", 0.0


#: The far leg is hidden behind the body: a pose model's confidence in it is clearly lower (the shared
#: treadmill clip: 0.62 against 0.9). A smaller steady gap (a tool writing 0.99 and 1.0) says nothing
#: about which leg is nearer, however many frames agree on it.
MIN_CONFIDENCE_GAP = 0.05


def _leg_mean(values: np.ndarray, kp: Keypoints, side: str) -> np.ndarray:
    idx = [kp.index(f"{side}_{p}") for p in LEG_LANDMARKS]
    return nanmean_or_nan(values[:, idx], axis=1)


def _t_stat(d: np.ndarray) -> float:
    """Mean over frames in units of its standard error, using 10-frame blocks for autocorrelation.

    The blocks are frames, not seconds, so the statistic depends on the frame rate: a block spans
    0.33 s at 30 fps but 0.04 s at 240 fps, so the same seconds of footage give 8 times as many
    blocks (far from independent ones) and a t-statistic about sqrt(8) = 2.8 times larger for the
    same evidence: ``min_separation`` is easier to pass at high frame rates. Kept as it is: the
    side assignment and the accuracy tables (docs/ACCURACY.md) were measured with it."""
    d = d[np.isfinite(d)]
    if len(d) < 10 or np.nanstd(d) == 0:
        return float("nan") if len(d) < 10 else float(np.sign(np.mean(d)) * np.inf if np.mean(d) else 0.0)
    n_blocks = max(len(d) // 10, 1)
    return float(np.mean(d) / (np.std(d) / np.sqrt(n_blocks)))
