"""Speed and memory: the bare decode + BlazePose loop vs runform on the same clip, and batch
throughput with 1 and 2 Dask workers.

Variants (each in its own subprocess, so its peak resident memory is its own; libraries are
imported before the clock starts; variants alternate ``--repeat`` times and medians are reported):

- ``bare``: PyAV decode to RGB + BlazePose (model_complexity 1, video mode) on every frame;
- ``noout``: ``runform.run(clip, out_dir)`` with ``--no-report --no-video`` (analysis.json + CSVs);
- ``default``: ``runform.run(clip, out_dir)`` with the report and the annotated video, as
  ``runform analyze clip --height 1.75 -o out``.

``--long``: the same for a clip looped ``--long-factor`` times (memory must stay flat).
``--batch N``: ``runform batch`` of N copies of the clip with ``--workers 1`` and ``--workers 2``
(whole commands, Dask cluster start included), alternating ``--repeat`` times: median clips per
minute and the speed-up of the medians (one pair of runs swung from 1.43x to 1.64x on this VM,
whose speed drifts); and the steady-state throughput of the same runs, from the moments the rows
are printed: clips per minute after each worker's first clip (what a long batch runs at, without
the command's one-off start-up and close). Beside each pair, the machine's own ceiling: one bare
loop alone, then two at once (2x on two ideal cores). ``--batch-only`` skips the single-clip variants.
Prints a table and writes benchmarks/results/speed.json (``--batch-only``: speed_batch.json;
``--json NAME`` for another file name there).

    python benchmarks/speed.py [--clip PATH] [--repeat 3] [--long] [--batch 4] [--batch-only] [--json NAME]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT / "runform" / "data" / "treadmill_side_30fps.mp4"
RUNFORM = Path(sys.executable).with_name("runform")
VARIANTS = ("bare", "noout", "default")


def child_bare(clip: str) -> dict:
    """Decode with PyAV to RGB and run BlazePose (model_complexity=1, video mode) on every frame."""
    import av
    import mediapipe as mp

    start = time.perf_counter()
    n = 0
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose, av.open(clip) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            pose.process(frame.to_ndarray(format="rgb24"))
            n += 1
    return {"frames": n, "seconds": time.perf_counter() - start}


def child_runform(clip: str, outputs: bool, pose_workers: int | None = None) -> dict:
    import mediapipe  # noqa: F401 - imported before the clock starts, as in the bare loop

    import runform.pipeline
    import runform.pose.mediapipe_backend  # noqa: F401
    import runform.report  # noqa: F401
    from runform.config import make_config

    config = make_config(height_m=1.75, write_report=outputs, write_video=outputs, pose_workers=pose_workers)
    outputs_start: list[float] = []

    def progress(done: int, total: int, stage: str) -> None:  # the first report/video call: outputs begin
        if stage != "pose" and not outputs_start:
            outputs_start.append(time.perf_counter())

    with tempfile.TemporaryDirectory(prefix="runform-speed-") as tmp:
        start = time.perf_counter()
        analysis = runform.pipeline.run(clip, config, Path(tmp) / "out", progress)  # exactly what `runform analyze` runs
        end = time.perf_counter()
    stages = dict(analysis.timings_s)
    if outputs_start:  # from the report's start (analysis.json and the CSVs, a few ms, are written just before)
        stages["write_outputs"] = round(end - outputs_start[0], 4)
    return {"frames": analysis.keypoints.n_frames, "seconds": end - start, "stages_s": stages}


def run_child(kind: str, clip: Path, pose_workers: int | None = None) -> dict:
    t0 = time.perf_counter()
    extra = [] if pose_workers is None else ["--pose-workers", str(pose_workers)]
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--clip", str(clip), *extra], capture_output=True,
                         text=True, check=True)  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - t0
    return result


def loop_clip(clip: Path, times: int, dst: Path) -> Path:
    """``clip`` played ``times`` times in a row, as one H.264 file."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.data import decode_rgb, encode_rgb

    from runform.io import probe

    fps = int(round(probe(clip).nominal_fps))
    return encode_rgb(itertools.chain.from_iterable(decode_rgb(clip) for _ in range(times)), dst, fps)


def median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def compare_variants(clip: Path, repeat: int) -> dict:
    runs: dict[str, list[dict]] = {k: [] for k in VARIANTS}
    for _ in range(repeat):  # alternate, so machine load drifts hit every variant alike
        for kind in VARIANTS:
            runs[kind].append(run_child(kind, clip))
    med = {k: median_run(v) for k, v in runs.items()}
    bare_s = med["bare"]["seconds"]
    return {
        "median": med, "all_runs": runs,
        "ratio_noout": med["noout"]["seconds"] / bare_s, "ratio_default": med["default"]["seconds"] / bare_s,
        "ratio_default_process": statistics.median(r["process_s"] for r in runs["default"])
        / statistics.median(r["process_s"] for r in runs["bare"]),
    }  # fmt: skip


