"""Accuracy against truth: the one event detector on all 60 RBDS trials (force plates; 3-D joint
centres through a virtual side camera with realistic pose noise) and on the shared video's labels v2.

    python benchmarks/accuracy.py [--fps 15 30 60 120 240] [--sides right left] [--workers 2] [--write-error-model]
    python benchmarks/accuracy.py --from-runs [--write-error-model]   # re-analyse the last run's saved errors

Runners: parameters were chosen on TUNING (10 runners); every table reports HELD_OUT (the other
10). The run is the exact code a video runs after pose estimation (``pipeline.analyze_keypoints``).
Prints a table per frame rate and speed, and writes benchmarks/results/accuracy.json and .md.
With ``--write-error-model``, runform/metrics/error_model.json is rebuilt from the TUNING runners,
and the coverage of the reported 95 % uncertainty is then measured on HELD_OUT with that model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
import zlib
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm
from scipy.stats import t as student_t

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from fixtures.data import DATA  # noqa: E402 - one definition of where ../shared/data is (RUNFORM_SHARED_DATA)

RBDS = DATA / "rbds"

from runform.config import Config  # noqa: E402
from runform.io import from_rbds_joints  # noqa: E402
from runform.kinematics import calibrate  # noqa: E402
from runform.kinematics.calibration import leg_length_px  # noqa: E402
from runform.kinematics.stride import forward_position_px  # noqa: E402
from runform.metrics.uncertainty import attach, calibration_systematic  # noqa: E402
from runform.metrics.uncertainty import error_model as shipped_error_model  # noqa: E402
from runform.pipeline import analyze_keypoints  # noqa: E402
from runform.pose.noise import PoseNoise  # noqa: E402
from runform.pose.virtual_camera import VirtualCamera  # noqa: E402

TUNING = ["001", "003", "005", "006", "008", "010", "011", "014", "016", "020"]
HELD_OUT = ["002", "007", "012", "015", "017", "019", "022", "023", "024", "026"]
SPEEDS = ["25", "35", "45"]
NOISE = {"realistic": PoseNoise(), "none": PoseNoise(scale=0, glitch_rate=0, dropout_rate=0, swap_rate_per_s=0)}
ANGLES = {  # ours -> truth per_stride key: the angles, and the foot ahead of the hip (added by run_trial)
    "max_thigh_angle_deg": "max_thigh_swing_deg",
    "hip_extension_at_toe_off_deg": "hip_ext_toe_off_deg",
    "knee_flexion_at_contact_deg": "knee_flex_contact_deg",
    "peak_swing_knee_flexion_deg": "peak_swing_knee_flex_deg",
    "shank_angle_at_contact_deg": "shank_angle_contact_deg",
    "foot_ahead_of_hip_pct_leg": "foot_ahead_pct_leg",
}
COVERED = ("contact_time_s", "flight_time_s", "duty_factor", "max_thigh_angle_deg", "hip_extension_at_toe_off_deg",
           "knee_flexion_at_contact_deg", "shank_angle_at_contact_deg", "foot_ahead_of_hip_pct_leg")
LABELS_UPSTREAM_CADENCE = 168.9


@lru_cache(maxsize=1)
def runner_heights_m() -> dict[str, float]:
    """Standing height of each RBDS runner (``RBDSinfo.txt``), by runner number ("001")."""
    info = pd.read_csv(RBDS / "RBDSinfo.txt", sep="\t")
    return {f"{int(k):03d}": float(v) / 100 for k, v in info.groupby("Subject")["Height"].first().items()}


def height_scale(analysis, height_m: float) -> float:  # noqa: ANN001 - runform Analysis
    """Factor by which every stride or step length of ``analysis`` is off when read with ``--height``:
    runform's own height calibration (leg length = 0.491 x height) on the same keypoints, against
    the known belt speed (the truth of a treadmill stride: belt speed x stride time; with the belt
    speed given, runform's stride length is exactly that). It carries both the height rule's scale
    and the running speed read from the pose (``speed_ratio`` has that alone)."""
    video_like = analysis.keypoints.replace(px_per_m=None)  # as from video: no scale known by construction
    by_height = calibrate(video_like, analysis.events, analysis.cleaning.direction, Config(height_m=height_m))
    if analysis.calibration.px_per_m is None or by_height.px_per_m is None:  # no scale either way: not measured
        return float("nan")
    return float(analysis.calibration.px_per_m / by_height.px_per_m)


def _add_foot_ahead_truth(per_stride: list[dict], clean, direction: int) -> None:  # noqa: ANN001 - Keypoints
    """Each force-plate stride's foot ahead of the hip at its contact, in % of leg length, by
    runform's own definition (the ankle ahead of the pelvis centre along the running direction,
    over thigh + shank) on the noise-free projection of the markers: ``foot_ahead_pct_leg``."""
    leg_px = leg_length_px(clean)
    for stride in per_stride:
        ahead = forward_position_px(clean, f"{stride['side']}_ankle", direction)
        stride["foot_ahead_pct_leg"] = float(100 * np.interp(stride["contact_s"], clean.time_s, ahead) / leg_px)


def _true_angle(summary: dict, per_stride: list[dict], ours: str, truth_key: str) -> float:
    """The truth for a clip's headline angle: the median over the force-plate strides of the legs
    the headline uses (one reliable leg: its own strides)."""
    side = (summary.get(ours) or {}).get("headline_side")
    values = [s[truth_key] for s in per_stride if side in (None, s["side"]) and s.get(truth_key) is not None]
    return float(np.median(values)) if values else float("nan")


def trials(runners: list[str]) -> list[str]:
    return [f"RBDS{r}runT{s}" for r in runners for s in SPEEDS]


def trial_keypoints(trial: str, fps: float, side: str, noise: str = "realistic"):  # noqa: ANN201 - (Keypoints, Keypoints, VirtualCamera)
    """A trial's markers through a virtual side camera: (keypoints with ``noise``, the noise-free
    projection, the camera). The noise is deterministic across runs (seeded by trial, rate, side)."""
    camera = VirtualCamera(fps=fps, side=side)
    clean = camera.project(from_rbds_joints(RBDS / f"{trial}_joints.csv"))
    # fps:g so that --fps 30 (a float) draws the same noise as the default 30
    seed = zlib.crc32(f"{trial}|{fps:g}|{side}|{noise}".encode())
    return NOISE[noise].apply(clean, seed=seed), clean, camera


def run_trial(trial: str, fps: float, side: str, noise: str = "realistic") -> dict:
    """One trial through one camera: per-event and per-stride errors, per-trial summary errors."""
    truth = json.loads((RBDS / f"{trial}_truth.json").read_text())
    true_events = pd.read_csv(RBDS / f"{trial}_events.csv")
    kp, clean, camera = trial_keypoints(trial, fps, side, noise)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        analysis = analyze_keypoints(kp, Config(treadmill_speed_mps=truth["belt_speed_m_per_s"]), trial)
        scale = height_scale(analysis, runner_heights_m()[trial[4:7]])
    _add_foot_ahead_truth(truth["per_stride"], clean, analysis.cleaning.direction)
    events, strides = analysis.events, analysis.strides
    out: dict = {"trial": trial, "runner": trial[4:7], "speed": trial[-2:], "fps": fps, "side": side,
                 "held_out": trial[4:7] in HELD_OUT, "n_true_events": len(true_events)}  # fmt: skip
    for kind in ("contact", "toe_off"):
        errors = []
        for _, row in true_events[true_events["event"] == kind].iterrows():
            same = events[(events["side"] == row["side"]) & (events["event"] == kind)]["time_s"].to_numpy()
            err = same[np.argmin(np.abs(same - row["time_s"]))] - row["time_s"] if len(same) else np.nan
            errors.append(err if abs(err) < 0.15 else np.nan)  # farther: a missed event
        out[f"{kind}_errors_ms"] = [1000 * e for e in errors]
    stride_errors: dict[str, list[float]] = {k: [] for k in ("contact_time_ms", *ANGLES)}
    for stride in truth["per_stride"]:
        ours = strides[strides["side"] == stride["side"]] if len(strides) else strides
        if ours.empty:
            continue
        k = int(np.argmin(np.abs(ours["start_time_s"].to_numpy() - stride["contact_s"])))
        if abs(ours["start_time_s"].iloc[k] - stride["contact_s"]) > 0.1:
            continue
        row = ours.iloc[k]
        stride_errors["contact_time_ms"].append(1000 * (row["contact_time_s"] - (stride["toe_off_s"] - stride["contact_s"])))
        for ours_key, truth_key in ANGLES.items():
            stride_errors[ours_key].append(row[ours_key] - stride[truth_key])
    out["stride_errors"] = stride_errors
    t = truth["temporal"]
    angle_truths = {ours: _true_angle(analysis.summary, truth["per_stride"], ours, key) for ours, key in ANGLES.items()}
    true_thigh = angle_truths["max_thigh_angle_deg"]
    truths = {"contact_time_s": t["contact_time_s"]["mean"], "flight_time_s": t["flight_time_s"]["mean"],
              "duty_factor": t["duty_factor"], "cadence_steps_per_min": t["cadence_steps_per_min"], **angle_truths}  # fmt: skip
    summary = analysis.summary
    out["summary"] = {m: {k: summary.get(m, {}).get(k) for k in ("median", "mean", "sd", "n", "value", "uncertainty")}
                      for m in truths}  # fmt: skip
    out["summary"]["height_scale"] = {"value": scale}
    # the runner's speed read from the pose (pixels/s, at the camera's true scale) over the belt speed
    out["speed_ratio"] = analysis.calibration.running_speed_px_s / camera.px_per_m / truth["belt_speed_m_per_s"]
    out["truth"] = {**truths, "height_scale": 1.0}
    _add_speed_scale(out)
    out["mean_error"] = {  # per-trial error of the mean over strides (what a user reads)
        "contact_time_ms": 1000 * (strides["contact_time_s"].mean() - truths["contact_time_s"]) if len(strides) else np.nan,
        "flight_time_ms": 1000 * (strides["flight_time_s"].mean() - truths["flight_time_s"]) if len(strides) else np.nan,
        "duty_factor": strides["duty_factor"].mean() - truths["duty_factor"] if len(strides) else np.nan,
        "max_thigh_angle_deg": (summary.get("max_thigh_angle_deg", {}).get("value") or np.nan) - true_thigh,
        "cadence_spm": (analysis.overall_cadence_steps_per_min or np.nan) - truths["cadence_steps_per_min"],
    }
    out["mean_confidence"] = float(np.nanmean(kp.confidence))
    out["timing_reliable"] = bool(analysis.quality.timing_reliable)
    return out


def _add_speed_scale(run: dict) -> dict:
    """The run's speed read from the pose over the belt speed as a clip value (``speed_scale``, truth
    1): the factor every length scaled by the camera's own scale or a marked distance is off by
    (length = speed x time). Also for runs saved before it was recorded (``--from-runs``)."""
    run["summary"]["speed_scale"] = {"value": run["speed_ratio"]}
    run["truth"]["speed_scale"] = 1.0
    return run


def _finite(values) -> np.ndarray:  # noqa: ANN001
    a = np.asarray(values, dtype=float)
    return a[np.isfinite(a)]


def event_stats(runs: list[dict], kind: str) -> dict:
    """Share found, within one frame, MAE, bias over all true events of the runs."""
    fps = runs[0]["fps"]
    errors = np.concatenate([np.asarray(r[f"{kind}_errors_ms"], dtype=float) for r in runs])
    found = np.isfinite(errors)
    e = errors[found]
    return {"n": int(len(errors)), "found": float(found.mean()),
            "within_1_frame": float((np.abs(np.nan_to_num(errors, nan=1e9)) <= 1000 / fps + 1e-9).mean()),
            "mae_ms": float(np.abs(e).mean()) if len(e) else None, "bias_ms": float(e.mean()) if len(e) else None}  # fmt: skip


def trial_stats(runs: list[dict], key: str) -> dict:
    e = _finite([r["mean_error"][key] for r in runs])
    if not len(e):
        return {"n": 0}
    return {"n": int(len(e)), "mean_abs": float(np.abs(e).mean()), "bias": float(e.mean()),
            "max_abs": float(np.abs(e).max()), "rmse": float(np.sqrt((e**2).mean())),
            "p95_abs": float(np.percentile(np.abs(e), 95))}  # fmt: skip


def stride_stats(runs: list[dict], key: str) -> dict:
    e = _finite([x for r in runs for x in r["stride_errors"][key]])
    if not len(e):
        return {"n": 0}
    return {"n": int(len(e)), "bias": float(e.mean()), "rmse": float(np.sqrt((e**2).mean())), "mae": float(np.abs(e).mean())}


# Metrics whose per-clip systematic error is modelled (summary key -> truth key in ``run["truth"]``).
#: Runner offsets are pooled over the benchmarked rates from this one up (see systematic_by_fps).
POOLED_MIN_FPS = 30
#: Metrics whose clip value carries a runner-specific error (the event-anchored angles inherit the
#: runner's contact and toe-off offsets: RBDS002's early contacts read its shank angle 7 deg high).
SYSTEMATIC = ("contact_time_s", "flight_time_s", "duty_factor", "cadence_steps_per_min", *ANGLES)


def clip_error(run: dict, metric: str) -> float:
    """Error of one clip's reported value (the summary ``value``, what a user reads) against the truth."""
    entry = run["summary"].get(metric) or {}
    value = entry.get("value")
    return float(value) - float(run["truth"][metric]) if value is not None else np.nan


