"""The CSV backend: round trip, analysis without video, lower frame rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import match_events

import runform
from runform.errors import KeypointDataError
from runform.io.keypoints_csv import from_csv, to_csv


@pytest.fixture(scope="module")
def raw_csv(tmp_path_factory, raw_keypoints):
    path = tmp_path_factory.mktemp("kp") / "raw keypoints é.csv"  # spaces and unicode in the path
    to_csv(raw_keypoints, path)
    return path


def test_round_trip(raw_keypoints, raw_csv):
    back = from_csv(raw_csv)
    assert back.names == raw_keypoints.names
    np.testing.assert_allclose(back.xy_px, raw_keypoints.xy_px, atol=0.01, equal_nan=True)


def test_csv_analysis_matches_labels(raw_csv, labels):
    analysis = runform.analyze(raw_csv)
    for kind in ("contact", "toe_off"):
        matched = match_events(analysis.events, labels[labels["event"] == kind])
        assert (matched["frame_error"].abs() <= 1).mean() >= 0.9
    assert abs(analysis.overall_cadence_steps_per_min - 168.9) <= 0.5


def test_15_fps_keypoints_keep_events_within_one_frame(raw_keypoints, tmp_path, labels):
    every_other = raw_keypoints.replace(
        xy_px=raw_keypoints.xy_px[::2], confidence=raw_keypoints.confidence[::2], time_s=raw_keypoints.time_s[::2],
        depth=raw_keypoints.depth[::2],
    )
    path = tmp_path / "kp15.csv"
    to_csv(every_other, path)
    analysis = runform.analyze(path)
    matched = match_events(analysis.events, labels, fps=15.0)
    assert (matched["error_frames"].abs() <= 1.0).mean() >= 0.9
    assert abs(analysis.overall_cadence_steps_per_min - 168.9) <= 1.0
    assert any(c.name == "frame_rate" and c.verdict == "warn" for c in analysis.quality.checks)


def test_wrong_columns_are_explained(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"time_s": [0, 1], "nose_x": [1, 2], "nose_y": [1, 2]}).to_csv(path, index=False)
    with pytest.raises(KeypointDataError, match="lacks landmarks.*left_hip"):
        from_csv(path)


def test_output_keypoints_csv_is_valid_input(clip_analysis, tmp_path):
    path = tmp_path / "keypoints.csv"
    to_csv(clip_analysis.keypoints, path)
    again = runform.analyze(path)
    assert abs(again.overall_cadence_steps_per_min - clip_analysis.overall_cadence_steps_per_min) < 1.0
