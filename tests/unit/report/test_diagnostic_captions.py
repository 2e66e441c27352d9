"""The refused-clip diagnostic's key-frame captions: each says its time and whom runform followed,
and a frame drawn without a skeleton says that runform followed nobody there, and why. A tiny
synthetic clip (runner's legs tracked in the first half only) through ``write_diagnostic``."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from runform.model import Keypoints, PersonTracks
from runform.model.keypoints import REQUIRED_NAMES
from runform.report.diagnostic import frame_contents, key_frame_caption, render_diagnostic, write_diagnostic

FPS, N_FRAMES, W, H = 10, 40, 160, 120


def _keypoints(tracked_until: int) -> Keypoints:
    """Both legs known in frames [0, tracked_until), NaN after (the pose model lost the runner)."""
    xy = np.full((N_FRAMES, len(REQUIRED_NAMES), 2), np.nan)
    parts = {"hip": (80, 50), "knee": (84, 75), "ankle": (80, 100), "heel": (76, 104), "foot_index": (90, 106)}
    for k, name in enumerate(REQUIRED_NAMES):
        xy[:tracked_until, k] = parts[name.split("_", 1)[1]]
    return Keypoints(xy, np.where(np.isfinite(xy[..., 0]), 0.9, np.nan), np.arange(N_FRAMES) / FPS, REQUIRED_NAMES)


def _persons(runner_until: int, other: bool = True) -> PersonTracks:
    """Runner (track 1) boxed in frames [0, runner_until); another person (track 2) in every frame."""
    boxes = np.full((2, N_FRAMES, 4), np.nan)
    boxes[0, :runner_until] = [60, 30, 110, 110]
    if other:
        boxes[1] = [10, 20, 50, 110]
    return PersonTracks((1, 2), boxes, chosen_track_id=1, method="auto", confidence=0.6)


def _analysis(kp: Keypoints, persons: PersonTracks | None, source: Path) -> SimpleNamespace:
    check = SimpleNamespace(verdict="refuse", name="strides", value=0, threshold=">= 4 per side",
                            message="0 left and 0 right strides", fix="film longer")  # fmt: skip
    return SimpleNamespace(keypoints=kp, persons=persons, cleaning=SimpleNamespace(direction=1), source=str(source),
                           config=SimpleNamespace(clip_name=source.name), clip_name=source.name,
                           quality=SimpleNamespace(refusals=[check], checks=[check]))  # fmt: skip


def _clip(path: Path) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (W, H))
    assert writer.isOpened()
    for i in range(N_FRAMES):
        writer.write(np.full((H, W, 3), 40 + i * 4, np.uint8))
    writer.release()
    return path


def _captions(page: str) -> list[tuple[str, str]]:
    """(class attribute, text) of each key frame's caption."""
    return re.findall(r"<figcaption( class='nobody')?>(.*?)</figcaption>", page)


def test_frames_without_a_skeleton_say_runform_followed_nobody(tmp_path):
    """4 key frames at 0.49, 1.46, 2.44, 3.41 s; the legs are tracked up to 2.0 s: the first two
    show the followed runner, the last two say that nobody was followed, and why."""
    clip = _clip(tmp_path / "clip.mp4")
    analysis = _analysis(_keypoints(tracked_until=20), _persons(runner_until=30), clip)
    page = write_diagnostic(analysis, clip, tmp_path).read_text(encoding="utf-8")
    captions = _captions(page)
    assert len(captions) == 4 and sorted(p.name for p in tmp_path.glob("keyframe-*.png")) == [f"keyframe-{k}.png" for k in range(1, 5)]
    for flag, text in captions[:2]:
        assert not flag and "Followed: person 1 (yellow box)" in text and "1 other person" in text
        assert "followed nobody" not in text
    for flag, text in captions[2:]:
        assert flag and "No skeleton: runform followed nobody in this frame" in text and "quality gate" in text
    assert "person 1 (yellow box) is in view" in captions[2][1]  # runner boxed at 2.44 s, legs lost
    assert "1 other person detected (faint grey), but not the analysed runner" in captions[3][1]  # runner gone at 3.41 s
    assert re.match(r"t = \d+\.\d\d s\. ", captions[0][1])


def test_what_a_frame_shows_matches_what_is_drawn():
    kp, persons = _keypoints(tracked_until=20), _persons(runner_until=30)
    assert frame_contents(persons, kp, 5, 5) == {"skeleton": True, "runner": 1, "others": 1, "detection": True, "chosen": 1}
    assert frame_contents(persons, kp, 25, 25)["skeleton"] is False
    assert frame_contents(persons, kp, 35, 35)["runner"] is None
    assert frame_contents(persons, kp, 99, 5)["runner"] is None  # a frame outside the tracked window: no boxes drawn
    one_leg = kp.xy_px.copy()
    one_leg[:, REQUIRED_NAMES.index("left_heel")] = np.nan  # a leg with a missing landmark is not drawn
    assert frame_contents(None, kp.replace(xy_px=one_leg), 5, 5) == {"skeleton": True, "runner": None, "others": 0,
                                                                     "detection": False, "chosen": None}  # fmt: skip


@pytest.mark.parametrize("shown, words", [
    ({"skeleton": False, "runner": None, "others": 0, "detection": True, "chosen": 1}, "nobody was tracked here"),
    ({"skeleton": False, "runner": None, "others": 0, "detection": False, "chosen": None}, "no complete leg"),
    ({"skeleton": True, "runner": None, "others": 2, "detection": True, "chosen": None}, "the person detector found nobody"),
    ({"skeleton": True, "runner": None, "others": 0, "detection": False, "chosen": None}, "no person detection ran"),
])  # fmt: skip
def test_every_case_has_a_caption(shown, words):
    text = key_frame_caption(1.5, shown)
    assert text.startswith("t = 1.50 s.") and words in text
    assert ("followed nobody" in text) is (not shown["skeleton"])


def test_pages_without_frame_contents_keep_the_time_caption(tmp_path):
    analysis = _analysis(_keypoints(10), None, tmp_path / "clip.mp4")
    page = render_diagnostic(analysis, [("keyframe-1.png", 0.5)])
    assert _captions(page) == [("", "t = 0.50 s.")]
