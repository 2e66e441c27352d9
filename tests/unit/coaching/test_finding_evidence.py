"""A finding's evidence counts the strides its headline value was taken from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from runform.coaching.findings import evaluate
from runform.kinematics import angles


def _strides(near: list[float], far: list[float]) -> pd.DataFrame:
    rows = [{"side": "left", "contact_frame": 10 * k, "max_thigh_angle_deg": v} for k, v in enumerate(near)]
    rows += [{"side": "right", "contact_frame": 10 * k + 5, "max_thigh_angle_deg": v} for k, v in enumerate(far)]
    return pd.DataFrame(rows)


def _shuffle(summary_side: str | None, strides: pd.DataFrame):  # noqa: ANN202
    near = strides[strides["side"] == (summary_side or "left")]["max_thigh_angle_deg"]
    entry = {"value": float(near.median()), "median": float(near.median()), "uncertainty": 1.0, "n": len(near),
             "headline_side": summary_side, "left": {"median": 25.0}, "right": {"median": 30.0}}  # fmt: skip
    found = [f for f in evaluate({"max_thigh_angle_deg": entry}, strides, "distance") if f.id == "distance-shuffle"]
    assert len(found) == 1
    return found[0].evidence


def test_one_reliable_leg_its_strides_alone_are_the_evidence():
    strides = _strides(near=[24.0, 25.0, 26.0, 25.0], far=[30.0, 31.0, 40.0])  # the far leg: two strides below 35
    evidence = _shuffle("left", strides)
    assert evidence["strides_beyond_threshold"] == 4
    assert evidence["example_frames"] == [0, 10, 20, 30]


def test_both_legs_reliable_every_stride_is_the_evidence():
    strides = _strides(near=[24.0, 25.0, 26.0, 25.0], far=[30.0, 31.0, 40.0])
    assert _shuffle(None, strides)["strides_beyond_threshold"] == 6


def test_evidence_frames_show_the_moment_measured():
    """The knee-lift evidence points at each stride's highest knee lift, not at its contact."""
    strides = _strides(near=[24.0, 25.0, 26.0, 25.0], far=[30.0, 31.0, 40.0])
    strides["max_thigh_frame"] = strides["contact_frame"] + 8
    evidence = _shuffle("left", strides)
    assert evidence["example_frames"] == [8, 18, 28, 38] and evidence["frames_show"] == "the highest knee lift"


def test_the_highest_knee_lift_lies_in_the_swing(clip_analysis):
    """On the shared clip (30 fps, a keypoint row per frame): each stride's max_thigh_frame lies in
    its swing, within a frame of where the thigh angle peaks there, and well above toe-off."""
    strides, kp = clip_analysis.strides, clip_analysis.keypoints
    assert len(strides) and ((strides["max_thigh_frame"] > strides["toe_off_frame"])
                             & (strides["max_thigh_frame"] <= strides["next_contact_frame"])).all()  # fmt: skip
    frames = np.round(kp.time_s * kp.sampling_rate_hz).astype(int)
    for _, row in strides.iterrows():
        thigh = angles.thigh_angle_deg(kp, row["side"], clip_analysis.cleaning.direction)
        swing = (frames >= row["toe_off_frame"]) & (frames <= row["next_contact_frame"])
        peak = frames[swing][np.nanargmax(thigh[swing])]
        assert abs(peak - row["max_thigh_frame"]) <= 1
        assert np.nanmax(thigh[swing]) > thigh[frames == row["toe_off_frame"]][0] + 10
