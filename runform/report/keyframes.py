"""Key frames (contact, max knee lift, toe-off of a representative stride) as JPEG data URIs.

The frames are collected by a :class:`KeyFrameGrabber` from a pass over the video that is made
anyway: the annotated video offers it every reduced frame it draws (kept by the pose pass, or
decoded), the frame of the report's persons panel among them
(:func:`runform.report.persons.panel_frame`), so the report needs no decode of its own; without a video,
:func:`key_frames` decodes the clip up to the last key moment itself (and the persons panel up to
its frame).
"""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import cv2
import numpy as np

from runform.io import VIDEO_SUFFIXES, iter_frames
from runform.report.overlay import draw_skeleton, scaled_keypoints
from runform.report.persons import panel_frame

MAX_HEIGHT_PX = 480
#: A frame further than this from a key moment is not used for it (seconds of the run).
MAX_OFFSET_S = 0.5


def representative_stride(analysis):  # noqa: ANN001, ANN201
    """The near leg's stride whose knee lift is the median one (None without strides)."""
    near = "left" if analysis.cleaning.direction < 0 else "right"
    strides = analysis.strides[analysis.strides["side"] == near] if len(analysis.strides) else analysis.strides
    if strides.empty:
        return None, near
    order = strides["max_thigh_angle_deg"].rank(method="first")
    return strides.loc[(order - order.median()).abs().idxmin()], near


def key_moments(analysis) -> list[tuple[str, float]]:  # noqa: ANN001
    stride, near = representative_stride(analysis)
    if stride is None:
        return []
    kp, d = analysis.keypoints, analysis.cleaning.direction
    from runform.kinematics.angles import thigh_angle_deg

    t0, t_to = stride["start_time_s"], stride["start_time_s"] + stride["contact_time_s"]
    t1 = stride["start_time_s"] + stride["stride_time_s"]
    swing = (kp.time_s >= t_to) & (kp.time_s <= t1)
    thigh = thigh_angle_deg(kp, near, d)
    t_lift = float(kp.time_s[swing][np.nanargmax(thigh[swing])]) if swing.any() and np.isfinite(thigh[swing]).any() else t_to
    return [("contact", float(t0)), ("toe-off", float(t_to)), ("max knee lift", t_lift)]


