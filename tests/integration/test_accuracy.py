"""Held-out accuracy guard: the one event detector on RBDS019 (a held-out runner, never tuned on) at
2.5, 3.5 and 4.5 m/s, through a right-side virtual camera at 30 and 60 fps with realistic pose
noise, against force plates. The same code as ``benchmarks/accuracy.py`` (docs/ACCURACY.md has the
full held-out tables); the thresholds sit just outside what the benchmark measured on this runner,
so a detector that drifts fails here.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import need
from fixtures.benchmarks import load_benchmark

accuracy = load_benchmark("accuracy")
#: many RBDS analyses: out of the fast selection (-m "not slow"); the default run (addopts "-ra") keeps them
pytestmark = pytest.mark.slow

RUNNER = "019"
assert RUNNER in accuracy.HELD_OUT


@pytest.fixture(scope="module", params=[(speed, fps) for speed in ("25", "35", "45") for fps in (30, 60)],
                ids=lambda p: f"{int(p[0]) / 10:.1f}mps-{p[1]}fps")  # fmt: skip
def run(request):
    speed, fps = request.param
    trial = f"RBDS{RUNNER}runT{speed}"
    need(accuracy.RBDS / f"{trial}_joints.csv")
    return accuracy.run_trial(trial, fps, "right")


def within_one_frame(run: dict, kind: str) -> float:
    errors = np.asarray(run[f"{kind}_errors_ms"], dtype=float)
    return float((np.abs(np.nan_to_num(errors, nan=1e9)) <= 1000 / run["fps"]).mean())


def test_events_within_one_frame(run):
    # measured on this runner: contacts 0.98-0.99, toe-offs 0.79-1.00 (targets >= 0.95 at 60 fps,
    # >= 0.90 at 30 fps; docs/ACCURACY.md says where they are not met). The low one is 2.5 m/s at
    # 60 fps: this runner's toe-offs there are 12 ms late, so a few of 80 sit either side of one
    # frame (0.83 before clear swaps were repaired ahead of glitch removal, which took the held-out
    # toe-offs at 60 fps from 90.5 to 92.0 %). The old ankle-reversal toe-off scored 0 here.
    assert within_one_frame(run, "contact") >= 0.90
    assert within_one_frame(run, "toe_off") >= 0.75


def test_contact_and_flight_time_per_trial(run):
    # measured on this runner: 4.2-5.1 ms at 30 fps, 7.6-12.0 ms at 60 fps (targets 15 and 10 ms)
    limit_ms = 13.0 if run["fps"] >= 60 else 8.0
    assert abs(run["mean_error"]["contact_time_ms"]) <= limit_ms
    assert abs(run["mean_error"]["flight_time_ms"]) <= limit_ms


def test_running_speed_read_from_the_pose(run):
    # the ground speed behind --treadmill-speed scales and --height speeds, at the virtual camera's
    # true scale, over the belt speed: measured on this runner -2.6 to -1.0 % at 30 fps, -1.4 to
    # -0.3 % at 60 fps (the planted foot against the pelvis's stance-phase speed, before session 10,
    # read 5-6.5 % low on every runner)
    assert abs(run["speed_ratio"] - 1) <= 0.035


def test_cadence_and_thigh_angle(run):
    assert abs(run["mean_error"]["cadence_spm"]) <= 0.5
    assert abs(run["mean_error"]["max_thigh_angle_deg"]) <= 2.5
    assert run["timing_reliable"]


#: Held-out per-stride RMSE (deg; % of leg length for the foot) of each angle against the marker truth,
#: all 10 held-out runners and speeds: benchmarks/results/accuracy.json, "held_out" -> "30 fps, all
#: speeds" / "60 fps, all speeds" -> "angles_per_stride" (docs/ACCURACY.md quotes the 30 fps ones:
#: hip extension 3.20, knee at contact 4.74, shank 3.84, peak swing knee 2.79).
HELD_OUT_RMSE = {
    30: {"knee_flexion_at_contact_deg": 4.74, "hip_extension_at_toe_off_deg": 3.20, "shank_angle_at_contact_deg": 3.84,
         "peak_swing_knee_flexion_deg": 2.79, "foot_ahead_of_hip_pct_leg": 2.93},
    60: {"knee_flexion_at_contact_deg": 3.75, "hip_extension_at_toe_off_deg": 2.16, "shank_angle_at_contact_deg": 3.25,
         "peak_swing_knee_flexion_deg": 1.95, "foot_ahead_of_hip_pct_leg": 2.70},
}  # fmt: skip


@pytest.mark.parametrize("angle", list(HELD_OUT_RMSE[30]))
def test_angles_per_stride_against_motion_capture(run, angle):
    """Each force-plate stride's angle (knee flexion and shank angle at contact, hip extension at
    toe-off, peak swing knee flexion, foot ahead of the hip) against the 3-D marker truth
    (``benchmarks/accuracy.py run_trial``). This runner's mean error and MAE must stay within 1.25 x
    the held-out per-stride RMSE: one runner's bias is part of that RMSE, and the 25 % margin is for
    one runner's spread. The bounds (2.7-5.9 deg) are below this runner's true shank angle at contact
    (6-11 deg) and knee flexion at contact (10-14 deg), so 0 deg or a flipped sign fails, and a
    constant peak swing knee flexion cannot fit 107, 119 and 129 deg (2.5, 3.5, 4.5 m/s)."""
    bound = 1.25 * HELD_OUT_RMSE[run["fps"]][angle]
    errors = np.asarray(run["stride_errors"][angle], dtype=float)
    strides = len(run["stride_errors"]["contact_time_ms"])
    assert strides >= 60 and np.isfinite(errors).mean() >= 0.95, (strides, np.isfinite(errors).mean())  # 30 s of running
    assert abs(np.nanmean(errors)) <= bound, (np.nanmean(errors), bound)
    assert np.nanmean(np.abs(errors)) <= bound, (np.nanmean(np.abs(errors)), bound)


COVERED_LIMITS = {  # metric -> widest sensible 95 % half-width (units of the metric)
    "contact_time_s": 0.030, "flight_time_s": 0.030, "duty_factor": 0.040, "max_thigh_angle_deg": 3.0,
}  # fmt: skip


def test_uncertainty_covers_the_truth_and_is_not_absurdly_wide(run):
    # The reported 95 % interval of a held-out runner contains the force-plate / marker truth, and its
    # half-width stays below what would make it useless (the new-runner model gives about 19-22 ms,
    # 0.026-0.030 and 1.2-1.9 deg on the held-out runners; the contact-time error of this runner is 4-10 ms).
    for metric, widest in COVERED_LIMITS.items():
        entry = run["summary"][metric]
        assert entry["value"] is not None and entry["uncertainty"] is not None, metric
        assert abs(entry["value"] - run["truth"][metric]) <= entry["uncertainty"], metric
        assert entry["uncertainty"] <= widest, metric


@pytest.fixture(scope="module", params=["25", "35", "45"], ids=lambda s: f"{int(s) / 10:.1f}mps-15fps")
def run_15fps(request):
    trial = f"RBDS{RUNNER}runT{request.param}"
    need(accuracy.RBDS / f"{trial}_joints.csv")
    return accuracy.run_trial(trial, 15, "right")


def test_15_fps_contact_time_is_not_cut_short(run_15fps):
    # 15 fps: keypoints are upsampled (cubic) to 30 Hz before the events are read. Measured on this
    # runner (these noise seeds): contact-time error +2.4, -5.4, -7.6 ms, flight time the same with
    # opposite sign; straight lines between the frames gave -17, -21 and -22 ms (contacts late,
    # toe-offs early).
    assert abs(run_15fps["mean_error"]["contact_time_ms"]) <= 10.0
    assert abs(run_15fps["mean_error"]["flight_time_ms"]) <= 10.0
    assert within_one_frame(run_15fps, "contact") >= 0.90
    assert within_one_frame(run_15fps, "toe_off") >= 0.85


def test_15_fps_angles_at_events(run_15fps):
    # Leg-swap repair once attached every foot to the other knee below 30 fps (knee flexion at
    # contact -51 deg wrong on this runner at 3.5 m/s); now within a few degrees as at 30 fps.
    for angle in ("knee_flexion_at_contact_deg", "hip_extension_at_toe_off_deg", "shank_angle_at_contact_deg"):
        errors = np.asarray(run_15fps["stride_errors"][angle], dtype=float)
        assert len(errors) >= 10 and abs(np.nanmean(errors)) <= 8.0, (angle, np.nanmean(errors))
