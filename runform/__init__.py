"""runform: objective running-form analysis from side-view video or keypoints."""

from __future__ import annotations

__version__ = "0.1.0"

from runform.errors import RunformError  # noqa: E402


def analyze(source, config=None, progress=None, **options):  # type: ignore[no-untyped-def]
    """Analyse a clip or keypoint file; see :func:`runform.pipeline.analyze`."""
    from runform.pipeline import analyze as _analyze

    return _analyze(source, config=config, progress=progress, **options)


def load_keypoints(path):  # type: ignore[no-untyped-def]
    from runform.io.registry import load_keypoints as _load

    return _load(path)


def save_keypoints(keypoints, path):  # type: ignore[no-untyped-def]
    from runform.io.keypoints_csv import to_csv

    return to_csv(keypoints, path)


__all__ = ["RunformError", "__version__", "analyze", "load_keypoints", "save_keypoints"]
