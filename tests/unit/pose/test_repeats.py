"""Frames repeating the previous picture (runform.pose.repeats) and the frames without a picture of
their own in Keypoints (``observed``) and the quality gate."""

from __future__ import annotations

import numpy as np
import pytest

from runform.errors import KeypointDataError
from runform.model import Keypoints
from runform.pose.repeats import PictureChanges, describe, picture_change, repeated_frames
from runform.quality import picture_rate_hz


def _frames(n: int, seed: int = 0) -> list[np.ndarray]:
    """Small grey frames of a bar moving 2 pixels a frame over a noisy background."""
    rng = np.random.default_rng(seed)
    background = rng.integers(60, 90, (240, 135)).astype(np.uint8)
    out = []
    for i in range(n):
        img = background.copy()
        img[60:200, 10 + 2 * i : 20 + 2 * i] = 220
        out.append(np.clip(img + rng.integers(-2, 3, img.shape), 0, 255).astype(np.uint8))
    return out


def _repeated(frames: list[np.ndarray]) -> np.ndarray:
    changes = PictureChanges()
    for img in frames:
        changes.add(img)
    return changes.repeated()


def test_picture_change_is_nan_for_the_first_frame_and_small_for_a_copy():
    a, b = _frames(2)
    assert np.isnan(picture_change(None, a))
    assert picture_change(a, a) == 0
    assert picture_change(a, b) > 100  # the bar's edges moved


def test_every_picture_shown_twice_is_found():
    pictures = _frames(40)
    shown_twice = [img for img in pictures for _ in range(2)]
    repeated = _repeated(shown_twice)
    assert repeated.tolist() == [i % 2 == 1 for i in range(80)]
    text = describe(repeated, np.arange(80) / 60.0, 60.0)
    assert "each picture shown 2 times" in text and "about 30 fps" in text


def test_a_frozen_intro_is_found_and_moving_frames_are_not():
    pictures = _frames(60)
    frames = [pictures[0]] * 20 + pictures
    repeated = _repeated(frames)
    assert repeated[1:21].all() and not repeated[0] and not repeated[21:].any()
    text = describe(repeated, np.arange(80) / 30.0, 30.0)
    assert "frozen" in text and "the longest 20 frames, 0.7 s" in text
    assert not _repeated(pictures).any()


def test_a_slow_part_of_a_real_clip_is_not_a_repeat():
    """The walking clip's slow start: frames changing by 25-32 grey levels (a re-coded repeated
    picture changes by up to 35) against 41-46 across two frames, in a clip whose typical frame
    changes by about 100: pictures of their own. A re-coded repeat (35 against 120 across) is one."""
    one_back = np.array([np.nan, 25, 26, 29, 32, 31, 100, 98, 35, 110, 104, 96, 102])
    two_back = np.array([np.nan, np.nan, 41, 45, 46, 43, 110, 150, 99, 120, 160, 150, 150])
    assert np.flatnonzero(repeated_frames(np.c_[one_back, two_back])).tolist() == [8]


def test_three_copies_of_each_picture_are_found():
    pictures = _frames(30)
    shown_three_times = [img for img in pictures for _ in range(3)]
    assert _repeated(shown_three_times).tolist() == [i % 3 != 0 for i in range(90)]
    assert "shown 3 times" in describe(_repeated(shown_three_times), np.arange(90) / 90.0, 90.0)


def _changes(position: np.ndarray, copy_noise: np.ndarray) -> np.ndarray:
    """``back[i, k - 1]`` for frames at these positions of a moving scene: the change grows with the
    distance moved (less than in proportion, and saturating at the edges' contrast, as the 99.9th
    percentile of a real clip's grey-level change does); a frame that moved nothing from another
    still differs by the larger of their re-coding noises."""
    n = len(position)
    back = np.full((n, 4), np.nan)
    for i in range(n):
        for k in range(1, 5):
            if i - k >= 0:
                moved = abs(position[i] - position[i - k])
                back[i, k - 1] = max(min(180.0, 25.0 * moved**0.75), copy_noise[i], copy_noise[i - k])
    return back


