"""What recreational runners do at each running speed: the references runform judges by.

Knee lift (max thigh angle in swing), the shank angle at contact and the foot ahead of the hip at
contact all grow with speed. On the RBDS runners (Fukuchi et al. 2017, ../shared/data/rbds) knee
lift is about 27 deg at 2.5 m/s and 40 deg at 4.5 m/s, the shank at contact 7 deg and 12 deg, so a
fixed cut-off calls an easy-pace clip a shuffler and a fast one an overstrider. This fits, per
metric, the line runform compares a clip with: the markers' value (median over the force-plate
strides, the truth; the foot ahead of the hip by runform's own definition on the noise-free
projection) against the running speed in leg lengths per second as runform measures it on a video
(``calibration.running_speed_px_s / calibration.leg_length_px``: no scale needed), on the 10
TUNING runners x 3 speeds, each through a 60 fps side camera with realistic pose noise, right and
left; checked on the 10 HELD-OUT runners. Prints a table per metric, writes
benchmarks/results/speed_references.json; ``--write`` also rewrites
runform/coaching/data/speed_references.yaml (what runform reads).

    python benchmarks/speed_references.py [--write]
"""

from __future__ import annotations

import argparse
import json
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from accuracy import HELD_OUT, RBDS, SPEEDS, TUNING, _add_foot_ahead_truth, trial_keypoints
from scipy.stats import norm

from runform.config import Config
from runform.pipeline import analyze_keypoints

ROOT = Path(__file__).resolve().parents[1]
FPS = 60.0
#: The reference band is the central 90 % of runners at a speed (5th to 95th percentile).
BAND_CONTENT = 0.90
#: runform's metric -> (the truth's per-stride key, unit, what it is)
METRICS = {
    "max_thigh_angle_deg": ("max_thigh_swing_deg", "deg", "knee lift: max thigh angle in swing, deg from vertical"),
    "shank_angle_at_contact_deg": ("shank_angle_contact_deg", "deg", "shank angle at contact, deg from vertical, + = ankle ahead of knee"),
    "foot_ahead_of_hip_pct_leg": ("foot_ahead_pct_leg", "pct_leg", "ankle ahead of the pelvis centre at contact, % of leg length"),
}  # fmt: skip


def measure(trial: str, side: str) -> dict:
    """One trial through one camera: runform's relative speed, and the markers' values."""
    truth = json.loads((RBDS / f"{trial}_truth.json").read_text())
    kp, clean, _ = trial_keypoints(trial, FPS, side)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        analysis = analyze_keypoints(kp, Config(), trial)
    _add_foot_ahead_truth(truth["per_stride"], clean, analysis.cleaning.direction)
    cal = analysis.calibration
    return {"trial": trial, "runner": trial[4:7], "side": side, "held_out": trial[4:7] in HELD_OUT,
            "belt_speed_mps": truth["belt_speed_m_per_s"],
            "speed_leg_lengths_per_s": float(cal.running_speed_px_s / cal.leg_length_px),
            **{metric: float(np.median([s[key] for s in truth["per_stride"]])) for metric, (key, _, _) in METRICS.items()}}  # fmt: skip


def _job(args: tuple[str, str]) -> dict:
    return measure(*args)


def fit(runs: list[dict], metric: str) -> dict:
    """Least-squares line of ``metric`` on relative speed, over the given runs."""
    x = np.array([r["speed_leg_lengths_per_s"] for r in runs])
    y = np.array([r[metric] for r in runs])
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    return {"intercept": float(intercept), "slope_per_leg_length_per_s": float(slope),
            "residual_sd": float(residual.std(ddof=2)), "speed_range_leg_lengths_per_s": [float(x.min()), float(x.max())]}  # fmt: skip


def check(model: dict, runs: list[dict], metric: str) -> dict:
    """How runs sit against a line: residual mean and SD, share inside the band and below its high edge."""
    z = norm.ppf(0.5 + BAND_CONTENT / 2)
    residual = np.array([r[metric] - model["intercept"] - model["slope_per_leg_length_per_s"] * r["speed_leg_lengths_per_s"] for r in runs])
    edge = z * model["residual_sd"]
    return {"n": len(runs), "residual_mean": float(residual.mean()), "residual_sd": float(residual.std(ddof=1)),
            "inside_band": float((np.abs(residual) <= edge).mean()), "above_low_edge": float((residual >= -edge).mean()),
            "below_high_edge": float((residual <= edge).mean())}  # fmt: skip


