"""Annotated video (H.264 via PyAV's libx264, browser-playable): skeleton, live thigh angle arc
and value, contact / toe-off markers, stride counter, optional slow motion (each frame repeated).

Speed: the video is for viewing (every measurement comes from full-resolution pose), so frames
are reduced to at most ``MAX_LONG_SIDE_PX`` on their long side *before* drawing and encoding; the
per-frame event look-ups are precomputed numpy arrays. For the 720x1280 demo clip this cuts the
video from about 1x to about 0.2x the pose time (``python benchmarks/speed.py``).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from runform.io import iter_frames, probe
from runform.model import Keypoints
from runform.report.overlay import draw_persons, draw_skeleton, label

MARKER_S = 0.1  # how long a contact / toe-off label stays on screen
#: Long side of the annotated video in pixels (720p class); smaller clips keep their size.
MAX_LONG_SIDE_PX = 720
#: libx264 settings: the reduced size is about 4x faster than full size; "ultrafast" encodes the
#: 404x720 demo video in 1.4 ms a frame against 3.6 ms for "veryfast" (files 2.7x larger, about
#: 9 MB a minute): the video costs a fraction of the pose time (see benchmarks/speed.py).
X264_OPTIONS = {"preset": "ultrafast", "crf": "23", "movflags": "+faststart"}
CONTACT_RGB, TOE_OFF_RGB = (80, 255, 80), (255, 90, 90)


def output_size(width_px: int, height_px: int, max_long_side_px: int = MAX_LONG_SIDE_PX) -> tuple[int, int]:
    """(width, height) of the annotated video: at most ``max_long_side_px`` on the long side, even numbers."""
    scale = min(1.0, max_long_side_px / max(width_px, height_px))
    return max(2, int(width_px * scale) // 2 * 2), max(2, int(height_px * scale) // 2 * 2)


def write_annotated_video(analysis, source: Path, out_path: Path, slow_motion: int = 1) -> int:  # noqa: ANN001
    """Write ``out_path``; returns the number of frames written (input frames x slow_motion)."""
    kp, events = analysis.keypoints, analysis.events
    direction = analysis.cleaning.direction
    near = "left" if direction < 0 else "right"
    fps = probe(source).nominal_fps
    times = events["time_s"].to_numpy(dtype=float)
    order = np.argsort(times, kind="stable")
    times, kinds, sides = times[order], events["event"].to_numpy()[order], events["side"].to_numpy()[order]
    near_contacts = np.sort(times[(kinds == "contact") & (sides == near)])
    written = 0
    with av.open(str(out_path), "w") as container:
        stream = None
        small_kp: Keypoints | None = None
        for frame in iter_frames(source):
            img = frame.rgb
            if stream is None:
                width, height = output_size(img.shape[1], img.shape[0])
                stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
                stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
                stream.options = dict(X264_OPTIONS)
                small_kp = _scaled(kp, width / img.shape[1], height / img.shape[0])
            if img.shape[:2] != (stream.height, stream.width):
                img = cv2.resize(img, (stream.width, stream.height), interpolation=cv2.INTER_LINEAR)  # AREA: 10x slower
            i = int(np.argmin(np.abs(kp.time_s - frame.time_s)))
            img = draw_persons(img, analysis.persons, frame.index, box_scale=width / frame.rgb.shape[1])
            img = draw_skeleton(img, small_kp, i, direction, near)
            strides_done = int(np.searchsorted(near_contacts, frame.time_s, side="right"))
            label(img, f"stride {strides_done}  t={frame.time_s:5.2f}s", 0)
            recent = np.flatnonzero((times <= frame.time_s + 0.5 / fps) & (times > frame.time_s - MARKER_S))
            for row, k in enumerate(recent, start=1):
                colour = CONTACT_RGB if kinds[k] == "contact" else TOE_OFF_RGB
                label(img, f"{str(kinds[k]).replace('_', '-').upper()} {sides[k]}", row, colour)
            video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            for _ in range(slow_motion):
                for packet in stream.encode(video_frame):
                    container.mux(packet)
                written += 1
        if stream is not None:
            for packet in stream.encode():
                container.mux(packet)
    return written


def _scaled(kp: Keypoints, sx: float, sy: float) -> Keypoints:
    """Keypoints in the reduced frame's pixels (angles are unchanged when sx == sy)."""
    if sx == 1.0 and sy == 1.0:
        return kp
    return kp.replace(xy_px=kp.xy_px * np.array([sx, sy]))
