"""Pixels to metres: from treadmill belt speed, a known distance, or the runner's height.

Priority: belt speed (most accurate for a treadmill: the planted foot moves at belt speed), then
a known distance marked in the frame, then height. With none of them, lengths stay in pixels and
are labelled ``_px`` everywhere.

Height rule: thigh + shank = 0.491 x standing height (Winter 2009, *Biomechanics and Motor Control
of Human Movement*, 4th ed., segment lengths 0.245 H and 0.246 H). The segment lengths are the
90th percentile over frames of the better-tracked leg, so out-of-plane foreshortening and
tracking noise do not shrink them. Expect +/-5 % (pose landmarks are not joint centres).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from runform.config import Config
from runform.kinematics.stride import forward_position_px
from runform.model import Calibration, Keypoints

logger = logging.getLogger(__name__)

THIGH_PLUS_SHANK_FRAC_HEIGHT = 0.491
SEGMENT_PERCENTILE = 90


def leg_length_px(kp: Keypoints) -> float:
    """Thigh + shank length in pixels (90th percentile over frames, better leg)."""
    best = np.nan
    for side in ("left", "right"):
        total = kp.leg_length_px(side)
        if np.isfinite(total).sum() > 5:
            value = float(np.nanpercentile(total, SEGMENT_PERCENTILE))
            best = value if not np.isfinite(best) else max(best, value)
    return best


def stance_speed_px_s(kp: Keypoints, events: pd.DataFrame, direction: int) -> float:
    """Runner's speed over the ground in pixels/s: the planted foot's backward speed relative to
    the pelvis, median over the middle 60 % of every stance (between contact and toe-off)."""
    speeds = []
    t = kp.time_s
    for side in ("left", "right"):
        foot = (forward_position_px(kp, f"{side}_heel", direction) + forward_position_px(kp, f"{side}_foot_index", direction)) / 2
        velocity = np.gradient(foot, t)
        ev = events[events["side"] == side].sort_values("time_s")
        for _, row in ev[ev["event"] == "contact"].iterrows():
            after = ev[(ev["event"] == "toe_off") & (ev["time_s"] > row["time_s"])]
            if after.empty:
                continue
            t0, t1 = row["time_s"], after["time_s"].iloc[0]
            inside = (t > t0 + 0.2 * (t1 - t0)) & (t < t1 - 0.2 * (t1 - t0))
            if inside.sum() >= 1:
                speeds.append(-np.nanmedian(velocity[inside]))
    return float(np.nanmedian(speeds)) if speeds else float("nan")


def calibrate(kp: Keypoints, events: pd.DataFrame, direction: int, config: Config) -> Calibration:
    speed_px = stance_speed_px_s(kp, events, direction)
    leg_px = leg_length_px(kp)
    if config.treadmill_speed_mps is not None:
        if np.isfinite(speed_px) and speed_px > 0:
            return Calibration("treadmill_speed", speed_px / config.treadmill_speed_mps, speed_px, leg_px)
        logger.warning("the belt speed cannot be used for scale: no stance with a backward-moving foot was found; "
                       "falling back to --known-distance, --height or pixels")  # fmt: skip
    if config.known_distance is not None:
        x1, y1, x2, y2, metres = config.known_distance
        return Calibration("known_distance", float(np.hypot(x2 - x1, y2 - y1) / metres), speed_px, leg_px)
    if config.height_m is not None:
        if np.isfinite(leg_px):
            return Calibration("height", leg_px / (THIGH_PLUS_SHANK_FRAC_HEIGHT * config.height_m), speed_px, leg_px)
        logger.warning("the height cannot be used for scale: the leg length could not be measured; lengths stay in pixels")
    return Calibration("none", None, speed_px, leg_px)
