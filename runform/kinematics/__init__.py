"""Cleaning, direction and sides, calibration, joint angles and whether the runner is in view (everything
between pose and events)."""

from runform.kinematics import angles
from runform.kinematics.calibration import calibrate
from runform.kinematics.clean import at_real_fps, clean_keypoints, real_fps_fix
from runform.kinematics.filtering import cutoff_rule_hz, interpolate_series, lowpass_series, upsample_cubic
from runform.kinematics.sides import SideAssignment, direction_sign
from runform.kinematics.stride import forward_position_px, parabolic_peak, stride_frequency_hz
from runform.kinematics.swaps import LegSwapRepair
from runform.kinematics.view import out_of_view_spans_s, runner_in_view

__all__ = [
    "at_real_fps",
    "LegSwapRepair",
    "SideAssignment",
    "angles",
    "calibrate",
    "clean_keypoints",
    "cutoff_rule_hz",
    "direction_sign",
    "forward_position_px",
    "interpolate_series",
    "lowpass_series",
    "out_of_view_spans_s",
    "parabolic_peak",
    "runner_in_view",
    "stride_frequency_hz",
    "real_fps_fix",
    "upsample_cubic",
]
