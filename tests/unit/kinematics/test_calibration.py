"""Calibration falls back (belt speed -> known distance -> height -> pixels) and says why."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from runform.config import Config
from runform.kinematics import calibrate
from runform.kinematics.calibration import stance_speed_px_s
from runform.model import empty_events
from runform.quality import Scale


def test_belt_speed_without_stances_falls_back_and_the_gate_says_so(gait_keypoints):
    kp, _ = gait_keypoints
    cal = calibrate(kp, empty_events(), 1, Config(treadmill_speed_mps=3.0, height_m=1.78))
    assert cal.method == "height"
    ((message, fix),) = cal.doubts
    assert "belt speed 3 m/s cannot be used for scale" in message and message.endswith("lengths use --height")
    (check,) = Scale().check(SimpleNamespace(calibration=cal)).checks_
    assert check.verdict == "warn" and "no stance" in check.message and "feet" in check.fix


def test_belt_speed_scales_from_the_planted_foot(gait_keypoints):
    kp, truth = gait_keypoints
    cal = calibrate(kp, truth, 1, Config(treadmill_speed_mps=3.0))
    assert cal.method == "treadmill_speed" and cal.length_unit == "m"
    # fixtures.gait: in stance the foot moves with the ground from 0.35 leg ahead of the hip to 0.45
    # leg behind it in the 0.25 s contact time: (0.35 + 0.45) x 200 px / 0.25 s = 640 px/s on a 3 m/s belt
    assert cal.px_per_m == pytest.approx((0.35 + 0.45) * 200 / 0.25 / 3.0, rel=1e-3)


def _surging(kp, truth, amplitude_px: float):  # noqa: ANN001, ANN202
    """The same runner whose body (not the planted foot) surges fore-aft once per step, slowest at
    mid-stance, as a runner braking and pushing off does: the hips lag behind at mid-stance."""
    stride_s = float(np.median(np.diff(np.sort(truth[(truth["side"] == "right") & (truth["event"] == "contact")]["time_s"]))))
    contact = float(truth[(truth["side"] == "right") & (truth["event"] == "contact")]["time_s"].min())
    mid = contact + 0.125  # the fixture's stance: 0.25 s
    surge = amplitude_px * np.cos(4 * np.pi * (kp.time_s - mid) / stride_s + np.pi / 2)  # backward velocity peak at mid-stance
    xy = kp.xy_px.copy()
    body = [i for i, name in enumerate(kp.names) if not name.endswith(("heel", "foot_index", "ankle"))]
    xy[:, body, 0] += surge[:, None]
    return kp.replace(xy_px=xy)


def test_running_speed_is_the_ground_speed_when_the_body_surges(gait_keypoints):
    """Braking and push-off move the pelvis slower than its mean speed at mid-stance: the ground
    speed is read against the pelvis's mean over the stride, so the surge does not bias it."""
    kp, truth = gait_keypoints
    steady = stance_speed_px_s(kp, truth, 1)
    surging = stance_speed_px_s(_surging(kp, truth, 12.0), truth, 1)
    assert steady > 0 and abs(surging / steady - 1) < 0.01
    mid_stance_pelvis = np.gradient(_surging(kp, truth, 12.0).xy("left_hip")[:, 0], kp.time_s)
    assert np.nanmax(np.abs(mid_stance_pelvis)) > 0.1 * steady  # the surge is large enough to matter


def test_running_speed_skips_a_stance_whose_toe_off_was_lost(gait_keypoints):
    kp, truth = gait_keypoints
    toe_offs = truth[truth["event"] == "toe_off"].index
    thinned = truth.drop(index=[i for k, i in enumerate(toe_offs) if k % 3])  # two of every three lost
    assert abs(stance_speed_px_s(kp, thinned, 1) / stance_speed_px_s(kp, truth, 1) - 1) < 0.01


