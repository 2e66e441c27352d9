"""The persons panel from a kept frame (no decoding): the grabber keeps the panel's frame by
decoded-frame index, and a reduced frame gives the same boxes as the full-size one (scaled with
the frame's own x and y scale). Synthetic tracks and frames; the real clip is in
tests/integration/test_persons_panel.py."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pandas as pd
import pytest

from runform.model import PersonTracks
from runform.report.keyframes import KeyFrameGrabber
from runform.report.persons import MAX_HEIGHT_PX, panel_frame, persons_panel

FRAME_W, FRAME_H, N_FRAMES = 1280, 720, 40


def _tracks(first_frame: int = 5) -> PersonTracks:
    """Runner (track 1) in every frame; a second person (track 2) only in frames 20-29: the panel's frame is 20."""
    boxes = np.full((2, N_FRAMES, 4), np.nan)
    boxes[0] = [100.0, 80.0, 500.0, 700.0]
    boxes[1, 20:30] = [700.0, 50.0, 1210.0, 690.0]
    return PersonTracks((1, 2), boxes, chosen_track_id=1, method="auto", confidence=0.8, first_frame=first_frame)


class _Kept:
    """A grabber stand-in that kept ``frame`` at clip time ``time_s``."""

    def __init__(self, frame: tuple[float, np.ndarray, tuple[float, float]] | None) -> None:
        self.frame = frame

    def panel_image(self, timeout_s: float | None = None) -> tuple[float, np.ndarray, tuple[float, float]] | None:
        return self.frame


def _scene() -> np.ndarray:
    """A landscape frame with smooth structure (so resizing keeps it recognisable)."""
    yy, xx = np.mgrid[:FRAME_H, :FRAME_W]
    return np.stack([xx * 255 // FRAME_W, yy * 255 // FRAME_H, (xx + yy) * 255 // (FRAME_W + FRAME_H)], -1).astype(np.uint8)


def test_the_panel_frame_is_the_first_with_the_most_people_and_the_runner():
    assert panel_frame(_tracks()) == 20


def test_a_reduced_landscape_frame_gives_the_same_boxes_as_the_full_one():
    """From the annotated video's 720x404 frame the panel is 404 px tall instead of 480: boxes
    agree with the full-size panel's within a pixel once scaled to the same size."""
    persons, full = _tracks(), _scene()
    reduced_w, reduced_h = 720, 404
    reduced = cv2.resize(full, (reduced_w, reduced_h), interpolation=cv2.INTER_AREA)
    a = persons_panel(persons, Path("clip.mp4"), _Kept((1.0, full, (1.0, 1.0))))
    b = persons_panel(persons, Path("clip.mp4"), _Kept((1.0, reduced, (reduced_w / FRAME_W, reduced_h / FRAME_H))))
    assert (a["height"], b["height"]) == (MAX_HEIGHT_PX, reduced_h)
    assert [(r["track_id"], r["chosen"]) for r in a["boxes"]] == [(2, False), (1, True)]  # the runner drawn last
    sx, sy = a["width"] / b["width"], a["height"] / b["height"]
    for ra, rb in zip(a["boxes"], b["boxes"]):
        assert np.allclose([rb["x"] * sx, rb["y"] * sy, rb["w"] * sx, rb["h"] * sy], [ra["x"], ra["y"], ra["w"], ra["h"]], atol=1.0)
    assert a["boxes"][1]["x"] == pytest.approx(100 * MAX_HEIGHT_PX / FRAME_H, abs=0.1)
    assert a["time_s"] == b["time_s"] == 1.0


def test_grabber_keeps_the_panel_frame_by_decoded_frame_index():
    persons = _tracks(first_frame=5)
    analysis = SimpleNamespace(persons=persons, strides=pd.DataFrame(), cleaning=SimpleNamespace(direction=1))
    grabber = KeyFrameGrabber(analysis)  # no strides: no key moments, only the panel
    assert grabber.panel_index == 25
    assert not grabber.wants(0.0), "a pass that cannot say its frame index is never kept for the panel"
    frames = {i: np.full((4, 6, 3), i, np.uint8) for i in range(N_FRAMES)}
    for i, img in frames.items():
        if not grabber.wants(i * 10.0, i):  # run time deliberately unlike the frame index
            grabber.finish()
            break
        grabber.offer_panel(img, i, i / 30)
    time_s, rgb, scale = grabber.panel_image(timeout_s=0)
    assert i == 26 and time_s == pytest.approx(25 / 30) and scale == (1.0, 1.0)
    assert (rgb == 25).all()
    frames[25][:] = 0
    assert (rgb == 25).all(), "the kept frame is a copy (the video pass draws on its frame)"


def test_grabber_without_persons_or_moments_is_done_at_once():
    analysis = SimpleNamespace(persons=None, strides=pd.DataFrame(), cleaning=SimpleNamespace(direction=1), keypoints=None)
    grabber = KeyFrameGrabber(analysis)
    assert grabber.panel_index is None and not grabber.wants(0.0, 0)
    assert grabber.panel_image(timeout_s=0) is None and grabber.images(timeout_s=0) == []


def test_a_grabber_that_never_kept_the_frame_leaves_a_non_video_source_without_a_panel():
    """No frame kept and nothing to decode: no panel (keypoint files never have one)."""
    assert persons_panel(_tracks(), Path("keypoints.csv"), _Kept(None)) is None
    assert persons_panel(_tracks(), Path("clip.mp4"), _Kept((0.0, _scene(), (1.0, 1.0))))["boxes"]
