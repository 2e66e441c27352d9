"""Foot strike: runform's foot strike angle and class against the markers and the dataset's rating.

Truth, two kinds (never mixed): the **angle** is runform's own definition (the heel-to-toe line's
angle at contact minus its median over 30-60 % of the contact, docs/METRICS.md) read on the
noise-free projection of the markers at the force-plate contact and stance; the **class** is the
RBDS rating of each foot at each speed (``RBDSinfo.txt``, columns ``RFSI25`` .. ``LFSI45``;
Fukuchi et al. 2017, ../shared/data/rbds). Every trial goes through the same virtual side camera
and realistic pose noise as ``accuracy.py``, both camera sides, 30 and 60 fps, into
``analyze_keypoints`` (the code a video's keypoints take). The cut-off between rearfoot and the
other classes is chosen on the 10 TUNING runners (balanced accuracy) and scored on the 10
HELD-OUT runners. Prints tables, writes benchmarks/results/foot_strike.json.

    python benchmarks/foot_strike.py [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from accuracy import HELD_OUT, RBDS, SPEEDS, TUNING, trial_keypoints

from runform.config import Config
from runform.kinematics import angles
from runform.metrics.strides import FLAT_FOOT_FRAC_STANCE, FOREFOOT_MAX_DEG, REARFOOT_MIN_DEG
from runform.pipeline import analyze_keypoints

ROOT = Path(__file__).resolve().parents[1]
RATES = (30.0, 60.0)
CAMERAS = ("right", "left")
#: Cut-offs between rearfoot and the rest tried on the tuning runners (deg).
CUTOFFS_DEG = np.arange(3.0, 12.01, 0.5)


def ratings() -> dict[tuple[str, str, str], str]:
    """(runner "001", speed "35", side) -> the dataset's rating, lower case."""
    info = pd.read_csv(RBDS / "RBDSinfo.txt", sep="\t")
    out = {}
    for _, row in info.drop_duplicates("Subject").iterrows():
        for side, letter in (("right", "R"), ("left", "L")):
            for speed in SPEEDS:
                out[(f"{int(row['Subject']):03d}", speed, side)] = str(row[f"{letter}FSI{speed}"]).strip().lower()
    return out


def true_strike_deg(clean, stride: dict, direction: int) -> float:  # noqa: ANN001 - Keypoints
    """runform's foot strike angle read on the noise-free projection at the force-plate events."""
    foot = angles.foot_angle_deg(clean, stride["side"], direction)
    t = clean.time_s
    contact = stride["toe_off_s"] - stride["contact_s"]
    lo, hi = FLAT_FOOT_FRAC_STANCE
    flat = (t >= stride["contact_s"] + lo * contact) & (t <= stride["contact_s"] + hi * contact)
    seen = np.isfinite(foot)
    return float(np.interp(stride["contact_s"], t[seen], foot[seen]) - np.nanmedian(foot[flat]))


def measure(trial: str, fps: float, camera: str) -> dict:
    """One trial through one camera: per-stride angle errors and each leg's class."""
    truth = json.loads((RBDS / f"{trial}_truth.json").read_text())
    kp, clean, _ = trial_keypoints(trial, fps, camera)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        analysis = analyze_keypoints(kp, Config(treadmill_speed_mps=truth["belt_speed_m_per_s"]), trial)
    direction, strides = analysis.cleaning.direction, analysis.strides
    near = "left" if direction < 0 else "right"
    legs: dict[str, dict] = {}
    for side in ("right", "left"):
        ours = strides[strides["side"] == side] if len(strides) else strides
        pairs, starts = [], ours["start_time_s"].to_numpy(dtype=float).copy() if len(ours) else np.full(0, np.nan)
        for stride in (s for s in truth["per_stride"] if s["side"] == side):
            gap = np.abs(starts - stride["contact_s"])
            if not np.any(gap <= 0.1):
                continue
            k = int(np.nanargmin(gap))
            starts[k] = np.nan  # one-to-one: each of our strides is matched to one force-plate stride at most
            pairs.append((float(ours["foot_strike_angle_deg"].iloc[k]), true_strike_deg(clean, stride, direction)))
        ours_deg = np.array([p[0] for p in pairs]) if pairs else np.full(0, np.nan)
        true_deg = np.array([p[1] for p in pairs]) if pairs else np.full(0, np.nan)
        legs[side] = {"near": side == near, "ours_deg": ours_deg.tolist(), "true_deg": true_deg.tolist(),
                      "class": (analysis.summary.get("foot_strike") or {}).get(side)}  # fmt: skip
    return {"trial": trial, "runner": trial[4:7], "speed": trial[-2:], "fps": fps, "camera": camera,
            "held_out": trial[4:7] in HELD_OUT, "legs": legs}  # fmt: skip


