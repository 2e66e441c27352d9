"""Key frames (contact, max knee lift, toe-off of a representative stride) as JPEG data URIs."""

from __future__ import annotations

import base64
from pathlib import Path

import cv2
import numpy as np

from runform.io import VIDEO_SUFFIXES, iter_frames
from runform.report.overlay import draw_skeleton

MAX_HEIGHT_PX = 480


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


def key_frames(analysis, source: Path) -> list[tuple[str, str]]:  # noqa: ANN001
    """[(title, data URI)] for the key moments; empty for keypoint-file sources."""
    if source.suffix.lower() not in VIDEO_SUFFIXES:
        return []
    moments = key_moments(analysis)
    if not moments:
        return []
    wanted = {title: t for title, t in moments}
    found: dict[str, tuple[float, np.ndarray]] = {}
    last = max(wanted.values())
    near = "left" if analysis.cleaning.direction < 0 else "right"
    for frame in iter_frames(source):
        for title, t in wanted.items():
            closer = title not in found or abs(frame.time_s - t) < abs(found[title][0] - t)
            if closer and abs(frame.time_s - t) < 0.5:
                found[title] = (frame.time_s, frame.rgb)
        if frame.time_s > last + 0.1:
            break
    out = []
    for title, _ in moments:
        if title not in found:
            continue
        t, rgb = found[title]
        i = int(np.argmin(np.abs(analysis.keypoints.time_s - t)))
        img = draw_skeleton(rgb, analysis.keypoints, i, analysis.cleaning.direction, near)
        scale = min(1.0, MAX_HEIGHT_PX / img.shape[0])
        img = cv2.resize(img, (int(img.shape[1] * scale), int(img.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
        if ok:
            out.append((f"{title} (t = {t:.2f} s)", "data:image/jpeg;base64," + base64.b64encode(jpg.tobytes()).decode()))
    return out
