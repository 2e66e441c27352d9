"""Everyone the person detector tracked in a video, the runner choice and the runner's passes.

Built by the video pose backend (:mod:`runform.pose.persons`), read by the quality gate
(``person_choice`` check), the annotated video and the refused-clip diagnostic. Boxes are frame
pixels (x right, y down), ``x0, y0, x1, y1`` of each person's full-body square, one row per
**analysed** frame (frame 0 = the first frame of the ``--start``/``--end`` window, which is decoded
frame ``first_frame`` of the clip); NaN where the person is not tracked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from runform.errors import AnalysisError

#: How the runner was chosen: running gait ("auto"), the only person, the user's ``--person``, nobody.
CHOICE_METHODS: tuple[str, ...] = ("auto", "only-person", "point", "left", "right", "largest", "none")


def frames_in_passes(passes: tuple[tuple[int, int], ...] | list[tuple[int, int]], n_frames: int) -> np.ndarray:
    """Per frame, True inside one of the ``passes`` ((first, last) frame, inclusive)."""
    inside = np.zeros(n_frames, dtype=bool)
    for first, last in passes:
        inside[first : last + 1] = True
    return inside


@dataclass(frozen=True)
class PersonTracks:
    """Tracked people and the runner choice of one video.

    ``confidence`` is in [0, 1] (``1 - second best / best`` running score for ``auto``; 1 for an
    override or a lone person). ``passes`` are the (first, last) analysed-frame indices, inclusive,
    of each stretch in which the runner's whole body was in view (one for a treadmill clip).
    ``time_s`` holds the analysed frames' times in the run's clock (``--real-fps`` applied), set by
    the pipeline (:meth:`timed`); the passes' times are read from it, never from the cleaned
    keypoints, whose time axis may be resampled.
    """

    track_ids: tuple[int, ...]
    boxes_px: np.ndarray  # (n_tracks, n_frames, 4)
    chosen_track_id: int | None
    method: str
    confidence: float
    scores: dict[int, float] = field(default_factory=dict)
    passes: tuple[tuple[int, int], ...] = ()
    first_frame: int = 0
    time_s: np.ndarray | None = None

    def __post_init__(self) -> None:
        boxes = np.asarray(self.boxes_px, dtype=float)
        if boxes.ndim != 3 or boxes.shape[2] != 4 or boxes.shape[0] != len(self.track_ids):
            raise AnalysisError("Person boxes have the wrong shape", expected=f"({len(self.track_ids)}, n_frames, 4)",
                                found=str(boxes.shape))  # fmt: skip
        if self.method not in CHOICE_METHODS:
            raise AnalysisError("Unknown runner-choice method", expected=", ".join(CHOICE_METHODS), found=self.method)
        if self.chosen_track_id is not None and self.chosen_track_id not in self.track_ids:
            raise AnalysisError("The chosen person is not a tracked person", found=str(self.chosen_track_id))
        if not 0.0 <= self.confidence <= 1.0:
            raise AnalysisError("Runner-choice confidence out of range", expected="0-1", found=f"{self.confidence}")
        object.__setattr__(self, "track_ids", tuple(int(t) for t in self.track_ids))
        object.__setattr__(self, "boxes_px", boxes)
        object.__setattr__(self, "passes", tuple((int(a), int(b)) for a, b in self.passes))

    @property
    def n_frames(self) -> int:
        return int(self.boxes_px.shape[1])

    @property
    def n_persons(self) -> int:
        return len(self.track_ids)

    def chosen_boxes(self) -> np.ndarray | None:
        """The runner's boxes (n_frames, 4), or None when nobody was chosen."""
        if self.chosen_track_id is None:
            return None
        return self.boxes_px[self.track_ids.index(self.chosen_track_id)]

    def timed(self, time_s: np.ndarray) -> PersonTracks:
        """A copy that knows the analysed frames' times (one per frame of the boxes)."""
        time_s = np.asarray(time_s, dtype=float)
        if len(time_s) != self.n_frames:
            raise AnalysisError("Person tracks and frame times differ in length", expected=f"{self.n_frames} frame times",
                                found=f"{len(time_s)}")  # fmt: skip
        return replace(self, time_s=time_s)

    def pass_times_s(self, time_s: np.ndarray | None = None) -> list[tuple[float | None, float | None]]:
        """(start, end) time of each pass in ``time_s`` (the analysed frames' times; default: the
        tracks' own, :meth:`timed`); None where a pass has no time."""
        time_s = self.time_s if time_s is None else time_s
        if time_s is None:
            return [(None, None) for _ in self.passes]

        def at(i: int) -> float | None:
            return float(time_s[i]) if 0 <= i < len(time_s) else None

        return [(at(a), at(b)) for a, b in self.passes]

    def strides_per_pass(self, time_s: np.ndarray | None, stride_start_times_s: np.ndarray) -> list[int]:
        """Strides starting in each pass (``time_s``: the analysed frames' times; None: the tracks' own)."""
        starts = np.asarray(stride_start_times_s, dtype=float)
        return [0 if t0 is None or t1 is None else int(((starts >= t0 - 1e-6) & (starts <= t1 + 1e-6)).sum())
                for t0, t1 in self.pass_times_s(time_s)]  # fmt: skip

    def as_dict(self, stride_start_times_s: np.ndarray) -> dict:
        """JSON-ready summary (no boxes): ``analysis.json``'s ``persons``, each pass with its clip
        frames (decoded-frame indices), seconds (the run's clock, :meth:`timed`) and the strides
        that start in it."""
        counts = self.strides_per_pass(None, stride_start_times_s)
        passes = [{"first_frame": a + self.first_frame, "last_frame": b + self.first_frame, "start_s": t0, "end_s": t1,
                   "strides": n} for (a, b), (t0, t1), n in zip(self.passes, self.pass_times_s(), counts)]  # fmt: skip
        return {"n_tracked": self.n_persons, "chosen_track_id": self.chosen_track_id, "method": self.method,
                "confidence": float(self.confidence), "scores": {str(k): float(v) for k, v in self.scores.items()},
                "passes": passes}  # fmt: skip
