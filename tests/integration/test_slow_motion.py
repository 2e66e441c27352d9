"""Slow-motion files: a clear message that names slow motion and the --real-fps to give, never
"no complete gait cycle" or "walking" (issue 11). RBDS019 at 3.5 m/s captured by a virtual camera
at a high rate, then played at 30 fps (timestamps stretched), as a phone's slow-motion file does."""

from __future__ import annotations

import pytest
from conftest import DATA, need

from runform.config import Config
from runform.errors import AnalysisError
from runform.io import from_rbds_joints
from runform.pipeline import analyze_keypoints
from runform.pose import VirtualCamera


def slowed(capture_fps: float, playback_fps: float = 30.0):
    path = need(DATA / "rbds" / "RBDS019runT35_joints.csv")
    captured = VirtualCamera(fps=capture_fps).project(from_rbds_joints(path))
    return captured.replace(time_s=captured.time_s * capture_fps / playback_fps)


def test_8x_slow_motion_is_named_before_cleaning_gives_up():
    with pytest.raises(AnalysisError, match="slow motion") as info:
        analyze_keypoints(slowed(240), Config(), "slowmo-8x")
    assert "--real-fps 240" in info.value.fix


def test_2x_slow_motion_is_refused_as_slow_motion_not_walking():
    analysis = analyze_keypoints(slowed(60), Config(), "slowmo-2x")
    check = next(c for c in analysis.quality.checks if c.name == "slow_motion")
    assert check.verdict == "refuse"
    assert "slow motion" in check.message and "--real-fps 60" in check.fix
    assert not any(c.name == "running" and "walking" in c.message for c in analysis.quality.checks)


def test_true_capture_rate_analyses_normally():
    analysis = analyze_keypoints(slowed(60, playback_fps=60), Config(), "real-time")
    assert analysis.quality.verdict != "refuse"
    assert analysis.overall_cadence_steps_per_min == pytest.approx(172.41, abs=0.5)
