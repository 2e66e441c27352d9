"""Pose backends: every source of keypoints sits behind :class:`PoseBackend`."""

from __future__ import annotations

from pathlib import Path

from runform.errors import InputError
from runform.io import VIDEO_SUFFIXES, check_input_file, keypoint_suffixes
from runform.pose.base import PoseBackend, ProgressCallback
from runform.pose.keypoint_file import KeypointFile, load_keypoints
from runform.pose.mediapipe_backend import n_pose_processes
from runform.pose.noise import PoseNoise
from runform.pose.virtual_camera import VirtualCamera

__all__ = ["KeypointFile", "PoseBackend", "PoseNoise", "ProgressCallback", "VirtualCamera", "backend_for", "load_keypoints",
           "n_pose_processes"]


def backend_for(source: Path, model_complexity: int = 1, **video_options: object) -> PoseBackend:
    """Pick the backend from the file suffix: video -> BlazePose, keypoint files -> loader.

    ``video_options`` (``person``, ``start_s``, ``end_s``) go to the video backend; a keypoint file
    takes the window (``start_s``, ``end_s``) too.
    """
    check_input_file(source)
    suffix = source.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        from runform.pose.mediapipe_backend import MediaPipePose

        return MediaPipePose(model_complexity=model_complexity, **video_options)  # type: ignore[arg-type]
    if suffix in keypoint_suffixes():
        return KeypointFile(start_s=video_options.get("start_s"), end_s=video_options.get("end_s"))  # type: ignore[arg-type]
    raise InputError(
        f"Unsupported input type '{suffix or source.name}'",
        expected="a video (" + ", ".join(VIDEO_SUFFIXES) + ") or keypoint file (" + ", ".join(keypoint_suffixes()) + ")",
        found=source.name,
        fix="convert the clip to mp4, or export keypoints as CSV",
    )
