"""Shared fixtures: the real clips in ../shared/data (skipped when absent) and cached pose runs."""

from __future__ import annotations

import os
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("RUNFORM_SHARED_DATA", ROOT.parent / "shared" / "data"))
CLIP = DATA / "treadmill_side_30fps.mp4"
LABELS = DATA / "treadmill_side_30fps_events.csv"
WALKING = DATA / "walking_demo.mp4"
CLIP_FPS = 30.0


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared test data not found: {path}")
    return path


@pytest.fixture(scope="session")
def clip() -> Path:
    return need(CLIP)


@pytest.fixture(scope="session")
def labels() -> pd.DataFrame:
    return pd.read_csv(need(LABELS))


@pytest.fixture(scope="session")
def raw_keypoints(clip):
    """BlazePose keypoints of the shared clip (one pose run per test session)."""
    from runform.pose.mediapipe_backend import MediaPipePose

    return MediaPipePose().estimate(clip)


@pytest.fixture(scope="session")
def raw_keypoints_csv(tmp_path_factory, raw_keypoints) -> Path:
    """The shared clip's raw BlazePose keypoints as a keypoint CSV."""
    from runform.io.keypoints_csv import to_csv

    path = tmp_path_factory.mktemp("kp") / "keypoints.csv"
    to_csv(raw_keypoints, path)
    return path


@pytest.fixture(scope="session")
def clip_analysis(clip):
    import runform

    return runform.analyze(clip)


@pytest.fixture(scope="session")
def walking_analysis():
    import runform

    return runform.analyze(need(WALKING))


@pytest.fixture(scope="session")
def mirrored_clip(tmp_path_factory, clip) -> Path:
    """The shared clip flipped left-right (made here, H.264 via PyAV)."""
    out = tmp_path_factory.mktemp("mirror") / "mirrored.mp4"
    write_transformed(clip, out, lambda img: img[:, ::-1])
    return out


def write_transformed(src: Path, dst: Path, transform, keep_every: int = 1, rate: int | None = None) -> None:
    """Re-encode ``src`` to ``dst`` applying ``transform`` to every kept RGB frame."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as outp:
        s_in = inp.streams.video[0]
        fps = rate or int(round(float(s_in.average_rate) / keep_every))
        stream = None
        for i, frame in enumerate(inp.decode(s_in)):
            if i % keep_every:
                continue
            img = np.ascontiguousarray(transform(frame.to_ndarray(format="rgb24")))
            if stream is None:
                stream = outp.add_stream("libx264", rate=fps)
                stream.width, stream.height = img.shape[1], img.shape[0]
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": "18", "preset": "veryfast"}
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                outp.mux(packet)
        for packet in stream.encode():
            outp.mux(packet)


def match_events(detected: pd.DataFrame, labels: pd.DataFrame, fps: float = CLIP_FPS) -> pd.DataFrame:
    """For every labelled event, the nearest detected event of the same side and kind."""
    rows = []
    for _, lab in labels.iterrows():
        same = detected[(detected["side"] == lab["side"]) & (detected["event"] == lab["event"])]
        if same.empty:
            rows.append({**lab, "error_frames": np.inf})
            continue
        nearest = same.iloc[np.argmin(np.abs(same["time_s"].to_numpy() - lab["time_s"]))]
        rows.append({**lab, "detected_frame": nearest["frame"], "error_frames": (nearest["time_s"] - lab["time_s"]) * fps,
                     "frame_error": int(nearest["frame"]) - int(lab["frame"])})  # fmt: skip
    return pd.DataFrame(rows)
