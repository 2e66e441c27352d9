"""The CSV backend: round trip, analysis without video, lower frame rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import match_events, spurious_events

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
    extra = spurious_events(analysis.events, labels)
    assert extra.empty, extra
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
    extra = spurious_events(analysis.events, labels, fps=15.0, tolerance_frames=1.5)  # 3 frames of the 30 fps labels
    assert extra.empty, extra
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


def test_normalised_coordinates_are_refused(raw_csv, tmp_path):
    """MediaPipe's own 0-1 coordinates would distort every angle by the frame's aspect ratio."""
    table = pd.read_csv(raw_csv)
    for column in table.columns:
        if column.endswith("_x"):
            table[column] /= 720
        elif column.endswith("_y"):
            table[column] /= 1280
    table.to_csv(tmp_path / "normalised.csv", index=False)
    with pytest.raises(KeypointDataError, match="between 0 and 1, not pixels") as err:
        from_csv(tmp_path / "normalised.csv")
    assert "multiply the x columns by the frame width" in str(err.value)


@pytest.mark.parametrize("decimal", [".", ","])
def test_a_spreadsheet_semicolon_table_is_read(raw_csv, tmp_path, raw_keypoints, decimal):
    """Excel in a decimal-comma locale saves ";" between columns (and "," in numbers)."""
    path = tmp_path / "semicolon.csv"
    pd.read_csv(raw_csv).to_csv(path, sep=";", decimal=decimal, index=False)
    back = from_csv(path)
    np.testing.assert_allclose(back.xy_px, raw_keypoints.xy_px, atol=0.01, equal_nan=True)


def test_times_in_milliseconds_are_named(raw_csv, tmp_path):
    table = pd.read_csv(raw_csv)
    table["time_s"] *= 1000
    table.to_csv(tmp_path / "ms.csv", index=False)
    with pytest.raises(KeypointDataError, match="does not look like seconds") as err:
        from_csv(tmp_path / "ms.csv")
    assert "divide them by 1000" in str(err.value)


def test_y_upwards_is_named(raw_csv, tmp_path):
    table = pd.read_csv(raw_csv)
    for column in table.columns:
        if column.endswith("_y"):
            table[column] = 1280 - table[column]
    table.to_csv(tmp_path / "yup.csv", index=False)
    with pytest.raises(KeypointDataError, match="y counts upwards") as err:
        from_csv(tmp_path / "yup.csv")
    assert "frame height - y" in str(err.value)
