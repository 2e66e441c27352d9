"""Calibration falls back (belt speed -> known distance -> height -> pixels) and says why."""

from __future__ import annotations

import logging

from runform.config import Config
from runform.kinematics import calibrate
from runform.model import empty_events


def test_belt_speed_without_stances_falls_back_with_a_warning(gait_keypoints, caplog):
    kp, _ = gait_keypoints
    with caplog.at_level(logging.WARNING, logger="runform"):
        cal = calibrate(kp, empty_events(), 1, Config(treadmill_speed_mps=3.0, height_m=1.78))
    assert cal.method == "height"
    assert "belt speed cannot be used for scale" in caplog.text


def test_belt_speed_scales_from_the_planted_foot(gait_keypoints):
    kp, truth = gait_keypoints
    cal = calibrate(kp, truth, 1, Config(treadmill_speed_mps=3.0))
    assert cal.method == "treadmill_speed" and cal.px_per_m > 0 and cal.length_unit == "m"
