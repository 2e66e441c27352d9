"""Event-detector candidates on the TUNING runners only (fast loop for choosing parameters).

    python benchmarks/events_tuning.py [--fps 30 60] [--set tuning|held_out] [--param contact_ground_speed_frac=0.55 ...]
                                       [--roll-deg 3]

Each RBDS trial is projected through the virtual side camera (both sides), given realistic pose
noise with the same seeds as ``benchmarks/accuracy.py``, and cleaned exactly as the pipeline does;
the cleaned keypoints are cached (``--cache``) so that detector variants run in seconds. Prints,
per frame rate: contacts and toe-offs within one frame, MAE, bias, and the per-trial error of the
mean contact time (mean toe-off error minus mean contact error of the trial), and writes
``benchmarks/results/events_tuning.json``. Held-out runners are for the final confirmation only
(``--set held_out``); nothing is chosen on them. ``--roll-deg`` turns the cleaned keypoints as a
camera rolled by that many degrees (counter-clockwise on the screen) would see them: how much a
tilted phone moves the events (docs/ACCURACY.md, "A rolled camera").
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from accuracy import HELD_OUT, RBDS, TUNING, trial_keypoints, trials  # noqa: E402

from runform.events import FootGroundEventDetection  # noqa: E402
from runform.kinematics import clean_keypoints  # noqa: E402


def prepare(job: tuple[str, float, str, Path]) -> Path:
    """Cleaned keypoints of one trial through one camera, cached as a pickle."""
    trial, fps, side, cache = job
    path = cache / f"{trial}_{fps:g}_{side}.pkl"
    if path.exists():
        return path
    raw, _, _ = trial_keypoints(trial, fps, side)  # accuracy.py's projection and noise seeds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        kp, cleaning = clean_keypoints(raw, min_confidence=0.3, max_gap_s=0.12, cutoff_hz=None)
    record = {"trial": trial, "fps": fps, "side": side, "kp": kp, "direction": cleaning.direction,
              "stride_frequency_hz": cleaning.stride_frequency_hz, "frame_times_s": raw.time_s,
              "truth": pd.read_csv(RBDS / f"{trial}_events.csv")}  # fmt: skip
    path.write_bytes(pickle.dumps(record))
    return path


def evaluate(record: dict, params: dict) -> dict:
    """Per-event errors (ms, NaN = missed) of one cached run with detector ``params``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        detector = FootGroundEventDetection(**params).detect(
            record["kp"], direction=record["direction"], stride_frequency_hz=record["stride_frequency_hz"],
            frame_times_s=record["frame_times_s"],
        )  # fmt: skip
    events, truth = detector.events_, record["truth"]
    out = {"trial": record["trial"], "fps": record["fps"], "side": record["side"]}
    for kind in ("contact", "toe_off"):
        errors = []
        for _, row in truth[truth["event"] == kind].iterrows():
            same = events[(events["side"] == row["side"]) & (events["event"] == kind)]["time_s"].to_numpy()
            err = same[np.argmin(np.abs(same - row["time_s"]))] - row["time_s"] if len(same) else np.nan
            errors.append((row["side"], 1000 * err if abs(err) < 0.15 else np.nan))
        out[kind] = errors
    return out


def summarise(results: list[dict]) -> dict:
    table = {}
    for fps in sorted({r["fps"] for r in results}):
        sub = [r for r in results if r["fps"] == fps]
        row = {}
        for kind in ("contact", "toe_off"):
            e = np.array([x for r in sub for _, x in r[kind]], dtype=float)
            good = e[np.isfinite(e)]
            row[kind] = {"within_1_frame": float((np.abs(np.nan_to_num(e, nan=1e9)) <= 1000 / fps + 1e-9).mean()),
                         "mae_ms": float(np.abs(good).mean()), "bias_ms": float(good.mean()),
                         "sd_ms": float(good.std()), "missed": int((~np.isfinite(e)).sum())}  # fmt: skip
        ct = []  # per trial (both camera sides pooled per trial and side): error of mean contact time
        for r in sub:
            c = np.nanmean([x for _, x in r["contact"]])
            t = np.nanmean([x for _, x in r["toe_off"]])
            ct.append(t - c)
        ct = np.abs(np.array(ct))
        row["contact_time"] = {"mean_abs_ms": float(np.nanmean(ct)), "max_abs_ms": float(np.nanmax(ct))}
        table[f"{fps:g}"] = row
    return table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fps", type=float, nargs="+", default=[30, 60])
    parser.add_argument("--set", choices=["tuning", "held_out"], default="tuning")
    parser.add_argument("--param", nargs="*", default=[], help="detector parameter overrides, name=value")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "runform_events_tuning",
                        help="where the cleaned keypoints are cached (delete it after changing the cleaning)")
    parser.add_argument("--dump", type=Path, help="write every run's errors here (pickle)")
    parser.add_argument("--roll-deg", type=float, default=0.0, help="camera roll applied to the cleaned keypoints (deg)")
    args = parser.parse_args()
    params = {k: _value(v) for k, v in (p.split("=", 1) for p in args.param)}
    args.cache.mkdir(parents=True, exist_ok=True)
    runners = TUNING if args.set == "tuning" else HELD_OUT
    jobs = [(t, fps, side, args.cache) for fps in args.fps for t in trials(runners) for side in ("right", "left")]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        paths = list(pool.map(prepare, jobs))
        results = list(pool.map(_evaluate_path, [(p, params, args.roll_deg) for p in paths]))
    table = summarise(results)
    for fps, row in table.items():
        c, o, ct = row["contact"], row["toe_off"], row["contact_time"]
        print(f"{args.set} {fps} fps {params} roll {args.roll_deg:+g} deg: contact {c['within_1_frame']:.1%} MAE {c['mae_ms']:.1f} bias {c['bias_ms']:+.1f} "
              f"SD {c['sd_ms']:.1f} missed {c['missed']} | toe-off {o['within_1_frame']:.1%} MAE {o['mae_ms']:.1f} "
              f"bias {o['bias_ms']:+.1f} missed {o['missed']} | CT per trial {ct['mean_abs_ms']:.1f} (max {ct['max_abs_ms']:.0f})")  # fmt: skip
    if args.dump:
        args.dump.write_bytes(pickle.dumps(results))
    out = ROOT / "benchmarks" / "results" / "events_tuning.json"
    out.write_text(json.dumps({"set": args.set, "params": params, "roll_deg": args.roll_deg, "table": table}, indent=1))


def _evaluate_path(job: tuple[Path, dict, float]) -> dict:
    path, params, roll_deg = job
    record = pickle.loads(path.read_bytes())
    if roll_deg:
        record["kp"] = rolled(record["kp"], roll_deg)
    return evaluate(record, params)


def rolled(kp, roll_deg: float):  # noqa: ANN001, ANN201 - Keypoints
    """``kp`` as a camera rolled by ``roll_deg`` (counter-clockwise on the screen; y points down)
    sees it, turned about the keypoints' median point."""
    a = np.radians(roll_deg)
    centre = np.nanmedian(kp.xy_px.reshape(-1, 2), axis=0)
    turn = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    return kp.replace(xy_px=(kp.xy_px - centre) @ turn.T + centre, note=f"rolled {roll_deg:+g} deg")


def _value(text: str) -> float | str | bool:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return float(text)
    except ValueError:
        return text


if __name__ == "__main__":
    main()