def batch_throughput(clip: Path, n_clips: int, workers: int) -> dict:
    """One ``runform batch`` command of ``n_clips`` copies: its wall time, and the moment each clip's
    row was printed (``finished_s``, from the command's start), for the steady-state rate."""
    with tempfile.TemporaryDirectory(prefix="runform-speed-batch-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for k in range(n_clips):
            shutil.copy(clip, folder / f"clip{k:02d}{clip.suffix}")
        command = [str(RUNFORM), "batch", str(folder), "-o", str(Path(tmp) / "out"), "--height", "1.75", "--workers", str(workers)]
        finished_s = []
        t0 = time.perf_counter()
        with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}) as child:  # fmt: skip
            assert child.stderr is not None
            for line in child.stderr:  # the progress lines: one per clip, as its row is recorded
                if line.split()[:1] in (["done"], ["refused"], ["failed"]):
                    finished_s.append(time.perf_counter() - t0)
        seconds = time.perf_counter() - t0
        if child.returncode != 0 or len(finished_s) != n_clips:
            raise RuntimeError(f"runform batch exited {child.returncode} with {len(finished_s)} of {n_clips} rows")
    return {"workers": workers, "clips": n_clips, "seconds": seconds, "clips_per_min": 60 * n_clips / seconds,
            "finished_s": finished_s, "steady_clips_per_min": steady_rate(finished_s, workers)}  # fmt: skip


def bare_pair(clip: Path) -> dict:
    """The machine's own ceiling for two processes: one bare decode + BlazePose loop alone, then two
    at once (whole processes); ``ratio`` is the throughput of two over one (2 on two ideal cores)."""
    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, __file__, "--child", "bare", "--clip", str(clip)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    t0 = time.perf_counter()
    start().wait()
    one_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for child in [start(), start()]:
        child.wait()
    two_s = time.perf_counter() - t0
    return {"one_s": one_s, "two_s": two_s, "ratio": 2 * one_s / two_s}


def steady_rate(finished_s: list[float], workers: int) -> float:
    """Clips per minute once every worker has finished its first clip, until the last one: the
    rate a long batch runs at, without the one-off cluster start, imports, model warm-up and close.
    (With ``workers`` workers the first ``workers`` clips end the start-up round; give a multiple
    of ``workers`` clips, or the last round runs part-empty.)"""
    times = sorted(finished_s)
    if len(times) <= workers:
        return float("nan")
    return 60 * (len(times) - workers) / (times[-1] - times[workers - 1])


def print_table(results: dict, args: argparse.Namespace) -> None:
    if "short" in results:
        print_single_clip(results, args)
    if "batch" in results:
        print_batch(results)