def tolerance_factor(n: int, content: float = 0.95, confidence: float = 0.95) -> float:
    """Howe's (1969) two-sided normal tolerance factor: mean +- k s of ``n`` samples covers at least
    ``content`` of the population with ``confidence``; k = z((1+content)/2) sqrt((n-1)(1+1/n) / chi2(1-confidence, n-1))."""
    n = max(int(n), 2)
    return float(norm.ppf((1 + content) / 2) * np.sqrt((n - 1) * (1 + 1 / n) / chi2.ppf(1 - confidence, n - 1)))


def systematic_by_fps(runs: list[dict], metric: str, method: str = "tolerance") -> dict[str, float]:
    """Per frame rate, the systematic error of one clip's value for a NEW runner (the ``systematic``
    entry of error_model.json; 1.96 x it is its share of the 95 % half-width).

    The clip error is modelled as runner offset + within-runner scatter (speed, camera side, noise):
    ``e = b_runner + w``. ``b_runner`` is the runner's mean error over all its clips at every frame
    rate from ``POOLED_MIN_FPS`` up (a runner's kinematic-vs-force offset is physical, not a
    frame-rate effect), taken about zero so that the mean bias is included; ``s_b`` is their RMS over
    the R runners. Below ``POOLED_MIN_FPS`` (15 fps) the frame rate adds errors of its own (a
    thigh peak between two frames), so the offsets there are the runner's at that rate alone.
    ``s_w(fps)`` is the RMS of the clip errors about their runner's offset at this rate. ``method``:

    * ``tolerance`` (used): ``sqrt((k_R / 1.96 x s_b)^2 + s_w^2)`` with Howe's 95 %-content,
      95 %-confidence tolerance factor for R runners (k_10 = 3.38): with 95 % confidence the band
      covers at least 95 % of new runners, whereas 1.96 s_b covers 95 % only if s_b were the
      population value (10 runners leave s_b uncertain by a chi-square factor of up to 1.6);
    * ``tolerance90``: the same at 90 % confidence (k_10 = 2.96);
    * ``prediction``: Student-t prediction interval for one new runner, k = t(0.975, R-1) sqrt(1+1/R);
    * ``point``: k = 1.96 (s_b taken as the population value);
    * ``*_by_fps``: runner offsets estimated at each frame rate separately instead of pooled;
    * ``rmse_p95``: the previous model: per frame rate, max(RMSE, 95th percentile / 1.96) of the
      clip-mean errors, times t(0.975, R-1) / 1.96.
    """
    rates = sorted({r["fps"] for r in runs})
    runners = sorted({r["runner"] for r in runs})
    if method == "rmse_p95":
        return {f"{f:g}": _rmse_p95(runs, metric, f, len(runners)) for f in rates}
    errors = _clip_errors(runs, metric)
    kind, by_fps = method.removesuffix("_by_fps"), method.endswith("_by_fps")
    k = {"tolerance": tolerance_factor(len(runners)), "tolerance90": tolerance_factor(len(runners), confidence=0.90),
         "prediction": float(student_t.ppf(0.975, len(runners) - 1) * np.sqrt(1 + 1 / len(runners))),
         "point": 1.96}[kind]  # fmt: skip
    out = {}
    for fps in rates:
        offset, s_w = _runner_offsets(errors, fps, own_rate=by_fps or fps < POOLED_MIN_FPS)
        s_b = float(np.sqrt(np.mean(np.square(list(offset.values()))))) if offset else 0.0
        out[f"{fps:g}"] = float(np.hypot(k / 1.96 * s_b, s_w))
    return out


