"""Report size and opening time in headless Debian Chromium, for the bundled demo clip.

    python benchmarks/report.py   # prints a table, writes benchmarks/results/report.json
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLIP = ROOT / "runform" / "data" / "treadmill_side_30fps.mp4"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def main() -> None:
    from playwright.sync_api import sync_playwright

    import runform
    from runform.pipeline import write_outputs

    analysis = runform.analyze(CLIP, event="10k")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        t0 = time.perf_counter()
        write_outputs(analysis, out)
        write_s = time.perf_counter() - t0
        size_mb = (out / "report.html").stat().st_size / 1e6
        video_mb = (out / "annotated.mp4").stat().st_size / 1e6
        loads = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for _ in range(5):
                page = browser.new_page()
                t0 = time.perf_counter()
                page.goto((out / "report.html").as_uri(), wait_until="load")
                loads.append(time.perf_counter() - t0)
                page.close()
            browser.close()
    result = {"report_mb": size_mb, "annotated_video_mb": video_mb, "report_and_video_write_s": write_s,
              "open_s_median": statistics.median(loads), "open_s_max": max(loads)}  # fmt: skip
    print(f"{'report.html size':28s} {size_mb:8.2f} MB   (target < 5 MB)")
    print(f"{'annotated.mp4 size':28s} {video_mb:8.2f} MB")
    print(f"{'report + video writing':28s} {write_s:8.2f} s")
    print(f"{'open in Chromium (median)':28s} {result['open_s_median']:8.3f} s   (target < 2 s; max {max(loads):.3f} s)")
    (ROOT / "benchmarks" / "results" / "report.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
