"""No stride and no cadence run across missing data (the runner out of view between overground passes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fixtures.gait import make_gait_keypoints

from runform.metrics import StrideMetrics, missing_spans_s, overall_cadence_steps_per_min
from runform.model import Calibration

GAP_S = (3.0, 3.5)


def _with_gap(fps: float = 30.0):
    kp, events = make_gait_keypoints(fps, 170.0, duration_s=8.0)
    xy = kp.xy_px.copy()
    xy[(kp.time_s >= GAP_S[0]) & (kp.time_s <= GAP_S[1])] = np.nan
    inside = events["time_s"].between(*GAP_S)
    return kp.replace(xy_px=xy, note="gap"), events[~inside].reset_index(drop=True)


def test_missing_spans_are_the_runs_without_a_pelvis():
    kp, _ = _with_gap()
    spans = missing_spans_s(kp)
    assert len(spans) == 1
    a, b = spans[0]
    assert a < GAP_S[0] <= a + 1 / 30 and b - 1 / 30 <= GAP_S[1] < b


def test_no_stride_spans_a_gap():
    kp, events = _with_gap()
    strides = StrideMetrics().calculate(kp, events, +1, Calibration("none", None, 500.0, 200.0)).per_stride_
    ends = strides["start_time_s"] + strides["stride_time_s"]
    assert len(strides) >= 12
    assert not ((strides["start_time_s"] < GAP_S[1]) & (ends > GAP_S[0])).any(), strides


def test_cadence_runs_end_at_a_gap():
    """After the gap the rhythm restarts 0.2 stride later: pooled across it, cadence would be biased."""
    stride_s = 120.0 / 170.0
    before = 0.5 + stride_s * np.arange(4)  # contacts up to 2.62 s
    contacts = np.r_[before, before[-1] + stride_s * (3.2 + np.arange(5))]  # 3.2 strides later: 4.88 s on
    events = pd.DataFrame({"frame": 0, "time_s": contacts, "side": "right", "event": "contact", "confidence": 1.0})
    assert overall_cadence_steps_per_min(events, [(2.7, 4.8)]) == pytest.approx(170.0, abs=0.01)
    assert abs(overall_cadence_steps_per_min(events) - 170.0) > 1.0
