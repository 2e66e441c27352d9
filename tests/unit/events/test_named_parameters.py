"""The detector's search ranges and contact window are named, unit-suffixed fields that the
detector really uses (no copy of the value left as a literal in its code)."""

from __future__ import annotations

import pytest

from runform.events import FootGroundEventDetection
from runform.kinematics import clean_keypoints


@pytest.fixture(scope="module")
def cleaned():
    from fixtures.gait import make_gait_keypoints

    kp, _ = make_gait_keypoints(60.0, 170.0)
    return clean_keypoints(kp)


def _events(cleaned, **fields):  # noqa: ANN001, ANN003, ANN202
    kp, cleaning = cleaned
    return FootGroundEventDetection(**fields).detect(kp, direction=cleaning.direction,
                                                     stride_frequency_hz=cleaning.stride_frequency_hz)  # fmt: skip


def test_the_defaults_are_the_tuned_values():
    detector = FootGroundEventDetection()
    assert detector.contact_window_s == (0.08, 0.08)
    assert (detector.contact_search_back_s, detector.toe_search_forward_s) == (0.15, 0.1)


@pytest.mark.parametrize("field, value", [("contact_search_back_s", -1.0), ("toe_search_forward_s", -1.0),
                                          ("contact_window_s", (0.02, 0.02))])  # fmt: skip
def test_each_named_field_is_the_one_the_detector_uses(cleaned, field, value):
    default, changed = _events(cleaned), _events(cleaned, **{field: value})
    assert not changed.events_["time_s"].equals(default.events_["time_s"])
