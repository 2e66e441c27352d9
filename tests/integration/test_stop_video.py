"""A failure (or Ctrl-C) while the report is written stops the annotated video's thread at its next
frame instead of waiting for it to encode the whole clip, and leaves no half-written output."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np
import pytest

import runform.pipeline
from runform.io import probe
from runform.pipeline import analyze, write_outputs


@pytest.fixture
def analysis_with_video(gait_csv, tmp_path):
    """The synthetic runner's analysis with a plain clip of as many frames as its source."""
    from fixtures.data import encode_rgb

    analysis = analyze(gait_csv)
    frames = (np.full((96, 128, 3), i % 250, np.uint8) for i in range(analysis.keypoints.n_frames))
    clip = encode_rgb(frames, tmp_path / "clip.mp4", fps=60)
    config = analysis.config.model_copy(update={"write_report": True, "write_video": True})
    return dataclasses.replace(analysis, source=str(clip), config=config)


@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
def test_a_failing_report_stops_the_video_early_and_leaves_nothing(analysis_with_video, tmp_path, monkeypatch, failure):
    writer = runform.pipeline.write_annotated_video
    started, result = threading.Event(), {}

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        stop = args[7]  # the pipeline's stop event

        def progress(done, total):  # noqa: ANN001, ANN202
            if done == 1:  # the first frame is encoded: let the report fail, hold on until told to stop
                started.set()
                assert stop.wait(20), "the pipeline did not set the stop event"

        result["written"] = writer(*args[:4], progress, *args[5:], **kwargs)
        return result["written"]

    def failing_report(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        assert started.wait(20)
        raise failure("the report failed")

    monkeypatch.setattr(runform.pipeline, "write_annotated_video", spy)
    monkeypatch.setattr(runform.pipeline, "render_report", failing_report)
    out, before = tmp_path / "out", set(tmp_path.iterdir())
    with pytest.raises(failure, match="the report failed"):
        write_outputs(analysis_with_video, out)
    total = probe(analysis_with_video.source).n_frames_estimate
    assert 1 <= result["written"] < total  # stopped at its next frame, not after the whole clip
    assert not out.exists()
    assert set(tmp_path.iterdir()) == before  # no temporary folder or partial video


def test_a_stopped_writer_removes_its_unfinished_file(analysis_with_video, tmp_path):
    stop = threading.Event()
    out = tmp_path / "a.mp4"

    def progress(done, total):  # noqa: ANN001, ANN202
        if done == 3:
            stop.set()

    source = Path(analysis_with_video.source)
    written = runform.pipeline.write_annotated_video(analysis_with_video, source, out, progress=progress, stop=stop)
    assert written == 3 and not out.exists()
