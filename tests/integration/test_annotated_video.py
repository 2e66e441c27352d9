"""Issue 15, annotated video: the live thigh angle names its leg, a colour legend, and contact /
toe-off marked at the foot (a ring in the leg's colour for a few frames), drawn by the same
:class:`~runform.report.video.FrameAnnotator` that ``write_annotated_video`` uses, on the shared
clip's real BlazePose keypoints and frames."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from runform.io import iter_frames, probe
from runform.pipeline import write_outputs
from runform.report.overlay import MARKER_RADIUS_PX, RGB, legend_entries, thigh_label
from runform.report.video import MARKER_S, FrameAnnotator, output_size


def test_thigh_label_names_the_leg():
    assert thigh_label("left", 32.4) == "left thigh 32 deg"
    assert thigh_label("right", -5.6) == "right thigh -6 deg"


def test_legend_names_each_leg_near_or_far_and_the_boxes():
    texts = [text for text, _ in legend_entries("left", others=True, runner_box=True)]
    assert texts[:2] == ["left leg (near)", "right leg (far)"]
    assert any("contact" in t and "toe-off" in t for t in texts)
    assert any("other person" in t for t in texts)
    assert not any("other person" in t for t, _ in legend_entries("right"))
    assert dict(legend_entries("right"))["right leg (near)"] == RGB["right"]


#: Frames kept for drawing (the first seconds of the clip: about 100 MB at the video's size).
WINDOW_S = 4.0


@pytest.fixture(scope="module")
def frames(clip):
    """The shared clip's first ``WINDOW_S`` seconds reduced to the annotated video's size, by
    decoded-frame index; the decoded frame size; the video's size; the frame rate."""
    info = probe(clip)
    size = output_size(info.width_px, info.height_px)
    out, frame_size = {}, None
    for f in iter_frames(clip, end_s=WINDOW_S):
        frame_size = frame_size or (f.rgb.shape[1], f.rgb.shape[0])
        out[f.index] = (f.time_s, cv2.resize(f.rgb, size, interpolation=cv2.INTER_LINEAR))
    return out, frame_size, size, info.nominal_fps


@pytest.fixture(scope="module")
def annotator(clip_analysis, frames):
    _, frame_size, size, fps = frames
    return FrameAnnotator(clip_analysis, frame_size, size, fps)


def _ring_pixels(img: np.ndarray, centre: np.ndarray, colour: tuple[int, int, int]) -> int:
    """Pixels of ``colour`` (within 40 per channel) in an annulus around the ring's radius."""
    yy, xx = np.mgrid[: img.shape[0], : img.shape[1]]
    dist = np.hypot(xx - centre[0], yy - centre[1])
    annulus = np.abs(dist - MARKER_RADIUS_PX) <= 3
    close = np.abs(img.astype(int) - np.array(colour)).max(axis=2) <= 40
    return int((annulus & close).sum())


def test_contact_and_toe_off_are_marked_at_the_foot_and_only_around_the_event(annotator, frames):
    by_index, *_ = frames
    times = np.array([t for t, _ in by_index.values()])
    indices = np.array(list(by_index))
    for kind in ("contact", "toe_off"):
        inside = (annotator.times > 1.0) & (annotator.times < WINDOW_S - 0.5)
        k = int(np.flatnonzero((annotator.kinds == kind) & (annotator.sides == annotator.near) & inside)[0])
        side, foot = annotator.sides[k], annotator.feet[k]
        # the event frame and the frames just after it: a ring in the leg's colour around the foot
        at_event = indices[(times >= annotator.times[k] - 0.5 / 30) & (times <= annotator.times[k] + MARKER_S - 0.5 / 30)]
        assert len(at_event) >= 3, "the marker stays visible for a few frames"
        ring = [_ring_pixels(annotator.draw(by_index[i][1], int(i), by_index[i][0]), foot, RGB[side]) for i in at_event]
        assert min(ring) > 0.6 * 2 * np.pi * MARKER_RADIUS_PX, ring
        # the frame farthest from any event among those past every ring's hold: no ring at the foot
        clear = np.array([len(annotator.active_events(t)) == 0 for t in times])
        gaps = np.array([np.min(np.abs(annotator.times - t)) for t in times])
        far = int(indices[np.argmax(np.where(clear, gaps, -1))])
        assert clear.any() and gaps[indices == far][0] > 2 / 30, "a frame at least two frames from any event"
        row = annotator.row(by_index[far][0])
        kp = annotator.kp
        foot_far = np.nanmean([kp.xy_px[row, kp.index(f"{side}_{p}")] for p in ("heel", "foot_index")], axis=0)
        plain = _ring_pixels(annotator.draw(by_index[far][1], far, by_index[far][0]), foot_far, RGB[side])
        assert plain < min(ring) / 3, (plain, ring)


