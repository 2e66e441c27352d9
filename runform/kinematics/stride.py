"""Stride frequency from the legs' fore-aft oscillation (autocorrelation), before any event."""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from runform.kinematics.angles import pelvis_xy
from runform.model import Keypoints

#: Plausible stride frequencies: 0.5 Hz (slow walk) to 2.75 Hz (330 steps/min; elite sprinters reach
#: 4.3-5.0 steps/s, Salo et al. 2011, Med Sci Sports Exerc 43:1055). Up to session 12 the top was
#: 2.2 Hz (264 steps/min), and a sprinter's faster stride was read at half its frequency.
STRIDE_FREQUENCY_RANGE_HZ = (0.5, 2.75)
#: A stride period is an autocorrelation peak at least this high (normalised; a periodic leg motion).
MIN_AUTOCORRELATION = 0.2
#: The stride is the first peak within this share of the highest one: a multiple of the period can
#: correlate a little better than the period itself.
FIRST_PEAK_FRAC_OF_BEST = 0.8
#: Leg motion this slow is not human gait in real time: the file is slow motion.
SLOW_MOTION_RANGE_HZ = (0.02, 0.5)
#: Leg motion this fast is no runner's (2.75 Hz: 330 steps/min; elite sprinters reach 4.3-5.0
#: steps/s, Salo et al. 2011): the file's time runs fast.
SPED_UP_RANGE_HZ = (STRIDE_FREQUENCY_RANGE_HZ[1], 12.0)
#: A typical running stride frequency (84 steps/min per leg), to guess a slow-motion factor.
TYPICAL_RUNNING_STRIDE_HZ = 1.4


def forward_position_px(kp: Keypoints, name: str, direction: int) -> np.ndarray:
    """Landmark position along the running direction, relative to the pelvis centre (pixels)."""
    pelvis_x = pelvis_xy(kp)[:, 0]
    return direction * (kp.xy(name)[:, 0] - pelvis_x)


def stride_frequency_hz(kp: Keypoints, direction: int,
                        range_hz: tuple[float, float] = STRIDE_FREQUENCY_RANGE_HZ) -> float:  # fmt: skip
    """Dominant stride frequency from the autocorrelation of left-minus-right ankle position.

    The difference of the two ankles' fore-aft positions repeats once per stride and has no
    component at the step frequency, so the first strong autocorrelation peak is the stride.
    Returns NaN when no periodic leg motion is found.
    """
    fs = kp.sampling_rate_hz
    diff = forward_position_px(kp, "left_ankle", direction) - forward_position_px(kp, "right_ankle", direction)
    good = np.isfinite(diff)
    if not np.isfinite(fs) or good.sum() < 2 * fs / range_hz[1]:
        return float("nan")
    x = np.where(good, diff - np.nanmean(diff), 0.0)
    ac = np.correlate(x, x, mode="full")[len(x) - 1 :]
    if ac[0] <= 0:
        return float("nan")
    ac = ac / ac[0]
    lo = max(1, int(fs / range_hz[1]))
    hi = min(len(ac) - 1, int(np.ceil(fs / range_hz[0])))
    peaks, props = find_peaks(ac[: hi + 1], height=MIN_AUTOCORRELATION)
    peaks = peaks[peaks >= lo]
    if len(peaks) == 0:
        return float("nan")
    best = peaks[np.argmax(ac[peaks])]
    first = peaks[ac[peaks] >= FIRST_PEAK_FRAC_OF_BEST * ac[best]][0]  # avoid multiples of the period
    lag = parabolic_peak(ac, int(first))
    return float(fs / lag)


def parabolic_peak(y: np.ndarray, i: int) -> float:
    """Sub-sample location of a local extremum at index ``i`` (parabola through 3 points)."""
    if i <= 0 or i >= len(y) - 1:
        return float(i)
    den = y[i - 1] - 2 * y[i] + y[i + 1]
    if den == 0 or not np.isfinite(den):
        return float(i)
    return float(i + 0.5 * (y[i - 1] - y[i + 1]) / den)
