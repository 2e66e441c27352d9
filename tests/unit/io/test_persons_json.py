"""analysis.json's persons: the passes' times in the run's clock."""

from __future__ import annotations

import numpy as np
import pytest

from runform.config import Config
from runform.io.serialise import analysis_to_dict
from runform.model import PersonTracks
from runform.pipeline import analyze_keypoints


def test_pass_times_are_the_clips_own_when_the_cleaning_resamples(gait_keypoints):
    """A variable-frame-rate clip is resampled by the cleaning; the passes in analysis.json are
    analysed-frame indices and keep the times of those frames."""
    kp = gait_keypoints[0]
    jitter = np.random.default_rng(3).uniform(-0.3, 0.3, kp.n_frames) / kp.sampling_rate_hz
    jitter[0] = 0.0
    raw = kp.replace(time_s=kp.time_s * 1.03 + jitter)  # irregular, and not the cleaned grid
    passes = ((10, 200), (260, kp.n_frames - 1))
    persons = PersonTracks((0,), np.zeros((1, kp.n_frames, 4)), 0, "only-person", 1.0, passes=passes)
    analysis = analyze_keypoints(raw, Config(), "synthetic-vfr", persons=persons)
    assert "resample" in " ".join(analysis.keypoints.log)  # the cleaned axis is not the clip's
    written = analysis_to_dict(analysis)["persons"]["passes"]
    assert [(p["start_s"], p["end_s"]) for p in written] == [
        pytest.approx((raw.time_s[a], raw.time_s[b])) for a, b in passes
    ]
