"""Base class of gait-event detectors: parameters in ``__init__``, results in ``events_``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from runform.model import EVENT_COLUMNS, Keypoints, empty_events  # noqa: F401 - moved to the model, re-exported


class BaseEventDetection:
    """Detect foot contacts and toe-offs. ``detect`` fills ``events_`` and returns ``self``.

    ``events_`` columns: ``frame`` (nearest decoded frame), ``time_s`` (sub-frame), ``side``
    (``left``/``right``, anatomical), ``event`` (``contact``/``toe_off``), ``confidence`` (0-1).
    """

    events_: pd.DataFrame

    def detect(self, kp: Keypoints, *, direction: int, stride_frequency_hz: float) -> BaseEventDetection:
        raise NotImplementedError


def nearest_frames(times_s: np.ndarray, frame_times_s: np.ndarray) -> np.ndarray:
    """Index of the decoded frame nearest to each time."""
    if len(frame_times_s) == 0:
        return np.zeros(len(times_s), dtype=int)
    idx = np.clip(np.searchsorted(frame_times_s, times_s), 1, len(frame_times_s) - 1)
    left = frame_times_s[idx - 1]
    right = frame_times_s[idx]
    return np.where(np.abs(times_s - left) <= np.abs(right - times_s), idx - 1, idx).astype(int)

