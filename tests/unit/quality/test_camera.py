"""Camera panning from sampled pictures: the background's shift per second of the run's time."""

from __future__ import annotations

import numpy as np
import pytest

from runform.quality.camera import background_shift_frac_per_s
from tests.fixtures.gait import make_gait_keypoints

WIDTH_PX = 160  # of the small sampled pictures; the keypoints' image is 1280 px wide


def _panning_samples(shift_px_per_sample: int, every_s: float, n: int = 8) -> list[tuple[float, np.ndarray]]:
    texture = np.random.default_rng(1).uniform(0, 255, (90, WIDTH_PX)).astype(np.float32)
    return [(k * every_s, np.roll(texture, k * shift_px_per_sample, axis=1)) for k in range(n)]


@pytest.mark.parametrize("time_scale", [1.0, 0.125], ids=["real time", "8x slow motion, --real-fps"])
def test_panning_is_measured_per_second_of_the_run(time_scale):
    """A slow-motion clip pans 8x faster in the run's time than in the file's; the runner's
    columns are blanked at the sample's own moment, so only the background counts."""
    kp, _ = make_gait_keypoints(fps=30.0, duration_s=4.0)
    kp = kp.replace(time_s=kp.time_s * time_scale, time_scale=time_scale)
    samples = _panning_samples(shift_px_per_sample=3, every_s=0.5)
    measured = background_shift_frac_per_s(samples, kp)
    expected = 3 / WIDTH_PX / (0.5 * time_scale)
    assert measured == pytest.approx(expected, rel=0.05)


def test_a_still_camera_does_not_pan():
    kp, _ = make_gait_keypoints(fps=30.0, duration_s=4.0)
    assert background_shift_frac_per_s(_panning_samples(0, 0.5), kp) == pytest.approx(0.0, abs=1e-3)
