"""What recreational runners do at the clip's running speed, per metric.

Knee lift, the shank angle at contact and the foot ahead of the hip all grow with speed, so a
fixed cut-off judges the speed a clip was filmed at as much as the runner's form. For each metric
in ``data/speed_references.yaml`` (a line of the metric on the running speed in leg lengths per
second, fitted by ``benchmarks/speed_references.py`` on the RBDS tuning runners and checked on the
held-out ones) :func:`reference_at_speed` gives the central 90 % of recreational runners at the
clip's speed. The speed in leg lengths per second needs no scale: the ground speed and the leg
length are both read from the pose in pixels (``runform.kinematics.calibration``).
"""

from __future__ import annotations

from statistics import NormalDist

from runform.coaching.profiles import cite, load
from runform.model import Calibration

#: Each line is used from this share of the lowest measured speed to this share of the highest:
#: a little beyond the fastest runs measured (4.5 m/s: up to 6.1 leg lengths/s, about 5 m/s; the
#: held-out runners at 4.5 m/s reach 5.6-5.7), not towards sprinting, whose thigh and shank need
#: not follow the line of easy to tempo running (it was 1.2 until session 15).
EXTRAPOLATION = (0.8, 1.1)


def reference_at_speed(metric: str, calibration: Calibration | None) -> dict | None:
    """``{"metric", "unit", "speed_leg_lengths_per_s", "speed_mps", "expected", "low", "high",
    "band_content", "source"}`` of recreational runners at the clip's speed, or None (no reference
    for the metric, no speed or leg length measured, or a speed outside the measured range)."""
    if calibration is None:
        return None
    relative = calibration.speed_leg_lengths_per_s
    data = load("speed_references")
    ref = data["metrics"].get(metric)
    if relative is None or ref is None:
        return None
    lo, hi = ref["speed_range_leg_lengths_per_s"]
    if not EXTRAPOLATION[0] * lo <= relative <= EXTRAPOLATION[1] * hi:
        return None
    expected = ref["intercept"] + ref["slope_per_leg_length_per_s"] * relative
    half = NormalDist().inv_cdf(0.5 + data["band_content"] / 2) * ref["residual_sd"]
    speed_mps = calibration.running_speed_mps
    return {"metric": metric, "unit": ref["unit"], "speed_leg_lengths_per_s": round(relative, 2),
            "speed_mps": round(speed_mps, 2) if speed_mps else None, "expected": round(expected, 1),
            "low": round(expected - half, 1), "high": round(expected + half, 1), "band_content": data["band_content"],
            "source": cite(data["source"])}  # fmt: skip


def references_at_speed(calibration: Calibration | None) -> dict[str, dict]:
    """:func:`reference_at_speed` of every metric that has one at the clip's speed."""
    found = {m: reference_at_speed(m, calibration) for m in load("speed_references")["metrics"]}
    return {m: ref for m, ref in found.items() if ref is not None}
