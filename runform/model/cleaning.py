"""What the cleaning chain found and did (:mod:`runform.kinematics.clean` fills it)."""

from __future__ import annotations

from dataclasses import dataclass

from runform.errors import AnalysisError


@dataclass(frozen=True)
class CleaningReport:
    """What the cleaning chain found and did (used by the quality gate and the report).

    ``direction`` is +1 when the runner moves to image-right, -1 to image-left. Fractions are of
    the leg landmarks over all frames.
    """

    direction: int
    stride_frequency_hz: float
    cutoff_hz: float
    n_swapped_frames: int
    n_glitches: int
    side_cue: str
    sides_relabelled: bool
    fraction_missing: float
    fraction_missing_before_fill: float

    def __post_init__(self) -> None:
        if self.direction not in (-1, 1):
            raise AnalysisError("Running direction must be +1 or -1", found=str(self.direction))
