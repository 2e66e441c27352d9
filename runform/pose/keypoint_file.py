"""Keypoint-file backend: keypoints computed elsewhere (CSV, motion capture) enter like video."""

from __future__ import annotations

from pathlib import Path

from runform.io.registry import load_keypoints
from runform.keypoints import Keypoints
from runform.pose.base import PoseBackend, ProgressCallback


class KeypointFile(PoseBackend):
    name = "keypoint-file"

    def estimate(self, source: Path, progress: ProgressCallback | None = None) -> Keypoints:
        kp = load_keypoints(source)
        if progress is not None:
            progress(kp.n_frames, kp.n_frames)
        return kp
