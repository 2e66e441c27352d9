"""Summaries over strides: median, IQR, n, and the left/right symmetry index.

Symmetry index (Robinson et al. 1987, *J Manipulative Physiol Ther* 10:172):
``SI = 100 x (left - right) / (0.5 x (left + right))`` on the per-side medians; 0 = symmetric.
For angles that can be near zero (knee at contact, foot ahead of hip) the plain left-minus-right
difference is also given, since SI explodes when the mean is close to 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from runform.metrics.strides import MAX_MISSING_FRAC_STRIDE, longest_span_within_s
from runform.metrics.uncertainty import attach
from runform.model import STRIDE_ID_COLUMNS

NON_METRIC_COLUMNS = set(STRIDE_ID_COLUMNS)
#: Metrics that need sub-frame event timing; unreliable below 24 fps (quality gate).
TIMING_METRICS = ("contact_time_s", "flight_time_s", "swing_time_s", "duty_factor")
#: Metrics read from one leg's own knee, ankle or foot landmarks (angles, foot placement): when
#: only one leg is tracked reliably (the far leg is often hidden and guessed by the pose model),
#: their headline value is that leg's, not the pool of both. Timing, lengths and pelvis metrics
#: rest on the feet's events and the pelvis, and keep both legs.
LEG_METRICS = ("max_thigh_angle_deg", "hip_extension_at_toe_off_deg", "peak_swing_knee_flexion_deg",
               "knee_flexion_at_contact_deg", "shank_angle_at_contact_deg", "foot_ahead_of_hip_cm", "foot_ahead_of_hip_px",
               "foot_ahead_of_hip_pct_leg", "foot_strike_angle_deg", "thigh_peak_velocity_pct_swing",
               "foot_descent_speed_mps", "foot_descent_speed_px_s")  # fmt: skip


def metric_columns(per_stride: pd.DataFrame) -> list[str]:
    return [c for c in per_stride.columns if c not in NON_METRIC_COLUMNS]


def describe(values: pd.Series | np.ndarray) -> dict[str, float | int | None]:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return {"median": None, "iqr": None, "q1": None, "q3": None, "mean": None, "sd": None, "n": 0}
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return {
        "median": _r(med), "iqr": _r(q3 - q1), "q1": _r(q1), "q3": _r(q3), "mean": _r(v.mean()),
        "sd": _r(v.std(ddof=1)) if len(v) > 1 else None, "n": int(len(v)),
    }  # fmt: skip


def _r(x: float) -> float:
    return float(round(float(x), 4))


def summarize(per_stride: pd.DataFrame) -> dict:
    """``{"all": {metric: stats}, "left": {...}, "right": {...}, "symmetry_index_pct": {...},
    "left_minus_right": {...}, "foot_strike": {side: most common class}}``."""
    if per_stride.empty:
        return {"all": {}, "left": {}, "right": {}, "symmetry_index_pct": {}, "left_minus_right": {}, "foot_strike": {}}
    cols = metric_columns(per_stride)
    out: dict = {"all": {c: describe(per_stride[c]) for c in cols}}
    for side in ("left", "right"):
        part = per_stride[per_stride["side"] == side]
        out[side] = {c: describe(part[c]) for c in cols}
    out["symmetry_index_pct"], out["left_minus_right"] = {}, {}
    for c in cols:
        left, right = out["left"][c]["median"], out["right"][c]["median"]
        if left is None or right is None:
            continue
        out["left_minus_right"][c] = _r(left - right)
        size = 0.5 * (abs(left) + abs(right))  # |L|, |R|: the sign says which leg is larger, also below 0
        if size > 1e-9:
            out["symmetry_index_pct"][c] = _r(100 * (left - right) / size)
    out["foot_strike"] = {
        side: (per_stride.loc[per_stride["side"] == side, "foot_strike"].mode().iloc[0]
               if (per_stride["side"] == side).any() else "unknown")
        for side in ("left", "right")
    }  # fmt: skip
    return out


def overall_cadence_steps_per_min(events: pd.DataFrame, missing_s: list[tuple[float, float]] = ()) -> float | None:
    """Steps per minute over the whole clip, from each foot's contacts.

    Each foot's contacts are split into runs whose gaps are whole numbers of strides (within
    ``STRIDE_GAP_TOLERANCE``; a gap of two strides is a missed contact and stays in the run, a gap
    of 1.5 strides, a misplaced contact, ends it). The stride period is the least-squares slope of
    contact time on stride number, pooled over the runs and both feet (each run its own intercept);
    cadence = 120 / period. A missed or misplaced contact therefore moves the result very little.
    Falls back to all contacts together (steps) when no foot has three contacts in a run.
    ``missing_s``: spans without the runner (:func:`~runform.metrics.strides.missing_spans_s`); a
    run also ends at a gap that holds more than ``MAX_MISSING_FRAC_STRIDE`` of a stride of them
    (between two overground passes the runner's rhythm is not seen)."""
    runs = [r for side in ("left", "right") for r in _contact_runs(events, side, missing_s)]
    if runs:
        return round(120.0 / _pooled_slope(runs), 3)
    runs = _contact_runs(events, None, missing_s)
    return round(60.0 / _pooled_slope(runs), 3) if runs else None


#: A gap between contacts counts as n strides when it is within this fraction of a stride of n.
STRIDE_GAP_TOLERANCE = 0.25


def _contact_runs(events: pd.DataFrame, side: str | None,
                  missing_s: list[tuple[float, float]] = ()) -> list[tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """(stride number, time) arrays of runs of at least 3 contacts with whole-stride gaps."""
    mask = events["event"] == "contact"
    if side is not None:
        mask &= events["side"] == side
    t = np.sort(events.loc[mask, "time_s"].to_numpy())
    if len(t) < 3:
        return []
    ratio = np.diff(t) / np.median(np.diff(t))
    whole = np.round(ratio)
    fits = (whole >= 1) & (np.abs(ratio - whole) <= STRIDE_GAP_TOLERANCE)
    limit = MAX_MISSING_FRAC_STRIDE * np.median(np.diff(t))
    fits &= np.array([longest_span_within_s(list(missing_s), a, b) <= limit for a, b in zip(t[:-1], t[1:])], dtype=bool)
    runs, start = [], 0
    for i, ok in enumerate(np.append(fits, False)):
        if not ok:
            if i + 1 - start >= 3:
                number = np.concatenate([[0.0], np.cumsum(whole[start:i])])
                runs.append((number, t[start : i + 1]))
            start = i + 1
    return runs


def _pooled_slope(runs: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Least-squares slope of time on number, one intercept per run."""
    num = sum(float(((n - n.mean()) * (t - t.mean())).sum()) for n, t in runs)
    den = sum(float(((n - n.mean()) ** 2).sum()) for n, _ in runs)
    return num / den


def run_summary(per_stride: pd.DataFrame, *, overall_cadence: float | None, timing_reliable: bool,
                sampling_rate_hz: float, source_kind: str, mean_confidence: float,
                calibration_method: str | None = None, reliable_sides: tuple[str, ...] = ("left", "right"),
                leg_length_m: float | None = None) -> dict:  # fmt: skip
    """The ``summary`` block of a run. Per metric: ``value`` (headline: the median, the overall
    cadence for cadence), median/IQR/n over all strides, ``left``/``right``,
    ``symmetry_index_pct``, ``left_minus_right``, ``reliable`` (False for timing metrics when the
    frame rate is too low) and the uncertainty fields of :func:`~runform.metrics.uncertainty.attach`;
    plus ``foot_strike`` (most common class per side). ``reliable_sides``: the legs tracked well
    enough for their angles; with one, the :data:`LEG_METRICS` headline is that leg's strides alone
    (``headline_side`` names it)."""
    stats = summarize(per_stride)
    one_leg = reliable_sides[0] if len(reliable_sides) == 1 else None
    out: dict[str, dict] = {}
    for metric in metric_columns(per_stride) if not per_stride.empty else []:
        headline = one_leg if one_leg is not None and metric in LEG_METRICS and stats[one_leg][metric]["n"] else None
        entry = dict(stats[headline or "all"][metric])
        entry["headline_side"] = headline
        entry["value"] = entry["median"]
        entry["left"] = stats["left"][metric]
        entry["right"] = stats["right"][metric]
        entry["symmetry_index_pct"] = stats["symmetry_index_pct"].get(metric)
        entry["left_minus_right"] = stats["left_minus_right"].get(metric)
        entry["reliable"] = timing_reliable or metric not in TIMING_METRICS
        out[metric] = entry
    if "cadence_steps_per_min" in out:
        out["cadence_steps_per_min"]["value"] = overall_cadence
    attach(out, sampling_rate_hz, source_kind, mean_confidence, calibration_method=calibration_method,
           leg_length_m=leg_length_m)
    out["foot_strike"] = stats["foot_strike"]
    return out
