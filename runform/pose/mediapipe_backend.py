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
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from runform.io.video import iter_frames, probe
from runform.model import BLAZEPOSE_NAMES, Keypoints, PersonTracks
from runform.pose.base import PoseBackend, ProgressCallback

#: ``--fast``: the landmark model runs on every n-th frame (accuracy: docs/ACCURACY.md, "--fast").
FAST_FRAME_STEP = 2


class MediaPipePose(PoseBackend):
    """BlazePose through ``mp.solutions.pose`` in video (tracking) mode."""

    name = "mediapipe-blazepose"
    #: Small grayscale frames kept for the quality gate's camera-motion check.
    n_samples = 16

    def __init__(self, model_complexity: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, smooth_landmarks: bool = True, person: str | None = None,
                 detect_persons: bool = True, start_s: float | None = None, end_s: float | None = None) -> None:  # fmt: skip
        self.person = person
        self.detect_persons = detect_persons
        self.start_s = start_s
        self.end_s = end_s
        # 0 = --fast: full model (the only one bundled) on every FAST_FRAME_STEP-th frame
        self.frame_step = FAST_FRAME_STEP if model_complexity == 0 else 1
        self.model_complexity = 1 if model_complexity == 0 else model_complexity
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self.smooth_landmarks = smooth_landmarks

    def _model(self):  # noqa: ANN202
        import mediapipe as mp

        return mp.solutions.pose.Pose(
            static_image_mode=False, model_complexity=self.model_complexity,
            smooth_landmarks=self.smooth_landmarks, enable_segmentation=False,
            min_detection_confidence=self.min_detection_confidence,
            min_tracking_confidence=self.min_tracking_confidence,
        )  # fmt: skip

    def estimate(self, source: Path, progress: ProgressCallback | None = None) -> Keypoints:
        from runform.pose.persons import PersonSurvey, find_passes, landmarks_on_track, whole_body_in_view
        from runform.pose.selection import parse_person

        person = parse_person(self.person)  # a bad --person fails before the long pass
        info = self.info_ = probe(source)
        every = max(1, info.n_frames_estimate // self.n_samples)
        self.samples_: list[tuple[float, np.ndarray]] = []
        survey = PersonSurvey(info.nominal_fps) if self.detect_persons else None
        rows: list[np.ndarray] = []
        times: list[float] = []
        self.first_frame_ = 0
        with self._model() as model:
            for i, frame in enumerate(iter_frames(source, start_s=self.start_s, end_s=self.end_s)):
                if i == 0:
                    self.first_frame_ = frame.index
                result = model.process(frame.rgb) if i % self.frame_step == 0 else None
                rows.append(_landmark_row(result, (0, 0), frame.rgb.shape[1], frame.rgb.shape[0]))
                if survey is not None:
                    survey.add(i, frame.rgb, _small_gray(frame.rgb, fast=True))
                if frame.index % every == 0:
                    self.samples_.append((frame.time_s, _small_gray(frame.rgb)))
                times.append(frame.time_s)
                if progress is not None:
                    progress(frame.index + 1, max(info.n_frames_estimate, frame.index + 1))
        data = np.stack(rows) if rows else np.zeros((0, len(BLAZEPOSE_NAMES), 4), dtype=np.float32)
        self.survey_ = survey
        result = survey.finish(person) if survey is not None else None
        self.cropped_ = False
        if result is not None and (len(result.track_ids) > 1 or person is not None):
            hips = np.nanmean(data[:, 23:25, :2], axis=1)
            if not landmarks_on_track(hips, result):
                data = self._crop_pass(source, result.chosen_boxes(), len(rows))
                self.cropped_ = True
        passes = find_passes(whole_body_in_view(data[:, :, :2], (info.width_px, info.height_px)), info.nominal_fps)
        if passes:  # analyse only while the whole body is in view
            outside = np.ones(len(data), dtype=bool)
            for a, b in passes:
                outside[a:b + 1] = False
            data[outside] = np.nan
        self.persons_ = None if result is None else PersonTracks(
            tuple(result.track_ids), result.boxes_px, result.choice.track_id, result.choice.method,
            float(result.choice.confidence), dict(result.choice.scores), tuple(passes), self.first_frame_)  # fmt: skip
        return Keypoints(
            xy_px=data[:, :, :2], confidence=data[:, :, 3], time_s=np.asarray(times),
            names=BLAZEPOSE_NAMES, source=f"{self.name}(model_complexity={self.model_complexity}"
            + (f", every {self.frame_step} frames)" if self.frame_step > 1 else ")"),
            image_size_px=(info.width_px, info.height_px), depth=data[:, :, 2],
        )  # fmt: skip

    def _crop_pass(self, source: Path, boxes: np.ndarray | None, n_frames: int) -> np.ndarray:
        """Landmarks on a square crop around the chosen track in every frame (NaN where absent)."""
        from runform.pose.persons import crop, crop_windows

        data = np.full((n_frames, len(BLAZEPOSE_NAMES), 4), np.nan, dtype=np.float32)
        if boxes is None:
            return data
        windows = crop_windows(boxes)
        with self._model() as model:
            for i, frame in enumerate(iter_frames(source, start_s=self.start_s, end_s=self.end_s)):
                if i >= n_frames:
                    break
                if windows[i, 2] <= 0:
                    continue
                x0, y0, side = windows[i]
                data[i] = _landmark_row(model.process(crop(frame.rgb, windows[i])), (x0, y0), side, side)
        return data


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
