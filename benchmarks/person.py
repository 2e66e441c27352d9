"""Cost of person detection + tracking: the pose pass with and without it, on a single-person clip.

``MediaPipePose(detect_persons=False)`` is the plain single-person pass; ``detect_persons=True``
adds the detector (5 Hz until the scene settles, then 1.5 Hz; whole frame and zoomed tiles), the
tracker, the leg-motion energy and the runner choice. Variants alternate ``--repeat`` times (the
machine is shared, so the median of each is reported, as wall time and as the process's CPU time,
which other users' load disturbs less); the models are loaded once before timing. Prints a table
and writes benchmarks/results/person.json.

    python benchmarks/person.py [--clip PATH] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT.parent / "shared" / "data" / "treadmill_side_30fps.mp4"


def run(clip: Path, detect: bool) -> tuple[float, float, dict]:
    """(wall s, CPU s, info) of one pose pass."""
    from runform.pose.mediapipe_backend import MediaPipePose

    backend = MediaPipePose(detect_persons=detect)
    start, start_cpu = time.perf_counter(), time.process_time()
    kp = backend.estimate(clip)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    info = {"frames": kp.n_frames}
    if detect:
        info.update(tracks=len(backend.persons_.track_ids), cropped=backend.cropped_, detections=backend.survey_.n_detections_,
                    choice=backend.persons_.as_dict())  # fmt: skip
    return elapsed, cpu, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from runform.pose.detection import PersonDetector

    PersonDetector()._load()  # warm the interpreter and imports outside the clock
    run(args.clip, False)
    times: dict[str, list[float]] = {"plain": [], "persons": []}
    cpu: dict[str, list[float]] = {"plain": [], "persons": []}
    info = {}
    for _ in range(args.repeat):
        for name, detect in (("plain", False), ("persons", True)):
            elapsed, used, info[name] = run(args.clip, detect)
            times[name].append(elapsed)
            cpu[name].append(used)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    frames = info["plain"]["frames"]
    overhead = 100 * (med["persons"] / med["plain"] - 1)
    overhead_cpu = 100 * (med_cpu["persons"] / med_cpu["plain"] - 1)
    print(f"{'variant':<10}{'median s':>10}{'ms/frame':>10}{'CPU s':>8}  wall runs")
    for name in times:
        print(f"{name:<10}{med[name]:>10.2f}{1000 * med[name] / frames:>10.1f}{med_cpu[name]:>8.2f}  "
              + ", ".join(f"{t:.2f}" for t in times[name]))  # fmt: skip
    print(f"overhead of detection + tracking: {overhead:+.1f} % wall, {overhead_cpu:+.1f} % CPU (budget +15 %)")
    result = {"clip": args.clip.name, "frames": frames, "repeat": args.repeat, "median_s": med, "runs_s": times,
              "median_cpu_s": med_cpu, "runs_cpu_s": cpu, "overhead_pct": round(overhead, 1),
              "overhead_cpu_pct": round(overhead_cpu, 1), "persons": info["persons"], "machine": platform.platform(),
              "python": platform.python_version()}  # fmt: skip
    out = ROOT / "benchmarks" / "results" / "person.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
