"""Events on altered copies of the real labelled clip, against labels v2.

The one real video with hand-labelled events (``../shared/data/treadmill_side_30fps.mp4``, labels
v2) is re-encoded as the footage runform meets in the field would differ from it: mirrored (a
right-facing runner), half the frame rate, lower resolutions, landscape with the runner smaller,
heavy compression, a dark exposure, sensor noise, a phone's rotation tag, a tight crop; and the same
pictures retimed: saved at 60 fps with every picture shown twice (also at CRF 35), at 90 fps with
every picture 3 times at CRF 35, or after a frozen intro. Each copy
goes through ``runform.analyze`` (BlazePose, cleaning, the one event detector: the code a video
runs) and its contacts and toe-offs are matched to the labels (sides exchanged for the mirrored
copy). Nothing is tuned here; it shows where the method holds on video it was not built on.

    python benchmarks/robustness.py [--only mirrored fps15 ...]   # --only replaces those rows of the JSON
    python benchmarks/robustness.py --pose-workers 2               # runform's default for clips of 8 s or more

One pose process by default (every copy's keypoints from one BlazePose stream); ``--pose-workers 2``
is what ``runform analyze`` does by default on these 12 s copies (a second process from 0.5 s before
the seam) and writes ``robustness_2workers.json`` instead.

Prints a table and writes ``benchmarks/results/robustness.json`` (or ``robustness_2workers.json``). Targets (issue 11, real clip):
contacts within 1 frame >= 90 %, toe-offs within 1.25 frames >= 90 %, mean signed error of each
within +-0.5 frame, mean contact time 0.30 +- 0.02 s (frames of the copy's own rate).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fixtures.data import DATA, decode_rgb, encode_rgb, match_events  # noqa: E402

import runform  # noqa: E402

CLIP = DATA / "treadmill_side_30fps.mp4"
LABELS = DATA / "treadmill_side_30fps_events.csv"
CLIP_FPS = 30
#: A detected event farther than this from its label (frames of the copy) counts as missed.
MATCH_FRAMES = 3


def _noise(img: np.ndarray, rng=np.random.default_rng(0)) -> np.ndarray:  # noqa: B008 - one stream for the clip
    return np.clip(img + rng.normal(0, 12, img.shape), 0, 255).astype(np.uint8)


def _landscape(img: np.ndarray) -> np.ndarray:
    """The portrait frame at half size on a 1280 x 720 grey canvas (runner about 40 % of the height)."""
    small = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)
    canvas = np.full((720, 1280, 3), 90, dtype=np.uint8)
    y0, x0 = (720 - small.shape[0]) // 2, (1280 - small.shape[1]) // 2
    canvas[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
    return canvas


def _resize(width: int, height: int) -> Callable[[np.ndarray], np.ndarray]:
    return lambda img: cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)


#: name -> (frame transform, keep every n-th frame, x264 CRF, display rotation, sides exchanged, what it stands for)
VARIANTS: dict[str, tuple] = {
    "original": (None, 1, None, None, False, "the clip as filmed (no re-encode)"),
    "mirrored": (lambda img: img[:, ::-1], 1, 18, None, True, "runner facing right"),
    "fps15": (lambda img: img, 2, 18, None, False, "15 fps (every second frame)"),
    "half_res": (_resize(360, 640), 1, 18, None, False, "360 x 640"),
    "third_res": (_resize(240, 426), 1, 18, None, False, "240 x 426 (a 480 x 360 class file)"),
    "landscape_small": (_landscape, 1, 18, None, False, "1280 x 720 landscape, runner at half size"),
    "crf30": (lambda img: img, 1, 30, None, False, "messaging-app compression (x264 CRF 30)"),
    "crf38": (lambda img: img, 1, 38, None, False, "heavy compression (x264 CRF 38, blocky)"),
    "dark": (lambda img: (img * 0.35).astype(np.uint8), 1, 18, None, False, "a third of the light"),
    "noise": (_noise, 1, 18, None, False, "sensor noise (sd 12 grey levels)"),
    "rotation_tag": (lambda img: np.ascontiguousarray(np.rot90(img, 1)), 1, 18, -90, False,
                     "stored landscape with a phone's rotation tag"),
    "tight_crop": (lambda img: img[240:], 1, 18, None, False, "head room cropped: 720 x 1040, runner fills the frame"),
}


#: Copies that show the same pictures at other times: name -> (each picture shown this many times,
#: seconds of the first picture frozen before the run starts, what it stands for). Scored in frames
#: of the pictures' own rate (30 fps), against labels shifted by the frozen seconds.
RETIMED: dict[str, tuple[int, float, str]] = {
    "doubled60": (2, 0.0, "saved at 60 fps, every picture shown twice (x264 CRF 18)"),
    "doubled60_crf35": (2, 0.0, "the same at CRF 35 (the encoder refines each second copy)"),
    "frozen_intro": (1, 2.0, "2 s of the first picture frozen before the run"),
    "tripled90_crf35": (3, 0.0, "saved at 90 fps, every picture shown 3 times, at CRF 35"),
}


def _retimed_frames(name: str):  # noqa: ANN202 - Iterator[np.ndarray]
    shown, frozen_s, _ = RETIMED[name]
    for i, img in enumerate(decode_rgb(CLIP)):
        for _ in range(shown + (int(round(frozen_s * CLIP_FPS)) if i == 0 else 0)):
            yield img


def write_variant(name: str, dst: Path) -> Path:
    if name in RETIMED:
        return encode_rgb(_retimed_frames(name), dst, CLIP_FPS * RETIMED[name][0], crf=35 if "crf35" in name else 18)
    transform, keep, crf, rotation, _, _ = VARIANTS[name]
    if transform is None:
        return CLIP
    frames = (transform(img) for i, img in enumerate(decode_rgb(CLIP)) if i % keep == 0)
    return encode_rgb(frames, dst, CLIP_FPS // keep, crf=crf, display_rotation=rotation)


def score(name: str, analysis, labels: pd.DataFrame) -> dict:  # noqa: ANN001
    if name in RETIMED:  # the same pictures, later or shown twice: frames of the pictures' rate
        keep, swapped, what = 1, False, RETIMED[name][2]
        labels = labels.assign(time_s=labels["time_s"] + RETIMED[name][1])
    else:
        _, keep, _, _, swapped, what = VARIANTS[name]
    fps = CLIP_FPS / keep
    if swapped:
        labels = labels.assign(side=labels["side"].map({"left": "right", "right": "left"}))
    row: dict = {"variant": name, "what": what, "fps": fps, "verdict": analysis.quality.verdict}
    for kind, tolerance in (("contact", 1.0), ("toe_off", 1.25)):
        errors = match_events(analysis.events, labels[labels["event"] == kind], fps=fps)["error_frames"].astype(float)
        found = errors[errors.abs() <= MATCH_FRAMES]  # farther: a missed event (matched to a neighbour)
        row[kind] = {"n_labels": int(len(errors)), "n_matched": int(len(found)),
                     "within_pct": round(100 * float((errors.abs() <= tolerance).mean()), 1),
                     "mean_signed_frames": round(float(found.mean()), 2) if len(found) else None,
                     "mae_ms": round(1000 * float(found.abs().mean()) / fps, 1) if len(found) else None}  # fmt: skip
    strides = analysis.strides
    row["mean_contact_time_s"] = round(float(strides["contact_time_s"].mean()), 3) if len(strides) else None
    row["cadence_steps_per_min"] = analysis.overall_cadence_steps_per_min
    row["passes"] = bool(row["contact"]["within_pct"] >= 90 and row["toe_off"]["within_pct"] >= 90
                         and all(row[k]["mean_signed_frames"] is not None and abs(row[k]["mean_signed_frames"]) <= 0.5
                             for k in ("contact", "toe_off"))
                         and row["mean_contact_time_s"] is not None and abs(row["mean_contact_time_s"] - 0.30) <= 0.02)  # fmt: skip
    return row


def markdown(rows: list[dict]) -> str:
    lines = ["| copy | fps | contacts within 1 frame (n) | mean signed (frames) | toe-offs within 1.25 frames (n) "
             "| mean signed (frames) | mean contact time (s) | cadence | targets |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        c, t = r["contact"], r["toe_off"]
        lines.append(f"| {r['variant']}: {r['what']} | {r['fps']:g} | {c['within_pct']} % ({c['n_matched']}/{c['n_labels']}) "
                     f"| {c['mean_signed_frames']} | {t['within_pct']} % ({t['n_matched']}/{t['n_labels']}) "
                     f"| {t['mean_signed_frames']} | {r['mean_contact_time_s']} | {r['cadence_steps_per_min']:.1f} "
                     f"| {'met' if r['passes'] else '**not met**'} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[*VARIANTS, *RETIMED], help="run only these copies")
    parser.add_argument("--pose-workers", type=int, choices=(1, 2), default=1,
                        help="pose processes per copy (runform's default on a 12 s clip is 2)")
    args = parser.parse_args()
    labels = pd.read_csv(LABELS)
    rows = []
    with tempfile.TemporaryDirectory(prefix="runform-robust-") as tmp:
        for name in args.only or [*VARIANTS, *RETIMED]:
            path = write_variant(name, Path(tmp) / f"{name}.mp4")
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                analysis = runform.analyze(path, pose_workers=args.pose_workers)
            row = score(name, analysis, labels)
            row["seconds"] = round(time.perf_counter() - start, 1)
            rows.append(row)
            print(markdown(rows[-1:]).splitlines()[-1], flush=True)
    suffix = "" if args.pose_workers == 1 else f"_{args.pose_workers}workers"
    out = ROOT / "benchmarks" / "results" / f"robustness{suffix}.json"
    if args.only and out.exists():  # a partial run replaces its own rows and keeps the others
        fresh = {r["variant"]: r for r in rows}
        kept = {r["variant"]: r for r in json.loads(out.read_text())["rows"]}
        rows = [fresh.get(name) or kept[name] for name in [*VARIANTS, *RETIMED] if name in fresh or name in kept]
    print("\n" + markdown(rows))
    out.write_text(json.dumps({"clip": CLIP.name, "labels": LABELS.name, "rows": rows}, indent=1))
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
