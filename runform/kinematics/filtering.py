"""Confidence masking, gap interpolation, resampling and zero-lag low-pass filtering.

Cut-off rule (documented in docs/METRICS.md): ``cutoff_hz = clip(harmonics x stride_frequency_hz,
min_cutoff_hz, fraction_of_nyquist x Nyquist)`` with 7 harmonics, at least 4 Hz and at most 0.8 of
the Nyquist frequency. Running joint kinematics hold most of their power below the 6th-8th stride
harmonic (Winter 2009, *Biomechanics and Motor Control of Human Movement*, ch. 2; typical fixed
cut-offs of 6-12 Hz for running, e.g. Fukuchi et al. 2017 used 10 Hz). Tying the cut-off to the
stride frequency keeps the same smoothing for slow joggers and sprinters whatever the camera rate.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.signal import butter, sosfiltfilt

from runform.model import Keypoints

logger = logging.getLogger(__name__)

HARMONICS = 7.0
REFERENCE_FPS = 30.0  # frame rate at which the glitch and swap thresholds were set
MIN_CUTOFF_HZ = 4.0
#: A "glitch" rule that fires in more than this share of frames is measuring the camera, not errors.
MAX_SEGMENT_FLAGGED_FRAC = 0.2
FRACTION_OF_NYQUIST = 0.8
#: Cut-off when no stride frequency is known: 7 harmonics of a 1.4 Hz stride, a typical runner's.
FALLBACK_CUTOFF_HZ = 10.0
#: A shank or thigh whose length departs from its median by more than this share is a glitch
#: (sagittal views foreshorten these segments little; set on the shared clip with the glitch rule).
MAX_SEGMENT_LENGTH_CHANGE_FRAC = 0.2
#: Leg length assumed when none can be measured (px), so that the glitch rule still has a scale.
FALLBACK_LEG_LENGTH_PX = 100.0


def cutoff_rule_hz(stride_frequency_hz: float, sampling_rate_hz: float) -> float:
    """Low-pass cut-off from the stride frequency and the frame rate (see module docstring)."""
    nyquist = sampling_rate_hz / 2.0
    wanted = HARMONICS * stride_frequency_hz if np.isfinite(stride_frequency_hz) else FALLBACK_CUTOFF_HZ
    return float(min(max(wanted, MIN_CUTOFF_HZ), FRACTION_OF_NYQUIST * nyquist))


def _as_columns(values: np.ndarray) -> np.ndarray:
    """View of an array as (time, everything else), also for zero-length arrays."""
    return values.reshape(values.shape[0], int(np.prod(values.shape[1:], dtype=int)))


def finite_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of consecutive True values."""
    padded = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    return list(zip(edges[::2], edges[1::2]))


def lowpass_series(values: np.ndarray, cutoff_hz: float, sampling_rate_hz: float, order: int = 2) -> np.ndarray:
    """Zero-lag Butterworth (forward-backward) along axis 0; NaN runs are left as gaps."""
    values = np.asarray(values, dtype=float)
    out = values.copy()
    if cutoff_hz >= sampling_rate_hz / 2.0:
        return out
    sos = butter(order, cutoff_hz, btype="low", fs=sampling_rate_hz, output="sos")
    flat = _as_columns(out)
    for col in range(flat.shape[1]):
        for start, stop in finite_runs(np.isfinite(flat[:, col])):
            if stop - start > 3 * (2 * order + 1):
                flat[start:stop, col] = sosfiltfilt(sos, flat[start:stop, col])
    return flat.reshape(values.shape)


def interpolate_series(values: np.ndarray, max_gap_samples: int) -> np.ndarray:
    """Linear interpolation over interior NaN gaps of at most ``max_gap_samples`` missing samples (axis 0)."""
    out = np.array(values, dtype=float, copy=True)
    flat = _as_columns(out)
    idx = np.arange(len(out))
    for col in range(flat.shape[1]):
        good = np.isfinite(flat[:, col])
        if good.sum() < 2:
            continue
        for start, stop in finite_runs(~good):
            if start > 0 and stop < len(out) and stop - start <= max_gap_samples:
                flat[start:stop, col] = np.interp(idx[start:stop], idx[good], flat[good, col])
    return flat.reshape(out.shape)


def mask_low_confidence(kp: Keypoints, min_confidence: float) -> Keypoints:
    """Set landmarks whose confidence is below ``min_confidence`` to NaN (unknown conf is kept)."""
    low = kp.confidence < min_confidence
    xy = kp.xy_px.copy()
    xy[low] = np.nan
    return kp.replace(xy_px=xy, note=f"mask_low_confidence(min_confidence={min_confidence})")


