"""Issue 14, outputs nearly free: the report's "Who was analysed" panel takes its frame from the
annotated video's decoding pass (:class:`~runform.report.keyframes.KeyFrameGrabber`) instead of
decoding the clip again, and gives the same panel as decoding the clip for it; without a video
pass, or when the pass never reached the frame, it still decodes the clip itself. On the shared
clip's real BlazePose run."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from runform.io import iter_frames, probe
from runform.report import persons as persons_module
from runform.report.keyframes import MAX_OFFSET_S, KeyFrameGrabber
from runform.report.persons import panel_frame, persons_panel
from runform.report.video import write_annotated_video

#: Analysed frames dropped at the start (a --start-like window) and runner boxes hidden after it,
#: so that the panel's frame is well into the clip: decoded frame FIRST + HIDDEN = 150 (5 s).
FIRST, HIDDEN = 30, 120


def _image(uri: str) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(base64.b64decode(uri.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)


def _late_panel(analysis, real_fps: float | None = None, hidden: int = HIDDEN):  # noqa: ANN001, ANN202
    """``analysis`` whose person tracks start at decoded frame FIRST and are hidden for ``hidden``
    more frames (the panel's frame: FIRST + hidden), optionally with ``--real-fps``."""
    persons = analysis.persons
    boxes = persons.boxes_px[:, FIRST:].copy()
    boxes[:, :hidden] = np.nan
    late = dataclasses.replace(persons, boxes_px=boxes, first_frame=FIRST, passes=())
    if not real_fps:
        return dataclasses.replace(analysis, persons=late)
    config = analysis.config.model_copy(update={"real_fps": real_fps})
    scale = 30.0 / real_fps  # what the pipeline applies to the keypoints' time (the clip: a constant 30 fps)
    kp = analysis.keypoints.replace(time_s=analysis.keypoints.time_s * scale, time_scale=scale)
    return dataclasses.replace(analysis, persons=late, config=config, keypoints=kp)


def _from_the_video_pass(analysis, tmp_path: Path, monkeypatch) -> tuple[dict, KeyFrameGrabber]:  # noqa: ANN001
    """The panel built from the annotated video's pass; decoding the clip for it fails the test."""
    source = Path(analysis.source)
    grabber = KeyFrameGrabber(analysis)
    write_annotated_video(analysis, source, tmp_path / "a.mp4", key_frames=grabber)

    def no_decode(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the panel decoded the clip although the video pass kept its frame")

    with monkeypatch.context() as patch:
        patch.setattr(persons_module, "iter_frames", no_decode)
        panel = persons_panel(analysis.persons, source, grabber)
    return panel, grabber


def _assert_same_panel(a: dict, b: dict) -> None:
    """Same frame time, same boxes within a pixel (after scaling to the same size), same picture."""
    assert a["time_s"] == pytest.approx(b["time_s"], abs=1e-6)
    assert abs(a["height"] - b["height"]) <= 2 and abs(a["width"] - b["width"]) <= 2
    sx, sy = b["width"] / a["width"], b["height"] / a["height"]
    assert [(r["track_id"], r["chosen"]) for r in a["boxes"]] == [(r["track_id"], r["chosen"]) for r in b["boxes"]]
    assert a["boxes"], "the runner is in the panel's frame"
    for ra, rb in zip(a["boxes"], b["boxes"]):
        assert np.allclose([ra["x"] * sx, ra["y"] * sy, ra["w"] * sx, ra["h"] * sy], [rb["x"], rb["y"], rb["w"], rb["h"]], atol=1.0)
    img_a, img_b = _image(a["uri"]), _image(b["uri"])
    img_a = cv2.resize(img_a, (img_b.shape[1], img_b.shape[0]), interpolation=cv2.INTER_AREA)
    assert np.abs(img_a.astype(int) - img_b).mean() < 4


def test_the_panel_from_the_video_pass_matches_a_separate_decoding(clip_analysis, tmp_path, monkeypatch):
    source = Path(clip_analysis.source)
    panel, grabber = _from_the_video_pass(clip_analysis, tmp_path, monkeypatch)
    separate = persons_panel(clip_analysis.persons, source)
    assert grabber.panel_index == clip_analysis.persons.first_frame + panel_frame(clip_analysis.persons)
    assert panel["height"] == 480  # the clip is portrait 720x1280: the full-size frame, scaled to 480 px
    _assert_same_panel(panel, separate)


@pytest.mark.parametrize("real_fps", [None, 120.0, 15.0], ids=["no-real-fps", "real-fps-120", "real-fps-15"])
def test_a_late_panel_frame_is_found_by_frame_index_whatever_the_run_time(clip_analysis, tmp_path, monkeypatch, real_fps):
    """Key moments are in run time (``--real-fps`` rescales it: x0.25 and x2 here), the panel's
    frame is a decoded-frame index: the pass keeps decoded frame FIRST + HIDDEN either way, and
    finishes only when past both."""
    analysis = _late_panel(clip_analysis, real_fps)
    source = Path(analysis.source)
    wanted = FIRST + HIDDEN
    assert analysis.keypoints.time_scale == (30.0 / real_fps if real_fps else 1.0)
    panel, grabber = _from_the_video_pass(analysis, tmp_path, monkeypatch)
    frame_time_s = next(f.time_s for f in iter_frames(source) if f.index == wanted)
    assert panel["time_s"] == pytest.approx(frame_time_s)
    assert grabber.panel_image(timeout_s=0)[0] == pytest.approx(frame_time_s)
    _assert_same_panel(panel, persons_panel(analysis.persons, source))


def test_the_pass_waits_for_a_late_panel_frame_then_releases_the_report(clip_analysis, tmp_path):
    """The panel's frame at 11 s, after the last key moment (about 9 s): the report is released
    just after it, not after the key moments nor at the end of the clip."""
    hidden = 300
    analysis = _late_panel(clip_analysis, hidden=hidden)
    grabber, seen = KeyFrameGrabber(analysis), []

    def progress(done: int, total: int) -> None:
        seen.append((done, grabber.finished))

    write_annotated_video(analysis, Path(analysis.source), tmp_path / "a.mp4", progress=progress, key_frames=grabber)
    released = next(done for done, finished in seen if finished)  # frames decoded when the report was let go
    assert released < len(seen), "released well before the end of the clip"
    key_moments_done = (grabber.last_s + MAX_OFFSET_S) * 30 + 1
    assert key_moments_done < FIRST + hidden, "the panel's frame comes after the key moments: the pass waits for it"
    assert FIRST + hidden + 1 <= released <= FIRST + hidden + 3
    assert grabber.panel_image(timeout_s=0)[0] == pytest.approx((FIRST + hidden) / 30, abs=1e-3)


def test_without_a_video_pass_the_panel_decodes_the_clip(clip_analysis):
    """The fallback (``--no-video``): decoded up to the panel's frame, scaled to 480 px."""
    analysis = _late_panel(clip_analysis)
    panel = persons_panel(analysis.persons, Path(analysis.source))
    assert panel["time_s"] == pytest.approx((FIRST + HIDDEN) / 30, abs=1e-3)
    assert panel["height"] == 480
    chosen = [b for b in panel["boxes"] if b["chosen"]]
    assert len(chosen) == 1
    x0, y0, x1, y1 = analysis.persons.chosen_boxes()[HIDDEN] * panel["height"] / probe(analysis.source).height_px
    assert chosen[0]["x"] == pytest.approx(x0, abs=0.1) and chosen[0]["w"] == pytest.approx(x1 - x0, abs=0.1)
    assert persons_panel(analysis.persons, None) is None
    assert persons_panel(None, Path(analysis.source)) is None


def test_a_failed_video_pass_falls_back_to_decoding(clip_analysis, tmp_path):
    """The pass failed before the panel's frame: the report is released and decodes the frame itself."""
    analysis = _late_panel(clip_analysis)
    grabber = KeyFrameGrabber(analysis)
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the encoder raises
        write_annotated_video(analysis, Path(analysis.source), tmp_path / "missing" / "a.mp4", key_frames=grabber)
    assert grabber.panel_image(timeout_s=0) is None  # finished on failure, frame never offered
    panel = persons_panel(analysis.persons, Path(analysis.source), grabber)
    _assert_same_panel(panel, persons_panel(analysis.persons, Path(analysis.source)))


@pytest.mark.parametrize("with_video", [True, False], ids=["video-pass", "no-video"])
def test_the_written_report_has_the_panel_decoding_only_without_a_video(clip_analysis, tmp_path, monkeypatch, with_video):
    """``write_outputs``: with the annotated video the panel's frame comes from its pass (decoding
    for the panel fails the test); with ``--no-video`` the panel decodes the clip itself."""
    from runform.pipeline import write_outputs

    analysis = dataclasses.replace(clip_analysis, config=clip_analysis.config.model_copy(update={"write_video": with_video}))
    decodes = []

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        decodes.append(args)
        if with_video:
            raise AssertionError("the panel decoded the clip although the video pass kept its frame")
        return iter_frames(*args, **kwargs)

    monkeypatch.setattr(persons_module, "iter_frames", counted)
    out = write_outputs(analysis, tmp_path / "out")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (out / "annotated.mp4").exists() == with_video
    assert '<svg class="persons-panel"' in html and '<rect class="person chosen"' in html
    assert len(decodes) == (0 if with_video else 1)
