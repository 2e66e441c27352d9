"""Events on synthetic keypoints with known truth (``make_gait_keypoints``): fast, no video."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures.gait import make_gait_keypoints

from runform.events import FootGroundEventDetection
from runform.kinematics import clean_keypoints


@pytest.mark.parametrize(("fps", "cadence_spm"), [(30, 160), (60, 170), (120, 185)], ids=["30fps", "60fps", "120fps"])
def test_every_true_event_is_found_within_one_frame(fps, cadence_spm):
    kp, truth = make_gait_keypoints(fps, cadence_spm)
    clean, report = clean_keypoints(kp)
    assert report.direction == 1
    events = FootGroundEventDetection().detect(
        clean, direction=report.direction, stride_frequency_hz=report.stride_frequency_hz, frame_times_s=kp.time_s
    ).events_
    for (side, kind), expected in truth.groupby(["side", "event"]):
        found = events[(events["side"] == side) & (events["event"] == kind)]["time_s"].to_numpy()
        errors = [np.min(np.abs(found - t)) for t in expected["time_s"]]
        assert max(errors) <= 1.0 / fps, (side, kind, errors)


def test_builder_returns_events_in_the_event_table_layout():
    kp, truth = make_gait_keypoints(60, 180, duration_s=4)
    assert list(truth.columns) == ["frame", "time_s", "side", "event", "confidence"]
    assert set(truth["event"]) == {"contact", "toe_off"} and kp.sampling_rate_hz == pytest.approx(60)
    contacts = truth[(truth["event"] == "contact") & (truth["side"] == "right")]["time_s"]
    assert np.diff(contacts).mean() == pytest.approx(120 / 180)
