"""The Analysis record: everything one run produced, computed by :mod:`runform.pipeline`.

A plain record: every field is filled by the pipeline's stages and validated here once; nothing is
computed on access. Serialisation lives in :mod:`runform.io.serialise`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd

from runform.errors import AnalysisError
from runform.model.calibration import Calibration
from runform.model.cleaning import CleaningReport
from runform.model.keypoints import Keypoints
from runform.model.persons import PersonTracks
from runform.model.quality import QualityReport
from runform.model.tables import check_events_table, check_strides_table


class RunSettings(Protocol):
    """What the model needs of a run's settings (:class:`runform.config.Config` has it): the model
    does not import the settings class, so the record stays plain data."""

    @property
    def clip_name(self) -> str | None: ...


SettingsT = TypeVar("SettingsT", bound=RunSettings)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Analysis(Generic[SettingsT]):
    """One run's results.

    ``keypoints`` are cleaned and filtered, with anatomical sides. ``summary`` has, per metric,
    ``value`` (headline), median/IQR/n over all strides, ``left``/``right``,
    ``symmetry_index_pct``, ``left_minus_right``, ``reliable`` and the uncertainty fields.
    ``curves`` holds mean +/- SD thigh and knee angle over the gait cycle per side; ``coaching`` is
    None when the quality gate refused the clip. The tables must not be modified. ``config`` is the
    run's settings (the pipeline's :class:`runform.config.Config`: ``Analysis[Config]``).
    """

    source: str
    config: SettingsT
    keypoints: Keypoints
    events: pd.DataFrame
    strides: pd.DataFrame
    calibration: Calibration
    cleaning: CleaningReport
    quality: QualityReport
    summary: dict[str, Any]
    overall_cadence_steps_per_min: float | None
    curves: dict[str, Any]
    coaching: dict[str, Any] | None = None
    video: dict[str, Any] | None = None
    source_kind: str = "video"  # "video" (pose landmarks) or "motion-capture" (projected joint centres)
    persons: PersonTracks | None = None  # everyone tracked in a video and the runner choice
    timings_s: dict[str, float] = field(default_factory=dict)
    created: str = field(default_factory=_now)

    def __post_init__(self) -> None:
        check_events_table(self.events)
        check_strides_table(self.strides)
        for name, kind in (("keypoints", Keypoints), ("calibration", Calibration), ("cleaning", CleaningReport),
                           ("quality", QualityReport)):  # fmt: skip
            if not isinstance(getattr(self, name), kind):
                raise AnalysisError(f"Analysis.{name} has the wrong type", expected=kind.__name__,
                                    found=type(getattr(self, name)).__name__)  # fmt: skip
        if self.coaching is not None and self.quality.verdict == "refuse":
            raise AnalysisError("A refused clip cannot carry coaching", found="coaching with a refusing quality gate")

    @property
    def clip_name(self) -> str:
        """The clip's name for people: ``config.clip_name`` (an upload's own file name), else the file name."""
        return self.config.clip_name or Path(self.source).name

    @property
    def refused(self) -> bool:
        """True when the quality gate refused the clip (no metric or coaching verdict is given)."""
        return self.quality.verdict == "refuse"
