"""Accuracy against truth: RBDS force plates + 3-D markers through a virtual camera, and the
shared video's hand labels. Prints a table (bias, MAE, RMSE, 95 % limits of agreement, n) and
writes benchmarks/results/accuracy.json.

    python benchmarks/accuracy.py [--quick]

Conditions: every RBDS trial x camera (fps 30/60/120/150, right/left side, 10 deg yaw error) x
pose noise (none / realistic / heavy; runform.pose.noise). RBDS001 (3 speeds) is the trial the
"marker" event profile's contact offset was tuned on; RBDS003 and RBDS019 are untuned.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
RBDS = DATA / "rbds"

from runform.config import Config  # noqa: E402
from runform.io.mocap import from_rbds_joints  # noqa: E402
from runform.pipeline import analyze_keypoints  # noqa: E402
from runform.pose.noise import PoseNoise  # noqa: E402
from runform.pose.virtual_camera import VirtualCamera  # noqa: E402

TRIALS = ["RBDS001runT25", "RBDS001runT35", "RBDS001runT45", "RBDS003runT35", "RBDS019runT35"]
TUNED = {"RBDS001runT25", "RBDS001runT35", "RBDS001runT45"}
CAMERAS = {
    "60fps-right": VirtualCamera(fps=60),
    "60fps-left": VirtualCamera(fps=60, side="left"),
    "30fps-right": VirtualCamera(fps=30),
    "120fps-right": VirtualCamera(fps=120),
    "150fps-right": VirtualCamera(fps=150),
    "60fps-yaw10": VirtualCamera(fps=60, yaw_deg=10),
}
NOISE = {"none": PoseNoise(scale=0, glitch_rate=0, dropout_rate=0, swap_rate_per_s=0),
         "realistic": PoseNoise(), "heavy": PoseNoise(scale=2.0, glitch_rate=0.04, swap_rate_per_s=0.5)}  # fmt: skip
ANGLES = {  # ours -> truth per_stride key
    "max_thigh_angle_deg": "max_thigh_swing_deg",
    "hip_extension_at_toe_off_deg": "hip_ext_toe_off_deg",
    "knee_flexion_at_contact_deg": "knee_flex_contact_deg",
    "peak_swing_knee_flexion_deg": "peak_swing_knee_flex_deg",
    "shank_angle_at_contact_deg": "shank_angle_contact_deg",
}
TYPICAL_STRIDE_S = 0.7  # to turn timing errors into cadence and duty-factor errors


def stats(errors: list[float]) -> dict:
    e = np.asarray([x for x in errors if np.isfinite(x)], dtype=float)
    if len(e) == 0:
        return {"n": 0}
    sd = float(e.std(ddof=1)) if len(e) > 1 else 0.0
    return {"bias": float(e.mean()), "mae": float(np.abs(e).mean()), "rmse": float(np.sqrt((e**2).mean())),
            "loa_low": float(e.mean() - 1.96 * sd), "loa_high": float(e.mean() + 1.96 * sd), "n": int(len(e))}  # fmt: skip


def run_condition(trial: str, camera: VirtualCamera, noise: PoseNoise, seed: int) -> dict[str, list[float]]:
    mocap = from_rbds_joints(RBDS / f"{trial}_joints.csv")
    truth = json.loads((RBDS / f"{trial}_truth.json").read_text())
    true_events = pd.read_csv(RBDS / f"{trial}_events.csv")
    kp = noise.apply(camera.project(mocap), seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        analysis = analyze_keypoints(kp, Config(treadmill_speed_mps=truth["belt_speed_m_per_s"]), trial)
    events, strides = analysis.events, analysis.strides
    out: dict[str, list[float]] = {k: [] for k in ["contact_ms", "toe_off_ms", "contact_frames", "toe_off_frames",
                                                   "contact_time_ms", "flight_time_ms", "step_time_ms", "stride_length_pct", *ANGLES]}  # fmt: skip
    for kind in ("contact", "toe_off"):
        for _, row in true_events[true_events["event"] == kind].iterrows():
            same = events[(events["side"] == row["side"]) & (events["event"] == kind)]
            if same.empty:
                continue
            err = same["time_s"].to_numpy()[np.argmin(np.abs(same["time_s"].to_numpy() - row["time_s"]))] - row["time_s"]
            if abs(err) < 0.15:
                out[f"{kind}_ms"].append(1000 * err)
                out[f"{kind}_frames"].append(err * camera.fps)
    for stride in truth["per_stride"]:
        ours = strides[strides["side"] == stride["side"]]
        if ours.empty:
            continue
        k = int(np.argmin(np.abs(ours["start_time_s"].to_numpy() - stride["contact_s"])))
        if abs(ours["start_time_s"].iloc[k] - stride["contact_s"]) > 0.1:
            continue
        row = ours.iloc[k]
        out["contact_time_ms"].append(1000 * (row["contact_time_s"] - (stride["toe_off_s"] - stride["contact_s"])))
        true_stride_s = stride["next_contact_s"] - stride["contact_s"]
        out["stride_length_pct"].append(100 * (row["stride_length_m"] / (truth["belt_speed_m_per_s"] * true_stride_s) - 1))
        for ours_key, truth_key in ANGLES.items():
            out[ours_key].append(row[ours_key] - stride[truth_key])
    t = truth["temporal"]
    out["flight_time_ms"].append(1000 * (strides["flight_time_s"].mean() - t["flight_time_s"]["mean"]))
    out["step_time_ms"].append(1000 * (strides["step_time_s"].mean() - t["step_time_s"]["mean"]))
    out["cadence_spm"] = [analysis.overall_cadence_steps_per_min - t["cadence_steps_per_min"]]
    return out


def video_labels() -> dict:
    """The shared clip's hand-labelled events vs runform (real BlazePose video)."""
    import runform

    labels = pd.read_csv(DATA / "treadmill_side_30fps_events.csv")
    analysis = runform.analyze(DATA / "treadmill_side_30fps.mp4")
    ev = analysis.events
    res: dict[str, list[float]] = {"contact_frames": [], "toe_off_frames": [], "contact_ms": [], "toe_off_ms": []}
    for kind in ("contact", "toe_off"):
        for _, row in labels[labels["event"] == kind].iterrows():
            same = ev[(ev["side"] == row["side"]) & (ev["event"] == kind)]
            i = int(np.argmin(np.abs(same["time_s"].to_numpy() - row["time_s"])))
            res[f"{kind}_frames"].append(float(same["frame"].iloc[i] - row["frame"]))
            res[f"{kind}_ms"].append(1000 * (same["time_s"].iloc[i] - row["time_s"]))
    ct = []
    for side in ("left", "right"):
        lab = labels[labels["side"] == side].sort_values("time_s")
        for _, c in lab[lab["event"] == "contact"].iterrows():
            after = lab[(lab["event"] == "toe_off") & (lab["time_s"] > c["time_s"])]
            if after.empty:
                continue
            ours = analysis.strides[analysis.strides["side"] == side]
            k = int(np.argmin(np.abs(ours["start_time_s"].to_numpy() - c["time_s"])))
            ct.append(1000 * (ours["contact_time_s"].iloc[k] - (after["time_s"].iloc[0] - c["time_s"])))
    res["contact_time_ms"] = ct
    res["cadence_spm"] = [analysis.overall_cadence_steps_per_min - 168.9]
    return {k: stats(v) for k, v in res.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="60 and 30 fps right camera, realistic noise only")
    parser.add_argument("--write-error-model", action="store_true", help="update runform/metrics/error_model.json")
    args = parser.parse_args()
    start = time.perf_counter()
    cameras = {"60fps-right": CAMERAS["60fps-right"], "30fps-right": CAMERAS["30fps-right"]} if args.quick else CAMERAS
    noises = {"realistic": NOISE["realistic"]} if args.quick else NOISE
    rows = []
    for trial in TRIALS:
        for cam_name, cam in cameras.items():
            for noise_name, noise in noises.items():
                seed = zlib.crc32(f"{trial}|{cam_name}|{noise_name}".encode())  # deterministic across runs
                errors = run_condition(trial, cam, noise, seed=seed)
                for metric, values in errors.items():
                    rows.append({"trial": trial, "tuned": trial in TUNED, "camera": cam_name, "fps": cam.fps,
                                 "noise": noise_name, "metric": metric, "errors": values})  # fmt: skip
    table = pd.DataFrame(rows)
    results = {"conditions": [], "groups": {}}
    for (cam, noise, metric), part in table.groupby(["camera", "noise", "metric"]):
        for label, sub in (("all", part), ("untuned", part[~part["tuned"]])):
            errs = [e for es in sub["errors"] for e in es]
            results["groups"].setdefault(f"{cam}|{noise}|{label}", {})[metric] = stats(errs)
    for _, r in table.iterrows():
        results["conditions"].append({**{k: r[k] for k in ("trial", "tuned", "camera", "fps", "noise", "metric")}, **stats(r["errors"])})
    results["video_hand_labels"] = video_labels()
    results["seconds"] = time.perf_counter() - start
    print_table(results)
    out = ROOT / "benchmarks" / "results" / "accuracy.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    (out.parent / "accuracy.md").write_text(markdown(results))
    print(f"\nwrote {out.relative_to(ROOT)} in {results['seconds']:.0f} s")
    if args.write_error_model:
        path = ROOT / "runform" / "metrics" / "error_model.json"
        path.write_text(json.dumps(error_model(results), indent=1))
        print(f"wrote {path.relative_to(ROOT)}")


