"""Virtual side camera: motion capture -> the same Keypoints a video produces.

A pinhole camera at ``distance_m`` from the runner's line of travel, lens at ``height_m``, on the
runner's ``side``, sampling at ``fps`` with ``resolution_px`` and a horizontal field of view
``hfov_deg``. ``yaw_deg`` / ``pitch_deg`` are set-up errors (0 = perfectly perpendicular and level).
Lab frame: X forward, Y up, Z right (runform.model.mocap). From the right side forward runs to image-right;
from the left side to image-left, exactly as a real camera sees it. ``depth`` is the camera-space
distance in metres (smaller = nearer), used like BlazePose ``z`` to tell near from far leg.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from runform.model import Keypoints, MotionCapture


@dataclass(frozen=True)
class VirtualCamera:
    distance_m: float = 4.0
    height_m: float = 1.0
    side: Literal["right", "left"] = "right"
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    fps: float = 60.0
    resolution_px: tuple[int, int] = (1280, 720)
    hfov_deg: float = 60.0

    @property
    def px_per_m(self) -> float:
        """Image scale in the plane of the runner's line of travel (pixels per metre; the truth a
        calibration should find, for a camera square to that plane)."""
        return float((self.resolution_px[0] / 2) / np.tan(np.radians(self.hfov_deg) / 2) / self.distance_m)

    def _rotation(self) -> np.ndarray:
        """Rows = camera x (image right), y (image down), z (viewing direction) in lab axes."""
        s = 1.0 if self.side == "right" else -1.0
        right, down, forward = np.array([s, 0, 0.0]), np.array([0, -1.0, 0]), np.array([0, 0, -s])
        yaw, pitch = np.radians(self.yaw_deg), np.radians(self.pitch_deg)
        about_up = _axis_rotation(np.array([0, 1.0, 0]), yaw)
        right, forward = about_up @ right, about_up @ forward
        about_right = _axis_rotation(right, pitch)
        down, forward = about_right @ down, about_right @ forward
        return np.stack([right, down, forward])

    def project(self, mocap: MotionCapture) -> Keypoints:
        t_out = mocap.start_s + np.arange(0, mocap.time_s[-1] - mocap.start_s + 1e-9, 1.0 / self.fps)
        pts = _resample(mocap.points_mm / 1000.0, mocap.time_s, t_out)  # metres
        centre = np.nanmedian(pts.reshape(-1, 3), axis=0)
        s = 1.0 if self.side == "right" else -1.0
        position = np.array([centre[0], self.height_m, centre[2] + s * self.distance_m])
        cam = (pts - position) @ self._rotation().T
        width, height = self.resolution_px
        focal = (width / 2) / np.tan(np.radians(self.hfov_deg) / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = focal * cam[..., 0] / cam[..., 2] + width / 2
            v = focal * cam[..., 1] / cam[..., 2] + height / 2
        xy = np.stack([u, v], axis=-1)
        conf = np.where(np.isfinite(xy[..., 0]), 1.0, 0.0)
        return Keypoints(xy, conf, t_out, mocap.names, source=f"virtual-camera({mocap.source}, {self.fps:g} fps, {self.side})",
                         image_size_px=self.resolution_px, depth=cam[..., 2], px_per_m=self.px_per_m, kind="motion-capture")  # fmt: skip


def _axis_rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)


def _resample(values: np.ndarray, t_in: np.ndarray, t_out: np.ndarray) -> np.ndarray:
    flat = values.reshape(len(values), -1)
    cols = [np.interp(t_out, t_in, flat[:, c]) for c in range(flat.shape[1])]
    return np.stack(cols, axis=1).reshape((len(t_out),) + values.shape[1:])