class KeyFrameGrabber:
    """Keeps, for each key moment, the offered frame closest to it (within ``MAX_OFFSET_S``), and
    the persons panel's frame.

    A pass over the video calls :meth:`offer` and :meth:`offer_panel` with each frame in order
    while :meth:`wants` says so, and :meth:`finish` after the last key moment and the panel's
    frame, or at its end (also on failure); :meth:`images` and :meth:`panel_image` wait for that
    (it may run in another thread); :meth:`images` draws the skeleton on the kept frames. Frames
    may be reduced: ``scale`` maps the analysis's pixels onto them (from the annotated video: 720 px
    on the long side, so a landscape clip's key frames and persons panel are about 404 px tall
    instead of 480).

    Key moments are in the run's time (``--real-fps`` rescales it by ``analysis.keypoints.time_scale``), the
    panel's frame is a decoded-frame index (:attr:`panel_index`).
    """

    def __init__(self, analysis) -> None:  # noqa: ANN001
        self.analysis = analysis
        self.moments = key_moments(analysis)
        self.last_s = max((t for _, t in self.moments), default=-np.inf)
        self._found: dict[str, tuple[float, np.ndarray, tuple[float, float]]] = {}
        persons = analysis.persons
        has_panel = persons is not None and persons.n_frames > 0
        #: Decoded-frame index of the persons panel's frame (None without person tracks).
        self.panel_index: int | None = persons.first_frame + panel_frame(persons) if has_panel else None
        self._panel: tuple[float, np.ndarray, tuple[float, float]] | None = None
        self._done = threading.Event()
        if not self.moments and self.panel_index is None:
            self._done.set()

    def wants(self, run_time_s: float, frame_index: int | None = None) -> bool:
        """Whether frames at or after ``run_time_s`` (the analysis's time: clip time times
        ``analysis.keypoints.time_scale``) or decoded frame ``frame_index`` (when given: a pass that offers
        the panel's frame) may still be needed."""
        if self._done.is_set():
            return False
        panel_pending = self.panel_index is not None and frame_index is not None and self._panel is None
        return run_time_s <= self.last_s + MAX_OFFSET_S or panel_pending

    def offer(self, rgb: np.ndarray, run_time_s: float, scale: tuple[float, float] = (1.0, 1.0)) -> None:
        """Keep (a copy of) ``rgb`` for every key moment it is the closest frame to so far;
        ``scale``: (x, y) from the analysis's pixels to ``rgb``'s."""
        if self._done.is_set():
            return
        t = run_time_s
        for title, moment in self.moments:
            kept = self._found.get(title)
            if abs(t - moment) < MAX_OFFSET_S and (kept is None or abs(t - moment) < abs(kept[0] - moment)):
                self._found[title] = (t, rgb.copy(), scale)

    def offer_panel(self, rgb: np.ndarray, frame_index: int, clip_time_s: float,
                    scale: tuple[float, float] = (1.0, 1.0)) -> None:  # fmt: skip
        """Keep (a copy of) ``rgb`` when it is the first frame at or after the panel's frame index;
        ``clip_time_s``: its time in the clip (shown in the panel); ``scale`` as for :meth:`offer`."""
        wanted = self.panel_index
        if wanted is not None and frame_index >= wanted and self._panel is None and not self._done.is_set():
            self._panel = (clip_time_s, rgb.copy(), scale)

    def finish(self) -> None:
        self._done.set()

    @property
    def finished(self) -> bool:
        """Whether the pass has finished (the report may read the frames)."""
        return self._done.is_set()

    def panel_image(self, timeout_s: float | None = None) -> tuple[float, np.ndarray, tuple[float, float]] | None:
        """(clip time s, RGB, (x, y) scale) of the persons panel's frame once the pass has finished
        (RuntimeError when it has not within ``timeout_s``); None when the pass did not offer it."""
        if not self._done.wait(timeout_s):
            raise RuntimeError(f"the pass over the video did not finish within {timeout_s} s")
        return self._panel

    def images(self, timeout_s: float | None = None) -> list[tuple[str, str]]:
        """[(title, JPEG data URI)] once the pass has finished (RuntimeError when it has not within
        ``timeout_s``)."""
        if not self._done.wait(timeout_s):
            raise RuntimeError(f"the pass over the video did not finish within {timeout_s} s")
        analysis, out = self.analysis, []
        near = "left" if analysis.cleaning.direction < 0 else "right"
        kp = analysis.keypoints
        for title, _ in self.moments:
            if title not in self._found:
                continue
            t, rgb, scale = self._found[title]
            i = int(np.argmin(np.abs(kp.time_s - t)))
            shown = scaled_keypoints(kp, *scale)
            img = draw_skeleton(rgb, shown, i, analysis.cleaning.direction, near)
            factor = min(1.0, MAX_HEIGHT_PX / img.shape[0])
            img = cv2.resize(img, (int(img.shape[1] * factor), int(img.shape[0] * factor)), interpolation=cv2.INTER_AREA)
            ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
            if ok:
                out.append((f"{title} (t = {t:.2f} s)", "data:image/jpeg;base64," + base64.b64encode(jpg.tobytes()).decode()))
        return out


def key_frames(analysis, source: Path) -> list[tuple[str, str]]:  # noqa: ANN001
    """[(title, data URI)] for the key moments, decoding ``source`` up to the last one; empty for
    keypoint-file sources."""
    if source.suffix.lower() not in VIDEO_SUFFIXES:
        return []
    # the factor the pipeline applied to the keypoints' time (measured rate / --real-fps), not one
    # recomputed from the file's nominal rate (they differ on variable-frame-rate clips)
    grabber, time_scale = KeyFrameGrabber(analysis), analysis.keypoints.time_scale
    try:
        for frame in iter_frames(source):
            if not grabber.wants(frame.time_s * time_scale):
                break
            grabber.offer(frame.rgb, frame.time_s * time_scale)
    finally:
        grabber.finish()
    return grabber.images()
