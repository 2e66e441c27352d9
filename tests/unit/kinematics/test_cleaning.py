"""Cleaning stages on real BlazePose keypoints of the shared clip."""

from __future__ import annotations

import numpy as np
import pytest

from runform.kinematics.filtering import (
    cutoff_rule_hz,
    interpolate_gaps,
    lowpass_series,
    mask_low_confidence,
    remove_glitches,
    resample_uniform,
)
from runform.kinematics.sides import SideAssignment, direction_sign
from runform.kinematics.swaps import LegSwapRepair, _exchange, swap_legs_everywhere
from runform.model import Keypoints

LEG = ("hip", "knee", "ankle", "heel", "foot_index")


@pytest.fixture(scope="module")
def prepared(raw_keypoints) -> Keypoints:
    return interpolate_gaps(remove_glitches(mask_low_confidence(raw_keypoints, 0.3)), 0.12)


@pytest.mark.parametrize("seed", range(4))
def test_injected_leg_swaps_are_repaired(prepared, seed):
    clean = LegSwapRepair().repair(prepared)
    rng = np.random.default_rng(seed)
    swapped = np.zeros(clean.n_frames, dtype=bool)
    for start in rng.choice(np.arange(20, clean.n_frames - 20), 6, replace=False):
        swapped[start : start + rng.integers(2, 9)] = True
    left = [clean.index(f"left_{p}") for p in LEG]
    right = [clean.index(f"right_{p}") for p in LEG]
    injected = _exchange(clean, left, right, swapped, "test injection")
    repair = LegSwapRepair()
    repaired = repair.repair(injected)
    wrong = np.nanmax(np.abs(repaired.xy_px - clean.xy_px)[:, left + right], axis=(1, 2)) > 1
    assert repair.n_swapped_frames_ >= swapped.sum()
    assert wrong.sum() == 0


def test_no_false_swaps_on_clean_clip(prepared):
    repair = LegSwapRepair()
    repair.repair(prepared)
    assert repair.n_swapped_frames_ == 0


def test_direction_and_near_leg(prepared):
    assert direction_sign(prepared) == -1  # runner faces image-left (SOURCES.md)
    sides = SideAssignment()
    out = sides.assign(prepared, -1)
    assert sides.cue_ == "depth" and not sides.relabelled_
    relabelled = SideAssignment().assign(swap_legs_everywhere(prepared), -1)
    np.testing.assert_allclose(relabelled.xy("left_ankle"), out.xy("left_ankle"), equal_nan=True)


def test_a_small_steady_confidence_gap_does_not_exchange_the_legs(prepared):
    """Without depth, the far leg is told by its clearly lower confidence; a tool writing 0.99 for
    one leg and 1.0 for the other (a steady gap, so an infinite t statistic) says nothing of it."""
    kp = prepared.replace(depth=None)
    near = [kp.index(f"left_{p}") for p in LEG]  # the runner faces image-left: the left leg is near
    jitter = np.random.default_rng(0).normal(0, 0.002, (kp.n_frames, len(near)))
    conf = np.ones_like(kp.confidence)
    conf[:, near] = 0.99 + jitter
    sides = SideAssignment()
    sides.assign(kp.replace(confidence=conf), -1)
    assert sides.cue_ == "labels" and not sides.relabelled_
    conf[:, near] = 0.6 + jitter  # clearly the hidden leg: the labels are exchanged
    sides = SideAssignment()
    sides.assign(kp.replace(confidence=conf), -1)
    assert sides.cue_ == "confidence" and sides.relabelled_


def test_exchanging_a_keypoint_files_own_labels_is_said(prepared, caplog):
    kp = prepared.replace(depth=None, source="csv:tool_export.csv")
    conf = np.ones_like(kp.confidence)
    conf[:, [kp.index(f"left_{p}") for p in LEG]] = 0.6 + np.random.default_rng(0).normal(0, 0.002, (kp.n_frames, len(LEG)))
    with caplog.at_level("WARNING", logger="runform.kinematics.sides"):
        SideAssignment().assign(kp.replace(confidence=conf), -1)
    assert "left and right exchanged: the legs labelled right look nearer" in caplog.text
    assert "runner's left side faces it" in caplog.text


def test_glitches_are_removed_and_gaps_filled(raw_keypoints):
    masked = mask_low_confidence(raw_keypoints, 0.3)
    cleaned = remove_glitches(masked)
    assert np.isnan(cleaned.xy_px).sum() > np.isnan(masked.xy_px).sum()
    filled = interpolate_gaps(cleaned, 0.12)
    assert np.isnan(filled.xy_px).sum() < np.isnan(cleaned.xy_px).sum()
    assert any("remove_glitches" in step for step in filled.log)


