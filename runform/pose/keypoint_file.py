"""Keypoint-file backend: keypoints computed elsewhere (CSV, motion capture) enter like video."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from runform.errors import OptionError
from runform.io import load_file
from runform.model import Keypoints
from runform.pose.base import PoseBackend, ProgressCallback
from runform.pose.virtual_camera import VirtualCamera

logger = logging.getLogger(__name__)

#: Motion capture faster than this is seen at this rate (the fastest the accuracy benchmark covers).
MAX_MOCAP_FPS = 240.0


def load_keypoints(path: str | Path, camera: VirtualCamera | None = None) -> Keypoints:
    """Keypoints from a keypoint or motion-capture file (any registered format).

    Motion capture is projected through ``camera`` (default :class:`VirtualCamera`: right side,
    4 m, 1280x720, at the file's own rate up to :data:`MAX_MOCAP_FPS`), so that it enters the
    analysis exactly like a video's keypoints, with the file's clock."""
    loaded = load_file(path)
    if isinstance(loaded, Keypoints):
        return loaded
    return (camera or VirtualCamera(fps=min(loaded.rate_hz, MAX_MOCAP_FPS))).project(loaded)


class KeypointFile(PoseBackend):
    """Keypoints from a file; ``start_s`` / ``end_s`` keep a window of it (seconds from the file's
    first sample, as for a video), and ``first_frame_`` is the window's first row, so that event
    frames count from the file's start."""

    name = "keypoint-file"

    def __init__(self, start_s: float | None = None, end_s: float | None = None) -> None:
        self.start_s, self.end_s = start_s, end_s
        self.first_frame_ = 0

    def estimate(self, source: Path, progress: ProgressCallback | None = None) -> Keypoints:
        kp = self._window(load_keypoints(source))
        if progress is not None:
            progress(kp.n_frames, kp.n_frames)
        return kp

    def _window(self, kp: Keypoints) -> Keypoints:
        if (self.start_s is None and self.end_s is None) or kp.n_frames == 0:
            return kp
        t = kp.time_s - kp.time_s[0]
        duration = float(t[-1]) + (float(np.median(np.diff(t))) if len(t) > 1 else 0.0)  # as a video's: n samples / rate
        if self.start_s is not None and self.start_s >= float(t[-1]):
            raise OptionError(f"--start {self.start_s:g} s is not within the file",
                              expected=f"a start before the file's last sample ({t[-1]:.3f} s after its first)",
                              found=f"--start {self.start_s:g}",
                              fix=f"give --start below {t[-1]:.3f} (seconds from the file's first sample), or leave it out")  # fmt: skip
        if self.end_s is not None and self.end_s > duration + 1e-9:
            logger.warning("--end %g s is after the file's end (%.3f s): analysing to its end", self.end_s, duration)
        keep = (t >= (self.start_s or 0.0)) & (t <= (self.end_s if self.end_s is not None else np.inf))
        rows = np.flatnonzero(keep)
        if not len(rows):
            raise OptionError(f"no samples between --start {self.start_s:g} and --end {self.end_s:g} s",
                              expected="a window holding the file's samples", found=f"{kp.n_frames} samples, none in it",
                              fix="widen the window: --start and --end are seconds from the file's first sample")  # fmt: skip
        self.first_frame_ = int(rows[0])
        return kp.frames(rows, note=f"window(start_s={self.start_s}, end_s={self.end_s})")
