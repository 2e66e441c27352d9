"""One reliable leg: its strides alone are the headline of every leg metric, whatever the units."""

from __future__ import annotations

import pandas as pd
import pytest

from runform.metrics.summary import run_summary


@pytest.mark.parametrize("unit", ["px", "metric"])
def test_foot_placement_headline_is_the_reliable_legs_in_pixels_too(unit):
    ahead, descent = ("foot_ahead_of_hip_px", "foot_descent_speed_px_s") if unit == "px" else ("foot_ahead_of_hip_cm", "foot_descent_speed_mps")
    rows = [{"side": "left", ahead: 84.0 + k, descent: 94.0 + k, "stride_time_s": 0.7, "foot_strike": "midfoot"} for k in range(6)]
    rows += [{"side": "right", ahead: 40.0 + k, descent: 200.0 + k, "stride_time_s": 0.7, "foot_strike": "midfoot"} for k in range(6)]
    summary = run_summary(pd.DataFrame(rows), overall_cadence=171.0, timing_reliable=True, sampling_rate_hz=30.0,
                          source_kind="video", mean_confidence=0.9, reliable_sides=("left",))  # fmt: skip
    for metric, near_median in ((ahead, 86.5), (descent, 96.5)):
        assert summary[metric]["headline_side"] == "left"
        assert summary[metric]["value"] == pytest.approx(near_median)
    assert summary["stride_time_s"]["headline_side"] is None  # timing: both legs