def error_model(results: dict) -> dict:
    """Per-stride error (RMSE, bias) per summary metric and frame rate, from the untuned trials
    with realistic noise (right-side camera), plus the floor measured on the real labelled video."""
    by_fps = {}
    for group, metrics in results["groups"].items():
        camera, noise, subset = group.split("|")
        if noise != "realistic" or subset != "untuned" or not camera.endswith("right"):
            continue
        fps = camera.split("fps")[0]
        ct = metrics["contact_time_ms"]
        step_rmse = np.sqrt(2) * metrics["contact_ms"]["rmse"] / 1000
        entry = {
            "contact_time_s": {"rmse": ct["rmse"] / 1000, "bias": ct["bias"] / 1000},
            "flight_time_s": {"rmse": ct["rmse"] / 1000, "bias": -ct["bias"] / 1000},
            "swing_time_s": {"rmse": ct["rmse"] / 1000, "bias": -ct["bias"] / 1000},
            "stride_time_s": {"rmse": step_rmse, "bias": 0.0},
            "step_time_s": {"rmse": step_rmse, "bias": 0.0},
            "cadence_steps_per_min": {"rmse": 120 * step_rmse / TYPICAL_STRIDE_S**2, "bias": 0.0},
            "duty_factor": {"rmse": ct["rmse"] / 1000 / TYPICAL_STRIDE_S, "bias": ct["bias"] / 1000 / TYPICAL_STRIDE_S},
            "stride_length_m": {"rmse_pct": metrics["stride_length_pct"]["rmse"], "bias_pct": metrics["stride_length_pct"]["bias"]},
            "step_length_m": {"rmse_pct": metrics["stride_length_pct"]["rmse"], "bias_pct": metrics["stride_length_pct"]["bias"]},
        }
        for angle in ANGLES:
            entry[angle] = {"rmse": metrics[angle]["rmse"], "bias": metrics[angle]["bias"]}
        by_fps[fps] = {k: {kk: round(float(vv), 5) for kk, vv in v.items()} for k, v in entry.items()}
    video = results["video_hand_labels"]
    return {
        "source": "benchmarks/accuracy.py --write-error-model (RBDS003/019 untuned, realistic pose noise; "
                  "video floor: shared hand-labelled clip, 30 fps)",
        "by_fps": by_fps,
        "video_floor": {"contact_time_s": {"rmse": round(video["contact_time_ms"]["rmse"] / 1000, 5)}},
        # Systematic error of angles from 2-D pose video that projected motion capture cannot show
        # (pose landmarks are not joint centres): knee 7.5 deg from OpenPose vs markers in running
        # (Van Hooren et al. 2023); 5 deg assumed for segment angles. Cancels in a same-set-up retest.
        "video_systematic_deg": {"max_thigh_angle_deg": 5.0, "hip_extension_at_toe_off_deg": 5.0,
                                 "shank_angle_at_contact_deg": 5.0, "knee_flexion_at_contact_deg": 7.5,
                                 "peak_swing_knee_flexion_deg": 7.5},
    }


