"""Knee lift against running speed: the reference runform judges a distance runner's knee lift by.

Knee lift (max thigh angle in swing, degrees from vertical) grows with speed: on the RBDS runners
(Fukuchi et al. 2017, ../shared/data/rbds) it is about 27 deg at 2.5 m/s and 40 deg at 4.5 m/s, so
a clip filmed at an easy pace reads below the distance band (35-50 deg, race-pace strides) for
nearly everyone. This fits the line runform compares a clip with: the markers' max thigh angle
(median over the force-plate strides, the truth) against the running speed in leg lengths per
second as runform measures it on a video (``calibration.running_speed_px_s /
calibration.leg_length_px``: no scale needed), on the 10 TUNING runners x 3 speeds, each through a 60 fps side camera with
realistic pose noise, right and left; checked on the 10 HELD-OUT runners. Prints a table, writes
benchmarks/results/knee_lift_speed.json; ``--write`` also rewrites
runform/coaching/data/knee_lift_speed.yaml (what runform reads).

    python benchmarks/knee_lift_speed.py [--write]
"""

from __future__ import annotations

import argparse
import json
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from accuracy import HELD_OUT, RBDS, SPEEDS, TUNING, trial_keypoints
from scipy.stats import norm

from runform.config import Config
from runform.pipeline import analyze_keypoints

ROOT = Path(__file__).resolve().parents[1]
FPS = 60.0
#: The reference band is the central 90 % of runners at a speed (5th to 95th percentile).
BAND_CONTENT = 0.90


def measure(trial: str, side: str) -> dict:
    """One trial through one camera: runform's relative speed, and the markers' knee lift."""
    truth = json.loads((RBDS / f"{trial}_truth.json").read_text())
    kp, _, _ = trial_keypoints(trial, FPS, side)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        analysis = analyze_keypoints(kp, Config(), trial)
    cal = analysis.calibration
    return {"trial": trial, "runner": trial[4:7], "side": side, "held_out": trial[4:7] in HELD_OUT,
            "belt_speed_mps": truth["belt_speed_m_per_s"],
            "speed_leg_lengths_per_s": float(cal.running_speed_px_s / cal.leg_length_px),
            "knee_lift_deg": float(np.median([s["max_thigh_swing_deg"] for s in truth["per_stride"]]))}  # fmt: skip


def _job(args: tuple[str, str]) -> dict:
    return measure(*args)


def fit(runs: list[dict]) -> dict:
    """Least-squares line of knee lift on relative speed, over the given runs."""
    x = np.array([r["speed_leg_lengths_per_s"] for r in runs])
    y = np.array([r["knee_lift_deg"] for r in runs])
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    return {"intercept_deg": float(intercept), "slope_deg_per_leg_length_per_s": float(slope),
            "residual_sd_deg": float(residual.std(ddof=2)), "speed_range_leg_lengths_per_s": [float(x.min()), float(x.max())]}  # fmt: skip


def check(model: dict, runs: list[dict]) -> dict:
    """How the held-out runs sit against the tuning line: residual mean and SD, share inside the band."""
    z = norm.ppf(0.5 + BAND_CONTENT / 2)
    residual = np.array([r["knee_lift_deg"] - model["intercept_deg"] - model["slope_deg_per_leg_length_per_s"] * r["speed_leg_lengths_per_s"]
                         for r in runs])  # fmt: skip
    inside = np.abs(residual) <= z * model["residual_sd_deg"]
    above_low = residual >= -z * model["residual_sd_deg"]
    return {"n": len(runs), "residual_mean_deg": float(residual.mean()), "residual_sd_deg": float(residual.std(ddof=1)),
            "inside_band": float(inside.mean()), "above_low_edge": float(above_low.mean())}  # fmt: skip


def yaml_text(model: dict) -> str:
    lo, hi = model["speed_range_leg_lengths_per_s"]
    return f"""# Knee lift (max thigh angle in swing, deg from vertical; from the markers) of recreational runners
# against running speed in leg lengths (thigh + shank) per second (as runform reads it from a
# video's pose: ground speed and leg length in pixels): a line
# fitted on the RBDS tuning runners (10 runners x 2.5, 3.5 and 4.5 m/s, markers through a 60 fps
# side camera with realistic pose noise) by `python benchmarks/knee_lift_speed.py --write`; checked on
# the 10 held-out runners (docs/COACHING.md, "Knee lift for the speed"). Do not edit by hand.
intercept_deg: {model['intercept_deg']:.3f}
slope_deg_per_leg_length_per_s: {model['slope_deg_per_leg_length_per_s']:.3f}
residual_sd_deg: {model['residual_sd_deg']:.3f}
band_content: {BAND_CONTENT}
# the measured speeds; runform uses the line from 0.8 x the lowest to 1.2 x the highest
speed_range_leg_lengths_per_s: [{lo:.2f}, {hi:.2f}]
source: [fukuchi-2017]
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="rewrite runform/coaching/data/knee_lift_speed.yaml")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(f"RBDS{r}runT{s}", side) for r in TUNING + HELD_OUT for s in SPEEDS for side in ("right", "left")]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = list(pool.map(_job, jobs, chunksize=2))
    model = fit([r for r in runs if not r["held_out"]])
    held_out = check(model, [r for r in runs if r["held_out"]])
    tuning = check(model, [r for r in runs if not r["held_out"]])
    print(f"knee lift = {model['intercept_deg']:.2f} + {model['slope_deg_per_leg_length_per_s']:.2f} x speed (leg lengths/s); "
          f"residual SD {model['residual_sd_deg']:.2f} deg (tuning runners, {tuning['n']} runs)")  # fmt: skip
    print("| runners | runs | residual mean (deg) | residual SD (deg) | inside the 90 % band | above its low edge |")
    print("|---|---|---|---|---|---|")
    for name, c in (("tuning", tuning), ("held out", held_out)):
        print(f"| {name} | {c['n']} | {c['residual_mean_deg']:+.2f} | {c['residual_sd_deg']:.2f} | {c['inside_band']:.0%} | {c['above_low_edge']:.0%} |")
    print("| belt speed | mean relative speed (leg lengths/s) | knee lift: mean (min-max) |")
    print("|---|---|---|")
    for speed in sorted({r["belt_speed_mps"] for r in runs}):
        sub = [r for r in runs if r["belt_speed_mps"] == speed]
        lift = [r["knee_lift_deg"] for r in sub]
        print(f"| {speed:.1f} m/s | {np.mean([r['speed_leg_lengths_per_s'] for r in sub]):.2f} | {np.mean(lift):.1f} ({min(lift):.1f}-{max(lift):.1f}) |")
    out = ROOT / "benchmarks" / "results" / "knee_lift_speed.json"
    out.write_text(json.dumps({"model": model, "tuning": tuning, "held_out": held_out, "runs": runs}, indent=1))
    print(f"wrote {out.relative_to(ROOT)}")
    if args.write:
        path = ROOT / "runform" / "coaching" / "data" / "knee_lift_speed.yaml"
        path.write_text(yaml_text(model))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