def _clip_errors(runs: list[dict], metric: str) -> list[tuple[str, float, float]]:
    """(runner, fps, clip error) of every run with a finite error."""
    errors = [(r["runner"], r["fps"], clip_error(r, metric)) for r in runs]
    return [(ru, f, e) for ru, f, e in errors if np.isfinite(e)]


def _runner_offsets(errors: list[tuple[str, float, float]], fps: float, own_rate: bool) -> tuple[dict[str, float], float]:
    """Each runner's mean clip error (over the runs at ``fps`` if ``own_rate``, else over every rate
    from ``POOLED_MIN_FPS`` up) and the RMS scatter ``s_w`` of the clips at ``fps`` about them."""
    scope = [x for x in errors if x[1] == fps] if own_rate else [x for x in errors if x[1] >= POOLED_MIN_FPS]
    offset = {ru: float(np.mean([e for rr, _, e in scope if rr == ru])) for ru in {x[0] for x in scope}}
    resid = [e - offset[ru] for ru, f, e in errors if f == fps and ru in offset]
    return offset, float(np.sqrt(np.mean(np.square(resid)))) if resid else 0.0


def leg_length_retest_by_fps(runs: list[dict]) -> dict[str, float]:
    """Per frame rate, how much the leg length read from the pose (thigh + shank in pixels) moves
    between clips of one runner, as a fraction: the within-runner scatter ``s_w`` of the height
    scale's error (the scale is that leg length over 0.491 x the height, so its error is the leg
    length's). It is not the same in a retest: every clip measures the leg again, so it belongs in
    the MDC of whatever the leg length scales (lengths from ``--height``, ``*_pct_leg``)."""
    errors = _clip_errors(runs, "height_scale")
    return {f"{fps:g}": _runner_offsets(errors, fps, own_rate=fps < POOLED_MIN_FPS)[1] for fps in sorted({r["fps"] for r in runs})}


