"""Step length relative to the runner's own speed and size (needs lengths in metres).

An easy run is not a race: a step length is judged against the step that Alexander's
dynamic-similarity relation predicts for the runner's leg length at the speed measured in the
clip, never against elite race-pace numbers. Alexander (1976): relative stride length
``stride / h = 2.3 * (v**2 / (g * h)) ** 0.3`` with ``h`` the leg (hip) height and ``stride`` a
full cycle of two steps, so the expected *step* is half of it. Step length grows with speed
(Cavanagh and Kram 1989), which is why the speed enters. ``h`` is the hip's height above the
ground; runform measures the leg from hip to ankle (thigh + shank), so ``h`` is that times
0.530 / 0.491 (greater trochanter and hip-to-ankle as shares of stature, Winter 2009): without it
the expected step was about 5 % short and every step read about 5 % long.
"""

from __future__ import annotations

import math

from runform.kinematics.calibration import THIGH_PLUS_SHANK_FRAC_HEIGHT
from runform.model import Calibration

__all__ = ["GRAVITY_MPS2", "expected_step_length_m", "relative_step_length"]

GRAVITY_MPS2 = 9.81
#: Hip (greater trochanter) height over the hip-to-ankle leg runform measures (Winter 2009: 0.530
#: and 0.491 of stature): Alexander's ``h`` from runform's leg length.
HIP_HEIGHT_OVER_LEG = 0.530 / THIGH_PLUS_SHANK_FRAC_HEIGHT
#: Alexander (1976): stride / leg height = ALEXANDER_COEFF * Froude ** ALEXANDER_EXPONENT.
ALEXANDER_COEFF = 2.3
ALEXANDER_EXPONENT = 0.3


def expected_step_length_m(speed_mps: float, leg_length_m: float) -> float:
    """Step length (half a two-step stride) that Alexander's relation predicts at this speed for a
    runner whose hip-to-ankle leg is ``leg_length_m`` (hip height: :data:`HIP_HEIGHT_OVER_LEG` times it)."""
    hip_height_m = HIP_HEIGHT_OVER_LEG * leg_length_m
    froude = speed_mps**2 / (GRAVITY_MPS2 * hip_height_m)
    return 0.5 * ALEXANDER_COEFF * hip_height_m * froude**ALEXANDER_EXPONENT


def relative_step_length(summary: dict, calibration: Calibration | None) -> dict | None:
    """A summary-like entry ``step_length_pct_expected`` (measured step as % of the expected step
    at the measured speed and leg length), or None when the run measured no length in metres."""
    step = summary.get("step_length_m")
    if calibration is None or not calibration.is_metric or not isinstance(step, dict) or step.get("value") is None:
        return None
    speed = calibration.running_speed_mps
    leg_m = float(calibration.length(calibration.leg_length_px))
    if speed is None or not (math.isfinite(speed) and speed > 0 and math.isfinite(leg_m) and leg_m > 0):
        return None
    expected = expected_step_length_m(speed, leg_m)
    unc = float(step.get("uncertainty") or 0.0)
    return {
        "value": round(100 * float(step["value"]) / expected, 1),
        "uncertainty": round(100 * unc / expected, 1),
        "n": step.get("n"),
        "reliable": step.get("reliable", True),
        "step_length_m": round(float(step["value"]), 3),
        "expected_step_length_m": round(expected, 3),
        "step_over_leg_length": round(float(step["value"]) / leg_m, 3),
        "leg_length_m": round(leg_m, 3),
        "speed_mps": round(speed, 3),
        "calibration": calibration.method,
        "left": {"median": None},
        "right": {"median": None},
    }
