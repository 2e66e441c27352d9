"""A step is named after the foot that lands at its end, and vertical oscillation is one step's
rise and fall (the literature's and running watches' definition), not a whole stride's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fixtures.gait import make_gait_keypoints

from runform.metrics import StrideMetrics
from runform.model import Calibration

CAL = Calibration("none", None, 500.0, 200.0)
LATE_S = 0.03  # the left foot lands this much later than an even rhythm


def _steps_landing_on(events: pd.DataFrame, side: str) -> list[tuple[float, float]]:
    """(the other foot's contact, this foot's contact) of every step that lands on ``side``."""
    contacts = events[events["event"] == "contact"].sort_values("time_s")
    pairs = zip(contacts.iloc[:-1].itertuples(), contacts.iloc[1:].itertuples())
    return [(a.time_s, b.time_s) for a, b in pairs if b.side == side and a.side != side]


def test_step_time_belongs_to_the_landing_foot():
    kp, events = make_gait_keypoints(60.0, 170.0, duration_s=6.0)
    late = events.copy()
    late.loc[(late["side"] == "left") & (late["event"] == "contact"), "time_s"] += LATE_S
    strides = StrideMetrics().calculate(kp, late, +1, CAL).per_stride_
    for side in ("left", "right"):
        truth = np.median([b - a for a, b in _steps_landing_on(late, side)])
        assert strides.loc[strides["side"] == side, "step_time_s"].median() == pytest.approx(truth, abs=1e-6)
    # the left foot lands late: its steps are the longer ones
    left, right = (strides.loc[strides["side"] == s, "step_time_s"].median() for s in ("left", "right"))
    assert left - right == pytest.approx(2 * LATE_S, abs=1e-6)


def test_vertical_oscillation_is_one_steps_rise_and_fall():
    """The pelvis rises higher before one foot's landing than before the other's (a stride-rate
    component on top of the step-rate bounce): each step's range, not the stride's."""
    kp, events = make_gait_keypoints(60.0, 170.0, duration_s=6.0)
    stride_s = 120.0 / 170.0
    xy = kp.xy_px.copy()
    lift = 3.0 * np.sin(2 * np.pi * kp.time_s / stride_s)  # px, the same on both hips
    for hip in ("left_hip", "right_hip"):
        xy[:, kp.index(hip), 1] += lift
    kp = kp.replace(xy_px=xy, note="uneven steps")
    strides = StrideMetrics().calculate(kp, events, +1, CAL).per_stride_
    pelvis_y = (xy[:, kp.index("left_hip"), 1] + xy[:, kp.index("right_hip"), 1]) / 2
    for side in ("left", "right"):
        ranges = [np.ptp(pelvis_y[(kp.time_s >= a) & (kp.time_s <= b)]) for a, b in _steps_landing_on(events, side)]
        measured = strides.loc[strides["side"] == side, "vertical_oscillation_px"].median()
        assert measured == pytest.approx(np.median(ranges), rel=0.03)
        ratio = strides.loc[strides["side"] == side, "vertical_ratio_pct"].median()
        step = strides.loc[strides["side"] == side, "step_length_px"].median()
        assert ratio == pytest.approx(100 * measured / step, rel=0.03)
    left, right = (strides.loc[strides["side"] == s, "vertical_oscillation_px"].median() for s in ("left", "right"))
    assert abs(left - right) > 2.0  # the two steps differ, which a stride's range would hide
