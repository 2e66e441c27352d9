"""Speed and memory: bare decode + BlazePose loop vs ``runform analyze`` on the same clip.

Both variants import their libraries before the clock starts; they run alternately ``--repeat``
times and the median run of each is reported.

Each variant runs in its own subprocess so its peak resident memory (ru_maxrss) is its own.
``--long`` also builds a 10x longer clip (the clip looped, re-encoded) and reports the peak
memory of both lengths. Prints a table and writes benchmarks/results/speed.json.

    python benchmarks/speed.py [--clip PATH] [--long]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT / "runform" / "data" / "treadmill_side_30fps.mp4"


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


def child_runform(clip: str) -> dict:
    import mediapipe  # noqa: F401 - imported before the clock starts, as in the bare loop

    import runform
    import runform.pipeline  # noqa: F401
    import runform.pose.mediapipe_backend  # noqa: F401
    from runform.io import output_folder, write_tables

    start = time.perf_counter()
    analysis = runform.analyze(clip)
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        with output_folder(Path(out) / "o") as folder:  # the analysis outputs without the report
            write_tables(analysis, folder)
        analysis.timings_s["write_outputs"] = round(time.perf_counter() - t0, 4)
    return {"frames": analysis.keypoints.n_frames, "seconds": time.perf_counter() - start, "stages_s": analysis.timings_s}


def run_child(kind: str, clip: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--clip", str(clip)], capture_output=True, text=True,
                         check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def loop_clip(clip: Path, times: int, dst: Path) -> Path:
    import av

    with av.open(str(dst), "w") as out:
        stream = None
        for _ in range(times):
            with av.open(str(clip)) as inp:
                for frame in inp.decode(video=0):
                    img = frame.to_ndarray(format="rgb24")
                    if stream is None:
                        stream = out.add_stream("libx264", rate=int(round(float(inp.streams.video[0].average_rate))))
                        stream.width, stream.height, stream.pix_fmt = img.shape[1], img.shape[0], "yuv420p"
                        stream.options = {"preset": "veryfast", "crf": "20"}
                    for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                        out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return dst


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--child", choices=["bare", "runform"])
    parser.add_argument("--long", action="store_true", help="also measure a longer clip (the clip looped)")
    parser.add_argument("--long-factor", type=int, default=10, help="how many times to loop the clip (50 = 10 minutes)")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each variant; medians are reported")
    args = parser.parse_args()
    if args.child:
        result = child_bare(str(args.clip)) if args.child == "bare" else child_runform(str(args.clip))
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    results = {"machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, {__import__('os').cpu_count()} cores",
               "python": platform.python_version(), "clip": args.clip.name}  # fmt: skip
    runs: dict[str, list[dict]] = {"bare": [], "runform": []}
    for _ in range(args.repeat):  # alternate, so machine load drifts hit both variants alike
        for kind in runs:
            runs[kind].append(run_child(kind, args.clip))
    bare, rf = (sorted(runs[k], key=lambda r: r["seconds"])[len(runs[k]) // 2] for k in ("bare", "runform"))
    results["bare"], results["runform"], results["all_runs"] = bare, rf, runs
    results["bare_fps"] = bare["frames"] / bare["seconds"]
    results["runform_fps"] = rf["frames"] / rf["seconds"]
    results["time_ratio"] = rf["seconds"] / bare["seconds"]
    if args.long:
        with tempfile.TemporaryDirectory() as tmp:
            long_clip = loop_clip(args.clip, args.long_factor, Path(tmp) / "long.mp4")
            results["runform_long"] = run_child("runform", long_clip)
        results["long_factor"] = args.long_factor
        results["memory_ratio_long"] = results["runform_long"]["peak_rss_mb"] / rf["peak_rss_mb"]
    rows = [("bare decode + BlazePose", bare), ("runform analyze (no report)", rf)]
    if args.long:
        rows.append((f"runform analyze, clip x{args.long_factor}", results["runform_long"]))
    print(f"{'variant':32s} {'frames':>7s} {'seconds':>8s} {'frames/s':>9s} {'peak MB':>8s}")
    for name, r in rows:
        print(f"{name:32s} {r['frames']:7d} {r['seconds']:8.2f} {r['frames'] / r['seconds']:9.1f} {r['peak_rss_mb']:8.0f}")
    print(f"time ratio runform / bare (medians of {args.repeat} alternating runs): {results['time_ratio']:.3f}")
    print("runform stages (s): " + ", ".join(f"{k} {v:.3f}" for k, v in rf["stages_s"].items()))
    if args.long:
        print(f"peak memory {args.long_factor}x clip / 1x clip: {results['memory_ratio_long']:.2f}")
    out = ROOT / "benchmarks" / "results" / "speed.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