def interpolate_gaps(kp: Keypoints, max_gap_s: float) -> Keypoints:
    """Gaps of at most ``max_gap_s`` filled: frames without a picture of their own
    (``kp.observed``: ``--fast``, repeated pictures) by a cubic spline through the observed frames
    (:func:`fill_unobserved_cubic`), other gaps (a landmark lost) by straight lines.

    A gap is counted in missing frames: at most ``max_gap_s`` x the sampling rate, rounded to the
    nearest whole frame (0.12 s: 4 frames at 30 fps, 7 at 60 fps; the cleaning was tuned so)."""
    max_gap = int(round(max_gap_s * kp.sampling_rate_hz))
    xy = kp.xy_px if kp.observed is None or kp.observed.all() else fill_unobserved_cubic(kp.xy_px, kp.time_s, kp.observed, max_gap)
    return kp.replace(xy_px=interpolate_series(xy, max_gap), note=f"interpolate_gaps(max_gap_s={max_gap_s})")


def fill_unobserved_cubic(values: np.ndarray, time_s: np.ndarray, observed: np.ndarray, max_gap_samples: int) -> np.ndarray:
    """``values`` (time first) with the NaN of unobserved frames filled by a cubic spline through
    the observed frames' finite values, within each run of at least 4 of them and across at most
    ``max_gap_samples`` missing frames: the samples are a decimated series (a 30 fps clip with ``--fast`` holds 15
    Hz), and a straight line between samples cuts the corner of a foot's rise or deceleration
    (docs/ACCURACY.md, "15 fps")."""
    from scipy.interpolate import CubicSpline

    out = np.array(values, dtype=float, copy=True)
    flat = _as_columns(out)
    frames = np.flatnonzero(observed)
    for col in range(flat.shape[1]):
        finite = np.isfinite(flat[frames, col])
        for start, stop in finite_runs(finite):
            if stop - start < 4:
                continue
            run = frames[start:stop]
            inside = np.arange(run[0], run[-1] + 1)
            fill = inside[~observed[inside] & np.isnan(flat[inside, col])]
            gaps = np.searchsorted(run, fill)  # the observed frame after each filled one
            fill = fill[run[gaps] - run[gaps - 1] - 1 <= max_gap_samples]
            if len(fill):
                flat[fill, col] = CubicSpline(time_s[run], flat[run, col])(time_s[fill])
    return flat.reshape(out.shape)


def resample_uniform(kp: Keypoints, tolerance: float = 0.25) -> Keypoints:
    """Put variable-frame-rate data on a uniform time grid at the median rate (no-op if uniform).

    ``tolerance`` is the largest allowed deviation of a frame interval from the median, as a
    fraction of it, before the series counts as variable-rate.
    """
    dt = np.diff(kp.time_s)
    if len(dt) == 0 or np.all(np.abs(dt - np.median(dt)) <= tolerance * np.median(dt)):
        return kp
    step = float(np.median(dt))
    grid = np.arange(kp.time_s[0], kp.time_s[-1] + step / 2, step)

    def on_grid(values: np.ndarray) -> np.ndarray:
        return _linear_on_grid(values, kp.time_s, grid)

    depth = None if kp.depth is None else on_grid(kp.depth)
    return kp.replace(
        xy_px=on_grid(kp.xy_px), confidence=on_grid(kp.confidence), time_s=grid, depth=depth, observed=None,
        note=f"resample_uniform(rate_hz={1 / step:.3f}, from variable frame rate)",
    )  # fmt: skip


