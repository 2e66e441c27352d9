"""Frames that repeat the previous picture: a clip exported at a higher rate than it was filmed (a
30 fps recording saved at 60 fps shows every picture twice), or a frozen stretch (a title, a paused
intro). Such a frame holds no new moment of the run: its landmarks repeat the previous frame's at a
later time stamp, which turns the feet's motion into steps and, on a frozen stretch, lets the event
detector find a stance in a still picture. The pose pass leaves them out (NaN landmarks, filled like
gaps; ``Keypoints.observed``) and timing accuracy follows the rate of the pictures that remain.

A frame repeats its predecessor when even its most changed pixels barely change: the 99.9th
percentile of the absolute difference of the two frames' small grey copies (240 pixels high) is at
most a few grey levels, or small both against the change across the frame (two frames apart) and
against the clip's typical change. A picture shown 2-3 more times is a run of such frames: the run
repeats the picture before it when every frame of the run stays close to that picture (no motion
accumulates, as it does over a slow stretch of real frames) against the change across the whole
run. Measured on the shared clips (docs/ACCURACY.md, "Repeated pictures"): real frames change by
117-180 grey levels on the treadmill clip and 25 or more on the walking clip's slow start, where
the change across the frame is 41-46; a repeated picture by 0-7 after a CRF 23 re-encode and up to
35 (41 when shown 3 times) after CRF 35 (the encoder re-codes each copy), at most 0.29 (0.40) of
the change across it.
"""

from __future__ import annotations

import numpy as np

from runform.model import picture_interval_s

#: Which of the largest pixel changes is measured: the 99.9th percentile (pixels that change
#: because the runner moves are many more than 0.1 % of the frame, compression noise is not).
CHANGE_QUANTILE = 0.999
#: A frame changing by at most this many grey levels repeats the previous one, whatever the clip
#: (a copy; a still scene's sensor noise and a re-coded copy change by more) ...
EXACT_MAX_LEVELS = 2.0
#: ... as does one changing by at most this many (or :data:`RELATIVE_MAX` of the clip's typical
#: change, if more), provided it also changed little against the change across it ...
ABSOLUTE_MAX_LEVELS = 8.0
#: ... "little against the change across it" meaning at most this share of it (the smaller of frame i+1 against i-1 and
#: frame i against i-2, so that a real frame before a sudden change is not taken for a repeat): a
#: repeated picture is at most 0.29 of it after a CRF 35 re-encode (a run of a picture's 2 more
#: copies 0.40 of the change across the run), a real frame at least 0.61 (the walking clip's slow
#: start) and 0.69 on the shared clip's altered copies ...
LOCAL_MAX = 0.45
#: ... the clip's typical change being its 75th percentile (above the repeated frames even when
#: every picture is shown two or three times).
RELATIVE_MAX = 0.4
TYPICAL_PERCENTILE = 75.0
#: Longest run of copies judged as a run (a picture shown up to this many extra times: 24 fps
#: pictures in a 60 fps file are shown 2 and 3 times); longer runs (frozen stretches) frame by frame.
MAX_RUN = 3


def picture_change(previous: np.ndarray | None, current: np.ndarray) -> float:
    """How much ``current`` (a small grey frame) changed from ``previous``: the 99.9th percentile of
    the absolute grey-level difference (NaN without a previous frame or on a size change)."""
    import cv2

    if previous is None or previous.shape != current.shape:
        return float("nan")
    counts = np.bincount(cv2.absdiff(current, previous).ravel(), minlength=256)
    rank = min(current.size - 1, int(CHANGE_QUANTILE * current.size))  # of the sorted differences, from 0
    return float(np.searchsorted(np.cumsum(counts), rank + 1))