def test_a_belt_speed_that_makes_no_human_leg_is_not_used(gait_keypoints):
    """A belt speed typed in km/h as if m/s (x 3.6) makes the leg 3.6 times too long: it is not used
    (the height is), and the calibration says why, for the quality gate's scale check."""
    kp, truth = gait_keypoints
    right = calibrate(kp, truth, 1, Config(treadmill_speed_mps=3.0))
    leg_m = right.leg_length_px / right.px_per_m
    assert 0.45 < leg_m < 1.3 < 3.6 * leg_m and right.doubts == ()  # the fixture's runner, and the belt read as km/h
    wrong = calibrate(kp, truth, 1, Config(treadmill_speed_mps=3.0 * 3.6, height_m=1.78))
    assert wrong.method == "height" and len(wrong.doubts) == 1
    message, fix = wrong.doubts[0]
    assert "not used for scale; lengths use --height" in message and "12.6km/h" in fix
    check = Scale().check(SimpleNamespace(calibration=wrong)).checks_  # what the report and the web app show
    assert [(c.name, c.verdict) for c in check] == [("scale", "warn")]
    kept = calibrate(kp, truth, 1, Config(treadmill_speed_mps=3.0, height_m=leg_m / 0.491 * 0.75))  # disagrees with the height
    assert kept.method == "treadmill_speed" and "check both" in kept.doubts[0][1]


def test_the_scale_check_names_the_scale_used_instead(gait_keypoints):
    """A belt speed not used gives way to --known-distance here, and the message says so."""
    kp, truth = gait_keypoints
    right = calibrate(kp, truth, 1, Config(treadmill_speed_mps=3.0))
    cal = calibrate(kp, truth, 1, Config(treadmill_speed_mps=10.8, known_distance=(0, 0, right.px_per_m, 0, 1.0)))
    assert cal.method == "known_distance" and "lengths use --known-distance" in cal.doubts[0][0]


def test_motion_capture_in_the_wrong_units_keeps_its_own_scale_and_says_so(gait_keypoints):
    """A file in millimetres read as metres: its own scale is still the one used (nothing better), and
    the gate no longer says "not used for scale" beside lengths that use it."""
    kp, truth = gait_keypoints
    from runform.kinematics.calibration import leg_length_px

    wrong_units = kp.replace(px_per_m=leg_length_px(kp) / 3.0)  # a 3 m leg
    cal = calibrate(wrong_units, truth, 1, Config())
    assert cal.method == "camera" and cal.px_per_m == wrong_units.px_per_m
    ((message, fix),) = cal.doubts
    assert "3.00 m long" in message and "lengths use it all the same" in message and "not used" not in message
    assert "units" in fix


def test_known_distance_points_outside_the_frame_are_not_used(gait_keypoints):
    """Two points beyond a 720 px wide frame (a typo, or coordinates of another video) were taken
    as the scale without a word."""
    kp, truth = gait_keypoints
    kp = kp.replace(image_size_px=(720, 1280))
    cal = calibrate(kp, truth, 1, Config(known_distance=(5000, 1200, 5520, 1200, 1.3), height_m=1.6))
    assert cal.method == "height"
    assert "(5000, 1200) and (5520, 1200) lie outside the 720 x 1280 frame" in cal.doubts[0][0]
    inside = calibrate(kp, truth, 1, Config(known_distance=(100, 1200, 620, 1200, 1.3), height_m=1.6))
    assert not inside.doubts or "outside" not in inside.doubts[0][0]


def test_known_distance_reads_metres_and_lengths_with_a_unit():
    """"1000mm" used to read as 1000 m (every "m" stripped), while "100cm" was refused."""
    from runform.config import parse_known_distance
    from runform.errors import OptionError

    for text in ("100,1200,620,1200,1.2", "100,1200,620,1200,1.2m", "100,1200,620,1200,120cm", "100,1200,620,1200,1200 mm"):
        assert parse_known_distance(text) == (100, 1200, 620, 1200, 1.2), text
    for text in ("100,1200,620,1200,4ft", "100m,1200,620,1200,1", "1,2,3,4"):
        with pytest.raises(OptionError, match="Cannot read the known distance"):
            parse_known_distance(text)
