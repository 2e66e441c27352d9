"""Choose the runner among the tracked people: running gait, or the user's ``person`` override.

Evidence per track is cheap and needs no landmarks: the **leg motion energy**, the mean absolute
frame-to-frame grey-level change inside the track's leg region (from the mid-hip down, +-0.6 body
radii wide) on a small grey copy of every frame. A runner's legs make this signal periodic at the
step frequency (2.2-3.7 Hz: 130-220 steps/min) or, when the near leg dominates as in side view, at
the stride frequency (1.2-1.7 Hz); a walker's stride is slower (0.8-1.05 Hz), a standing or frozen
person gives no periodic signal.

``running score = periodicity x activity x presence`` where *periodicity* is the highest normalised
autocorrelation of the leg energy (see :func:`running_periodicity`), *activity* is the
mean energy relative to ``reference_energy`` (capped at 1) and *presence* the fraction of the clip
the track exists. The choice's ``confidence`` is ``1 - second / best`` score (1 when only one
person is seen, about 0 when two people run alike).

A runner crossing the frame several times (overground passes) leaves one track per pass:
:func:`join_passes` joins tracks that follow one another in time without overlapping, have about
the same size and show running leg motion at about the same frequency, into one track, before the
choice.

Overrides (``person``): ``"x,y"`` (pixels, a point on the runner in the first frame where some
tracked box contains it: the containing box with the nearest centre wins), ``"left"`` / ``"right"``
(smallest / largest median box centre x), ``"largest"`` (largest median box).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from runform.config import parse_person
from runform.errors import OptionError

#: Step frequencies counted as running (steps/s): 130-220 steps/min (recreational jog to sprint).
RUNNING_STEP_HZ = (2.2, 3.7)
#: Leg-energy level (mean grey-level change per pixel, 0-255 scale) counted as full activity;
#: tuned on the shared treadmill clip (runner 4-6, static background < 1).
REFERENCE_ENERGY = 4.0
#: Stride frequencies (strides/s) counted as running: 144-204 steps/min. Kept below 1.7 Hz so that
#: a walker's step frequency (1.7-2.1 Hz, 100-125 steps/min) is not taken for a running stride.
RUNNING_STRIDE_HZ = (1.2, 1.7)
#: Passes of one runner: box sides within this factor (the same person at the same distance; a
#: person's box side varies about 10-20 % over a stride).
PASS_MAX_SIZE_RATIO = 1.35
#: Passes of one runner: leg-motion frequencies within this fraction (or of twice it: step vs stride).
PASS_MAX_FREQ_DIFF = 0.2
#: Passes of one runner: the leg-energy periodicity of each is at least this (one pass of the shared
#: runner across a frame three clips wide: 0.18-0.53; noise reaches 0.3 on a 3 s track, so the
#: activity below is what rules out a standing person).
PASS_MIN_PERIODICITY = 0.15
#: Passes of one runner: the mean leg energy of each is at least this fraction of ``REFERENCE_ENERGY``
#: (a standing person's static background: under 0.25).
PASS_MIN_ACTIVITY = 0.5


def leg_region(box: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the legs in a full-body square centred on the mid-hip."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    r = (box[2] - box[0]) / 2
    return cx - 0.6 * r, cy, cx + 0.6 * r, cy + r


class LegMotion:
    """Accumulates per-track leg motion energy frame by frame (online, bounded memory)."""

    def __init__(self, height_px: int = 240) -> None:
        self.height_px = height_px
        self._prev: np.ndarray | None = None
        self.energy_: dict[int, dict[int, float]] = {}

    def add(self, frame: int, gray_small: np.ndarray, scale: float, boxes: dict[int, np.ndarray]) -> None:
        """``gray_small`` is the frame resized by ``scale``; ``boxes`` are frame-pixel boxes by track id."""
        import cv2

        prev, self._prev = self._prev, gray_small
        if prev is None or prev.shape != gray_small.shape:
            return
        diff = cv2.absdiff(gray_small, prev)
        integral = cv2.integral(diff)
        h, w = diff.shape
        for tid, box in boxes.items():
            x0, y0, x1, y1 = (np.asarray(leg_region(box)) * scale).round().astype(int)
            x0, x1 = np.clip([x0, x1], 0, w)
            y0, y1 = np.clip([y0, y1], 0, h)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            total = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
            self.energy_.setdefault(tid, {})[frame] = float(total) / ((x1 - x0) * (y1 - y0))

    def series(self, track_id: int, n_frames: int) -> np.ndarray:
        out = np.full(n_frames, np.nan)
        for f, e in self.energy_.get(track_id, {}).items():
            if f < n_frames:
                out[f] = e
        return out


def running_periodicity(energy: np.ndarray, fps: float, step_hz: tuple[float, float] = RUNNING_STEP_HZ,
                        stride_hz: tuple[float, float] = RUNNING_STRIDE_HZ, min_hz: float = 0.6) -> tuple[float, float]:  # fmt: skip
    """(periodicity, frequency_hz) of the leg energy: its strongest period and whether it is running.

    The strongest normalised autocorrelation peak between ``1 / step_hz[1]`` and ``1 / min_hz``
    seconds gives the signal's period. In side view the near leg dominates, so the period is often
    the stride (two steps): a period in the running step or stride band counts fully, any other
    (walking, jumping, a bystander shifting weight) only a quarter. Too short a signal gives 0.
    """
    finite = np.isfinite(energy)
    if finite.sum() < 2 * fps / stride_hz[0] + 3:
        return 0.0, float("nan")
    idx = np.flatnonzero(finite)
    x = np.interp(np.arange(idx[0], idx[-1] + 1), idx, energy[idx])
    width = min(int(2 * fps), max(len(x) // 2, 1))  # a short track (one overground pass) may be under 2 s
    x = x - np.convolve(x, np.ones(width) / width, mode="same")  # remove drifts slower than 0.5 Hz
    x = x - x.mean()
    denom = float(np.dot(x, x))
    if denom <= 0:
        return 0.0, float("nan")
    lags = np.arange(max(int(np.floor(fps / step_hz[1])), 1), min(int(np.ceil(fps / min_hz)), len(x) // 2) + 1)
    if not len(lags):
        return 0.0, float("nan")
    ac = np.array([float(np.dot(x[:-lag], x[lag:])) / denom * len(x) / (len(x) - lag) for lag in lags])
    peaks = [i for i in range(len(ac)) if (i == 0 or ac[i] >= ac[i - 1]) and (i == len(ac) - 1 or ac[i] >= ac[i + 1])]
    top = max(ac[i] for i in peaks)
    best = next(i for i in peaks if ac[i] >= top - 0.2 * abs(top))  # the shortest strong period, not its multiples
    freq = fps / lags[best]
    running = _running_hz(freq, step_hz, stride_hz)
    return max(float(ac[best]), 0.0) * (1.0 if running else 0.25), float(freq)


def join_passes(track_ids: list[int], boxes: np.ndarray, energy: dict[int, np.ndarray], fps: float,
                max_size_ratio: float = PASS_MAX_SIZE_RATIO, max_freq_diff: float = PASS_MAX_FREQ_DIFF,
                min_periodicity: float = PASS_MIN_PERIODICITY, min_activity: float = PASS_MIN_ACTIVITY,
                ) -> tuple[list[int], np.ndarray, dict[int, np.ndarray]]:  # fmt: skip
    """Join the tracks of one runner's passes (see module docstring); returns ids, boxes and energy.

    In order of their first frame, a track whose legs move at a running rhythm (periodicity at
    least ``min_periodicity`` in a running band, mean energy at least ``min_activity`` x
    ``REFERENCE_ENERGY``) joins the latest-ending earlier such chain that ended before it started, has a box
    side within ``max_size_ratio`` and a leg-motion frequency within ``max_freq_diff`` (or twice /
    half of it) of its own. The joined track keeps the first track's id.
    """
    alive = np.isfinite(boxes[..., 0])
    if len(track_ids) < 2:
        return list(track_ids), boxes, energy
    first = [int(np.flatnonzero(a)[0]) if a.any() else -1 for a in alive]
    with np.errstate(all="ignore"):
        sizes = np.nanmedian(boxes[..., 2] - boxes[..., 0], axis=1)
    nan = np.full(boxes.shape[1], np.nan)
    gait = [running_periodicity(energy.get(t, nan), fps) for t in track_ids]
    with np.errstate(all="ignore"):
        active = [bool(np.nanmean(energy.get(t, nan)) >= min_activity * REFERENCE_ENERGY) for t in track_ids]
    gait = [g if a else (0.0, float("nan")) for g, a in zip(gait, active)]
    chains: list[list[int]] = []
    for k in sorted(range(len(track_ids)), key=lambda k: first[k]):
        fits = [c for c in chains if _same_runner(c[-1], k, alive, sizes, gait, max_size_ratio, max_freq_diff, min_periodicity)]
        if fits:
            max(fits, key=lambda c: np.flatnonzero(alive[c[-1]])[-1]).append(k)
        else:
            chains.append([k])
    chains.sort(key=lambda c: c[0])
    ids = [track_ids[c[0]] for c in chains]
    joined = np.stack([np.fmax.reduce(boxes[c], axis=0) for c in chains]) if chains else boxes[:0]
    merged = {track_ids[c[0]]: np.fmax.reduce([energy.get(track_ids[k], nan) for k in c], axis=0) for c in chains}
    return ids, joined, merged


def _running_hz(freq_hz: float, step_hz: tuple[float, float] = RUNNING_STEP_HZ,
                stride_hz: tuple[float, float] = RUNNING_STRIDE_HZ) -> bool:  # fmt: skip
    """A leg-motion frequency in the running step or stride band."""
    return bool(step_hz[0] <= freq_hz <= step_hz[1] or stride_hz[0] <= freq_hz <= stride_hz[1])


def _same_runner(a: int, b: int, alive: np.ndarray, sizes: np.ndarray, gait: list[tuple[float, float]],
                 max_size_ratio: float, max_freq_diff: float, min_periodicity: float) -> bool:  # fmt: skip
    """Track ``b`` can be a later pass of the runner whose latest pass is track ``a``."""
    if not (alive[a].any() and alive[b].any()):
        return False
    if np.flatnonzero(alive[a])[-1] >= np.flatnonzero(alive[b])[0]:  # b must start after a ended
        return False
    (periodic_a, freq_a), (periodic_b, freq_b) = gait[a], gait[b]
    if min(periodic_a, periodic_b) < min_periodicity or not (_running_hz(freq_a) and _running_hz(freq_b)):
        return False
    if not (sizes[a] > 0 and sizes[b] > 0):
        return False
    if max(sizes[a], sizes[b]) / min(sizes[a], sizes[b]) > max_size_ratio:
        return False
    ratio = freq_b / freq_a
    return any(abs(ratio / alias - 1) <= max_freq_diff for alias in (0.5, 1.0, 2.0))


@dataclass
class RunnerChoice:
    """The chosen track and why."""

    track_id: int | None
    method: str  # "auto", "only-person", "point", "left", "right", "largest", "none"
    confidence: float
    scores: dict[int, float] = field(default_factory=dict)
    details: dict[int, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"track_id": self.track_id, "method": self.method, "confidence": round(self.confidence, 3),
                "scores": {k: round(v, 3) for k, v in self.scores.items()}}  # fmt: skip


def choose_runner(track_ids: list[int], boxes: np.ndarray, energy: dict[int, np.ndarray], fps: float,
                  person: str | tuple[float, float] | None = None,
                  reference_energy: float = REFERENCE_ENERGY) -> RunnerChoice:  # fmt: skip
    """Pick the runner's track. ``boxes`` is (n_tracks, n_frames, 4) as from the tracker."""
    if not track_ids:
        return RunnerChoice(None, "none", 0.0)
    n_frames = boxes.shape[1]
    centres_x = (boxes[..., 0] + boxes[..., 2]) / 2
    sizes = boxes[..., 2] - boxes[..., 0]
    presence = np.isfinite(centres_x).mean(axis=1)
    details, scores = {}, {}
    for k, tid in enumerate(track_ids):
        e = energy.get(tid, np.full(n_frames, np.nan))
        periodic, freq = running_periodicity(e, fps)
        activity = min(1.0, float(np.nanmean(e)) / reference_energy) if np.isfinite(e).any() else 0.0
        scores[tid] = periodic * activity * float(presence[k])
        details[tid] = {"periodicity": periodic, "frequency_hz": freq, "activity": activity, "presence": float(presence[k])}
    parsed = parse_person(person) if isinstance(person, str) or person is None else person
    with np.errstate(all="ignore"):
        if parsed is None:
            order = sorted(track_ids, key=lambda t: -scores[t])
            best = order[0]
            second = scores[order[1]] if len(order) > 1 else 0.0
            conf = 1.0 - second / scores[best] if scores[best] > 0 else 0.0
            method = "only-person" if len(order) == 1 else "auto"
            return RunnerChoice(best, method, float(np.clip(conf, 0, 1)), scores, details)
        substantial = presence >= 0.25 * presence.max()
        if isinstance(parsed, tuple):
            k = _track_at_point(boxes, parsed)
            if k is None:
                raise OptionError(f"No person found at {parsed[0]:g},{parsed[1]:g}",
                                  expected="a point inside a detected person's box in some frame",
                                  found=f"{len(track_ids)} tracked people, none there",
                                  fix="give a point on the runner's body, or use --person left|right|largest")  # fmt: skip
            return RunnerChoice(track_ids[k], "point", 1.0, scores, details)
        if parsed in ("left", "right"):
            med = np.where(substantial, np.nanmedian(centres_x, axis=1), np.nan)
            k = int(np.nanargmin(med) if parsed == "left" else np.nanargmax(med))
        else:
            k = int(np.nanargmax(np.where(substantial, np.nanmedian(sizes, axis=1), np.nan)))
        return RunnerChoice(track_ids[k], parsed, 1.0, scores, details)


def _track_at_point(boxes: np.ndarray, point: tuple[float, float]) -> int | None:
    x, y = point
    inside = (boxes[..., 0] <= x) & (x <= boxes[..., 2]) & (boxes[..., 1] <= y) & (y <= boxes[..., 3])
    frames = np.flatnonzero(inside.any(axis=0))
    if not len(frames):
        return None
    f = frames[0]
    cands = np.flatnonzero(inside[:, f])
    centres = (boxes[cands, f, :2] + boxes[cands, f, 2:]) / 2
    return int(cands[np.argmin(np.linalg.norm(centres - np.array([x, y]), axis=1))])
