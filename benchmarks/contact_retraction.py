"""Why some runners' kinematic contacts come early: foot speed at the force-plate contact.

    python benchmarks/contact_retraction.py [--speed 35] [--runners 001 002 ...]
    python benchmarks/contact_retraction.py --candidates

For each RBDS runner (noise-free markers through the right-side virtual camera at 240 fps, so that
neither pose noise nor the frame rate plays a part): the foot's backward speed relative to the pelvis
(mean of heel and toe) at the force-plate contact, as a fraction of the ground speed (its median over
30-60 % of stance), and how long before the force contact the foot reaches half the ground speed
(runform's contact rule, here without its noise handling or template alignment). Next to it, the
mean signed contact error of runform's detector at 60 fps with realistic noise, from the last
``benchmarks/accuracy.py`` run (``accuracy_runs.json``). A diagnosis, not a tuning loop: it reads
held-out runners too and nothing is chosen on it. Writes ``benchmarks/results/contact_retraction.json``.

``--candidates`` (session 9): other kinematic signs of touchdown on the same noise-free markers, all
three speeds, each a median per trial of its time minus the force contact: the heel's speed relative
to the ground in both directions, fore-aft and vertical (lower than the toe's), falling below 40 /
50 % of the ground speed, and the peak upward acceleration (15 Hz Butterworth) of the heel, toe and
ankle; session 14 added the knee (its least flexion, and its flexion speed passing 100 / 200
deg/s). A rule that times contact for every runner has a small spread of these times across
runners; printed per set (mean, SD, RBDS002), written to ``contact_candidates.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import butter, filtfilt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import HELD_OUT, RBDS, TUNING  # noqa: E402

from runform.io import from_rbds_joints  # noqa: E402
from runform.pose.virtual_camera import VirtualCamera  # noqa: E402


def _projected(trial: str, fps: float) -> tuple:
    """The trial's noise-free joints through the right-side camera, its force events and the pelvis x (px)."""
    kp = VirtualCamera(fps=fps, side="right").project(from_rbds_joints(RBDS / f"{trial}_joints.csv"))
    pelvis = (kp.xy("left_hip")[:, 0] + kp.xy("right_hip")[:, 0]) / 2
    return kp, pd.read_csv(RBDS / f"{trial}_events.csv"), pelvis


def _stances(events: pd.DataFrame, side: str) -> Iterator[tuple[float, float]]:
    """(force contact, next toe-off) of each of one foot's stances but the first and last."""
    contacts = events[(events["side"] == side) & (events["event"] == "contact")]["time_s"].to_numpy()
    toe_offs = events[(events["side"] == side) & (events["event"] == "toe_off")]["time_s"].to_numpy()
    for tc in contacts[1:-1]:
        later = toe_offs[toe_offs > tc]
        if len(later):
            yield float(tc), float(later[0])


def foot_speed_at_contact(trial: str, fps: float = 240.0) -> dict:
    """Median over the trial's stances (both feet) of the foot speed at force contact (fraction of
    ground speed) and of the half-ground-speed crossing's time minus the force contact (ms)."""
    kp, events, pelvis = _projected(trial, fps)
    t = kp.time_s
    speed_frac, lead_ms = [], []
    for side in ("right", "left"):
        parts = [kp.xy(f"{side}_{p}")[:, 0] - pelvis for p in ("heel", "foot_index")]
        velocity = np.mean([np.gradient(x, t) for x in parts], axis=0)
        for tc, to in _stances(events, side):
            stance = to - tc
            ground = np.median(velocity[(t > tc + 0.3 * stance) & (t < tc + 0.6 * stance)])
            v = velocity / ground
            speed_frac.append(float(v[np.argmin(np.abs(t - tc))]))
            near = np.flatnonzero((t > tc - 0.08) & (t < tc + 0.05))
            up = near[:-1][(v[near[:-1]] < 0.5) & (v[near[:-1] + 1] >= 0.5)]
            if len(up):
                lead_ms.append(1000 * (t[up[-1]] - tc))
    return {"foot_speed_at_force_contact_frac": float(np.median(speed_frac)),
            "half_speed_minus_force_contact_ms": float(np.median(lead_ms)) if lead_ms else None}  # fmt: skip


def _last_crossing_ms(t: np.ndarray, v: np.ndarray, tc: float, level: float, falling: bool) -> float:
    """Time (ms, vs ``tc``) of the last crossing of ``level`` in -100..+50 ms around the force contact."""
    near = np.flatnonzero((t > tc - 0.10) & (t < tc + 0.05))[:-1]
    a, b = v[near], v[near + 1]
    hits = near[(a > level) & (b <= level)] if falling else near[(a < level) & (b >= level)]
    return 1000 * (t[hits[-1]] - tc) if len(hits) else np.nan


def _knee_flexion_deg(kp, side: str) -> np.ndarray:  # noqa: ANN001 - Keypoints
    """Sagittal knee flexion: thigh angle minus shank angle, each from the downward vertical."""
    hip, knee, ankle = (kp.xy(f"{side}_{p}") for p in ("hip", "knee", "ankle"))
    thigh = np.degrees(np.arctan2(knee[:, 0] - hip[:, 0], knee[:, 1] - hip[:, 1]))
    shank = np.degrees(np.arctan2(ankle[:, 0] - knee[:, 0], ankle[:, 1] - knee[:, 1]))
    return thigh - shank


def _first_crossing_ms(t: np.ndarray, v: np.ndarray, near: np.ndarray, level: float, tc: float) -> float:
    """Time (ms, vs the force contact ``tc``) of the first upward crossing of ``level`` within the
    sample indices ``near``."""
    near = near[:-1]
    hits = near[(v[near] < level) & (v[near + 1] >= level)]
    return 1000 * (t[hits[0]] - tc) if len(hits) else np.nan


