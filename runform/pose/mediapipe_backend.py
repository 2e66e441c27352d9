"""MediaPipe BlazePose backend (``mediapipe==0.10.21``, model bundled in the wheel, offline).

``model_complexity`` 1 (default) or 0 (``--fast``). Outputs all 33 landmarks in pixels with the
landmark ``visibility`` as confidence and BlazePose ``z`` (scaled to pixels like x) as depth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from runform.io.video import iter_frames, probe
from runform.model import BLAZEPOSE_NAMES, Keypoints
from runform.pose.base import PoseBackend, ProgressCallback


class MediaPipePose(PoseBackend):
    """BlazePose through ``mp.solutions.pose`` in video (tracking) mode."""

    name = "mediapipe-blazepose"
    #: Small grayscale frames kept for the quality gate's camera-motion check.
    n_samples = 16

    def __init__(self, model_complexity: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, smooth_landmarks: bool = True) -> None:  # fmt: skip
        self.model_complexity = model_complexity
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
        info = self.info_ = probe(source)
        n_lm = len(BLAZEPOSE_NAMES)
        every = max(1, info.n_frames_estimate // self.n_samples)
        self.samples_: list[tuple[float, np.ndarray]] = []
        chunks: list[np.ndarray] = []
        times: list[float] = []
        with self._model() as model:
            for frame in iter_frames(source):
                result = model.process(frame.rgb)
                h, w = frame.rgb.shape[:2]
                row = np.full((n_lm, 4), np.nan, dtype=np.float32)
                if result.pose_landmarks is not None:
                    row[:] = [(lm.x * w, lm.y * h, lm.z * w, lm.visibility) for lm in result.pose_landmarks.landmark]
                chunks.append(row)
                if frame.index % every == 0:
                    self.samples_.append((frame.time_s, _small_gray(frame.rgb)))
                times.append(frame.time_s)
                if progress is not None:
                    progress(frame.index + 1, max(info.n_frames_estimate, frame.index + 1))
        data = np.stack(chunks) if chunks else np.zeros((0, n_lm, 4), dtype=np.float32)
        return Keypoints(
            xy_px=data[:, :, :2], confidence=data[:, :, 3], time_s=np.asarray(times),
            names=BLAZEPOSE_NAMES, source=f"{self.name}(model_complexity={self.model_complexity})",
            image_size_px=(info.width_px, info.height_px), depth=data[:, :, 2],
        )  # fmt: skip


def _small_gray(rgb: np.ndarray, height_px: int = 240) -> np.ndarray:
    import cv2

    scale = height_px / rgb.shape[0]
    small = cv2.resize(rgb, (max(1, int(rgb.shape[1] * scale)), height_px), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