def scale_systematic_by_fps(runs: list[dict], metric: str = "height_scale") -> dict[str, float]:
    """Per frame rate, the systematic error (a fraction of the value; 1.96 x it is its 95 % share) of
    lengths scaled from the runner's height, for a NEW runner. Unlike the timing errors, the height
    rule's error has a clear mean on RBDS (the tuning runners' lengths read about 3 % short), known
    far better than its spread (standard error 1 %), so the band is the two-sided tolerance interval
    about that mean, ``(|mean| + k s_b) / 1.96`` with Howe's k for R runners and ``s_b`` the SD of
    the runner offsets (pooled over the rates from ``POOLED_MIN_FPS`` up), and the within-runner
    scatter ``s_w`` in quadrature. The rule is not corrected by the mean: RBDS joint centres are not
    a pose model's landmarks."""
    rates = sorted({r["fps"] for r in runs})
    errors = _clip_errors(runs, metric)
    k = tolerance_factor(len({ru for ru, _, _ in errors}))
    out = {}
    for fps in rates:
        offset, s_w = _runner_offsets(errors, fps, own_rate=fps < POOLED_MIN_FPS)
        values = np.array(list(offset.values()))
        out[f"{fps:g}"] = float(np.hypot((abs(values.mean()) + k * values.std(ddof=1)) / 1.96, s_w)) if len(values) > 1 else 0.0
    return out


