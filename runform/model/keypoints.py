"""The Keypoints data model: what every pose source produces and every later stage reads.

Conventions (stated once, used everywhere):

* Coordinates are **image pixels**, x to the right, **y down**, origin at the top-left corner of the
  (rotation-corrected) frame. Motion-capture sources are projected into such an image first.
* A missing landmark is **NaN** (never 0). ``confidence_`` is in [0, 1] (NaN where unknown).
* ``depth`` is optional: a relative depth per landmark, *smaller = nearer the camera* (BlazePose
  ``z`` scaled to pixels, or camera-space depth for projected motion capture). It is only used to
  tell the near leg from the far leg.
* Landmark names follow MediaPipe BlazePose (``left_hip``, ``right_foot_index`` ...). ``left`` and
  ``right`` are the *runner's anatomical* sides once :mod:`runform.kinematics.sides` has run.

The model never imports a reader or a pose backend (data model apart from I/O); it imports nothing
from runform but :mod:`runform.errors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from runform.errors import KeypointDataError

#: The 33 BlazePose landmark names, in MediaPipe's order.
BLAZEPOSE_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip

#: Per-leg landmarks, in proximal-to-distal order.
LEG_PARTS: tuple[str, ...] = ("hip", "knee", "ankle", "heel", "foot_index")
SIDES: tuple[str, ...] = ("left", "right")
#: Landmarks the running analysis cannot do without.
REQUIRED_NAMES: tuple[str, ...] = tuple(f"{s}_{p}" for s in SIDES for p in LEG_PARTS)


#: Timestamp jitter taken for rounding, not for a variable frame rate: Matroska/WebM store
#: milliseconds, so 30 fps reads 33, 33, 34 ms (a median of 33 ms would say 30.3 fps).
TIMESTAMP_ROUNDING_S = 0.0015


def frame_interval_s(time_s: np.ndarray) -> float:
    """The typical frame interval: the median (robust to a variable frame rate and to gaps), or,
    when intervals scatter around it by rounding only (within :data:`TIMESTAMP_ROUNDING_S` or 5 %),
    their mean (NaN for fewer than two frames)."""
    dt = np.diff(np.asarray(time_s, dtype=float))
    if len(dt) == 0:
        return float("nan")
    median = float(np.median(dt))
    near = np.abs(dt - median) <= max(TIMESTAMP_ROUNDING_S, 0.05 * median)
    if np.all(np.abs(dt[near] - median) <= 1e-9):  # evenly spaced (or nothing near it): the median itself
        return median
    return float(np.mean(dt[near]))


def mean_of_known(stack: np.ndarray) -> np.ndarray:
    """The mean over axis 0 of the finite values; NaN where there is none (``np.nanmean`` without
    its "Mean of empty slice" warning: a landmark missing from every source is normal here)."""
    stack = np.asarray(stack, dtype=float)
    known = np.isfinite(stack)
    count = known.sum(axis=0)
    return np.where(count > 0, np.where(known, stack, 0.0).sum(axis=0) / np.maximum(count, 1), np.nan)



def nanmean_or_nan(values: np.ndarray, axis: int) -> np.ndarray:
    """``np.nanmean(values, axis)`` (the same numbers), NaN for an all-NaN slice without numpy's
    "Mean of empty slice" RuntimeWarning: a landmark or leg missing in a frame is normal here."""
    values = np.asarray(values, dtype=float)
    empty = np.isnan(values).all(axis=axis, keepdims=True)
    mean = np.nanmean(np.where(empty, 0.0, values), axis=axis)
    return np.where(np.squeeze(empty, axis=axis), np.nan, mean)

#: An interval between pictures longer than this many typical ones is a frozen stretch or a gap,
#: not part of the picture rate.
FROZEN_INTERVALS = 3.0


def picture_interval_s(time_s: np.ndarray) -> float:
    """The mean interval between frames that each show a new picture (``time_s``: theirs), leaving
    out frozen stretches and gaps (intervals over :data:`FROZEN_INTERVALS` typical ones): 24 fps
    pictures in a 60 fps file, 2 and 3 frames apart by turns, give 24 fps (a median would say 20 or
    30). NaN for fewer than two frames."""
    dt = np.diff(np.asarray(time_s, dtype=float))
    if len(dt) == 0:
        return float("nan")
    steady = dt[dt <= FROZEN_INTERVALS * float(np.median(dt))]
    return float(np.mean(steady))


#: :attr:`Keypoints.kind`: a pose model's landmarks, or projected motion-capture joint centres.
SOURCE_KINDS = ("video", "motion-capture")


@dataclass(frozen=True)
class Keypoints:
    """Pose landmarks over time: ``xy_px`` (time x keypoint x 2) plus confidence.

    Validated once at construction; use :meth:`replace` to derive a modified copy.
    """

    xy_px: np.ndarray
    confidence: np.ndarray
    time_s: np.ndarray
    names: tuple[str, ...]
    source: str = "unknown"
    image_size_px: tuple[int, int] | None = None  # (width, height)
    depth: np.ndarray | None = None
    log: tuple[str, ...] = field(default_factory=tuple)
    #: Pixels per metre along the runner's line of travel when the source knows it by construction
    #: (projected motion capture: the virtual camera's focal length over its distance); else None.
    px_per_m: float | None = None
    #: Per frame, False where the source holds no picture of its own: frames ``--fast`` skipped, or
    #: frames repeating the previous picture (a clip exported at a higher rate than it was filmed, a
    #: frozen stretch). Their landmarks are NaN and are filled like gaps. None: every frame observed.
    observed: np.ndarray | None = None
    #: Seconds of the run per second of the file's own time: ``--real-fps`` stretched a slow-motion
    #: file's timestamps by this factor (file rate / capture rate); 1: the file's time is the run's.
    time_scale: float = 1.0
    #: What made the landmarks: "video" (a pose model's, from a clip or a keypoint file) or
    #: "motion-capture" (exact joint centres projected by the virtual camera, which sets it); only
    #: the angle uncertainty differs (metrics.uncertainty).
    kind: str = "video"

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise KeypointDataError("Unknown kind of keypoints", expected=" or ".join(SOURCE_KINDS), found=repr(self.kind))
        xy = np.asarray(self.xy_px, dtype=float)
        conf = np.asarray(self.confidence, dtype=float)
        t = np.asarray(self.time_s, dtype=float)
        object.__setattr__(self, "xy_px", xy)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "time_s", t)
        object.__setattr__(self, "names", tuple(self.names))
        if xy.ndim != 3 or xy.shape[2] != 2:
            raise KeypointDataError(
                "Keypoint array has the wrong shape",
                expected="(time, keypoint, 2) x/y pixels",
                found=f"shape {xy.shape}",
                fix="build Keypoints with one x,y pair per landmark per frame",
            )
        n_t, n_k, _ = xy.shape
        if conf.shape != (n_t, n_k):
            raise KeypointDataError(
                "Confidence array does not match the keypoints",
                expected=f"shape {(n_t, n_k)}",
                found=f"shape {conf.shape}",
            )
        if t.shape != (n_t,):
            raise KeypointDataError(
                "Time array does not match the keypoints",
                expected=f"{n_t} timestamps",
                found=f"shape {t.shape}",
            )
        if len(self.names) != n_k or len(set(self.names)) != n_k:
            raise KeypointDataError(
                "Landmark names do not match the keypoints",
                expected=f"{n_k} unique names",
                found=f"{len(self.names)} names ({len(set(self.names))} unique)",
            )
        if n_t and (not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0)):
            bad = np.flatnonzero(~np.isfinite(t))
            i = int(bad[0]) if len(bad) else int(np.flatnonzero(np.diff(t) <= 0)[0]) + 1
            what = "no time" if len(bad) else f"time {t[i]:g} s after {t[i - 1]:g} s in the frame before"
            raise KeypointDataError(
                f"{self.source}: timestamps must be finite and strictly increasing",
                expected="one row per frame, time_s increasing from row to row",
                found=f"frame {i} (data row {i + 1}): {what}",
                fix="sort the rows by time_s and drop duplicate frames",
            )
        if self.depth is not None:
            depth = np.asarray(self.depth, dtype=float)
            if depth.shape != (n_t, n_k):
                raise KeypointDataError(
                    "Depth array does not match the keypoints",
                    expected=f"shape {(n_t, n_k)}",
                    found=f"shape {depth.shape}",
                )
            object.__setattr__(self, "depth", depth)
        if self.observed is not None:
            observed = np.asarray(self.observed, dtype=bool)
            if observed.shape != (n_t,):
                raise KeypointDataError("Observed-frame mask does not match the keypoints", expected=f"{n_t} values",
                                        found=f"shape {observed.shape}")  # fmt: skip
            object.__setattr__(self, "observed", observed)

    # --- basic properties -------------------------------------------------------------
    @property
    def n_frames(self) -> int:
        return int(self.xy_px.shape[0])

    @property
    def sampling_rate_hz(self) -> float:
        """Frame rate from the timestamps (:func:`frame_interval_s`)."""
        return 1.0 / frame_interval_s(self.time_s)

    @property
    def observed_rate_hz(self) -> float:
        """Rate of the frames with a picture of their own (:attr:`observed`): what timing accuracy
        depends on; ``sampling_rate_hz`` when every frame is observed."""
        if self.observed is None or self.observed.all():
            return self.sampling_rate_hz
        return 1.0 / picture_interval_s(self.time_s[self.observed])

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError as exc:
            raise KeypointDataError(
                f"Landmark '{name}' is missing",
                expected="MediaPipe landmark names such as " + ", ".join(REQUIRED_NAMES[:3]),
                found=", ".join(self.names[:8]) + ("..." if len(self.names) > 8 else ""),
            ) from exc

    def has(self, name: str) -> bool:
        return name in self.names

    def xy(self, name: str) -> np.ndarray:
        """(time, 2) pixel coordinates of one landmark."""
        return self.xy_px[:, self.index(name), :]

    def conf(self, name: str) -> np.ndarray:
        return self.confidence[:, self.index(name)]

    def leg_length_px(self, side: str) -> np.ndarray:
        """Thigh + shank length of one leg per frame (hip-knee plus knee-ankle), in pixels."""
        thigh = np.linalg.norm(self.xy(f"{side}_hip") - self.xy(f"{side}_knee"), axis=1)
        shank = np.linalg.norm(self.xy(f"{side}_knee") - self.xy(f"{side}_ankle"), axis=1)
        return thigh + shank

    # --- derivation ---------------------------------------------------------------------
    def replace(self, *, note: str | None = None, **changes: object) -> Keypoints:
        """A validated copy with some fields changed; ``note`` is appended to ``log``."""
        if note is not None:
            changes["log"] = self.log + (note,)
        return replace(self, **changes)  # type: ignore[arg-type]

    def select(self, names: Iterable[str]) -> Keypoints:
        idx = [self.index(n) for n in names]
        depth = None if self.depth is None else self.depth[:, idx]
        return self.replace(
            xy_px=self.xy_px[:, idx], confidence=self.confidence[:, idx],
            names=tuple(self.names[i] for i in idx), depth=depth,
        )  # fmt: skip

    def frames(self, rows: np.ndarray | slice, note: str | None = None) -> Keypoints:
        """The frames ``rows`` (an index array or a slice), every per-frame field alike."""
        depth = None if self.depth is None else self.depth[rows]
        observed = None if self.observed is None else self.observed[rows]
        return self.replace(xy_px=self.xy_px[rows], confidence=self.confidence[rows], time_s=self.time_s[rows],
                            depth=depth, observed=observed, note=note)  # fmt: skip

    @classmethod
    def empty(cls, names: tuple[str, ...] = BLAZEPOSE_NAMES, source: str = "empty") -> Keypoints:
        k = len(names)
        return cls(np.zeros((0, k, 2)), np.zeros((0, k)), np.zeros(0), names, source=source)
