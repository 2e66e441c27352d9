"""Held-out accuracy guard over every held-out runner: the 10 held-out RBDS runners (never tuned
on) at 2.5, 3.5 and 4.5 m/s, through a right-side virtual camera at 30 and 60 fps with realistic
pose noise, against force plates: 60 runs, the code of ``benchmarks/accuracy.py`` (which adds the
left camera, 15/120/240 fps and the tables of docs/ACCURACY.md).

Each speed and rate is checked as the events issue states its targets. Where a target is met the
test asserts the target; where it is not (60 fps within one frame, contact MAE), it asserts a floor
just outside what the benchmark measured on these runs (quoted beside it), so a detector that
drifts fails here while docs/ACCURACY.md says why the target is missed.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import need
from fixtures.benchmarks import load_benchmark

accuracy = load_benchmark("accuracy")
#: many RBDS analyses: out of the fast selection (-m "not slow"); the default run (addopts "-ra") keeps them
pytestmark = pytest.mark.slow

SPEEDS = ("25", "35", "45")
COVERED = ("contact_time_s", "flight_time_s", "duty_factor", "max_thigh_angle_deg")


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, int], list[dict]]:
    for runner in accuracy.HELD_OUT:
        for speed in SPEEDS:
            for suffix in ("_joints.csv", "_truth.json", "_events.csv"):
                need(accuracy.RBDS / f"RBDS{runner}runT{speed}{suffix}")
    return {(speed, fps): [accuracy.run_trial(f"RBDS{runner}runT{speed}", fps, "right") for runner in accuracy.HELD_OUT]
            for speed in SPEEDS for fps in (30, 60)}  # fmt: skip


def _speed_id(speed: str) -> str:
    return f"{int(speed) / 10:.1f}mps"


@pytest.mark.parametrize("speed", SPEEDS, ids=_speed_id)
def test_30_fps_meets_the_targets_at_every_speed(runs, speed):
    # targets: >= 90 % of contacts and of toe-offs within one frame; mean contact- and flight-time
    # error per trial <= 15 ms (asserted on the mean over the trials; the worst trials are below).
    # Measured: contacts 96-100 %, toe-offs 95-99 %, 7.9-10.2 ms.
    group = runs[(speed, 30)]
    assert accuracy.event_stats(group, "contact")["within_1_frame"] >= 0.90
    assert accuracy.event_stats(group, "toe_off")["within_1_frame"] >= 0.90
    for key in ("contact_time_ms", "flight_time_ms"):
        assert accuracy.trial_stats(group, key)["mean_abs"] <= 15.0, key


@pytest.mark.parametrize("speed", SPEEDS, ids=_speed_id)
def test_60_fps_at_every_speed(runs, speed):
    # target: mean contact- and flight-time error per trial <= 10 ms at every speed: met on the mean
    # over the trials (6.5, 9.9 and 7.0 ms; 3.5 m/s close to the line), not for every trial (below).
    # Within one frame the target (95 %) is not met: contacts 84.6-90.1 %, toe-offs 88-99 %
    # (runner-specific offsets of kinematic vs force events, docs/ACCURACY.md).
    group = runs[(speed, 60)]
    for key in ("contact_time_ms", "flight_time_ms"):
        assert accuracy.trial_stats(group, key)["mean_abs"] <= 10.0, key
    assert accuracy.event_stats(group, "contact")["within_1_frame"] >= 0.82
    assert accuracy.event_stats(group, "toe_off")["within_1_frame"] >= 0.85


def test_60_fps_event_error_over_all_speeds(runs):
    # targets: event MAE <= 8 ms. Toe-offs 7.1 ms (met); contacts 8.7 ms (not met: floor 9.2 ms).
    # Within one frame: contacts 87.0 %, toe-offs 93.9 % (target 95 %, not met).
    group = [run for speed in SPEEDS for run in runs[(speed, 60)]]
    contacts, toe_offs = accuracy.event_stats(group, "contact"), accuracy.event_stats(group, "toe_off")
    assert toe_offs["mae_ms"] <= 8.0
    assert contacts["mae_ms"] <= 9.2
    assert contacts["within_1_frame"] >= 0.85
    assert toe_offs["within_1_frame"] >= 0.92
    assert min(contacts["found"], toe_offs["found"]) >= 0.99


@pytest.mark.parametrize("fps", (30, 60))
def test_uncertainty_covers_the_truth_in_90_percent_of_held_out_trials(runs, fps):
    # target: the reported 95 % uncertainty contains the truth in >= 90 % of held-out trials at each
    # frame rate. Measured on these 30 runs: 90 % (30 fps) and 93 % (60 fps) for contact time,
    # flight time and duty factor, 100 % for the max thigh angle.
    group = [run for speed in SPEEDS for run in runs[(speed, fps)]]
    for metric in COVERED:
        hits = []
        for run in group:
            entry = run["summary"][metric]
            reported = entry["value"] is not None and entry["uncertainty"] is not None
            hits.append(reported and abs(entry["value"] - run["truth"][metric]) <= entry["uncertainty"])
        assert np.mean(hits) >= 0.90, (metric, np.mean(hits))


@pytest.mark.parametrize("fps", (30, 60))
def test_worst_trial_contact_and_flight_time(runs, fps):
    # Not met for every trial: 3 of 30 trials exceed 15 ms at 30 fps, 7 of 30 exceed 10 ms at 60 fps;
    # the worst are RBDS022 at 2.5 m/s (29.0 ms at 30 fps) and RBDS002 at 3.5 m/s (30.9 ms at 60 fps;
    # its foot already moves at 0.9 x ground speed when the force starts). A floor just outside
    # those, so they cannot grow unseen.
    group = [run for speed in SPEEDS for run in runs[(speed, fps)]]
    for key in ("contact_time_ms", "flight_time_ms"):
        assert accuracy.trial_stats(group, key)["max_abs"] <= 33.0, key
