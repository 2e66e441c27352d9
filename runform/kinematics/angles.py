"""Sagittal segment and joint angles with one sign convention, whatever the running direction.

Convention (docs/METRICS.md): angles live in the runner's frame, *forward* = the running
direction (``direction`` x image x) and *up* = -image y. Segment angles are measured from the
downward vertical, **positive when the distal end is ahead** of the proximal end:

* thigh angle = atan2(forward(knee - hip), down(knee - hip))      (+ = hip flexion, knee ahead)
* shank angle = atan2(forward(ankle - knee), down(ankle - knee))  (+ = ankle ahead of knee)
* knee flexion = thigh angle - shank angle                        (0 = straight, + = flexed)
* trunk lean = atan2(forward(shoulder - hip), up(shoulder - hip)) (+ = leaning forward)
* foot angle = atan2(up(toe - heel), forward(toe - heel))        (+ = toes up)

These match the definitions used for the RBDS reference angles (``rbds/README.md``).
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
    hips = (kp.xy("left_hip") + kp.xy("right_hip")) / 2
    shoulders = (kp.xy("left_shoulder") + kp.xy("right_shoulder")) / 2
    d = shoulders - hips
    return np.degrees(np.arctan2(direction * d[:, 0], -d[:, 1]))


def foot_angle_deg(kp: Keypoints, side: str, direction: int) -> np.ndarray:
    d = kp.xy(f"{side}_foot_index") - kp.xy(f"{side}_heel")
    return np.degrees(np.arctan2(-d[:, 1], direction * d[:, 0]))


def pelvis_xy(kp: Keypoints) -> np.ndarray:
    return (kp.xy("left_hip") + kp.xy("right_hip")) / 2
