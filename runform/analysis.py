"""The Analysis result: tables, summary and provenance of one run (no I/O here)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from runform.config import Config
from runform.keypoints import Keypoints
from runform.kinematics.calibration import Calibration
from runform.kinematics.clean import CleaningReport
from runform.metrics.summary import metric_columns, summarize
from runform.metrics.uncertainty import attach
from runform.quality.gate import QualityGate

SCHEMA_VERSION = "1.0"
#: Metrics that need sub-frame event timing; unreliable below 24 fps (quality gate).
TIMING_METRICS = ("contact_time_s", "flight_time_s", "swing_time_s", "duty_factor")


@dataclass
class Analysis:
    """One run's results. ``summary``, ``curves`` and ``coaching`` are computed once, on first use;
    the tables must not be modified afterwards."""

    source: str
    config: Config
    keypoints: Keypoints  # cleaned, anatomical sides, filtered
    events: pd.DataFrame
    strides: pd.DataFrame
    calibration: Calibration
    cleaning: CleaningReport
    quality: QualityGate
    video: dict | None = None
    source_kind: str = "video"  # "video" (pose landmarks) or "motion-capture"
    timings_s: dict[str, float] = field(default_factory=dict)
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    @cached_property
    def summary(self) -> dict:
        """Per metric: ``value`` (headline), median/IQR/n over all strides, ``left``/``right``,
        ``symmetry_index_pct`` and ``left_minus_right``."""
        stats = summarize(self.strides)
        out: dict[str, dict] = {}
        for metric in metric_columns(self.strides) if not self.strides.empty else []:
            entry = dict(stats["all"][metric])
            entry["value"] = entry["median"]
            entry["left"] = stats["left"][metric]
            entry["right"] = stats["right"][metric]
            entry["symmetry_index_pct"] = stats["symmetry_index_pct"].get(metric)
            entry["left_minus_right"] = stats["left_minus_right"].get(metric)
            entry["reliable"] = self.quality.timing_reliable_ or metric not in TIMING_METRICS
            out[metric] = entry
        if "cadence_steps_per_min" in out:
            out["cadence_steps_per_min"]["value"] = self.overall_cadence_steps_per_min
        confidence = next((c.value for c in self.quality.checks_ if c.name == "keypoint_confidence"), 1.0)
        attach(out, self.keypoints.sampling_rate_hz, self.source_kind, float(confidence or 0.0))
        out["foot_strike"] = stats["foot_strike"]
        return out

    @cached_property
    def curves(self) -> dict:
        """Mean +/- SD thigh and knee angle over the gait cycle, per side (for plots and compare)."""
        from runform.metrics.curves import gait_cycle_curves

        return gait_cycle_curves(self.keypoints, self.strides, self.cleaning.direction)

    @cached_property
    def coaching(self) -> dict | None:
        """Findings and programme for ``config.event``; None when the quality gate refused the clip."""
        if self.quality.verdict_ == "refuse":
            return None
        from runform.coaching import coach

        far_side = "right" if self.cleaning.direction < 0 else "left"  # the camera sees the runner's other side
        return coach(self.summary, self.strides, self.config.event, self.config.programme_weeks, far_side)

    @property
    def overall_cadence_steps_per_min(self) -> float | None:
        """Steps per minute over the whole clip: steps between the first and last contact divided
        by the time between them. A gap left by a missed contact counts as the number of steps
        that fit in it (gap / median step time, rounded), so one missed event does not bias it."""
        t = np.sort(self.events.loc[self.events["event"] == "contact", "time_s"].to_numpy())
        if len(t) < 3:
            return None
        gaps = np.diff(t)
        steps = np.maximum(np.round(gaps / np.median(gaps)), 1).sum()
        return round(60.0 * steps / (t[-1] - t[0]), 3)

    def to_dict(self) -> dict:
        from runform import __version__

        cal = self.calibration
        return _clean_json({
            "schema_version": SCHEMA_VERSION,
            "runform_version": __version__,
            "created": self.created,
            "source": self.source,
            "config": self.config.model_dump(mode="json"),
            "video": self.video,
            "keypoints": {
                "source": self.keypoints.source, "n_frames": self.keypoints.n_frames,
                "sampling_rate_hz": self.keypoints.sampling_rate_hz, "processing": list(self.keypoints.log),
            },
            "cleaning": vars(self.cleaning) if not hasattr(self.cleaning, "__dataclass_fields__") else {
                k: getattr(self.cleaning, k) for k in self.cleaning.__dataclass_fields__},
            "calibration": {
                "method": cal.method, "px_per_m": cal.px_per_m, "length_unit": cal.length_unit,
                "running_speed_mps": cal.running_speed_mps, "running_speed_px_s": cal.running_speed_px_s,
                "leg_length_px": cal.leg_length_px,
            },
            "quality": {"verdict": self.quality.verdict_, "timing_reliable": self.quality.timing_reliable_,
                        "checks": [c.to_dict() for c in self.quality.checks_]},
            "counts": {"events": int(len(self.events)), "strides": int(len(self.strides)),
                       "strides_left": int((self.strides.get("side", pd.Series(dtype=str)) == "left").sum()),
                       "strides_right": int((self.strides.get("side", pd.Series(dtype=str)) == "right").sum())},
            "source_kind": self.source_kind,
            "event_detector": "foot-ground",
            "summary": self.summary,
            "coaching": self.coaching,
            "curves": self.curves,
            "timings_s": self.timings_s,
        })  # fmt: skip


def _clean_json(obj: object) -> object:
    """NaN/inf -> None and numpy scalars -> Python, recursively (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): _clean_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_json(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj
