"""Which legs were tracked well enough to trust their per-leg metrics.

The far leg (away from the camera) is often partly hidden; the pose model then guesses it, and
its angles (heel recovery, a double-humped knee curve) describe the tracking, not the runner.
A leg is reliable when the mean landmark confidence of its knee and ankle, the joints its angles
hinge on, reaches :data:`MIN_LEG_CONFIDENCE`. Keypoint files without confidence count as reliable.
"""

from __future__ import annotations

import copy

import numpy as np

from runform.model import Keypoints

__all__ = ["MIN_LEG_CONFIDENCE", "leg_tracking", "mark_unreliable_legs"]

#: runform's cut-off (not from the literature), set on the shared treadmill clip: the visible near
#: leg scores 0.97 there, the occluded far leg 0.62 (its heel recovery 20 deg off the near leg's).
MIN_LEG_CONFIDENCE = 0.8
TRACKED_JOINTS = ("knee", "ankle")


def leg_tracking(kp: Keypoints, far_side: str | None) -> dict[str, dict]:
    """Per side: ``mean_confidence`` (knee and ankle), ``reliable``, ``camera_side`` (near/far)."""
    out = {}
    for side in ("left", "right"):
        conf = np.concatenate([kp.conf(f"{side}_{joint}") for joint in TRACKED_JOINTS if kp.has(f"{side}_{joint}")] or [[]])
        mean = float(np.nanmean(conf)) if np.isfinite(conf).any() else None
        out[side] = {
            "mean_confidence": None if mean is None else round(mean, 3),
            "reliable": mean is None or mean >= MIN_LEG_CONFIDENCE,
            "camera_side": None if far_side is None else ("far" if side == far_side else "near"),
        }
    return out


def mark_unreliable_legs(summary: dict, legs: dict[str, dict]) -> dict:
    """A copy of ``summary`` with ``reliable`` set on every per-side entry (False for a poorly
    tracked leg) and ``symmetry_reliable`` on every metric (both legs reliable)."""
    marked = copy.deepcopy(summary)
    both = all(legs[side]["reliable"] for side in ("left", "right"))
    for entry in marked.values():
        if not isinstance(entry, dict):
            continue
        for side in ("left", "right"):
            if isinstance(entry.get(side), dict):
                entry[side]["reliable"] = bool(legs[side]["reliable"])
        if "symmetry_index_pct" in entry:
            entry["symmetry_reliable"] = both
    return marked
