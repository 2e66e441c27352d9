"""The report maps clip time to the analysis's time with the factor the pipeline applied
(``analysis.keypoints.time_scale``: measured rate / ``--real-fps``), not one recomputed from the
file's nominal rate, which differs from the measured one on variable-frame-rate clips."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

import runform.report.keyframes
from runform.pipeline import analyze
from runform.report.keyframes import KeyFrameGrabber, key_frames, key_moments
from runform.report.video import FrameAnnotator

APPLIED = 0.5  # the pipeline's factor: a 60 fps (measured) slow-motion file, --real-fps 120
NOMINAL_FPS = 50.0  # what the file's header claims (50 / 120 would be 0.417)


def _numbered(i: int) -> np.ndarray:
    """A frame whose pixels say its index."""
    rgb = np.zeros((48, 64, 3), np.uint8)
    rgb[..., 0], rgb[..., 1] = divmod(i, 256)
    return rgb


@pytest.fixture
def slow_motion_analysis(gait_csv):
    analysis = analyze(gait_csv)
    kp = analysis.keypoints.replace(time_scale=APPLIED)  # its times are the run's already
    config = analysis.config.model_copy(update={"real_fps": 120.0})
    return dataclasses.replace(analysis, keypoints=kp, config=config)


def test_the_video_overlay_uses_the_applied_time_scale(slow_motion_analysis):
    annotator = FrameAnnotator(slow_motion_analysis, (640, 480), (640, 480), NOMINAL_FPS)
    assert annotator.time_scale == APPLIED


def test_key_frames_are_taken_at_the_key_moments_in_the_applied_time(slow_motion_analysis, tmp_path, monkeypatch):
    run_time_s = slow_motion_analysis.keypoints.time_s
    frames = [SimpleNamespace(index=i, time_s=t / APPLIED, rgb=_numbered(i)) for i, t in enumerate(run_time_s)]  # clip time
    monkeypatch.setattr(runform.report.keyframes, "iter_frames", lambda source: iter(frames))
    monkeypatch.setattr(runform.report.keyframes, "probe", lambda source: SimpleNamespace(nominal_fps=NOMINAL_FPS), raising=False)
    offered: list[tuple[int, float]] = []
    offer = KeyFrameGrabber.offer
    monkeypatch.setattr(KeyFrameGrabber, "offer", lambda self, rgb, t, *a: (offered.append((256 * int(rgb[0, 0, 0]) + int(rgb[0, 0, 1]), t)), offer(self, rgb, t, *a)))
    images = key_frames(slow_motion_analysis, tmp_path / "clip.mp4")
    assert len(images) == len(key_moments(slow_motion_analysis)) == 3
    assert offered, "the pass offered frames"
    for index, t in offered:  # each frame at the run time of the keypoint row it shows
        assert t == pytest.approx(run_time_s[index], abs=1e-9)
