"""One definition of "runner in view" (both hips tracked), shared by the event detector and the metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
from fixtures.gait import make_gait_keypoints

from runform.events import _foot_ground as foot_ground
from runform.kinematics import out_of_view_spans_s, runner_in_view
from runform.metrics import missing_spans_s


def _lose(kp, names, start_s, stop_s):
    xy = kp.xy_px.copy()
    gap = (kp.time_s >= start_s) & (kp.time_s < stop_s)
    for name in names:
        xy[gap, kp.index(name)] = np.nan
    return kp.replace(xy_px=xy, note="lost " + ", ".join(names)), gap


def test_in_view_needs_both_hips():
    kp, _ = make_gait_keypoints(30, 170, duration_s=4)
    assert runner_in_view(kp).all()
    one_hip, gap = _lose(kp, ["left_hip"], 1.0, 1.5)
    assert (runner_in_view(one_hip) == ~gap).all()
    spans = out_of_view_spans_s(one_hip)
    assert len(spans) == 1
    (a, b), eps = spans[0], 1e-9
    assert 1.0 - 1 / 30 - eps <= a < 1.0 and 1.5 - eps <= b < 1.5 + 1 / 30  # last frame in view, next frame in view
    # at the clip's ends a stretch out of view is not a span between two stretches in view
    assert out_of_view_spans_s(_lose(kp, ["right_hip"], 0.0, 0.5)[0]) == []


def test_without_hip_landmarks_the_runner_counts_as_in_view():
    kp, _ = make_gait_keypoints(30, 170, duration_s=2)
    keep = [i for i, n in enumerate(kp.names) if not n.endswith("_hip")]
    no_hips = kp.replace(xy_px=kp.xy_px[:, keep], names=tuple(kp.names[i] for i in keep),
                         confidence=kp.confidence[:, keep], depth=None, note="no hips")  # fmt: skip
    assert runner_in_view(no_hips).all()


def _alternating_events(duration_s: float, stride_s: float = 0.7) -> pd.DataFrame:
    """Contacts and toe-offs of both feet, the right half a stride after the left."""
    rows = []
    for side, shift in (("left", 0.0), ("right", stride_s / 2)):
        for t in np.arange(0.2 + shift, duration_s - 0.2, stride_s):
            rows += [{"time_s": t, "side": side, "event": "contact", "confidence": 0.9},
                     {"time_s": t + 0.25, "side": side, "event": "toe_off", "confidence": 0.9}]  # fmt: skip
    return pd.DataFrame(rows)


def test_metrics_and_events_share_the_definition():
    assert missing_spans_s is out_of_view_spans_s
    assert foot_ground.runner_in_view is runner_in_view


def test_no_lost_stance_is_placed_where_only_one_hip_is_tracked():
    """The event detector places a stance one foot lost from the other foot's rhythm, but not where
    the runner is out of view by the shared definition: here one hip is lost (half out of the frame)."""
    kp, _ = make_gait_keypoints(60, 170, duration_s=8)
    events = _alternating_events(8.0)
    lost_contact = (events["side"] == "left") & (events["event"] == "contact") & (events["time_s"].between(3.6, 3.8))
    assert lost_contact.sum() == 1
    gap = events[~lost_contact]
    placed = foot_ground._fill_missed(gap, kp.time_s, np.ones(kp.n_frames, dtype=bool))
    new = placed[placed["confidence"] == foot_ground.RHYTHM_CONFIDENCE]
    assert len(new) == 1 and abs(new["time_s"].iloc[0] - events.loc[lost_contact, "time_s"].iloc[0]) < 1e-6
    half_out, _ = _lose(kp, ["left_hip"], 3.6, 4.2)
    kept = foot_ground._fill_missed(gap, kp.time_s, runner_in_view(half_out))
    assert len(kept) == len(gap)  # nothing placed: only one hip tracked there