def _rmse_p95(runs: list[dict], metric: str, fps: float, n_runners: int) -> float:
    key = {"contact_time_s": "contact_time_ms", "flight_time_s": "flight_time_ms", "cadence_steps_per_min": "cadence_spm"}
    scale = 1000 if metric.endswith("_s") else 1
    e = _finite([r["mean_error"][key.get(metric, metric)] / scale for r in runs if r["fps"] == fps])
    widen = float(student_t.ppf(0.975, max(n_runners - 1, 1)) / 1.96)
    return float(max(np.sqrt((e**2).mean()), np.percentile(np.abs(e), 95) / 1.96) * widen) if len(e) else 0.0


def error_model(runs: list[dict], method: str = "tolerance") -> dict:
    """Per-stride RMSE and bias, and the per-clip ``systematic`` error for a new runner
    (:func:`systematic_by_fps`), per metric and frame rate, from the TUNING runners."""
    tuning = [r for r in runs if not r["held_out"]]
    systematic = {m: systematic_by_fps(tuning, m, method) for m in SYSTEMATIC}
    by_fps: dict[str, dict] = {}
    for fps in sorted({r["fps"] for r in runs}):
        sub = [r for r in tuning if r["fps"] == fps]
        sys_ = {m: v[f"{fps:g}"] for m, v in systematic.items()}
        ct = stride_stats(sub, "contact_time_ms")
        step_rmse = np.sqrt(2) * event_stats(sub, "contact")["mae_ms"] * 1.25 / 1000  # MAE -> RMSE (normal)
        entry = {
            "contact_time_s": {"rmse": ct["rmse"] / 1000, "bias": ct["bias"] / 1000, "systematic": sys_["contact_time_s"]},
            "flight_time_s": {"rmse": ct["rmse"] / 1000, "bias": -ct["bias"] / 1000, "systematic": sys_["flight_time_s"]},
            "swing_time_s": {"rmse": ct["rmse"] / 1000, "bias": -ct["bias"] / 1000, "systematic": sys_["contact_time_s"]},
            "duty_factor": {"rmse": ct["rmse"] / 1000 / 0.7, "bias": ct["bias"] / 1000 / 0.7, "systematic": sys_["duty_factor"]},
            "stride_time_s": {"rmse": step_rmse, "bias": 0.0},
            "step_time_s": {"rmse": step_rmse, "bias": 0.0},
            "cadence_steps_per_min": {"rmse": 120 * step_rmse / 0.7**2, "bias": 0.0,
                                      "systematic": sys_["cadence_steps_per_min"]},
        }  # fmt: skip
        for angle in ANGLES:
            s = stride_stats(sub, angle)
            entry[angle] = {"rmse": s["rmse"], "bias": s["bias"], "systematic": sys_[angle]}
        # lengths = running speed x stride (step) time: per stride, the time's error as a fraction of
        # the time (relative entries; the scale's own error is calibration_scale's)
        step_s = float(np.median([60.0 / r["truth"]["cadence_steps_per_min"] for r in sub]))
        entry["stride_length_m"] = {"rmse": step_rmse / (2 * step_s), "bias": 0.0}
        entry["step_length_m"] = {"rmse": step_rmse / step_s, "bias": 0.0}
        by_fps[f"{fps:g}"] = {k: {kk: round(float(vv), 5) for kk, vv in v.items()} for k, v in entry.items()}
    old = json.loads((ROOT / "runform" / "metrics" / "error_model.json").read_text())
    height = scale_systematic_by_fps(tuning)
    speed = scale_systematic_by_fps([_add_speed_scale(r) for r in tuning], "speed_scale")
    retest = leg_length_retest_by_fps(tuning)
    return {
        "source": "benchmarks/accuracy.py --write-error-model: RBDS tuning runners " + ", ".join(TUNING)
        + " (3 speeds, right and left camera, realistic pose noise)",
        "systematic_method": f"{method} over {len({r['runner'] for r in tuning})} runners (benchmarks/accuracy.py systematic_by_fps)",
        "by_fps": by_fps,
        # relative systematic error of every length scaled from the runner's height (leg = 0.491 x height),
        # and of lengths whose scale is given (a marked distance) or known (motion capture's camera) but
        # whose running speed is read from the pose (length = speed x time; a belt speed is given)
        "calibration_scale": {"height": {f: round(v, 5) for f, v in height.items()},
                              **{m: {f: round(v, 5) for f, v in speed.items()} for m in ("known_distance", "camera")}},
        # relative scatter of the leg length read from the pose between clips of one runner (retests)
        "leg_length_retest": {f: round(v, 5) for f, v in retest.items()},
        "video_floor": old.get("video_floor", {}),
        "video_systematic_deg": old.get("video_systematic_deg", {}),
    }


