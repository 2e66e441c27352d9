"""Frames without a picture of their own (--fast, repeated pictures) are filled by a cubic spline
through the observed frames; a landmark lost in an observed frame still by a straight line."""

from __future__ import annotations

import numpy as np

from runform.kinematics.filtering import fill_unobserved_cubic, interpolate_gaps
from runform.model import Keypoints


def _toe_rise(fps: float = 30.0, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n) / fps
    return t, 100.0 * np.clip(t - 0.5, 0, None) ** 2  # a convex rise, as a toe leaving the ground


def test_every_other_frame_is_filled_on_the_curve_not_on_its_chord():
    t, y = _toe_rise()
    observed = np.arange(len(t)) % 2 == 0
    values = np.where(observed, y, np.nan)[:, None, None]
    kp = Keypoints(np.repeat(values, 2, axis=2), np.ones((len(t), 1)), t, ("left_foot_index",), observed=observed)
    cubic = interpolate_gaps(kp, 0.25).xy_px[:, 0, 1]
    linear = interpolate_gaps(kp.replace(observed=None), 0.25).xy_px[:, 0, 1]
    inner = ~observed & (t > 0.6) & (t < t[-2])
    assert np.abs(cubic[inner] - y[inner]).max() < 0.02 < np.abs(linear[inner] - y[inner]).min()  # the chord lies above


def test_a_landmark_lost_in_an_observed_frame_and_long_gaps_are_not_filled_by_the_spline():
    t, y = _toe_rise()
    observed = np.ones(len(t), dtype=bool)
    observed[[11, 13]] = False
    values = y.copy()
    values[[11, 13]] = np.nan
    values[20] = np.nan  # lost, though observed
    values[30:40] = np.nan
    observed[30:40] = False  # a frozen stretch longer than the gap limit
    filled = fill_unobserved_cubic(values[:, None], t, observed, max_gap_samples=3)[:, 0]
    assert np.isfinite(filled[[11, 13]]).all() and np.isnan(filled[20]) and np.isnan(filled[30:40]).all()
