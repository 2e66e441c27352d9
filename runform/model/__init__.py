"""The data types every layer shares: plain records, validated at construction.

The model imports nothing from runform but :mod:`runform.errors` (not even the settings class:
:class:`Analysis` holds any settings with a ``clip_name``, see :class:`RunSettings`): readers, pose backends, algorithms and reports import the model, never the reverse.
"""

from runform.model.analysis import Analysis, RunSettings
from runform.model.calibration import CALIBRATION_METHODS, Calibration, leg_lengths_per_s
from runform.model.cleaning import CleaningReport
from runform.model.keypoints import (
    BLAZEPOSE_NAMES,
    LEG_PARTS,
    REQUIRED_NAMES,
    SIDES,
    SOURCE_KINDS,
    Keypoints,
    frame_interval_s,
    mean_of_known,
    nanmean_or_nan,
    picture_interval_s,
)
from runform.model.mocap import MotionCapture
from runform.model.persons import CHOICE_METHODS, PersonTracks, frames_in_passes
from runform.model.quality import VERDICTS, Check, QualityReport
from runform.model.tables import (
    EVENT_COLUMNS,
    EVENT_KINDS,
    STRIDE_ID_COLUMNS,
    check_events_table,
    check_strides_table,
    empty_events,
)

__all__ = [
    "BLAZEPOSE_NAMES",
    "CALIBRATION_METHODS",
    "CHOICE_METHODS",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "LEG_PARTS",
    "REQUIRED_NAMES",
    "SIDES",
    "SOURCE_KINDS",
    "STRIDE_ID_COLUMNS",
    "VERDICTS",
    "Analysis",
    "Calibration",
    "Check",
    "CleaningReport",
    "Keypoints",
    "MotionCapture",
    "PersonTracks",
    "QualityReport",
    "RunSettings",
    "check_events_table",
    "check_strides_table",
    "empty_events",
    "frame_interval_s",
    "mean_of_known",
    "nanmean_or_nan",
    "frames_in_passes",
    "leg_lengths_per_s",
    "picture_interval_s",
]
