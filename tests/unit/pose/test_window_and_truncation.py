"""The analysed window against the clip's length, and a decode that stops before the clip's end."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from runform.errors import OptionError
from runform.io.video import VideoInfo
from runform.pose.mediapipe_backend import TRUNCATED_MIN_S, MediaPipePose

INFO = VideoInfo("clip.mp4", "h264", 720, 1280, 0, 30.0, 360, 12.0)


def test_start_at_or_after_the_end_is_an_option_error():
    for start_s in (12.0, 30.0):
        with pytest.raises(OptionError) as err:
            MediaPipePose(start_s=start_s)._check_window(INFO)
        assert "12.0 s" in str(err.value) and "--start" in str(err.value)
    MediaPipePose(start_s=11.0)._check_window(INFO)  # within the clip: fine


def test_end_after_the_clip_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="runform"):
        MediaPipePose(end_s=12.0)._check_window(INFO)
        assert not caplog.records
        MediaPipePose(end_s=30.0)._check_window(INFO)
    assert "after the clip's end (12.0 s)" in caplog.text


@pytest.mark.parametrize(
    ("end_s", "last_s", "stopped"),
    [(None, 11.967, False), (None, 12.0 - TRUNCATED_MIN_S - 0.1, True), (5.0, 4.967, False), (5.0, 3.5, True),
     (30.0, 11.967, False)],
)
def test_early_end_is_measured_against_the_window(end_s, last_s, stopped):
    times = list(np.linspace(0.0, last_s, 50))
    found = MediaPipePose(end_s=end_s)._early_end_s(times, INFO)
    assert (found == pytest.approx(last_s, abs=1e-3)) if stopped else found is None