def coverage(runs: list[dict], model: dict, held_out: bool = True) -> dict:
    """Per frame rate and metric: share of the HELD_OUT runs (or the tuning runs) whose reported value
    +- 95 % uncertainty (recomputed with ``model``) contains the truth, and the mean half-width."""
    out: dict[str, dict] = {}
    for fps in sorted({r["fps"] for r in runs}):
        sub = [r for r in runs if r["fps"] == fps and r["held_out"] == held_out]
        result = {}
        for metric in COVERED:
            hits, widths = [], []
            for r in sub:
                entry = dict(r["summary"][metric])
                if entry.get("n") in (None, 0) or entry.get("value") is None:
                    hits.append(False)
                    continue
                attach({metric: entry}, fps, "motion-capture", r.get("mean_confidence", 0.97), model)
                hits.append(abs(entry["value"] - r["truth"][metric]) <= entry["uncertainty"])
                widths.append(entry["uncertainty"])
            result[metric] = {"coverage": float(np.mean(hits)) if hits else None, "n": len(hits),
                              "mean_half_width": float(np.mean(widths)) if widths else None}  # fmt: skip
        # lengths scaled from the runner's height, and stride/step lengths scaled by motion capture's camera
        # or a marked distance (the speed read from the pose): the scale term of their uncertainty alone
        for key, method in (("height_scale", "height"), ("speed_scale", "camera")):
            half_width = 1.96 * calibration_systematic(method, fps, model)
            scale_errors = _finite([_add_speed_scale(r)["summary"][key]["value"] - 1 for r in sub if key in r["summary"] or key == "speed_scale"])
            result[key] = {"coverage": float(np.mean(np.abs(scale_errors) <= half_width)) if len(scale_errors) else None,
                           "n": len(scale_errors), "mean_half_width": half_width,
                           "rms_error": float(np.sqrt(np.mean(scale_errors**2))) if len(scale_errors) else None}  # fmt: skip
        out[f"{fps:g}"] = result
    return out


def _width_text(metric: str, width: float | None) -> str:
    if width is None:
        return "–"
    if metric.endswith("_pct_leg"):
        return f"±{width:.1f} % leg"
    return f"±{1000 * width:.1f} ms" if metric.endswith("_s") else f"±{width:.3f}" if metric == "duty_factor" else f"±{width:.2f}°"


