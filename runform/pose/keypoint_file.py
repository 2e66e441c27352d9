"""Keypoint-file backend: keypoints computed elsewhere (CSV, motion capture) enter like video."""

from __future__ import annotations

from pathlib import Path

from runform.io import load_file
from runform.model import Keypoints
from runform.pose.base import PoseBackend, ProgressCallback
from runform.pose.virtual_camera import VirtualCamera


def load_keypoints(path: str | Path, camera: VirtualCamera | None = None) -> Keypoints:
    """Keypoints from a keypoint or motion-capture file (any registered format).

    Motion capture is projected through ``camera`` (default :class:`VirtualCamera`: right side,
    4 m, 60 fps, 1280x720), so that it enters the analysis exactly like a video's keypoints."""
    loaded = load_file(path)
    if isinstance(loaded, Keypoints):
        return loaded
    return (camera or VirtualCamera()).project(loaded)


class KeypointFile(PoseBackend):
    name = "keypoint-file"

    def estimate(self, source: Path, progress: ProgressCallback | None = None) -> Keypoints:
        kp = load_keypoints(source)
        if progress is not None:
            progress(kp.n_frames, kp.n_frames)
        return kp
