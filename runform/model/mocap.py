"""Motion-capture data model: 3-D points over time (no I/O here; loaders live in :mod:`runform.io.mocap`).

Lab frame convention (that of the RBDS data): +X forward (running direction), +Y up, +Z the
runner's right; millimetres. Points are named like keypoints (``right_hip``, ``left_foot_index``);
a missing sample is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runform.errors import KeypointDataError


@dataclass(frozen=True)
class MotionCapture:
    points_mm: np.ndarray  # (time, point, 3)
    names: tuple[str, ...]
    rate_hz: float
    source: str = "mocap"

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
        if not np.isfinite(pts).any():
            raise KeypointDataError("Motion-capture file has no usable points", found="only NaN", fix="check the export")

    @property
    def n_frames(self) -> int:
        return int(self.points_mm.shape[0])

    @property
    def time_s(self) -> np.ndarray:
        return np.arange(self.n_frames) / self.rate_hz

    def point(self, name: str) -> np.ndarray:
        return self.points_mm[:, self.names.index(name)]