def _job(args: tuple) -> dict:
    return measure(*args)


def _median(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.median(finite)) if finite else float("nan")


def leg_rows(runs: list[dict], rating: dict) -> pd.DataFrame:
    """One row per run and leg: the medians of our and the true angle, our class, the rating."""
    rows = []
    for run in runs:
        for side, leg in run["legs"].items():
            rows.append({"trial": run["trial"], "runner": run["runner"], "fps": run["fps"], "held_out": run["held_out"],
                         "leg": "near" if leg["near"] else "far", "ours_deg": _median(leg["ours_deg"]),
                         "true_deg": _median(leg["true_deg"]), "ours_class": leg["class"],
                         "rating": rating[(run["runner"], run["speed"], side)]})  # fmt: skip
    return pd.DataFrame(rows)


def balanced_accuracy(angle_deg: np.ndarray, rearfoot: np.ndarray, cutoff_deg: float) -> float:
    """Mean of the hit rates on rated rearfoot and on the rest, calling rearfoot above ``cutoff_deg``."""
    called = angle_deg > cutoff_deg
    return float(np.mean([np.mean(called[rearfoot]), np.mean(~called[~rearfoot])]))


def angle_errors(runs: list[dict]) -> dict:
    """Per-stride angle error (ours - markers), by set and leg."""
    out = {}
    for held in (False, True):
        for leg in ("near", "far"):
            for fps in RATES:
                err = np.array([o - t for r in runs if r["held_out"] == held and r["fps"] == fps
                                for lg in r["legs"].values() if lg["near"] == (leg == "near")
                                for o, t in zip(lg["ours_deg"], lg["true_deg"])])  # fmt: skip
                err = err[np.isfinite(err)]
                out[f"{'held_out' if held else 'tuning'} {fps:g} fps {leg}"] = {
                    "n": int(len(err)), "bias_deg": float(np.mean(err)), "sd_deg": float(np.std(err, ddof=1)),
                    "mae_deg": float(np.mean(np.abs(err))), "p95_abs_deg": float(np.percentile(np.abs(err), 95))}  # fmt: skip
    return out


def _parts(legs: pd.DataFrame):
    """(name, rows) by set and leg, and both legs pooled."""
    for held in (False, True):
        for leg in ("near", "far", "both legs"):
            part = legs[legs["held_out"] == held]
            yield f"{'held_out' if held else 'tuning'} {leg}", part if leg == "both legs" else part[part["leg"] == leg]


def printed_classes(legs: pd.DataFrame) -> dict:
    """Agreement with the rating of the class runform prints for each leg (the most common per-stride class)."""
    out = {}
    for key, part in _parts(legs):
        rated, printed = part["rating"].to_numpy(), part["ours_class"].to_numpy()
        rear = rated == "rearfoot"
        hit_rear, hit_other = (float(np.mean(printed[rear] == "rearfoot")),
                                 float(np.mean(np.isin(printed[~rear], ("midfoot", "forefoot")))))  # fmt: skip
        out[key] = {
            "n": int(len(part)),
            "three_classes_agree": float(np.mean(printed == rated)),
            "confusion (rating -> ours)": {f"{a} -> {b}": int(n) for (a, b), n in sorted(Counter(zip(rated, printed)).items())},
            "rated_rearfoot_printed_rearfoot": hit_rear,
            "rated_other_printed_midfoot_or_forefoot": hit_other,
            "rearfoot_or_not_balanced_accuracy": 0.5 * (hit_rear + hit_other),
            "rated_forefoot_printed_forefoot": [int(np.sum(printed[rated == "forefoot"] == "forefoot")),
                                                int(np.sum(rated == "forefoot"))],
        }  # fmt: skip
    return out


