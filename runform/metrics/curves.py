"""Angle curves over the gait cycle: each stride resampled to 0-100 % (contact to next contact)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from runform.kinematics import angles
from runform.model import Keypoints

CYCLE_POINTS = 101


def _series(kp: Keypoints, side: str, direction: int) -> dict[str, np.ndarray]:
    return {"thigh_angle_deg": angles.thigh_angle_deg(kp, side, direction),
            "knee_flexion_deg": angles.knee_flexion_deg(kp, side, direction)}


def gait_cycle_curves(kp: Keypoints, strides: pd.DataFrame, direction: int) -> dict:
    """``{curve: {side: {"mean": [...101], "sd": [...], "n": int, "toe_off_pct": float}}}``."""
    out: dict[str, dict] = {"thigh_angle_deg": {}, "knee_flexion_deg": {}}
    pct = np.linspace(0, 100, CYCLE_POINTS)
    for side in ("left", "right"):
        series = _series(kp, side, direction)
        rows = strides[strides["side"] == side] if len(strides) else strides
        toe_pct = []
        stacks: dict[str, list[np.ndarray]] = {k: [] for k in series}
        for _, s in rows.iterrows():
            t0, t1 = s["start_time_s"], s["start_time_s"] + s["stride_time_s"]
            times = t0 + pct / 100 * (t1 - t0)
            toe_pct.append(100 * s["contact_time_s"] / s["stride_time_s"])
            for name, values in series.items():
                stacks[name].append(np.interp(times, kp.time_s, values, left=np.nan, right=np.nan))
        for name, stack in stacks.items():
            if not stack:
                continue
            arr = np.vstack(stack)
            with np.errstate(all="ignore"):
                mean, sd = np.nanmean(arr, axis=0), np.nanstd(arr, axis=0)
            out[name][side] = {"mean": np.round(mean, 2).tolist(), "sd": np.round(sd, 2).tolist(), "n": len(stack),
                               "toe_off_pct": round(float(np.median(toe_pct)), 1)}  # fmt: skip
    return out
