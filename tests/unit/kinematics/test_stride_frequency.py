"""The legs' own rhythm: a sprinter's fast stride is read at its frequency, not half of it, and time
that runs faster than any runner's is refused."""

from __future__ import annotations

import pytest
from fixtures.gait import make_gait_keypoints

from runform.errors import AnalysisError
from runform.kinematics import clean_keypoints
from runform.kinematics.stride import stride_frequency_hz


@pytest.mark.parametrize("cadence_spm", [170.0, 240.0, 290.0, 310.0])
def test_stride_frequency_up_to_a_sprinters_cadence(cadence_spm):
    """Elite sprinters reach 4.3-5.0 steps/s (260-300 steps/min); up to session 12 a stride above
    264 steps/min was read at half its frequency (290 steps/min as 145)."""
    kp, _ = make_gait_keypoints(cadence_spm=cadence_spm, contact_time_s=0.1 if cadence_spm > 200 else 0.25)
    assert stride_frequency_hz(kp, 1) * 120 == pytest.approx(cadence_spm, rel=0.02)


def test_time_running_faster_than_any_runner_is_refused():
    kp, _ = make_gait_keypoints(cadence_spm=170.0)
    sped_up = kp.replace(time_s=kp.time_s / 2.5, time_scale=0.4, note="real_fps(time scaled by 0.4000)")
    with pytest.raises(AnalysisError, match="sped up") as err:
        clean_keypoints(sped_up)
    assert "425 steps/min" in str(err.value) or "426 steps/min" in str(err.value)
    assert "--real-fps" in err.value.fix


def test_a_sprinter_at_290_steps_per_minute_is_analysed_at_that_cadence():
    """End to end (cleaning, events, strides): before session 12 this runner read 145 steps/min."""
    import warnings

    from runform.config import Config
    from runform.pipeline import analyze_keypoints

    kp, _ = make_gait_keypoints(fps=60.0, cadence_spm=290.0, contact_time_s=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        analysis = analyze_keypoints(kp, Config(event="100m"), "synthetic sprinter")
    assert analysis.overall_cadence_steps_per_min == pytest.approx(290.0, rel=0.01)
    assert analysis.quality.verdict != "refuse"
