"""Multi-person clips built from the shared treadmill clip (PyAV, H.264): the runner beside another person.

``make_pair_clip(src, dst, runner_side=..., other=...)`` puts the clip, scaled by ``runner_scale``, on one
side of a canvas and a second copy of the same scene on the other, scaled by ``other_scale``:

* ``"frozen"``: the first frame held still (a larger person standing by);
* ``"slow"``: the clip at half speed with blended in-between frames (leg motion at a walking rhythm);
* ``"shifted"``: the clip running ``shift_frames`` ahead (a second runner on the next treadmill).

The runner's frames are the labelled clip frame for frame, so the labels v2 apply unchanged. Both
copies are bottom-aligned on a black canvas; returns the runner's x range in the composite (pixels).
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np


def _frames(src: Path, max_frames: int | None) -> list[np.ndarray]:
    with av.open(str(src)) as inp:
        out = []
        for i, frame in enumerate(inp.decode(inp.streams.video[0])):
            if max_frames is not None and i >= max_frames:
                break
            out.append(frame.to_ndarray(format="rgb24"))
    return out


def _scaled(img: np.ndarray, scale: float) -> np.ndarray:
    h, w = img.shape[:2]
    return cv2.resize(img, (int(round(w * scale / 2)) * 2, int(round(h * scale / 2)) * 2), interpolation=cv2.INTER_AREA)


def make_pair_clip(src: Path, dst: Path, *, runner_side: str = "right", other: str = "slow", runner_scale: float = 0.6,
                   other_scale: float = 0.85, shift_frames: int = 7, max_frames: int | None = None) -> tuple[int, int]:  # fmt: skip
    frames = _frames(src, max_frames)
    n = len(frames)

    def other_frame(i: int) -> np.ndarray:
        if other == "frozen":
            return frames[0]
        if other == "shifted":
            return frames[(i + shift_frames) % n]
        a, frac = divmod(i, 2)  # half speed, blended
        a = a % n
        b = min(a + 1, n - 1)
        return frames[a] if not frac else ((frames[a].astype(np.uint16) + frames[b]) // 2).astype(np.uint8)

    r0, o0 = _scaled(frames[0], runner_scale), _scaled(frames[0], other_scale)
    height = max(r0.shape[0], o0.shape[0])
    width = r0.shape[1] + o0.shape[1]
    runner_x = o0.shape[1] if runner_side == "right" else 0
    other_x = 0 if runner_side == "right" else r0.shape[1]
    with av.open(str(dst), "w") as outp:
        stream = outp.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "20", "preset": "ultrafast"}
        for i in range(n):
            canvas = np.zeros((height, width, 3), dtype=np.uint8)
            r, o = _scaled(frames[i], runner_scale), _scaled(other_frame(i), other_scale)
            canvas[height - r.shape[0]:, runner_x:runner_x + r.shape[1]] = r
            canvas[height - o.shape[0]:, other_x:other_x + o.shape[1]] = o
            for packet in stream.encode(av.VideoFrame.from_ndarray(canvas, format="rgb24")):
                outp.mux(packet)
        for packet in stream.encode():
            outp.mux(packet)
    return runner_x, runner_x + r0.shape[1]
