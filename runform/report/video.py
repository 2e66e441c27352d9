"""Annotated video (H.264 via PyAV's libx264, browser-playable): skeleton, live thigh angle arc
and value, contact / toe-off markers, stride counter, optional slow motion (each frame repeated)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from runform.io import iter_frames, probe
from runform.report.overlay import draw_persons, draw_skeleton, label

MARKER_S = 0.1  # how long a contact / toe-off label stays on screen


def write_annotated_video(analysis, source: Path, out_path: Path, slow_motion: int = 1) -> int:  # noqa: ANN001
    """Write ``out_path``; returns the number of frames written (input frames x slow_motion)."""
    kp, events = analysis.keypoints, analysis.events
    direction = analysis.cleaning.direction
    near = "left" if direction < 0 else "right"
    fps = probe(source).nominal_fps
    contacts = events[events["event"] == "contact"].sort_values("time_s")
    written = 0
    with av.open(str(out_path), "w") as container:
        stream = None
        for frame in iter_frames(source):
            img = frame.rgb
            if stream is None:
                stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
                stream.width, stream.height = img.shape[1] - img.shape[1] % 2, img.shape[0] - img.shape[0] % 2
                stream.pix_fmt = "yuv420p"
                stream.options = {"preset": "veryfast", "crf": "23", "movflags": "+faststart"}
            i = int(np.argmin(np.abs(kp.time_s - frame.time_s)))
            img = draw_skeleton(draw_persons(img, analysis.persons, frame.index), kp, i, direction, near)
            strides_done = int((contacts["side"].eq(near) & contacts["time_s"].le(frame.time_s)).sum())
            label(img, f"stride {max(strides_done, 0)}  t={frame.time_s:5.2f}s", 0)
            recent = events[(events["time_s"] <= frame.time_s + 0.5 / fps) & (events["time_s"] > frame.time_s - MARKER_S)]
            for row, (_, ev) in enumerate(recent.iterrows(), start=1):
                colour = (80, 255, 80) if ev["event"] == "contact" else (255, 90, 90)
                label(img, f"{ev['event'].replace('_', '-').upper()} {ev['side']}", row, colour)
            video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img[: stream.height, : stream.width]), format="rgb24")
            for _ in range(slow_motion):
                for packet in stream.encode(video_frame):
                    container.mux(packet)
                written += 1
        if stream is not None:
            for packet in stream.encode():
                container.mux(packet)
    return written
