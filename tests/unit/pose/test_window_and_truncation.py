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


def test_a_files_duration_that_is_not_the_video_tracks_still_shows_an_early_stop():
    # Matroska/WebM: the file's duration may include a longer audio track or a start offset, so the
    # quality gate hedges (video_complete); a Matroska file cut in half used to pass as complete
    mkv = VideoInfo("clip.mkv", "h264", 720, 1280, 0, 30.0, 360, 12.0, duration_from_video_track=False)
    assert MediaPipePose()._early_end_s(list(np.linspace(0.0, 3.0, 90)), mkv) == pytest.approx(3.0)
    assert MediaPipePose()._early_end_s(list(np.linspace(0.0, 11.5, 345)), mkv) is None


def test_probe_says_where_the_duration_comes_from(tmp_path):
    import av

    from runform.io.video import probe

    for suffix, from_track in ((".mp4", True), (".mkv", False)):
        path = tmp_path / f"clip{suffix}"
        with av.open(str(path), "w") as out:
            stream = out.add_stream("libx264", rate=30)
            stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
            for i in range(30):
                frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 8, dtype=np.uint8), format="rgb24")
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        assert probe(path).duration_from_video_track is from_track, suffix
