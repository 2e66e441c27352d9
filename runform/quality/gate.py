"""Quality gate: is this clip good enough, and for which metrics? (docs/QUALITY.md)

Each check gives a verdict ``pass`` / ``warn`` / ``refuse`` with the measured value, the
threshold and a fix. One ``refuse`` means no metric or coaching verdict is given; warnings travel
with the results. ``timing_reliable`` is False below 24 fps, or when fewer than 70 % of the events
could be timed from the foot itself: contact/flight time and duty factor are then marked unreliable while cadence, stride and angles are still reported.

The checks are :class:`~runform.quality.base.BaseQualityCheck` objects (``runform/quality/checks.py``);
the gate runs a list of them, :func:`default_checks` unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from runform.model import QualityReport
from runform.quality.base import BaseQualityCheck, GateInput
from runform.quality.checks import (
    CameraObliqueness,
    CameraPanningAndSurface,
    EventTiming,
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
)


def default_checks() -> list[BaseQualityCheck]:
    """The checks of docs/QUALITY.md, in report order."""
    return [VideoComplete(), RepeatedFrames(), FrameRate(), EventTiming(), Resolution(), RunnerSize(), CameraObliqueness(), Scale(), StrideCount(), Occlusion(),
            KeypointConfidence(), LegSwaps(), MultiplePeople(), PersonChoice(), CameraPanningAndSurface(), Running()]  # fmt: skip


class QualityGate:
    """Run every check; ``check`` fills ``report_`` (a :class:`~runform.model.QualityReport`) and returns ``self``."""

    report_: QualityReport

    def __init__(self, checks: Sequence[BaseQualityCheck] | None = None) -> None:
        self.checks = list(checks) if checks is not None else default_checks()

    def check(self, g: GateInput) -> QualityGate:
        found = [c for check in self.checks for c in check.check(g).checks_]
        frame_rate = next((check for check in self.checks if isinstance(check, FrameRate)), FrameRate())
        fps = next((c.value for c in found if c.name == "frame_rate"), None)
        timed = next((c for c in found if c.name == "event_timing"), None)
        timing_reliable = (fps is None or float(fps) >= frame_rate.unreliable_timing_fps) and (
            timed is None or timed.verdict == "pass"
        )
        self.report_ = QualityReport(tuple(found), timing_reliable)
        return self
