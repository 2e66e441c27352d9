"""Quality gate: checks as objects (:class:`BaseQualityCheck`), run by :class:`QualityGate`."""

from runform.quality.base import BaseQualityCheck, GateInput
from runform.quality.checks import (
    CameraObliqueness,
    CameraPanningAndSurface,
    FrameRate,
    KeypointConfidence,
    LegSwaps,
    MultiplePeople,
    Occlusion,
    PersonChoice,
    RepeatedFrames,
    Resolution,
    RunnerSize,
    Running,
    Scale,
    StrideCount,
    VideoComplete,
    picture_rate_hz,
)
from runform.quality.gate import QualityGate, default_checks

__all__ = [
    "BaseQualityCheck",
    "CameraObliqueness",
    "CameraPanningAndSurface",
    "FrameRate",
    "GateInput",
    "KeypointConfidence",
    "LegSwaps",
    "MultiplePeople",
    "Occlusion",
    "PersonChoice",
    "RepeatedFrames",
    "QualityGate",
    "Resolution",
    "RunnerSize",
    "Running",
    "Scale",
    "StrideCount",
    "VideoComplete",
    "picture_rate_hz",
    "default_checks",
]
