"""How the error model's per-clip systematic error is chosen: cross-validation within the TUNING runners.

    python benchmarks/error_model_cv.py [--runs benchmarks/results/accuracy_runs.json]

Reads the per-run results of ``benchmarks/accuracy.py`` (no trial is re-run) and keeps only the
tuning runners. For each candidate method of ``accuracy.systematic_by_fps``:

* leave-one-runner-out (LORO): the model is built from 9 tuning runners and the 95 % uncertainty
  of the 10th runner's clips is checked (every clip: 3 speeds x 2 camera sides), per frame rate;
* split-half: every 6th of the 252 ways to split the 10 runners 5 / 5, model from one half, coverage
  on the other; the share of splits in which coverage is >= 90 % at that frame rate (what the
  issue asks of a set of new runners, with fewer runners to estimate from);
* the mean 95 % half-width of the LORO intervals.

Prints a table and writes ``benchmarks/results/error_model_cv.json``. Held-out runners are not read.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import COVERED, _width_text, coverage, error_model  # noqa: E402

METHODS = ("rmse_p95", "point", "prediction", "prediction_by_fps", "tolerance90", "tolerance_by_fps", "tolerance")


def _check(fit: list[dict], test: list[dict], method: str) -> dict:
    """Coverage of ``test`` runs (marked held out) with a model built from ``fit`` runs."""
    runs = [{**r, "held_out": False} for r in fit] + [{**r, "held_out": True} for r in test]
    return coverage(runs, error_model(runs, method))


def cross_validate(runs: list[dict], method: str) -> dict:
    tuning = [r for r in runs if not r["held_out"]]
    runners = sorted({r["runner"] for r in tuning})
    loro = [_check([r for r in tuning if r["runner"] != lo], [r for r in tuning if r["runner"] == lo], method)
            for lo in runners]  # fmt: skip
    halves = list(itertools.combinations(runners, len(runners) // 2))[::6]
    split = [_check([r for r in tuning if r["runner"] in half], [r for r in tuning if r["runner"] not in half], method)
             for half in halves]  # fmt: skip
    out: dict[str, dict] = {}
    for fps in loro[0]:
        out[fps] = {}
        for m in COVERED:
            hits = sum(c[fps][m]["coverage"] * c[fps][m]["n"] for c in loro) / sum(c[fps][m]["n"] for c in loro)
            out[fps][m] = {"loro_coverage": float(hits),
                           "loro_mean_half_width": float(np.mean([c[fps][m]["mean_half_width"] for c in loro])),
                           "split_half_share_ge_90": float(np.mean([c[fps][m]["coverage"] >= 0.9 for c in split]))}  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=Path, default=ROOT / "benchmarks" / "results" / "accuracy_runs.json")
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    args = parser.parse_args()
    runs = json.loads(args.runs.read_text())
    results = {method: cross_validate(runs, method) for method in args.methods}
    lines = ["| method | metric | " + " | ".join(f"{fps} fps: LORO coverage, half-width; split-half ≥ 90 %"
                                               for fps in next(iter(results.values()))) + " |"]  # fmt: skip
    lines.append("|---" * (2 + len(next(iter(results.values())))) + "|")
    for method, table in results.items():
        for m in COVERED:
            cells = [f"{t[m]['loro_coverage']:.0%}, {_width_text(m, t[m]['loro_mean_half_width'])}; "
                     f"{t[m]['split_half_share_ge_90']:.0%}" for t in table.values()]  # fmt: skip
            lines.append(f"| {method} | {m} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    out = ROOT / "benchmarks" / "results" / "error_model_cv.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
