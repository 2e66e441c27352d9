"""The pose-backend interface: a source of :class:`~runform.model.Keypoints`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runform.model import Keypoints, PersonTracks

#: ``progress(done, total)``; total may be an estimate.
ProgressCallback = Callable[[int, int], None]


class PoseBackend(ABC):
    """Turns a source (video, keypoint file, motion capture) into Keypoints in image pixels."""

    name: str = "base"

    # Set by ``estimate`` where the source has them (a video's backend); these defaults otherwise.
    #: decoded-frame index of keypoint frame 0 (``--start``)
    first_frame_: int = 0
    #: everyone tracked in the video and the runner choice
    persons_: PersonTracks | None = None
    #: (time, small grey picture) samples for the quality gate's camera checks
    samples_: list[Any] | None = None
    #: the clip's frames kept reduced for the annotated video (a ``ReducedFrames``), if all were kept
    frames_: Any = None

    @abstractmethod
    def estimate(self, source: Path, progress: ProgressCallback | None = None) -> Keypoints:
        """Return keypoints for the whole source; raise a RunformError on bad input."""

    def video_record(self) -> dict[str, Any] | None:
        """What the analysis records about the video after ``estimate`` (None: not a video)."""
        return None
