"""The cleaning chain: raw pose landmarks -> anatomically labelled, filtered keypoints.

Order matters: resample (variable frame rate) -> mask low confidence -> repair leg swaps where
the legs are clearly apart -> blank glitches -> interpolate short gaps -> repair leg swaps ->
direction -> anatomical sides -> stride frequency -> zero-lag low-pass at the documented cut-off
rule. The first swap repair comes before glitches: glitch removal blanked parts of a few-frame swap
(its jumps in and out) and the rest was then left swapped; where the legs cross, which label is
which is ambiguous and glitch removal goes first (docs/ACCURACY.md, fifth round). Every step is recorded in
``Keypoints.log`` so reports can list the filters that ran.
"""

from __future__ import annotations

import numpy as np

from runform.errors import AnalysisError, InputError
from runform.kinematics.calibration import leg_length_px
from runform.kinematics.filtering import (
    cutoff_rule_hz,
    interpolate_gaps,
    lowpass,
    mask_low_confidence,
    remove_glitches,
    resample_uniform,
)
from runform.kinematics.sides import SideAssignment, direction_sign
from runform.kinematics.stride import (
    SLOW_MOTION_RANGE_HZ,
    SPED_UP_RANGE_HZ,
    TYPICAL_RUNNING_STRIDE_HZ,
    forward_position_px,
    stride_frequency_hz,
)
from runform.kinematics.swaps import LegSwapRepair
from runform.model import CleaningReport, Keypoints

#: Leg swaps are repaired before glitch removal only in runs of frames whose knees (feet: ankles) are
#: at least this many shank lengths apart (docs/ACCURACY.md, fifth round).
APART_FRAC_SHANK = 0.5
#: Fewer frames than this cannot hold a stride at any frame rate: refused before cleaning.
MIN_FRAMES = 10
#: A clip with more than this share of leg landmarks missing after cleaning has no runner's legs.
MAX_MISSING_LEG_FRAC = 0.9


def clean_keypoints(
    kp: Keypoints, *, min_confidence: float = 0.3, max_gap_s: float = 0.12, cutoff_hz: float | None = None
) -> tuple[Keypoints, CleaningReport]:
    """Run the whole cleaning chain (see module docstring)."""
    if kp.n_frames < MIN_FRAMES:
        raise AnalysisError(
            "Too few frames to analyse",
            expected=f"at least {MIN_FRAMES} frames; a useful analysis needs a few strides (about 3 s or more)",
            found=f"{kp.n_frames} frames",
            fix="use a longer clip (or a longer --start/--end window)",
        )
    kp = resample_uniform(kp)
    kp = mask_low_confidence(kp, min_confidence)
    legs = [kp.index(n) for n in kp.names if n.split("_", 1)[-1] in ("hip", "knee", "ankle", "heel", "foot_index")]
    # swaps where the legs are clearly apart first: such a swap is also a jump in and out, and glitch
    # removal would blank parts of it (a foot here, an ankle there) so that the rest no longer looks
    # like a swap; where they cross, glitch removal and interpolation go first (as before)
    apart = LegSwapRepair(min_apart_frac_shank=APART_FRAC_SHANK)
    kp = apart.repair(kp)
    before = int(np.isnan(kp.xy_px[:, legs, 0]).sum())
    kp = remove_glitches(kp)
    n_glitches = int(np.isnan(kp.xy_px[:, legs, 0]).sum()) - before
    fraction_missing_before_fill = float(np.isnan(kp.xy_px[:, legs, 0]).mean())
    kp = interpolate_gaps(kp, max_gap_s)
    repair = LegSwapRepair()
    kp = repair.repair(kp)
    fraction_missing = float(np.isnan(kp.xy_px[:, legs, 0]).mean())
    if fraction_missing > MAX_MISSING_LEG_FRAC:
        raise AnalysisError(
            "No runner's legs were found in the data",
            expected="hips, knees, ankles, heels and toes visible in most frames",
            found=f"{fraction_missing:.0%} of leg landmarks missing",
            fix="film from the side with the whole body in frame, in good light",
        )
    direction = direction_sign(kp)
    sides = SideAssignment()
    kp = sides.assign(kp, direction)
    stride_hz = stride_frequency_hz(kp, direction)
    if legs_swing(kp, direction):  # a rhythm too slow or too fast means the clock, not a standing runner
        if not np.isfinite(stride_hz):
            _refuse_slow_motion(kp, direction)
        _refuse_sped_up(kp, direction)
    cutoff = cutoff_hz if cutoff_hz is not None else cutoff_rule_hz(stride_hz, kp.sampling_rate_hz)
    kp = lowpass(kp, cutoff)
    report = CleaningReport(
        direction=direction, stride_frequency_hz=stride_hz, cutoff_hz=cutoff,
        n_swapped_frames=_n_swapped(apart, repair), n_glitches=n_glitches, side_cue=sides.cue_,
        sides_relabelled=sides.relabelled_, fraction_missing=fraction_missing,
        fraction_missing_before_fill=fraction_missing_before_fill,
    )  # fmt: skip
    return kp, report


