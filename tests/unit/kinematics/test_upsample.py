"""Cubic upsampling of slow clips (15 fps) before the events are read (``upsample_cubic``)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DATA, need

from runform.io import from_rbds_joints
from runform.kinematics import upsample_cubic
from runform.pose import VirtualCamera


@pytest.fixture(scope="module")
def camera_pair():
    """RBDS019 (held-out runner) at 3.5 m/s, noise-free, through the same camera at 15 and 30 fps."""
    mocap = from_rbds_joints(need(DATA / "rbds" / "RBDS019runT35_joints.csv"))
    return VirtualCamera(fps=15).project(mocap), VirtualCamera(fps=30).project(mocap)


def test_cubic_follows_the_foot_closer_than_straight_lines(camera_pair):
    slow, truth = camera_pair
    up = upsample_cubic(slow, 30.0)
    assert up.sampling_rate_hz == pytest.approx(30.0, rel=1e-6)
    n = min(up.n_frames, truth.n_frames)
    assert np.allclose(up.time_s[:n], truth.time_s[:n], atol=1e-6)
    toe = truth.xy("right_foot_index")[:n, 1]
    cubic = up.xy("right_foot_index")[:n, 1]
    linear = np.interp(truth.time_s[:n], slow.time_s, slow.xy("right_foot_index")[:, 1])
    leg = float(np.nanmedian(truth.leg_length_px("right")))
    cubic_err, linear_err = np.nanmean(np.abs(cubic - toe)), np.nanmean(np.abs(linear - toe))
    assert cubic_err < 0.5 * linear_err, (cubic_err, linear_err)
    assert cubic_err < 0.01 * leg
    kept = up.xy_px[::2][: slow.n_frames]
    assert np.allclose(kept, slow.xy_px[: len(kept)], atol=1e-6, equal_nan=True)  # the samples themselves stay


def test_gaps_stay_gaps(camera_pair):
    slow, _ = camera_pair
    xy = slow.xy_px.copy()
    xy[40:46, slow.index("left_heel")] = np.nan  # the heel lost for 6 frames (0.4 s)
    up = upsample_cubic(slow.replace(xy_px=xy), 30.0)
    heel = up.xy("left_heel")[:, 0]
    inside = (up.time_s > slow.time_s[39] + 1e-6) & (up.time_s < slow.time_s[46] - 1e-6)
    assert np.isnan(heel[inside]).all()
    assert np.isfinite(heel[~inside]).all()
    assert np.isfinite(up.xy("left_foot_index")).all()  # the other landmarks stay whole
