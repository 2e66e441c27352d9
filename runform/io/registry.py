"""Loader registry: one small ``from_<format>`` per input format, dispatched by file suffix."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from runform.errors import InputError
from runform.keypoints import Keypoints

_LOADERS: dict[str, Callable[[Path], Keypoints]] = {}


def register_loader(*suffixes: str) -> Callable[[Callable[[Path], Keypoints]], Callable[[Path], Keypoints]]:
    def wrap(func: Callable[[Path], Keypoints]) -> Callable[[Path], Keypoints]:
        for suffix in suffixes:
            _LOADERS[suffix.lower()] = func
        return func

    return wrap


def keypoint_suffixes() -> tuple[str, ...]:
    return tuple(sorted(_LOADERS))


def load_keypoints(path: str | Path) -> Keypoints:
    """Load a keypoint/motion-capture file with the loader registered for its suffix."""
    from runform.io.keypoints_csv import check_is_file

    path = Path(path)
    check_is_file(path)
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise InputError(
            f"Unknown keypoint file type '{path.suffix}'",
            expected="one of " + ", ".join(keypoint_suffixes()),
            found=path.name,
            fix="convert it to runform's keypoint CSV (see README)",
        )
    return loader(path)


@register_loader(".csv")
def _from_csv(path: Path) -> Keypoints:
    from runform.io.keypoints_csv import from_csv

    return from_csv(path)