def _n_swapped(*repairs: LegSwapRepair) -> int:
    """Frames exchanged by any of the repairs, each counted once (legs or feet, either pass)."""
    frames = [f for r in repairs for f in r.swapped_frames_.values()]
    return int(len(np.unique(np.concatenate(frames)))) if frames else 0


#: Capture rates of phones and sports cameras, to suggest a ``--real-fps`` for slow-motion files.
COMMON_CAPTURE_FPS = (60.0, 120.0, 240.0, 480.0, 960.0)


def at_real_fps(kp: Keypoints, real_fps: float | None) -> Keypoints:
    """Slow-motion files (``--real-fps``): timestamps stretched to run at the true capture rate
    (``Keypoints.time_scale`` records the factor); ``kp`` itself without a real rate."""
    if real_fps is None or kp.n_frames < 2:
        return kp
    if not np.isfinite(kp.sampling_rate_hz):
        raise InputError("Cannot rescale timestamps", expected="at least two frames with distinct times", found=f"{kp.n_frames} frames",
                         fix="leave out --real-fps, or give a longer clip")  # fmt: skip
    factor = kp.sampling_rate_hz / real_fps
    return kp.replace(time_s=kp.time_s * factor, time_scale=kp.time_scale * factor,
                      note=f"real_fps(time scaled by {factor:.4f})")  # fmt: skip


def real_fps_fix(kp: Keypoints, slow_factor: float) -> str:
    """What to do about a clip whose stride is ``slow_factor`` times slower than running: give the
    common capture rate nearest to the rate that would make it running (``--real-fps``), or, when
    ``--real-fps`` already rescaled the clip and that rate is the file's own, leave it out."""
    rescale = kp.time_scale
    file_fps, wanted_fps = kp.sampling_rate_hz * rescale, kp.sampling_rate_hz * slow_factor
    if rescale != 1.0 and abs(np.log(wanted_fps / file_fps)) < np.log(1.5):
        return f"leave out --real-fps: at the file's own {file_fps:.3g} fps the stride is a running stride"
    guess = min(COMMON_CAPTURE_FPS, key=lambda rate: abs(np.log(rate / wanted_fps)))
    return f"give the true capture rate with --real-fps (likely --real-fps {guess:g})"


#: The ankles of a gait pass each other by at least this share of the leg length fore and aft
#: (running: about one leg length); a standing person's differ by jitter only.
MIN_SWING_LEG = 0.3


def legs_swing(kp: Keypoints, direction: int) -> bool:
    """Whether the legs swing like a gait's: the fore-aft distance between the ankles spans at
    least :data:`MIN_SWING_LEG` leg lengths (5th to 95th percentile; the leg as calibration reads it)."""
    gap = forward_position_px(kp, "left_ankle", direction) - forward_position_px(kp, "right_ankle", direction)
    leg = leg_length_px(kp)
    if np.isfinite(gap).sum() < 2 or not leg > 0:
        return False
    return bool(np.nanpercentile(gap, 95) - np.nanpercentile(gap, 5) >= MIN_SWING_LEG * leg)


def _refuse_sped_up(kp: Keypoints, direction: int) -> None:
    """Raise a clear error when the legs swing periodically faster than any runner: the clip's time
    runs fast (a ``--real-fps`` above the capture rate, a keypoint file's time in other units). The
    stride search would otherwise lock onto every second stride and report plausible nonsense."""
    fast_hz = stride_frequency_hz(kp, direction, SPED_UP_RANGE_HZ)
    if not np.isfinite(fast_hz):
        return
    rescaled = kp.time_scale != 1.0
    raise AnalysisError(
        "This clip's time looks sped up",
        expected=f"a stride every {1 / SPED_UP_RANGE_HZ[0]:.3f} s or slower (at most {120 * SPED_UP_RANGE_HZ[0]:.0f} steps/min; "
        "the fastest sprinters reach about 300)",
        found=f"one stride every {1 / fast_hz:.3f} s ({120 * fast_hz:.0f} steps/min at {kp.sampling_rate_hz:.3g} fps)",
        fix=("check --real-fps: it rescaled the clip's time, and is for slow-motion files only (their capture rate)"
             if rescaled else "give the time in seconds (a keypoint file's time_s) at the rate the clip was filmed"),
    )


def _refuse_slow_motion(kp: Keypoints, direction: int) -> None:
    """Raise a clear error when the legs swing periodically but far too slowly for real-time gait."""
    slow_hz = stride_frequency_hz(kp, direction, SLOW_MOTION_RANGE_HZ)
    if not np.isfinite(slow_hz):
        return
    fps = kp.sampling_rate_hz
    factor = TYPICAL_RUNNING_STRIDE_HZ / slow_hz
    raise AnalysisError(
        "This clip looks like slow motion",
        expected="a stride every 0.45-2 s, as in real-time running or walking",
        found=f"one stride every {1 / slow_hz:.1f} s (stride frequency {slow_hz:.2f} Hz at {fps:.3g} fps): "
        f"about {factor:.0f}x slower than running",
        fix=real_fps_fix(kp, factor),
    )