class PictureChanges:
    """Fed every frame's small grey copy in order (:meth:`add`); :meth:`repeated` tells which frames
    repeat the previous picture."""

    def __init__(self) -> None:
        self._last: list[np.ndarray] = []  # the MAX_RUN + 1 previous frames, newest last
        self.back: list[list[float]] = []  # per frame i: its change from frames i-1, i-2, ..., i-MAX_RUN-1

    def add(self, gray: np.ndarray) -> None:
        self.back.append([picture_change(self._last[-k] if len(self._last) >= k else None, gray) for k in range(1, MAX_RUN + 2)])
        self._last = [*self._last[-MAX_RUN:], gray]

    def repeated(self) -> np.ndarray:
        return repeated_frames(np.asarray(self.back, dtype=float).reshape(-1, MAX_RUN + 1))


def repeated_frames(back: np.ndarray) -> np.ndarray:
    """Per frame, True where the frame repeats the previous picture. ``back[i, k - 1]``: the
    :func:`picture_change` of frame i from frame i-k (NaN where there is none), k = 1, 2, ...
    A repeat changes by at most :data:`EXACT_MAX_LEVELS`, or it changes by little in grey levels
    (:data:`ABSOLUTE_MAX_LEVELS`) or for the clip (:data:`RELATIVE_MAX`) and, within
    :data:`LOCAL_MAX`, against the change across it: either the frame alone (frame i+1 against
    i-1, frame i against i-2), or a run of up to ``back.shape[1] - 1`` such frames, each against the
    picture before the run, against the change across the whole run."""
    back = np.asarray(back, dtype=float)
    one_back, n = back[:, 0], len(back)
    known = np.isfinite(one_back)
    if not known.any():
        return np.zeros(n, dtype=bool)
    typical = float(np.percentile(one_back[known], TYPICAL_PERCENTILE))
    small = known & (one_back <= max(ABSOLUTE_MAX_LEVELS, RELATIVE_MAX * typical))
    with np.errstate(invalid="ignore"):
        across = np.fmin(back[:, 1], np.append(back[1:, 1], np.nan)) if back.shape[1] > 1 else np.full(n, np.nan)
        repeated = known & ((one_back <= EXACT_MAX_LEVELS) | (small & (one_back <= LOCAL_MAX * across)))
    for first, last in _runs(small):
        length = last - first + 1
        if 1 < length < back.shape[1]:  # frame first+j against frame first-1, the run across
            drift = max(back[i, i - first] for i in range(first, last + 1))
            run_across = np.fmin(_at(back, last + 1, length), _at(back, last, length))
            repeated[first : last + 1] |= bool(drift <= LOCAL_MAX * run_across)
    return repeated


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True in ``mask``."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return list(zip(np.flatnonzero(edges == 1).tolist(), (np.flatnonzero(edges == -1) - 1).tolist()))


def _at(back: np.ndarray, i: int, k: int) -> float:
    """Frame i's change from frame i-k-1 (NaN outside the clip)."""
    return float(back[i, k]) if 0 <= i < len(back) else float("nan")


def describe(repeated: np.ndarray, time_s: np.ndarray, nominal_fps: float) -> str:
    """What the repeated frames look like, for messages: pictures shown more than once throughout
    (the rate they were filmed at), or frozen stretches (the longest)."""
    n, total = int(repeated.sum()), len(repeated)
    picture = np.cumsum(~repeated)
    copies = np.bincount(picture)[1:]  # frames per picture
    what = f"{n} of {total} frames repeat the previous picture"
    if np.median(copies) >= 2:  # most pictures shown more than once: a higher rate than filmed at
        rate = 1.0 / picture_interval_s(np.asarray(time_s)[~repeated])
        whole = copies[:-1] if len(copies) > 1 else copies  # the last picture's copies may be cut by the clip's end
        low, high = int(whole.min()), int(whole.max())
        shown = f"each picture shown {low} times" if low == high else f"pictures shown {low}-{high} times"
        return f"{what}: the clip looks filmed at about {rate:.3g} fps and saved at {nominal_fps:.3g} fps ({shown})"
    longest = int(copies.max()) - 1
    return f"{what} (frozen stretches or duplicated frames; the longest {longest} frames, {longest / nominal_fps:.1f} s)"
