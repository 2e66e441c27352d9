"""Base class of quality checks: parameters in ``__init__``, results in ``checks_``.

A check is swappable like an event detector: :class:`~runform.quality.gate.QualityGate` runs any
list of :class:`BaseQualityCheck` objects on one :class:`GateInput`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import pandas as pd

from runform.model import Calibration, Check, CleaningReport, Keypoints, PersonTracks


@dataclass
class GateInput:
    """What the checks look at: raw and cleaned keypoints, the cleaning report, strides and scale."""

    raw: Keypoints
    kp: Keypoints
    cleaning: CleaningReport
    strides: pd.DataFrame
    calibration: Calibration
    surface_option: str = "auto"
    samples: list | None = None  # (time_s, small grayscale frame) pairs from the video, if any
    timed_from_foot_frac: float = 1.0  # share of events the detector timed from the foot itself
    persons: PersonTracks | None = None  # everyone tracked in the video, the runner choice and passes
    video: dict | None = None  # the clip's properties (runform.io.VideoInfo as a dict) and where decoding stopped


class BaseQualityCheck(ABC):
    """One quality check. ``check`` fills ``checks_`` (zero, one or more :class:`Check`) and returns ``self``."""

    checks_: list[Check]

    def check(self, g: GateInput) -> BaseQualityCheck:
        self.checks_ = self._evaluate(g)
        return self

    @abstractmethod
    def _evaluate(self, g: GateInput) -> list[Check]:
        """The Check records of this test for ``g`` (empty when it does not apply)."""


def grade(value: float, warn_below: float, refuse_below: float | None = None) -> str:
    """``refuse`` below ``refuse_below``, ``warn`` below ``warn_below``, else ``pass``."""
    if refuse_below is not None and value < refuse_below:
        return "refuse"
    return "warn" if value < warn_below else "pass"
