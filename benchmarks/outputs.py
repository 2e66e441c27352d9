"""CPU and wall time of writing the outputs (``runform.pipeline.write_outputs``: tables, report,
annotated video) for the bundled demo clip; the analysis itself runs once per process, untimed.

CPU is ``resource.getrusage(RUSAGE_SELF)`` user + system over the call (the video thread
included); medians of ``--repeat`` calls. ``--baseline DIR``: also measure the runform package in
``DIR`` (e.g. ``git archive <commit> | tar -x -C DIR``), each tree in its own process, alternating
``--rounds`` times so that both see the same load on a shared machine. Then (this tree) the
persons panel alone: decoding the clip up to its frame (the fallback without a video pass) against
building it from a kept frame (the video pass's), for the clip's own panel frame and for a panel
frame near the clip's end (as when the most people are in view late). Then (this tree) the frames
kept by the pose pass (``runform.run``): a decoding pass with and without keeping every frame
reduced (``iter_frames(keep=...)``, what the pose pass pays), and ``write_outputs`` drawing the
video from the kept frames against decoding the clip again. Prints tables and writes
benchmarks/results/outputs.json.

    python benchmarks/outputs.py [--clip PATH] [--repeat 3] [--baseline DIR --rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT / "runform" / "data" / "treadmill_side_30fps.mp4"
RESULTS = ROOT / "benchmarks" / "results" / "outputs.json"


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def medians(fn, repeat: int) -> dict:  # noqa: ANN001
    """Median wall and CPU seconds of ``repeat`` calls of ``fn()``."""
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = cpu_s(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_s() - c0)
    return {"wall_s_median": statistics.median(walls), "cpu_s_median": statistics.median(cpus)}


def child(clip: Path, repeat: int) -> dict:
    """Analyse ``clip`` once, then time ``write_outputs`` ``repeat`` times (the runform on sys.path)."""
    import runform
    from runform.pipeline import write_outputs

    analysis = runform.analyze(clip)
    walls, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="runform-outputs-") as tmp:
        for k in range(repeat):
            c0, t0 = cpu_s(), time.perf_counter()
            write_outputs(analysis, Path(tmp) / f"out{k}")
            walls.append(time.perf_counter() - t0)
            cpus.append(cpu_s() - c0)
    return {"runform": str(Path(runform.__file__).parents[1]), "wall_s": walls, "cpu_s": cpus}


class _Kept:
    """A pass over the video that kept the panel's frame (the KeyFrameGrabber's part)."""

    def __init__(self, kept: tuple) -> None:
        self.kept = kept

    def panel_image(self, timeout_s: float | None = None) -> tuple:
        return self.kept


def panel_costs(clip: Path, repeat: int = 5) -> list[dict]:
    """Median wall and CPU of the persons panel: separate decode vs a kept frame."""
    import dataclasses

    import numpy as np

    import runform
    from runform.io import iter_frames
    from runform.report.persons import panel_frame, persons_panel

    persons = runform.analyze(clip).persons
    late = persons.boxes_px.copy()
    late[:, : persons.n_frames - 30] = np.nan  # everyone hidden but in the last second
    rows = []
    for case, tracks in (("own panel frame", persons), ("panel frame 1 s before the end", dataclasses.replace(persons, boxes_px=late))):
        index = tracks.first_frame + panel_frame(tracks)
        frame = next(f for f in iter_frames(clip) if f.index == index)
        kept = _Kept((frame.time_s, frame.rgb, (1.0, 1.0)))
        for how, grabber in (("separate decode", None), ("kept frame", kept)):
            cost = medians(lambda t=tracks, g=grabber: persons_panel(t, clip, g), repeat)
            rows.append({"case": case, "frame_index": index, "how": how, **cost})
    return rows


def kept_frames_costs(clip: Path, repeat: int = 5) -> list[dict]:
    """Median wall and CPU: a decoding pass with / without keeping the frames reduced, and
    ``write_outputs`` from the kept frames / decoding again."""
    import runform
    from runform.config import Config
    from runform.io import ReducedFrames, iter_frames, probe
    from runform.pipeline import write_outputs
    from runform.report import MAX_LONG_SIDE_PX

    info = probe(clip)

    def decode(keep: bool) -> ReducedFrames | None:
        kept = ReducedFrames.for_clip(info, MAX_LONG_SIDE_PX, int(Config().frame_memory_mib * 2**20)) if keep else None
        for _ in iter_frames(clip, keep=kept):
            pass
        return kept

    rows = [{"what": "decoding pass (full-size RGB)", "how": how, **medians(lambda k=keep: decode(k), repeat)}
            for how, keep in (("frames not kept", False), ("frames kept reduced", True))]  # fmt: skip
    kept = decode(True)
    analysis = runform.analyze(clip)
    with tempfile.TemporaryDirectory(prefix="runform-outputs-") as tmp:
        for how, frames in (("decoding the clip again", None), ("from the kept frames", kept)):
            rows.append({"what": "write_outputs", "how": how,
                         **medians(lambda f=frames: write_outputs(analysis, Path(tmp) / "out", frames=f), repeat)})  # fmt: skip
    rows.append({"what": "kept frames", "how": f"{len(kept)} frames, {kept.n_bytes / 2**20:.0f} MiB",
                 "wall_s_median": 0.0, "cpu_s_median": 0.0})  # fmt: skip
    return rows


def run_child(tree: Path, clip: Path, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, __file__, "--child", "--clip", str(clip), "--repeat", str(repeat)],
                         capture_output=True, text=True, env=env, check=True)  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if Path(result["runform"]).resolve() != tree.resolve():
        raise RuntimeError(f"measured {result['runform']}, not {tree}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=None, help="another runform tree to compare with")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.clip, args.repeat)))  # noqa: T201 - the parent reads it
        return
    trees = {"this tree": ROOT} | ({"baseline": args.baseline} if args.baseline else {})
    samples: dict[str, dict[str, list[float]]] = {name: {"wall_s": [], "cpu_s": []} for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            result = run_child(tree, args.clip, args.repeat)
            samples[name]["wall_s"] += result["wall_s"]
            samples[name]["cpu_s"] += result["cpu_s"]
    rows = [{"tree": name, "path": str(trees[name]), "clip": args.clip.name, "calls": len(s["wall_s"]),
             "wall_s_median": statistics.median(s["wall_s"]), "cpu_s_median": statistics.median(s["cpu_s"]), **s}
            for name, s in samples.items()]  # fmt: skip
    panel = panel_costs(args.clip)
    kept = kept_frames_costs(args.clip)
    RESULTS.write_text(json.dumps({"load_avg_1min_end": os.getloadavg()[0], "write_outputs": rows, "persons_panel": panel,
                                   "kept_frames": kept}, indent=2))  # fmt: skip
    print(f"{'write_outputs':14s} {'calls':>6s} {'wall s (median)':>16s} {'CPU s (median)':>16s}")  # noqa: T201
    for r in rows:
        print(f"{r['tree']:14s} {r['calls']:6d} {r['wall_s_median']:16.2f} {r['cpu_s_median']:16.2f}")  # noqa: T201
    print(f"\n{'persons panel':32s} {'frame':>6s} {'how':>16s} {'wall ms':>9s} {'CPU ms':>9s}")  # noqa: T201
    for r in panel:
        print(f"{r['case']:32s} {r['frame_index']:6d} {r['how']:>16s} {r['wall_s_median'] * 1e3:9.1f} "
              f"{r['cpu_s_median'] * 1e3:9.1f}")  # noqa: T201
    print(f"\n{'kept frames':30s} {'how':>34s} {'wall s':>8s} {'CPU s':>8s}")  # noqa: T201
    for r in kept:
        print(f"{r['what']:30s} {r['how']:>34s} {r['wall_s_median']:8.2f} {r['cpu_s_median']:8.2f}")  # noqa: T201


if __name__ == "__main__":
    main()