def video_labels_v2() -> dict:
    """The shared clip (real BlazePose video, 30 fps) against labels v2."""
    import runform

    labels = pd.read_csv(DATA / "treadmill_side_30fps_events.csv")
    analysis = runform.analyze(DATA / "treadmill_side_30fps.mp4")
    ev = analysis.events
    out = {}
    for kind, tolerance in (("contact", 1.0), ("toe_off", 1.25)):
        errs = []
        for _, row in labels[labels["event"] == kind].iterrows():
            same = ev[(ev["side"] == row["side"]) & (ev["event"] == kind)]["time_s"].to_numpy()
            errs.append(30 * (same[np.argmin(np.abs(same - row["time_s"]))] - row["time_s"]) if len(same) else np.nan)
        e = np.asarray(errs)
        out[kind] = {"n": len(e), "within_tolerance": float((np.abs(np.nan_to_num(e, nan=99)) <= tolerance).mean()),
                     "tolerance_frames": tolerance, "mean_signed_frames": float(np.nanmean(e)),
                     "mae_frames": float(np.nanmean(np.abs(e)))}  # fmt: skip
    out["mean_contact_time_s"] = float(analysis.strides["contact_time_s"].mean())
    out["labels_mean_contact_time_s"] = 0.298
    out["cadence_error_spm"] = float(analysis.overall_cadence_steps_per_min - LABELS_UPSTREAM_CADENCE)
    return out


def tables(runs: list[dict]) -> dict:
    """Held-out summary per frame rate and per (frame rate, speed)."""
    out: dict[str, dict] = {}
    for fps in sorted({r["fps"] for r in runs}):
        for speed in [None, *SPEEDS]:
            sub = [r for r in runs if r["fps"] == fps and r["held_out"] and (speed is None or r["speed"] == speed)]
            if not sub:
                continue
            key = f"{fps:g} fps" + (f", {int(speed) / 10:.1f} m/s" if speed else ", all speeds")
            out[key] = {"contact": event_stats(sub, "contact"), "toe_off": event_stats(sub, "toe_off"),
                        "contact_time": trial_stats(sub, "contact_time_ms"), "flight_time": trial_stats(sub, "flight_time_ms"),
                        "duty_factor": trial_stats(sub, "duty_factor"), "cadence": trial_stats(sub, "cadence_spm"),
                        "max_thigh_angle": trial_stats(sub, "max_thigh_angle_deg"),
                        "angles_per_stride": {a: stride_stats(sub, a) for a in ANGLES},
                        "n_runs": len(sub)}  # fmt: skip
    return out


