"""Video input: rotation metadata, real timestamps (variable frame rate), low frame rate, streaming."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import match_events, spurious_events

import runform
from runform.errors import InputError
from runform.io.video import iter_frames, probe


def _write(src: Path, dst: Path, *, rotate_stored: int = 0, display_rotation: int | None = None,
           keep=lambda i: True, max_frames: int | None = None, keep_pts: bool = False, rate: int = 30) -> Path:  # fmt: skip
    """Re-encode ``src``: store frames turned by ``rotate_stored`` quarter turns (counter-clockwise)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = None
        for i, frame in enumerate(inp.decode(video=0)):
            if max_frames is not None and i >= max_frames:
                break
            if not keep(i):
                continue
            img = np.ascontiguousarray(np.rot90(frame.to_ndarray(format="rgb24"), rotate_stored))
            if stream is None:
                stream = out.add_stream("libx264", rate=rate)
                stream.width, stream.height, stream.pix_fmt = img.shape[1], img.shape[0], "yuv420p"
                stream.options = {"crf": "18", "preset": "veryfast"}
                if keep_pts:
                    stream.codec_context.time_base = Fraction(1, 30)
                if display_rotation is not None:
                    stream.set_display_rotation(display_rotation)
            new = av.VideoFrame.from_ndarray(img, format="rgb24")
            if keep_pts:
                new.pts, new.time_base = i, Fraction(1, 30)
            for packet in stream.encode(new):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return dst


@pytest.fixture(scope="module")
def rotated_clip(tmp_path_factory, clip) -> Path:
    """Portrait clip stored landscape (turned 90 deg counter-clockwise) with a display matrix that
    turns it back, as phones write it."""
    return _write(clip, tmp_path_factory.mktemp("rot") / "rotated phone.mp4", rotate_stored=1, display_rotation=-90)


def test_rotation_metadata_is_honoured(rotated_clip, clip):
    info = probe(rotated_clip)
    assert (info.width_px, info.height_px) == (720, 1280)
    assert info.rotation_deg == 90
    upright = next(iter_frames(rotated_clip)).rgb
    original = next(iter_frames(clip)).rgb
    assert upright.shape == original.shape
    assert np.abs(upright.astype(int) - original).mean() < 5


@pytest.mark.parametrize("size_px", [(404, 720), (202, 360), (720, 1280), (403, 719)])
def test_scaled_frames_match_a_full_size_conversion_resized(clip, size_px):
    """The annotated video's frames come scaled from the decoder (planes resized, converted small):
    they look like converting at full size and resizing (bilinear), sizes and colours alike; odd
    sizes take the full conversion."""
    import cv2

    scaled = list(iter_frames(clip, size_px=size_px, max_frames=40))
    full = list(iter_frames(clip, max_frames=40))
    assert len(scaled) == len(full) == 40
    for a, b in zip(scaled[::13], full[::13]):
        assert (a.index, a.time_s) == (b.index, b.time_s)
        assert a.rgb.shape == (size_px[1], size_px[0], 3) and a.rgb.dtype == np.uint8
        expected = cv2.resize(b.rgb, size_px, interpolation=cv2.INTER_LINEAR).astype(int)
        diff = a.rgb.astype(int) - expected
        assert np.abs(diff).mean() < 2.5  # chroma interpolated on the small grid: a grey level or two
        # no colour cast: the same matrix (this clip is tagged BT.709) and range; taking limited range
        # for full, or full for limited, is off by 6-8 levels here
        assert np.abs(diff.mean(axis=(0, 1))).max() < 2.5


