"""Pose variants vs the default on the shared hand-labelled clip: pose time and accuracy (labels v2).

- ``fast``: ``--fast`` runs the bundled full BlazePose model on every other frame and interpolates
  the frames between (the lite model of ``model_complexity=0`` is not in the wheel and would be
  downloaded);
- ``default`` is pose in two processes on two cores (the 12 s clip's seam falls after the
  labelled frames 15-134); ``1proc``: one process (``--pose-workers 1``);
- ``2proc@S``: two processes with the seam forced to the fraction S of the clip, so that the
  labelled events lie after it (in the worker's frames).

Prints a table and writes benchmarks/results/fast.json.

    python benchmarks/fast.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
UPSTREAM_CADENCE = 168.9


SEAMS = (0.1, 0.2, 0.3)


def evaluate(fast: bool, seam: float | None = None, pose_workers: int | None = None) -> dict:
    from fixtures.data import CLIP, LABELS, match_events

    import runform
    from runform.pose import mediapipe_backend

    if seam is not None:
        mediapipe_backend.PARENT_SHARE, mediapipe_backend.WORKER_START_FRAMES = seam, 0
        pose_workers = 2
    analysis = runform.analyze(CLIP, model_complexity=0 if fast else 1, pose_workers=pose_workers)
    labels = pd.read_csv(LABELS)
    out: dict = {"pose_s": analysis.timings_s["pose"], "verdict": analysis.quality.verdict}
    for kind in ("contact", "toe_off"):
        errors = match_events(analysis.events, labels[labels["event"] == kind])["error_frames"].to_numpy()
        out[kind] = {"within_1_frame": f"{int((np.abs(errors) <= 1).sum())}/{len(errors)}",
                     "mae_frames": float(np.mean(np.abs(errors))), "max_abs_frames": float(np.max(np.abs(errors)))}  # fmt: skip
    out["cadence_spm"] = analysis.overall_cadence_steps_per_min
    out["cadence_error_spm"] = analysis.overall_cadence_steps_per_min - UPSTREAM_CADENCE
    out["mean_contact_time_s"] = float(analysis.strides["contact_time_s"].mean())
    out["knee_lift_left_deg"] = analysis.summary["max_thigh_angle_deg"]["left"]["median"]
    return out


def main() -> None:
    results = {"default": evaluate(False), "fast": evaluate(True)}
    results["pose_speedup"] = results["default"]["pose_s"] / results["fast"]["pose_s"]
    names = ["default", "fast", "1proc"]
    results["1proc"] = evaluate(False, pose_workers=1)
    for seam in SEAMS:
        names.append(f"2proc@{seam:g}")
        results[names[-1]] = evaluate(False, seam)
    print(f"{'':10s} {'pose s':>7s} {'contacts ±1':>12s} {'MAE':>5s} {'toe-offs ±1':>12s} {'MAE':>5s} {'cadence':>8s} {'contact s':>9s} {'knee lift L':>11s}")
    for name in names:
        r = results[name]
        print(f"{name:10s} {r['pose_s']:7.2f} {r['contact']['within_1_frame']:>12s} {r['contact']['mae_frames']:5.2f} "
              f"{r['toe_off']['within_1_frame']:>12s} {r['toe_off']['mae_frames']:5.2f} {r['cadence_spm']:8.1f} "
              f"{r['mean_contact_time_s']:9.3f} {r['knee_lift_left_deg']:11.1f}")  # fmt: skip
    print(f"pose speed-up with --fast: {results['pose_speedup']:.2f}x")
    out = ROOT / "benchmarks" / "results" / "fast.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