def _linear_on_grid(values: np.ndarray, time_s: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``values`` (time first) linearly interpolated at the times ``grid`` (NaN outside ``time_s``)."""
    flat = _as_columns(values)
    cols = [np.interp(grid, time_s, flat[:, c], left=np.nan, right=np.nan) for c in range(flat.shape[1])]
    return np.stack(cols, axis=1).reshape((len(grid),) + values.shape[1:])


def upsample_cubic(kp: Keypoints, rate_hz: float) -> Keypoints:
    """``kp`` on a uniform grid at ``rate_hz`` (from its first time stamp), positions by a cubic
    spline through each tracked run (at least 4 samples; runs of 2-3 samples linearly; a single
    isolated sample is dropped), NaN in gaps and outside the runs; confidence and depth linearly. For sub-frame timing on clips filmed slower
    than the events need: a straight line between samples 1/15 s apart cuts the corner of a foot's
    convex rise or deceleration and times it early or late (docs/ACCURACY.md, "15 fps")."""
    from scipy.interpolate import CubicSpline

    t = kp.time_s
    grid = np.arange(t[0], t[-1] + 0.5 / rate_hz, 1.0 / rate_hz)
    flat = _as_columns(kp.xy_px)
    out = np.full((len(grid), flat.shape[1]), np.nan)
    for col in range(flat.shape[1]):
        for start, stop in finite_runs(np.isfinite(flat[:, col])):
            if stop - start < 2:
                continue
            inside = (grid >= t[start] - 1e-9) & (grid <= t[stop - 1] + 1e-9)
            run_t, run_v = t[start:stop], flat[start:stop, col]
            out[inside, col] = CubicSpline(run_t, run_v)(grid[inside]) if stop - start >= 4 else np.interp(grid[inside], run_t, run_v)

    depth = None if kp.depth is None else _linear_on_grid(kp.depth, t, grid)
    return kp.replace(
        xy_px=out.reshape((len(grid),) + kp.xy_px.shape[1:]), confidence=_linear_on_grid(kp.confidence, t, grid), time_s=grid,
        depth=depth, observed=None, note=f"upsample_cubic(rate_hz={rate_hz:g})",
    )  # fmt: skip


def lowpass(kp: Keypoints, cutoff_hz: float, order: int = 2) -> Keypoints:
    return kp.replace(
        xy_px=lowpass_series(kp.xy_px, cutoff_hz, kp.sampling_rate_hz, order),
        note=f"lowpass(butterworth order={order}, zero-lag, cutoff_hz={cutoff_hz:.2f})",
    )


def remove_glitches(kp: Keypoints, window_s: float = 0.1, max_jump_frac_leg: float = 0.15) -> Keypoints:
    """Blank single-landmark outliers: frames far from the running median of their neighbours.

    BlazePose sometimes snaps the near leg onto the far leg for one or two frames around contact
    and toe-off (seen on the shared treadmill clip, frames 27 and 49). A point that lies more than
    ``max_jump_frac_leg`` x leg length from the median of a ``window_s``-wide window (at least
    3 frames) is set to NaN and later interpolated. Both values were set at 30 fps; below
    ``REFERENCE_FPS`` the threshold grows in proportion to the frame interval, because a real
    trajectory departs further from its running median when samples are further apart.
    """
    from scipy.ndimage import median_filter

    fps = kp.sampling_rate_hz
    half = max(1, int(round(window_s * fps / 2)))
    leg = _median_leg_length_px(kp) * max(1.0, REFERENCE_FPS / fps)
    xy = kp.xy_px.copy()
    # a landmark's track before its first and after its last sighting takes its nearest value
    # (not 0 px: the image corner would drag the running median near the ends of the track)
    filled = _edge_filled(interpolate_series(xy, max_gap_samples=len(xy)))
    med = median_filter(np.nan_to_num(filled), size=(2 * half + 1, 1, 1), mode="nearest")
    dist = np.linalg.norm(xy - med, axis=-1)
    bad = dist > max_jump_frac_leg * leg
    bad |= _implausible_segments(kp, max_length_change=MAX_SEGMENT_LENGTH_CHANGE_FRAC)
    xy[bad] = np.nan
    return kp.replace(xy_px=xy, note=f"remove_glitches(window_s={window_s}, max_jump_frac_leg={max_jump_frac_leg}, n={int(bad.sum())})")


def _edge_filled(values: np.ndarray) -> np.ndarray:
    """``values`` (time first) with each column's leading and trailing NaN set to its first and
    last finite value (columns without any stay NaN)."""
    out = np.array(values, dtype=float, copy=True)
    flat = _as_columns(out)
    for col in range(flat.shape[1]):
        good = np.flatnonzero(np.isfinite(flat[:, col]))
        if len(good):
            flat[: good[0], col] = flat[good[0], col]
            flat[good[-1] + 1 :, col] = flat[good[-1], col]
    return flat.reshape(out.shape)


def _median_leg_length_px(kp: Keypoints) -> float:
    """Median thigh + shank length over both legs and all frames, in pixels (100 if unknown)."""
    lengths = np.concatenate([kp.leg_length_px(side) for side in ("left", "right")])
    return float(np.nanmedian(lengths)) if np.isfinite(lengths).any() else FALLBACK_LEG_LENGTH_PX


def _implausible_segments(kp: Keypoints, max_length_change: float,
                          max_flagged_frac: float = MAX_SEGMENT_FLAGGED_FRAC) -> np.ndarray:  # fmt: skip
    """(T, K) mask of distal landmarks whose shank or thigh length departs from its median by
    more than ``max_length_change`` (a fraction): the pose model has put the joint elsewhere.

    Sagittal running views foreshorten these segments little, so a brief large change is an error.
    A segment whose length is "off" in more than ``max_flagged_frac`` of the frames is not
    glitching but seen in perspective, obliquely or at low resolution: flagging it would blank most
    of the clip, so that segment is left alone (and a warning says so)."""
    bad = np.zeros(kp.xy_px.shape[:2], dtype=bool)
    for side in ("left", "right"):
        chain = [f"{side}_{p}" for p in ("hip", "knee", "ankle")]
        for proximal, distal in zip(chain[:-1], chain[1:]):
            length = np.linalg.norm(kp.xy(proximal) - kp.xy(distal), axis=1)
            if not np.isfinite(length).any():
                continue
            off = np.abs(length / np.nanmedian(length) - 1) > max_length_change
            if off.mean() > max_flagged_frac:
                logger.warning(
                    "the %s-%s length varies by more than %.0f%% in %.0f%% of frames (perspective, an oblique "
                    "view or low resolution): not treated as pose glitches", proximal, distal,
                    100 * max_length_change, 100 * off.mean(),
                )  # fmt: skip
                continue
            for name in chain[chain.index(distal):] + [f"{side}_heel", f"{side}_foot_index"]:
                bad[:, kp.index(name)] |= off
    return bad
