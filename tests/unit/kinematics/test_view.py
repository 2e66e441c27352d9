"""One definition of "runner in view" (both hips tracked), shared by the event detector and the metrics."""

from __future__ import annotations

import numpy as np
from fixtures.gait import make_gait_keypoints

from runform.events import FootGroundEventDetection
from runform.kinematics import clean_keypoints, out_of_view_spans_s, runner_in_view
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


def test_metrics_and_events_share_the_definition():
    assert missing_spans_s is out_of_view_spans_s
    # the left foot lost for almost two strides and the left hip with it in the middle (the runner
    # half out of the frame): no stance is placed where only one hip is tracked
    kp, _ = make_gait_keypoints(60, 170, duration_s=8)
    lost, _ = _lose(kp, ["left_knee", "left_ankle", "left_heel", "left_foot_index"], 3.3, 4.5)
    half_out, _ = _lose(lost, ["left_hip"], 3.6, 4.2)
    clean, report = clean_keypoints(half_out)
    events = FootGroundEventDetection().detect(clean, direction=report.direction,
                                               stride_frequency_hz=report.stride_frequency_hz).events_  # fmt: skip
    left = events[(events["side"] == "left") & (events["time_s"] > 3.62) & (events["time_s"] < 4.18)]
    assert left.empty, left
    assert len(missing_spans_s(clean)) == 1