def test_pictures_shown_three_times_after_heavy_compression_are_found():
    """Each copy re-coded (35 grey levels from the picture, not a near-exact copy): the middle copy's
    change across two frames compares two copies of one picture, so the copies are judged as a run
    against the picture before it (session 13: 2 of 720 were found on the CRF 35 copy)."""
    pictures = np.arange(40) * 12.0  # a new picture changes by 160 grey levels, as on the shared clip
    position = np.repeat(pictures, 3)
    noise = np.where(np.arange(len(position)) % 3 == 0, 0.0, 35.0)
    assert np.flatnonzero(repeated_frames(_changes(position, noise))).tolist() == [i for i in range(120) if i % 3]


def test_a_short_slow_stretch_of_real_frames_is_not_a_run_of_copies():
    """Three real frames moving a quarter of the usual distance (changes of 25 grey levels, as the
    walking clip's slow start, under the clip's small-change bound): motion accumulates over them
    (42, 57 across 2 and 3 frames), so they are not copies of the frame before them."""
    step = np.full(80, 4.0)
    step[30:33] = 1.0
    back = _changes(np.cumsum(step), np.zeros(80))
    assert back[30, 0] == pytest.approx(25.0) and back[32, 2] == pytest.approx(57.0, abs=0.1)
    assert not repeated_frames(back).any()


def test_keypoints_observed_mask_follows_frames_and_sets_the_picture_rate():
    n = 60
    kp = Keypoints(np.zeros((n, 1, 2)), np.ones((n, 1)), np.arange(n) / 60.0, ("left_hip",),
                   observed=np.arange(n) % 2 == 0)  # fmt: skip
    assert kp.sampling_rate_hz == pytest.approx(60.0)
    assert kp.observed_rate_hz == pytest.approx(30.0)
    assert picture_rate_hz(kp, kp) == pytest.approx(30.0)
    part = kp.frames(slice(10, 20))
    assert part.observed.tolist() == [i % 2 == 0 for i in range(10, 20)]
    whole = kp.replace(observed=None)
    assert whole.observed_rate_hz == whole.sampling_rate_hz == picture_rate_hz(whole, whole)
    with pytest.raises(KeypointDataError, match="Observed-frame mask"):
        kp.replace(observed=np.ones(n - 1, dtype=bool))


def test_24_fps_pictures_in_a_60_fps_file_read_24_fps():
    """Pictures 2 and 3 frames apart by turns: the rate is their mean (a median said 20 or 30)."""
    copies = np.tile([2, 3], 12)
    repeated = np.concatenate([[False] + [True] * (k - 1) for k in copies])
    text = describe(repeated, np.arange(len(repeated)) / 60.0, 60.0)
    assert "filmed at about 24" in text and "shown 2-3 times" in text


def test_a_still_noisy_scene_is_not_a_repeat():
    """A tripod's empty lead-in: sensor noise changes a still picture by a few grey levels from
    frame to frame, as much as across two frames; it is not taken for a repeated picture."""
    rng = np.random.default_rng(3)
    scene = rng.integers(40, 200, (240, 135)).astype(np.float64)
    frames = [np.clip(scene + rng.normal(0, 3, scene.shape), 0, 255).astype(np.uint8) for _ in range(60)]
    assert not _repeated(frames).any()


def test_fast_keeps_every_other_picture_when_the_model_ran_on_second_copies():
    """--fast runs the model on even frames; with each picture shown twice from frame 1 on, those
    are second copies. Each picture is kept at its first copy from the copy the model ran on (all
    pictures used to be lost)."""
    from runform.io.video import VideoInfo
    from runform.pose.mediapipe_backend import MediaPipePose

    backend = MediaPipePose(model_complexity=0)
    backend.cropped_ = False
    repeated = np.array([False] + [i % 2 == 0 for i in range(1, 41)])  # pictures at 0, 1, 3, 5, ...
    data = np.full((41, 33, 4), np.nan)
    ran = np.arange(41) % 2 == 0
    data[ran] = np.arange(41)[ran, None, None]  # each row tagged with its frame
    info = VideoInfo("x.mp4", "h264", 720, 1280, 0, 60.0, 41, 41 / 60.0)
    observed = backend._observed(repeated, data, np.arange(41) / 60.0, info)
    firsts = np.flatnonzero(~repeated)
    assert observed.sum() == len(firsts) and observed[firsts].all()
    assert data[1, 0, 0] == 2 and data[3, 0, 0] == 4 and np.isnan(data[2]).all()  # picture at 1 from its copy at 2
    assert data[0, 0, 0] == 0