def test_lowpass_is_zero_lag():
    fs = 30.0
    t = np.arange(0, 6, 1 / fs)
    signal = np.sin(2 * np.pi * 1.4 * t)
    noisy = signal + 0.2 * np.random.default_rng(1).standard_normal(len(t))
    smooth = lowpass_series(noisy, cutoff_rule_hz(1.4, fs), fs)
    lag = np.argmax(np.correlate(smooth - smooth.mean(), signal, "full")) - (len(t) - 1)
    assert lag == 0
    assert np.std(smooth - signal) < np.std(noisy - signal)


def test_cutoff_rule_follows_stride_and_nyquist():
    assert cutoff_rule_hz(1.4, 120) == pytest.approx(9.8)
    assert cutoff_rule_hz(1.4, 15) == pytest.approx(6.0)  # 0.8 x Nyquist
    assert cutoff_rule_hz(0.3, 120) == 4.0


def test_variable_frame_rate_is_resampled(raw_keypoints):
    times = raw_keypoints.time_s.copy()
    jitter = np.where(np.arange(len(times)) % 7 == 0, 0.5, 0.0) / 30
    vfr = raw_keypoints.replace(time_s=times + np.cumsum(jitter))
    uniform = resample_uniform(vfr)
    assert np.allclose(np.diff(uniform.time_s), np.diff(uniform.time_s)[0])
    assert uniform.time_s[-1] == pytest.approx(vfr.time_s[-1], abs=1 / 30)


def test_cleaning_does_not_depend_on_pixel_scale(raw_keypoints):
    """The same runner filmed at a quarter of the resolution (every pixel coordinate / 4): the same
    glitches, the same stride frequency and cut-off (issue 11: cleaning tied to one clip's scale)."""
    from runform.kinematics import clean_keypoints

    small = raw_keypoints.replace(xy_px=raw_keypoints.xy_px / 4, depth=raw_keypoints.depth / 4)
    _, full = clean_keypoints(raw_keypoints)
    _, quarter = clean_keypoints(small)
    assert quarter.n_glitches == full.n_glitches
    assert quarter.stride_frequency_hz == pytest.approx(full.stride_frequency_hz, rel=1e-6)
    assert quarter.cutoff_hz == pytest.approx(full.cutoff_hz, rel=1e-6)


def test_perspective_is_not_taken_for_glitches(raw_keypoints):
    """An oblique lab camera makes the shank look 30 % longer at one end of the stride than at the
    other. That is geometry, not pose errors: the glitch rule must not blank most of the clip."""
    from runform.kinematics import clean_keypoints

    xy = raw_keypoints.xy_px.copy()
    phase = 2 * np.pi * raw_keypoints.time_s * 1.4  # about one stride per 0.7 s
    for side in ("left", "right"):
        knee = xy[:, raw_keypoints.index(f"{side}_knee")]
        stretch = 1 + 0.3 * np.sin(phase)[:, None]
        for part in ("ankle", "heel", "foot_index"):
            i = raw_keypoints.index(f"{side}_{part}")
            xy[:, i] = knee + (xy[:, i] - knee) * stretch
    _, report = clean_keypoints(raw_keypoints.replace(xy_px=xy))
    legs = 10
    assert report.n_glitches < 0.1 * raw_keypoints.n_frames * legs
    assert np.isfinite(report.stride_frequency_hz)


def test_a_landmark_entering_the_picture_fast_is_not_a_glitch():
    """Before its first sighting a landmark is unknown, not at 0 px: a swinging foot that enters
    the picture (or whose track starts) in mid-swing keeps its first frames."""
    from tests.fixtures.gait import make_gait_keypoints

    kp, _ = make_gait_keypoints(fps=30.0, duration_s=3.0)
    names = [kp.index(f"right_{p}") for p in ("ankle", "heel", "foot_index")]
    speed = np.linalg.norm(np.gradient(kp.xy_px[:, names[2]], axis=0), axis=1)
    blanked = 0
    for cut in np.argsort(speed)[::-1][:10]:  # where the foot moves fastest, its track starts or ends
        xy = kp.xy_px.copy()
        xy[:cut, names] = np.nan
        cleaned = remove_glitches(kp.replace(xy_px=xy))
        blanked += int(np.isnan(cleaned.xy_px[:, names]).any(axis=-1).sum() - np.isnan(xy[:, names]).any(axis=-1).sum())
        xy = kp.xy_px.copy()
        xy[cut + 1 :, names] = np.nan
        cleaned = remove_glitches(kp.replace(xy_px=xy))
        blanked += int(np.isnan(cleaned.xy_px[:, names]).any(axis=-1).sum() - np.isnan(xy[:, names]).any(axis=-1).sum())
    assert blanked == 0
