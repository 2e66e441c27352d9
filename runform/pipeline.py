"""The only orchestrator: ``analyze(source, config) -> Analysis``. One block per stage."""

from __future__ import annotations

import time
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np

from runform.analysis import Analysis
from runform.config import Config, make_config
from runform.errors import InputError
from runform.events import EVENT_PROFILES, FootPositionEventDetection, profile_for
from runform.keypoints import Keypoints
from runform.kinematics.calibration import calibrate
from runform.kinematics.clean import clean_keypoints
from runform.metrics.strides import StrideMetrics
from runform.pose import ProgressCallback, backend_for
from runform.quality.gate import GateInput, QualityGate


def analyze(source: str | Path, config: Config | None = None, progress: ProgressCallback | None = None,
            **options: object) -> Analysis:  # fmt: skip
    """Analyse a side-view running video or keypoint file. Options as in :class:`Config`."""
    config = config or make_config(**options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices are handled as NaN results
        return _analyze(Path(source), config, progress)


class _Clock:
    """Stage timings in seconds, in the order the stages ran."""

    def __init__(self) -> None:
        self.timings_s: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings_s[stage] = round(now - self._last, 4)
        self._last = now


def _analyze(path: Path, config: Config, progress: ProgressCallback | None) -> Analysis:
    clock = _Clock()
    # 1. pose: video -> BlazePose, keypoint files -> their loader
    backend = backend_for(path, config.model_complexity, person=config.person, start_s=config.start_s, end_s=config.end_s)
    raw = backend.estimate(path, progress)
    video = asdict(backend.info_) if hasattr(backend, "info_") else None
    raw = _apply_real_fps(raw, config)
    clock.lap("pose")
    return analyze_keypoints(raw, config, str(path), video, getattr(backend, "samples_", None), clock)


def analyze_keypoints(raw: Keypoints, config: Config, source: str, video: dict | None = None,
                      samples: list | None = None, clock: _Clock | None = None) -> Analysis:  # fmt: skip
    """Everything after pose estimation, on keypoints from any source (video, CSV, projected mocap)."""
    clock = clock or _Clock()
    # 2. cleaning: gaps, glitches, leg swaps, sides, direction, filter
    kp, cleaning = clean_keypoints(raw, min_confidence=config.min_confidence, max_gap_s=config.max_gap_s,
                                   cutoff_hz=config.filter_cutoff_hz)  # fmt: skip
    clock.lap("cleaning")
    # 3. events
    profile = config.event_profile if config.event_profile != "auto" else profile_for(raw.source)
    events = FootPositionEventDetection(**EVENT_PROFILES[profile]).detect(
        kp, direction=cleaning.direction, stride_frequency_hz=cleaning.stride_frequency_hz, frame_times_s=raw.time_s
    ).events_
    clock.lap("events")
    # 4. calibration and metrics
    calibration = calibrate(kp, events, cleaning.direction, config)
    strides = StrideMetrics().calculate(kp, events, cleaning.direction, calibration).per_stride_
    clock.lap("metrics")
    # 5. quality gate
    quality = QualityGate().check(GateInput(raw, kp, cleaning, strides, calibration, config.surface, samples))
    clock.lap("quality")
    return Analysis(source, config, kp, events, strides, calibration, cleaning, quality, video, profile, clock.timings_s)


def _apply_real_fps(kp: Keypoints, config: Config) -> Keypoints:
    """Slow-motion files: stretch timestamps so that they run at the true capture rate."""
    if config.real_fps is None or kp.n_frames < 2:
        return kp
    if not np.isfinite(kp.sampling_rate_hz):
        raise InputError("Cannot rescale timestamps", expected="at least two frames", found=f"{kp.n_frames}")
    factor = kp.sampling_rate_hz / config.real_fps
    return kp.replace(time_s=kp.time_s * factor, note=f"real_fps(time scaled by {factor:.4f})")