def markdown(results: dict) -> str:
    lines = ["| held-out runs | contacts within 1 frame | toe-offs within 1 frame | contact MAE (ms) | toe-off MAE (ms) "
             "| contact-time error per trial, mean abs (max) ms | flight-time error per trial, mean abs (max) ms | runs |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for key, t in results["held_out"].items():
        c, o, ct, ft = t["contact"], t["toe_off"], t["contact_time"], t["flight_time"]
        lines.append(f"| {key} | {c['within_1_frame']:.1%} | {o['within_1_frame']:.1%} | {c['mae_ms']:.1f} | {o['mae_ms']:.1f} "
                     f"| {ct['mean_abs']:.1f} ({ct['max_abs']:.0f}) | {ft['mean_abs']:.1f} ({ft['max_abs']:.0f}) | {t['n_runs']} |")  # fmt: skip
    if results.get("coverage"):
        lines += ["", "| fps | " + " | ".join(f"{m}: coverage, mean 95 % half-width" for m in COVERED) + " |",
                  "|---" * (len(COVERED) + 1) + "|"]  # fmt: skip
        for fps, cov in results["coverage"].items():
            lines.append(f"| {fps} | " + " | ".join(
                "–" if cov[m]["coverage"] is None  # no held-out run at this rate (e.g. --runners of the tuning set)
                else f"{cov[m]['coverage']:.0%}, {_width_text(m, cov[m]['mean_half_width'])}" for m in COVERED) + " |")
    if results.get("coverage"):
        lines += ["", "| fps | lengths scaled from the height: RMS scale error, coverage of the ±95 % scale term "
                  "| stride and step length with motion capture's scale or a marked distance (the speed read from the pose): the same |",
                  "|---|---|---|"]  # fmt: skip
        for fps, cov in results["coverage"].items():
            cells = ["–" if h.get("coverage") is None else f"{h['rms_error']:.1%}, {h['coverage']:.0%} within ±{h['mean_half_width']:.1%}"
                     for h in (cov.get("height_scale") or {}, cov.get("speed_scale") or {})]  # fmt: skip
            lines.append(f"| {fps} | " + " | ".join(cells) + " |")
    if results.get("running_speed"):
        lines += ["", "| fps | running speed read from the pose / belt speed − 1, held out: mean, SD, worst | tuning runners |",
                  "|---|---|---|"]  # fmt: skip
        for fps, t in results["running_speed"].items():
            cells = [f"{s['mean_error']:+.1%}, {s['sd']:.1%}, {s['max_abs_error']:.1%}" if s else "–"
                     for s in (t.get("held_out"), t.get("tuning"))]
            lines.append(f"| {fps} | " + " | ".join(cells) + " |")
    v = results.get("video_labels_v2")
    if v:
        lines += ["", "| real clip vs labels v2 | within tolerance | mean signed (frames) | MAE (frames) |", "|---|---|---|---|"]
        for kind in ("contact", "toe_off"):
            lines.append(f"| {kind} (±{v[kind]['tolerance_frames']} frame) | {v[kind]['within_tolerance']:.0%} "
                         f"| {v[kind]['mean_signed_frames']:+.2f} | {v[kind]['mae_frames']:.2f} |")  # fmt: skip
        lines.append(f"| mean contact time | {v['mean_contact_time_s']:.3f} s (labels v2: 0.298 s) | | |")
    return "\n".join(lines) + "\n"


def speed_table(runs: list[dict]) -> dict:
    """Per frame rate and runner set: the runner's speed read from the pose (the ground speed that a
    belt-speed calibration divides by, and that ``--height`` turns into metres/s) over the belt
    speed, at the virtual camera's true scale: mean, SD and worst error over the runs."""
    out: dict = {}
    for fps in sorted({r["fps"] for r in runs}):
        for held_out in (True, False):
            e = _finite([r["speed_ratio"] - 1 for r in runs if r["fps"] == fps and r["held_out"] == held_out and "speed_ratio" in r])
            if len(e):
                out.setdefault(f"{fps:g}", {})["held_out" if held_out else "tuning"] = {
                    "mean_error": float(e.mean()), "sd": float(e.std(ddof=1)) if len(e) > 1 else 0.0,
                    "max_abs_error": float(np.abs(e).max()), "n": len(e)}  # fmt: skip
    return out


def _job(args: tuple) -> dict:
    return run_trial(*args)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fps", type=float, nargs="+", default=[15, 30, 60, 120, 240])
    parser.add_argument("--sides", nargs="+", default=["right", "left"])
    parser.add_argument("--runners", nargs="+", default=TUNING + HELD_OUT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-video", action="store_true", help="skip the real clip (no BlazePose run)")
    parser.add_argument("--write-error-model", action="store_true", help="rebuild runform/metrics/error_model.json")
    parser.add_argument("--from-runs", action="store_true",
                        help="re-analyse the saved per-run errors (accuracy_runs.json) instead of running the trials")
    parser.add_argument("--tag", default="",
                        help="write accuracy_TAG.json/.md and accuracy_runs_TAG.json (the main results are left "
                             "alone) and score coverage with the shipped error model, e.g. --fps 15 --tag 15fps")  # fmt: skip
    args = parser.parse_args()
    start = time.perf_counter()
    suffix = f"_{args.tag}" if args.tag else ""
    runs_path = ROOT / "benchmarks" / "results" / f"accuracy_runs{suffix}.json"
    if args.from_runs:
        runs = json.loads(runs_path.read_text())
    else:
        jobs = [(t, fps, side) for fps in args.fps for t in trials(args.runners) for side in args.sides]
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            runs = list(pool.map(_job, jobs, chunksize=2))
    results: dict = {"tuning_runners": TUNING, "held_out_runners": HELD_OUT, "held_out": tables(runs),
                     "tuning": tables([{**r, "held_out": not r["held_out"]} for r in runs])}
    model = error_model(runs)
    if args.tag and args.write_error_model:
        parser.error("--write-error-model rebuilds the shipped model from the main run; not with --tag")
    if args.tag:
        model = shipped_error_model()  # what runform reports at these rates (nearest benchmarked rate)
    if args.write_error_model:
        path = ROOT / "runform" / "metrics" / "error_model.json"
        path.write_text(json.dumps(model, indent=1))
        print(f"wrote {path.relative_to(ROOT)}")
    results["running_speed"] = speed_table(runs)
    results["coverage"] = coverage(runs, model)
    results["coverage_tuning"] = coverage(runs, model, held_out=False)
    if not args.no_video:
        results["video_labels_v2"] = video_labels_v2()
    results["seconds"] = time.perf_counter() - start
    runs_path.write_text(json.dumps(runs, default=float))  # per-run errors, for re-analysis (first: kept if a table fails)
    text = markdown(results)
    print(text)
    out = ROOT / "benchmarks" / "results" / f"accuracy{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    (out.parent / f"accuracy{suffix}.md").write_text(text)
    print(f"wrote {out.relative_to(ROOT)} in {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