def candidate_times(trial: str, fps: float = 240.0) -> dict:
    """Median over the trial's stances of each candidate's time minus the force contact (ms)."""
    kp, events, pelvis = _projected(trial, fps)
    t = kp.time_s
    b, a = butter(2, 15 / (fps / 2))
    times: dict[str, list[float]] = {}
    for side in ("right", "left"):
        x = {p: kp.xy(f"{side}_{p}")[:, 0] - pelvis for p in ("heel", "foot_index")}
        vx = {p: np.gradient(x[p], t) for p in x}
        vy = {p: np.gradient(kp.xy(f"{side}_{p}")[:, 1], t) for p in x}
        up_acc = {p: np.gradient(np.gradient(filtfilt(b, a, -kp.xy(f"{side}_{p}")[:, 1]), t), t)
                  for p in ("heel", "foot_index", "ankle")}  # fmt: skip
        knee = _knee_flexion_deg(kp, side)
        knee_rate = np.gradient(knee, t)
        for tc, to in _stances(events, side):
            mid = (t > tc + 0.3 * (to - tc)) & (t < tc + 0.6 * (to - tc))
            ground = np.median((vx["heel"][mid] + vx["foot_index"][mid]) / 2)
            slip = {p: np.hypot(vx[p] / ground - 1, vy[p] / abs(ground)) for p in x}  # 2-D speed vs the ground
            found = {"foot speed 50 % (today's rule)": _last_crossing_ms(t, (vx["heel"] + vx["foot_index"]) / 2 / ground, tc, 0.5, False)}
            for level in (0.4, 0.5):
                found[f"heel 2-D speed vs ground < {level:.0%}"] = _last_crossing_ms(t, slip["heel"], tc, level, True)
            window = np.flatnonzero((t > tc - 0.06) & (t < tc + 0.06))
            for p, acc in up_acc.items():
                found[f"peak upward acceleration, {p}"] = 1000 * (t[window[np.argmax(acc[window])]] - tc)
            around = np.flatnonzero((t > tc - 0.08) & (t < tc + 0.06))  # session 14: the knee
            found["knee at its least flexion"] = 1000 * (t[around[np.argmin(knee[around])]] - tc)
            for level in (100, 200):
                found[f"knee flexing faster than {level} deg/s"] = _first_crossing_ms(t, knee_rate, around, level, tc)
            for name, ms in found.items():
                times.setdefault(name, []).append(ms)
    return {name: float(np.nanmedian(v)) for name, v in times.items()}


def print_candidates(runners: list[str]) -> None:
    rows = [{"runner": r, "speed": s, **candidate_times(f"RBDS{r}runT{s}")} for r in runners for s in ("25", "35", "45")]
    table = pd.DataFrame(rows)
    names = [c for c in table.columns if c not in ("runner", "speed")]
    print("| candidate | tuning: mean, SD across trials (ms) | held out: mean, SD (ms) | RBDS002 at 3.5 m/s (ms) |\n|---|---|---|---|")
    for name in names:
        cells = [f"{g[name].mean():+.1f}, {g[name].std():.1f}"
                 for g in (table[table["runner"].isin(TUNING)], table[table["runner"].isin(HELD_OUT)])]  # fmt: skip
        worst = table[(table["runner"] == "002") & (table["speed"] == "35")][name]
        print(f"| {name} | {cells[0]} | {cells[1]} | {worst.iloc[0]:+.1f} |" if len(worst) else f"| {name} | {cells[0]} | {cells[1]} | – |")
    out = ROOT / "benchmarks" / "results" / "contact_candidates.json"
    out.write_text(json.dumps(rows, indent=1))
    print(f"wrote {out.relative_to(ROOT)}")


def detector_bias_ms(runner: str, speed: str, fps: float = 60) -> float | None:
    path = ROOT / "benchmarks" / "results" / "accuracy_runs.json"
    if not path.exists():
        return None
    runs = [r for r in json.loads(path.read_text()) if r["runner"] == runner and r["speed"] == speed and r["fps"] == fps]
    errors = np.array([e for r in runs for e in r["contact_errors_ms"]], dtype=float)
    return float(np.nanmean(errors)) if len(errors) else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speed", default="35", choices=["25", "35", "45"])
    parser.add_argument("--runners", nargs="+", default=TUNING + HELD_OUT)
    parser.add_argument("--candidates", action="store_true", help="other kinematic signs of touchdown, all speeds")
    args = parser.parse_args()
    if args.candidates:
        print_candidates(args.runners)
        return
    rows = []
    print("| runner | set | foot speed at force contact (× ground speed) | half ground speed reached (ms vs force) "
          "| runform contact bias, 60 fps + noise (ms) |\n|---|---|---|---|---|")  # fmt: skip
    for runner in args.runners:
        row = {"runner": runner, "set": "held out" if runner in HELD_OUT else "tuning",
               **foot_speed_at_contact(f"RBDS{runner}runT{args.speed}"), "detector_bias_ms": detector_bias_ms(runner, args.speed)}  # fmt: skip
        rows.append(row)
        bias = "–" if row["detector_bias_ms"] is None else f"{row['detector_bias_ms']:+.1f}"
        print(f"| RBDS{runner} | {row['set']} | {row['foot_speed_at_force_contact_frac']:.2f} "
              f"| {row['half_speed_minus_force_contact_ms']:+.1f} | {bias} |")  # fmt: skip
    out = ROOT / "benchmarks" / "results" / "contact_retraction.json"
    out.write_text(json.dumps({"speed": args.speed, "rows": rows}, indent=1))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