@pytest.mark.parametrize("colorspace", [1, 5, 6])  # BT.709 (most HD phone video), BT.470BG, SMPTE 170M
def test_scaled_frames_keep_the_frames_colour_matrix(colorspace):
    """Saturated colours, where BT.709 and BT.601 differ by 10-20 levels: the small conversion uses
    the frame's own colour tags, as the full-size one does."""
    import cv2

    from runform.io.video import scaled_rgb

    h, w = 128, 96
    yuv = np.full((h * 3 // 2, w), 128, np.uint8)
    yuv[:h] = np.linspace(40, 200, w, dtype=np.uint8)[None, :]
    yuv[h : h + h // 4] = 40  # U: little blue
    yuv[h + h // 4 :] = 220  # V: much red
    frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
    frame.colorspace, frame.color_range = colorspace, 1  # limited range
    expected = cv2.resize(frame.to_ndarray(format="rgb24"), (48, 64), interpolation=cv2.INTER_LINEAR).astype(int)
    diff = scaled_rgb(frame, (48, 64)).astype(int) - expected
    assert np.abs(diff.mean(axis=(0, 1))).max() < 1.5 and np.abs(diff).mean() < 2.0



def test_reused_scaler_follows_each_frames_colour_tags():
    """Frames are converted with one reused scaler per thread (a new one per frame cost about 1.5 s
    per clip in a Dask worker); frames with other colour tags in between must still come out exactly
    as their own conversion gives them."""
    import threading

    from runform.io.video import _reformatter, rgb24

    h, w = 64, 48
    yuv = np.full((h * 3 // 2, w), 128, np.uint8)
    yuv[:h] = np.linspace(40, 200, w, dtype=np.uint8)[None, :]
    yuv[h:] = 220
    frames = []
    for colorspace, color_range in ((1, 1), (5, 1), (1, 2), (6, 1), (1, 1)):
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.colorspace, frame.color_range = colorspace, color_range
        frames.append(frame)
    for frame in frames:
        assert np.array_equal(rgb24(frame), frame.to_ndarray(format="rgb24"))
    assert _reformatter() is _reformatter()
    other: list = []
    thread = threading.Thread(target=lambda: other.append(_reformatter()))
    thread.start()
    thread.join()
    assert other[0] is not _reformatter()  # one per thread: decoding threads never share one

def test_scaled_frames_of_a_rotated_file_are_upright(rotated_clip, clip):
    upright = next(iter_frames(rotated_clip, size_px=(404, 720))).rgb
    original = next(iter_frames(clip, size_px=(404, 720))).rgb
    assert upright.shape == original.shape == (720, 404, 3)
    assert np.abs(upright.astype(int) - original).mean() < 5


def test_rotated_phone_file_gives_the_same_events(rotated_clip, clip_analysis, labels):
    rotated = runform.analyze(rotated_clip)
    # the labels v2 targets of the upright clip (issue 11), and nothing beside the labelled events
    for kind, tolerance in (("contact", 1.0), ("toe_off", 1.25)):
        errors = match_events(rotated.events, labels[labels["event"] == kind])["error_frames"]
        assert (errors.abs() <= tolerance).mean() >= 0.9, (kind, errors.round(2).tolist())
        extra = spurious_events(rotated.events, labels[labels["event"] == kind])
        assert extra.empty, extra
    # and the same events as the upright clip over the whole 12 s (beyond the labels), both ways
    assert abs(len(rotated.events) - len(clip_analysis.events)) <= 1
    for _, row in rotated.events.iterrows():
        same = clip_analysis.events[(clip_analysis.events["side"] == row["side"]) & (clip_analysis.events["event"] == row["event"])]
        assert np.min(np.abs(same["frame"].to_numpy() - row["frame"])) <= 1


def test_real_timestamps_survive_dropped_frames(tmp_path, clip, labels):
    """Every 4th frame dropped but presentation times kept: a variable-frame-rate file."""
    vfr = _write(clip, tmp_path / "vfr.mp4", keep=lambda i: i % 4 != 3, max_frames=150, keep_pts=True)
    times = np.array([f.time_s for f in iter_frames(vfr)])
    assert np.allclose(np.diff(times)[:3], [1 / 30, 1 / 30, 2 / 30], atol=1e-3)
    analysis = runform.analyze(vfr)
    matched = match_events(analysis.events, labels)
    assert (matched["error_frames"].abs() <= 1.0).mean() >= 0.9  # in frames of the original 30 fps
    extra = spurious_events(analysis.events, labels)
    assert extra.empty, extra


def test_15_fps_video(tmp_path, clip, labels):
    low = _write(clip, tmp_path / "fps15.mp4", keep=lambda i: i % 2 == 0, rate=15)
    analysis = runform.analyze(low)
    assert analysis.keypoints.sampling_rate_hz == pytest.approx(15, abs=0.1)
    matched = match_events(analysis.events, labels, fps=analysis.keypoints.sampling_rate_hz)
    assert (matched["error_frames"].abs() <= 1.0).mean() >= 0.9
    extra = spurious_events(analysis.events, labels, fps=15.0, tolerance_frames=1.5)  # 3 frames of the 30 fps labels
    assert extra.empty, extra
    assert abs(analysis.overall_cadence_steps_per_min - 168.9) <= 1.0
    # issue 11: the real clip's targets hold on its 15 fps copy too. Without the detector's cubic
    # upsampling of slow clips contacts came +0.35 frame late and contact time was 0.264 s.
    for kind in ("contact", "toe_off"):
        assert abs(matched[matched["event"] == kind]["error_frames"].mean()) <= 0.25, kind
    assert 0.28 <= analysis.strides["contact_time_s"].mean() <= 0.32


def _cut_in_half(clip: Path, dst: Path) -> Path:
    """The shared clip cut in half. Its index (the mp4 ``moov`` box) is at the end of the file (after
    the frame data): the first half holds frame data but no index, so no frame can be located."""
    data = clip.read_bytes()
    assert data.rfind(b"moov") > len(data) // 2 and 0 < data.find(b"mdat") < 64, "the shared clip changed"
    dst.write_bytes(data[: len(data) // 2])
    return dst


def test_truncated_video_without_its_index_is_refused_by_name(tmp_path, clip):
    """Nothing can be decoded without the index: an input error naming the file, before any frame.
    (A cut-off file whose index is at the front keeps its decoded frames: test_truncated_video.py.)"""
    cut = _cut_in_half(clip, tmp_path / "truncated.mp4")
    frames = iter_frames(cut)
    with pytest.raises(InputError) as error:
        next(frames)
    assert error.value.problem.startswith("truncated.mp4 ")
    assert error.value.expected and error.value.found and error.value.fix


def test_truncated_video_without_its_index_is_called_truncated(tmp_path, clip):
    cut = _cut_in_half(clip, tmp_path / "session.mp4")
    with pytest.raises(InputError) as error:
        next(iter_frames(cut))
    assert "truncated" in error.value.problem and "MP4" in error.value.problem
    assert "not a video file" not in error.value.problem
    assert "copy" in error.value.fix


def test_frames_are_streamed_not_accumulated(clip):
    frames = iter_frames(clip)
    first = next(frames)
    second = next(frames)
    assert first.index == 0 and second.index == 1 and second.time_s == pytest.approx(1 / 30)
    frames.close()


@pytest.mark.parametrize("which", ["clip", "rotated_clip"])
def test_frames_kept_during_a_pass_equal_a_reduced_decoding(which, request):
    """``iter_frames(keep=...)`` keeps every frame reduced (4:2:0 planes, colour tags, rotation) so
    that a later pass gets exactly what decoding the clip again at that size gives."""
    from runform.io import ReducedFrames

    path = request.getfixturevalue(which)
    kept = ReducedFrames((202, 360), 2**30)  # upright size; the rotated file stores it turned
    full = [f.rgb.shape for f in iter_frames(path, max_frames=40, keep=kept)]
    assert full[0] == (1280, 720, 3)  # the pass itself still gets full frames
    assert not kept.complete and len(kept) == 40  # stopped early: not every frame
    kept = ReducedFrames((202, 360), 2**30)
    n = sum(1 for _ in iter_frames(path, keep=kept))
    assert kept.complete and len(kept) == n and kept.n_bytes == n * 202 * 360 * 3 // 2
    for got, ref in zip(kept, iter_frames(path, size_px=(202, 360)), strict=True):
        assert (got.index, got.time_s) == (ref.index, ref.time_s)
        assert np.array_equal(got.rgb, ref.rgb)


def test_frames_over_the_budget_are_dropped(clip):
    from runform.io import ReducedFrames

    info = probe(clip)
    assert ReducedFrames.for_clip(info, 720, budget_bytes=100 * 2**20) is None  # 360 x 436 kB do not fit
    kept = ReducedFrames.for_clip(info, 720, budget_bytes=384 * 2**20)
    assert kept is not None and kept.size_px == (404, 720)
    kept.budget_bytes = 50 * 2**20  # the file's frame count was an underestimate
    assert sum(1 for _ in iter_frames(clip, keep=kept)) == 360
    assert kept.overflowed and not kept.complete and len(kept) == 0 and list(kept) == []
    # RGB copies (3 bytes a pixel) of clips that probe() sized as 4:2:0: dropped at the first frame
    kept = ReducedFrames((404, 720), budget_bytes=200 * 2**20, expected_frames=360)
    kept._reduced = lambda frame, size, rgb: (np.zeros((720, 404, 3), np.uint8), None)
    assert sum(1 for _ in iter_frames(clip, max_frames=3, keep=kept)) == 3
    assert kept.overflowed and len(kept) == 0 and kept.n_bytes == 720 * 404 * 3


@pytest.mark.parametrize("pix_fmt", ["yuvj420p", "yuv444p"])  # full range (some cameras), 4:4:4: kept as RGB
def test_frames_of_other_pixel_formats_are_kept_as_rgb(pix_fmt, tmp_path):
    from runform.io import ReducedFrames

    path = tmp_path / f"{pix_fmt}.mp4"
    rng = np.random.default_rng(1)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 96, 64, pix_fmt
        for _ in range(12):
            img = rng.integers(0, 255, (64, 96, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    kept = ReducedFrames((48, 32), 2**30)
    assert sum(1 for _ in iter_frames(path, keep=kept)) == 12 and kept.complete
    assert kept.n_bytes == 12 * 48 * 32 * 3  # RGB, not 4:2:0 planes
    first = next(iter(kept)).rgb
    first[:] = 0  # a reader drawing on a frame must not change the kept copy
    for got, ref in zip(kept, iter_frames(path, size_px=(48, 32)), strict=True):
        assert (got.index, got.time_s) == (ref.index, ref.time_s) and np.array_equal(got.rgb, ref.rgb)


def test_a_failure_while_keeping_frames_drops_the_copies_not_the_pass(clip, monkeypatch):
    """Keeping frames is an optimisation: an error in it must not cut the pass short."""
    from runform.io import ReducedFrames

    kept = ReducedFrames((202, 360), 2**30)
    monkeypatch.setattr(ReducedFrames, "_reduced", lambda self, *a: 1 / 0)
    assert sum(1 for _ in iter_frames(clip, keep=kept)) == 360
    assert not kept.complete and len(kept) == 0


def test_frames_are_kept_only_over_the_whole_clip(clip):
    from runform.io import ReducedFrames
    from runform.pose.mediapipe_backend import MediaPipePose

    with pytest.raises(ValueError, match="whole clip"):
        next(iter_frames(clip, start_s=1.0, keep=ReducedFrames((202, 360), 2**30)))
    info = probe(clip)
    budget = 384 * 2**20
    assert MediaPipePose(keep_frames_max_side_px=720, keep_frames_budget_bytes=budget)._frame_store(info) is not None
    assert MediaPipePose(keep_frames_max_side_px=720, keep_frames_budget_bytes=budget, start_s=1.0)._frame_store(info) is None
    assert MediaPipePose(keep_frames_max_side_px=720, keep_frames_budget_bytes=budget, end_s=5.0)._frame_store(info) is None
    assert MediaPipePose(keep_frames_max_side_px=720, keep_frames_budget_bytes=100 * 2**20)._frame_store(info) is None
    assert MediaPipePose()._frame_store(info) is None


def test_probe_reports_an_undecodable_file_but_not_a_programming_error(clip, monkeypatch):
    import runform.io.video as video

    def broken(frame):  # noqa: ANN001, ANN202
        raise TypeError("a bug, not a bad file")

    monkeypatch.setattr(video, "_clockwise_rotation", broken)
    with pytest.raises(TypeError, match="a bug"):  # was "contains no decodable video frames"
        probe(clip)


def test_a_frame_that_cannot_be_kept_is_a_warning(clip, monkeypatch, caplog):
    """Keeping frames is an optimisation (any failure falls back to a second decode), so the
    fallback is said at warning level, with its reason."""
    import logging

    from runform.io import ReducedFrames

    with av.open(str(clip)) as container:
        frame = next(container.decode(video=0))

    def failing(self, frame, stored_px, rgb):  # noqa: ANN001, ANN202
        raise ValueError("cannot scale")

    kept = ReducedFrames((202, 360), 2**30)
    monkeypatch.setattr(ReducedFrames, "_reduced", failing)
    with caplog.at_level(logging.INFO, logger="runform.io.video"):
        kept.add(0, 0.0, frame, 0)
    assert kept.overflowed and [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "cannot scale" in caplog.text and "decodes the clip again" in caplog.text