def yaml_text(models: dict[str, dict]) -> str:
    lines = [
        "# What recreational runners do at each running speed: per metric a line of the markers' value",
        "# (median over the force-plate strides) on the running speed in leg lengths (thigh + shank) per",
        "# second (as runform reads it from a video's pose: ground speed and leg length in pixels),",
        "# fitted on the RBDS tuning runners (10 runners x 2.5, 3.5 and 4.5 m/s, markers through a 60 fps",
        "# side camera with realistic pose noise) by `python benchmarks/speed_references.py --write`;",
        "# checked on the 10 held-out runners (docs/COACHING.md, \"Knee lift for the speed\" and",
        "# \"Overstriding for the speed\"). runform uses each line from 0.8 x the lowest to 1.1 x the",
        "# highest measured speed (speed_range_leg_lengths_per_s). Do not edit by hand.",
        f"band_content: {BAND_CONTENT}",
        "source: [fukuchi-2017]",
        "metrics:",
    ]
    for metric, m in models.items():
        lo, hi = m["speed_range_leg_lengths_per_s"]
        lines += [f"  {metric}:  # {METRICS[metric][2]}", f"    unit: {METRICS[metric][1]}",
                  f"    intercept: {m['intercept']:.3f}", f"    slope_per_leg_length_per_s: {m['slope_per_leg_length_per_s']:.3f}",
                  f"    residual_sd: {m['residual_sd']:.3f}", f"    speed_range_leg_lengths_per_s: [{lo:.2f}, {hi:.2f}]"]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="rewrite runform/coaching/data/speed_references.yaml")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(f"RBDS{r}runT{s}", side) for r in TUNING + HELD_OUT for s in SPEEDS for side in ("right", "left")]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = list(pool.map(_job, jobs, chunksize=2))
    tuning_runs, held_runs = [r for r in runs if not r["held_out"]], [r for r in runs if r["held_out"]]
    models, results = {}, {}
    for metric, (_, unit, what) in METRICS.items():
        model = models[metric] = fit(tuning_runs, metric)
        tuning, held_out = check(model, tuning_runs, metric), check(model, held_runs, metric)
        results[metric] = {"model": model, "tuning": tuning, "held_out": held_out}
        print(f"\n{what}: {model['intercept']:.2f} + {model['slope_per_leg_length_per_s']:.2f} x speed (leg lengths/s); "
              f"residual SD {model['residual_sd']:.2f} {unit} (tuning runners, {tuning['n']} runs)")  # fmt: skip
        print(f"| runners | runs | residual mean ({unit}) | residual SD ({unit}) | inside the 90 % band | above its low edge | below its high edge |")
        print("|---|---|---|---|---|---|---|")
        for name, c in (("tuning", tuning), ("held out", held_out)):
            print(f"| {name} | {c['n']} | {c['residual_mean']:+.2f} | {c['residual_sd']:.2f} | {c['inside_band']:.0%} | "
                  f"{c['above_low_edge']:.0%} | {c['below_high_edge']:.0%} |")  # fmt: skip
        print(f"| belt speed | mean relative speed (leg lengths/s) | {metric}: mean (min-max) |")
        print("|---|---|---|")
        for speed in sorted({r["belt_speed_mps"] for r in runs}):
            sub = [r for r in runs if r["belt_speed_mps"] == speed]
            values = [r[metric] for r in sub]
            print(f"| {speed:.1f} m/s | {np.mean([r['speed_leg_lengths_per_s'] for r in sub]):.2f} | "
                  f"{np.mean(values):.1f} ({min(values):.1f}-{max(values):.1f}) |")  # fmt: skip
    out = ROOT / "benchmarks" / "results" / "speed_references.json"
    out.write_text(json.dumps({"band_content": BAND_CONTENT, "metrics": results, "runs": runs}, indent=1))
    print(f"wrote {out.relative_to(ROOT)}")
    if args.write:
        path = ROOT / "runform" / "coaching" / "data" / "speed_references.yaml"
        path.write_text(yaml_text(models))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