def test_the_legend_is_drawn_in_a_corner_with_both_leg_colours(annotator, frames):
    by_index, *_ = frames
    time_s, raw = by_index[100]
    img = annotator.draw(raw, 100, time_s)
    h, w = raw.shape[:2]
    corner = (slice(0, h // 3), slice(w // 2, w))  # top right (below the label rows in a portrait frame)
    assert np.abs(img[corner].astype(int) - raw[corner].astype(int)).mean() > 10
    for side in ("left", "right"):
        assert (np.abs(img[corner].astype(int) - np.array(RGB[side])).max(axis=2) <= 40).sum() > 20, side


def test_the_written_video_shows_the_ring_and_its_progress_is_reported(clip_analysis, tmp_path, annotator):
    calls: list[tuple[int, int, str]] = []
    out = write_outputs(clip_analysis, tmp_path / "out", progress=lambda done, total, stage: calls.append((done, total, stage)))
    video = [(done, total) for done, total, stage in calls if stage == "video"]
    assert [done for done, _ in video] == list(range(1, 361)) and video[-1] == (360, 360)
    assert [(done, total) for done, total, stage in calls if stage == "report"] == [(0, 1), (1, 1)]
    k = int(np.flatnonzero(annotator.kinds == "contact")[3])
    frame_index = int(np.ceil(annotator.times[k] * 30))
    with av.open(str(out / "annotated.mp4")) as container:
        img = next(f.to_ndarray(format="rgb24") for i, f in enumerate(container.decode(video=0)) if i == frame_index)
    side = annotator.sides[k]
    assert _ring_pixels(img, annotator.feet[k], RGB[side]) > 0.4 * 2 * np.pi * MARKER_RADIUS_PX


def _data_uri_image(uri: str) -> np.ndarray:
    import base64

    return cv2.imdecode(np.frombuffer(base64.b64decode(uri.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)


def test_key_frames_from_the_video_pass_match_a_separate_decoding(clip_analysis, tmp_path):
    """The report's key frames are taken from the annotated video's decoding pass (reduced frames,
    no second decode): the same moments, the same pictures as decoding the clip for them."""
    from runform.report.keyframes import KeyFrameGrabber, key_frames, key_moments
    from runform.report.video import write_annotated_video

    source = Path(clip_analysis.source)
    separate = key_frames(clip_analysis, source)
    grabber = KeyFrameGrabber(clip_analysis)
    write_annotated_video(clip_analysis, source, tmp_path / "a.mp4", key_frames=grabber)
    from_video = grabber.images(timeout_s=0)  # finished by the video pass
    assert len(key_moments(clip_analysis)) == 3
    assert [title for title, _ in from_video] == [title for title, _ in separate] and len(from_video) == 3
    for (_, a), (_, b) in zip(from_video, separate):
        img_a, img_b = _data_uri_image(a), _data_uri_image(b)
        assert img_a.shape[0] == img_b.shape[0] == 480 and abs(img_a.shape[1] - img_b.shape[1]) <= 2
        width = min(img_a.shape[1], img_b.shape[1])
        assert np.abs(img_a[:, :width].astype(int) - img_b[:, :width]).mean() < 8  # same frame, same skeleton


def test_a_failed_video_pass_never_leaves_the_report_waiting(clip_analysis, tmp_path):
    from runform.report.keyframes import KeyFrameGrabber
    from runform.report.video import write_annotated_video

    grabber = KeyFrameGrabber(clip_analysis)
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the encoder raises
        write_annotated_video(clip_analysis, Path(clip_analysis.source), tmp_path / "missing" / "a.mp4", key_frames=grabber)
    assert grabber.images(timeout_s=0) == []  # the pass was finished on failure


def test_the_pass_releases_the_report_after_the_last_key_moment(clip_analysis, tmp_path):
    """The report waits for the video pass only until it is past the last key moment."""
    from runform.report.keyframes import MAX_OFFSET_S, KeyFrameGrabber
    from runform.report.video import write_annotated_video

    grabber, seen = KeyFrameGrabber(clip_analysis), []

    def progress(done: int, total: int) -> None:
        seen.append((done, grabber.finished))

    write_annotated_video(clip_analysis, Path(clip_analysis.source), tmp_path / "a.mp4", progress=progress, key_frames=grabber)
    released = next(done for done, finished in seen if finished)
    assert released < len(seen)  # well before the end of the clip
    assert (released - 1) / 30 <= grabber.last_s + MAX_OFFSET_S + 2 / 30
    with pytest.raises(RuntimeError):
        KeyFrameGrabber(clip_analysis).images(timeout_s=0.01)  # nothing offered, never finished


def test_video_from_the_pose_pass_frames_equals_the_video_from_decoding(clip_analysis, clip, tmp_path, monkeypatch):
    """The frames a pass keeps reduced (as the pose pass does for ``pipeline.run``) give the very
    same annotated video, frame for frame, as decoding the clip again (and the clip is not decoded
    when they are given)."""
    import runform.report.video as video_module
    from runform.config import Config
    from runform.io import ReducedFrames
    from runform.report.video import MAX_LONG_SIDE_PX

    kept = ReducedFrames.for_clip(probe(clip), MAX_LONG_SIDE_PX, int(Config().frame_memory_mib * 2**20))
    assert kept is not None
    assert sum(1 for _ in iter_frames(clip, keep=kept)) == len(kept) == 360 and kept.complete
    decoded: list[object] = []
    monkeypatch.setattr(video_module, "iter_frames", lambda *a, **k: decoded.append(a) or iter_frames(*a, **k))
    write_outputs(clip_analysis, tmp_path / "kept", frames=kept)
    assert decoded == []
    write_outputs(clip_analysis, tmp_path / "decoded")
    assert len(decoded) == 1

    def frames(path: Path) -> list[np.ndarray]:
        with av.open(str(path)) as container:
            return [f.to_ndarray(format="yuv420p") for f in container.decode(video=0)]

    a, b = frames(tmp_path / "kept" / "annotated.mp4"), frames(tmp_path / "decoded" / "annotated.mp4")
    assert len(a) == len(b) == 360
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("slow_motion", [2.0, 2.5])
def test_slow_motion_video_plays_slower_with_every_frame_once(clip_analysis, tmp_path, slow_motion):
    """``--slow-motion`` (1-8, any factor): each frame written once at the clip's rate divided by
    the factor (a frame sent to the encoder twice crashed the muxer: the README's own example)."""
    from runform.report.video import write_annotated_video

    out = tmp_path / "slow.mp4"
    written = write_annotated_video(clip_analysis, Path(clip_analysis.source), out, slow_motion=slow_motion)
    source = probe(Path(clip_analysis.source))
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate)
        n = sum(1 for _ in container.decode(stream))
    assert n == written == source.n_frames_estimate
    assert rate == pytest.approx(source.nominal_fps / slow_motion, rel=1e-3)
    assert n / rate == pytest.approx(slow_motion * source.duration_s, rel=0.01)
