"""Keypoints: the frame rate read from timestamps."""

from __future__ import annotations


def test_millisecond_timestamps_give_the_true_frame_rate():
    """Matroska/WebM store milliseconds: 30 fps reads 33, 33, 34 ms (the median said 30.3 fps)."""
    import numpy as np

    from runform.model import Keypoints

    n = 90
    kp = Keypoints(np.zeros((n, 1, 2)), np.ones((n, 1)), np.round(np.arange(n) / 30.0, 3), ("left_hip",))
    assert abs(kp.sampling_rate_hz - 30.0) < 0.01
    even = kp.replace(time_s=np.arange(n) / 30.0)
    assert even.sampling_rate_hz == 1.0 / float(np.median(np.diff(even.time_s)))  # evenly spaced: unchanged
    variable = kp.replace(time_s=np.cumsum(np.tile([0.030, 0.040], n // 2)))  # a variable rate is not rounding
    assert abs(variable.sampling_rate_hz - 1.0 / float(np.median(np.diff(variable.time_s)))) < 1e-9
