"""Motion-capture data model: 3-D points over time (no I/O here; loaders live in :mod:`runform.io.mocap`).

Lab frame convention (that of the RBDS data): +X forward (running direction), +Y up, +Z the
runner's right; millimetres. Points are named like keypoints (``right_hip``, ``left_foot_index``);
a missing sample is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runform.errors import KeypointDataError

#: Slowest motion capture analysed: below it a stride spans a handful of samples.
MIN_RATE_HZ = 10.0


@dataclass(frozen=True)
class MotionCapture:
    points_mm: np.ndarray  # (time, point, 3)
    names: tuple[str, ...]
    rate_hz: float
    source: str = "mocap"
    #: the first sample's time in the file's own clock (seconds), kept through the analysis
    start_s: float = 0.0

    def __post_init__(self) -> None:
        pts = np.asarray(self.points_mm, dtype=float)
        object.__setattr__(self, "points_mm", pts)
        if pts.ndim != 3 or pts.shape[2] != 3 or pts.shape[1] != len(self.names):
            raise KeypointDataError(
                "Motion-capture array has the wrong shape",
                expected=f"(time, {len(self.names)} points, 3)",
                found=f"shape {pts.shape}",
            )
        if not (np.isfinite(self.rate_hz) and self.rate_hz > 0):
            raise KeypointDataError("Motion-capture rate is invalid", expected="a rate > 0 Hz", found=str(self.rate_hz))
        if self.rate_hz < MIN_RATE_HZ:  # a stride would span a few samples; most often times not in seconds
            raise KeypointDataError(
                f"{self.source}: motion capture at {self.rate_hz:.3g} Hz is too slow to analyse",
                expected=f"at least {MIN_RATE_HZ:g} samples a second (marker systems record at 100-500 Hz)",
                found=f"{self.rate_hz:.3g} Hz ({self.n_frames} samples over {self.n_frames / self.rate_hz:.1f} s)",
                fix="give the times in seconds (times in milliseconds: divide by 1000), or check the file's stated rate",
            )
        if not np.isfinite(pts).any():
            raise KeypointDataError("Motion-capture file has no usable points", found="only NaN", fix="check the export")

    @property
    def n_frames(self) -> int:
        return int(self.points_mm.shape[0])

    @property
    def time_s(self) -> np.ndarray:
        return self.start_s + np.arange(self.n_frames) / self.rate_hz

    def point(self, name: str) -> np.ndarray:
        return self.points_mm[:, self.names.index(name)]
