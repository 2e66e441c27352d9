"""Loader registry: one small ``from_<format>`` per input format, dispatched by file suffix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from runform.errors import InputError
from runform.model import Keypoints, MotionCapture

_LOADERS: dict[str, Callable[[Path], Keypoints | MotionCapture]] = {}


Loader = Callable[[Path], "Keypoints | MotionCapture"]


def register_loader(*suffixes: str) -> Callable[[Loader], Loader]:
    def wrap(func: Loader) -> Loader:
        for suffix in suffixes:
            _LOADERS[suffix.lower()] = func
        return func

    return wrap


def keypoint_suffixes() -> tuple[str, ...]:
    return tuple(sorted(_LOADERS))


def load_file(path: str | Path) -> Keypoints | MotionCapture:
    """Load a keypoint or motion-capture file with the loader registered for its suffix.

    Motion capture comes back as 3-D :class:`~runform.model.MotionCapture`; projecting it into a
    virtual camera image is the pose layer's job (:func:`runform.pose.load_keypoints`)."""
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
    return loader(path)  # type: ignore[return-value]


@register_loader(".csv")
def _from_csv(path: Path):  # noqa: ANN202 - Keypoints or MotionCapture
    from runform.io.keypoints_csv import from_csv
    from runform.io.mocap import from_rbds_joints, is_joints_csv

    return from_rbds_joints(path) if is_joints_csv(path) else from_csv(path)


def _register_mocap() -> None:
    import runform.io.mocap  # noqa: F401 - registers .txt, .trc, .c3d


_register_mocap()
