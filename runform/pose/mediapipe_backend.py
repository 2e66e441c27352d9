"""MediaPipe BlazePose backend (``mediapipe==0.10.21``, model bundled in the wheel, offline).

``model_complexity`` 1 (default) or 0 (``--fast``). Only the full landmark model is bundled in the
wheel (the lite model of ``model_complexity=0`` would be downloaded, which fails offline), so
``--fast`` runs the full model on every ``FAST_FRAME_STEP``-th frame; the frames between are NaN
rows that the cleaning step interpolates (gaps up to ``max_gap_s``). Outputs all 33 landmarks in pixels with the
landmark ``visibility`` as confidence and BlazePose ``z`` (scaled to pixels like x) as depth.

Several people: while the landmark model runs on the full frame, :class:`~runform.pose.persons.PersonSurvey`
detects and tracks everyone and chooses the runner (or the ``person`` override). If the full-frame
landmarks did not stay on the chosen person, a second pass runs the landmark model on a square crop
around the runner's track in every frame (landmarks mapped back to frame pixels; NaN where the
runner is out of view). ``start_s`` / ``end_s`` limit the analysed window (clip time is kept).

Overground passes: the runner is analysed only while the whole body is in view
(:func:`~runform.pose.persons.whole_body_in_view`); frames outside every pass
(:func:`~runform.pose.persons.find_passes`) get NaN landmarks, so a runner entering or leaving the
frame gives no half-body strides. ``persons_`` (:class:`~runform.model.PersonTracks`) holds every
tracked person, the choice and the passes; ``first_frame_`` is the decoded-frame index of the first
analysed frame.

Frames for the outputs: with ``keep_frames_max_side_px`` the pass keeps every decoded frame of
the whole clip reduced to that long side (:class:`~runform.io.ReducedFrames`, in the decoding
thread, beside the pose model) when they fit in ``keep_frames_budget_bytes``; ``frames_`` then holds them
(else None) and the annotated video is drawn from them instead of decoding the clip again.

Two cores: on a clip of at least ``PARALLEL_MIN_S`` seconds the landmark model runs in two
processes. This process decodes every frame (the person survey and the camera-motion samples need
them all) and runs the landmarks on the first part of the frames (``PARENT_SHARE``, plus half the
frames the worker needs to start, ``WORKER_START_FRAMES``); one spawned worker process runs them on
the rest, starting ``SEAM_OVERLAP_S`` earlier so that BlazePose's tracking has settled on the
runner by the seam (the overlap frames are discarded). The crop pass is split the
same way (half each). ``workers=1`` (``--pose-workers 1``), one free core, or a daemonic process
(a Dask batch worker, which already uses the cores) keep one process. Equivalence with the single
process: ``tests/integration/test_parallel_pose.py``; speed: ``benchmarks/speed.py --long``.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from runform.errors import InputError, OptionError
from runform.io.video import ReducedFrames, VideoInfo, iter_frames, probe
from runform.model import BLAZEPOSE_NAMES, Keypoints, PersonTracks, frames_in_passes, nanmean_or_nan
from runform.pose.base import PoseBackend, ProgressCallback
from runform.pose.repeats import PictureChanges, describe

logger = logging.getLogger(__name__)
#: Fewer different pictures than this is not a video of running (a still picture, or nearly).
MIN_PICTURES = 10

#: ``--fast``: the landmark model runs on every n-th frame (accuracy: docs/ACCURACY.md, "--fast").
FAST_FRAME_STEP = 2
#: Clips (analysed windows) at least this long run the landmark model in two processes.
PARALLEL_MIN_S = 8.0
#: The worker process starts this long before its first kept frame (its tracker settles there).
SEAM_OVERLAP_S = 0.5
#: Share of the frames whose landmarks this process computes on a long clip (it also decodes every
#: frame and runs the person survey, so it takes less than half) ...
PARENT_SHARE = 0.45
#: ... plus half of the frames it can process while the worker starts (Python, MediaPipe and the
#: model: about 2 s, 80 frames of pose here). Measured with benchmarks/speed.py: 12 s clip 5.8 s
#: in two processes against 8.4-9.2 s in one.
WORKER_START_FRAMES = 80
#: Decoding that ends this much before the clip's stated end (or ``end_s``) means a truncated file
#: (an interrupted copy or upload whose index still lists every frame): reported, not hidden.
TRUNCATED_MIN_S = 1.0


def n_pose_processes(window_s: float, free_cores: int) -> int:
    """Landmark processes worth running on an analysed window of ``window_s`` seconds with
    ``free_cores`` cores: 2 from ``PARALLEL_MIN_S`` on two or more cores (a shorter window does not
    repay the second process's start), else 1."""
    return 2 if window_s >= PARALLEL_MIN_S and free_cores >= 2 else 1


class MediaPipePose(PoseBackend):
    """BlazePose through ``mp.solutions.pose`` in video (tracking) mode."""

    name = "mediapipe-blazepose"
    #: Small grayscale frames kept for the quality gate's camera-motion check.
    n_samples = 16

    def __init__(self, model_complexity: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, smooth_landmarks: bool = True, person: str | None = None,
                 detect_persons: bool = True, start_s: float | None = None, end_s: float | None = None,
                 workers: int | None = None, keep_frames_max_side_px: int | None = None,
                 keep_frames_budget_bytes: int = 0) -> None:  # fmt: skip
        self.person = person
        self.keep_frames_max_side_px = keep_frames_max_side_px
        self.keep_frames_budget_bytes = keep_frames_budget_bytes
        self.workers = workers
        self.detect_persons = detect_persons
        self.start_s = start_s
        self.end_s = end_s
        # 0 = --fast: full model (the only one bundled) on every FAST_FRAME_STEP-th frame
        self.frame_step = FAST_FRAME_STEP if model_complexity == 0 else 1
        self.model_complexity = 1 if model_complexity == 0 else model_complexity
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self.smooth_landmarks = smooth_landmarks

    def _model_options(self) -> dict[str, Any]:
        return {"model_complexity": self.model_complexity, "smooth_landmarks": self.smooth_landmarks,
                "min_detection_confidence": self.min_detection_confidence,
                "min_tracking_confidence": self.min_tracking_confidence}  # fmt: skip

    def _model(self):  # noqa: ANN202
        return _pose_model(self._model_options())

    def _window_s(self, info: VideoInfo) -> float:
        """Length of the analysed window (``start_s`` .. ``end_s`` within the clip)."""
        end = info.duration_s if self.end_s is None else min(self.end_s, info.duration_s)
        return end - (self.start_s or 0.0)

    def _n_processes(self, info: VideoInfo) -> int:
        """Landmark processes for this clip: 2 on a long enough window with two free cores, else 1."""
        if self.workers is not None:
            return max(1, min(2, self.workers))
        free_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if multiprocessing.current_process().daemon:
            return 1
        return n_pose_processes(self._window_s(info), free_cores)

    def estimate(self, source: Path, progress: ProgressCallback | None = None) -> Keypoints:
        from runform.config import parse_person
        from runform.pose.persons import PersonSurvey, find_passes, landmarks_on_track, whole_body_in_view

        person = parse_person(self.person)  # a bad --person fails before the long pass
        info = self.info_ = probe(source)
        self._check_window(info)
        every = max(1, info.n_frames_estimate // self.n_samples)
        self.samples_ = []  # (time_s, small grey picture)
        survey = PersonSurvey(info.nominal_fps) if self.detect_persons else None
        self.n_processes_ = self._n_processes(info)
        split = self._split(info, PARENT_SHARE, WORKER_START_FRAMES) if self.n_processes_ > 1 else None
        rows: list[np.ndarray] = []
        times: list[float] = []
        changes = PictureChanges()  # which frames repeat the previous picture
        self.first_frame_ = 0
        keep = self._frame_store(info)
        with _tail_worker(self, source, split, info.nominal_fps, None) as tail, self._model() as model:
            for i, frame in enumerate(iter_frames(source, start_s=self.start_s, end_s=self.end_s, keep=keep)):
                if i == 0:
                    self.first_frame_ = frame.index
                mine = (split is None or i < split) and i % self.frame_step == 0
                result = model.process(frame.rgb) if mine else None
                rows.append(_landmark_row(result, (0, 0), frame.rgb.shape[1], frame.rgb.shape[0]))
                gray = _small_gray(frame.rgb, fast=True)
                changes.add(gray)
                if survey is not None:
                    survey.add(i, frame.rgb, gray)
                if frame.index % every == 0:
                    self.samples_.append((frame.time_s, _small_gray(frame.rgb)))
                times.append(frame.time_s)
                if progress is not None:
                    progress(frame.index + 1, max(info.n_frames_estimate, frame.index + 1))
            data = np.stack(rows) if rows else np.zeros((0, len(BLAZEPOSE_NAMES), 4), dtype=np.float32)
            _stitch(data, split, tail)
        self.decoding_stopped_at_s_ = self._early_end_s(times, info)
        self.frames_ = keep if keep is not None and keep.complete else None
        self.survey_ = survey
        result = survey.finish(person) if survey is not None else None
        self.cropped_ = False
        if result is not None and (len(result.track_ids) > 1 or person is not None):
            hips = nanmean_or_nan(data[:, 23:25, :2], axis=1)
            if not landmarks_on_track(hips, result):
                data = self._crop_pass(source, result.chosen_boxes(), len(rows), info)
                self.cropped_ = True
        observed = self._observed(changes.repeated(), data, np.asarray(times), info)
        passes = find_passes(whole_body_in_view(data[:, :, :2], (info.width_px, info.height_px)), info.nominal_fps)
        if passes:  # analyse only while the whole body is in view
            data[~frames_in_passes(passes, len(data))] = np.nan
        self.persons_ = None if result is None else PersonTracks(
            tuple(result.track_ids), result.boxes_px, result.choice.track_id, result.choice.method,
            float(result.choice.confidence), dict(result.choice.scores), tuple(passes), self.first_frame_)  # fmt: skip
        return Keypoints(
            xy_px=data[:, :, :2], confidence=data[:, :, 3], time_s=np.asarray(times),
            names=BLAZEPOSE_NAMES, source=f"{self.name}(model_complexity={self.model_complexity}"
            + (f", every {self.frame_step} frames" if self.frame_step > 1 and not self.cropped_ else "")
            + (f", {self.n_processes_} processes)" if self.n_processes_ > 1 else ")"),
            image_size_px=(info.width_px, info.height_px), depth=data[:, :, 2], observed=None if observed.all() else observed,
        )  # fmt: skip

    def _observed(self, repeated: np.ndarray, data: np.ndarray, times: np.ndarray, info: VideoInfo) -> np.ndarray:
        """Frames with a picture of their own (the mask) and, in place, ``data`` holding each picture
        once: at its first copy, from the first copy the model ran on (``--fast`` may have run it on
        a later copy only), NaN elsewhere. ``repeated``: frames repeating the previous picture
        (:mod:`runform.pose.repeats`). A clip of fewer than :data:`MIN_PICTURES` pictures is refused."""
        n_frames = len(repeated)
        self.pose_frame_step_ = self.frame_step if not self.cropped_ else 1  # --fast skips frames (not on a crop)
        ran = np.arange(n_frames) % self.pose_frame_step_ == 0
        picture = np.cumsum(~repeated) - 1  # which picture each frame shows (frame 0 starts the first)
        if n_frames and repeated.any() and picture[-1] + 1 < MIN_PICTURES:
            k = int(picture[-1] + 1)
            raise InputError(f"The clip shows only {k} different picture{'s' if k > 1 else ''} in {n_frames} frames",
                             expected="a video of running: the picture changes from frame to frame",
                             found="the same still picture (or nearly) in every frame",
                             fix="check that this is the clip you meant; export it again from the camera's original")  # fmt: skip
        firsts = np.flatnonzero(~repeated)
        shown, first_ran = np.unique(picture[ran], return_index=True)  # pictures the model ran on, and where first
        observed = np.zeros(n_frames, dtype=bool)
        observed[firsts[shown]] = True
        kept = data[np.flatnonzero(ran)[first_ran]]
        data[:] = np.nan
        data[firsts[shown]] = kept
        self.repeated_frames_ = int(repeated.sum())
        self.repeated_text_ = describe(repeated, times, info.nominal_fps) if self.repeated_frames_ else ""
        if self.repeated_frames_:
            logger.warning("%s; they are left out", self.repeated_text_)
        return observed

    def video_record(self) -> dict[str, Any] | None:
        """The probed clip, where decoding stopped, repeated pictures and the pose frame step."""
        info = getattr(self, "info_", None)
        if info is None:  # estimate has not run
            return None
        return {**asdict(info), "decoding_stopped_at_s": self.decoding_stopped_at_s_,
                "repeated_frames": self.repeated_frames_, "repeated_frames_text": self.repeated_text_,
                "pose_frame_step": self.pose_frame_step_}  # fmt: skip

    def _check_window(self, info: VideoInfo) -> None:
        """``start_s`` at or after the clip's end is an option error; ``end_s`` after it analyses to
        the end, with a warning."""
        if info.duration_s <= 0:  # no stated duration: nothing to check against
            return
        if self.start_s is not None and self.start_s >= info.duration_s:
            raise OptionError(f"--start {self.start_s:g} s is not within the clip",
                              expected=f"a start before the clip's end ({info.duration_s:.1f} s)",
                              found=f"--start {self.start_s:g}",
                              fix=f"give --start below {info.duration_s:.1f} (seconds from the clip's start), or leave it out")  # fmt: skip
        if self.end_s is not None and self.end_s > info.duration_s + 1 / info.nominal_fps:
            logger.warning("--end %g s is after the clip's end (%.1f s): analysing to the end of the clip",
                           self.end_s, info.duration_s)  # fmt: skip

    def _early_end_s(self, times: list[float], info: VideoInfo) -> float | None:
        """Clip time of the last decoded frame when decoding stopped well before the clip's stated end
        (or ``end_s``), i.e. the file is truncated; else None. The frames decoded are analysed, and
        the quality gate says so (``video_complete``). Only a video track's own duration is sure
        (a Matroska file's duration may include a longer audio track: the gate then says "may be")."""
        expected_s = info.duration_s if self.end_s is None else min(self.end_s, info.duration_s)
        last_s = times[-1] if times else 0.0
        if info.duration_s <= 0 or expected_s - last_s < TRUNCATED_MIN_S:
            return None
        return round(last_s, 3)

    def _frame_store(self, info: VideoInfo) -> ReducedFrames | None:
        """Where this pass keeps the clip's frames reduced (``keep_frames_max_side_px``) for a later
        pass at that size: only over the whole clip and within ``keep_frames_budget_bytes``."""
        if self.keep_frames_max_side_px is None or self.start_s is not None or self.end_s is not None:
            return None
        return ReducedFrames.for_clip(info, self.keep_frames_max_side_px, self.keep_frames_budget_bytes)

    def _split(self, info: VideoInfo, share: float, start_frames: int = 0) -> int:
        """First frame (index in the analysed window) whose landmarks the worker process computes."""
        n_window = max(1, int(round(self._window_s(info) * info.nominal_fps)))
        return max(1, min(int(0.8 * n_window), int(n_window * share + start_frames / 2)))

    def _crop_pass(self, source: Path, boxes: np.ndarray | None, n_frames: int, info: VideoInfo) -> np.ndarray:
        """Landmarks on a square crop around the chosen track in every frame (NaN where absent)."""
        from runform.pose.persons import crop_windows

        if boxes is None:
            return np.full((n_frames, len(BLAZEPOSE_NAMES), 4), np.nan, dtype=np.float32)
        windows = crop_windows(boxes)
        split = self._split(info, 0.5, WORKER_START_FRAMES) if self.n_processes_ > 1 else None
        with _tail_worker(self, source, split, info.nominal_fps, windows) as tail:
            data = _segment_rows(self._model_options(), iter_frames(source, start_s=self.start_s, end_s=self.end_s),
                                 0, n_frames if split is None else min(split, n_frames), 1, windows)  # fmt: skip
            if len(data) < n_frames:
                data = np.concatenate([data, np.full((n_frames - len(data), *data.shape[1:]), np.nan, np.float32)])
            _stitch(data, split, tail)
        return data


def _segment_rows(options: dict[str, Any], frames: Any, first: int, stop: int | None, frame_step: int,
                  windows: np.ndarray | None) -> np.ndarray:  # fmt: skip
    """Landmark rows of window frames ``first`` .. ``stop`` (exclusive; None = to the end)."""
    from runform.pose.persons import crop

    rows = []
    with _pose_model(options) as model:
        for i, frame in enumerate(frames, start=first):
            if stop is not None and i >= stop:
                break
            row = _landmark_row(None, (0, 0), 1, 1)
            if windows is None:
                if i % frame_step == 0:
                    row = _landmark_row(model.process(frame.rgb), (0, 0), frame.rgb.shape[1], frame.rgb.shape[0])
            elif i < len(windows) and windows[i, 2] > 0:
                x0, y0, side = windows[i]
                row = _landmark_row(model.process(crop(frame.rgb, windows[i])), (x0, y0), side, side)
            rows.append(row)
    return np.stack(rows) if rows else np.zeros((0, len(BLAZEPOSE_NAMES), 4), dtype=np.float32)


def _pose_model(options: dict[str, Any]):  # noqa: ANN202
    import mediapipe as mp

    return mp.solutions.pose.Pose(static_image_mode=False, enable_segmentation=False, **options)


@contextmanager
def _tail_worker(backend: MediaPipePose, source: Path, split: int | None, fps: float,
                 windows: np.ndarray | None) -> Iterator[_Tail | None]:  # fmt: skip
    """A worker process (``python -m runform.pose.segment_worker``) computing the landmarks from
    ``split`` on, starting ``SEAM_OVERLAP_S`` earlier; yields its :class:`_Tail` (None: no worker).
    The process is killed on the way out, so a failure here leaves no worker running."""
    if split is None:
        yield None
        return
    first = max(0, split - int(round(SEAM_OVERLAP_S * fps)))
    with tempfile.TemporaryDirectory(prefix="runform-pose-") as tmp:
        folder = Path(tmp)
        request = {"source": str(source), "options": backend._model_options(), "first": first,
                   "start_s": backend.start_s, "end_s": backend.end_s, "frame_step": backend.frame_step,
                   "windows": None, "out": str(folder / "rows.npy")}  # fmt: skip
        if windows is not None:
            request["windows"] = str(folder / "windows.npy")
            np.save(folder / "windows.npy", windows)
        (folder / "request.json").write_text(json.dumps(request))
        with open(folder / "stderr.txt", "wb") as err:
            proc = subprocess.Popen([sys.executable, "-m", "runform.pose.segment_worker", str(folder / "request.json")],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
            try:
                yield _Tail(first, proc, request, folder / "stderr.txt")
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()


@dataclass(frozen=True)
class _Tail:
    first: int
    proc: subprocess.Popen
    request: dict[str, Any]
    stderr_path: Path

    def rows(self) -> np.ndarray:
        """The worker's rows; if it failed, the same rows computed in this process (with a warning)."""
        if self.proc.wait() == 0:
            return np.load(self.request["out"])
        tail = self.stderr_path.read_text(errors="replace").strip().splitlines()[-3:]
        logger.warning("the second pose process failed (exit %s: %s); its frames run in this process",
                       self.proc.returncode, " / ".join(tail) or "no message")  # fmt: skip
        return segment_rows_from_request(self.request)


def segment_rows_from_request(request: dict[str, Any]) -> np.ndarray:
    """Landmark rows from window frame ``request["first"]`` to the end (see :func:`_tail_worker`)."""
    windows = np.load(request["windows"]) if request["windows"] else None
    frames = iter_frames(request["source"], start_s=request["start_s"], end_s=request["end_s"], skip=request["first"])
    return _segment_rows(request["options"], frames, request["first"], None, request["frame_step"], windows)


def _stitch(data: np.ndarray, split: int | None, tail: _Tail | None) -> None:
    """Put the worker's rows (window frames ``tail.first`` ..) into ``data`` from ``split`` on."""
    if tail is None or split is None or split >= len(data):
        return
    rows = tail.rows()
    n = min(len(data), tail.first + len(rows))
    data[split:n] = rows[split - tail.first:n - tail.first]


def _landmark_row(result, origin_px: tuple[int, int], width_px: int, height_px: int) -> np.ndarray:  # noqa: ANN001
    """One frame's landmarks (33, 4): x, y, z in frame pixels and visibility; NaN when no pose."""
    row = np.full((len(BLAZEPOSE_NAMES), 4), np.nan, dtype=np.float32)
    if result is not None and result.pose_landmarks is not None:
        x0, y0 = origin_px
        row[:] = [(x0 + lm.x * width_px, y0 + lm.y * height_px, lm.z * width_px, lm.visibility)
                  for lm in result.pose_landmarks.landmark]  # fmt: skip
    return row


def _small_gray(rgb: np.ndarray, height_px: int = 240, fast: bool = False) -> np.ndarray:
    """Grey copy ``height_px`` high. ``fast``: bilinear instead of area averaging (10x cheaper, for
    the per-frame leg-motion energy; the camera-motion samples keep area averaging)."""
    import cv2

    scale = height_px / rgb.shape[0]
    method = cv2.INTER_LINEAR if fast else cv2.INTER_AREA
    small = cv2.resize(rgb, (max(1, int(rgb.shape[1] * scale)), height_px), interpolation=method)
    return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
