"""Sagittal segment and joint angles with one sign convention, whatever the running direction.

In short: in the runner's frame (forward = running direction, up = -image y), segment angles from
the downward vertical, positive when the distal end is ahead; knee flexion = thigh - shank. The
full table of formulas and signs is in docs/METRICS.md ("Coordinates and the one sign convention").
"""

from __future__ import annotations

import numpy as np

from runform.model import Keypoints


def _segment_angle_deg(proximal: np.ndarray, distal: np.ndarray, direction: int) -> np.ndarray:
    d = distal - proximal
    forward = direction * d[:, 0]
    down = d[:, 1]
    return np.degrees(np.arctan2(forward, down))


def thigh_angle_deg(kp: Keypoints, side: str, direction: int) -> np.ndarray:
    return _segment_angle_deg(kp.xy(f"{side}_hip"), kp.xy(f"{side}_knee"), direction)


def shank_angle_deg(kp: Keypoints, side: str, direction: int) -> np.ndarray:
    return _segment_angle_deg(kp.xy(f"{side}_knee"), kp.xy(f"{side}_ankle"), direction)


def knee_flexion_deg(kp: Keypoints, side: str, direction: int) -> np.ndarray:
    return thigh_angle_deg(kp, side, direction) - shank_angle_deg(kp, side, direction)


def trunk_lean_deg(kp: Keypoints, direction: int) -> np.ndarray:
    """Forward lean of the hip-centre -> shoulder-centre line from vertical (NaN without shoulders)."""
    if not (kp.has("left_shoulder") and kp.has("right_shoulder")):
        return np.full(kp.n_frames, np.nan)
    hips = pelvis_xy(kp)
    shoulders = (kp.xy("left_shoulder") + kp.xy("right_shoulder")) / 2
    d = shoulders - hips
    return np.degrees(np.arctan2(direction * d[:, 0], -d[:, 1]))


def foot_angle_deg(kp: Keypoints, side: str, direction: int) -> np.ndarray:
    d = kp.xy(f"{side}_foot_index") - kp.xy(f"{side}_heel")
    return np.degrees(np.arctan2(-d[:, 1], direction * d[:, 0]))


def pelvis_xy(kp: Keypoints) -> np.ndarray:
    """The pelvis centre (mid-point of the hip landmarks) per frame, image pixels: the one definition."""
    return (kp.xy("left_hip") + kp.xy("right_hip")) / 2
