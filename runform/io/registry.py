"""Loader registry: one small ``from_<format>`` per input format, dispatched by file suffix."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from runform.errors import InputError
from runform.keypoints import Keypoints

_LOADERS: dict[str, Callable[[Path], object]] = {}


def register_loader(*suffixes: str) -> Callable[[Callable[[Path], Keypoints]], Callable[[Path], Keypoints]]:
    def wrap(func: Callable[[Path], Keypoints]) -> Callable[[Path], Keypoints]:
        for suffix in suffixes:
            _LOADERS[suffix.lower()] = func
        return func

    return wrap


def keypoint_suffixes() -> tuple[str, ...]:
    return tuple(sorted(_LOADERS))


def load_keypoints(path: str | Path, camera: object | None = None) -> Keypoints:
    """Load a keypoint/motion-capture file with the loader registered for its suffix.

    Motion capture is projected through ``camera`` (a :class:`~runform.pose.virtual_camera.VirtualCamera`;
    default: right side, 4 m, 60 fps, 1280x720)."""
    from runform.io.paths import check_input_file

    path = Path(path)
    check_input_file(path)
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise InputError(
            f"Unknown keypoint file type '{path.suffix}'",
            expected="one of " + ", ".join(keypoint_suffixes()),
            found=path.name,
            fix="convert it to runform's keypoint CSV (see README)",
        )
    loaded = loader(path)
    if isinstance(loaded, Keypoints):
        return loaded
    from runform.pose.virtual_camera import VirtualCamera

    return (camera or VirtualCamera()).project(loaded)


@register_loader(".csv")
def _from_csv(path: Path):  # noqa: ANN202 - Keypoints or MotionCapture
    from runform.io.keypoints_csv import from_csv
    from runform.io.mocap import from_rbds_joints, is_joints_csv

    return from_rbds_joints(path) if is_joints_csv(path) else from_csv(path)


def _register_mocap() -> None:
    import runform.io.mocap  # noqa: F401 - registers .txt, .trc, .c3d


_register_mocap()
