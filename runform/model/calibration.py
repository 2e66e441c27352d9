"""The pixel-to-metre calibration of one run (how it is found: :mod:`runform.kinematics.calibration`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from runform.errors import AnalysisError

#: "camera": the scale the source knows by construction (projected motion capture, ``Keypoints.px_per_m``).
CALIBRATION_METHODS = ("treadmill_speed", "known_distance", "camera", "height", "none")


@dataclass(frozen=True)
class Calibration:
    """Scale of the image and the runner's speed in it.

    ``px_per_m`` is None when no scale was given (``method == "none"``); lengths then stay in
    pixels and are labelled ``_px``. ``running_speed_px_s`` and ``leg_length_px`` may be NaN when
    they could not be measured.
    """

    method: str  # one of CALIBRATION_METHODS
    px_per_m: float | None
    running_speed_px_s: float
    leg_length_px: float
    #: (message, fix) for each scale option that was given but not used, or is in doubt (a belt
    #: speed that makes the runner's leg 4 m long); the quality gate's ``scale`` check shows them.
    doubts: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.method not in CALIBRATION_METHODS:
            raise AnalysisError("Unknown calibration method", expected=", ".join(CALIBRATION_METHODS), found=self.method)
        if self.method == "none" and self.px_per_m is not None:
            raise AnalysisError("An uncalibrated run cannot have a scale", expected="px_per_m None", found=str(self.px_per_m))

    @property
    def is_metric(self) -> bool:
        return self.px_per_m is not None and math.isfinite(self.px_per_m)

    @property
    def running_speed_mps(self) -> float | None:
        return self.running_speed_px_s / self.px_per_m if self.px_per_m is not None and self.is_metric else None

    @property
    def speed_leg_lengths_per_s(self) -> float | None:
        """Running speed in leg lengths per second (both read in pixels: no scale needed), or None."""
        return leg_lengths_per_s(self.running_speed_px_s, self.leg_length_px)

    def length(self, px: float | np.ndarray) -> float | np.ndarray:
        """Pixels -> metres (or pixels when uncalibrated)."""
        return np.asarray(px) / self.px_per_m if self.px_per_m is not None and self.is_metric else np.asarray(px)

    @property
    def length_unit(self) -> str:
        return "m" if self.is_metric else "px"


def leg_lengths_per_s(running_speed_px_s: float | None, leg_length_px: float | None) -> float | None:
    """Speed / leg length when both are measured (finite and positive), else None; also for the
    values of a saved analysis.json, where a missing one is None."""
    if running_speed_px_s is None or leg_length_px is None:
        return None
    if not (math.isfinite(running_speed_px_s) and math.isfinite(leg_length_px) and running_speed_px_s > 0 and leg_length_px > 0):
        return None
    return running_speed_px_s / leg_length_px
