"""Uncertainty and minimal detectable change (MDC) of every summary value.

For a metric summarised over ``n`` strides with stride-to-stride SD ``sd``:

* ``method_rmse``: the per-stride error of runform's method at this frame rate, from the accuracy
  benchmark (``error_model.json``: projected RBDS motion capture with realistic pose noise, untuned
  trials), scaled by ``max(1, 0.8 / mean leg-landmark confidence)`` for poorly tracked clips, and
  for video sources never below the error measured on the hand-labelled video;
* ``bias``: the benchmark's systematic error (does not shrink with n); for video sources combined
  with the 2-D pose systematic angle error (knee 7.5 deg, Van Hooren et al. 2023; 5 deg assumed
  for segment angles), which projected motion capture cannot show;
* ``uncertainty = 1.96 x sqrt((t/1.96)^2 sd^2/n + method_rmse^2/n + systematic^2)``: the 95 %
  half-width of the value, with ``t = t(0.975, n - 1)`` (:func:`stride_factor`) because ``sd`` is
  estimated from the clip's own n strides (a 12 s clip has about 8 per leg: t = 2.36), while the
  method's errors are known from the benchmark. ``systematic`` (error_model.json, ``benchmarks/accuracy.py systematic_by_fps``) is the
  error of one clip's value that does not average out over its strides, for a runner the model has
  NOT seen: clip error = runner offset + within-runner scatter. The runner offsets (kinematic vs
  force-plate events depend on how a runner brings the foot down, not on the frame rate) are pooled
  over the benchmarked frame rates from 30 fps up (at 15 fps, where the rate adds errors of its own,
  they are the runner's at 15 fps); their RMS ``s_b`` over the R = 10 tuning runners is widened by
  Howe's 95 %-content / 95 %-confidence tolerance factor (k = 3.38 for 10 runners instead of 1.96,
  the chi-square uncertainty of a spread estimated from 10 runners), and the within-runner scatter
  ``s_w`` (speed, camera side, noise; per frame rate) is added in quadrature:
  ``systematic = sqrt((k / 1.96 x s_b)^2 + s_w^2)``. (Howe's k is defined for a standard deviation
  about the sample mean; ``s_b`` is taken about zero so that a mean bias counts too, which makes the
  band approximately, and if anything conservatively, 95 %/95 %.) The method was chosen by
  cross-validation within the tuning runners (``benchmarks/error_model_cv.py``, docs/ACCURACY.md);
* ``mdc95 = 1.96 x sqrt(2) x sqrt((t/1.96)^2 sd^2/n + method_rmse^2/n)``: the smallest change between two
  sessions filmed the same way that is real with 95 % confidence (the runner's offset, being the
  same in both sessions, cancels in a retest, so ``systematic`` is not part of it). What the leg
  length scales (lengths from ``--height``, ``*_pct_leg``) adds ``(leg_length_retest x value)^2``
  inside the root: every clip reads the leg length again (``leg_length_retest`` of
  error_model.json: its within-runner scatter on the RBDS tuning runners).

Metrics absent from the benchmark (trunk lean, vertical oscillation, foot strike angle...) get
only the stride term and ``validated: false``.

Lengths and speeds in metres (``*_m``, ``*_cm``, ``*_mps``) scaled from the runner's height add the
height calibration's own systematic error (``calibration_scale`` of error_model.json: how far the
leg length = 0.491 x height rule puts the scale from the belt speed's on the RBDS tuning runners, by
the same tolerance model): ``systematic x |value|`` in quadrature with the bias. A runner's height
gives the same scale in a retest, so the MDC leaves the rule's error out, but not the leg length's
own scatter between clips (above). A scale from the belt speed or a marked
distance is taken as given (it is as good as the number the user gives). Stride and step length
are the running speed times the stride (step) time: with a marked distance or motion capture's own
scale the speed is still read from the pose, so they carry its error (``calibration_scale`` of
``known_distance`` and ``camera``: the speed read on the RBDS tuning runners against the belt, by
the same tolerance model); their per-stride error is the stride (step) time's as a fraction of it.
With a belt speed the speed is given and only the time's error remains.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np
from scipy.special import stdtrit

REFERENCE_CONFIDENCE = 0.8
#: The uncertainty's factor when no landmark confidence is known (a file without one): as for a
#: mean confidence of 0.4, half the reference.
UNKNOWN_CONFIDENCE_FACTOR = 2.0


@lru_cache(maxsize=1)
def error_model() -> dict:
    return json.loads((resources.files("runform.metrics") / "error_model.json").read_text(encoding="utf-8"))


def _nearest_fps(table: dict, fps: float) -> dict:
    rates = sorted(float(k) for k in table)
    best = min(rates, key=lambda r: abs(np.log(r / fps)))
    return table[f"{best:g}"]


def method_error(metric: str, fps: float, source_kind: str, model: dict | None = None) -> tuple[float, float] | None:
    """(per-stride RMSE, systematic error of one clip's value) of ``metric`` at the nearest benchmarked
    frame rate, or None. The systematic error is the new-runner ``systematic`` of the error model
    where the benchmark measured it (see the module docstring), else the bias."""
    model = model or error_model()
    entry = _nearest_fps(model["by_fps"], fps).get(metric)
    if entry is None:
        return None
    if "rmse_pct" in entry:  # relative errors (lengths): returned as fractions, scaled by the caller
        return float(entry["rmse_pct"]) / 100, float(entry["bias_pct"]) / 100
    rmse, bias = float(entry["rmse"]), float(entry.get("systematic", abs(entry["bias"])))
    if source_kind == "video":
        bias = float(np.hypot(bias, model.get("video_systematic_deg", {}).get(metric, 0.0)))
        floor = model.get("video_floor", {}).get(metric)
        if floor is not None:
            scale = 30.0 / fps if metric.endswith("_s") else 1.0  # timing floors were measured at 30 fps
            rmse = max(rmse, float(floor["rmse"]) * scale)
    return rmse, bias


#: Units of the metrics whose values depend on the pixels-to-metres scale.
SCALED_SUFFIXES = ("_m", "_cm", "_mps")


#: Lengths read as the running speed times a time: a scale that is given or known (a marked
#: distance, motion capture's camera) still leaves them the error of the speed read from the pose.
SPEED_LENGTHS = ("stride_length_m", "step_length_m")


def calibration_systematic(method: str | None, fps: float, model: dict | None = None) -> float:
    """Relative systematic error (a fraction, 1.96 x it is its 95 % share) of lengths scaled by the
    calibration ``method`` at the nearest benchmarked frame rate; 0 for a scale taken as given."""
    table = (model or error_model()).get("calibration_scale", {}).get(method or "")
    return float(_nearest_fps(table, fps)) if table else 0.0


def scale_error(metric: str, method: str | None, fps: float, model: dict | None = None) -> float:
    """The scale's relative systematic error in ``metric``: every length and speed in metres with a
    scale from the runner's height; only :data:`SPEED_LENGTHS` with a marked distance or motion
    capture's own scale (the speed is read from the pose; with a belt speed it is given: 0)."""
    if not metric.endswith(SCALED_SUFFIXES) or (method != "height" and metric not in SPEED_LENGTHS):
        return 0.0
    return calibration_systematic(method, fps, model)


def stride_factor(n: int) -> float:
    """The 95 % two-sided factor for the stride-to-stride term of a value from ``n`` strides: Student's
    t(0.975, n - 1), since the SD is estimated from those strides (2.36 for 8 strides, 2.09 for 20,
    1.96 for many); 1.96 below two strides (no SD)."""
    return float(stdtrit(n - 1, 0.975)) if n >= 2 else 1.96


def leg_length_retest(fps: float, model: dict | None = None) -> float:
    """Relative scatter of the leg length read from the pose between clips of one runner at the
    nearest benchmarked frame rate (``leg_length_retest`` of error_model.json); 0 when absent."""
    table = (model or error_model()).get("leg_length_retest")
    return float(_nearest_fps(table, fps)) if table else 0.0


#: Metrics in centimetres whose method error is that of the same measurement in % of leg length
#: (validated), times the leg length: 1 % of a 0.9 m leg is 0.9 cm.
PER_LEG_TWINS = {"foot_ahead_of_hip_cm": "foot_ahead_of_hip_pct_leg"}


def _method_error_of(metric: str, fps: float, source_kind: str, model: dict | None,
                     leg_length_m: float | None) -> tuple[float, float] | None:  # fmt: skip
    """:func:`method_error`, or for a :data:`PER_LEG_TWINS` metric its twin's in cm of this leg."""
    err = method_error(metric, fps, source_kind, model)
    twin = PER_LEG_TWINS.get(metric)
    if err is None and twin is not None and leg_length_m is not None and np.isfinite(leg_length_m) and leg_length_m > 0:
        base = method_error(twin, fps, source_kind, model)
        return None if base is None else (base[0] * leg_length_m, base[1] * leg_length_m)
    return err


def attach(summary: dict, fps: float, source_kind: str, mean_confidence: float, model: dict | None = None,
           calibration_method: str | None = None, leg_length_m: float | None = None) -> dict:  # fmt: skip
    """Add ``uncertainty`` (95 % half-width), ``mdc95`` and ``validated`` to every metric of a summary
    (in place), and each leg's own ``uncertainty`` to its ``left`` / ``right`` entry (the same model
    on that leg's strides); ``calibration_method``: how lengths were scaled (``Calibration.method``);
    ``leg_length_m``: the runner's leg (thigh + shank) in metres, for :data:`PER_LEG_TWINS`."""
    factor = max(1.0, REFERENCE_CONFIDENCE / mean_confidence) if mean_confidence > 0 else UNKNOWN_CONFIDENCE_FACTOR
    leg_retest = leg_length_retest(fps, model)
    for metric, entry in summary.items():
        if not isinstance(entry, dict) or "n" not in entry:
            continue
        if not entry.get("n"):
            entry.update(uncertainty=None, mdc95=None, validated=False)
            continue
        err = _method_error_of(metric, fps, source_kind, model, leg_length_m)
        scale = scale_error(metric, calibration_method, fps, model)
        random, bias = _variances(metric, entry, err, factor, scale)
        entry["uncertainty"] = _half_width(random, bias)
        height_scaled = calibration_method == "height" and metric.endswith(SCALED_SUFFIXES)
        leg = leg_retest if metric.endswith("_pct_leg") or (scale and height_scaled) else 0.0
        retest = random + (leg * abs(entry.get("median") or 0.0)) ** 2  # the leg length is read again in a retest
        entry["mdc95"] = round(float(1.96 * np.sqrt(2) * np.sqrt(retest)), 4)
        entry["validated"] = err is not None
        for side in ("left", "right"):
            stats = entry.get(side)
            if isinstance(stats, dict) and "n" in stats:
                stats["uncertainty"] = _half_width(*_variances(metric, stats, err, factor, scale)) if stats["n"] else None
    return summary


def _half_width(random: float, bias: float) -> float:
    """The 95 % half-width from a random variance and a systematic error."""
    return round(float(1.96 * np.sqrt(random + bias**2)), 4)


def _variances(metric: str, stats: dict, err: tuple[float, float] | None, factor: float,
               scale_error: float) -> tuple[float, float]:  # fmt: skip
    """(random variance of the median of these strides, systematic error) of one metric: the stride
    spread over ``n`` strides and the method's per-stride error (``err``: RMSE, bias; lengths as a
    fraction of the value), plus the scale's error for scaled lengths."""
    n, sd = stats.get("n") or 0, stats.get("sd") or 0.0
    rmse, bias = (factor * err[0], err[1]) if err else (0.0, 0.0)
    value = abs(stats.get("median") or 0.0)
    if err and "length" in metric:
        rmse, bias = rmse * value, bias * value
    if scale_error and metric.endswith(SCALED_SUFFIXES):
        bias = float(np.hypot(bias, scale_error * value))
    strides = (stride_factor(n) / 1.96) ** 2 * sd**2 / n  # the SD is estimated from these n strides
    return strides + rmse**2 / n, bias