def median_angle_cutoff(legs: pd.DataFrame, cutoff_deg: float) -> dict:
    """Rearfoot or not from each leg's median angle above ``cutoff_deg`` (a cut-off sweep, not the printed class)."""
    out = {}
    for key, part in _parts(legs):
        rear = (part["rating"] == "rearfoot").to_numpy()
        angle = part["ours_deg"].to_numpy()
        out[key] = {
            "n": int(len(part)),
            "balanced_accuracy": balanced_accuracy(angle, rear, cutoff_deg),
            "rated_rearfoot_median_above": float(np.mean(angle[rear] > cutoff_deg)),
            "rated_other_median_at_or_below": float(np.mean(angle[~rear] <= cutoff_deg)),
            "markers_at_force_contact_balanced_accuracy": balanced_accuracy(part["true_deg"].to_numpy(), rear, cutoff_deg),
        }  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    trials = [f"RBDS{r}runT{s}" for r in (*TUNING, *HELD_OUT) for s in SPEEDS]
    jobs = [(t, fps, cam) for t in trials for fps in RATES for cam in CAMERAS]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = list(pool.map(_job, jobs, chunksize=4))
    legs = leg_rows(runs, ratings())
    tuning = legs[~legs["held_out"]]
    rear = (tuning["rating"] == "rearfoot").to_numpy()
    sweep = {f"{c:g}": balanced_accuracy(tuning["ours_deg"].to_numpy(), rear, c) for c in CUTOFFS_DEG}
    best = max(sweep.values())
    chosen = min((float(c) for c, v in sweep.items() if v == best), key=lambda c: abs(c - REARFOOT_MIN_DEG))
    results = {
        "runform_cutoffs_deg": {"rearfoot_above": REARFOOT_MIN_DEG, "forefoot_below": FOREFOOT_MAX_DEG},
        "angle_errors": angle_errors(runs),
        "printed_classes": printed_classes(legs),
        "median_angle_at_runform_cutoff": median_angle_cutoff(legs, REARFOOT_MIN_DEG),
        "tuning_sweep_balanced_accuracy": sweep,
        "best_tuning_cutoff_deg": chosen,
        "median_angle_at_best_tuning_cutoff": median_angle_cutoff(legs, chosen),
        "angles_by_rating": {
            f"{'held_out' if h else 'tuning'} {rating}": {
                "markers_median_deg": float(part["true_deg"].median()),
                "markers_range_deg": [float(part["true_deg"].min()), float(part["true_deg"].max())],
                "ours_median_deg": float(part["ours_deg"].median()),
                "n_legs": int(len(part)),
            }
            for (h, rating), part in legs.groupby(["held_out", "rating"])
        },  # fmt: skip
    }
    print("Foot strike angle, ours - markers at the force-plate contact (deg, per stride)")
    print(f"{'set':28s} {'n':>6s} {'bias':>6s} {'SD':>6s} {'MAE':>6s} {'p95|e|':>7s}")
    for key, s in results["angle_errors"].items():
        print(
            f"{key:28s} {s['n']:6d} {s['bias_deg']:6.2f} {s['sd_deg']:6.2f} {s['mae_deg']:6.2f} {s['p95_abs_deg']:7.2f}"
        )
    print("\nAngles by the dataset's rating (per leg and run: median over strides, deg)")
    for key, s in results["angles_by_rating"].items():
        lo, hi = s["markers_range_deg"]
        print(
            f"{key:22s} n={s['n_legs']:4d} markers median {s['markers_median_deg']:5.1f} (range {lo:5.1f} .. {hi:5.1f}), ours {s['ours_median_deg']:5.1f}"
        )
    print("\nThe class runform prints for each leg (its most common per-stride class) against the rating")
    for part, c in results["printed_classes"].items():
        fore_hit, fore_n = c["rated_forefoot_printed_forefoot"]
        print(f"{part:20s} n={c['n']:4d} three classes agree {100 * c['three_classes_agree']:5.1f} %; rated rearfoot printed "
              f"rearfoot {100 * c['rated_rearfoot_printed_rearfoot']:5.1f} %, rated mid-/forefoot printed mid-/forefoot "
              f"{100 * c['rated_other_printed_midfoot_or_forefoot']:5.1f} % (balanced {100 * c['rearfoot_or_not_balanced_accuracy']:5.1f} %); "
              f"forefoot {fore_hit} of {fore_n}")  # fmt: skip
        print(f"{'':20s} {c['confusion (rating -> ours)']}")
    for title, key in ((f"runform's cut-off ({REARFOOT_MIN_DEG:g} deg)", "median_angle_at_runform_cutoff"),
                       (f"best tuning cut-off ({chosen:g} deg)", "median_angle_at_best_tuning_cutoff")):  # fmt: skip
        print(f"\nRearfoot or not from each leg's median angle, {title}")
        for part, c in results[key].items():
            print(f"{part:20s} n={c['n']:4d} balanced {100 * c['balanced_accuracy']:5.1f} % (rated rearfoot above "
                  f"{100 * c['rated_rearfoot_median_above']:5.1f} %, others at or below {100 * c['rated_other_median_at_or_below']:5.1f} %; "
                  f"markers {100 * c['markers_at_force_contact_balanced_accuracy']:5.1f} %)")  # fmt: skip
    out = ROOT / "benchmarks" / "results" / "foot_strike.json"
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
