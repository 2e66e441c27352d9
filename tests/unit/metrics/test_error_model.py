"""The error model behind the reported uncertainty: the new-runner systematic error
(``benchmarks/accuracy.py systematic_by_fps``) and how ``runform.metrics.uncertainty`` uses it."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures.benchmarks import load_benchmark

from runform.metrics.uncertainty import attach, error_model

accuracy = load_benchmark("accuracy")


def test_tolerance_factor_matches_the_tables_and_tends_to_the_normal_quantile():
    # Howe's approximation; tabulated two-sided 95 %/95 % factors: n=10 -> 3.379, n=30 -> 2.549
    assert accuracy.tolerance_factor(10) == pytest.approx(3.379, abs=0.01)
    assert accuracy.tolerance_factor(30) == pytest.approx(2.549, abs=0.01)
    assert accuracy.tolerance_factor(10**6) == pytest.approx(1.96, abs=0.01)
    assert accuracy.tolerance_factor(10, confidence=0.90) < accuracy.tolerance_factor(10)


def synthetic_runs(offsets: dict[str, float | dict[int, float]], scatter: float, rates=(30, 60)) -> list[dict]:
    rng = np.random.default_rng(3)
    runs = []
    for runner, offset in offsets.items():
        for fps in rates:
            for _ in range(6):
                error = (offset[fps] if isinstance(offset, dict) else offset) + scatter * rng.standard_normal()
                runs.append({"runner": runner, "fps": fps, "held_out": False, "truth": {"contact_time_s": 0.25},
                             "summary": {"contact_time_s": {"value": 0.25 + error}}})  # fmt: skip
    return runs


def test_systematic_pools_runner_offsets_over_frame_rates():
    offsets = {f"{i:03d}": 0.010 * s for i, s in enumerate([1, -1] * 5)}  # s_b = 10 ms, same at every rate
    runs = synthetic_runs(offsets, scatter=0.0)
    k = accuracy.tolerance_factor(10)
    for method in ("tolerance", "tolerance_by_fps"):
        systematic = accuracy.systematic_by_fps(runs, "contact_time_s", method)
        assert systematic == {"30": pytest.approx(0.010 * k / 1.96), "60": pytest.approx(0.010 * k / 1.96)}
    # within-runner scatter is added in quadrature, per frame rate
    noisy = accuracy.systematic_by_fps(synthetic_runs(offsets, scatter=0.004), "contact_time_s")
    assert all(0.010 * k / 1.96 < v < np.hypot(0.0115 * k / 1.96, 0.006) for v in noisy.values())
    # a point estimate (1.96 x s_b) is narrower than the new-runner tolerance band
    point = accuracy.systematic_by_fps(runs, "contact_time_s", "point")
    assert point["30"] == pytest.approx(0.010)


def test_offsets_are_pooled_over_frame_rates_not_estimated_per_rate():
    # each runner +10 ms at 30 fps and -10 ms at 60 fps: pooled over the rates the runner offsets
    # vanish (s_b = 0) and the 10 ms is within-runner scatter (not widened by k); estimated per rate
    # the same 10 ms would be a runner offset, widened by the tolerance factor
    offsets = {f"{i:03d}": {30: 0.010, 60: -0.010} for i in range(10)}
    runs = synthetic_runs(offsets, scatter=0.0)
    k = accuracy.tolerance_factor(10)
    pooled = accuracy.systematic_by_fps(runs, "contact_time_s", "tolerance")
    per_rate = accuracy.systematic_by_fps(runs, "contact_time_s", "tolerance_by_fps")
    assert pooled == {"30": pytest.approx(0.010), "60": pytest.approx(0.010)}
    assert per_rate == {"30": pytest.approx(0.010 * k / 1.96), "60": pytest.approx(0.010 * k / 1.96)}


def test_uncertainty_uses_the_systematic_part_and_the_mdc_does_not():
    model = error_model()
    entry = model["by_fps"]["60"]["contact_time_s"]
    assert entry["systematic"] > abs(entry["bias"])
    summary = {"contact_time_s": {"value": 0.25, "median": 0.25, "sd": 0.01, "n": 10_000}}
    attach(summary, 60, "motion-capture", 0.9, model)
    # with many strides the random part vanishes: the half-width is 1.96 x systematic and the MDC -> 0
    assert summary["contact_time_s"]["uncertainty"] == pytest.approx(1.96 * entry["systematic"], rel=0.02)
    assert summary["contact_time_s"]["mdc95"] < 0.1 * summary["contact_time_s"]["uncertainty"]


def test_lengths_scaled_from_the_height_carry_the_height_rules_error():
    model = error_model()
    scale = model["calibration_scale"]["height"]["60"]
    assert 0.01 < scale < 0.2  # a few per cent: the leg = 0.491 x height rule, measured on RBDS

    def summary() -> dict:
        return {"stride_length_m": {"value": 2.0, "median": 2.0, "sd": 0.02, "n": 10_000},
                "vertical_oscillation_cm": {"value": 8.0, "median": 8.0, "sd": 0.5, "n": 10_000},
                "vertical_ratio_pct": {"value": 6.0, "median": 6.0, "sd": 0.5, "n": 10_000}}  # fmt: skip

    by_height = attach(summary(), 60, "video", 0.9, model, calibration_method="height")
    by_belt = attach(summary(), 60, "video", 0.9, model, calibration_method="treadmill_speed")
    # many strides: the scale term alone, as a share of the value; none for a scale taken as given
    assert by_height["stride_length_m"]["uncertainty"] == pytest.approx(1.96 * scale * 2.0, rel=0.02)
    assert by_height["vertical_oscillation_cm"]["uncertainty"] == pytest.approx(1.96 * scale * 8.0, rel=0.02)
    assert by_belt["stride_length_m"]["uncertainty"] < 0.01
    # a ratio of two lengths does not depend on the scale
    assert by_height["vertical_ratio_pct"] == by_belt["vertical_ratio_pct"]
    # a runner's height is the same in a retest, but the leg length it is set against is read again
    leg = model["leg_length_retest"]["60"]
    assert 0.002 < leg < scale
    assert by_height["stride_length_m"]["mdc95"] == pytest.approx(1.96 * np.sqrt(2) * leg * 2.0, rel=0.02)
    assert by_belt["stride_length_m"]["mdc95"] < 0.01


def test_a_given_scale_leaves_stride_lengths_the_error_of_the_speed_read_from_the_pose():
    """With a marked distance or motion capture's own scale, a stride (step) length is still the
    speed read from the pose times a time: it carries the speed's error; a length read in the
    picture (vertical oscillation) does not. A belt speed is given: neither."""
    model = error_model()
    speed = model["calibration_scale"]["camera"]["60"]
    assert speed == model["calibration_scale"]["known_distance"]["60"] and 0.002 < speed < 0.05

    def summary() -> dict:
        return {"stride_length_m": {"value": 2.0, "median": 2.0, "sd": 0.02, "n": 10_000},
                "vertical_oscillation_cm": {"value": 8.0, "median": 8.0, "sd": 0.5, "n": 10_000}}  # fmt: skip

    for method in ("camera", "known_distance"):
        out = attach(summary(), 60, "motion-capture", 0.9, model, calibration_method=method)
        assert out["stride_length_m"]["uncertainty"] == pytest.approx(1.96 * speed * 2.0, rel=0.02)
        assert out["stride_length_m"]["validated"] and out["vertical_oscillation_cm"]["uncertainty"] < 0.05
    belt = attach(summary(), 60, "motion-capture", 0.9, model, calibration_method="treadmill_speed")
    assert belt["stride_length_m"]["uncertainty"] < 0.01


def test_foot_ahead_in_cm_carries_the_validated_error_in_leg_lengths():
    """The foot ahead of the hip in cm is the same measurement as in % of leg length, times the leg:
    its method error is that one's (validated), in cm of this runner's leg."""
    model = error_model()

    def summary() -> dict:
        return {"foot_ahead_of_hip_cm": {"value": 20.0, "median": 20.0, "sd": 2.0, "n": 10_000},
                "foot_ahead_of_hip_pct_leg": {"value": 22.2, "median": 22.2, "sd": 2.2, "n": 10_000}}  # fmt: skip

    out = attach(summary(), 60, "motion-capture", 0.9, model, calibration_method="camera", leg_length_m=0.9)
    cm, pct = out["foot_ahead_of_hip_cm"], out["foot_ahead_of_hip_pct_leg"]
    assert cm["validated"] and cm["uncertainty"] == pytest.approx(0.9 * pct["uncertainty"], rel=0.02)
    unknown_leg = attach(summary(), 60, "motion-capture", 0.9, model, calibration_method="camera")
    assert not unknown_leg["foot_ahead_of_hip_cm"]["validated"]


def test_foot_ahead_in_leg_lengths_carries_the_leg_lengths_retest_scatter():
    """``foot_ahead_of_hip_pct_leg`` divides by the leg length read from this clip: its MDC includes
    the leg length's scatter between clips of one runner, whatever the scale."""
    model = error_model()
    entry = {"foot_ahead_of_hip_pct_leg": {"value": 30.0, "median": 30.0, "sd": 1.0, "n": 10_000}}
    for method in ("height", "treadmill_speed", "none"):
        mdc = attach(dict(entry), 60, "video", 0.9, model, calibration_method=method)["foot_ahead_of_hip_pct_leg"]["mdc95"]
        assert mdc == pytest.approx(1.96 * np.sqrt(2) * np.hypot(model["leg_length_retest"]["60"] * 30.0, 0.01), rel=0.05)


def test_a_few_strides_widen_the_stride_term_by_students_t():
    """A metric without a benchmark entry (stride term only): 8 strides give t(0.975, 7) = 2.36, not
    1.96, times the standard error; many strides approach 1.96."""
    def entry(n: int) -> dict:
        return {"trunk_lean_deg": {"value": 5.0, "median": 5.0, "sd": 1.0, "n": n}}

    few = attach(entry(8), 30, "video", 0.9)["trunk_lean_deg"]
    many = attach(entry(10_000), 30, "video", 0.9)["trunk_lean_deg"]
    assert few["uncertainty"] == pytest.approx(2.365 / np.sqrt(8), abs=0.002)
    assert few["mdc95"] == pytest.approx(np.sqrt(2) * 2.365 / np.sqrt(8), abs=0.002)
    assert many["uncertainty"] == pytest.approx(1.96 / 100, abs=0.0005)
