"""Altered copies of the real clip against labels v2 (the cases ``benchmarks/robustness.py`` found):
a 360 x 640 copy once lost the near foot's first stance (a stance bracket beside a one-frame gap)."""

from __future__ import annotations

import pytest
import robustness  # benchmarks/ is on sys.path (tests/conftest.py)
from conftest import match_events

import runform


@pytest.fixture(scope="module")
def half_resolution(tmp_path_factory, clip):
    return runform.analyze(robustness.write_variant("half_res", tmp_path_factory.mktemp("half") / "half.mp4"))


def test_half_resolution_copy_keeps_every_stance(half_resolution, labels):
    for kind, tolerance in (("contact", 1.0), ("toe_off", 1.25)):
        errors = match_events(half_resolution.events, labels[labels["event"] == kind])["error_frames"]
        assert errors.abs().max() <= 3, (kind, errors.round(2).tolist())  # none lost
        assert (errors.abs() <= tolerance).mean() >= 0.9, (kind, errors.round(2).tolist())
        assert abs(errors.mean()) <= 0.5
    assert 0.28 <= half_resolution.strides["contact_time_s"].mean() <= 0.32