def print_single_clip(results: dict, args: argparse.Namespace) -> None:
    med = results["short"]["median"]
    names = {"bare": "bare decode + BlazePose", "noout": "runform, --no-report --no-video", "default": "runform (report + video)"}
    print(f"{'variant':36s} {'frames':>7s} {'seconds':>8s} {'frames/s':>9s} {'ratio':>6s} {'peak MiB':>9s}")
    for kind in VARIANTS:
        r = med[kind]
        ratio = r["seconds"] / med["bare"]["seconds"]
        print(f"{names[kind]:36s} {r['frames']:7d} {r['seconds']:8.2f} {r['frames'] / r['seconds']:9.1f} {ratio:6.2f} {r['peak_rss_mb']:9.0f}")
    if "long" in results:
        names_long = dict(names, default_one_process="runform (report + video), 1 pose process")
        for kind, r in results["long"].items():
            if kind in names_long and kind != "noout":
                print(f"{names_long[kind] + f' x{args.long_factor}':36s} {r['frames']:7d} {r['seconds']:8.2f} "
                      f"{r['frames'] / r['seconds']:9.1f} {r['seconds'] / results['long']['bare']['seconds']:6.2f} {r['peak_rss_mb']:9.0f}")  # fmt: skip
        print(f"peak memory, runform default x{args.long_factor} / x1: {results['long']['memory_ratio']:.2f}")
    print(f"time ratio runform / bare (medians of {args.repeat} alternating runs): default {results['short']['ratio_default']:.2f}, "
          f"no outputs {results['short']['ratio_noout']:.2f}; whole processes: default {results['short']['ratio_default_process']:.2f}")  # fmt: skip
    print("runform default stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in med["default"]["stages_s"].items()))


def print_batch(results: dict) -> None:
    n = results["batch"]["runs"][0]["clips"]
    for w, seconds in results["batch"]["median_s"].items():
        each = ", ".join(f"{r['seconds']:.1f}" for r in results["batch"]["runs"] if r["workers"] == w)
        print(f"runform batch, {n} clips, {w} worker(s): median {seconds:.1f} s, {60 * n / seconds:.2f} clips/min (runs: {each})")
    pairs = ", ".join(f"{x:.2f}" for x in results["batch"]["speedups_of_pairs"])
    print(f"batch speed-up 2 workers / 1 worker: {results['batch']['speedup']:.2f} (medians; pairs: {pairs})")
    steady = results["batch"]["steady_clips_per_min"]
    pairs = ", ".join(f"{x:.2f}" for x in results["batch"]["steady_speedups_of_pairs"])
    print(f"steady-state throughput (after each worker's first clip): 1 worker {steady[1]:.2f}, 2 workers "
          f"{steady[2]:.2f} clips/min; speed-up {results['batch']['steady_speedup']:.2f} (medians; pairs: {pairs})")
    rounds = ", ".join(f"{b['ratio']:.2f}" for b in results["batch"]["bare_pairs"])
    print(f"two bare decode + BlazePose loops at once / one alone (the machine's ceiling for two processes): "
          f"{results['batch']['bare_ratio']:.2f} (median; rounds: {rounds})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--child", choices=VARIANTS)
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each variant; medians are reported")
    parser.add_argument("--long", action="store_true", help="also measure a longer clip (the clip looped)")
    parser.add_argument("--long-factor", type=int, default=10, help="how many times to loop the clip")
    parser.add_argument("--pose-workers", type=int, default=None, help=argparse.SUPPRESS)  # child option
    parser.add_argument("--batch", type=int, default=0, help="also time runform batch of this many clips, 1 and 2 workers")
    parser.add_argument("--batch-only", action="store_true", help="only the batch runs (with --batch)")
    parser.add_argument("--json", default=None, help="file name in benchmarks/results (default speed.json / speed_batch.json)")
    args = parser.parse_args()
    if args.child:
        result = (child_bare(str(args.clip)) if args.child == "bare"
                  else child_runform(str(args.clip), args.child == "default", args.pose_workers))  # fmt: skip
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["peak_rss_worker_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # 2nd pose process
        print(json.dumps(result))
        return
    load = os.getloadavg()[0]
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at start",
                     "python": platform.python_version(), "clip": args.clip.name, "repeat": args.repeat}  # fmt: skip
    if not args.batch_only:
        results["short"] = compare_variants(args.clip, args.repeat)
    if args.long and not args.batch_only:
        with tempfile.TemporaryDirectory() as tmp:
            long_clip = loop_clip(args.clip, args.long_factor, Path(tmp) / "long.mp4")
            results["long"] = {k: run_child(k, long_clip) for k in ("bare", "default")}
            results["long"]["default_one_process"] = run_child("default", long_clip, pose_workers=1)
        results["long"]["factor"] = args.long_factor
        results["long"]["memory_ratio"] = results["long"]["default"]["peak_rss_mb"] / results["short"]["median"]["default"]["peak_rss_mb"]
    if args.batch:
        runs, bare = [], []
        for _ in range(args.repeat):  # alternate, so machine load drifts hit every variant alike
            runs += [batch_throughput(args.clip, args.batch, w) for w in (1, 2)]
            bare.append(bare_pair(args.clip))
        median_s = {w: statistics.median(r["seconds"] for r in runs if r["workers"] == w) for w in (1, 2)}
        steady = {w: statistics.median(r["steady_clips_per_min"] for r in runs if r["workers"] == w) for w in (1, 2)}
        results["batch"] = {"runs": runs, "median_s": median_s, "speedup": median_s[1] / median_s[2],
                            "speedups_of_pairs": [a["seconds"] / b["seconds"] for a, b in zip(runs[::2], runs[1::2])],
                            "steady_clips_per_min": steady, "steady_speedup": steady[2] / steady[1],
                            "steady_speedups_of_pairs": [b["steady_clips_per_min"] / a["steady_clips_per_min"]
                                                         for a, b in zip(runs[::2], runs[1::2])],
                            "bare_pairs": bare, "bare_ratio": statistics.median(b["ratio"] for b in bare)}  # fmt: skip
    results["load_average_end"] = os.getloadavg()[0]
    print_table(results, args)
    name = args.json or ("speed_batch.json" if args.batch_only else "speed.json")
    out = ROOT / "benchmarks" / "results" / Path(name).name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
