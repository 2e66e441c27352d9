"""Whether the runner is in view, frame by frame: the one definition that events and metrics share.

The runner is in view where the pelvis is tracked, i.e. BOTH hips (the pelvis is the midpoint of
the hips everywhere in runform: forward position, trunk lean, foot ahead of the hip). The event
detector places no lost stance outside it, and no stride or cadence run spans a stretch outside it
longer than ``runform.metrics`` allows (``MAX_MISSING_FRAC_STRIDE`` of a stride; the stretches:
:func:`out_of_view_spans_s`). docs/ACCURACY.md ("Runner in view") says how this was chosen over
"at least one hip".
"""

from __future__ import annotations

import numpy as np

from runform.model import Keypoints

#: The keypoints whose tracking defines "runner in view".
PELVIS_KEYPOINTS = ("left_hip", "right_hip")


def runner_in_view(kp: Keypoints) -> np.ndarray:
    """Per frame: True where both hips are tracked (finite). All True when the keypoint set lacks either hip."""
    names = [n for n in PELVIS_KEYPOINTS if kp.has(n)]
    if len(names) < len(PELVIS_KEYPOINTS):
        return np.ones(kp.n_frames, dtype=bool)
    return np.logical_and.reduce([np.isfinite(kp.xy(n)).all(axis=1) for n in names])


def out_of_view_spans_s(kp: Keypoints) -> list[tuple[float, float]]:
    """(last time in view, next time in view) around each run of frames with the runner out of view
    (:func:`runner_in_view`), inside the clip; a run at either end of the clip is not a span."""
    valid = runner_in_view(kp)
    edges = np.diff(valid.astype(int))
    starts, ends = np.flatnonzero(edges == -1), np.flatnonzero(edges == 1) + 1  # last valid, next valid
    if len(starts) and len(ends) and ends[0] <= starts[0]:
        ends = ends[1:]
    return [(float(kp.time_s[a]), float(kp.time_s[b])) for a, b in zip(starts, ends)]
