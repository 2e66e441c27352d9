"""runform: objective running-form analysis from side-view video or keypoints."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from runform.errors import RunformError
from runform.version import __version__

if TYPE_CHECKING:
    from runform.config import Config
    from runform.model import Analysis, Keypoints


def analyze(source: str | Path, config: Config | None = None, progress=None, **options: object) -> Analysis[Config]:  # noqa: ANN001
    """Analyse a clip or keypoint file (no output files); see :func:`runform.pipeline.analyze`."""
    from runform.pipeline import analyze as analyze_source

    return analyze_source(source, config=config, progress=progress, **options)


def run(source: str | Path, config: Config | None = None, out_dir: str | Path | None = None, progress=None) -> Analysis[Config]:  # noqa: ANN001
    """Analyse and write the whole output folder; see :func:`runform.pipeline.run`."""
    from runform.pipeline import run as run_pipeline

    return run_pipeline(source, config, out_dir, progress)


def load_keypoints(path: str | Path) -> Keypoints:
    """Keypoints from a keypoint or motion-capture file (motion capture projected into a side camera)."""
    from runform.pose import load_keypoints as load

    return load(path)


def save_keypoints(keypoints: Keypoints, path: str | Path) -> None:
    """Write keypoints in runform's keypoint-CSV format."""
    from runform.io import to_csv

    to_csv(keypoints, path)


__all__ = ["RunformError", "__version__", "analyze", "load_keypoints", "run", "save_keypoints"]
