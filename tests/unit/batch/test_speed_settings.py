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
