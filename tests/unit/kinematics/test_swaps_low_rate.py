"""Leg-swap repair below 30 fps: its penalties grow with the squared frame interval, the shank
length it checks the feet against must not (it did: at 15-25 fps every foot was attached to the
other knee for the whole clip, and knee angles at contact read 50-60 deg wrong)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DATA, need

from runform.io import from_rbds_joints
from runform.kinematics.filtering import interpolate_gaps, mask_low_confidence, remove_glitches
from runform.kinematics.swaps import LegSwapRepair
from runform.pose import PoseNoise, VirtualCamera


@pytest.mark.parametrize("fps", [15, 20, 25])
def test_feet_stay_on_their_own_knees_at_low_frame_rates(fps):
    mocap = from_rbds_joints(need(DATA / "rbds" / "RBDS019runT35_joints.csv"))  # a held-out runner
    kp = PoseNoise().apply(VirtualCamera(fps=fps).project(mocap), seed=fps)
    repair = LegSwapRepair()
    fixed = repair.repair(interpolate_gaps(remove_glitches(mask_low_confidence(kp, 0.3)), 0.12))
    assert len(repair.swapped_frames_["foot"]) < 0.05 * kp.n_frames
    assert len(repair.swapped_frames_["leg"]) < 0.10 * kp.n_frames
    truth = VirtualCamera(fps=fps).project(mocap)  # the same camera without noise
    shank = np.linalg.norm(fixed.xy("left_knee") - fixed.xy("left_ankle"), axis=1)
    true_shank = np.linalg.norm(truth.xy("left_knee") - truth.xy("left_ankle"), axis=1)
    assert np.nanmedian(np.abs(shank - true_shank)) < 0.1 * np.nanmedian(true_shank)
