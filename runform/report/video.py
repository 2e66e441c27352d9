"""Annotated video (H.264 via PyAV's libx264, browser-playable): skeleton with each leg in its
colour, the near leg's live thigh angle naming its leg, a colour legend, contact / toe-off rings at
the foot (held for ``MARKER_S``), stride counter, optional slow motion (each frame repeated).

Speed: the video is for viewing (every measurement comes from full-resolution pose), so frames
are reduced to at most ``MAX_LONG_SIDE_PX`` on their long side *before* drawing and encoding; the
per-frame event look-ups are precomputed numpy arrays (:class:`FrameAnnotator`). For the 720x1280
demo clip this cuts the video from about 1x to about 0.2x the pose time (``python benchmarks/speed.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from runform.io import ReducedFrames, iter_frames, probe, reduced_size_px
from runform.kinematics import angles
from runform.report.keyframes import KeyFrameGrabber
from runform.report.overlay import (
    Legend,
    draw_event_marker,
    draw_persons,
    draw_skeleton,
    label,
    label_width_px,
    scaled_keypoints,
)

#: How long a contact / toe-off ring (and its corner label) stays on screen after the event, in
#: seconds of the run (5 frames at 30 fps): long enough to see at normal speed, short enough that
#: the middle of each stance and swing shows no ring.
MARKER_S = 0.15
#: Long side of the annotated video in pixels (720p class); smaller clips keep their size.
MAX_LONG_SIDE_PX = 720
#: libx264 settings: the reduced size is about 4x faster than full size; "ultrafast" encodes the
#: 404x720 demo frames in about 1.7 ms of CPU a frame against 4.4 ms for "veryfast" (files about
#: 2.8x larger; about 20 MB a minute with the overlay: 4.0 MB for the 12 s demo; docs/SCALING.md):
#: the video costs a fraction of the pose time (see benchmarks/speed.py).
X264_OPTIONS = {"preset": "ultrafast", "crf": "23", "movflags": "+faststart"}
CONTACT_RGB, TOE_OFF_RGB = (80, 255, 80), (255, 90, 90)


def output_size(width_px: int, height_px: int, max_long_side_px: int = MAX_LONG_SIDE_PX) -> tuple[int, int]:
    """(width, height) of the annotated video: at most ``max_long_side_px`` on the long side, even numbers."""
    return reduced_size_px(width_px, height_px, max_long_side_px)


class FrameAnnotator:
    """Draws the annotations of one analysis on its video's frames, reduced to ``out_size_px``.

    ``frame_size_px``: (width, height) of the decoded frames; ``fps``: the file's frame rate.
    Keypoints and events live in the run's time (``--real-fps`` rescales it): a frame at clip time
    ``t`` shows the keypoint row at ``t * time_scale`` when there is one within a frame (frames
    outside ``--start``/``--end`` get no skeleton).
    """

    def __init__(self, analysis, frame_size_px: tuple[int, int], out_size_px: tuple[int, int], fps: float) -> None:  # noqa: ANN001
        kp = analysis.keypoints
        self.persons = analysis.persons
        self.direction = analysis.cleaning.direction
        self.near = "left" if self.direction < 0 else "right"
        self.box_scale, self.y_scale = out_size_px[0] / frame_size_px[0], out_size_px[1] / frame_size_px[1]
        self.kp = scaled_keypoints(kp, self.box_scale, self.y_scale)
        self.thigh_deg = angles.thigh_angle_deg(self.kp, self.near, self.direction)  # once, not per frame
        self.time_scale = kp.time_scale  # what the pipeline applied (--real-fps), not fps / real_fps
        rate = kp.sampling_rate_hz if np.isfinite(kp.sampling_rate_hz) and kp.sampling_rate_hz > 0 else fps
        self.frame_s = 1.0 / rate
        events = analysis.events.sort_values("time_s", kind="stable")
        self.times = events["time_s"].to_numpy(dtype=float)
        self.kinds = events["event"].to_numpy().astype(str)
        self.sides = events["side"].to_numpy().astype(str)
        self.near_contacts = np.sort(self.times[(self.kinds == "contact") & (self.sides == self.near)])
        self.feet = np.array([self._foot(t, kind, side) for t, kind, side in zip(self.times, self.kinds, self.sides)])
        tracks = len(self.persons.track_ids) if self.persons is not None else 0
        keep_left = label_width_px("CONTACT right  t=00.00s", out_size_px[1]) // max(1, round(out_size_px[1] / 720))
        self.legend = Legend((out_size_px[1], out_size_px[0]), self.near, tracks > 1, tracks > 0, keep_left)

    def _foot(self, time_s: float, kind: str, side: str) -> np.ndarray:
        """Where the event's foot was on the event frame (reduced-frame pixels): the toe at toe-off,
        the middle of heel and toe at contact (the ankle when those are missing)."""
        if self.kp.n_frames == 0:
            return np.full(2, np.nan)
        i = int(np.argmin(np.abs(self.kp.time_s - time_s)))
        parts = ("foot_index",) if kind == "toe_off" else ("heel", "foot_index")
        xy = [self.kp.xy_px[i, self.kp.index(f"{side}_{p}")] for p in parts if self.kp.has(f"{side}_{p}")]
        foot = np.mean(xy, axis=0) if xy else np.full(2, np.nan)
        if not np.isfinite(foot).all() and self.kp.has(f"{side}_ankle"):
            foot = self.kp.xy_px[i, self.kp.index(f"{side}_ankle")]
        return np.asarray(foot, dtype=float)

    def row(self, clip_time_s: float) -> int | None:
        """The keypoint row shown on the frame at ``clip_time_s``, or None outside the analysed window."""
        if self.kp.n_frames == 0:
            return None
        t = clip_time_s * self.time_scale
        i = int(np.argmin(np.abs(self.kp.time_s - t)))
        return i if abs(self.kp.time_s[i] - t) <= self.frame_s else None

    def active_events(self, clip_time_s: float) -> np.ndarray:
        """Indices (into the sorted events) of the events whose ring shows on this frame."""
        t = clip_time_s * self.time_scale
        return np.flatnonzero((self.times <= t + 0.5 * self.frame_s) & (self.times > t - MARKER_S))

    def draw(self, rgb: np.ndarray, frame_index: int, clip_time_s: float, inplace: bool = False) -> np.ndarray:
        """The annotated frame (``rgb`` already reduced to the output size): drawn on a copy, or on
        ``rgb`` itself when ``inplace`` (no full-frame copy at all: each costs ~0.5 ms at 720p)."""
        img = rgb if inplace else rgb.copy()
        draw_persons(img, self.persons, frame_index, box_scale=self.box_scale, inplace=True)
        i = self.row(clip_time_s)
        if i is not None:
            draw_skeleton(img, self.kp, i, self.direction, self.near, self.thigh_deg, inplace=True)
        self.legend.draw(img, inplace=True)
        t = clip_time_s * self.time_scale
        label(img, f"stride {int(np.searchsorted(self.near_contacts, t, side='right'))}  t={clip_time_s:5.2f}s", 0)
        for row, k in enumerate(self.active_events(clip_time_s), start=1):
            draw_event_marker(img, self.feet[k], self.sides[k], self.kinds[k])
            colour = CONTACT_RGB if self.kinds[k] == "contact" else TOE_OFF_RGB
            label(img, f"{self.kinds[k].replace('_', '-').upper()} {self.sides[k]}", row, colour)
        return img


def write_annotated_video(analysis, source: Path, out_path: Path, slow_motion: float = 1.0,  # noqa: ANN001
                          progress: Callable[[int, int], None] | None = None,
                          key_frames: KeyFrameGrabber | None = None, frames: ReducedFrames | None = None,
                          stop: threading.Event | None = None) -> int:  # fmt: skip
    """Write ``out_path``; returns the number of frames written (one per input frame). ``slow_motion``:
    the video plays this many times slower than real time (its frame rate divided by it).

    ``stop``: checked before each frame; once it is set (the caller failed or was interrupted),
    the writer stops, removes the unfinished ``out_path`` (nothing is left half-written) and
    returns the frames it had encoded, fewer than the clip's.

    ``progress(done, total)`` is called after each input frame (``total``: the clip's frame count,
    an estimate). ``key_frames`` is offered every reduced frame before it is annotated, for the key
    frames and the persons panel (the report takes them from this pass instead of a second
    decode); it is finished when the video is, also on failure. ``frames``: the clip's frames kept
    at the output size by the pose pass (:class:`~runform.io.ReducedFrames`), used instead of
    decoding the clip again when complete."""
    try:
        written = _write(analysis, source, out_path, slow_motion, progress, key_frames, frames, stop)
        if stop is not None and stop.is_set():
            out_path.unlink(missing_ok=True)
        return written
    except BaseException:
        out_path.unlink(missing_ok=True)
        raise
    finally:
        if key_frames is not None:
            key_frames.finish()


def _write(analysis, source: Path, out_path: Path, slow_motion: float, progress: Callable[[int, int], None] | None,  # noqa: ANN001
           key_frames: KeyFrameGrabber | None, frames: ReducedFrames | None, stop: threading.Event | None) -> int:  # fmt: skip
    info = probe(source)
    fps = info.nominal_fps
    width, height = output_size(info.width_px, info.height_px)
    annotator = FrameAnnotator(analysis, (info.width_px, info.height_px), (width, height), fps)
    scale = (annotator.box_scale, annotator.y_scale)
    written = 0
    if frames is not None and frames.complete and frames.size_px == (width, height):
        reduced = iter(frames)
    else:  # frames come scaled to the output size from the decoder (no full-size RGB copy)
        reduced = iter_frames(source, size_px=(width, height))
    with av.open(str(out_path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps / slow_motion).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = dict(X264_OPTIONS)
        for done, frame in enumerate(reduced, start=1):
            if stop is not None and stop.is_set():
                break
            img = frame.rgb
            if key_frames is not None:
                run_time_s = frame.time_s * annotator.time_scale
                if key_frames.wants(run_time_s, frame.index):
                    key_frames.offer(img, run_time_s, scale)
                    key_frames.offer_panel(img, frame.index, frame.time_s, scale)
                else:
                    key_frames.finish()  # past the key moments and the panel: the report need not wait for the rest
            img = annotator.draw(img, frame.index, frame.time_s, inplace=True)  # img: our own (scaled) frame
            # RGB to 4:2:0 by OpenCV (BT.601 like ffmpeg's default, 40 % less CPU than letting the encoder convert)
            yuv = cv2.cvtColor(img, cv2.COLOR_RGB2YUV_I420)
            video_frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
            for packet in stream.encode(video_frame):
                container.mux(packet)
            written += 1
            if progress is not None:
                progress(done, max(info.n_frames_estimate, done))
        for packet in stream.encode():
            container.mux(packet)
    return written
