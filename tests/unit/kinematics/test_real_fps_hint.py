"""The --real-fps hint of a clip that looks like slow motion: a common capture rate, or, when
--real-fps itself made a real-time file look slow, leaving it out (it used to suggest 60 fps to a
30 fps file given --real-fps 15, whose next run was then refused as sped up)."""

import numpy as np

from runform.kinematics import real_fps_fix
from runform.model import Keypoints


def _kp(fps: float, n: int = 90) -> Keypoints:
    return Keypoints(np.zeros((n, 1, 2)), np.ones((n, 1)), np.arange(n) / fps, ("left_hip",))


def test_a_slow_motion_file_gets_the_nearest_common_capture_rate():
    assert real_fps_fix(_kp(30.0), 8.1).endswith("(likely --real-fps 240)")
    assert real_fps_fix(_kp(30.0), 2.0).endswith("(likely --real-fps 60)")


def test_a_real_time_file_slowed_by_real_fps_is_told_to_leave_it_out():
    kp = _kp(30.0)
    slowed = kp.replace(time_s=kp.time_s * 2.0, time_scale=2.0, note="real_fps(time scaled by 2.0000)")  # --real-fps 15
    assert real_fps_fix(slowed, 2.0).startswith("leave out --real-fps: at the file's own 30 fps")
    assert "likely --real-fps 120" in real_fps_fix(slowed, 8.0)  # a true 4x slow motion given the wrong rate
