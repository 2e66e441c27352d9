"""Settings that keep a batch job cheap: the annotated video's size and ``--fast`` working offline."""

from __future__ import annotations

import pytest

from runform.report.video import MAX_LONG_SIDE_PX, output_size


@pytest.mark.parametrize(
    ("size", "expected"),
    [((720, 1280), (404, 720)), ((1920, 1080), (720, 404)), ((640, 360), (640, 360)), ((641, 361), (640, 360))],
    ids=["portrait-720p", "landscape-1080p", "small-kept", "odd-made-even"],
)
def test_annotated_video_size(size, expected):
    assert output_size(*size) == expected
    assert max(output_size(*size)) <= MAX_LONG_SIDE_PX


def test_fast_uses_the_bundled_full_model_on_every_other_frame():
    from runform.pose.mediapipe_backend import FAST_FRAME_STEP, MediaPipePose

    fast = MediaPipePose(model_complexity=0)
    assert fast.model_complexity == 1 and fast.frame_step == FAST_FRAME_STEP == 2
    model = fast._model()  # builds the graph from the wheel's files: no download, so it works offline
    model.close()
    assert MediaPipePose().frame_step == 1


def test_kept_frames_fit_the_dask_workers_memory_limit(monkeypatch):
    """A job keeps at most what leaves the worker under 70 % of its memory limit (Dask pauses a
    worker at 80 %): the default 384 MiB on a 1.5 GiB worker, less on a 1 GiB one, none on 0.75 GiB."""
    from runform.batch.job import fit_frame_memory
    from runform.config import Config, make_config

    gib = 2**30
    assert fit_frame_memory({"event": "5k"}, 1.5 * gib) == {"event": "5k"}
    small = fit_frame_memory({"event": "5k"}, 1.0 * gib)
    assert small["event"] == "5k" and 100 < small["frame_memory_mib"] < Config().frame_memory_mib
    assert make_config(**small).frame_memory_mib == small["frame_memory_mib"]
    assert fit_frame_memory({"frame_memory_mib": "50"}, 1.0 * gib) == {"frame_memory_mib": "50"}  # a manifest cell
    assert fit_frame_memory({"frame_memory_mib": 384}, 0.75 * gib)["frame_memory_mib"] == 0
    assert fit_frame_memory({}) == {}  # not on a Dask worker: nothing to fit

    class Worker:  # what distributed.get_worker() gives on a worker with a limit
        class memory_manager:  # noqa: N801
            memory_limit = 1.0 * gib

    import distributed

    monkeypatch.setattr(distributed, "get_worker", lambda: Worker)
    assert fit_frame_memory({}) == {"frame_memory_mib": small["frame_memory_mib"]}