UNITS = {"contact_ms": "ms", "toe_off_ms": "ms", "contact_frames": "frames", "toe_off_frames": "frames",
         "contact_time_ms": "ms", "flight_time_ms": "ms", "step_time_ms": "ms", "cadence_spm": "steps/min",
         "stride_length_pct": "%", **{k: "deg" for k in ANGLES}}  # fmt: skip


KEY_METRICS = ["contact_ms", "toe_off_ms", "contact_frames", "toe_off_frames", "contact_time_ms", "cadence_spm",
               "max_thigh_angle_deg", "hip_extension_at_toe_off_deg", "knee_flexion_at_contact_deg",
               "peak_swing_knee_flexion_deg", "shank_angle_at_contact_deg", "stride_length_pct"]  # fmt: skip


def markdown(results: dict) -> str:
    """The tables of docs/ACCURACY.md (untuned trials, and the real video)."""
    lines = []
    for noise in ("none", "realistic", "heavy"):
        lines += [f"\n### Projected RBDS motion capture, {noise} pose noise, untuned trials (RBDS003, RBDS019)\n",
                  "| camera | metric | unit | bias | MAE | RMSE | 95% LoA | n |", "|---|---|---|---|---|---|---|---|"]
        for group, metrics in results["groups"].items():
            camera, g_noise, subset = group.split("|")
            if g_noise != noise or subset != "untuned":
                continue
            for metric in KEY_METRICS:
                m = metrics.get(metric, {})
                if m.get("n"):
                    lines.append(f"| {camera} | {metric} | {UNITS[metric]} | {m['bias']:.2f} | {m['mae']:.2f} | {m['rmse']:.2f} | "
                                 f"{m['loa_low']:.1f} to {m['loa_high']:.1f} | {m['n']} |")
    lines += ["\n### Real video: shared treadmill clip (30 fps, BlazePose) vs hand labels\n",
              "| metric | unit | bias | MAE | RMSE | 95% LoA | n |", "|---|---|---|---|---|---|---|"]
    for metric, m in results["video_hand_labels"].items():
        lines.append(f"| {metric} | {UNITS[metric]} | {m['bias']:.2f} | {m['mae']:.2f} | {m['rmse']:.2f} | "
                     f"{m['loa_low']:.1f} to {m['loa_high']:.1f} | {m['n']} |")
    return "\n".join(lines) + "\n"


def print_table(results: dict) -> None:
    print(f"{'condition':34s} {'metric':30s} {'unit':>9s} {'bias':>7s} {'MAE':>7s} {'RMSE':>7s} {'LoA low':>8s} {'LoA high':>8s} {'n':>5s}")
    for group, metrics in results["groups"].items():
        for metric, s in metrics.items():
            if s.get("n", 0):
                print(f"{group:34s} {metric:30s} {UNITS.get(metric, ''):>9s} {s['bias']:7.2f} {s['mae']:7.2f} {s['rmse']:7.2f} "
                      f"{s['loa_low']:8.2f} {s['loa_high']:8.2f} {s['n']:5d}")
    print("\nReal video, shared treadmill clip (30 fps, BlazePose) vs hand labels:")
    for metric, s in results["video_hand_labels"].items():
        print(f"{'video|blazepose|hand-labels':34s} {metric:30s} {UNITS.get(metric, ''):>9s} {s['bias']:7.2f} {s['mae']:7.2f} "
              f"{s['rmse']:7.2f} {s['loa_low']:8.2f} {s['loa_high']:8.2f} {s['n']:5d}")


if __name__ == "__main__":
    main()
