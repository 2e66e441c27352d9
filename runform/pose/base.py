"""The pose-backend interface: a source of :class:`~runform.model.Keypoints`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

from runform.model import Keypoints

#: ``progress(done, total)``; total may be an estimate.
ProgressCallback = Callable[[int, int], None]


class PoseBackend(ABC):
    """Turns a source (video, keypoint file, motion capture) into Keypoints in image pixels."""

    name: str = "base"

    @abstractmethod
    def estimate(self, source: Path, progress: ProgressCallback | None = None) -> Keypoints:
        """Return keypoints for the whole source; raise a RunformError on bad input."""
